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
