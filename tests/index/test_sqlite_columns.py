"""The SQLite backend's in-memory columns stay in step with the file, whoever writes it, reading only what changed.

Every check compares a search with what the rows say after a write made outside the searching object: another
``SqliteIndex`` on the same file, a plain ``sqlite3`` connection (an UPDATE or a DELETE no LureWatch code
made), the network step's column, a schema-5 file brought up to date in place.
"""

from __future__ import annotations

import dataclasses
import sqlite3
from pathlib import Path

import pytest

from lurewatch.errors import IndexUnavailable
from lurewatch.index.query import Query
from lurewatch.index.sqlite import rows
from lurewatch.index.sqlite.backend import SqliteIndex
from tests.index.handbuilt import IDS, handbuilt_findings


def _index(path: Path) -> SqliteIndex:
    index = SqliteIndex(path)
    index.setup()
    return index


def _ids(index: SqliteIndex, query: Query) -> set[str]:
    return {h.posting_id for h in index.search(query).hits}


@pytest.fixture
def path(tmp_path: Path) -> Path:
    writer = _index(tmp_path / "index.sqlite")
    writer.upsert(handbuilt_findings())
    writer.close()
    return tmp_path / "index.sqlite"


def test_a_write_by_another_index_object_is_seen_and_only_the_changed_rows_are_read(path: Path) -> None:
    reader, writer = _index(path), _index(path)
    assert reader.search(Query("*", filters={"country": ["MM"]}, size=50)).total == 2
    assert reader.columns.reloads == 1
    moved = next(f for f in handbuilt_findings() if f.posting_id == "f4")
    moved = dataclasses.replace(moved, country="MM", risk_score=99, title="hotel receptionist wanted")
    writer.upsert([moved])
    result = reader.search(Query("*", filters={"country": ["MM"]}, size=50, facets=("country",)))
    assert {h.posting_id for h in result.hits} == {"f1", "f2", "f4"}
    assert dict(result.facets["country"])["MM"] == 3
    assert _ids(reader, Query("*", risk_min=99)) == {"f4"}
    assert reader.columns.reloads == 1  # brought up to date from the change log, not read again in full


def test_rows_changed_or_deleted_behind_its_back_are_seen(path: Path) -> None:
    reader = _index(path)
    assert reader.search(Query("*", size=50)).total == len(IDS)
    raw = sqlite3.connect(path)
    with raw:
        raw.execute("UPDATE findings SET risk_score = 1 WHERE posting_id = 'f5'")
        rowid = raw.execute("SELECT id FROM findings WHERE posting_id = 'f9'").fetchone()[0]
        raw.execute("DELETE FROM findings WHERE id = ?", (rowid,))
        raw.execute("DELETE FROM finding_values WHERE rowid = ?", (rowid,))
        raw.execute("DELETE FROM findings_fts WHERE rowid = ?", (rowid,))
    raw.close()
    result = reader.search(Query("*", size=50, facets=("indicator", "country")))
    assert result.total == len(IDS) - 1 and "f9" not in {h.posting_id for h in result.hits}
    assert "PH" not in dict(result.facets["country"])  # f9 was the only finding in the Philippines
    assert _ids(reader, Query("*", risk_max=1)) == {"f5", "f7"}
    assert reader.columns.reloads == 1


def test_multi_valued_facets_follow_an_update(path: Path) -> None:
    reader, writer = _index(path), _index(path)
    before = dict(reader.search(Query("*", facets=("telegram",))).facets["telegram"])
    changed = next(f for f in handbuilt_findings() if f.posting_id == "f8")
    changed.contacts.telegram = ["new_handle_x"]
    writer.upsert([changed])
    after = dict(reader.search(Query("*", facets=("telegram",))).facets["telegram"])
    assert after != before and after.get("new_handle_x") == 1
    assert sum(after.values()) == sum(before.values())  # f8's old handle went with it


def test_the_network_columns_update_is_seen(path: Path) -> None:
    reader = _index(path)
    assert reader.search(Query("*", facets=("network",))).facets["network"] == []
    raw = sqlite3.connect(path)
    with raw:
        raw.execute("UPDATE findings SET network_id = 'net-1' WHERE posting_id IN ('f1', 'f2')")
    raw.close()
    assert reader.search(Query("*", facets=("network",))).facets["network"] == [("net-1", 2)]
    assert _ids(reader, Query("*", filters={"network": ["net-1"]})) == {"f1", "f2"}


def test_a_reader_behind_a_pruned_log_reads_everything_again(path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    reader, writer = _index(path), _index(path)
    reader.search(Query("*"))
    monkeypatch.setattr(rows, "CHANGES_KEPT", 1)
    findings = handbuilt_findings()
    for f in findings:
        f.risk_score = 42
    writer.upsert(findings[:3])  # three changes, of which the log keeps the last one only
    assert _ids(reader, Query("*", risk_min=42, risk_max=42, size=50)) == {"f1", "f2", "f3"}
    assert reader.columns.reloads == 2


def test_a_cursor_page_after_a_write_runs_the_query_again(path: Path) -> None:
    reader, writer = _index(path), _index(path)
    first = reader.search(Query("night", sort="newest", size=2, facets=()))
    assert first.next_cursor
    late = next(f for f in handbuilt_findings() if f.posting_id == "f7")
    late.fetched_at = "2026-01-01T00:00:00+00:00"  # still matches "night", now the oldest of all
    writer.upsert([late])
    pages = [h.posting_id for h in first.hits]
    cursor: str | None = first.next_cursor
    while cursor:
        page = reader.search(Query("night", sort="newest", size=2, facets=(), cursor=cursor))
        pages += [h.posting_id for h in page.hits]
        cursor = page.next_cursor
    assert pages[-1] == "f7" and len(pages) == len(set(pages))
    assert set(pages) == _ids(reader, Query("night", size=50))


def test_a_schema_5_file_is_brought_up_to_date_in_place(path: Path) -> None:
    raw = sqlite3.connect(path)
    with raw:
        for trigger in ("findings_inserted", "findings_updated", "findings_deleted"):
            raw.execute(f"DROP TRIGGER {trigger}")
        raw.execute("DROP TABLE finding_changes")
        raw.execute("PRAGMA user_version = 5")
    raw.close()
    with pytest.raises(IndexUnavailable, match="has schema 5") as refused:
        SqliteIndex(path, read_only=True).setup()
    assert "lurewatch index RUN" in (refused.value.hint or "")
    upgraded = _index(path)
    assert upgraded.search(Query("*", size=50)).total == len(IDS)
    assert sqlite3.connect(path).execute("PRAGMA user_version").fetchone()[0] == rows.SCHEMA_VERSION


def test_a_word_said_three_times_outranks_a_shorter_ad_that_says_it_once(tmp_path: Path) -> None:
    index = _index(tmp_path / "tf.sqlite")
    base = handbuilt_findings()[0]
    texts = {
        "once": "typist wanted apply now",  # shorter, says it once
        "thrice": "typist typist typist wanted apply now today",  # longer, says it three times
        **{f"other{i}": f"cleaner wanted number {i}" for i in range(6)},  # so that "typist" is rare (its idf > 0)
    }
    index.upsert([dataclasses.replace(base, posting_id=pid, title="", text=text, cluster_id=pid)
                  for pid, text in texts.items()])  # fmt: skip
    for reader in (index, SqliteIndex(tmp_path / "tf.sqlite", read_only=True)):  # the read-only one too
        hits = reader.search(Query("typist", sort="relevance", facets=())).hits
        assert [h.posting_id for h in hits] == ["thrice", "once"] and hits[0].score > hits[1].score > 0
        prefix = reader.search(Query("typ*", sort="relevance", facets=())).hits
        assert [h.posting_id for h in prefix] == ["thrice", "once"]
        phrase = reader.search(Query('"typist wanted"', sort="relevance", facets=())).hits
        assert {h.posting_id for h in phrase} == {"thrice", "once"}
