"""Rank the candidate places of a name: a linear score over general features of each candidate.

Each candidate of a name gets a feature vector (``FEATURES``): its size (log population), its kind, whether
the name is its own or an alternate one, the countries and regions named elsewhere in the text (never by the
name itself), countries given by phones and domains, its nearness to and its country and region shared with
the places chosen for the text's other names, and its fit in a "Town, Region" pair. The best candidate is the
one with the highest weighted sum.

The weights are learned (``data/geo_ranker.json``, re-fitted by ``bench/fit_geo_ranker.py``: a conditional
logit over the candidates of each annotated name, where the candidates within 161 km of the annotated point
are the right ones). ``HAND`` keeps the hand-set weights the ranker replaced: on the ad path (no NER) they
still decide whether a name found only by the gazetteer scan is a place at all (``geo_resolve``), and the
benchmark prints them beside the learned ones. The features are general; which of them exist at all came partly from reading errors on
annotated news (nearness to the text's other towns, "Town, Region" pairs).
"""

from __future__ import annotations

import json
import math
import operator
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import Path

from lurewatch.enrichment.gazetteer import CITY, CONTINENT, COUNTRY, REGION, SUBREGION, Place, name_key
from lurewatch.geo import distance_km

WEIGHTS_FILE = Path(__file__).parent / "data" / "geo_ranker.json"
FEATURES = (
    "log_population",  # log10(population + 1) / 2; regions count their towns
    "kind_country",
    "kind_continent",
    "kind_region",
    "kind_subregion",
    "own_name",  # the name is the place's own, not one of its alternate names
    "own_name_big_city",  # ... and it is a town of a million or more
    "country_named",  # its country is named (or implied) by the text's other names, at most 1
    "country_signal",  # a phone or domain of its country
    "region_named_own_name",  # its first-level region is named elsewhere, and the name is its own
    "region_named_alt_name",  # ... and the name is an alternate one
    "near_town",  # within NEAR_KM of a town chosen for another name
    "pair_fit",  # "Town, Region": lies in, or holds, a candidate of its partner
    "anchor_country",  # share of the other names' chosen places that are in its country
    "anchor_admin1",  # one of the other names' chosen places is in its first-level region
    "closeness",  # 1 - log10(1 + km to the nearest other chosen town) / 4, at least 0
)
NEAR_KM = 150.0  # a town this close to another town named in the text is probably the one meant
PROMINENT = 1_000_000
HOLDERS = (COUNTRY, REGION, SUBREGION)
TOWNS = (CITY, SUBREGION)


@dataclass(frozen=True)
class Ranker:
    """Weights, one per name in ``FEATURES``."""

    weights: tuple[float, ...]

    @classmethod
    def from_mapping(cls, weights: Mapping[str, float]) -> Ranker:
        unknown = set(weights) - set(FEATURES)
        if unknown:
            raise ValueError(f"unknown ranker features: {sorted(unknown)}")
        return cls(tuple(float(weights.get(name, 0.0)) for name in FEATURES))

    def as_mapping(self) -> dict[str, float]:
        return dict(zip(FEATURES, self.weights, strict=True))

    def score(self, features: Sequence[float]) -> float:
        return float(sum(map(operator.mul, self.weights, features)))


# The weights picked by hand while reading errors on TR-News and GeoVirus (kept for acceptance and comparison).
HAND = Ranker.from_mapping(
    {
        "log_population": 1.0, "kind_country": 2.0, "kind_continent": 2.0, "kind_region": 0.5,
        "own_name": 1.5, "own_name_big_city": 1.5, "country_named": 2.5, "country_signal": 1.0,
        "region_named_own_name": 1.5, "region_named_alt_name": 0.375, "near_town": 1.5, "pair_fit": 2.0,
    }
)  # fmt: skip
CONTEXT = frozenset(("country_named", "country_signal", "region_named_own_name", "region_named_alt_name"))


@lru_cache(maxsize=1)
def learned_ranker() -> Ranker:
    """The shipped weights (``data/geo_ranker.json``)."""
    data = json.loads(WEIGHTS_FILE.read_text(encoding="utf-8"))
    return Ranker.from_mapping(data["weights"])


def inside(small: Place, big: Place) -> bool:
    """``small`` lies in ``big`` (its country, its region) or near it."""
    if small.country != big.country or small.idx == big.idx:
        return False
    if big.kind == COUNTRY or (big.kind == REGION and small.admin1 == big.admin1):
        return True
    return distance_km(small.lat, small.lon, big.lat, big.lon) <= NEAR_KM


@dataclass
class RankContext:
    """What the rest of one document says, as the features need it."""

    candidates: dict[str, list[Place]]
    country_by_key: Mapping[str, Mapping[str | None, float]]  # countries each name gives (weights)
    country_totals: Mapping[str | None, float]
    region_by_key: Mapping[str, set[tuple[str | None, str | None]]]
    all_regions: Mapping[tuple[str | None, str | None], int]
    signal_countries: Mapping[str, int]
    pairs: Mapping[str, set[tuple[str, bool]]] = field(default_factory=dict)
    anchors: dict[str, Place] = field(default_factory=dict)  # the place chosen for each name so far
    near_anchors: bool = False  # at least two names have a town chosen (the nearness features apply)
    base: dict[tuple[str, int], list[float]] = field(default_factory=dict)  # base_features, per name and place


def base_features(place: Place, key: str, ctx: RankContext) -> list[float]:
    """The features that need no other name's chosen place (the rest are 0); computed once per document."""
    cached = ctx.base.get((key, place.idx))
    if cached is None:
        cached = ctx.base[(key, place.idx)] = _base_features(place, key, ctx)
    return cached


def _base_features(place: Place, key: str, ctx: RankContext) -> list[float]:
    own_name = name_key(place.name) == key
    f = [0.0] * len(FEATURES)
    f[0] = math.log10(place.population + 1) / 2
    f[1] = place.kind == COUNTRY
    f[2] = place.kind == CONTINENT
    f[3] = place.kind == REGION
    f[4] = place.kind == SUBREGION
    f[5] = own_name
    f[6] = own_name and place.kind == CITY and place.population >= PROMINENT
    if place.country:
        own = ctx.country_by_key.get(key, {})
        support = ctx.country_totals.get(place.country, 0.0) - min(own.get(place.country, 0.0), 2.0)
        f[7] = min(support, 1.0)
        f[8] = min(ctx.signal_countries.get(place.country, 0), 1)
        region = (place.country, place.admin1)
        if place.kind != REGION and region in ctx.all_regions and region not in ctx.region_by_key.get(key, ()):
            f[9 if own_name else 10] = 1.0
    return f


def others_of(key: str, ctx: RankContext) -> tuple[list[Place], list[Place]]:
    """The places chosen for the other names of the text, and those of them that are towns."""
    others = [a for k, a in ctx.anchors.items() if k != key]
    return others, [a for a in others if a.kind in TOWNS]


def features(
    place: Place, key: str, ctx: RankContext, others: tuple[list[Place], list[Place]] | None = None
) -> list[float]:
    """All features of one candidate of name ``key`` (``others``: ``others_of(key, ctx)``, if known)."""
    base = base_features(place, key, ctx)
    many = len(ctx.candidates.get(key, ())) > 1
    chosen, towns = (others or others_of(key, ctx)) if many and ctx.anchors else ([], [])
    if not chosen and not (many and key in ctx.pairs):
        return base
    f = list(base)
    if chosen:
        if towns and place.kind in TOWNS:
            nearest = min(distance_km(place.lat, place.lon, a.lat, a.lon) for a in towns)
            f[11] = ctx.near_anchors and nearest <= NEAR_KM
            f[15] = max(0.0, 1 - math.log10(1 + nearest) / 4)
        f[13] = sum(a.country == place.country for a in chosen) / len(chosen)
        f[14] = any(a.country == place.country and a.admin1 == place.admin1 and a.kind != COUNTRY for a in chosen)
    if many:
        for partner, holder in ctx.pairs.get(key, ()):  # holder: the "Region" of "Town, Region"
            if holder:
                fits = place.kind in HOLDERS and any(inside(q, place) for q in ctx.candidates.get(partner, ()))
            else:
                fits = any(inside(place, q) for q in ctx.candidates.get(partner, ()) if q.kind in HOLDERS)
            if fits:
                f[12] = 1.0
                break
    return f


_CONTEXT_AT = tuple(i for i, name in enumerate(FEATURES) if name in CONTEXT)


def context_part(ranker: Ranker, f: Sequence[float]) -> float:
    """The part of a score that the rest of the text gives (countries, regions, signals)."""
    return sum(ranker.weights[i] * f[i] for i in _CONTEXT_AT)
