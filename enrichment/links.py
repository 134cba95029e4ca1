"""URLs and their registered domains (public suffix list shipped with tldextract, never downloaded)."""

from __future__ import annotations

import re
from functools import lru_cache

import tldextract

from lurewatch.entities import offered_as_pivot

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
    """Registered domains of the links and email addresses; not messenger or social network hosts (``t.me``,
    ``wa.me``, ``facebook.com`` ...), which every recruiter shares (the links themselves stay in ``urls``)."""
    hosts = [*urls, *(email.rsplit("@", 1)[1] for email in emails)]
    found = (registered_domain(h) for h in hosts)
    return list(dict.fromkeys(d for d in found if d and offered_as_pivot("domain", d)))
