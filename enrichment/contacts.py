"""Extract contact points from text: phone numbers (E.164), emails and Telegram handles."""

from __future__ import annotations

import re
from collections.abc import Iterable

import phonenumbers

from lurewatch.records import Contacts

# Which region's local number formats a text in this language most likely uses.
LANGUAGE_REGIONS = {
    "th": "TH", "km": "KH", "my": "MM", "lo": "LA", "vi": "VN", "id": "ID", "ms": "MY",
    "tl": "PH", "zh": "CN", "ko": "KR", "ja": "JP",
}  # fmt: skip

EMAIL = re.compile(r"(?<![\w.+-])[A-Za-z0-9._%+-]+@[A-Za-z0-9.-]+\.[A-Za-z]{2,24}\b")
TELEGRAM_LINK = re.compile(
    r"(?:https?://)?(?:t\.me|telegram\.me|telegram\.dog)/(?:s/)?([A-Za-z][A-Za-z0-9_]{3,31})\b", re.I
)
TELEGRAM_WORD = re.compile(r"telegram|tele\b|\btg\b|电报|飞机|เทเลแกรม|តេឡេក្រាម|တယ်လီဂရမ်", re.I)
AT_HANDLE = re.compile(r"(?<![\w@.])@([A-Za-z][A-Za-z0-9_]{3,31})\b")


def extract_phones(text: str, regions: Iterable[str]) -> list[str]:
    """Valid phone numbers in E.164, trying each region hint for numbers written in local format."""
    found: dict[str, None] = {}
    for region in list(dict.fromkeys([*regions, None])):
        for match in phonenumbers.PhoneNumberMatcher(text, region, leniency=phonenumbers.Leniency.VALID):
            found[phonenumbers.format_number(match.number, phonenumbers.PhoneNumberFormat.E164)] = None
    return list(found)


def extract_emails(text: str) -> list[str]:
    return list(dict.fromkeys(m.group(0).lower().rstrip(".") for m in EMAIL.finditer(text)))


def extract_telegram(text: str) -> list[str]:
    """Telegram handles from t.me links, and @handles on lines that speak of Telegram."""
    handles = [m.group(1) for m in TELEGRAM_LINK.finditer(text)]
    for line in text.splitlines():
        if TELEGRAM_WORD.search(line):
            handles.extend(m.group(1) for m in AT_HANDLE.finditer(line))
    return list(dict.fromkeys(h.lower() for h in handles))


def extract_contacts(text: str, language: str) -> Contacts:
    regions = [LANGUAGE_REGIONS[language]] if language in LANGUAGE_REGIONS else []
    return Contacts(phones=extract_phones(text, regions), emails=extract_emails(text), telegram=extract_telegram(text))
