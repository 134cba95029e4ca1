"""Decide which mentions are places and which place each one is, from the rest of the document.

Each name is resolved once per document. Context is gathered per name, so a name never supports itself:
countries and first-level regions named elsewhere in the text, nationality words, countries given by phones
or domains, "Town, Region" pairs (not a list "A, B, C"). The candidate ranker (``geo_rank``, learned weights)
then picks each name's place in two passes, the second seeing the places chosen for the other names.

Whether a name is a place at all: on the NER path (English news), a learned span model (``geo_accept``)
judges each mention; on the ad path (no NER, every language), a name found only by the gazetteer scan must
clear a hand-set bar (``ACCEPT`` plus ``PENALTY`` per reason for doubt, ``geo_doubts``), and once a name is
accepted, all its mentions are.

Which rules came from reading errors on annotated news (TR-News and GeoVirus, ``bench/geoparse_eval.py``):
the "Town, Region" pairs and their list exception ("Norway, Sweden" lists had turned countries into towns),
nationality words resolving to their country ("Canadian" is not Canadian, Texas), the nearness feature
("Edmonton" beside "Enfield"), the hand-set weights and bar (``geo_rank.HAND``, ``ACCEPT``, ``PENALTY``,
``STRONG``). Learned, and measured on articles not fitted on: the ranker's weights and the span model.
None looks up a document or names a benchmark place.
"""

from __future__ import annotations

from collections import Counter, defaultdict
from collections.abc import Collection, Sequence
from dataclasses import dataclass

from lurewatch.enrichment.gazetteer import CITY, CONTINENT, COUNTRY, REGION, Gazetteer, Place
from lurewatch.enrichment.geo_accept import GeoWeights, Trace, learned_weights, span_features
from lurewatch.enrichment.geo_compounds import Compound, CompoundMention
from lurewatch.enrichment.geo_doubts import Options, count_doubts
from lurewatch.enrichment.geo_rank import (
    HAND,
    TOWNS,
    RankContext,
    Ranker,
    base_features,
    context_part,
    features,
    others_of,
)
from lurewatch.enrichment.geo_spans import Mention

ACCEPT = 2.4  # hand-set score a scan-only name needs
PENALTY = 1.5  # added to ACCEPT per reason for doubt
STRONG = 4.0  # context enough to discount NER calling a town a person (see count_doubts)
SUPPORTED = 2.0  # context enough to lift some doubts


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


def pick_best(ctx: RankContext, keys: Collection[str], ranker: Ranker) -> dict[str, tuple[Place, float]]:
    """Best place per name and its margin over the runner-up (a name with one candidate needs no scoring)."""
    best: dict[str, tuple[Place, float]] = {}
    for key, places in ctx.candidates.items():
        if not places or key not in keys:
            continue
        if len(places) == 1:
            best[key] = (places[0], 2.0)
            continue
        others = others_of(key, ctx) if ctx.anchors else ([], [])
        scored = sorted(((ranker.score(features(p, key, ctx, others)), p) for p in places), key=lambda sp: -sp[0])
        best[key] = (scored[0][1], scored[0][0] - scored[1][0])
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
    weights: GeoWeights | None = None,
    trace: Trace | None = None,
) -> list[Resolved]:
    """The accepted place mentions of one document, each resolved to a place or a compound.

    ``weights`` default to the learned ones; ``trace`` collects what the fit needs (``bench/fit_geo_ranker.py``)."""
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
    for given in country_by_key.values():
        for cc, w in given.items():
            totals[cc] += min(w, 2.0)
    all_regions: Counter[tuple[str | None, str | None]] = Counter()
    for named_regions in region_by_key.values():
        all_regions.update(named_regions)

    chosen_keys = {m.key for m in chosen}
    pairs: dict[str, set[tuple[str, bool]]] = defaultdict(set)
    for i, (a, b) in enumerate(zip(chosen, chosen[1:], strict=False)):
        after = chosen[i + 2].start if i + 2 < len(chosen) else b.end
        listed = (i and text[chosen[i - 1].end : a.start] == ", ") or text[b.end : after] == ", "
        if text[a.end : b.start] == ", " and a.key != b.key and not listed:  # not a list "A, B, C"
            pairs[a.key].add((b.key, False))
            pairs[b.key].add((a.key, True))
    model = weights or learned_weights()
    ranker = model.ranker
    ctx = RankContext(candidates, country_by_key, totals, region_by_key, all_regions, signal_countries, pairs)
    best = pick_best(ctx, chosen_keys, ranker)
    # Second pass: the places chosen for the other names ("Edmonton" next to "Enfield" is in London).
    ctx.anchors = {k: v[0] for k, v in best.items() if v[0].kind != CONTINENT}
    if len(ctx.anchors) > 1:  # with one, no name has another's place to go by
        ctx.near_anchors = sum(p.kind in TOWNS for p in ctx.anchors.values()) > 1
        best = pick_best(ctx, chosen_keys, ranker)
    if trace is not None:
        for key in sorted(chosen_keys & best.keys()):  # a fixed order: the fit is reproducible
            spans = [(m.start, m.end) for m in chosen if m.key == key]
            trace.names.append((key, spans, [(p, features(p, key, ctx)) for p in candidates[key]]))

    accepted: set[str] = set()
    persons = [(a, b) for a, b, label in blocked if label == "PERSON"]
    person_keys = {m.key for m in chosen if any(a <= m.start < b for a, b in persons)}
    if not options.ner_used:  # with NER, its own PERSON tags do better
        # A name that follows another capitalised word ("Christopher Steele") or comes before "said"
        # somewhere in the text is probably a person's everywhere in it.
        person_keys |= {
            m.key for m in chosen if m.before_speech or (m.in_run and m.finder == "scan" and not m.sentence_start)
        }
    learned = model.spans if options.ner_used else None
    for m in chosen:
        if m.key not in best:
            continue
        place = best[m.key][0]
        f = base_features(place, m.key, ctx)  # whether it is a place at all does not depend on its neighbours
        if m.finder == "demonym" or (m.key in demonym_of and m.finder != "ner"):
            # a nationality word is context, and a place mention only where the corpus says so
            if options.demonym_spans and not plural(m.text, gazetteer):
                accepted.add(m.key)
            continue
        if m.finder == "ner":  # NER's places are kept (its precision is high); the model judges the scan's
            accepted.add(m.key)
            continue
        if options.ner_used and m.finder == "scan" and (learned is not None or trace is not None):
            around = [(label, b - a > m.end - m.start) for a, b, label in blocked if a <= m.start < b]
            g = span_features(
                m, place, len(candidates[m.key]), context_part(HAND, f), around, m.key in person_keys, proper
            )
            if trace is not None:
                trace.spans.append((m.start, m.end, g))
            if learned is not None:
                if learned.score(g) > 0:  # probability above one half
                    accepted.add(m.key)
                continue
        s = HAND.score(f)
        context = context_part(HAND, f)
        supported = context >= SUPPORTED
        strong = context >= STRONG  # its country and region named
        strong = strong and sum(p.country == place.country for p in candidates[m.key]) == 1  # not "Clinton"
        doubts = count_doubts(m, place, supported, m.key in person_keys, blocked, options, proper, strong, text)
        if s >= ACCEPT + PENALTY * doubts:
            accepted.add(m.key)

    resolved = [Resolved(c.start, c.end, c.text, None, c.compound, "compound", 0.9) for c in compounds]
    for m in chosen:
        if m.key in accepted and m.key in best:
            place, margin = best[m.key]
            if m.key in demonym_of and demonym_of[m.key] in gazetteer.countries:
                place = gazetteer.countries[demonym_of[m.key]]  # "Canadian" is Canada, not Canadian, Texas
            base = {"ner": 0.85, "script": 0.8, "scan": 0.7, "demonym": 0.6}[m.finder]
            confidence = round(base * (0.6 + 0.4 * min(1.0, margin / 2.0)), 3)
            resolved.append(Resolved(m.start, m.end, m.text, place, None, m.finder, confidence))
    return sorted(resolved, key=lambda r: r.start)
