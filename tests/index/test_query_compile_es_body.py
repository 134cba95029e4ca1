"""The Elasticsearch compiler's whole request body, leaves and response reading, as plain dicts (no server)."""

from __future__ import annotations

from typing import Any

from lurewatch.index.elasticsearch.query import compile_query, compile_text, read_hit, read_response
from lurewatch.index.query import HIGHLIGHT_POST, HIGHLIGHT_PRE, Hit, Query, SearchResult, Term

EXCLUDES = ["text", "text_segmented", "minhash_bands", "words"]


def test_the_whole_body_of_a_match_all_query() -> None:
    assert compile_query(Query("*", facets=())) == {
        "query": {"bool": {"must": [{"match_all": {}}], "filter": []}},
        "size": 20,
        "sort": [{"fetched_at": "desc"}, {"posting_id": "asc"}],
        "track_total_hits": True,
        "source_excludes": EXCLUDES,
    }


def test_the_whole_body_of_a_text_query_with_every_part() -> None:
    query = Query("visa", facets=("country",), histogram="month", geotile=3, highlight=True, offset=20, size=10)
    assert compile_query(query, after=[1.5, "f2"]) == {
        "query": {"bool": {"must": [{"match": {"words": {"query": "visa", "operator": "and"}}}], "filter": []}},
        "size": 10,
        "from": 20,
        "sort": [{"_score": "desc"}, {"posting_id": "asc"}],
        "track_total_hits": True,
        "source_excludes": [e for e in EXCLUDES if e != "text"],  # highlights are marked on the text read back
        "search_after": [1.5, "f2"],
        "aggs": {
            "facet_country": {
                "terms": {"field": "country", "size": 20, "order": [{"_count": "desc"}, {"_key": "asc"}], "exclude": [""]}
            },
            "histogram": {
                "date_histogram": {
                    "field": "dated_at", "calendar_interval": "month", "format": "yyyy-MM-dd", "min_doc_count": 1
                }
            },
            "geotiles": {"geotile_grid": {"field": "geo", "precision": 3, "size": 10000}},
        },
    }  # fmt: skip


def test_geotile_zoom_zero_is_asked_for() -> None:
    assert compile_query(Query("*", facets=(), geotile=0))["aggs"] == {
        "geotiles": {"geotile_grid": {"field": "geo", "precision": 0, "size": 10000}}
    }


def test_indexed_after_is_an_inclusive_range() -> None:
    body = compile_query(Query("*", indexed_after="2026-03-01T12:00:00Z"))
    assert body["query"]["bool"]["filter"] == [{"range": {"indexed_at": {"gte": "2026-03-01T12:00:00+00:00"}}}]


def test_leaves() -> None:
    assert compile_text(Term("")) == {"match_all": {}}  # a term without words matches everything
    assert compile_text(Term("...", "phrase")) == {"match_all": {}}
    assert compile_text(Term("visa", "phrase")) == {"match": {"words": {"query": "visa", "operator": "and"}}}
    assert compile_text(Term("vis", "prefix")) == {"prefix": {"words": "vis"}}
    assert compile_text(Term("free vi", "prefix")) == {"bool": {"must": [
        {"match": {"words": {"query": "free", "operator": "and"}}}, {"prefix": {"words": "vi"}},
    ]}}  # fmt: skip
    assert compile_text(Term("Free VISA", "phrase")) == {"match_phrase": {"words": "free visa"}}


def test_a_hit_is_read_with_its_highlights_and_sort_values() -> None:
    raw = {
        "_id": "f1", "_score": 2.5, "sort": [2.5, "f1"],
        "_source": {
            "title": "Visa", "url": "https://x/1", "source": "board", "language": "en", "country": "KH",
            "risk_score": 40, "fetched_at": "2026-03-01T00:00:00+00:00", "compound": "KK Park", "cluster_id": "c1",
            "geo": {"lat": 1.0, "lon": 2.0}, "indicators": [{"code": "free_visa"}, {"code": "age_limit"}],
        },
    }  # fmt: skip
    expected = Hit(
        posting_id="f1", title="Visa", url="https://x/1", score=2.5, source="board", language="en", country="KH",
        risk_score=40, fetched_at="2026-03-01T00:00:00+00:00", compound="KK Park", cluster_id="c1",
        geo={"lat": 1.0, "lon": 2.0}, indicators=["free_visa", "age_limit"], sort=[2.5, "f1"],
    )  # fmt: skip
    assert read_hit(raw) == expected
    # Highlights are marked here, on the title and the text read back, the same way on both backends.
    raw["_source"]["text"] = "a visa for you"
    response = {"hits": {"total": {"value": 1}, "hits": [raw]}}
    hit = read_response(response, Query("visa", highlight=True)).hits[0]
    assert hit.title_highlight == f"{HIGHLIGHT_PRE}Visa{HIGHLIGHT_POST}"
    assert hit.highlights == [f"a {HIGHLIGHT_PRE}visa{HIGHLIGHT_POST} for you"]
    assert read_response(response, Query("visa")).hits[0].highlights == []  # not asked for
    bare = read_hit({"_id": "f2", "_score": None, "_source": {}})
    assert bare == Hit(posting_id="f2", title="", url="", score=0.0)


def test_a_response_is_read_into_a_result() -> None:
    response: dict[str, Any] = {
        "hits": {"total": {"value": 7}, "hits": [{"_id": "f1", "_source": {"title": "A"}}]},
        "aggregations": {
            "facet_country": {"buckets": [{"key": "KH", "doc_count": 5}, {"key": "MM", "doc_count": 2}]},
            "histogram": {"buckets": [{"key_as_string": "2026-03-01", "key": 1, "doc_count": 7}]},
            "geotiles": {"buckets": [{"key": "3/6/3", "doc_count": 4}]},
        },
    }
    assert read_response(response) == SearchResult(
        total=7,
        hits=[Hit(posting_id="f1", title="A", url="", score=0.0)],
        facets={"country": [("KH", 5), ("MM", 2)]},
        histogram=[("2026-03-01", 7)],
        geotiles=[("3/6/3", 4)],
    )
    assert read_response({"hits": {"total": {"value": 0}, "hits": []}}) == SearchResult(total=0, hits=[])
