"""Parity of the second search round: one row per cluster, segmented queries and normalised pivots give the
same answers on SQLite and Elasticsearch over the same 600 generated findings (with reposts in clusters)."""

from __future__ import annotations

import uuid
from collections.abc import Iterator
from pathlib import Path

import pytest
from elasticsearch import Elasticsearch

from lurewatch.index.elasticsearch.backend import ElasticsearchIndex
from lurewatch.index.pivots import pivot_query, summarise
from lurewatch.index.query import Query, SearchResult
from lurewatch.index.sqlite.backend import SqliteIndex
from tests.support.samples import sample_findings

pytestmark = pytest.mark.elasticsearch
N = 600

COLLAPSED = [
    Query("*", sort="newest"),
    Query("*", sort="oldest", offset=40),
    Query("*", sort="risk", filters={"country": ["KH", "MM"]}),
    Query("visa", sort="newest"),
    Query("telegram | 高薪", sort="risk", offset=20),
    Query("*", sort="newest", filters={"language": ["th", "my"]}, histogram="week"),
]
SEGMENTED = ["เงินเดือนสูง", "ไม่ต้องมีประสบการณ์", "ប្រាក់ខែខ្ពស់", "လစာကောင်း", "高薪招聘", "ฟรีวีซ่า | လစာကောင်း"]


@pytest.fixture(scope="module")
def both(es_url: str, tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[SqliteIndex, ElasticsearchIndex]]:
    sqlite = SqliteIndex(Path(tmp_path_factory.mktemp("parity-lures")) / "index.sqlite")
    sqlite.setup()
    elastic = ElasticsearchIndex(Elasticsearch(es_url), f"test-parity-lures-{uuid.uuid4().hex[:8]}")
    elastic.setup()
    assert sqlite.upsert(sample_findings(N)).written == N
    assert elastic.upsert(sample_findings(N)).written == N
    yield sqlite, elastic
    elastic.client.indices.delete(index=elastic.versioned)
    elastic.close()
    sqlite.close()


def _rows(result: SearchResult) -> list[tuple[str, int]]:
    return [(h.posting_id, h.reposts) for h in result.hits]


@pytest.mark.parametrize("query", COLLAPSED, ids=[f"c{i}" for i in range(len(COLLAPSED))])
def test_one_row_per_cluster_agrees(both: tuple[SqliteIndex, ElasticsearchIndex], query: Query) -> None:
    query.collapse, query.size, query.facets = True, 50, ("country", "language")
    a, b = both[0].search(query), both[1].search(query)
    assert (a.total, a.clusters) == (b.total, b.clusters)
    assert a.clusters is not None and 0 < a.clusters < a.total  # reposts were folded
    assert _rows(a) == _rows(b)
    assert any(reposts for _, reposts in _rows(a))
    assert a.facets == b.facets and a.histogram == b.histogram


def test_typed_words_keep_the_best_matching_member(both: tuple[SqliteIndex, ElasticsearchIndex]) -> None:
    for store in both:
        every = store.search(Query("visa | telegram", size=1000, facets=()))
        one = store.search(Query("visa | telegram", size=1000, facets=(), collapse=True))
        best: dict[str, str] = {}
        for hit in every.hits:  # in relevance order: the first of each cluster is its best match
            best.setdefault(hit.cluster_id or hit.posting_id, hit.posting_id)
        assert {h.posting_id for h in one.hits} == set(best.values())
        assert one.clusters == len(best) and sum(h.reposts + 1 for h in one.hits) == every.total


@pytest.mark.parametrize("text", SEGMENTED)
def test_segmented_queries_agree(both: tuple[SqliteIndex, ElasticsearchIndex], text: str) -> None:
    query = Query(text, size=1000, facets=())
    a, b = both[0].search(query), both[1].search(query)
    assert a.total == b.total > 0
    assert {h.posting_id for h in a.hits} == {h.posting_id for h in b.hits}


def _local(e164: str) -> str:
    """The number as written at home: the national trunk 0 instead of the country code, with spaces."""
    national = "0" + e164.removeprefix("+855")
    return f"{national[:3]} {national[3:6]} {national[6:]}"


def test_normalised_pivots_agree(both: tuple[SqliteIndex, ElasticsearchIndex]) -> None:
    phones = sorted({p for f in sample_findings(N) for p in f.contacts.phones if p.startswith("+8551")})
    handles = sorted({h for f in sample_findings(N) for h in f.contacts.telegram})
    assert phones and handles
    for field, typed in [("phone", _local(phones[0])), ("phone", phones[-1].replace("+", "00")),
                         ("telegram", "@" + handles[0].upper())]:  # fmt: skip
        query = pivot_query(field, typed, sort="newest", size=1000, facets=())
        a, b = both[0].search(query), both[1].search(query)
        assert a.total == b.total > 0 and [h.posting_id for h in a.hits] == [h.posting_id for h in b.hits]
        summaries = [summarise(store, field, typed) for store in both]
        assert summaries[0] == summaries[1]
        assert summaries[0].cooccurring
