"""The query model: text parsing, and what it compiles to for Elasticsearch (plain dicts)."""

from __future__ import annotations

import pytest

from index.elasticsearch import compile_query
from index.query import BoolOp, Not, Query, Term, parse
from index.text import words


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
    with pytest.raises(ValueError, match="unknown filter"):
        Query("x", filters={"colour": ["red"]})


def test_ideographs_are_single_tokens_like_the_standard_analyzer() -> None:
    assert words("高薪招聘 Phnom-Penh") == ["高", "薪", "招", "聘", "phnom", "penh"]


def test_compiles_to_simple_query_string_with_filters_and_facets() -> None:
    body = compile_query(Query("visa", filters={"language": ["th", "km"]}, size=5))
    assert body["query"]["bool"]["must"] == [
        {
            "simple_query_string": {
                "query": "visa",
                "fields": ["title^2", "text", "text_segmented"],
                "default_operator": "and",
            }
        }
    ]
    assert body["query"]["bool"]["filter"] == [{"terms": {"language": ["th", "km"]}}]
    assert set(body["aggs"]) == {"source", "language", "country"}
    assert body["size"] == 5 and body["track_total_hits"] is True


def test_match_all_sorts_newest_first() -> None:
    body = compile_query(Query("*"))
    assert body["query"]["bool"]["must"] == [{"match_all": {}}]
    assert body["sort"][0] == {"fetched_at": "desc"}
