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
    highlight_words,
    parse,
    term_words,
)
from lurewatch.index.text import fragment, mark

FACET_SIZE = 20
GEOTILE_BUCKETS = 10000
SOURCE_EXCLUDES = ["text", "text_segmented", "minhash_bands", "words"]
# The lure count is exact up to this many clusters, and within a few percent above (HyperLogLog++): measured on
# 60,000 matches of 200,000 findings, 40,000 took the count from 16 to 66 ms, 3,000 to 36 ms (error 0.5 %).
CARDINALITY_PRECISION = 3_000
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
        moment = "fetched_at" if query.date_on == "fetched" else "dated_at"
        filters.append({"range": {moment: {**window, "format": "epoch_millis"}}})
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
                "field": "dated_at",
                "calendar_interval": query.histogram,
                "format": "yyyy-MM-dd",
                "min_doc_count": 1,
            }
        }
    if query.collapse:
        aggs["clusters"] = {"cardinality": {"field": "cluster_key", "precision_threshold": CARDINALITY_PRECISION}}
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
    if query.collapse:
        # One hit per cluster: its first member in the sort order. The members that match are counted by a
        # second, small request on the page's clusters (``members_query``): inner_hits would run one search per hit.
        body["collapse"] = {"field": "cluster_key"}
    if query.highlight and must:
        # Marked here as on SQLite (index/text.py ``mark``), so that Thai or Burmese words inside a run of
        # letters are marked too: Elasticsearch's highlighter only knows the standard analyzer's tokens.
        body["source_excludes"] = [name for name in SOURCE_EXCLUDES if name != "text"]
    return body


def members_query(body: dict[str, Any], keys: list[str]) -> dict[str, Any]:
    """How many matching postings each of the page's clusters has: the search's own query narrowed to them."""
    narrowed = {"bool": {"must": [body["query"]], "filter": [{"terms": {"cluster_key": keys}}]}}
    return {"query": narrowed, "size": 0, "track_total_hits": False,
            "aggs": {"members": {"terms": {"field": "cluster_key", "size": len(keys)}}}}  # fmt: skip


def _leaf(term: Term) -> dict[str, Any]:
    alternatives = [_words(words, phrase, term.kind == "prefix") for words, phrase in term_words(term) if words]
    if not alternatives:
        return {"match_all": {}}
    return alternatives[0] if len(alternatives) == 1 else {"bool": {"should": alternatives, "minimum_should_match": 1}}


def _words(words: list[str], phrase: bool, prefix: bool) -> dict[str, Any]:
    if phrase and len(words) > 1:
        return {"match_phrase": {"words": " ".join(words)}}
    whole = words[:-1] if prefix else words
    clauses: list[dict[str, Any]] = []
    if whole:
        clauses.append({"match": {"words": {"query": " ".join(whole), "operator": "and"}}})
    if prefix:
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
        sort=list(raw.get("sort", [])),
    )


def _highlight(hit: Hit, text: str, words: list[tuple[str, bool]]) -> None:
    title = mark(hit.title, words, HIGHLIGHT_PRE, HIGHLIGHT_POST)
    marked = mark(text, words, HIGHLIGHT_PRE, HIGHLIGHT_POST)
    hit.title_highlight = title if HIGHLIGHT_PRE in title else ""
    hit.highlights = [fragment(marked, HIGHLIGHT_PRE, HIGHLIGHT_POST)] if HIGHLIGHT_PRE in marked else []


def read_response(response: dict[str, Any], query: Query | None = None) -> SearchResult:
    """A search response as a ``SearchResult`` (without the next cursor, which the backend adds)."""
    aggs = response.get("aggregations", {})
    facets = {
        name.removeprefix("facet_"): [(b["key"], b["doc_count"]) for b in agg["buckets"]]
        for name, agg in aggs.items()
        if name.startswith("facet_")
    }
    histogram = [(b["key_as_string"], b["doc_count"]) for b in aggs.get("histogram", {}).get("buckets", [])]
    geotiles = [(b["key"], b["doc_count"]) for b in aggs.get("geotiles", {}).get("buckets", [])]
    raw_hits = response["hits"]["hits"]
    hits = [read_hit(h) for h in raw_hits]
    if query is not None and query.highlight and not query.match_all:
        words = highlight_words(query)
        for raw, hit in zip(raw_hits, hits, strict=True):
            _highlight(hit, raw["_source"].get("text") or "", words)
    return SearchResult(
        total=response["hits"]["total"]["value"],
        hits=hits,
        facets=facets,
        histogram=histogram,
        geotiles=geotiles,
        clusters=aggs["clusters"]["value"] if "clusters" in aggs else None,
        clusters_exact="clusters" not in aggs or aggs["clusters"]["value"] < CARDINALITY_PRECISION,
    )
