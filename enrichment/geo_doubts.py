"""Reasons to doubt that a gazetteer hit in running text is a place (each raises the score it needs).

These decide on the ad path (no NER, every language). On the NER path (English news) a span model learned
from annotated news decides instead (``geo_accept``); it reads the same kinds of signal, with learned weights.

Most rules came from reading errors on annotated news (TR-News and GeoVirus, see ``bench/geoparse_eval.py``):
sentence-initial and shouting words, names NER or "X said" mark as persons, two-letter names, English words
that are also town names, and the size of each penalty. The discount for a town NER calls a person, when the
text names its country and region and the country has no other town of that name, also came from reading
errors ("the Cairns suburbs").

Two general rules cover whole classes rather than cases: calendar words (month and weekday names, full and
abbreviated, in every language the ads are written in, taken from ICU's locale data rather than listed by
hand) are not places, least of all next to a number ("15 Nov 2026"); and a short all-capital word read as a
town ("SAP", "ERP", "NGO") needs support from the rest of the text (its country named, a phone of that
country), since acronyms outnumber towns written in capitals.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

import icu
import yaml

from lurewatch.enrichment.gazetteer import CITY, CONTINENT, COUNTRY, REGION, Place, name_key
from lurewatch.enrichment.geo_spans import Mention

PLACE_NAMES_FILE = Path(__file__).parent / "data" / "place_names.yml"


@lru_cache(maxsize=1)
def common_words() -> frozenset[str]:
    """Capitalised English words that are also town names (place_names.yml)."""
    raw = yaml.safe_load(PLACE_NAMES_FILE.read_text(encoding="utf-8"))
    return frozenset(name_key(w) for w in raw["common_words"])


# Languages the ads and the news are written in: their calendar words come from ICU's locale data.
CALENDAR_LOCALES = ("en", "vi", "id", "ms", "fil", "th", "km", "lo", "my", "zh", "ja", "ko",
                    "fr", "es", "pt", "de", "it", "nl", "ru")  # fmt: skip
_DIGIT_NEAR = 4  # characters between a calendar word and a number that make it a date


@lru_cache(maxsize=1)
def calendar_words() -> frozenset[str]:
    """Month and weekday names, full and abbreviated (with and without the dot), in ``CALENDAR_LOCALES``."""
    words: set[str] = set()
    for code in CALENDAR_LOCALES:
        symbols = icu.DateFormatSymbols(icu.Locale(code))
        for names in (symbols.getMonths(), symbols.getShortMonths(), symbols.getWeekdays(),
                      symbols.getShortWeekdays()):  # fmt: skip
            for name in names:
                if name and not any(c.isdigit() for c in name):
                    words.update({name_key(name), name_key(name.rstrip("."))})
    words.discard("")
    return frozenset(words)


def near_number(text: str, start: int, end: int) -> bool:
    """A digit within a few characters on either side: "15 Nov 2026", "Mon, 3"."""
    return any(c.isdigit() for c in text[max(0, start - _DIGIT_NEAR) : start] + text[end : end + _DIGIT_NEAR])


@dataclass
class Options:
    ner_used: bool = False
    demonym_spans: bool = False  # report nationality words as place mentions (some corpora annotate them)


def count_doubts(
    m: Mention,
    place: Place,
    supported: bool,
    named_person: bool,
    blocked: Sequence[tuple[int, int, str]],
    options: Options,
    proper: set[int] | None,
    strong: bool = False,
    text: str = "",
) -> int:
    """Reasons to doubt that a gazetteer hit is a place; each one raises the score it needs."""
    doubts = 0
    town = place.kind not in (COUNTRY, CONTINENT, REGION)
    single = " " not in m.text
    if m.key in common_words():
        doubts += 3 if not supported else 2
    if single and m.key in calendar_words():
        doubts += 8 if near_number(text, m.start, m.end) else 4
    if town and single and m.text.isupper() and 2 <= len(m.text) <= 5 and not supported:
        doubts += 3
    inside = [label for a, b, label in blocked if a <= m.start < b]
    if town and named_person and not (strong and "PERSON" in inside):
        doubts += 2  # a person's name somewhere in the document (NER says so, or "Mr X", "X said")
    if town and len(m.text) <= 2:
        doubts += 3  # "Ba", "We": two letters are rarely a town's name as written
    if m.shouting:
        doubts += 1
    if len(m.text) <= 3 and m.text.isupper() and (m.shouting or m.in_run):
        doubts += 4  # "CONTACT US NOW", "Contact US": the pronoun, not the country
    if town and m.sentence_start and single:
        doubts += 1
    if town and m.in_run and m.finder == "scan":
        doubts += 1
    if m.after_title:
        doubts += 3
    if inside:
        doubts += 2 if town and "PERSON" in inside else 1 if town else 0
    elif options.ner_used and town and single and m.finder == "scan":
        doubts += 1  # NER saw no place here
    if proper is not None and m.finder == "scan" and m.start not in proper and not m.text.isupper():
        doubts += 1
    if m.finder == "script" and place.kind == CITY and place.population < 15000 and not supported:
        doubts += 1
    if m.finder == "script" and len(m.text) <= 3 and m.text[0] < "\u3000" and not supported:
        doubts += 1  # a short Thai/Lao/Khmer/Burmese name is often an ordinary word (Han names are short)
    if m.after_preposition:
        doubts -= 1
    return max(doubts, 0)
