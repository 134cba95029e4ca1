"""Redaction: phones, handles, emails and wallets become keyed HMAC pseudonyms, and leave free text and titles.

A pseudonym is ``<kind>-<20 letters>``: HMAC-SHA256 of the value under the project key, written with the
letters a–p only, so no phone, wallet or handle pattern can match it and the project's extractors find
nothing in a redacted export. The same value gives the same pseudonym under the same key, so records
still link across exports. The key comes from settings or a file made on first use; it is never logged.
"""

from __future__ import annotations

import hashlib
import hmac
import os
import re
import secrets
from dataclasses import replace
from pathlib import Path

from lurewatch.enrichment.contacts import EMAIL
from lurewatch.enrichment.handles import AT_HANDLE, LINE_LINK, SIGNAL_LINK, TELEGRAM_LINK, WHATSAPP_LINK
from lurewatch.enrichment.phones import find_phones, region_hints
from lurewatch.enrichment.wallets import BTC_BECH32, BTC_LEGACY, ETH, TRON
from lurewatch.records import Contacts, Finding, Wallet
from lurewatch.settings import Settings

LETTERS = "abcdefghijklmnop"  # one letter per hex digit: no digits, so nothing reads as a number
KEY_BYTES = 32
# Classes of value, as named in pseudonyms: a WhatsApp number and the same phone number share one.
CLASS_OF = {"phones": "phone", "whatsapp": "phone", "signal": "phone", "emails": "email", "telegram": "handle",
            "line": "handle", "wechat": "handle"}  # fmt: skip
# Patterns of the extractors (class, pattern, group holding the value; 0 for the whole match).
TEXT_PATTERNS: list[tuple[str, re.Pattern[str], int]] = [
    ("email", EMAIL, 0),
    ("handle", TELEGRAM_LINK, 1),
    ("phone", WHATSAPP_LINK, 1),
    ("handle", LINE_LINK, 1),
    ("phone", SIGNAL_LINK, 1),
    ("wallet", TRON, 0),
    ("wallet", BTC_LEGACY, 0),
    ("wallet", BTC_BECH32, 0),
    ("wallet", ETH, 0),
    ("handle", AT_HANDLE, 1),
]


def load_key(settings: Settings) -> bytes:
    """The project key: ``LUREWATCH_EXPORT_KEY``, or the key file, made (mode 0600) when missing."""
    if settings.export_key is not None:
        return settings.export_key.get_secret_value().encode("utf-8")
    path = settings.export_key_path
    if not path.exists():
        _make_key_file(path)
    return bytes.fromhex(path.read_text(encoding="ascii").strip())


def _make_key_file(path: Path) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = path.with_name(f".{path.name}.{os.getpid()}.tmp")
    fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    with os.fdopen(fd, "w", encoding="ascii") as fh:
        fh.write(secrets.token_hex(KEY_BYTES) + "\n")
    try:
        os.link(tmp, path)  # never replaces a key another process made meanwhile
    except FileExistsError:
        pass
    finally:
        tmp.unlink()


class Redactor:
    """Turns a finding into its redacted copy; holds the key, so it is never printed or pickled into logs."""

    def __init__(self, key: bytes) -> None:
        self._key = key

    def __repr__(self) -> str:
        return "Redactor(key=<hidden>)"

    def pseudonym(self, kind: str, value: str) -> str:
        """``kind-<20 letters>``: stable for one value under one key; the value is normalised first."""
        normalised = value.strip().lower().lstrip("@")
        if kind == "phone":
            normalised = "+" + re.sub(r"\D", "", normalised)
        digest = hmac.new(self._key, f"{kind}\x1f{normalised}".encode(), hashlib.sha256).hexdigest()[:20]
        return f"{kind}-" + "".join(LETTERS[int(c, 16)] for c in digest)

    def scrub(self, text: str, known: dict[str, str], language: str = "") -> str:
        """``text`` with every contact the extractors find, and every ``known`` value, replaced by its pseudonym."""
        if not text:
            return text
        spans: list[tuple[int, int, str]] = []
        for value, alias in known.items():  # first: on a tie, the finding's own values win
            if len(value) >= 3:
                spans.extend((m.start(), m.end(), alias) for m in re.finditer(re.escape(value), text, re.I))
        for kind, pattern, group in TEXT_PATTERNS:
            for match in pattern.finditer(text):
                value = match.group(group) or match.group(0)
                spans.append((match.start(), match.end(), self.pseudonym(kind, value)))
        for number, start, end in find_phones(text, region_hints(text, language)):
            spans.append((start, end, self.pseudonym("phone", number)))
        return _replace_spans(text, spans)

    def finding(self, finding: Finding) -> Finding:
        """A redacted copy: contact lists and wallets as pseudonyms, text and title scrubbed, author pseudonymised."""
        c = finding.contacts
        known: dict[str, str] = {}

        def alias(field: str, values: list[str]) -> list[str]:
            kind = CLASS_OF.get(field, field)
            out = []
            for value in values:
                known[value] = out_value = self.pseudonym(kind, value)
                if kind == "phone" and value.startswith("+"):
                    known[value[1:]] = out_value  # the digits alone, as ads often write them
                if value.startswith("@"):
                    known[value[1:]] = out_value
                else:
                    known["@" + value] = out_value
                out.append(out_value)
            return out

        contacts = Contacts(
            phones=alias("phones", c.phones), emails=alias("emails", c.emails), telegram=alias("telegram", c.telegram),
            whatsapp=alias("whatsapp", c.whatsapp), line=alias("line", c.line), wechat=alias("wechat", c.wechat),
            signal=alias("signal", c.signal), urls=[], domains=list(c.domains),
        )  # fmt: skip
        wallets = [Wallet(w.chain, alias("wallet", [w.address])[0]) for w in finding.wallets]
        author = ""
        if finding.author:  # an author who is also a listed handle keeps that handle's pseudonym
            author = known.get(finding.author) or known.get(finding.author.lstrip("@")) or ""
            author = author or self.pseudonym("author", finding.author)
            known.setdefault(finding.author, author)
        # Longest first, so "+66812345678" is replaced before "66812345678" can cut it in two.
        known = dict(sorted(known.items(), key=lambda kv: -len(kv[0])))
        contacts.urls = [self.scrub(url, known) for url in c.urls]
        indicators = [replace(i, evidence=self.scrub(i.evidence, known, finding.language)) for i in finding.indicators]
        salary = replace(finding.salary, text=self.scrub(finding.salary.text, known)) if finding.salary else None
        return replace(
            finding,
            title=self.scrub(finding.title, known, finding.language),
            text=self.scrub(finding.text, known, finding.language),
            text_segmented=self.scrub(finding.text_segmented, known, finding.language),
            author=author,
            contacts=contacts,
            wallets=wallets,
            indicators=indicators,
            salary=salary,
            minhash_bands=[],  # derived from the clear text: they would let a reader test guesses
        )


def _replace_spans(text: str, spans: list[tuple[int, int, str]]) -> str:
    """Replace non-overlapping spans, the earliest (then longest) first."""
    if not spans:
        return text
    spans.sort(key=lambda s: (s[0], -(s[1] - s[0])))
    parts, pos = [], 0
    for start, end, alias in spans:
        if start < pos:
            continue
        parts.append(text[pos:start])
        parts.append(alias)
        pos = end
    parts.append(text[pos:])
    return "".join(parts)
