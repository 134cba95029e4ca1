"""Cutting text where a reader sees a boundary: never inside a grapheme cluster, nor inside a stacked syllable.

Thai, Lao, Khmer and Burmese write vowels and tones as combining marks on a consonant; a cut between the two
leaves a mark on nothing (shown as a dotted circle) and a consonant without its vowel. Unicode's extended
grapheme clusters (``\\X`` of the ``regex`` module) keep a consonant with its marks. Khmer (coeng, U+17D2) and
Burmese (virama, U+1039) stack the next consonant under this one, and ZWJ joins emoji: a cluster ending in one
of these belongs with the next one, so no cut falls there either.
"""

from __future__ import annotations

import bisect

import regex

_CLUSTER = regex.compile(r"\X")
_JOINERS = ("\u17d2", "\u1039", "\u200d")


def _boundaries(text: str) -> list[int]:
    """Offsets where ``text`` may be cut (0 and ``len(text)`` included), ascending."""
    out = [0]
    for match in _CLUSTER.finditer(text):
        if not match.group().endswith(_JOINERS):
            out.append(match.end())
    if out[-1] != len(text):
        out.append(len(text))
    return out


def _anchor(text: str, position: int) -> int:
    """A cut at or before ``position`` found without reading from the start: before an ASCII character that
    follows another (no rule joins those: neither extends, prepends nor joins), or after a line feed; else 0."""
    for j in range(min(position, len(text) - 1), max(0, position - 256), -1):
        if text[j - 1] == "\n" or (text[j] < "\x80" and text[j - 1] < "\x80" and text[j] != "\n"):
            return j
    return 0


def _cuts_near(text: str, offset: int, ahead: int) -> list[int]:
    """The cuts from a little before ``offset`` to ``offset + ahead``: only that window is read (a page of
    text is not, which cost a millisecond per snippet). Cuts before the window's end are the text's own."""
    low = _anchor(text, max(0, offset - 48))
    high = min(len(text), offset + ahead)
    cuts = [low + b for b in _boundaries(text[low:high])]
    return cuts if high == len(text) else cuts[:-1]


def at_or_before(text: str, offset: int) -> int:
    """The last safe cut at or before ``offset``."""
    cuts = _cuts_near(text, offset, 64)
    i = bisect.bisect_right(cuts, offset)
    return cuts[i - 1] if i else 0


def at_or_after(text: str, offset: int) -> int:
    """The first safe cut at or after ``offset``."""
    ahead = 64
    while True:
        cuts = _cuts_near(text, offset, ahead)
        i = bisect.bisect_left(cuts, offset)
        if i < len(cuts):
            return cuts[i]
        if offset + ahead >= len(text):
            return len(text)
        ahead *= 4


def clip(text: str, limit: int) -> str:
    """``text`` cut to at most ``limit`` characters, at a safe cut."""
    return text if len(text) <= limit else text[: at_or_before(text, limit)]
