"""Entity pivots: every finding that carries a phone, handle, email, wallet, domain, image hash or cluster."""

from __future__ import annotations

import dataclasses
from collections import Counter
from dataclasses import dataclass

from lurewatch.entities import ENTITY_KINDS, normalise
from lurewatch.index.base import Index
from lurewatch.index.query import Hit, Query, QueryError

PIVOT_FIELDS = (*(entity.kind for entity in ENTITY_KINDS), "cluster")
SUMMARY_LIMIT = 10_000  # findings read to summarise one entity


@dataclass
class EntitySummary:
    """What the index knows about one entity, across every posting that carries it."""

    field: str
    value: str
    postings: int = 0
    clusters: int = 0
    first_seen: str | None = None
    last_seen: str | None = None
    # dataclasses.field spelled out: this class has a field named ``field``.
    sources: list[tuple[str, int]] = dataclasses.field(default_factory=list)
    countries: list[tuple[str, int]] = dataclasses.field(default_factory=list)
    max_risk: int = 0
    truncated: bool = False


def pivot_query(field_name: str, value: str, **options: object) -> Query:
    """Every finding carrying ``value`` (as typed: normalised to its stored form first)."""
    if field_name not in PIVOT_FIELDS:
        raise QueryError(f"cannot pivot on {field_name!r}; known: {', '.join(PIVOT_FIELDS)}")
    return Query("*", filters={field_name: [normalise(field_name, value)]}, **options)  # type: ignore[arg-type]


def summarise(index: Index, field_name: str, value: str) -> EntitySummary:
    """First and last seen, sources, countries, and the number of postings and clusters for one entity."""
    summary = EntitySummary(field_name, normalise(field_name, value))
    sources: Counter[str] = Counter()
    countries: Counter[str] = Counter()
    clusters: set[str] = set()
    hits: list[Hit] = []
    for hit in index.iterate(pivot_query(field_name, value, sort="oldest", size=500, facets=())):
        if len(hits) >= SUMMARY_LIMIT:
            summary.truncated = True
            break
        hits.append(hit)
        sources[hit.source] += 1
        if hit.country:
            countries[hit.country] += 1
        clusters.add(hit.cluster_id or hit.posting_id)
        summary.max_risk = max(summary.max_risk, hit.risk_score)
    summary.postings = len(hits)
    summary.clusters = len(clusters)
    if hits:
        summary.first_seen, summary.last_seen = hits[0].fetched_at, hits[-1].fetched_at
    summary.sources = sources.most_common()
    summary.countries = countries.most_common()
    return summary
