"""Elasticsearch administration: the alias moves to a new index after a client-side copy (scroll + bulk)."""

from __future__ import annotations

import uuid

import pytest
from elasticsearch import Elasticsearch

from lurewatch.index.elasticsearch.admin import migrate, status
from lurewatch.index.elasticsearch.backend import ElasticsearchIndex, client_from_settings
from lurewatch.index.query import Query
from lurewatch.settings import Settings
from tests.support.samples import sample_findings

pytestmark = pytest.mark.elasticsearch


def test_setup_is_idempotent_and_migrate_moves_the_alias(es_url: str) -> None:
    index = ElasticsearchIndex(Elasticsearch(es_url), f"test-migrate-{uuid.uuid4().hex[:8]}")
    index.setup()
    index.setup()
    assert status(index)["points_to"] == [index.versioned]
    index.upsert(sample_findings(2500))
    before = index.search(Query("visa", sort="risk", size=50, facets=("country",)))
    seen = []
    report = migrate(index, progress=seen.append)
    assert report["from"] == index.versioned and report["to"].startswith(index.versioned + "-")
    assert report["copied"] == 2500 and seen == [2500]
    assert status(index) == {"alias": index.alias, "points_to": [report["to"]], "documents": 2500,
                             "mapping_version": status(index)["mapping_version"]}  # fmt: skip
    after = index.search(Query("visa", sort="risk", size=50, facets=("country",)))
    assert [h.posting_id for h in after.hits] == [h.posting_id for h in before.hits]
    assert after.facets == before.facets and after.total == before.total
    index.upsert(sample_findings(10))  # writes go through the alias to the new index
    index.client.indices.refresh(index=report["from"])
    assert index.client.count(index=report["to"])["count"] == 2510
    assert index.client.count(index=report["from"])["count"] == 2500  # kept until someone deletes it
    index.client.indices.delete(index=[report["to"], report["from"]])
    index.close()


def test_client_settings_for_a_real_deployment(settings: Settings) -> None:
    deployed = settings.model_copy(update={
        "es_url": "https://es1.internal:9200, https://es2.internal:9200", "es_username": "lurewatch",
        "es_password": "secret", "es_timeout": 12.5, "es_max_retries": 7, "es_verify_certs": True,
    })  # fmt: skip
    client = client_from_settings(deployed)
    nodes = sorted(str(n.config.host) for n in client.transport.node_pool.all())
    assert nodes == ["es1.internal", "es2.internal"]
    assert client._headers["authorization"].startswith("Basic ")  # noqa: SLF001
    assert client._request_timeout == 12.5 and client._max_retries == 7  # noqa: SLF001
    with_key = client_from_settings(settings.model_copy(update={"es_api_key": "abc"}))
    assert with_key._headers["authorization"] == "ApiKey abc"  # noqa: SLF001
