"""Word segmentation for scripts written without spaces (Thai, Khmer, Lao, Burmese, Chinese, Japanese).

Ground, not a step: enrichment segments the documents (``Finding.text_segmented``) and the index segments
the queries (``index/text.py``) with this one module, so that a word typed as people type it is split
exactly as the documents were.

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
import threading

import icu

# Runs of the scripts that need segmenting: Thai, Lao, Burmese, Khmer (+ symbols), CJK ideographs.
UNSPACED_RUN = re.compile(
    r"[\u0e00-\u0eff\u1000-\u109f\uaa60-\uaa7f\u1780-\u17ff\u19e0-\u19ff\u3040-\u30ff\u3400-\u4dbf\u4e00-\u9fff"
    r"\uf900-\ufaff]+"
)
_SPACES = re.compile(r" {2,}")


_local = threading.local()


def _word_breaker() -> icu.BreakIterator:
    """This thread's word break iterator (an iterator holds its text: threads must not share one).

    Root locale: ICU picks the dictionary by script, so one iterator serves every language.
    """
    breaker: icu.BreakIterator | None = getattr(_local, "breaker", None)
    if breaker is None:
        breaker = _local.breaker = icu.BreakIterator.createWordInstance(icu.Locale.getRoot())
    return breaker


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
    if not UNSPACED_RUN.search(text):
        return ""
    spaced = UNSPACED_RUN.sub(lambda m: " " + " ".join(words(m.group(0))) + " ", text)
    return "\n".join(_SPACES.sub(" ", line).strip() for line in spaced.splitlines())
