"""Property tests of the query parser and model: whatever the input, a tree or a QueryError, the same on
every run, within the bounds; and every valid query runs on SQLite."""

from __future__ import annotations

import json
import os
from collections.abc import Iterator
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from lurewatch.index.elasticsearch.query import compile_query
from lurewatch.index.query import (
    HIGHLIGHT_POST,
    HIGHLIGHT_PRE,
    MAX_DEPTH,
    MAX_WORDS,
    BoolOp,
    Node,
    Not,
    Query,
    QueryError,
    Term,
    decode_cursor,
    parse,
)
from lurewatch.index.sqlite.backend import SqliteIndex
from lurewatch.index.text import mark, tokens, without_controls
from tests.index.handbuilt import IDS, handbuilt_findings

WORDS = ["night", "shift", "visa", "passport", "hotel", "recruit", "usdt", "高薪", "งาน", "t.me", "8,000", "a_b"]
PIECES = st.one_of(
    st.sampled_from(WORDS),
    st.sampled_from(["(", ")", "|", "+", "-", '"', "*", " ", "  ", "\t", "\\", "\x00", "\x02", "\udcff"]),
    st.text(min_size=1, max_size=6),
)
QUERY_TEXT = st.lists(PIECES, max_size=40).map(" ".join) | st.text(max_size=300)


def _examples(count: int) -> int:
    """``count`` examples; the mutation profile's 25 when scripts/mutation.sh runs the tests once per mutant."""
    return min(count, 25) if os.environ.get("HYPOTHESIS_PROFILE") == "mutation" else count


def _depth(node: Node | None) -> int:
    if isinstance(node, BoolOp):
        return 1 + max(_depth(n) for n in node.nodes)
    if isinstance(node, Not):
        return 1 + _depth(node.node)
    return 0


def _terms(node: Node | None) -> list[Term]:
    if isinstance(node, Term):
        return [node]
    if isinstance(node, Not):
        return _terms(node.node)
    if isinstance(node, BoolOp):
        return [t for n in node.nodes for t in _terms(n)]
    return []


@settings(max_examples=_examples(500), deadline=None)
@given(QUERY_TEXT)
def test_parse_gives_a_bounded_tree_or_a_query_error(text: str) -> None:
    try:
        tree = parse(text)
    except QueryError as exc:
        assert str(exc) and "\n" not in str(exc)
        return
    assert parse(text) == tree  # the same on every run
    assert sum(max(1, len(tokens(t.text))) for t in _terms(tree)) <= MAX_WORDS
    # each bracket level adds at most a NOT and two operators to the tree
    assert _depth(tree) <= 3 * (MAX_DEPTH + 1)


@settings(max_examples=_examples(300), deadline=None)
@given(QUERY_TEXT, st.sampled_from(["relevance", "newest", "oldest", "risk"]))
def test_a_valid_query_compiles_to_a_json_body(text: str, sort: str) -> None:
    """(SQLite runs every valid query: test_sqlite_runs_every_valid_query_and_not_is_the_complement.)"""
    try:
        query = Query(text, sort=sort, highlight=True)
    except QueryError:
        return
    body = compile_query(query)
    json.dumps(body)  # what the client sends: plain JSON


@settings(max_examples=_examples(300), deadline=None)
@given(
    st.one_of(st.none(), st.integers(), st.booleans(), st.floats(), st.text(max_size=5)),
    st.one_of(st.integers(), st.booleans()),
    st.one_of(st.none(), st.text(max_size=30), st.binary(max_size=60).map(lambda b: b.decode("latin-1"))),
    st.one_of(st.none(), st.text(max_size=12), st.dates().map(str)),
    st.dictionaries(
        st.sampled_from(["source", "phone", "country"]) | st.text(max_size=8),
        st.lists(st.text(max_size=20), max_size=4) | st.text(max_size=20) | st.integers(),
        max_size=3,
    ),
)
def test_parameters_only_ever_raise_query_errors(
    risk: object, offset: object, cursor: object, day: object, filters: dict[str, object]
) -> None:
    try:
        Query("*", risk_min=risk, offset=offset, cursor=cursor, date_to=day, sort="newest", filters=filters)  # type: ignore[arg-type]
    except QueryError:
        pass


@settings(max_examples=_examples(300), deadline=None)
@given(st.text(max_size=200))
def test_any_cursor_decodes_or_is_refused(cursor: str) -> None:
    for sort in ("relevance", "risk", None):
        try:
            decode_cursor(cursor, sort)
        except QueryError:
            pass


@settings(max_examples=_examples(300), deadline=None)
@given(st.text(max_size=200), st.lists(st.sampled_from(WORDS + ["a", "x"]), max_size=4))
def test_marks_are_balanced_and_only_ours(text: str, words: list[str]) -> None:
    marked = mark(text, [(w, False) for w in words], HIGHLIGHT_PRE, HIGHLIGHT_POST)
    assert marked.count(HIGHLIGHT_PRE) == marked.count(HIGHLIGHT_POST)
    assert marked.replace(HIGHLIGHT_PRE, "").replace(HIGHLIGHT_POST, "") == without_controls(text)


@pytest.fixture(scope="module")
def store(tmp_path_factory: pytest.TempPathFactory) -> Iterator[SqliteIndex]:
    index = SqliteIndex(Path(tmp_path_factory.mktemp("properties")) / "index.sqlite")
    index.setup()
    index.upsert(handbuilt_findings())
    yield index
    index.close()


def _ids(store: SqliteIndex, query: Query) -> set[str]:
    query.size = 100
    return {h.posting_id for h in store.search(query).hits}


@settings(max_examples=_examples(150), deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(st.lists(PIECES, max_size=12).map(" ".join))
def test_sqlite_runs_every_valid_query_and_not_is_the_complement(store: SqliteIndex, text: str) -> None:
    try:
        query = Query(text, highlight=True)
        negated = Query(f"-({text})")
    except QueryError:
        return
    found = _ids(store, query)
    assert found == _ids(store, Query(text)) and found <= set(IDS)
    if not query.match_all:
        assert _ids(store, negated) == set(IDS) - found
