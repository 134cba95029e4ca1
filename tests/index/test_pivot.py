"""Entity pivots on both backends: every finding that carries a phone, handle, wallet, image hash or cluster."""

from __future__ import annotations

import uuid
from collections import Counter
from collections.abc import Iterator

import pytest
from elasticsearch import Elasticsearch

from lurewatch.index.base import Index
from lurewatch.index.elasticsearch.backend import ElasticsearchIndex
from lurewatch.index.pivots import pivot_query, summarise
from lurewatch.index.query import QueryError
from lurewatch.index.sqlite.backend import SqliteIndex
from tests.support.samples import sample_findings

N = 400


def _carriers(field: str) -> tuple[str, list]:
    """The most shared value of ``field`` in the sample, and the findings that carry it."""
    values = {
        "phone": lambda f: f.contacts.phones,
        "telegram": lambda f: f.contacts.telegram,
        "wallet": lambda f: [w.address for w in f.wallets],
        "phash": lambda f: [i.phash for i in f.images],
        "cluster": lambda f: [f.cluster_id],
        "domain": lambda f: f.contacts.domains,
    }[field]
    counts = Counter(v for f in sample_findings(N) for v in values(f))
    value = max(sorted(counts), key=counts.__getitem__)
    return value, [f for f in sample_findings(N) if value in values(f)]


@pytest.fixture(scope="module", params=["sqlite", pytest.param("elasticsearch", marks=pytest.mark.elasticsearch)])
def store(request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory) -> Iterator[Index]:
    """The sample on each backend (its own index name, deleted by name: the node refuses wildcard deletes)."""
    if request.param == "sqlite":
        index: Index = SqliteIndex(tmp_path_factory.mktemp("pivot") / "index.sqlite")
    else:
        es_url = request.getfixturevalue("es_url")
        index = ElasticsearchIndex(Elasticsearch(es_url), f"test-pivot-{uuid.uuid4().hex[:8]}")
    index.setup()
    index.upsert(sample_findings(N))
    yield index
    if isinstance(index, ElasticsearchIndex):
        index.client.indices.delete(index=index.versioned)
    index.close()


@pytest.mark.parametrize("field", ["phone", "telegram", "wallet", "phash", "cluster", "domain"])
def test_pivot_finds_every_carrier_and_summarises_them(store: Index, field: str) -> None:
    value, carriers = _carriers(field)
    assert len(carriers) >= 2
    found = store.search(pivot_query(field, value, size=500, facets=()))
    assert {h.posting_id for h in found.hits} == {f.posting_id for f in carriers}
    summary = summarise(store, field, value)
    assert summary.postings == len(carriers)
    assert summary.clusters == len({f.cluster_id for f in carriers})
    assert summary.first_seen == min(f.fetched_at for f in carriers)
    assert summary.last_seen == max(f.fetched_at for f in carriers)
    assert dict(summary.sources) == dict(Counter(f.source for f in carriers))
    assert dict(summary.countries) == dict(Counter(f.country for f in carriers))
    assert summary.max_risk == max(f.risk_score for f in carriers)


def test_unknown_pivot_field_is_refused() -> None:
    with pytest.raises(QueryError, match="cannot pivot"):
        pivot_query("colour", "red")
