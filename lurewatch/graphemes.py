"""Cutting text where a reader sees a boundary: never inside a grapheme cluster, nor inside a stacked syllable.

Thai, Lao, Khmer and Burmese write vowels and tones as combining marks on a consonant; a cut between the two
leaves a mark on nothing (shown as a dotted circle) and a consonant without its vowel. Unicode's extended
grapheme clusters (``\\X`` of the ``regex`` module) keep a consonant with its marks. Khmer (coeng, U+17D2) and
Burmese (virama, U+1039) stack the next consonant under this one, and ZWJ joins emoji: a cluster ending in one
of these belongs with the next one, so no cut falls there either.
"""

from __future__ import annotations

import regex

_CLUSTER = regex.compile(r"\X")
_JOINERS = ("\u17d2", "\u1039", "\u200d")


def _boundaries(text: str) -> list[int]:
    """Offsets where ``text`` may be cut (0 and ``len(text)`` included)."""
    out = [0]
    for match in _CLUSTER.finditer(text):
        if not match.group().endswith(_JOINERS):
            out.append(match.end())
    if out[-1] != len(text):
        out.append(len(text))
    return out


def at_or_before(text: str, offset: int) -> int:
    """The last safe cut at or before ``offset``."""
    return max((b for b in _boundaries(text) if b <= offset), default=0)


def at_or_after(text: str, offset: int) -> int:
    """The first safe cut at or after ``offset``."""
    return min((b for b in _boundaries(text) if b >= offset), default=len(text))


def clip(text: str, limit: int) -> str:
    """``text`` cut to at most ``limit`` characters, at a safe cut."""
    return text if len(text) <= limit else text[: at_or_before(text, limit)]
