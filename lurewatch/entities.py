"""Entity kinds: the contact points, wallets and image hashes a finding carries, in one table.

Pivots, filters, facets, the web UI and (later) the network graph read this table: each kind has its filter
name, where its values sit in a ``Finding``, a label for people, and how a value typed by a person is brought
to the form enrichment stores (E.164 phones, lower-case handles without ``@``). A new messenger is one row
here and one field in ``Contacts``.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

import phonenumbers

if TYPE_CHECKING:
    from lurewatch.records import Finding

# Which region's local number formats a text in this language most likely uses (enrichment's hints for a
# posting); a phone typed without its country code is tried in each of these regions.
LANGUAGE_REGIONS = {
    "th": "TH", "km": "KH", "my": "MM", "lo": "LA", "vi": "VN", "id": "ID", "ms": "MY",
    "tl": "PH", "zh": "CN", "ko": "KR", "ja": "JP",
}  # fmt: skip
PHONE_REGIONS = tuple(dict.fromkeys(("KH", "MM", "TH", "LA", "PH", *LANGUAGE_REGIONS.values())))

# Hosts of messengers, social networks, link shorteners and webmail: every recruiter uses them, so as a
# "domain" they link everything to everything. Never offered as a domain to pivot on, nor stored as one, nor
# proposed as a job board by source discovery.
GENERIC_DOMAINS = frozenset({
    "facebook.com", "fb.com", "fb.me", "messenger.com", "m.me", "instagram.com", "tiktok.com", "twitter.com",
    "x.com", "youtube.com", "youtu.be", "linkedin.com", "t.me", "telegram.me", "telegram.org", "telegram.dog",
    "wa.me", "whatsapp.com", "whatsapp.net", "line.me", "lin.ee", "signal.me", "signal.group", "signal.org",
    "zalo.me", "kakao.com", "viber.com", "wechat.com", "qq.com", "weixin.qq.com", "vk.com", "google.com", "goo.gl",
    "bit.ly", "tinyurl.com", "cutt.ly", "rebrand.ly", "shorturl.at", "is.gd", "t.co", "ow.ly", "linktr.ee",
    "gmail.com", "yahoo.com", "hotmail.com", "outlook.com", "live.com", "icloud.com", "proton.me",
    "drive.google.com", "forms.gle", "docs.google.com",
})  # fmt: skip

_PHONE_PUNCTUATION = re.compile(r"[\s().\-‐‑–/]")
_LINK_PREFIX = re.compile(r"^(?:https?://)?(?:www\.)?(?:t\.me|telegram\.me|wa\.me|line\.me/ti/p|signal\.me/#p|zalo\.me|m\.me|open\.kakao\.com/o)/", re.I)


def phone(value: str) -> str:
    """A phone as enrichment stores it: E.164 (``+855 12-345 678`` and ``00855 12345678`` → ``+85512345678``)."""
    text = _PHONE_PUNCTUATION.sub("", _LINK_PREFIX.sub("", value.strip()))
    if text.startswith("00"):
        text = "+" + text[2:]
    elif text.isdigit() and len(text) > 10:
        text = "+" + text  # wa.me/85512345678 and numbers copied without their plus
    try:
        number = phonenumbers.parse(text, None)
    except phonenumbers.NumberParseException:
        return text
    return phonenumbers.format_number(number, phonenumbers.PhoneNumberFormat.E164)


def phone_candidates(value: str) -> list[str]:
    """Every E.164 number a typed phone may be: itself when it carries its country code, else the valid
    readings of the local number in each of ``PHONE_REGIONS`` (``012 345 678`` is Cambodian, ``081-234-5678``
    Thai). The index tells which of them occur; a value that reads as no number is returned as ``phone`` gives it.
    """
    text = _PHONE_PUNCTUATION.sub("", _LINK_PREFIX.sub("", value.strip()))
    if text.startswith(("+", "00")) or (text.isdigit() and len(text) > 10 and not text.startswith("0")):
        return [phone(value)]
    found: list[str] = []
    for region in PHONE_REGIONS:
        try:
            number = phonenumbers.parse(text, region)
        except phonenumbers.NumberParseException:
            continue
        if phonenumbers.is_valid_number(number):
            found.append(phonenumbers.format_number(number, phonenumbers.PhoneNumberFormat.E164))
    return list(dict.fromkeys(found)) or [phone(value)]


def handle(value: str) -> str:
    """A messenger handle as stored: lower case, without a link prefix or a leading ``@`` or ``~``."""
    return _LINK_PREFIX.sub("", value.strip()).lstrip("@~").lower()


def lower(value: str) -> str:
    return value.strip().lower()


def domain(value: str) -> str:
    """A domain as stored: lower case, without scheme, ``www.``, path or port."""
    text = re.sub(r"^[a-z][a-z0-9+.-]*://", "", value.strip().lower())
    host = re.split(r"[/?#:]", text, maxsplit=1)[0]
    return host.removeprefix("www.").rstrip(".")


def verbatim(value: str) -> str:
    """Kept as typed (EIP-55 wallet addresses carry meaning in their letter case)."""
    return value.strip()


@dataclass(frozen=True)
class EntityKind:
    """One kind of entity: filter/pivot name, dotted path in a ``Finding``, label, normaliser."""

    kind: str
    path: str  # "contacts.phones"; a list of records: "wallets.address"
    label: str
    normalise: Callable[[str], str]
    contact: bool = True  # a way to reach the recruiter (counts for ``has_contact``)

    def values(self, finding: Finding) -> list[str]:
        """This kind's values in ``finding``."""
        head, _, attribute = self.path.partition(".")
        found: Any = getattr(finding, head)
        if isinstance(found, list):
            return [getattr(item, attribute) for item in found if getattr(item, attribute)]
        return list(getattr(found, attribute))


ENTITY_KINDS: tuple[EntityKind, ...] = (
    EntityKind("phone", "contacts.phones", "Phone", phone),
    EntityKind("telegram", "contacts.telegram", "Telegram", handle),
    EntityKind("whatsapp", "contacts.whatsapp", "WhatsApp", phone),
    EntityKind("line", "contacts.line", "LINE", handle),
    EntityKind("wechat", "contacts.wechat", "WeChat", handle),
    EntityKind("signal", "contacts.signal", "Signal", phone),
    EntityKind("zalo", "contacts.zalo", "Zalo", phone),
    EntityKind("viber", "contacts.viber", "Viber", phone),
    EntityKind("kakaotalk", "contacts.kakaotalk", "KakaoTalk", handle),
    EntityKind("messenger", "contacts.messenger", "Messenger", handle),
    EntityKind("email", "contacts.emails", "Email", lower),
    EntityKind("domain", "contacts.domains", "Domain", domain, contact=False),
    EntityKind("wallet", "wallets.address", "Crypto wallet", verbatim, contact=False),
    EntityKind("phash", "images.phash", "Image hash", lower, contact=False),
)
BY_KIND: dict[str, EntityKind] = {entity.kind: entity for entity in ENTITY_KINDS}


def entities_of(finding: Finding) -> Iterator[tuple[EntityKind, str]]:
    """Every (kind, value) the finding carries, in table order."""
    for entity in ENTITY_KINDS:
        for value in entity.values(finding):
            yield entity, value


def normalise(kind: str, value: str) -> str:
    """``value`` of ``kind`` in its stored form; values of kinds outside the table are only stripped."""
    entity = BY_KIND.get(kind)
    return entity.normalise(value) if entity else value.strip()


def stored_forms(kind: str, value: str) -> list[str]:
    """Every stored form ``value`` as typed may have: one, but for a local phone number (``phone_candidates``)."""
    entity = BY_KIND.get(kind)
    if entity is not None and entity.normalise is phone:
        return phone_candidates(value)
    return [normalise(kind, value)]


def offered_as_pivot(kind: str, value: str) -> bool:
    """Whether a value is worth pivoting on: not a messenger's or a social network's host as a "domain"."""
    if kind != "domain":
        return True
    host = domain(value)
    return not any(host == generic or host.endswith("." + generic) for generic in GENERIC_DOMAINS)
