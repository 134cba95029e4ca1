"""The same queries on SQLite and Elasticsearch over the same findings give the same hits, facets and buckets."""

from __future__ import annotations

import uuid
from collections.abc import Iterator
from pathlib import Path

import pytest
from elasticsearch import Elasticsearch

from lurewatch.index.elasticsearch.backend import ElasticsearchIndex
from lurewatch.index.query import Query
from lurewatch.index.sqlite.backend import SqliteIndex
from tests.support.samples import sample_findings

pytestmark = pytest.mark.elasticsearch
N = 600
FACETS = ("source", "language", "country", "compound", "indicator", "phone", "cluster")


def _pick(field: str) -> str:
    """A value of a multi-valued field carried by several findings (so filters and pivots have work to do)."""
    counts: dict[str, int] = {}
    for f in sample_findings(N):
        values = {"phone": f.contacts.phones, "telegram": f.contacts.telegram, "wallet": [w.address for w in f.wallets]}
        for v in values[field]:
            counts[v] = counts.get(v, 0) + 1
    return max(sorted(counts), key=counts.__getitem__)


QUERIES: list[Query] = [
    Query("telegram"),
    Query("visa salary"),
    Query('"free visa"'),
    Query("visa -passport"),
    Query("visa | USDT"),
    Query("(hotel | 酒店) -visa"),
    Query("trans*"),
    Query("recep* | acc*"),
    Query("高薪"),
    Query("月薪 美元"),
    Query("งาน"),
    Query("ประสบการณ์ | ដុល្លារ"),
    Query("ဗီဇာ"),
    Query("lương cao"),
    Query("gaji | sahod"),
    Query("+telegram +visa -easy"),
    Query("zzzznotawordzzzz"),
    Query("*", sort="newest"),
    Query("*", sort="risk"),
    Query("*", filters={"country": ["KH"]}, sort="newest"),
    Query("*", filters={"country": ["MM", "LA"], "language": ["en", "zh"]}, sort="risk"),
    Query("*", filters={"source_kind": ["channel"]}, sort="newest"),
    Query("*", filters={"compound": ["KK Park"]}, sort="risk"),
    Query("*", filters={"indicator": ["free_visa"]}, sort="newest"),
    Query("*", filters={"indicator": ["crypto_or_investment_role", "messenger_only_contact"]}, sort="risk"),
    Query("*", risk_min=50, sort="risk"),
    Query("*", risk_min=20, risk_max=60, sort="newest"),
    Query("*", date_from="2026-03-01", date_to="2026-03-31", sort="newest"),
    Query("visa", date_from="2026-06-15"),
    Query("*", has_contact=True, sort="newest"),
    Query("*", has_contact=False, sort="newest"),
    Query("*", bbox=(98.0, 16.0, 99.0, 17.0), sort="newest"),
    Query("*", bbox=(100.0, 5.0, 110.0, 15.0), sort="risk"),
    Query("*", near=(16.7, 98.55, 25.0), sort="newest"),
    Query("telegram", near=(10.6, 103.5, 40.0)),
    Query("*", filters={"domain": ["easyjob-asia.example"]}, sort="newest"),
    Query("*", histogram="month", geotile=4, sort="newest"),
    Query("visa", histogram="week", geotile=7),
    Query("*", filters={"country": ["TH"]}, histogram="day", sort="newest"),
]


@pytest.fixture(scope="module")
def both(es_url: str, tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[SqliteIndex, ElasticsearchIndex]]:
    sqlite = SqliteIndex(Path(tmp_path_factory.mktemp("parity")) / "index.sqlite")
    sqlite.setup()
    elastic = ElasticsearchIndex(Elasticsearch(es_url), f"test-parity-{uuid.uuid4().hex[:8]}")
    elastic.setup()
    assert sqlite.upsert(sample_findings(N)).written == N
    assert elastic.upsert(sample_findings(N)).written == N
    yield sqlite, elastic
    elastic.client.indices.delete(index=elastic.versioned)
    elastic.close()
    sqlite.close()


def _ids(result: object) -> list[str]:
    return [h.posting_id for h in result.hits]  # type: ignore[attr-defined]


@pytest.mark.parametrize("query", QUERIES, ids=[f"q{i:02d}" for i in range(len(QUERIES))])
def test_same_hits_facets_and_buckets(both: tuple[SqliteIndex, ElasticsearchIndex], query: Query) -> None:
    sqlite, elastic = both
    query.size, query.facets = 1000, FACETS
    a, b = sqlite.search(query), elastic.search(query)
    assert a.total == b.total
    if query.sort == "relevance":
        assert set(_ids(a)) == set(_ids(b))
    else:
        assert _ids(a) == _ids(b)
    assert a.facets == b.facets
    assert a.histogram == b.histogram
    assert sorted(a.geotiles) == sorted(b.geotiles)


def test_the_queries_are_not_trivial(both: tuple[SqliteIndex, ElasticsearchIndex]) -> None:
    totals = [both[0].search(Query(**{**q.__dict__, "size": 0, "cursor": None})).total for q in QUERIES]
    assert sum(1 for t in totals if 0 < t < N) >= 30  # each narrows the data, neither everything nor nothing


@pytest.mark.parametrize("field", ["phone", "telegram", "wallet"])
def test_pivot_filters_agree(both: tuple[SqliteIndex, ElasticsearchIndex], field: str) -> None:
    value = _pick(field)
    query = Query("*", filters={field: [value]}, sort="newest", size=1000)
    a, b = both[0].search(query), both[1].search(query)
    assert a.total >= 2 and _ids(a) == _ids(b)


@pytest.mark.parametrize("sort", ["newest", "risk", "relevance"])
def test_cursor_pages_walk_the_same_order(both: tuple[SqliteIndex, ElasticsearchIndex], sort: str) -> None:
    text = "*" if sort != "relevance" else "visa | telegram"
    walks = []
    for store in both:
        query, seen = Query(text, sort=sort, size=37, facets=()), []
        while True:
            page = store.search(query)
            seen.extend(_ids(page))
            if not page.next_cursor:
                break
            query.cursor = page.next_cursor
        walks.append(seen)
        assert len(seen) == len(set(seen)) == store.search(Query(text, size=0, facets=())).total
    if sort == "relevance":
        assert set(walks[0]) == set(walks[1])
    else:
        assert walks[0] == walks[1]


def test_iterate_streams_every_hit_in_order(both: tuple[SqliteIndex, ElasticsearchIndex]) -> None:
    query = Query("*", filters={"country": ["KH", "MM"]}, sort="risk", size=50, facets=())
    a, b = [[h.posting_id for h in store.iterate(query)] for store in both]
    assert a == b and len(a) == both[0].search(query).total > 50


DEMO_QUERIES = [
    Query("telegram"),
    Query("visa | salary"),
    Query("*", sort="newest"),
    Query("*", sort="risk"),
    Query("*", filters={"language": ["th", "km", "my"]}, sort="newest"),
    Query("*", has_contact=True, sort="newest"),
    Query("高薪 | 客服"),
    Query("*", histogram="week", sort="oldest"),
]


def test_the_crawled_demo_run_gives_the_same_results(demo_run: str, settings: object, es_url: str) -> None:
    """The demo job board, crawled and enriched for real (fields as enrichment fills them today)."""
    from lurewatch import runner
    from lurewatch.records import Finding, read_jsonl

    runner.enrich(demo_run, settings=settings)  # type: ignore[arg-type]
    findings = list(read_jsonl(settings.runs_dir / demo_run / "findings.jsonl", Finding))  # type: ignore[attr-defined]
    sqlite = SqliteIndex(settings.data_dir / "parity-demo.sqlite")  # type: ignore[attr-defined]
    elastic = ElasticsearchIndex(Elasticsearch(es_url), f"test-parity-demo-{uuid.uuid4().hex[:8]}")
    try:
        for store in (sqlite, elastic):
            store.setup()
            assert store.upsert(findings).written == len(findings) >= 170
        for query in DEMO_QUERIES + QUERIES[:17]:
            query.size, query.facets = 1000, ("source", "language", "country", "phone", "telegram")
            a, b = sqlite.search(query), elastic.search(query)
            assert a.total == b.total, query
            assert (set(_ids(a)) == set(_ids(b))) if query.sort == "relevance" else (_ids(a) == _ids(b)), query
            assert a.facets == b.facets and a.histogram == b.histogram, query
    finally:
        elastic.client.indices.delete(index=elastic.versioned, ignore_unavailable=True)
        elastic.close()
        sqlite.close()
