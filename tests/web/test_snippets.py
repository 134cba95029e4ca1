"""Snippets of Thai, Burmese and Khmer ads are never cut inside a grapheme cluster or a stacked syllable.

Both backends: SQLite's fragments are cut by index/text.py, Elasticsearch's by its highlighter.
"""

from __future__ import annotations

import pytest

from lurewatch.graphemes import _boundaries, at_or_after, at_or_before, clip
from lurewatch.index.base import open_index
from lurewatch.index.query import HIGHLIGHT_POST, HIGHLIGHT_PRE, Query
from lurewatch.index.text import fragment
from lurewatch.records import Finding
from lurewatch.settings import Settings

# Lines of ads in each script, built on consonants carrying vowel and tone marks, Khmer coeng and Burmese
# virama stacks: almost every offset of these strings falls inside a cluster.
THAI = "รับสมัครพนักงานคีย์ข้อมูล ทำงานที่กัมพูชา เงินเดือนสูง ไม่ต้องมีประสบการณ์ ที่พักฟรี ติดต่อด่วน "
BURMESE = "စာရိုက်ဝန်ထမ်း အမြန်ခေါ်ယူမည် မြဝတီ လစာကောင်း နေစရာအခမဲ့ ကုမ္ပဏီကကျခံ အတွေ့အကြုံမလိုပါ "
KHMER = "ត្រូវការបុគ្គលិកវាយអក្សរ ប្រាក់ខែខ្ពស់ ស្នាក់នៅឥតគិតថ្លៃ ក្រុមហ៊ុនចេញថ្លៃយន្តហោះ ទំនាក់ទំនងឥឡូវ "
ADS = {"th": (THAI * 6, "ข้อมูล"), "my": (BURMESE * 6, "မြဝတီ"), "km": (KHMER * 6, "ប្រាក់ខែខ្ពស់")}


def _unmarked(fragment_text: str) -> str:
    return fragment_text.replace(HIGHLIGHT_PRE, "").replace(HIGHLIGHT_POST, "").strip("…")


def test_cuts_fall_between_clusters_and_never_after_a_stacking_sign() -> None:
    word = "ក្រុម"  # ក + coeng + រ + vowel ុ, stacked as one; then ម
    assert _boundaries(word) == [0, 4, 5]  # no cut after ក (1) nor after its coeng (2)
    assert at_or_before("ទាំង", 2) == 0 and at_or_after("ទាំង", 1) == 3  # ទា + ំ stay together
    assert clip("ကုမ္ပဏီ", 3) == "ကု"  # not "ကုမ" with the virama's stacked ပ cut off
    assert clip("ไม่ต้อง", 2) == "ไ"  # "ไม" without its tone mark ่ would be another word
    for text in (THAI, BURMESE, KHMER):
        for width in range(5, 60, 7):
            cut = clip(text, width)
            assert text.startswith(cut) and len(cut) in _boundaries(text)


@pytest.mark.parametrize("language", sorted(ADS))
def test_sqlite_fragments_start_and_end_on_cluster_boundaries(language: str) -> None:
    text, word = ADS[language]
    for shift in range(0, 40, 3):
        shifted = text[shift:]
        marked = shifted.replace(word, HIGHLIGHT_PRE + word + HIGHLIGHT_POST)
        cut = _unmarked(fragment(marked, HIGHLIGHT_PRE, HIGHLIGHT_POST, width=61))
        start = shifted.find(cut)
        assert start >= 0 and {start, start + len(cut)} <= set(_boundaries(shifted)), (language, shift, cut[:8])


def test_search_snippets_on_both_backends_keep_every_cluster_whole(backend_settings: Settings) -> None:
    index = open_index(backend_settings)
    index.setup()
    findings = [
        Finding(posting_id=f"snip-{language}", source="demo", source_kind="board", url=f"https://jobs.example/{language}",
                canonical_url=f"https://jobs.example/{language}", fetched_at="2026-11-20T00:00:00+00:00", run_id="r",
                title=f"ad in {language}", text=text[:200] + " Telegram @hr_desk " + text[200:], language=language)
        for language, (text, _) in ADS.items()
    ]  # fmt: skip
    from lurewatch.segment import segment

    for finding in findings:
        finding.text_segmented = segment(finding.text)
    index.upsert(findings)
    if hasattr(index, "refresh"):
        index.refresh()
    try:
        for finding in findings:
            # A Latin word in the middle of the script: both engines highlight it and cut the script around it.
            result = index.search(Query("telegram", highlight=True, size=5, facets=()))
            hit = next(h for h in result.hits if h.posting_id == finding.posting_id)
            assert hit.highlights, f"no snippet for {finding.language}"
            for snippet in hit.highlights:
                cut = _unmarked(snippet)
                start = finding.text.find(cut)
                assert start >= 0, (finding.language, cut[:20])
                assert {start, start + len(cut)} <= set(_boundaries(finding.text)), (finding.language, cut[:8], cut[-8:])
    finally:
        index.close()


def test_cuts_found_in_a_window_are_the_cuts_of_the_whole_text() -> None:
    """at_or_before / at_or_after read only a window around the offset; they must agree with the whole text's
    cuts whatever surrounds it: stacked Khmer and Burmese, Thai marks, ZWJ emoji, flags, Hangul jamo, a
    prepended Arabic sign, CR LF."""
    import random

    alphabet = [*"ab c\n\r,.", "\u0e01", "\u0e31", "\u0e48", "\u1780", "\u17d2", "\u1781", "\u1000", "\u1039",
                "\u1001", "\u200d", "\U0001f468", "\u0301", "\u0600", "\U0001f1f9", "\U0001f1ed", "가", "\u1100",
                "\u1161"]  # fmt: skip
    rng = random.Random(7)
    for _ in range(600):
        text = "".join(rng.choice(alphabet) for _ in range(rng.randint(0, 700)))
        cuts = _boundaries(text)
        for offset in rng.sample(range(len(text) + 1), min(len(text) + 1, 12)):
            assert at_or_before(text, offset) == max(c for c in cuts if c <= offset)
            assert at_or_after(text, offset) == min((c for c in cuts if c >= offset), default=len(text))
