"""Tokens as Elasticsearch's standard analyzer sees them, so SQLite's FTS5 can match the same words."""

from __future__ import annotations

import re

# The standard tokenizer emits each CJK ideograph and kana as a token of its own; FTS5's unicode61
# would keep a run of them as one token. Spacing them out makes both engines see the same words.
_IDEOGRAPH = re.compile(r"([\u3040-\u30ff\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff])")
_WORD = re.compile(r"\w+", re.UNICODE)


def spaced(text: str) -> str:
    """Text with ideographs separated by spaces, for FTS5 indexing."""
    return _IDEOGRAPH.sub(r" \1 ", text)


def words(text: str) -> list[str]:
    """The lower-cased tokens of ``text`` as FTS5 will index them after ``spaced``."""
    return [w.lower() for w in _WORD.findall(spaced(text))]


def mark(text: str, tokens: list[tuple[str, bool]], pre: str, post: str) -> str:
    """``text`` with each occurrence of a token (``(word, is_prefix)``, lower-case) between ``pre`` and ``post``."""
    if not tokens or not text:
        return text
    parts = []
    for token, prefix in sorted(set(tokens), key=lambda t: -len(t[0])):
        body = re.escape(token)
        if _IDEOGRAPH.fullmatch(token):
            parts.append(body)
        else:
            parts.append(rf"(?<!\w){body}\w*" if prefix else rf"(?<!\w){body}(?!\w)")
    return re.sub("|".join(parts), lambda m: f"{pre}{m.group(0)}{post}", text, flags=re.IGNORECASE)


def fragment(marked: str, pre: str, post: str, width: int = 160) -> str:
    """About ``width`` characters of ``marked`` around its first match, with ellipses where cut."""
    first = marked.find(pre)
    if first < 0 or len(marked) <= width:
        return marked
    start = max(0, first - width // 3)
    end = min(len(marked), start + width)
    while end < len(marked) and marked.count(pre, start, end) != marked.count(post, start, end):
        end += 1  # never cut inside a marked word
    return ("…" if start else "") + marked[start:end] + ("…" if end < len(marked) else "")
