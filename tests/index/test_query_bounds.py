"""Hostile queries: every one is refused with a QueryError that says what to change, on both backends,
never a traceback or a server error; and the CLI prints it as one line with a hint, exit 2."""

from __future__ import annotations

import base64
import json
import os
import subprocess
import sys
import uuid
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from lurewatch.errors import LureWatchError
from lurewatch.index.base import Index
from lurewatch.index.query import MAX_DEPTH, MAX_WORDS, Query, QueryError, encode_cursor, parse
from lurewatch.index.sqlite.backend import SqliteIndex
from lurewatch.settings import Settings
from tests.index.handbuilt import handbuilt_findings

BACKENDS = ["sqlite", pytest.param("elasticsearch", marks=pytest.mark.elasticsearch)]


def _raw_cursor(payload: Any) -> str:
    return base64.urlsafe_b64encode(json.dumps(payload).encode()).decode().rstrip("=")


HOSTILE: dict[str, dict[str, Any]] = {
    "1000 OR terms": {"text": " | ".join(f"w{i}" for i in range(1000))},
    "1000 nested brackets": {"text": "(" * 1000 + "a" + ")" * 1000},
    "a very long text": {"text": "visa " * 2000},
    "unbalanced close": {"text": "visa ) passport"},
    "unclosed bracket": {"text": "(visa | passport"},
    "huge offset": {"text": "*", "offset": 10**30},
    "offset past the window": {"text": "*", "offset": 9_990, "size": 20},
    "negative offset": {"text": "*", "offset": -1},
    "huge risk_min": {"text": "*", "risk_min": 10**30},
    "risk_max above 100": {"text": "*", "risk_max": 101},
    "risk_min above risk_max": {"text": "*", "risk_min": 80, "risk_max": 20},
    "risk as a boolean": {"text": "*", "risk_min": True},
    "date past year 9999": {"text": "*", "date_to": "10000-01-01"},
    "date with garbage": {"text": "*", "date_from": "2026-03-01; DROP TABLE findings"},
    "date_from after date_to": {"text": "*", "date_from": "2026-03-02", "date_to": "2026-03-01"},
    "cursor not base64 json": {"text": "*", "sort": "newest", "cursor": "%%%not-a-cursor%%%"},
    "cursor of a list": {"text": "*", "sort": "newest", "cursor": _raw_cursor([1, 2])},
    "cursor of another sort": {"text": "*", "sort": "newest", "cursor": encode_cursor([80, 1, "f1"])},
    "cursor with an object": {"text": "*", "sort": "newest", "cursor": _raw_cursor({"after": [{"a": 1}, "x"]})},
    "cursor with a huge number": {"text": "*", "sort": "newest", "cursor": _raw_cursor({"after": [10**30, "x"]})},
    "cursor with NaN": {"text": "*", "sort": "relevance", "cursor": encode_cursor([float("nan"), "x"])},
    "cursor with a number pit": {"text": "*", "sort": "newest", "cursor": _raw_cursor({"after": [1, "x"], "pit": 5})},
    "a very long cursor": {"text": "*", "sort": "newest", "cursor": "A" * 100_000},
    "cursor and offset": {"text": "*", "sort": "newest", "offset": 5, "cursor": encode_cursor([1, "x"])},
    "non-UTF-8 filter value": {"text": "*", "filters": {"source": ["board-\udcff"]}},
    "non-UTF-8 text": {"text": "visa \udcff"},
    "a very long filter value": {"text": "*", "filters": {"phone": ["9" * 10_000]}},
    "too many filter values": {"text": "*", "filters": {"phone": [str(i) for i in range(1000)]}},
    "unknown filter": {"text": "*", "filters": {"colour": ["red"]}},
    "unknown facet": {"text": "*", "facets": ("colour",)},
    "bbox out of range": {"text": "*", "bbox": (-500.0, 0.0, 500.0, 10.0)},
    "bbox upside down": {"text": "*", "bbox": (99.0, 17.0, 98.0, 16.0)},
    "bbox with NaN": {"text": "*", "bbox": (float("nan"), 0.0, 1.0, 1.0)},
    "bbox of three numbers": {"text": "*", "bbox": (1.0, 2.0, 3.0)},
    "near with infinite km": {"text": "*", "near": (16.0, 98.0, float("inf"))},
    "near a latitude of 91": {"text": "*", "near": (91.0, 98.0, 10.0)},
    "near zero km": {"text": "*", "near": (16.0, 98.0, 0.0)},
    "size above the maximum": {"text": "*", "size": 10**9},
    "geotile zoom 99": {"text": "*", "geotile": 99},
    "unknown sort": {"text": "*", "sort": "colour"},
}


@pytest.mark.parametrize("name", list(HOSTILE))
def test_each_hostile_query_is_refused_in_the_model(name: str) -> None:
    with pytest.raises(QueryError) as caught:
        Query(**HOSTILE[name])
    message = str(caught.value)
    assert message and "\n" not in message and len(message) < 300
    assert isinstance(caught.value, LureWatchError) and caught.value.hint  # the CLI prints it with its hint


def test_an_unbalanced_bracket_no_longer_drops_the_rest() -> None:
    with pytest.raises(QueryError, match=r"unbalanced '\)' at character 6"):
        parse("visa ) passport")
    assert parse('visa ")" passport') is not None  # quoted, it is searched for (and has no words)


def test_the_limits_themselves_are_accepted() -> None:
    Query(" | ".join(f"w{i}" for i in range(MAX_WORDS)))
    Query("(" * MAX_DEPTH + "a" + ")" * MAX_DEPTH)
    Query("*", offset=9_980, size=20)
    Query("*", date_from="0001-01-01", date_to="9999-12-31", risk_min=0, risk_max=100)
    Query("*", date_from="2026-03-01T10:00:00+00:00")  # an ISO timestamp counts as its day


@pytest.fixture(scope="module", params=BACKENDS)
def store(request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory) -> Iterator[Index]:
    if request.param == "sqlite":
        index: Index = SqliteIndex(Path(tmp_path_factory.mktemp("bounds")) / "index.sqlite")
    else:
        from elasticsearch import Elasticsearch

        from lurewatch.index.elasticsearch.backend import ElasticsearchIndex

        index = ElasticsearchIndex(
            Elasticsearch(request.getfixturevalue("es_url")), f"test-bounds-{uuid.uuid4().hex[:8]}"
        )
    index.setup()
    index.upsert(handbuilt_findings())
    yield index
    if request.param == "elasticsearch":
        index.client.indices.delete(index=index.versioned)  # type: ignore[attr-defined]
    index.close()


@pytest.mark.parametrize("name", ["cursor of a list", "cursor of another sort", "cursor with an object",
                                  "cursor with a huge number", "non-UTF-8 filter value", "huge offset"])  # fmt: skip
def test_a_query_changed_after_it_was_built_is_checked_again_by_the_backend(store: Index, name: str) -> None:
    query = Query("*", sort=HOSTILE[name].get("sort", "relevance"))
    for key, value in HOSTILE[name].items():
        setattr(query, key, value)  # as a caller that edits a query in place would
    with pytest.raises(QueryError):
        store.search(query)


def test_a_forged_point_in_time_is_a_query_error(store: Index) -> None:
    cursor = encode_cursor([1773100800000, "f8"], "bm90LWEtcmVhbC1wb2ludC1pbi10aW1l")
    query = Query("*", sort="newest", size=2, cursor=cursor)
    if store.backend == "elasticsearch":
        with pytest.raises(QueryError, match="cursor"):
            store.search(query)
    else:  # SQLite has no point in time: the sort values alone place the page
        assert [h.posting_id for h in store.search(query).hits] == ["f3", "f7"]


def test_the_widest_valid_values_run(store: Index) -> None:
    assert store.search(Query(" | ".join(f"w{i}" for i in range(MAX_WORDS)))).total == 0
    assert store.search(Query("(" * MAX_DEPTH + "night" + ")" * MAX_DEPTH)).total == 5
    assert store.search(Query("*", offset=9_980, size=20)).hits == []
    assert store.search(Query("*", date_from="0001-01-01", date_to="9999-12-31")).total == 9
    assert store.search(Query("*", near=(0.0, 0.0, 20_040.0))).total == 8


def _lurewatch(*args: str, settings: Settings) -> subprocess.CompletedProcess[bytes]:
    env = {**os.environ, "LUREWATCH_DATA_DIR": str(settings.data_dir), "LUREWATCH_INDEX": "sqlite", "COLUMNS": "60"}
    return subprocess.run([sys.executable, "-m", "lurewatch", *args], env=env, capture_output=True, timeout=120)


def test_the_cli_prints_one_line_and_a_hint(settings: Settings) -> None:
    store = SqliteIndex(settings.sqlite_file)
    store.setup()
    store.upsert(handbuilt_findings())
    store.close()
    cases = [
        (["search", "visa ) passport"], "unbalanced ')'"),
        (["search", "(" * 1000], "brackets nest deeper"),
        (["search", " | ".join(f"w{i}" for i in range(1000))], "characters long"),
        (["search", "*", "--offset", "1" + "0" * 30], "offset must be between"),
        (["search", "*", "-f", "source=[/red]x"], None),  # markup in a value is printed as text
        (["search", "*", "-f", "colour=[/x]"], "unknown filter"),
        ([os.fsdecode(b"search"), os.fsdecode(b"visa \xff")], "not valid UTF-8"),  # bytes from a shell
    ]
    for args, message in cases:
        result = _lurewatch(*args, settings=settings)
        stderr = result.stderr.decode("utf-8", "replace")
        if message is None:
            assert result.returncode == 0, stderr
            continue
        lines = stderr.strip().splitlines()
        assert result.returncode == 2, stderr
        assert len(lines) == 2 and lines[0].startswith("error: ") and message in lines[0], stderr
        assert lines[1].startswith("hint: ") and "Traceback" not in stderr
