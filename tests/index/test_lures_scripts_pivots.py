"""One row per lure, words typed as people type them in every script, posting dates, query words, forgiving
pivots: pinned by id on the hand-built findings (tests/index/handbuilt.py) plus a few in unspaced scripts, on
each backend on its own (the expected ids are worked out by hand, never by running a backend).

| id | what | cluster | posted / fetched |
|---|---|---|---|
| s1 | Thai: ต้องการพนักงานคีย์ข้อมูลจำนวนมาก (data-entry staff wanted) | s1 | fetched 2026-03-02 |
| s2 | Thai: ข้อมูลสำหรับคีย์บอร์ด (the same two words, apart and reversed) | s1 | fetched 2026-03-03 |
| s3 | Burmese: စာရိုက်ဝန်ထမ်း ၅၀ ဦး (50 typists) | s3 | posted 2026-01-05, fetched 2026-03-04 |
| s4 | Khmer ការងារវាយអក្សរ, Lao ວຽກພິມເອກະສານ, Chinese 招聘打字员, Japanese データ入力 | s4 | fetched 2026-03-04 |
| s5 | English, phone +85512345678 (typed 012 345 678), telegram Boss_KH, wallet, wa.me as a domain | s5 | |
"""

from __future__ import annotations

import uuid
from collections.abc import Iterator
from pathlib import Path

import pytest

from lurewatch.index.base import Index
from lurewatch.index.pivots import pivot_query, summarise
from lurewatch.index.query import HIGHLIGHT_POST as POST
from lurewatch.index.query import HIGHLIGHT_PRE as PRE
from lurewatch.index.query import Query, QueryError, parse
from lurewatch.index.sqlite.backend import SqliteIndex
from lurewatch.records import Contacts, Finding, Wallet
from lurewatch.segment import segment
from tests.index.handbuilt import handbuilt_findings

BACKENDS = ["sqlite", pytest.param("elasticsearch", marks=pytest.mark.elasticsearch)]


def _scripted(pid: str, text: str, fetched: str, **fields: object) -> Finding:
    return Finding(
        posting_id=pid, source="board-s", source_kind="board", url=f"https://jobs.example/{pid}",
        canonical_url=f"https://jobs.example/{pid}", run_id="hand", fetched_at=fetched, first_seen=fetched,
        last_seen=fetched, title=fields.pop("title", pid), text=text, text_segmented=segment(text),  # type: ignore[arg-type]
        cluster_id=str(fields.pop("cluster_id", pid)), **fields,  # type: ignore[arg-type]
    )  # fmt: skip


def scripted_findings() -> list[Finding]:
    return [
        _scripted("s1", "ต้องการพนักงานคีย์ข้อมูลจำนวนมาก", "2026-03-02T09:00:00+00:00", language="th"),
        _scripted("s2", "ข้อมูลสำหรับคีย์บอร์ด", "2026-03-03T09:00:00+00:00", language="th", cluster_id="s1"),
        _scripted("s3", "စာရိုက်ဝန်ထမ်း ၅၀ ဦး", "2026-03-04T09:00:00+00:00", language="my",
                  posted_at="2026-01-05T00:00:00+00:00"),
        _scripted("s4", "ការងារវាយអក្សរ ວຽກພິມເອກະສານ 招聘打字员 データ入力のお仕事", "2026-03-04T10:00:00+00:00"),
        _scripted("s5", "Casino work, call 012 345 678", "2026-03-04T11:00:00+00:00",
                  contacts=Contacts(phones=["+85512345678"], telegram=["boss_kh"], domains=["wa.me", "casino.example"]),
                  wallets=[Wallet("tron", "TBoss111111111111111111111111111111")]),
    ]  # fmt: skip


@pytest.fixture(scope="module", params=BACKENDS)
def store(request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory) -> Iterator[Index]:
    if request.param == "sqlite":
        index: Index = SqliteIndex(Path(tmp_path_factory.mktemp("round2")) / "index.sqlite")
    else:
        from elasticsearch import Elasticsearch

        from lurewatch.index.elasticsearch.backend import ElasticsearchIndex

        index = ElasticsearchIndex(Elasticsearch(request.getfixturevalue("es_url")), f"test-r2-{uuid.uuid4().hex[:8]}")
    index.setup()
    findings = handbuilt_findings() + scripted_findings()
    assert index.upsert(findings).written == len(findings)
    yield index
    if request.param == "elasticsearch":
        index.client.indices.delete(index=index.versioned)  # type: ignore[attr-defined]
    index.close()


def ids(store: Index, query: Query) -> list[str]:
    query.size = query.size if query.size != 20 else 100
    return [h.posting_id for h in store.search(query).hits]


# --- one row per cluster (item 1) -------------------------------------------------------------------


def test_collapse_keeps_the_newest_member_of_each_cluster_and_counts_both(store: Index) -> None:
    # "night" matches f1, f2, f8 (cluster c-night), f7 and f9; c-night's newest is f2 (2026-03-11 00:00).
    result = store.search(Query("night", sort="newest", collapse=True))
    assert [h.posting_id for h in result.hits] == ["f2", "f9", "f7"]
    assert [h.reposts for h in result.hits] == [2, 0, 0]
    assert (result.clusters, result.total) == (3, 5)
    assert result.next_cursor is None


def test_collapse_keeps_the_best_match_for_typed_words(store: Index) -> None:
    every = store.search(Query("night shift", size=10))
    one = store.search(Query("night shift", collapse=True))
    assert sorted(h.posting_id for h in every.hits) == ["f1", "f2", "f8"]
    assert [h.posting_id for h in one.hits] == [every.hits[0].posting_id]
    assert (one.hits[0].reposts, one.clusters, one.total) == (2, 1, 3)


def test_collapsed_pages_are_pages_of_clusters(store: Index) -> None:
    # Oldest first, one row per cluster: f5, f4, s1 (not s2, its later member), s3, s4, s5, f7, f3, f8 (c-night's
    # oldest), f9, f6.
    query = Query("*", sort="oldest", collapse=True, size=3, offset=3)
    assert ids(store, query) == ["s3", "s4", "s5"]
    result = store.search(Query("*", sort="oldest", collapse=True, size=0))
    assert (result.clusters, result.total) == (11, 14)


def test_collapse_and_a_cursor_do_not_mix() -> None:
    with pytest.raises(QueryError, match="collapse"):
        Query("*", collapse=True, cursor="abc")


def test_a_cluster_filter_lists_its_members(store: Index) -> None:
    assert ids(store, Query("*", filters={"cluster": ["c-night"]}, sort="newest")) == ["f2", "f1", "f8"]
    assert ids(store, Query("*", filters={"cluster": ["f4"]})) == ["f4"]  # a posting without reposts: its own id


# --- words in every script (item 2) -----------------------------------------------------------------

SCRIPT_CASES = {
    "คีย์ข้อมูล": ["s1"],  # Thai, typed as one word: the two words next to each other (not s2, where they stand apart)
    "စာရိုက်": ["s3"],  # Burmese
    "វាយអក្សរ": ["s4"],  # Khmer
    "ພິມເອກະສານ": ["s4"],  # Lao
    "打字员": ["s4"],  # Chinese
    "データ入力": ["s4"],  # Japanese
    "ข้อมูล": ["s1", "s2"],  # one word: wherever it stands
    "คีย์ข้อมูล OR စာရိုက်": ["s1", "s3"],
}


@pytest.mark.parametrize("text", list(SCRIPT_CASES))
def test_unspaced_scripts_match_as_typed(store: Index, text: str) -> None:
    assert sorted(ids(store, Query(text))) == SCRIPT_CASES[text]


def test_thai_and_burmese_matches_are_highlighted_whole(store: Index) -> None:
    thai = store.search(Query("คีย์ข้อมูล", highlight=True)).hits[0]
    assert f"{PRE}คีย์ข้อมูล{POST}" in thai.highlights[0]
    burmese = store.search(Query("စာရိုက်", highlight=True)).hits[0]
    assert f"{PRE}စာရိုက်{POST}" in burmese.highlights[0]


# --- query words and errors (item 9) ----------------------------------------------------------------

WORD_OPERATORS = {
    "hotel OR usdt": ["f4", "f8", "f9"],
    "visa NOT passport": ["f1"],
    "free AND night": ["f1", "f9"],
    "NOT night AND hotel": ["f4"],
}


@pytest.mark.parametrize("text", list(WORD_OPERATORS))
def test_and_or_not_as_words(store: Index, text: str) -> None:
    assert sorted(ids(store, Query(text))) == WORD_OPERATORS[text]


@pytest.mark.parametrize("text", ['"free visa', 'visa "', '"'])
def test_an_unbalanced_quote_is_a_readable_error(text: str) -> None:
    with pytest.raises(QueryError, match="unbalanced quote at character"):
        parse(text)


# --- posting dates (item 7) -------------------------------------------------------------------------


def test_date_filters_and_histogram_use_the_posting_date(store: Index) -> None:
    # s3 was posted on 2026-01-05 and crawled on 2026-03-04; every other finding has only its crawl date.
    assert ids(store, Query("*", date_from="2026-01-01", date_to="2026-01-31")) == ["s3"]
    assert "s3" not in ids(store, Query("*", date_from="2026-03-04", date_to="2026-03-04"))
    histogram = dict(store.search(Query("*", histogram="month", size=0)).histogram)
    assert histogram == {"2026-01-01": 1, "2026-02-01": 1, "2026-03-01": 12}


# --- pivots that forgive the input (item 5) ---------------------------------------------------------


@pytest.mark.parametrize("typed", ["012 345 678", "012-345-678", "+855 12 345 678", "0085512345678", "85512345678"])
def test_a_phone_in_any_format_finds_its_e164_value(store: Index, typed: str) -> None:
    assert ids(store, pivot_query("phone", typed)) == ["s5"]


@pytest.mark.parametrize("typed", ["@HR_KK", "hr_kk", "HR_kk", "https://t.me/hr_kk"])
def test_a_handle_in_any_case_with_or_without_at(store: Index, typed: str) -> None:
    assert sorted(ids(store, pivot_query("telegram", typed))) == ["f1", "f8"]


def test_the_pivot_summary_lists_co_occurring_entities_but_no_messenger_host(store: Index) -> None:
    summary = summarise(store, "phone", "012 345 678")
    assert (summary.value, summary.values, summary.postings) == ("+85512345678", ["+85512345678"], 1)
    assert summary.cooccurring == {
        "telegram": [("boss_kh", 1)],
        "domain": [("casino.example", 1)],
        "wallet": [("TBoss111111111111111111111111111111", 1)],
    }
    shared = summarise(store, "telegram", "@HR_KK").cooccurring
    assert shared["wallet"] == [("TXyz1111111111111111111111111111111", 1)]
    assert shared["phone"] == [("+959123456789", 1)]
