"""Findings of a query, streamed from the index: the backend's cursor (point in time + ``search_after`` on
Elasticsearch, keyset pages on SQLite) gives the ids page by page, and each page's full records come in
one round trip. Memory holds one page, whatever the number of findings."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import replace
from typing import TYPE_CHECKING

from lurewatch.index.query import MAX_SIZE, Query

if TYPE_CHECKING:
    from lurewatch.index.base import Index
    from lurewatch.records import Finding

PAGE = 500


def export_query(query: Query) -> Query:
    """``query`` as an export runs it: big pages, no facets, highlights or aggregations, from the first hit."""
    return replace(query, size=MAX_SIZE, offset=0, cursor=None, facets=(), histogram=None, geotile=None,
                   highlight=False)  # fmt: skip


def count(store: Index, query: Query) -> int:
    """How many findings ``query`` matches (what an export of it must hold)."""
    return int(store.search(replace(export_query(query), size=0)).total)


def stream_findings(store: Index, query: Query, page: int = PAGE) -> Iterator[Finding]:
    """Every finding of ``query``, in its sort order."""
    ids: list[str] = []
    for hit in store.iterate(export_query(query)):
        ids.append(hit.posting_id)
        if len(ids) >= page:
            yield from store.get_many(ids)
            ids = []
    if ids:
        yield from store.get_many(ids)
