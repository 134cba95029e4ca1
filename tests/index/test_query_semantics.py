"""Every query feature pinned on nine hand-built findings (tests/index/handbuilt.py), on each backend on its own.

The expected ids are worked out by hand from the table in handbuilt.py; the SQLite half runs without
Elasticsearch, so a change of meaning in the SQLite compiler fails here even where the parity suite
cannot run. The Elasticsearch half runs the very same cases against the real node.
"""

from __future__ import annotations

import uuid
from collections.abc import Iterator
from pathlib import Path

import pytest

from lurewatch.index.base import Index
from lurewatch.index.query import Query
from lurewatch.index.sqlite.backend import SqliteIndex
from tests.index.handbuilt import IDS, handbuilt_findings

BACKENDS = ["sqlite", pytest.param("elasticsearch", marks=pytest.mark.elasticsearch)]


@pytest.fixture(scope="module", params=BACKENDS)
def store(request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory) -> Iterator[Index]:
    if request.param == "sqlite":
        index: Index = SqliteIndex(Path(tmp_path_factory.mktemp("handbuilt")) / "index.sqlite")
    else:
        from elasticsearch import Elasticsearch

        from lurewatch.index.elasticsearch.backend import ElasticsearchIndex

        es_url = request.getfixturevalue("es_url")
        index = ElasticsearchIndex(Elasticsearch(es_url), f"test-hand-{uuid.uuid4().hex[:8]}")
    index.setup()
    assert index.upsert(handbuilt_findings()).written == len(IDS)
    yield index
    if request.param == "elasticsearch":
        index.client.indices.delete(index=index.versioned)  # type: ignore[attr-defined]
    index.close()


def ids(store: Index, query: Query) -> set[str]:
    query.size = 100
    result = store.search(query)
    found = [h.posting_id for h in result.hits]
    assert result.total == len(found)
    return set(found)


def order(store: Index, query: Query) -> list[str]:
    query.size = 100
    return [h.posting_id for h in store.search(query).hits]


# --- text ---------------------------------------------------------------------------------------------

TEXT_CASES = {
    '"night shift"': {"f1"},  # a phrase: the words next to each other, in this order
    '"shift night"': {"f8"},
    "night shift": {"f1", "f2", "f8"},  # words: all of them, anywhere
    "visa -passport": {"f1"},
    "night -shift": {"f7", "f9"},
    "-night": {"f3", "f4", "f5", "f6"},
    "hotel | usdt": {"f4", "f8", "f9"},
    "(hotel | crypto) -usdt": {"f4", "f9"},
    "+free +night": {"f1", "f9"},
    "recruit*": {"f3", "f7"},
    "高薪": {"f5"},
    "งาน": {"f6"},
    "RECEPTIONIST": {"f4"},
    "zzzz": set(),
}


@pytest.mark.parametrize("text", list(TEXT_CASES))
def test_text_matches_exactly(store: Index, text: str) -> None:
    assert ids(store, Query(text)) == TEXT_CASES[text]


def test_a_phrase_is_not_an_and_of_its_words(store: Index) -> None:
    assert ids(store, Query('"night shift"')) < ids(store, Query("night shift"))


def test_not_removes_what_it_names(store: Index) -> None:
    assert ids(store, Query("visa")) == {"f1", "f3"}
    assert ids(store, Query("visa -passport")) == {"f1"}


# --- filters ------------------------------------------------------------------------------------------

FILTER_CASES: list[tuple[dict[str, list[str]], set[str]]] = [
    ({"source": ["board-a"]}, {"f1", "f4", "f6", "f8", "f9"}),
    ({"source_kind": ["social"]}, {"f3"}),
    ({"source_kind": ["channel"]}, {"f5"}),
    ({"language": ["th"]}, {"f6"}),
    ({"language": ["zh", "tl"]}, {"f5", "f9"}),
    ({"country": ["MM"]}, {"f1", "f2"}),
    ({"country": ["MM", "LA"]}, {"f1", "f2", "f5"}),  # OR within a field
    ({"country": ["MM"], "source": ["board-b"]}, {"f2"}),  # AND across fields
    ({"compound": ["KK Park"]}, {"f1"}),
    ({"cluster": ["c-night"]}, {"f1", "f2", "f8"}),
    ({"indicator": ["crypto_wallet"]}, {"f3", "f5", "f8"}),
    ({"indicator": ["telegram_only"]}, {"f1", "f8"}),
    ({"phone": ["+959123456789"]}, {"f1"}),
    ({"telegram": ["hr_kk"]}, {"f1", "f8"}),
    ({"whatsapp": ["+959987654321"]}, {"f2"}),
    ({"line": ["kefu88"]}, {"f5"}),
    ({"wechat": ["wx_kefu"]}, {"f5"}),
    ({"signal": ["+85512000111"]}, {"f6"}),
    ({"email": ["jobs@agency.example"]}, {"f3"}),
    ({"domain": ["hotel.example"]}, {"f9"}),
    ({"wallet": ["TXyz1111111111111111111111111111111"]}, {"f3", "f8"}),
    ({"phash": ["aaaa0000aaaa0000"]}, {"f1", "f8"}),
    ({"location": ["Mae Sot"]}, {"f8"}),
    ({"phone": ["+10000000000"]}, set()),
]


@pytest.mark.parametrize(("filters", "expected"), FILTER_CASES, ids=[str(c[0]) for c in FILTER_CASES])
def test_each_filter(store: Index, filters: dict[str, list[str]], expected: set[str]) -> None:
    assert ids(store, Query("*", filters=filters)) == expected


def test_risk_bounds_are_inclusive(store: Index) -> None:
    assert ids(store, Query("*", risk_min=60)) == {"f1", "f2", "f5", "f6", "f8"}
    assert ids(store, Query("*", risk_max=60)) == {"f2", "f3", "f4", "f6", "f7", "f9"}
    assert ids(store, Query("*", risk_min=60, risk_max=60)) == {"f2", "f6"}
    assert ids(store, Query("*", risk_min=61)) == {"f1", "f5", "f8"}
    assert ids(store, Query("*", risk_min=0, risk_max=0)) == {"f7"}


def test_date_to_includes_its_whole_day(store: Index) -> None:
    # f1 at 23:59:59 on the 10th is in; f2 at 00:00:00 on the 11th is out
    assert ids(store, Query("*", date_to="2026-03-10")) == {"f1", "f3", "f4", "f5", "f7", "f8", "f9"}
    assert ids(store, Query("*", date_from="2026-03-10")) == {"f1", "f2", "f6", "f8", "f9"}
    assert ids(store, Query("*", date_from="2026-03-10", date_to="2026-03-10")) == {"f1", "f8", "f9"}
    assert ids(store, Query("*", date_from="2026-03-01", date_to="2026-03-01")) == {"f4"}


def test_the_widest_dates_are_accepted(store: Index) -> None:
    assert ids(store, Query("*", date_from="0001-01-01", date_to="9999-12-31")) == set(IDS)
    assert ids(store, Query("*", date_from="9999-12-31")) == set()


def test_has_contact_both_ways(store: Index) -> None:
    assert ids(store, Query("*", has_contact=True)) == {"f1", "f2", "f3", "f5", "f6", "f8"}
    assert ids(store, Query("*", has_contact=False)) == {"f4", "f7", "f9"}  # a domain is not a contact


def test_text_and_filters_combine(store: Index) -> None:
    assert ids(store, Query("night", filters={"cluster": ["c-night"]}, risk_max=61)) == {"f2", "f8"}


# --- geo ----------------------------------------------------------------------------------------------


def test_bounding_box(store: Index) -> None:
    assert ids(store, Query("*", bbox=(98.0, 16.0, 99.0, 17.0))) == {"f1", "f2", "f8"}
    assert ids(store, Query("*", bbox=(100.0, 10.0, 106.0, 14.0))) == {"f3", "f4", "f6"}


def test_distance(store: Index) -> None:
    # from Mae Sot: KK Park is 9.6 km away, Shwe Kokko 12.2 km
    assert ids(store, Query("*", near=(16.7167, 98.5667, 11.0))) == {"f1", "f8"}
    assert ids(store, Query("*", near=(16.7167, 98.5667, 13.0))) == {"f1", "f2", "f8"}


# --- sorts, pages, aggregations -----------------------------------------------------------------------

NEWEST = ["f6", "f2", "f1", "f9", "f8", "f3", "f7", "f4", "f5"]
RISK = ["f5", "f1", "f8", "f6", "f2", "f3", "f9", "f4", "f7"]  # ties on 60: the newer first


def test_sorts(store: Index) -> None:
    assert order(store, Query("*", sort="newest")) == NEWEST
    assert order(store, Query("*", sort="oldest")) == NEWEST[::-1]
    assert order(store, Query("*", sort="risk")) == RISK
    assert order(store, Query("night", sort="risk")) == ["f1", "f8", "f2", "f9", "f7"]


@pytest.mark.parametrize(("sort", "expected"), [("newest", NEWEST), ("oldest", NEWEST[::-1]), ("risk", RISK)])
def test_cursor_pages_walk_the_whole_order_once(store: Index, sort: str, expected: list[str]) -> None:
    walked: list[str] = []
    query = Query("*", sort=sort, size=2, facets=())
    while True:
        result = store.search(query)
        walked += [h.posting_id for h in result.hits]
        if result.next_cursor is None:
            break
        query = Query("*", sort=sort, size=2, facets=(), cursor=result.next_cursor)
    assert walked == expected


def test_offset_pages(store: Index) -> None:
    result = store.search(Query("*", sort="newest", size=3, offset=2))
    assert [h.posting_id for h in result.hits] == ["f1", "f9", "f8"] and result.total == 9


def test_iterate_streams_every_hit(store: Index) -> None:
    assert [h.posting_id for h in store.iterate(Query("*", sort="risk", size=4))] == RISK


def test_facets_histogram_and_tiles(store: Index) -> None:
    result = store.search(Query("*", facets=("country", "indicator", "telegram"), histogram="day", geotile=0))
    assert result.facets["country"] == [("KH", 2), ("MM", 2), ("TH", 2), ("LA", 1), ("PH", 1)]
    assert result.facets["indicator"] == [("crypto_wallet", 3), ("telegram_only", 2), ("free_visa_flight", 1),
                                          ("passport_retained", 1)]  # fmt: skip
    assert result.facets["telegram"] == [("hr_kk", 2)]
    assert ("2026-03-10", 3) in result.histogram and sum(n for _, n in result.histogram) == 9
    assert result.geotiles == [("0/0/0", 8)]  # f7 has no place
    narrowed = store.search(Query("night", facets=("country",)))
    assert narrowed.facets["country"] == [("MM", 2), ("PH", 1), ("TH", 1)]


def test_get_returns_the_stored_finding(store: Index) -> None:
    found = store.get("f3")
    assert found is not None and found.wallets[0].address.startswith("TXyz") and found.risk_score == 59
    assert store.get("nope") is None
    assert store.count() == 9
