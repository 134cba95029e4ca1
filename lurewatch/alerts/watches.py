"""Watched entities written as a person writes them, normalised as enrichment stores them in findings.

A phone in any written form becomes E.164 through the enrichment phone parser (a local number needs its
region); a Telegram handle loses its ``@`` or ``t.me/`` and its case; an email and a domain are lower-cased
(a URL gives its registered domain); an Ethereum or bech32 address is lower-cased; an image is its pHash; a
network is its id (``lurewatch.alerts.network_watch`` says what a network watch alerts on).
"""

from __future__ import annotations

import re

from lurewatch.alerts.model import WATCH_KINDS, AlertError
from lurewatch.enrichment.handles import TELEGRAM_LINK
from lurewatch.enrichment.links import registered_domain
from lurewatch.enrichment.phones import extract_phones
from lurewatch.enrichment.wallets import extract_wallets

HANDLE = re.compile(r"[A-Za-z][A-Za-z0-9_]{3,31}")
PHASH = re.compile(r"[0-9a-f]{16}")
NETWORK = re.compile(r"nw-[0-9a-f]{12}")


def normalise(kind: str, value: str, region: str | None = None) -> str:
    """``value`` as findings store it; ``AlertError`` says what is wrong with it."""
    kind, value = kind.strip().lower(), value.strip()
    if kind not in WATCH_KINDS:
        raise AlertError(f"cannot watch {kind!r}; kinds: {', '.join(WATCH_KINDS)}")
    if not value:
        raise AlertError(f"the {kind} to watch is empty")
    if kind == "phone":
        found = extract_phones(value, [region.upper()] if region else [])
        if len(found) != 1:
            raise AlertError(
                f"{value!r} is not one valid phone number",
                hint="write it with its country code (+66 81 234 5678) or give its region (--region TH)",
            )
        return found[0]
    if kind == "telegram":
        link = TELEGRAM_LINK.search(value)
        handle = link.group(1) if link else value.removeprefix("@")
        if not HANDLE.fullmatch(handle):
            raise AlertError(f"{value!r} is not a Telegram handle (5-32 letters, digits or _; e.g. @hr_agent)")
        return handle.lower()
    if kind == "email":
        if not re.fullmatch(r"[^@\s]+@[^@\s]+\.[^@\s]+", value):
            raise AlertError(f"{value!r} is not an email address")
        return value.lower()
    if kind == "domain":
        domain = registered_domain(value.lower())
        if not domain:
            raise AlertError(f"{value!r} has no registered domain (e.g. example.co.th or https://jobs.example.com)")
        return domain
    if kind == "wallet":
        wallets = extract_wallets(value)
        if len(wallets) != 1:
            raise AlertError(f"{value!r} is not one checksum-valid TRON, Bitcoin or Ethereum address")
        return wallets[0].address
    if kind == "network":
        if not NETWORK.fullmatch(value.lower()):
            raise AlertError(f"{value!r} is not a network id (nw- and 12 hex digits, as `lurewatch networks list` shows)")
        return value.lower()
    phash = value.lower().removeprefix("0x")
    if not PHASH.fullmatch(phash):
        raise AlertError(f"{value!r} is not an image pHash (16 hex digits, as a finding's images[].phash)")
    return phash
