"""One tokenizer for both engines: the words that SQLite's FTS5 and Elasticsearch both index and query.

Elasticsearch's standard tokenizer and FTS5's unicode61 disagree at the edges (``t.me``, ``Telegram：x``,
``8,000``, ``hr_team``, runs of ideographs), so neither engine tokenises crawled text itself: this module
splits it, both engines index the resulting space-separated words (FTS5 as is, Elasticsearch with its
built-in ``whitespace`` tokenizer and ``lowercase`` filter), and queries are split the same way.
"""

from __future__ import annotations

import re
import unicodedata

# Letters, digits and underscore in any script (\w), plus every combining mark: Thai, Lao, Khmer and
# Burmese words are written with marks that Python's \w and FTS5's unicode61 both treat as breaks.
MARKS = "".join(chr(c) for c in range(0x300, 0x10000) if unicodedata.category(chr(c)).startswith("M"))
_IDEOGRAPHS = "\u3040-\u30ff\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff"
_TOKEN = re.compile(rf"[{_IDEOGRAPHS}]|(?:(?![{_IDEOGRAPHS}])[\w{re.escape(MARKS)}\u200c\u200d])+", re.UNICODE)

# FTS5 must keep the same characters inside words (it splits on everything it deems neither letter nor digit).
FTS5_TOKENIZER = "unicode61 remove_diacritics 0 tokenchars '_" + MARKS + "\u200c\u200d'"


def tokens(text: str) -> list[str]:
    """Lower-cased words: runs of word characters, and each ideograph or kana on its own."""
    return [match.group(0).lower() for match in _TOKEN.finditer(text)]


def indexed_words(*texts: str) -> str:
    """What both engines index for these texts: their tokens separated by single spaces."""
    return " ".join(token for text in texts for token in tokens(text))


def finding_words(title: str, text: str, text_segmented: str) -> str:
    """The one searchable field of a finding, in both engines.

    The title comes twice: that is its boost, the same in both engines, so that both rank with plain
    BM25 over identical words and their top hits agree.
    """
    return indexed_words(title, title, text, text_segmented)
