"""Reasons to doubt that a gazetteer hit in running text is a place (each raises the score it needs).

Most rules came from reading errors on annotated news (see ``bench/geoparse_eval.py``): sentence-initial
and shouting words, names NER or "X said" mark as persons, two-letter names, English words that are
also town names. The discount for a town NER calls a person, when the text names its country and region and
the country has no other town of that name, also came from reading errors ("the Cairns suburbs").
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

import yaml

from lurewatch.enrichment.gazetteer import CITY, CONTINENT, COUNTRY, REGION, Place, name_key
from lurewatch.enrichment.geo_spans import Mention

PLACE_NAMES_FILE = Path(__file__).parent / "data" / "place_names.yml"


@lru_cache(maxsize=1)
def common_words() -> frozenset[str]:
    """Capitalised English words that are also town names (place_names.yml)."""
    raw = yaml.safe_load(PLACE_NAMES_FILE.read_text(encoding="utf-8"))
    return frozenset(name_key(w) for w in raw["common_words"])


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
) -> int:
    """Reasons to doubt that a gazetteer hit is a place; each one raises the score it needs."""
    doubts = 0
    town = place.kind not in (COUNTRY, CONTINENT, REGION)
    single = " " not in m.text
    if m.key in common_words():
        doubts += 3 if not supported else 2
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
