"""The query model's checks, each pinned by its exact message and by the values just inside its bounds."""

from __future__ import annotations

import time
from datetime import UTC, datetime
from typing import Any

import pytest

from lurewatch.index.query import (
    FILTER_FIELDS,
    MAX_CURSOR_CHARS,
    MAX_FILTER_VALUES,
    MAX_TEXT_CHARS,
    MAX_VALUE_CHARS,
    Query,
    QueryError,
    decode_cursor,
    encode_cursor,
    parse,
    to_epoch_ms,
    utc_timestamp,
)

KNOWN = ", ".join(FILTER_FIELDS)
BBOX = "bbox must be west,south,east,north with -180 <= west <= east <= 180 and -90 <= south <= north <= 90"
NEAR = "near must be lat,lon,km with -90 <= lat <= 90, -180 <= lon <= 180 and 0 < km <= 20040"
PAGE = "; use the cursor to page further"

REFUSED: list[tuple[dict[str, Any], str]] = [
    ({"text": 5}, "the query text must be text"),
    ({"filters": ["a"]}, "filters must map a filter name to a list of values"),
    ({"text": "a" * (MAX_TEXT_CHARS + 1)}, "the query text is 2001 characters long; at most 2000"),
    ({"text": "visa \udcff"}, "the query text is not valid UTF-8 text (character 6)"),
    ({"filters": {"colour": ["red"]}}, f"unknown filter(s) ['colour']; known: {KNOWN}"),
    ({"facets": ("colour",)}, f"unknown filter(s) ['colour']; known: {KNOWN}"),
    ({"filters": {f"f{i}": ["x"] for i in range(6)}}, f"unknown filter(s) ['f0', 'f1', 'f2', 'f3', 'f4', '…']; known: {KNOWN}"),
    ({"filters": {f"f{i}": ["x"] for i in range(5)}}, f"unknown filter(s) ['f0', 'f1', 'f2', 'f3', 'f4']; known: {KNOWN}"),
    ({"filters": {"x" * 45: ["v"]}}, f"unknown filter(s) ['{'x' * 40}']; known: {KNOWN}"),  # a name cut at 40
    ({"size": None}, "size must be a whole number, not None"),
    ({"risk_min": 10**20}, "risk_min must be between 0 and 100, not 100000000000… (21 digits)"),
    ({"date_from": "2026-01-01" + "x" * 30}, f"date_from must be a date like 2026-03-01, not '2026-01-01{'x' * 30}'"),
    ({"date_from": "2026-03-01T10:00:00.00000+00:00:00.000000"},  # 41 characters: not read, though a time
     "date_from must be a date like 2026-03-01, not '2026-03-01T10:00:00.00000+00:00:00.00000…'"),
    ({"filters": {"phone": ["9" * (MAX_VALUE_CHARS + 1)]}}, "the phone filter is 513 characters long; at most 512"),
    ({"filters": {"source": ["board-\udcff"]}}, "the source filter is not valid UTF-8 text (character 7)"),
    ({"filters": {"phone": [str(i) for i in range(60)], "email": [str(i) for i in range(41)]}},
     "101 filter values; at most 100 in one search"),
    ({"risk_min": -1}, "risk_min must be between 0 and 100, not -1"),
    ({"risk_max": 101}, "risk_max must be between 0 and 100, not 101"),
    ({"risk_max": "50"}, "risk_max must be a whole number, not '50'"),
    ({"risk_min": True}, "risk_min must be a whole number, not True"),
    ({"risk_min": 10**30}, "risk_min must be between 0 and 100, not 100000000000… (31 digits)"),
    ({"risk_min": 10**19}, "risk_min must be between 0 and 100, not 10000000000000000000"),  # 20 digits: whole
    ({"risk_min": 51, "risk_max": 50}, "risk_min (51) is above risk_max (50)"),
    ({"date_to": "10000-01-01"}, "date_to must be a date like 2026-03-01, not '10000-01-01'"),
    ({"date_from": 20260101}, "date_from must be a date like 2026-03-01, not 20260101"),
    ({"date_from": "2026-01-01" + "x" * 31}, f"date_from must be a date like 2026-03-01, not '2026-01-01{'x' * 30}…'"),
    ({"date_from": "2026-03-02", "date_to": "2026-03-01"}, "date_from (2026-03-02) is after date_to (2026-03-01)"),
    ({"indexed_after": "yesterday"}, "indexed_after must be a time like 2026-03-01T12:00:00+00:00, not 'yesterday'"),
    ({"has_contact": "yes"}, "has_contact must be true or false"),
    ({"bbox": ("a", "b", "c", "d")}, "bbox must be 4 numbers"),
    ({"bbox": (1.0, 2.0, 3.0)}, "bbox must be 4 finite numbers"),
    ({"bbox": (float("nan"), 0.0, 1.0, 1.0)}, "bbox must be 4 finite numbers"),
    ({"bbox": (-180.1, 0.0, 1.0, 1.0)}, BBOX),
    ({"bbox": (0.0, 0.0, 180.1, 1.0)}, BBOX),
    ({"bbox": (0.0, -90.1, 1.0, 1.0)}, BBOX),
    ({"bbox": (0.0, 0.0, 1.0, 90.1)}, BBOX),
    ({"bbox": (2.0, 0.0, 1.0, 1.0)}, BBOX),  # west east of east
    ({"bbox": (0.0, 2.0, 1.0, 1.0)}, BBOX),  # south north of north
    ({"near": (16.0, 98.0, float("inf"))}, "near must be 3 finite numbers"),
    ({"near": (90.1, 98.0, 10.0)}, NEAR),
    ({"near": (-90.1, 98.0, 10.0)}, NEAR),
    ({"near": (16.0, 180.1, 10.0)}, NEAR),
    ({"near": (16.0, -180.1, 10.0)}, NEAR),
    ({"near": (16.0, 98.0, 0.0)}, NEAR),
    ({"near": (16.0, 98.0, 20040.1)}, NEAR),
    ({"sort": "colour"}, "unknown sort 'colour'; known: relevance, newest, oldest, risk"),
    ({"size": -1}, f"size must be between 0 and 1000, not -1{PAGE}"),
    ({"size": 1001}, f"size must be between 0 and 1000, not 1001{PAGE}"),
    ({"offset": -1}, f"offset must be between 0 and 10000, not -1{PAGE}"),
    ({"offset": 10001, "size": 0}, f"offset must be between 0 and 10000, not 10001{PAGE}"),
    ({"offset": 9981, "size": 20}, f"offset + size must be at most 10000{PAGE}"),
    ({"sort": "newest", "offset": 5, "cursor": encode_cursor([1, "x"])},
     "use either offset (shallow pages) or cursor (deep pagination), not both"),
    ({"sort": "newest", "cursor": encode_cursor([80, 1, "f1"])},
     "the page cursor does not fit this sort; start again from the first page"),
    ({"histogram": "year"}, "unknown histogram interval 'year'; known: day, week, month"),
    ({"geotile": -1}, "geotile zoom must be between 0 and 16, not -1"),
    ({"geotile": 17}, "geotile zoom must be between 0 and 16, not 17"),
    ({"highlight": "yes"}, "highlight must be true or false"),
]  # fmt: skip


@pytest.mark.parametrize(("asked", "message"), REFUSED)
def test_each_check_refuses_with_its_message(asked: dict[str, Any], message: str) -> None:
    with pytest.raises(QueryError) as caught:
        Query(**{"text": "*", **asked})
    assert str(caught.value) == message


ACCEPTED: list[dict[str, Any]] = [
    {"text": "a" * MAX_TEXT_CHARS},
    {"filters": {"phone": ["9" * MAX_VALUE_CHARS]}},
    {"filters": {"phone": [str(i) for i in range(60)], "email": [str(i) for i in range(MAX_FILTER_VALUES - 60)]}},
    {"risk_min": 0, "risk_max": 0},
    {"risk_min": 100, "risk_max": 100},
    {"risk_min": 0},
    {"risk_max": 100},
    {"date_from": "2026-03-01", "date_to": "2026-03-01"},
    {"date_from": "", "date_to": ""},
    {"date_from": "2026-03-01T10:00:00.0000+00:00:00.000000"},  # 40 characters: the longest read
    {"has_contact": False},
    {"bbox": (-180.0, -90.0, 180.0, 90.0)},
    {"bbox": (5.0, 5.0, 5.0, 5.0)},
    {"bbox": ("-1", "-1", "1", "1")},
    {"near": (90.0, 180.0, 20040.0)},
    {"near": (-90.0, -180.0, 0.001)},
    {"size": 0},
    {"size": 1000},
    {"offset": 10000, "size": 0},
    {"offset": 9000, "size": 1000},
    {"histogram": "day"},
    {"histogram": "week"},
    {"histogram": "month"},
    {"geotile": 0},
    {"geotile": 16},
    {"highlight": True},
    {"sort": "risk", "cursor": encode_cursor([80, None, "f1"])},
    {"filters": {f: ["x"] for f in FILTER_FIELDS}, "facets": tuple(FILTER_FIELDS)},
]


@pytest.mark.parametrize("asked", ACCEPTED)
def test_values_at_the_bounds_are_accepted(asked: dict[str, Any]) -> None:
    Query(**{"text": "*", **asked})


def test_filters_are_lists_of_text_and_empty_ones_are_dropped() -> None:
    query = Query("*", filters={"source": "board", "country": [], "language": ("th", 5)}, facets=["country"])  # type: ignore[dict-item]
    assert query.filters == {"source": ["board"], "language": ["th", "5"]}
    assert query.facets == ("country",)


@pytest.mark.parametrize(
    ("written", "stored"),
    [
        ("2026-03-01T12:00:00Z", "2026-03-01T12:00:00+00:00"),
        ("2026-03-01T12:00:00", "2026-03-01T12:00:00+00:00"),  # naive: UTC
        ("2026-03-01T19:00:00+07:00", "2026-03-01T12:00:00+00:00"),
    ],
)
def test_indexed_after_is_stored_in_utc(written: str, stored: str) -> None:
    assert Query("*", indexed_after=written).indexed_after == stored
    assert utc_timestamp(written) == stored


def test_a_bad_timestamp_names_the_value() -> None:
    with pytest.raises(QueryError) as caught:
        utc_timestamp("soon")
    assert str(caught.value) == "timestamp must be a time like 2026-03-01T12:00:00+00:00, not 'soon'"


@pytest.mark.parametrize(
    ("text", "sort", "expected"),
    [("*", "relevance", "newest"), ("", "relevance", "newest"), ("* *", "relevance", "newest"),
     ("visa", "relevance", "relevance"), ("*", "risk", "risk"), ("*", "oldest", "oldest")],
)  # fmt: skip
def test_a_query_that_matches_everything_sorts_newest_first(text: str, sort: str, expected: str) -> None:
    assert Query(text, sort=sort).sort == expected


def test_date_bounds_run_from_the_first_day_to_the_day_after_the_last() -> None:
    day_ms = 86_400_000
    first = int(datetime(2026, 3, 1, tzinfo=UTC).timestamp() * 1000)
    assert Query("*", date_from="2026-03-01", date_to="2026-03-01").date_bounds_ms() == (first, first + day_ms)
    assert Query("*", date_from="2026-03-01T23:00:00+00:00").date_bounds_ms() == (first, None)
    assert Query("*", date_to="2026-03-01").date_bounds_ms() == (None, first + day_ms)
    assert Query("*", date_to="9999-12-31").date_bounds_ms() == (None, None)  # no day after it
    assert Query("*").date_bounds_ms() == (None, None)


def test_epoch_milliseconds_of_a_timestamp() -> None:
    assert to_epoch_ms("2026-03-01T00:00:00Z") == 1772323200000
    assert to_epoch_ms("2026-03-01T00:00:00") == 1772323200000  # naive: UTC
    assert to_epoch_ms("2026-03-01T07:00:00+07:00") == 1772323200000
    assert to_epoch_ms("2026-03-01T00:00:00.250+00:00") == 1772323200250
    assert to_epoch_ms(None) is None and to_epoch_ms("") is None


def test_a_cursor_carries_its_values_and_point_in_time() -> None:
    cursor = encode_cursor([1.5, "f1"], pit="pit-id")
    assert "=" not in cursor
    assert decode_cursor(cursor) == ([1.5, "f1"], "pit-id")
    assert decode_cursor(cursor, "relevance") == ([1.5, "f1"], "pit-id")
    assert decode_cursor(encode_cursor([1, "f1"])) == ([1, "f1"], None)


@pytest.mark.parametrize(
    ("sort", "after", "fits"),
    [
        ("relevance", [1.5, "f1"], True),
        ("relevance", [2, "f1"], True),  # a whole score is a number too
        ("relevance", [None, "f1"], False),  # only a date may be missing
        ("relevance", [True, "f1"], False),
        ("relevance", [1.5, 7], False),  # the tiebreaker is the id, text
        ("relevance", [1.5, "x" * MAX_VALUE_CHARS], True),
        ("relevance", [1.5, "x" * (MAX_VALUE_CHARS + 1)], False),
        ("newest", [None, "f1"], True),
        ("newest", [1.5, "f1"], False),  # epoch milliseconds are whole
        ("newest", [-(2**63), "f1"], True),
        ("newest", [2**63 - 1, "f1"], True),
        ("newest", [2**63, "f1"], False),
        ("newest", [-(2**63) - 1, "f1"], False),
        ("newest", ["1", "f1"], False),
        ("newest", [1, "\udcff"], False),  # not UTF-8
        ("risk", [80, 1, "f1"], True),
        ("risk", [80, "f1"], False),
        ("oldest", [1, "f1", "x"], False),
    ],
)
def test_a_cursor_must_fit_its_sort(sort: str, after: list[Any], fits: bool) -> None:
    cursor = encode_cursor(after)
    if fits:
        assert decode_cursor(cursor, sort) == (after, None)
    else:
        with pytest.raises(
            QueryError, match="^the page cursor does not fit this sort; start again from the first page$"
        ):
            decode_cursor(cursor, sort)


@pytest.mark.parametrize("cursor", [5, "A" * 4097, "%%%", encode_cursor([1])[:-3] + "!!!"])
def test_a_cursor_that_is_not_one_is_refused(cursor: Any) -> None:
    with pytest.raises(QueryError, match="^the page cursor is not valid; start again from the first page$"):
        decode_cursor(cursor)


def test_a_cursor_is_compact_json_in_unpadded_url_safe_base64() -> None:
    assert encode_cursor([1, "f1"]) == "eyJhZnRlciI6WzEsImYxIl0sInBpdCI6bnVsbH0"  # {"after":[1,"f1"],"pit":null}
    longest = encode_cursor([1, "f1"], pit="p" * 3045)  # 3,072 bytes of JSON: 4,096 characters
    assert len(longest) == MAX_CURSOR_CHARS and decode_cursor(longest, "newest") == ([1, "f1"], "p" * 3045)


def test_a_value_changed_after_the_query_was_built_is_checked_as_text() -> None:
    query = Query("*")
    query.filters = {"source": [5]}  # type: ignore[list-item]
    with pytest.raises(QueryError) as caught:
        query.validate()
    assert str(caught.value) == "the source filter must be text"


def test_parse_alone_refuses_a_long_text_with_its_length() -> None:
    with pytest.raises(QueryError) as caught:
        parse("a" * (MAX_TEXT_CHARS + 1))
    assert str(caught.value) == "the query text is 2001 characters long; at most 2000"


def test_naive_times_are_utc_whatever_the_machines_zone(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("TZ", "Asia/Bangkok")
    time.tzset()
    try:
        assert utc_timestamp("2026-03-01T12:00:00") == "2026-03-01T12:00:00+00:00"
        assert to_epoch_ms("2026-03-01T00:00:00") == 1772323200000
    finally:
        monkeypatch.undo()
        time.tzset()
