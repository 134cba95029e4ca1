"""Word segmentation for scripts written without spaces (Thai, Khmer, Lao, Burmese, Chinese).

Elasticsearch's ``standard`` analyzer keeps a run of Thai, Khmer, Lao or Burmese letters as one
token, so a search for one word inside it finds nothing. Enrichment therefore stores
``Finding.text_segmented``: the text with the words of those scripts separated by spaces.

Segmenter: ICU's dictionary-based word break iterator (``icukit-pyicu``, a wheel bundling ICU
and PyICU). One maintained engine covers all five scripts, including mixed-script ads, with the
dictionaries the Unicode consortium ships; it needs no model download and no per-language
stack. The per-language alternatives (pythainlp, khmer-nltk, laonlp, jieba) are each maintained
for one language only, pull in heavier dependencies (jieba builds a prefix dictionary at
start-up, khmer-nltk needs a CRF model) and would need a language router in front; their
accuracy gain on short job ads does not pay for five dependencies. Chinese from ICU is
word-level (e.g. 招聘 | 客服); index/text.py still spaces out ideographs for SQLite's FTS5.
"""

from __future__ import annotations

import re
from functools import lru_cache

import icu

# Runs of the scripts that need segmenting: Thai, Lao, Burmese, Khmer (+ symbols), CJK ideographs.
_UNSPACED_RUN = re.compile(
    r"[\u0e00-\u0eff\u1000-\u109f\uaa60-\uaa7f\u1780-\u17ff\u19e0-\u19ff\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff]+"
)
_SPACES = re.compile(r" {2,}")


@lru_cache(maxsize=1)
def _word_breaker() -> icu.BreakIterator:
    # Root locale: ICU picks the dictionary by script, so one iterator serves every language.
    return icu.BreakIterator.createWordInstance(icu.Locale.getRoot())


def words(run: str) -> list[str]:
    """The words ICU finds in ``run`` (spaces and punctuation dropped)."""
    breaker = _word_breaker()
    ustr = icu.UnicodeString(run)  # ICU offsets count UTF-16 units; slice the ICU string, not the str
    breaker.setText(ustr)
    out: list[str] = []
    start = breaker.first()
    for end in breaker:
        piece = str(ustr[start:end]).strip()
        if piece:
            out.append(piece)
        start = end
    return out


def segment(text: str) -> str:
    """``text`` with the words of unspaced scripts separated by spaces; "" when it has none."""
    if not _UNSPACED_RUN.search(text):
        return ""
    spaced = _UNSPACED_RUN.sub(lambda m: " " + " ".join(words(m.group(0))) + " ", text)
    return "\n".join(_SPACES.sub(" ", line).strip() for line in spaced.splitlines())
