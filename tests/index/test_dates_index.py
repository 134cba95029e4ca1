"""Both backends accept every finding whatever date its page wrote; the Elasticsearch mapping stays strict."""

from __future__ import annotations

import copy
import dataclasses
import uuid

import pytest
from elasticsearch import Elasticsearch

from lurewatch.index.base import open_index
from lurewatch.index.elasticsearch.backend import ElasticsearchIndex
from lurewatch.index.elasticsearch.mapping import FINDING_MAPPING, INDEX_SETTINGS
from lurewatch.index.query import Query
from lurewatch.settings import Settings
from tests.index.handbuilt import handbuilt_findings

RAW_DATES = ["29/11/2026", "2 days ago", "2026-11-29 10:00", "2026-11-29T10:00:00+07:00", ""]


@pytest.mark.parametrize("backend", ["sqlite", pytest.param("elasticsearch", marks=pytest.mark.elasticsearch)])
def test_findings_with_crawled_dates_are_all_accepted(
    backend: str, settings: Settings, request: pytest.FixtureRequest
) -> None:
    """Findings enriched before dates were parsed carry the page's text in ``posted_at``."""
    backend_settings = settings if backend == "sqlite" else request.getfixturevalue("es_settings")
    findings = [
        dataclasses.replace(f, posted_at=raw) for f, raw in zip(handbuilt_findings()[:5], RAW_DATES, strict=True)
    ]
    store = open_index(backend_settings)
    report = store.upsert(findings)
    assert report.rejected == [] and report.written == len(RAW_DATES)
    stored = {f.posting_id: store.get(f.posting_id) for f in findings}
    assert stored["f1"].posted_at is None and stored["f1"].posted_at_raw == "29/11/2026"  # type: ignore[union-attr]
    assert stored["f2"].posted_at_raw == "2 days ago"  # type: ignore[union-attr]
    assert stored["f3"].posted_at == "2026-11-29T10:00:00+00:00"  # type: ignore[union-attr]
    assert stored["f4"].posted_at == "2026-11-29T10:00:00+07:00"  # type: ignore[union-attr]
    assert store.search(Query("*")).total == len(RAW_DATES)
    store.close()


@pytest.mark.elasticsearch
def test_the_mapping_stays_strict(es_settings: Settings) -> None:
    store = open_index(es_settings)
    assert FINDING_MAPPING["dynamic"] == "strict" and FINDING_MAPPING["properties"]["posted_at"] == {"type": "date"}
    raw = {"posting_id": "x", "posted_at": "29/11/2026"}
    with pytest.raises(Exception, match="posted_at"):
        store.client.index(index=store.alias, id="x", document=raw)  # type: ignore[attr-defined]
    store.close()


@pytest.mark.elasticsearch
def test_setup_adds_new_fields_to_an_index_made_by_an_older_version(es_url: str) -> None:
    index = ElasticsearchIndex(Elasticsearch(es_url), f"test-oldmap-{uuid.uuid4().hex[:8]}")
    older = copy.deepcopy(FINDING_MAPPING)
    del older["properties"]["posted_at_raw"]
    index.client.indices.create(index=index.versioned, mappings=older, settings=INDEX_SETTINGS)
    index.client.indices.put_alias(index=index.versioned, name=index.alias)
    finding = dataclasses.replace(handbuilt_findings()[0], posted_at="2026-11-29T00:00:00+00:00",
                                  posted_at_raw="29/11/2026")  # fmt: skip
    assert index.upsert([finding]).rejected  # strict: the older mapping refuses the new field
    index.setup()
    assert index.upsert([finding]).rejected == []
    assert index.get("f1").posted_at_raw == "29/11/2026"  # type: ignore[union-attr]
    index.client.indices.delete(index=index.versioned)
    index.close()
