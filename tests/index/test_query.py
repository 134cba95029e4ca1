"""The query model: text parsing, and what it compiles to for Elasticsearch (plain dicts)."""

from __future__ import annotations

import pytest

from lurewatch.geo import distance_m
from lurewatch.index.elasticsearch.query import compile_query
from lurewatch.index.geo import tile_center, tile_of
from lurewatch.index.query import BoolOp, Not, Query, QueryError, Term, decode_cursor, encode_cursor, parse
from lurewatch.index.text import indexed_words, tokens


def test_words_default_to_and() -> None:
    assert parse("visa salary") == BoolOp("and", [Term("visa"), Term("salary")])


def test_or_not_phrase_prefix() -> None:
    tree = parse('"no experience" | visa -nurse recruit*')
    assert tree == BoolOp(
        "and",
        [BoolOp("or", [Term("no experience", "phrase"), Term("visa")]), Not(Term("nurse")), Term("recruit", "prefix")],
    )


def test_parentheses_group() -> None:
    assert parse("(a | b) c") == BoolOp("and", [BoolOp("or", [Term("a"), Term("b")]), Term("c")])


def test_star_matches_everything() -> None:
    assert parse("*") is None
    assert Query("*").match_all and Query("  ").match_all


def test_unknown_filter_is_refused() -> None:
    with pytest.raises(QueryError, match="unknown filter"):
        Query("x", filters={"colour": ["red"]})


def test_one_tokenizer_splits_every_script_for_both_engines() -> None:
    text = "Telegram：t.me/HR_team 高薪招聘 Phnom-Penh ฿30,000 เงินเดือนดี ក្រុមហ៊ុន lương"
    assert tokens(text) == [
        "telegram", "t", "me", "hr_team", "高", "薪", "招", "聘", "phnom", "penh", "30", "000",
        "เงินเดือนดี", "ក្រុមហ៊ុន", "lương",
    ]  # fmt: skip
    assert indexed_words("A-b", "c") == "a b c"


def test_compiles_text_to_a_bool_tree_over_the_words_field() -> None:
    body = compile_query(Query('Visa -"night shift" | cook*', filters={"language": ["th", "km"]}, size=5))
    visa = {"match": {"words": {"query": "visa", "operator": "and"}}}
    night_shift = {"match_phrase": {"words": "night shift"}}
    cook = {"prefix": {"words": "cook"}}
    left = {"bool": {"must": [visa, {"bool": {"must_not": [night_shift]}}]}}
    assert body["query"]["bool"]["must"] == [{"bool": {"should": [left, cook], "minimum_should_match": 1}}]
    assert body["query"]["bool"]["filter"] == [{"terms": {"language": ["th", "km"]}}]
    assert set(body["aggs"]) == {"facet_source", "facet_language", "facet_country"}
    assert body["size"] == 5 and body["track_total_hits"] is True


def test_match_all_sorts_newest_first() -> None:
    body = compile_query(Query("*"))
    assert body["query"]["bool"]["must"] == [{"match_all": {}}]
    assert body["sort"][0] == {"fetched_at": "desc"}


def test_filters_ranges_and_geo_compile_to_filter_clauses() -> None:
    query = Query("*", filters={"phone": ["+85512345678"]}, risk_min=40, date_from="2026-03-01",
                  date_to="2026-03-31", has_contact=True, bbox=(98.0, 16.0, 99.0, 17.0), near=(16.7, 98.5, 25))  # fmt: skip
    clauses = compile_query(query)["query"]["bool"]["filter"]
    assert clauses[0] == {"terms": {"contacts.phones": ["+85512345678"]}}
    assert clauses[1] == {"range": {"risk_score": {"gte": 40}}}
    # the end date is inclusive: everything before the next midnight (UTC)
    assert clauses[2] == {
        "range": {"dated_at": {"gte": 1772323200000, "lt": 1775001600000, "format": "epoch_millis"}}
    }
    assert clauses[4]["geo_bounding_box"]["geo"] == {"top_left": {"lat": 17.0, "lon": 98.0},
                                                     "bottom_right": {"lat": 16.0, "lon": 99.0}}  # fmt: skip
    assert clauses[5] == {"geo_distance": {"distance": "25km", "geo": {"lat": 16.7, "lon": 98.5}}}


def test_sorts_end_with_a_unique_tiebreaker() -> None:
    for sort in ("relevance", "newest", "risk"):
        assert compile_query(Query("visa", sort=sort))["sort"][-1] == {"posting_id": "asc"}


def test_match_all_cannot_sort_by_relevance() -> None:
    assert Query("*").sort == "newest"


def test_bad_values_are_refused_with_a_message() -> None:
    with pytest.raises(QueryError, match="sort"):
        Query("x", sort="colour")
    with pytest.raises(QueryError, match="date"):
        Query("x", date_from="yesterday")
    with pytest.raises(QueryError, match="cursor"):
        decode_cursor("not-a-cursor")


def test_cursor_round_trips() -> None:
    assert decode_cursor(encode_cursor([1772323200000, "abc"], "pit-1")) == ([1772323200000, "abc"], "pit-1")


def test_geotiles_match_the_web_mercator_grid() -> None:
    assert tile_of(0.0, 0.0, 1) == (1, 1)
    assert tile_of(16.631, 98.557, 7) == (99, 58)
    lat, lon = tile_center("7/99/58")
    assert tile_of(lat, lon, 7) == (99, 58)
    assert 500_000 < distance_m(13.7563, 100.5018, 11.5564, 104.9282) < 560_000  # Bangkok to Phnom Penh
