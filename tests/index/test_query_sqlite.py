"""The SQLite index: upserts stay idempotent across its side tables, R*Tree and FTS; WAL; old files refused."""

from __future__ import annotations

import dataclasses
import sqlite3
from pathlib import Path

import pytest

from lurewatch.errors import IndexUnavailable
from lurewatch.index.query import Query
from lurewatch.index.sqlite.backend import SqliteIndex
from tests.support.samples import sample_findings

TABLES = ("findings", "finding_values", "findings_geo", "findings_fts")


def _rows(store: SqliteIndex) -> dict[str, int]:
    return {t: store.db.execute(f"SELECT COUNT(*) FROM {t}").fetchone()[0] for t in TABLES}


def test_upserting_twice_changes_nothing(tmp_path: Path) -> None:
    store = SqliteIndex(tmp_path / "index.sqlite")
    store.setup()
    store.upsert(sample_findings(200))
    before = _rows(store)
    store.upsert(sample_findings(200))
    assert _rows(store) == before and before["findings"] == 200 and before["finding_values"] > 400
    assert store.db.execute("PRAGMA journal_mode").fetchone()[0] == "wal"


def test_changed_contacts_and_place_replace_the_old_ones(tmp_path: Path) -> None:
    store = SqliteIndex(tmp_path / "index.sqlite")
    store.setup()
    finding = next(f for f in sample_findings(50) if f.contacts.phones)
    store.upsert([finding])
    old_phone = finding.contacts.phones[0]
    moved = dataclasses.replace(finding, contacts=dataclasses.replace(finding.contacts, phones=["+66812345678"]),
                                geo={"lat": 13.75, "lon": 100.5}, title="Moved to Bangkok")  # fmt: skip
    store.upsert([moved])
    assert store.search(Query("*", filters={"phone": [old_phone]})).total == 0
    assert store.search(Query("*", filters={"phone": ["+66812345678"]})).total == 1
    assert store.search(Query("*", near=(13.75, 100.5, 1.0))).total == 1
    assert store.search(Query("bangkok")).total == 1
    assert _rows(store)["findings_geo"] == 1 and _rows(store)["findings_fts"] == 1


def test_a_file_from_an_older_schema_is_refused_with_a_hint(tmp_path: Path) -> None:
    path = tmp_path / "old.sqlite"
    with sqlite3.connect(path) as db:
        db.execute("CREATE TABLE findings (posting_id TEXT PRIMARY KEY, doc TEXT)")
    with pytest.raises(IndexUnavailable, match="older LureWatch") as caught:
        SqliteIndex(path).setup()
    assert "lurewatch index" in caught.value.hint
