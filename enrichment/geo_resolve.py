"""Decide which mentions are places and which place each one is, from the rest of the document.

Each name is resolved once per document. Its candidates are scored by size (population, or the number of
towns of a region) plus document context: countries and first-level regions named elsewhere in the text
(never counting the name's own mentions), nationality words, and countries given by phones or domains.
A name found only by the gazetteer scan must clear a higher bar (``geo_doubts``); once a name is accepted,
all its mentions are. A second pass favours towns near the text's other towns, and in "Town, Region"
(not a list "A, B, C") each name favours the candidates that lie in, or hold, one of the other's.

Which rules came from reading errors on annotated news (``bench/geoparse_eval.py``): the nearness bonus
("Edmonton" beside "Enfield"), the "Town, Region" pairs (and their list exception: "Norway, Sweden" lists
had turned countries into towns), nationality words resolving to their country ("Canadian" is not
Canadian, Texas), and the weights. None looks up a document or names a benchmark place.
"""

from __future__ import annotations

import math
from collections import Counter, defaultdict
from collections.abc import Callable, Collection, Mapping, Sequence
from dataclasses import dataclass

from lurewatch.enrichment.gazetteer import (
    CITY,
    CONTINENT,
    COUNTRY,
    REGION,
    SUBREGION,
    Gazetteer,
    Place,
    name_key,
)
from lurewatch.enrichment.geo_compounds import Compound, CompoundMention
from lurewatch.enrichment.geo_doubts import Options, count_doubts
from lurewatch.enrichment.geo_spans import Mention
from lurewatch.geo import distance_km

ACCEPT = 2.4  # score a scan-only name needs
PENALTY = 1.5  # added to ACCEPT per reason for doubt
COUNTRY_CONTEXT = 2.5
REGION_CONTEXT = 1.5
SIGNAL_CONTEXT = 1.0
NEAR_KM = 150.0  # a town this close to another town named in the text is probably the one meant
NEAR_BONUS = 1.5
PAIR_BONUS = 2.0  # "Town, Region": each name narrows down the other
HOLDERS = (COUNTRY, REGION, SUBREGION)
STRONG = 4.0  # context enough to discount NER calling a town a person (see count_doubts)


@dataclass
class Resolved:
    """An accepted place mention."""

    start: int
    end: int
    text: str
    place: Place | None
    compound: Compound | None
    finder: str
    confidence: float

    @property
    def country(self) -> str | None:
        return self.compound.country if self.compound else (self.place.country if self.place else None)


PROMINENT = 1_000_000  # towns this big (and capitals) are what their bare name usually means
KIND_BONUS = {COUNTRY: 2.0, CONTINENT: 2.0, REGION: 0.5}
OWN_NAME = 1.5  # the name is the place's own, not one of its alternate names


def size_score(place: Place) -> float:
    """How likely a place is, before context: its size, and its kind."""
    return math.log10(place.population + 1) / 2 + KIND_BONUS.get(place.kind, 0.0)


def name_score(place: Place, key: str) -> float:
    """Bonus for a place called exactly ``key``; big towns get more, since their name is what people mean."""
    if name_key(place.name) != key:
        return 0.0
    return OWN_NAME + (1.5 if place.kind == CITY and place.population >= PROMINENT else 0.0)


def inside(small: Place, big: Place) -> bool:
    """``small`` lies in ``big`` (its country, its region) or near it."""
    if small.country != big.country or small.idx == big.idx:
        return False
    if big.kind == COUNTRY or (big.kind == REGION and small.admin1 == big.admin1):
        return True
    return distance_km(small.lat, small.lon, big.lat, big.lon) <= NEAR_KM


def pick_best(
    candidates: dict[str, list[Place]],
    keys: Collection[str],
    score: Callable[[Place, str], float],
    anchors: dict[str, Place],
    pairs: dict[str, set[tuple[str, bool]]] = {},  # noqa: B006
) -> dict[str, tuple[Place, float, float]]:
    """Best place per name, its score and its margin over the runner-up; ``anchors`` add the nearness bonus,
    ``pairs`` ("Clacton, Essex") the bonus for a place that lies in, or holds, one its partner may be."""
    best: dict[str, tuple[Place, float, float]] = {}
    for key, places in candidates.items():
        if not places or key not in keys:
            continue
        others = [a for k, a in anchors.items() if k != key]

        def total(place: Place, key: str = key, others: list[Place] = others, many: bool = len(places) > 1) -> float:
            s = score(place, key)
            if others and many and place.kind in (CITY, SUBREGION):
                if any(distance_km(place.lat, place.lon, a.lat, a.lon) <= NEAR_KM for a in others):
                    s += NEAR_BONUS
            for k, holder in pairs.get(key, ()):  # holder: the "Region" of "Town, Region"
                if holder:
                    qs = candidates.get(k, ()) if place.kind in HOLDERS else ()
                    fits = any(inside(q, place) for q in qs)
                else:
                    fits = any(inside(place, q) for q in candidates.get(k, ()) if q.kind in HOLDERS)
                if many and fits:
                    s += PAIR_BONUS
                    break
            return s

        scored = sorted(((total(p), p) for p in places), key=lambda sp: -sp[0])
        margin = scored[0][0] - scored[1][0] if len(scored) > 1 else 2.0
        best[key] = (scored[0][1], scored[0][0], margin)
    return best


def plural(word: str, gazetteer: Gazetteer) -> bool:
    """ "Thais", "Americans": people, not an adjective standing for the country."""
    return word.endswith("s") and gazetteer.demonym_country(word[:-1]) is not None


def choose_spans(
    mentions: list[Mention], compounds: list[CompoundMention], candidates: dict[str, list[Place]]
) -> list[Mention]:
    """Non-overlapping spans: compounds first, then the longest names, NER's before the scan's."""
    rank = {"ner": 1, "scan": 2, "script": 2, "demonym": 3}
    ordered = sorted(
        (m for m in mentions if candidates.get(m.key) or m.finder == "demonym"),
        key=lambda m: (m.finder == "demonym", -(m.end - m.start), rank[m.finder], m.start),
    )
    size = max([m.end for m in mentions] + [c.end for c in compounds] + [0])
    taken = bytearray(size)  # characters already covered: linear, however many mentions
    for c in compounds:
        taken[c.start : c.end] = b"\x01" * (c.end - c.start)
    chosen = []
    for m in ordered:
        if not any(taken[m.start : m.end]):
            taken[m.start : m.end] = b"\x01" * (m.end - m.start)
            chosen.append(m)
    return sorted(chosen, key=lambda m: m.start)


def resolve(
    mentions: list[Mention],
    compounds: list[CompoundMention],
    gazetteer: Gazetteer,
    signal_countries: Counter[str],
    options: Options,
    blocked: Sequence[tuple[int, int, str]] = (),
    proper: set[int] | None = None,
    text: str = "",
) -> list[Resolved]:
    """The accepted place mentions of one document, each resolved to a place or a compound."""
    candidates: dict[str, list[Place]] = {}
    demonym_of: dict[str, str] = {}
    for m in mentions:
        if m.key not in candidates:
            candidates[m.key] = gazetteer.lookup(m.text)
            cc = gazetteer.demonym_country(m.text)
            if cc:
                demonym_of[m.key] = cc
                if cc in gazetteer.countries and m.finder == "demonym":
                    candidates[m.key] = [gazetteer.countries[cc]]
            elif m.finder == "demonym" and (continent := gazetteer.demonym_continent(m.text)):
                candidates[m.key] = [continent]  # "European": Europe, reported only where demonyms are
    chosen = choose_spans(mentions, compounds, candidates)
    # Context that each name gives: countries and regions, per name so a name never supports itself.
    # Weights are floats (a region alone counts half); a missing country weighs 0.
    country_by_key: dict[str, defaultdict[str | None, float]] = defaultdict(lambda: defaultdict(float))
    region_by_key: dict[str, set[tuple[str | None, str | None]]] = defaultdict(set)
    for m in chosen:
        places = candidates.get(m.key, [])
        countries = {p.country for p in places if p.kind == COUNTRY}
        if m.key in demonym_of:
            countries.add(demonym_of[m.key])
        regions = [p for p in places if p.kind == REGION]
        for cc in countries:
            country_by_key[m.key][cc] += 1.0
        for p in regions:
            region_by_key[m.key].add((p.country, p.admin1))
            if len(regions) == 1 and not countries:
                country_by_key[m.key][p.country] += 0.5
        big = [p for p in places if p.kind == CITY and p.population >= 100000]
        if len(big) == 1 and not countries and not regions:
            country_by_key[m.key][big[0].country] += 0.5
    for c in compounds:
        country_by_key["\x00" + c.compound.name][c.compound.country] += 1.0
    totals: defaultdict[str | None, float] = defaultdict(float)
    for weights in country_by_key.values():
        for cc, w in weights.items():
            totals[cc] += min(w, 2.0)
    all_regions: Counter[tuple[str | None, str | None]] = Counter()
    for named_regions in region_by_key.values():
        all_regions.update(named_regions)

    def score(place: Place, key: str) -> float:
        own: Mapping[str | None, float] = country_by_key.get(key, {})
        named = name_score(place, key)
        s = size_score(place) + named
        if place.country:
            support = totals.get(place.country, 0.0) - min(own.get(place.country, 0.0), 2.0)
            s += COUNTRY_CONTEXT * min(support, 1.0) + SIGNAL_CONTEXT * min(signal_countries[place.country], 1)
            if place.kind != REGION and (place.country, place.admin1) in all_regions:
                if (place.country, place.admin1) not in region_by_key.get(key, set()):
                    s += REGION_CONTEXT if named else REGION_CONTEXT / 4
        return s

    chosen_keys = {m.key for m in chosen}
    pairs: dict[str, set[tuple[str, bool]]] = defaultdict(set)
    for i, (a, b) in enumerate(zip(chosen, chosen[1:], strict=False)):
        after = chosen[i + 2].start if i + 2 < len(chosen) else b.end
        listed = (i and text[chosen[i - 1].end : a.start] == ", ") or text[b.end : after] == ", "
        if text[a.end : b.start] == ", " and a.key != b.key and not listed:  # not a list "A, B, C"
            pairs[a.key].add((b.key, False))
            pairs[b.key].add((a.key, True))
    best = pick_best(candidates, chosen_keys, score, anchors={}, pairs=pairs)
    # Second pass: towns near the other towns of the text win ("Edmonton" next to "Enfield" is in London).
    anchors = {k: v[0] for k, v in best.items() if k in chosen_keys and v[0].kind in (CITY, SUBREGION)}
    if len(anchors) > 1:
        best = pick_best(candidates, chosen_keys, score, anchors, pairs)

    accepted: set[str] = set()
    persons = [(a, b) for a, b, label in blocked if label == "PERSON"]
    person_keys = {m.key for m in chosen if any(a <= m.start < b for a, b in persons)}
    if not options.ner_used:  # with NER, its own PERSON tags do better
        # A name that follows another capitalised word ("Christopher Steele") or comes before "said"
        # somewhere in the text is probably a person's everywhere in it.
        person_keys |= {
            m.key for m in chosen if m.before_speech or (m.in_run and m.finder == "scan" and not m.sentence_start)
        }
    for m in chosen:
        if m.key not in best:
            continue
        place = best[m.key][0]
        s = score(place, m.key)  # whether it is a place at all does not depend on its neighbours
        if m.finder == "ner" or (m.finder == "demonym" and options.demonym_spans and not plural(m.text, gazetteer)):
            accepted.add(m.key)
            continue
        if m.finder == "demonym" or m.key in demonym_of:
            # a nationality word is context, and a place mention only where the corpus says so
            if options.demonym_spans and not plural(m.text, gazetteer):
                accepted.add(m.key)
            continue
        supported = s - size_score(place) - name_score(place, m.key) >= 2.0
        strong = s - size_score(place) - name_score(place, m.key) >= STRONG  # its country and region named
        strong = strong and sum(p.country == place.country for p in candidates[m.key]) == 1  # not "Clinton"
        doubts = count_doubts(m, place, supported, m.key in person_keys, blocked, options, proper, strong, text)
        if s >= ACCEPT + PENALTY * doubts:
            accepted.add(m.key)

    resolved = [Resolved(c.start, c.end, c.text, None, c.compound, "compound", 0.9) for c in compounds]
    for m in chosen:
        if m.key in accepted and m.key in best:
            place, s, margin = best[m.key]
            if m.key in demonym_of and demonym_of[m.key] in gazetteer.countries:
                place = gazetteer.countries[demonym_of[m.key]]  # "Canadian" is Canada, not Canadian, Texas
            base = {"ner": 0.85, "script": 0.8, "scan": 0.7, "demonym": 0.6}[m.finder]
            confidence = round(base * (0.6 + 0.4 * min(1.0, margin / 2.0)), 3)
            resolved.append(Resolved(m.start, m.end, m.text, place, None, m.finder, confidence))
    return sorted(resolved, key=lambda r: r.start)
