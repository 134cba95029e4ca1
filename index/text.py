"""One tokenizer for both engines: the words that SQLite's FTS5 and Elasticsearch both index and query.

Elasticsearch's standard tokenizer and FTS5's unicode61 disagree at the edges (``t.me``, ``Telegram：x``,
``8,000``, ``hr_team``, runs of ideographs), so neither engine tokenises crawled text itself: this module
splits it, both engines index the resulting space-separated words (FTS5 as is, Elasticsearch with its
built-in ``whitespace`` tokenizer and ``lowercase`` filter), and queries are split the same way.
"""

from __future__ import annotations

import re
import unicodedata

from lurewatch.graphemes import at_or_after, at_or_before
from lurewatch.segment import UNSPACED_RUN, segment

# Letters, digits and underscore in any script (\w), plus every combining mark: Thai, Lao, Khmer and
# Burmese words are written with marks that Python's \w and FTS5's unicode61 both treat as breaks.
MARKS = "".join(chr(c) for c in range(0x300, 0x10000) if unicodedata.category(chr(c)).startswith("M"))
_IDEOGRAPHS = "\u3040-\u30ff\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff"
_IDEOGRAPH = re.compile(f"[{_IDEOGRAPHS}]")
_WORD = re.compile(rf"[\w{re.escape(MARKS)}\u200c\u200d]+")

# Control characters (but tab, newline and carriage return): crawled text never needs them, and the
# highlighter's marks (HIGHLIGHT_PRE, HIGHLIGHT_POST in index/query.py) are two of them.
_CONTROL = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\x7f]")

# FTS5 must keep the same characters inside words (it splits on everything it deems neither letter nor digit).
FTS5_TOKENIZER = "unicode61 remove_diacritics 0 tokenchars '_" + MARKS + "\u200c\u200d'"


def tokens(text: str) -> list[str]:
    """Lower-cased words: runs of word characters, and each ideograph or kana on its own."""
    # Spacing out ideographs first turns them into words of one character: two passes in C, no look-ahead.
    return _WORD.findall(_IDEOGRAPH.sub(r" \g<0> ", text).lower())


def query_words(text: str) -> tuple[list[str], bool]:
    """The words of one query term, split as the documents are; and whether they must stay together.

    Thai, Khmer, Lao, Burmese, Chinese and Japanese are segmented with the documents' ICU word break
    (``lurewatch.segment``), so ``คีย์ข้อมูล`` is the two words ``คีย์ ข้อมูล``. Words that came out of one run of
    such a script were typed as one: they must match next to each other, in order (a phrase).
    """
    if not UNSPACED_RUN.search(text):
        return tokens(text), False
    found = tokens(segment(text))
    return found, len(found) > 1


def indexed_words(*texts: str) -> str:
    """What both engines index for these texts: their tokens separated by single spaces."""
    return " ".join(token for text in texts for token in tokens(text))


def finding_words(title: str, text: str, text_segmented: str) -> str:
    """The one searchable field of a finding, in both engines.

    The title comes twice: that is its boost, the same in both engines, so that both rank with plain
    BM25 over identical words and their top hits agree.
    """
    title_words = indexed_words(title, segment(title))  # titles are not segmented by enrichment
    return " ".join(part for part in (title_words, title_words, indexed_words(text, text_segmented)) if part)


def without_controls(text: str) -> str:
    """``text`` without control characters, so that a crawled page cannot forge a highlight."""
    return _CONTROL.sub("", text) if _CONTROL.search(text) else text


def mark(text: str, words: list[tuple[str, bool]], pre: str, post: str) -> str:
    """``text`` with each occurrence of a word (``(word, is_prefix)``, lower-case) between ``pre`` and ``post``.

    Control characters are removed first: the only marks in the result are the ones put there.
    """
    text = without_controls(text)
    if not words or not text:
        return text
    parts = []
    for word, prefix in sorted(set(words), key=lambda t: -len(t[0])):
        body = re.escape(word)
        if UNSPACED_RUN.search(word):  # no spaces between words in these scripts: match inside runs
            parts.append(body + (rf"[\w{re.escape(MARKS)}]*" if prefix else rf"[{re.escape(MARKS)}]*"))
        else:
            parts.append(rf"(?<!\w){body}\w*" if prefix else rf"(?<!\w){body}(?!\w)")
    return re.sub("|".join(parts), lambda m: f"{pre}{m.group(0)}{post}", text, flags=re.IGNORECASE)


def fragment(marked: str, pre: str, post: str, width: int = 160) -> str:
    """About ``width`` characters of ``marked`` around its first match, with ellipses where cut."""
    first = marked.find(pre)
    if first < 0 or len(marked) <= width:
        return marked
    # Never inside a grapheme cluster or a stacked syllable (lurewatch/graphemes.py), nor inside a marked word.
    start = at_or_before(marked, max(0, first - width // 3))
    end = at_or_before(marked, min(len(marked), start + width))
    while end < len(marked) and marked.count(pre, start, end) != marked.count(post, start, end):
        end = at_or_after(marked, end + 1)
    return ("…" if start else "") + marked[start:end] + ("…" if end < len(marked) else "")
