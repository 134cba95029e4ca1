"""URLs and their registered domains (public suffix list shipped with tldextract, never downloaded)."""

from __future__ import annotations

import re
from functools import lru_cache

import tldextract

URL = re.compile(
    r"\b(?:https?://|www\.)[^\s<>\"'()\[\]{}，。、]+|\b(?:t\.me|wa\.me|line\.me|bit\.ly|signal\.me|zalo\.me|m\.me|open\.kakao\.com)/[^\s<>\"'()，。]+",
    re.I,
)
_TRAILING = ".,;:!?)]}'\""


@lru_cache(maxsize=1)
def _extractor() -> tldextract.TLDExtract:
    # suffix_list_urls=() keeps tldextract on its bundled snapshot: crawling machines may be offline.
    return tldextract.TLDExtract(suffix_list_urls=(), cache_dir=None)


def extract_urls(text: str) -> list[str]:
    """Links written in the text, trailing punctuation removed."""
    return list(dict.fromkeys(m.group(0).rstrip(_TRAILING) for m in URL.finditer(text)))


def registered_domain(url_or_host: str) -> str:
    """``example.co.th`` for ``https://jobs.example.co.th/x``; "" when there is no public suffix."""
    parts = _extractor()(url_or_host)
    return parts.top_domain_under_public_suffix if parts.suffix else ""


def domains_of(urls: list[str], emails: list[str]) -> list[str]:
    """Registered domains of the links and email addresses."""
    hosts = [*urls, *(email.rsplit("@", 1)[1] for email in emails)]
    return list(dict.fromkeys(d for d in (registered_domain(h) for h in hosts) if d))
