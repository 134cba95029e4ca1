"""The query model compiled to Elasticsearch's DSL, and search responses read back into hits (plain dicts)."""

from __future__ import annotations

from typing import Any

from lurewatch.index.query import (
    CONTACT_FIELDS,
    FILTER_FIELDS,
    HIGHLIGHT_POST,
    HIGHLIGHT_PRE,
    Hit,
    Node,
    Not,
    Query,
    SearchResult,
    Term,
    parse,
)
from lurewatch.index.text import tokens

FACET_SIZE = 20
GEOTILE_BUCKETS = 10000
SOURCE_EXCLUDES = ["text", "text_segmented", "minhash_bands", "words"]
SORTS: dict[str, list[Any]] = {
    "relevance": [{"_score": "desc"}, {"posting_id": "asc"}],
    "newest": [{"fetched_at": "desc"}, {"posting_id": "asc"}],
    "oldest": [{"fetched_at": "asc"}, {"posting_id": "asc"}],
    "risk": [{"risk_score": "desc"}, {"fetched_at": "desc"}, {"posting_id": "asc"}],
}


def compile_filters(query: Query) -> list[dict[str, Any]]:
    """The filter clauses of ``query``: terms, ranges, contact presence, geo."""
    filters: list[dict[str, Any]] = [{"terms": {FILTER_FIELDS[name]: values}} for name, values in query.filters.items()]
    if query.risk_min is not None or query.risk_max is not None:
        bounds = {"gte": query.risk_min, "lte": query.risk_max}
        filters.append({"range": {"risk_score": {k: v for k, v in bounds.items() if v is not None}}})
    start, end = query.date_bounds_ms()
    if start is not None or end is not None:
        bounds = {"gte": start, "lt": end}
        window = {k: v for k, v in bounds.items() if v is not None}
        filters.append({"range": {"fetched_at": {**window, "format": "epoch_millis"}}})
    if query.indexed_after:
        filters.append({"range": {"indexed_at": {"gte": query.indexed_after}}})
    if query.has_contact is not None:
        present = {"bool": {"should": [{"exists": {"field": FILTER_FIELDS[n]}} for n in CONTACT_FIELDS]}}
        filters.append(present if query.has_contact else {"bool": {"must_not": [present]}})
    if query.bbox is not None:
        west, south, east, north = query.bbox
        box = {"top_left": {"lat": north, "lon": west}, "bottom_right": {"lat": south, "lon": east}}
        filters.append({"geo_bounding_box": {"geo": box}})
    if query.near is not None:
        lat, lon, km = query.near
        filters.append({"geo_distance": {"distance": f"{km}km", "geo": {"lat": lat, "lon": lon}}})
    return filters


def compile_aggs(query: Query) -> dict[str, Any]:
    aggs: dict[str, Any] = {
        f"facet_{name}": {
            "terms": {
                "field": FILTER_FIELDS[name],
                "size": FACET_SIZE,
                "order": [{"_count": "desc"}, {"_key": "asc"}],
                "exclude": [""],
            }
        }
        for name in query.facets
    }
    if query.histogram:
        aggs["histogram"] = {
            "date_histogram": {
                "field": "fetched_at",
                "calendar_interval": query.histogram,
                "format": "yyyy-MM-dd",
                "min_doc_count": 1,
            }
        }
    if query.geotile is not None:
        aggs["geotiles"] = {"geotile_grid": {"field": "geo", "precision": query.geotile, "size": GEOTILE_BUCKETS}}
    return aggs


def compile_query(query: Query, after: list[Any] | None = None) -> dict[str, Any]:
    """The search request body for ``query`` (plain dicts, unit-tested without a server)."""
    tree = None if query.match_all else parse(query.text)
    must: list[dict[str, Any]] = [compile_text(tree)] if tree is not None else []
    body: dict[str, Any] = {
        "query": {"bool": {"must": must or [{"match_all": {}}], "filter": compile_filters(query)}},
        "size": query.size,
        "sort": SORTS[query.sort],
        "track_total_hits": True,
        "source_excludes": SOURCE_EXCLUDES,
    }
    if query.offset:
        body["from"] = query.offset
    if after is not None:
        body["search_after"] = after
    aggs = compile_aggs(query)
    if aggs:
        body["aggs"] = aggs
    if query.highlight and must:
        body["highlight"] = {
            "require_field_match": False,  # the query targets ``words``; show the matches in title and text
            "pre_tags": [HIGHLIGHT_PRE],
            "post_tags": [HIGHLIGHT_POST],
            "fields": {"title": {"number_of_fragments": 0}, "text": {"fragment_size": 160, "number_of_fragments": 2}},
        }
    return body


def _leaf(term: Term) -> dict[str, Any]:
    words = tokens(term.text)
    if not words:
        return {"match_all": {}}
    if term.kind == "phrase" and len(words) > 1:
        return {"match_phrase": {"words": " ".join(words)}}
    whole = words[:-1] if term.kind == "prefix" else words
    clauses: list[dict[str, Any]] = []
    if whole:
        clauses.append({"match": {"words": {"query": " ".join(whole), "operator": "and"}}})
    if term.kind == "prefix":
        clauses.append({"prefix": {"words": words[-1]}})
    return clauses[0] if len(clauses) == 1 else {"bool": {"must": clauses}}


def compile_text(node: Node) -> dict[str, Any]:
    """The parsed query text as a bool tree over the ``words`` field: the same words SQLite matches."""
    if isinstance(node, Term):
        return _leaf(node)
    if isinstance(node, Not):
        return {"bool": {"must_not": [compile_text(node.node)]}}
    children = [compile_text(n) for n in node.nodes]
    if node.op == "and":
        return {"bool": {"must": children}}
    return {"bool": {"should": children, "minimum_should_match": 1}}


def read_hit(raw: dict[str, Any]) -> Hit:
    source = raw["_source"]
    highlight = raw.get("highlight", {})
    return Hit(
        posting_id=raw["_id"],
        title=source.get("title", ""),
        url=source.get("url", ""),
        score=float(raw.get("_score") or 0.0),
        source=source.get("source", ""),
        language=source.get("language", ""),
        country=source.get("country"),
        risk_score=source.get("risk_score", 0),
        fetched_at=source.get("fetched_at", ""),
        compound=source.get("compound"),
        cluster_id=source.get("cluster_id", ""),
        geo=source.get("geo"),
        indicators=[i["code"] for i in source.get("indicators", [])],
        title_highlight=(highlight.get("title") or [""])[0],
        highlights=highlight.get("text", []),
        sort=list(raw.get("sort", [])),
    )


def read_response(response: dict[str, Any]) -> SearchResult:
    """A search response as a ``SearchResult`` (without the next cursor, which the backend adds)."""
    aggs = response.get("aggregations", {})
    facets = {
        name.removeprefix("facet_"): [(b["key"], b["doc_count"]) for b in agg["buckets"]]
        for name, agg in aggs.items()
        if name.startswith("facet_")
    }
    histogram = [(b["key_as_string"], b["doc_count"]) for b in aggs.get("histogram", {}).get("buckets", [])]
    geotiles = [(b["key"], b["doc_count"]) for b in aggs.get("geotiles", {}).get("buckets", [])]
    return SearchResult(
        total=response["hits"]["total"]["value"],
        hits=[read_hit(h) for h in response["hits"]["hits"]],
        facets=facets,
        histogram=histogram,
        geotiles=geotiles,
    )
