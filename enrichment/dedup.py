"""Exact-duplicate detection: a hash of the normalised content."""

from __future__ import annotations

import hashlib
import re
import unicodedata

_NON_WORD = re.compile(r"[\W_]+", re.UNICODE)


def content_sha256(title: str, text: str) -> str:
    """Hash of title + text after case folding and dropping punctuation, spacing and emoji."""
    normalised = unicodedata.normalize("NFKC", f"{title}\n{text}").casefold()
    return hashlib.sha256(_NON_WORD.sub(" ", normalised).strip().encode("utf-8")).hexdigest()
