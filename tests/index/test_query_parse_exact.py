"""The query text parser: exact trees for the operators' corner cases, and each refusal's exact message."""

from __future__ import annotations

import pytest

from lurewatch.index.query import MAX_DEPTH, MAX_WORDS, BoolOp, Not, QueryError, Term, parse


def _refusal(text: str) -> str:
    with pytest.raises(QueryError) as caught:
        parse(text)
    return str(caught.value)


def test_refusals_say_what_to_change() -> None:
    assert _refusal("visa ) passport") == (
        "unbalanced ')' at character 6: remove it, or add a '(' before it (quote it to search for it)"
    )
    assert _refusal("(visa | passport") == "a '(' is never closed: add a ')' (quote it to search for it)"
    deep = MAX_DEPTH + 1
    assert _refusal("(" * deep + "a" + ")" * deep) == "brackets nest deeper than 8 levels; simplify the query"
    assert _refusal(" ".join(["w"] * (MAX_WORDS + 1))) == (
        "the query has more than 64 words; narrow it with filters, or split it into several searches"
    )
    assert parse(" ".join(["w"] * MAX_WORDS)) is not None
    assert parse('"' + " ".join(["w"] * MAX_WORDS) + '"') is not None  # a phrase counts its words


def test_plus_goes_back_to_and_after_an_or() -> None:
    assert parse("a + b") == BoolOp("and", [Term("a"), Term("b")])
    assert parse("a | b + c") == BoolOp("and", [BoolOp("or", [Term("a"), Term("b")]), Term("c")])


def test_a_star_between_terms_matches_everything_and_takes_no_minus() -> None:
    assert parse("* visa") == Term("visa")
    assert parse("-* visa") == Term("visa")


def test_prefixes_and_phrases_keep_their_letters() -> None:
    assert parse("a*") == Term("a", "prefix")
    assert parse('"Xray team"') == Term("Xray team", "phrase")
    assert parse("-visa") == Not(Term("visa"))
