"""Geolocate a posting: places named in its text, known compounds, phone countries, domains, photo GPS.

``geolocate`` is what the enrichment pipeline calls; ``geoparse`` returns the place mentions of a text
with offsets (the ``lurewatch geoparse`` command and the benchmark use it).
"""

from __future__ import annotations

from collections import Counter, defaultdict
from dataclasses import dataclass, field

from lurewatch.enrichment.gazetteer import CITY, COUNTRY, REGION, SUBREGION, Gazetteer, load_gazetteer
from lurewatch.enrichment.geo_accept import GeoWeights, Trace
from lurewatch.enrichment.geo_compounds import find_compounds
from lurewatch.enrichment.geo_doubts import Options
from lurewatch.enrichment.geo_resolve import Resolved, resolve
from lurewatch.enrichment.geo_signals import domain_country, phone_country, valid_point
from lurewatch.enrichment.geo_spans import ner_mentions, scan_latin, scan_local_scripts
from lurewatch.geo import distance_km
from lurewatch.records import Location

__all__ = ["GeoResult", "geolocate", "geoparse"]

# Which location becomes the posting's point: the most specific evidence first.
SPECIFICITY = {"compound": 6, "hub": 5, "exif": 4, CITY: 3, SUBREGION: 2, REGION: 2, COUNTRY: 1}
EXIF_MATCH_KM = 50.0
# How much one mention counts when the evidence disagrees on the country: text places count 1 + their
# specificity (a country 2, a town 4, a hub 6, a named compound 7), so the place an ad sends people to
# usually outweighs the towns it passes through; a known transit town counts 1, a phone or a domain little.
VOTE_WEIGHT = {"exif": 5.0, "phone": 0.5, "tld": 0.3}


@dataclass
class GeoResult:
    """Where a posting points to: every location found, the primary point, its country and compound."""

    locations: list[Location] = field(default_factory=list)
    geo: dict[str, float] | None = None
    country: str | None = None
    compound: str | None = None


def geoparse(
    text: str,
    *,
    ner: bool = False,
    demonym_spans: bool = False,
    signal_countries: Counter[str] | None = None,
    gazetteer: Gazetteer | None = None,
    weights: GeoWeights | None = None,
    trace: Trace | None = None,
) -> list[Resolved]:
    """Place mentions of ``text`` with character offsets, each resolved to a place or a known compound.

    ``weights`` override the learned ones (the benchmark compares weight sets); ``trace`` collects the features
    that ``bench/fit_geo_ranker.py`` fits them on."""
    gazetteer = gazetteer or load_gazetteer()
    mentions = scan_latin(text, gazetteer) + scan_local_scripts(text, gazetteer)
    blocked: list[tuple[int, int, str]] = []
    proper: set[int] | None = None
    if ner:
        places, blocked, proper = ner_mentions(text)
        mentions = places + mentions
    options = Options(ner_used=ner, demonym_spans=demonym_spans)
    return resolve(
        mentions, find_compounds(text), gazetteer, signal_countries or Counter(), options, blocked, proper, text,
        weights, trace,
    )  # fmt: skip


def geolocate(
    text: str,
    language: str = "",
    phones: list[str] | None = None,
    domains: list[str] | None = None,
    exif_points: list[tuple[float, float]] | None = None,
    *,
    ner: bool = False,
) -> GeoResult:
    """All location evidence of one posting, merged; ``ner`` adds spaCy NER for English text (slower)."""
    gazetteer = load_gazetteer()
    signals: Counter[str] = Counter()
    phone_ccs = [cc for cc in (phone_country(p) for p in phones or []) if cc]
    tld_ccs = [cc for cc in (domain_country(d) for d in domains or []) if cc]
    signals.update(phone_ccs)
    signals.update(tld_ccs)
    mentions = geoparse(text, ner=ner and language.startswith("en"), signal_countries=signals, gazetteer=gazetteer)
    located: dict[tuple[str, str | None], tuple[Location, int, int]] = {}  # key → (location, mentions, rank)
    for m in mentions:
        if m.compound:
            c = m.compound
            loc = Location(c.name, c.country, c.area, c.lat, c.lon, None, "compound", m.confidence)
            rank = SPECIFICITY.get(c.kind, SPECIFICITY[CITY])
        else:
            p = m.place
            assert p is not None  # a resolved mention is a compound or a place
            loc = Location(p.name, p.country, p.admin1, p.lat, p.lon, p.geonameid, "text", m.confidence)
            rank = SPECIFICITY.get(p.kind, 0)
        key = (loc.name, loc.country)
        old = located.get(key)
        count = (old[1] if old else 0) + 1
        if old and old[0].confidence >= loc.confidence:
            loc = old[0]
        located[key] = (loc, count, rank)
    for point in exif_points or []:
        if valid_point(point):
            near = [v[0] for v in located.values() if v[0].lat is not None and v[0].lon is not None and
                    distance_km(point[0], point[1], v[0].lat, v[0].lon) <= EXIF_MATCH_KM]  # fmt: skip
            country = near[0].country if near else None
            loc = Location("photo GPS", country, None, point[0], point[1], None, "exif", 0.9)
            located[("exif", f"{point[0]:.5f},{point[1]:.5f}")] = (loc, 1, SPECIFICITY["exif"])
    for cc, source, confidence in [(cc, "phone", 0.5) for cc in phone_ccs] + [(cc, "tld", 0.4) for cc in tld_ccs]:
        place = gazetteer.countries.get(cc)
        if place is not None and (f"{source}:{cc}", cc) not in located:
            loc = Location(place.name, cc, None, place.lat, place.lon, place.geonameid, source, confidence)
            located[(f"{source}:{cc}", cc)] = (loc, 1, 0)
    transit = frozenset(m.compound.name for m in mentions if m.compound and m.compound.kind == "transit")
    return summarise(located, transit)


def summarise(
    located: dict[tuple[str, str | None], tuple[Location, int, int]], transit: frozenset[str] = frozenset()
) -> GeoResult:
    """Pick the country (a weighted vote of all evidence), then the primary point within it, and the compound."""
    result = GeoResult(locations=[v[0] for v in located.values()])
    if not located:
        return result
    votes: defaultdict[str, float] = defaultdict(float)
    best_rank: Counter[str] = Counter()
    for loc, count, rank in located.values():
        if loc.country:
            weight = (
                1.0 if loc.source == "compound" and loc.name in transit else VOTE_WEIGHT.get(loc.source, 1.0 + rank)
            )
            votes[loc.country] += count * loc.confidence * weight
            best_rank[loc.country] = max(best_rank[loc.country], rank)
    # Ties go to the country of the most specific place: "from Mae Sot across to Myawaddy" is Myanmar.
    result.country = max(votes, key=lambda cc: (round(votes[cc], 6), best_rank[cc], cc)) if votes else None
    # The most specific place in that country (a photo point, a compound, a town); else the most specific one.
    placed = [v for v in located.values() if v[0].lat is not None and v[0].lon is not None]
    candidates = [v for v in placed if v[0].country == result.country] or placed
    if candidates:
        primary = max(candidates, key=lambda v: (v[2], v[1], v[0].confidence))[0]
        assert primary.lat is not None and primary.lon is not None
        result.geo = {"lat": primary.lat, "lon": primary.lon}
    compounds = [(r, c, loc) for loc, c, r in located.values() if loc.source == "compound" and r > SPECIFICITY[CITY]]
    if compounds:
        result.compound = max(compounds, key=lambda rcl: (rcl[0], rcl[1]))[2].name
    return result
