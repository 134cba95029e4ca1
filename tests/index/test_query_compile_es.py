"""The Elasticsearch compiler on its own, as plain dicts (no server): each feature's exact clause."""

from __future__ import annotations

from typing import Any

import pytest

from lurewatch.index.elasticsearch.query import compile_query, members_query, read_response
from lurewatch.index.query import FILTER_FIELDS, Query

MARCH_10 = 1773100800000  # 2026-03-10T00:00:00Z in epoch milliseconds
DAY = 86_400_000


def _must(query: Query) -> list[dict[str, Any]]:
    return compile_query(query)["query"]["bool"]["must"]  # type: ignore[no-any-return]


def _filters(query: Query) -> list[dict[str, Any]]:
    return compile_query(query)["query"]["bool"]["filter"]  # type: ignore[no-any-return]


def test_a_phrase_is_a_match_phrase_and_words_an_and() -> None:
    assert _must(Query('"Night Shift"')) == [{"match_phrase": {"words": "night shift"}}]
    assert _must(Query("night shift")) == [{"bool": {"must": [
        {"match": {"words": {"query": "night", "operator": "and"}}},
        {"match": {"words": {"query": "shift", "operator": "and"}}},
    ]}}]  # fmt: skip
    # one term that splits into several words keeps them all required
    assert _must(Query("t.me")) == [{"match": {"words": {"query": "t me", "operator": "and"}}}]


def test_not_becomes_must_not() -> None:
    assert _must(Query("visa -passport")) == [{"bool": {"must": [
        {"match": {"words": {"query": "visa", "operator": "and"}}},
        {"bool": {"must_not": [{"match": {"words": {"query": "passport", "operator": "and"}}}]}},
    ]}}]  # fmt: skip


def test_or_and_prefix() -> None:
    assert _must(Query("hotel | recep*")) == [{"bool": {"should": [
        {"match": {"words": {"query": "hotel", "operator": "and"}}}, {"prefix": {"words": "recep"}},
    ], "minimum_should_match": 1}}]  # fmt: skip


def test_risk_bounds_are_inclusive_ranges() -> None:
    assert _filters(Query("*", risk_min=60)) == [{"range": {"risk_score": {"gte": 60}}}]
    assert _filters(Query("*", risk_max=60)) == [{"range": {"risk_score": {"lte": 60}}}]
    assert _filters(Query("*", risk_min=0, risk_max=0)) == [{"range": {"risk_score": {"gte": 0, "lte": 0}}}]


def test_date_to_runs_to_the_next_midnight() -> None:
    assert _filters(Query("*", date_from="2026-03-10", date_to="2026-03-10")) == [
        {"range": {"dated_at": {"gte": MARCH_10, "lt": MARCH_10 + DAY, "format": "epoch_millis"}}}
    ]
    assert _filters(Query("*", date_to="9999-12-31")) == []  # no end at all, rather than an overflow
    assert _filters(Query("*", date_from="0001-01-01")) == [
        {"range": {"dated_at": {"gte": -62135596800000, "format": "epoch_millis"}}}
    ]


def test_has_contact_both_ways() -> None:
    present = {"bool": {"should": [{"exists": {"field": f}} for f in (
        "contacts.phones", "contacts.telegram", "contacts.whatsapp", "contacts.line", "contacts.wechat",
        "contacts.signal", "contacts.zalo", "contacts.viber", "contacts.kakaotalk", "contacts.messenger",
        "contacts.emails")]}}  # fmt: skip
    assert _filters(Query("*", has_contact=True)) == [present]
    assert _filters(Query("*", has_contact=False)) == [{"bool": {"must_not": [present]}}]


@pytest.mark.parametrize("name", list(FILTER_FIELDS))
def test_each_filter_is_a_terms_clause_on_its_field(name: str) -> None:
    assert _filters(Query("*", filters={name: ["a", "b"]})) == [{"terms": {FILTER_FIELDS[name]: ["a", "b"]}}]


def test_filters_on_several_fields_are_all_required() -> None:
    clauses = _filters(Query("*", filters={"country": ["MM", "LA"], "source": ["x"]}))
    assert clauses == [{"terms": {"country": ["MM", "LA"]}}, {"terms": {"source": ["x"]}}]


def test_geo() -> None:
    assert _filters(Query("*", bbox=(98.0, 16.0, 99.0, 17.0))) == [{"geo_bounding_box": {"geo": {
        "top_left": {"lat": 17.0, "lon": 98.0}, "bottom_right": {"lat": 16.0, "lon": 99.0}}}}]  # fmt: skip
    assert _filters(Query("*", near=(16.7, 98.5, 11.0))) == [
        {"geo_distance": {"distance": "11.0km", "geo": {"lat": 16.7, "lon": 98.5}}}
    ]


def test_sorts_pages_and_highlight() -> None:
    assert compile_query(Query("*", sort="oldest"))["sort"] == [{"fetched_at": "asc"}, {"posting_id": "asc"}]
    assert compile_query(Query("*", sort="risk"))["sort"] == [{"risk_score": "desc"}, {"fetched_at": "desc"},
                                                              {"posting_id": "asc"}]  # fmt: skip
    assert compile_query(Query("x"))["sort"] == [{"_score": "desc"}, {"posting_id": "asc"}]
    body = compile_query(Query("*", offset=40, size=20))
    assert body["from"] == 40 and body["size"] == 20
    assert compile_query(Query("*"), after=[MARCH_10, "f8"])["search_after"] == [MARCH_10, "f8"]
    # Matches are marked as on SQLite (index/text.py): the text comes back for that, only when there are words.
    assert "text" in compile_query(Query("*", highlight=True))["source_excludes"]
    assert "text" not in compile_query(Query("visa", highlight=True))["source_excludes"]
    assert "text" in compile_query(Query("visa"))["source_excludes"]


def test_collapse_groups_on_the_cluster_key_and_counts_clusters() -> None:
    body = compile_query(Query("visa", collapse=True))
    assert body["collapse"] == {"field": "cluster_key"}  # no inner_hits: one search per hit (members_query)
    assert body["aggs"]["clusters"]["cardinality"] == {"field": "cluster_key", "precision_threshold": 3000}
    assert "collapse" not in compile_query(Query("visa"))


def test_members_are_counted_with_the_searchs_own_query_on_the_pages_clusters() -> None:
    body = compile_query(Query("visa", filters={"country": ["KH"]}, collapse=True))
    counted = members_query(body, ["c1", "c2"])
    assert counted["query"] == {"bool": {"must": [body["query"]], "filter": [{"terms": {"cluster_key": ["c1", "c2"]}}]}}
    assert counted["aggs"] == {"members": {"terms": {"field": "cluster_key", "size": 2}}}
    assert counted["size"] == 0 and counted["track_total_hits"] is False


def test_aggregations() -> None:
    aggs = compile_query(Query("*", facets=("indicator",), histogram="week", geotile=5))["aggs"]
    assert aggs["facet_indicator"]["terms"]["field"] == "indicators.code"
    assert aggs["histogram"]["date_histogram"]["calendar_interval"] == "week"
    assert aggs["geotiles"]["geotile_grid"]["precision"] == 5


def test_a_lure_count_beyond_the_cardinality_precision_is_marked_as_an_estimate() -> None:
    def counted(clusters: int) -> bool:
        response = {"hits": {"hits": [], "total": {"value": 9000}}, "aggregations": {"clusters": {"value": clusters}}}
        return read_response(response).clusters_exact

    assert counted(2999) is True and counted(3000) is False
    assert read_response({"hits": {"hits": [], "total": {"value": 0}}}).clusters_exact is True  # no collapse
