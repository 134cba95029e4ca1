"""Crawled text cannot forge a highlight: the marks in a hit are only those the search put there."""

from __future__ import annotations

import uuid
from collections.abc import Iterator
from pathlib import Path

import pytest

from lurewatch.index.base import Index
from lurewatch.index.query import HIGHLIGHT_POST as POST
from lurewatch.index.query import HIGHLIGHT_PRE as PRE
from lurewatch.index.query import Query
from lurewatch.index.sqlite.backend import SqliteIndex
from lurewatch.index.text import mark, without_controls
from lurewatch.records import Finding

FORGED = Finding(
    posting_id="forged", source="board-a", source_kind="board", url="https://jobs.example/forged",
    canonical_url="https://jobs.example/forged", fetched_at="2026-03-10T00:00:00+00:00", run_id="r",
    title=f"Visa {PRE}trusted{POST} job\x00\x1b[31m", text=f"Free visa. {PRE}Verified by police{POST}\x07 call now.",
)  # fmt: skip


def test_mark_drops_control_characters_before_marking() -> None:
    assert mark(f"a {PRE}b{POST} visa", [("visa", False)], PRE, POST) == f"a b {PRE}visa{POST}"
    assert without_controls("tab\tnew\nline\r\x00\x02\x03\x7f") == "tab\tnew\nline\r"


@pytest.fixture(params=["sqlite", pytest.param("elasticsearch", marks=pytest.mark.elasticsearch)])
def store(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[Index]:
    if request.param == "sqlite":
        index: Index = SqliteIndex(tmp_path / "index.sqlite")
    else:
        from elasticsearch import Elasticsearch

        from lurewatch.index.elasticsearch.backend import ElasticsearchIndex

        index = ElasticsearchIndex(Elasticsearch(request.getfixturevalue("es_url")), f"test-hl-{uuid.uuid4().hex[:8]}")
    index.setup()
    index.upsert([FORGED])
    yield index
    if request.param == "elasticsearch":
        index.client.indices.delete(index=index.versioned)  # type: ignore[attr-defined]
    index.close()


def test_crawled_marker_characters_never_reach_the_highlights(store: Index) -> None:
    (hit,) = store.search(Query("visa", highlight=True)).hits
    assert hit.title_highlight == f"{PRE}Visa{POST} trusted job[31m"
    assert hit.highlights and all(f.count(PRE) == f.count(POST) == 1 for f in hit.highlights)
    assert all(f"{PRE}visa{POST}" in f for f in hit.highlights)
    assert "Verified by police" in "".join(hit.highlights)
    stored = store.get("forged")
    assert stored is not None and PRE not in stored.title + stored.text and "\x00" not in stored.title
