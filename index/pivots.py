"""Entity pivots: every finding that carries a phone, handle, email, wallet, domain, image hash or cluster.

A value is taken as a person types it (``lurewatch.entities.stored_forms``): a phone in any national or
international format, a handle in any case with or without ``@``. The summary also lists the entities that
occur in the same postings (other phones, handles, wallets ...), each one more pivot away.
"""

from __future__ import annotations

import dataclasses
from collections import Counter
from dataclasses import dataclass

from lurewatch.entities import ENTITY_KINDS, offered_as_pivot, stored_forms
from lurewatch.index.base import Index
from lurewatch.index.query import Hit, Query, QueryError

PIVOT_FIELDS = (*(entity.kind for entity in ENTITY_KINDS), "cluster")
SUMMARY_LIMIT = 10_000  # findings read to summarise one entity
COOCCURRING_LIMIT = 10  # values shown per kind of co-occurring entity


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
    # the stored forms found for the value as typed (a local phone number may read as several)
    values: list[str] = dataclasses.field(default_factory=list)
    # kind -> [(value, postings shared)]: other entities in the same postings, most shared first
    cooccurring: dict[str, list[tuple[str, int]]] = dataclasses.field(default_factory=dict)


def pivot_values(field_name: str, value: str) -> list[str]:
    """The stored forms of ``value`` as typed (``pivot_query`` finds the findings carrying any of them)."""
    if field_name not in PIVOT_FIELDS:
        raise QueryError(f"cannot pivot on {field_name!r}; known: {', '.join(PIVOT_FIELDS)}")
    return stored_forms(field_name, value)


def pivot_query(field_name: str, value: str, **options: object) -> Query:
    """Every finding carrying ``value`` (as typed: normalised to its stored forms first)."""
    return Query("*", filters={field_name: pivot_values(field_name, value)}, **options)  # type: ignore[arg-type]


def cooccurring(index: Index, field_name: str, values: list[str]) -> tuple[list[str], dict[str, list[tuple[str, int]]]]:
    """Which of ``values`` occur, and the other entities in the postings that carry them (facets: both backends)."""
    kinds = tuple(entity.kind for entity in ENTITY_KINDS)
    facets = kinds if field_name in kinds else (*kinds, field_name)
    result = index.search(Query("*", filters={field_name: values}, size=0, facets=facets))
    found = [v for v, _ in result.facets.get(field_name, []) if v in values]
    others: dict[str, list[tuple[str, int]]] = {}
    for kind in kinds:
        shown = [(v, n) for v, n in result.facets.get(kind, [])
                 if not (kind == field_name and v in values) and offered_as_pivot(kind, v)]  # fmt: skip
        if shown:
            others[kind] = shown[:COOCCURRING_LIMIT]
    return found, others


def summarise(index: Index, field_name: str, value: str) -> EntitySummary:
    """First and last seen, sources, countries, the number of postings and clusters, and the co-occurring
    entities of one entity."""
    values = pivot_values(field_name, value)
    found, others = cooccurring(index, field_name, values)
    summary = EntitySummary(field_name, (found or values)[0], values=found, cooccurring=others)
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
