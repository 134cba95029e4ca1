"""End to end on both backends: the crawled demo run is enriched, indexed and searched."""

from __future__ import annotations

import json

import pytest

from lurewatch import runner
from lurewatch.index.base import open_index
from lurewatch.index.query import Query
from lurewatch.records import Finding, read_jsonl
from lurewatch.settings import Settings


def _index_demo(demo_run: str, settings: Settings) -> int:
    runner.enrich(demo_run, settings=settings)
    runner.index(demo_run, settings=settings)
    return sum(1 for _ in read_jsonl(settings.runs_dir / demo_run / "findings.jsonl", Finding))


def test_demo_run_is_searchable(demo_run: str, backend_settings: Settings) -> None:
    findings = _index_demo(demo_run, backend_settings)
    assert findings >= 170
    store = open_index(backend_settings)
    try:
        assert store.count() == findings
        everything = store.search(Query("*", size=5))
        assert everything.total == findings
        languages = dict(everything.facets["language"])
        assert {"en", "zh", "th", "vi", "id", "my", "km"} <= set(languages)
        telegram = store.search(Query("telegram", size=50))
        assert 0 < telegram.total < findings
        thai = store.search(Query("*", filters={"language": ["th"]}))
        assert thai.total == languages["th"]
        assert all(h.language == "th" for h in thai.hits)
        hit = telegram.hits[0]
        assert store.get(hit.posting_id) is not None and hit.url.startswith("http://127.0.0.1:")
        assert store.search(Query("zzzznotawordzzzz")).total == 0
    finally:
        store.close()


def test_reindexing_the_same_run_creates_no_duplicate(demo_run: str, backend_settings: Settings) -> None:
    findings = _index_demo(demo_run, backend_settings)
    runner.index(demo_run, settings=backend_settings)
    store = open_index(backend_settings)
    try:
        assert store.count() == findings
    finally:
        store.close()
    step = json.loads((backend_settings.runs_dir / demo_run / "run.json").read_text())["steps"]["index"]
    networks = step.pop("networks")
    assert step == {"backend": backend_settings.index, "written": findings, "rejected": 0}
    # Indexed again, the run's findings stay in the networks they joined the first time: nothing new, merged or split.
    assert networks["networks"] > 0 and (networks["new"], networks["merged"], networks["split"]) == (0, 0, 0)


PARITY_QUERIES = [
    "telegram",
    "visa",
    '"customer service"',
    "salary -nurse",
    "typing | translator",
    "recruit*",
    "Sihanoukville",
    "Myawaddy",
    "เงินเดือน",
    "高薪",
    "lương",
    "gaji",
]


@pytest.mark.elasticsearch
def test_both_backends_find_the_same_findings(demo_run: str, settings: Settings, es_settings: Settings) -> None:
    sqlite_settings = settings.model_copy(update={"index": "sqlite"})
    _index_demo(demo_run, sqlite_settings)
    runner.index(demo_run, settings=es_settings)
    sqlite, elastic = open_index(sqlite_settings), open_index(es_settings)
    try:
        matched_any = 0
        for text in PARITY_QUERIES:
            a = sqlite.search(Query(text, size=500))
            b = elastic.search(Query(text, size=500))
            assert {h.posting_id for h in a.hits} == {h.posting_id for h in b.hits}, text
            assert a.total == b.total, text
            matched_any += a.total > 0
            # Lucene stores document lengths coarsely, so its scores tie in groups where SQLite's do not:
            # SQLite's top ten should come from Elasticsearch's top ten, ties included.
            top_a = {h.posting_id for h in a.hits[:10]}
            if len(b.hits) > 10:
                cut = b.hits[9].score
                top_b = {h.posting_id for h in b.hits if h.score >= cut * (1 - 1e-6)}
            else:
                top_b = {h.posting_id for h in b.hits}
            assert len(top_a & top_b) >= 0.8 * len(top_a), text
        assert matched_any >= len(PARITY_QUERIES) - 2
    finally:
        sqlite.close()
        elastic.close()
