"""The SQLite query evaluation at its edges, on a few hand-built findings with exact ids (SQLite only, no Elasticsearch).

Each finding sits just inside or just outside one boundary: a bounding-box edge (within the R*Tree's
1e-4° slack, so only the exact comparison decides), a radius (a few metres either side), a relevance
order that is not the id order, a moment of indexing. The expected ids are worked out by hand.
"""

from __future__ import annotations

import dataclasses
import math
from collections.abc import Iterator
from pathlib import Path

import numpy as np
import pytest

from lurewatch.geo import EARTH_RADIUS_M, distance_m
from lurewatch.index.query import Query, QueryError, highlight_words
from lurewatch.index.sqlite.backend import SqliteIndex
from lurewatch.index.sqlite.matching import Matcher, order
from lurewatch.records import Finding

BOX = (98.0, 16.0, 99.0, 17.0)  # west, south, east, north
CENTRE = (16.5, 98.5)  # lat, lon
EPS = 5e-5  # degrees: inside the R*Tree pre-filter's slack (1e-4), so only the exact check can tell


def _north_of(lat: float, lon: float, metres: float) -> tuple[float, float]:
    return lat + math.degrees(metres / EARTH_RADIUS_M), lon


PLACES: dict[str, tuple[float, float]] = {  # id -> (lat, lon)
    "e-west-on": (16.5, 98.0),  # exactly on each edge: inside (the box is closed)
    "e-east-on": (16.5, 99.0),
    "e-south-on": (16.0, 98.5),
    "e-north-on": (17.0, 98.5),
    "e-west-out": (16.5, 98.0 - EPS),  # just outside each edge
    "e-east-out": (16.5, 99.0 + EPS),
    "e-south-out": (16.0 - EPS, 98.5),
    "e-north-out": (17.0 + EPS, 98.5),
    "r-inside": _north_of(*CENTRE, 9_996.0),  # 10 km radius: 4 m inside
    "r-beyond": _north_of(*CENTRE, 10_004.0),  # 4 m beyond (inside 10 km * 1.001)
}
TEXTS = {  # relevance: r-dense says "typist" three times in a short text, e-west-on once in a long one
    "e-west-on": "Typist wanted for a long list of office duties, filing, copying, answering the phone, sorting mail.",
    "r-dense": "Typist typist typist.",
}
STAMPS = {"e-west-on": "2026-03-01T00:00:00+00:00", "e-east-on": "2026-03-02T00:00:00+00:00"}
OLD_STAMP = "2026-01-01T00:00:00+00:00"


def _finding(pid: str) -> Finding:
    place = PLACES.get(pid)
    return Finding(
        posting_id=pid, source="board-a", source_kind="board", url=f"https://jobs.example/{pid}",
        canonical_url=f"https://jobs.example/{pid}", run_id="edges", language="en", title=pid,
        text=TEXTS.get(pid, "Office work."), fetched_at="2026-03-10T12:00:00+00:00",
        first_seen="2026-03-10T12:00:00+00:00", last_seen="2026-03-10T12:00:00+00:00", cluster_id=pid,
        geo={"lat": place[0], "lon": place[1]} if place else None,
    )  # fmt: skip


@pytest.fixture(scope="module")
def store(tmp_path_factory: pytest.TempPathFactory) -> Iterator[SqliteIndex]:
    index = SqliteIndex(Path(tmp_path_factory.mktemp("edges")) / "index.sqlite")
    index.setup()
    pids = [*PLACES, "r-dense"]
    assert index.upsert([_finding(pid) for pid in pids]).written == len(pids)
    # upsert stamps every row with the same second; set the moments of indexing by hand to pin the filter
    index.db.execute("UPDATE findings SET indexed_at = ?", (OLD_STAMP,))
    for pid, stamp in STAMPS.items():
        index.db.execute("UPDATE findings SET indexed_at = ? WHERE posting_id = ?", (stamp, pid))
    index.db.commit()
    yield index
    index.close()


def _ids(store: SqliteIndex, query: Query) -> set[str]:
    query.size = 100
    result = store.search(query)
    found = [h.posting_id for h in result.hits]
    assert result.total == len(found)
    return set(found)


def test_the_places_sit_where_the_table_says() -> None:
    assert 9_990 < distance_m(*CENTRE, *PLACES["r-inside"]) < 10_000 < distance_m(*CENTRE, *PLACES["r-beyond"]) < 10_010


def test_a_bounding_box_keeps_its_edges_and_nothing_past_them(store: SqliteIndex) -> None:
    inside = {"e-west-on", "e-east-on", "e-south-on", "e-north-on", "r-inside", "r-beyond"}
    assert _ids(store, Query("*", bbox=BOX)) == inside


@pytest.mark.parametrize(
    ("bbox", "expected"),
    [
        ((98.0 - EPS, 16.0, 99.0, 17.0), {"e-west-out"}),
        ((98.0, 16.0, 99.0 + EPS, 17.0), {"e-east-out"}),
        ((98.0, 16.0 - EPS, 99.0, 17.0), {"e-south-out"}),
        ((98.0, 16.0, 99.0, 17.0 + EPS), {"e-north-out"}),
    ],
)
def test_widening_one_edge_by_a_hair_takes_in_just_the_finding_there(
    store: SqliteIndex, bbox: tuple[float, float, float, float], expected: set[str]
) -> None:
    assert _ids(store, Query("*", bbox=bbox)) - _ids(store, Query("*", bbox=BOX)) == expected


def test_a_box_reduced_to_one_edge_finds_only_what_lies_on_it(store: SqliteIndex) -> None:
    assert _ids(store, Query("*", bbox=(98.0, 16.0, 98.0, 17.0))) == {"e-west-on"}
    assert _ids(store, Query("*", bbox=(99.0, 16.0, 99.0, 17.0))) == {"e-east-on"}
    assert _ids(store, Query("*", bbox=(98.0, 16.0, 99.0, 16.0))) == {"e-south-on"}
    assert _ids(store, Query("*", bbox=(98.0, 17.0, 99.0, 17.0))) == {"e-north-on"}


def test_a_radius_takes_what_is_metres_inside_and_leaves_what_is_metres_beyond(store: SqliteIndex) -> None:
    assert _ids(store, Query("*", near=(*CENTRE, 10.0))) == {"r-inside"}
    assert _ids(store, Query("*", near=(*CENTRE, 10.008))) == {"r-inside", "r-beyond"}


def test_relevance_ranks_the_denser_match_first_whatever_the_ids(store: SqliteIndex) -> None:
    hits = store.search(Query("typist", sort="relevance", size=10)).hits
    assert [h.posting_id for h in hits] == ["r-dense", "e-west-on"]  # id order would put e-west-on first
    assert hits[0].score > hits[1].score > 0


def test_relevance_with_a_negated_word_still_ranks_by_the_positive_ones(store: SqliteIndex) -> None:
    hits = store.search(Query("typist -filing", sort="relevance", size=10)).hits
    assert [h.posting_id for h in hits] == ["r-dense"] and hits[0].score > 0


def test_indexed_after_includes_its_moment_and_leaves_what_came_before(store: SqliteIndex) -> None:
    assert _ids(store, Query("*", indexed_after=STAMPS["e-east-on"])) == {"e-east-on"}
    assert _ids(store, Query("*", indexed_after="2026-02-15T00:00:00+00:00")) == {"e-west-on", "e-east-on"}
    assert len(_ids(store, Query("*", indexed_after=OLD_STAMP))) == len(PLACES) + 1
    assert _ids(store, Query("*", indexed_after="2026-03-02T00:00:01+00:00")) == set()


def test_a_negated_word_never_adds_to_the_score(store: SqliteIndex) -> None:
    # e-west-on says "typist" once and "filing" once: only the positive word may rank it, with or without a NOT
    def score(text: str) -> float:
        return next(
            h.score for h in store.search(Query(text, sort="relevance", size=100)).hits if h.posting_id == "e-west-on"
        )

    alone = score("typist")
    assert score("typist | -filing") == alone
    assert score("typist | -(filing office)") == alone


def test_a_word_of_two_tokens_needs_both(store: SqliteIndex) -> None:
    assert _ids(store, Query("office-duties")) == {"e-west-on"}  # "Office work." elsewhere: no "duties"
    assert _ids(store, Query("typist-filing")) == {"e-west-on"}  # r-dense has "typist" only


def test_a_term_without_words_restricts_nothing(store: SqliteIndex) -> None:
    assert _ids(store, Query("typist ???")) == _ids(store, Query("typist")) == {"r-dense", "e-west-on"}


def test_the_matcher_itself_refuses_an_inverted_box(store: SqliteIndex) -> None:
    message = "^bounding box must be west,south,east,north with west <= east and south <= north$"
    matcher = Matcher(store.db, store.columns.current(store.db))
    for bbox in [(99.0, 16.0, 98.0, 17.0), (98.0, 17.0, 99.0, 16.0)]:
        query = Query("*")
        query.bbox = bbox  # past Query's own check: the matcher must not trust its input
        with pytest.raises(QueryError, match=message):
            matcher.mask(query)


def test_a_cursor_of_the_wrong_length_is_refused_with_a_hint(store: SqliteIndex) -> None:
    snapshot = store.columns.current(store.db)
    everything = np.arange(len(snapshot))
    with pytest.raises(QueryError, match="^the page cursor does not fit this sort; start again from the first page$"):
        order(snapshot, everything, "newest", None, 10, after=[1])
    with pytest.raises(QueryError, match="^the page cursor does not fit this sort; start again from the first page$"):
        order(snapshot, everything, "risk", None, 10, after=[1, "x"])


def test_no_word_of_a_negated_group_is_shown_as_matched() -> None:
    assert highlight_words(Query("typist -(filing office) shi*")) == [("typist", False), ("shi", True)]


def test_an_unspaced_word_matches_segmented_and_written_whole(tmp_path: Path) -> None:
    # "งานง่าย" ("easy job"): t-split holds it segmented ("งาน ง่าย"), t-whole as one word (segmented by hand),
    # t-apart has both pieces but not next to each other
    index = SqliteIndex(tmp_path / "index.sqlite")
    index.setup()
    texts = {"t-split": "งาน ง่าย", "t-whole": "งานง่าย", "t-apart": "ง่าย และ งาน ดี"}
    index.upsert(
        [
            dataclasses.replace(_finding(pid), language="th", text=text, text_segmented=text)
            for pid, text in texts.items()
        ]
    )
    try:
        assert _ids(index, Query("งานง่าย")) == {"t-split", "t-whole"}
    finally:
        index.close()
