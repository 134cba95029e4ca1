"""The query model: text parsing, and what it compiles to for Elasticsearch (plain dicts)."""

from __future__ import annotations

import pytest

from index.elasticsearch import compile_query
from index.query import BoolOp, Not, Query, Term, parse
from index.text import indexed_words, tokens


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
    assert set(body["aggs"]) == {"source", "language", "country"}
    assert body["size"] == 5 and body["track_total_hits"] is True


def test_match_all_sorts_newest_first() -> None:
    body = compile_query(Query("*"))
    assert body["query"]["bool"]["must"] == [{"match_all": {}}]
    assert body["sort"][0] == {"fetched_at": "desc"}
