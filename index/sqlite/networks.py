"""Networks in the SQLite index file: members, keys, summaries and merges in their own tables, and
``findings.network_id`` for search.

Reading findings for the graph never decodes their JSON: the columns and the ``finding_values`` rows of the
entity kinds hold everything a member needs.
"""

from __future__ import annotations

# builtins.list in annotations: this class has a method named list.
import builtins
import json
import sqlite3
from collections.abc import Iterator
from pathlib import Path
from typing import Any

from lurewatch.entities import ENTITY_KINDS
from lurewatch.errors import IndexUnavailable
from lurewatch.index.networks import NETWORK_SORTS, EntityRow, Member, keys_of_values
from lurewatch.index.sqlite.connections import transaction
from lurewatch.index.sqlite.rows import add_network_column

SCHEMA = """
CREATE TABLE IF NOT EXISTS network_members (
    posting_id TEXT PRIMARY KEY, network_id TEXT NOT NULL, keys TEXT NOT NULL, source TEXT, language TEXT,
    country TEXT, compound TEXT, cluster_id TEXT, fetched_at TEXT, risk_score INTEGER
);
CREATE INDEX IF NOT EXISTS network_members_network ON network_members (network_id);
CREATE TABLE IF NOT EXISTS network_entities (
    key TEXT PRIMARY KEY, network_id TEXT NOT NULL, findings INTEGER NOT NULL
) WITHOUT ROWID;
CREATE INDEX IF NOT EXISTS network_entities_network ON network_entities (network_id, findings);
CREATE TABLE IF NOT EXISTS networks (
    network_id TEXT PRIMARY KEY, postings INTEGER NOT NULL, growth INTEGER NOT NULL, max_risk INTEGER NOT NULL,
    last_seen TEXT, doc TEXT NOT NULL
);
CREATE INDEX IF NOT EXISTS networks_size ON networks (postings DESC, network_id);
CREATE TABLE IF NOT EXISTS network_merges (
    from_id TEXT NOT NULL, into_id TEXT NOT NULL, kind TEXT NOT NULL, at TEXT NOT NULL, doc TEXT NOT NULL
);
CREATE INDEX IF NOT EXISTS network_merges_from ON network_merges (from_id);
CREATE INDEX IF NOT EXISTS network_merges_into ON network_merges (into_id);
CREATE TABLE IF NOT EXISTS network_state (name TEXT PRIMARY KEY, value TEXT NOT NULL);
"""
ORDER = {"size": "postings DESC", "growth": "growth DESC, postings DESC", "risk": "max_risk DESC, postings DESC",
         "recent": "last_seen DESC"}  # fmt: skip
KINDS = tuple(e.kind for e in ENTITY_KINDS)
LOOKUP = 500
CACHE_KB = 128 * 1024
MEMBER_COLUMNS = "posting_id, network_id, keys, source, language, country, compound, cluster_id, fetched_at, risk_score"


def _member(row: tuple[Any, ...]) -> Member:
    return Member(row[0], row[2].split("\x1f") if row[2] else [], row[1], row[3] or "", row[4] or "", row[5] or "",
                  row[6] or "", row[7] or "", row[8] or "", row[9] or 0)  # fmt: skip


class SqliteNetworkStore:
    """Networks in the tables ``network_*`` and ``networks`` of the index file (its own connection, WAL)."""

    backend = "sqlite"

    def __init__(self, path: Path) -> None:
        self.path = path
        try:
            path.parent.mkdir(parents=True, exist_ok=True)
            self.db = sqlite3.connect(path, check_same_thread=False, isolation_level=None)
        except (OSError, sqlite3.Error) as exc:
            raise IndexUnavailable(f"cannot open the SQLite index {path}: {exc}") from exc
        self.db.execute("PRAGMA journal_mode=WAL")
        self.db.execute("PRAGMA synchronous=NORMAL")
        self.db.execute("PRAGMA busy_timeout=10000")
        # A build rewrites every finding's row and two indexes: SQLite's default 2 MB page cache spills to disk.
        self.db.execute(f"PRAGMA cache_size=-{CACHE_KB}")
        self.db.execute("PRAGMA temp_store=MEMORY")

    def setup(self) -> None:
        if self.db.execute("SELECT 1 FROM sqlite_master WHERE name = 'findings'").fetchone():
            add_network_column(self.db)
        self.db.executescript(SCHEMA)

    def read_findings(self, indexed_after: str | None = None,
                      posting_ids: builtins.list[str] | None = None) -> Iterator[Member]:  # fmt: skip
        columns = "id, posting_id, source, language, country, compound, cluster_id, fetched_at, risk_score, indexed_at"
        if posting_ids is not None:
            rows = sorted(self._chunks(f"SELECT {columns} FROM findings WHERE posting_id IN ({{marks}})", posting_ids))
        else:
            where, params = ("WHERE indexed_at > ?", [indexed_after]) if indexed_after else ("", [])
            rows = self.db.execute(f"SELECT {columns} FROM findings {where} ORDER BY id", params).fetchall()
        kinds = ",".join("?" * len(KINDS))
        for start in range(0, len(rows), 20_000):
            chunk = rows[start : start + 20_000]
            low, high = chunk[0][0], chunk[-1][0]
            values: dict[int, dict[str, list[str]]] = {}
            for rowid, kind, value in self.db.execute(
                f"SELECT rowid, field, value FROM finding_values INDEXED BY finding_values_row "
                f"WHERE rowid BETWEEN ? AND ? AND field IN ({kinds})", [low, high, *KINDS]):  # fmt: skip
                values.setdefault(rowid, {}).setdefault(kind, []).append(value)
            for r in chunk:
                yield Member(r[1], keys_of_values(values.get(r[0], {}), r[6] or ""), "", r[2] or "", r[3] or "",
                             r[4] or "", r[5] or "", r[6] or "", r[7] or "", r[8] or 0, r[9] or "")  # fmt: skip

    def _chunks(self, sql: str, values: builtins.list[str]) -> Iterator[tuple[Any, ...]]:
        for start in range(0, len(values), LOOKUP):
            chunk = values[start : start + LOOKUP]
            yield from self.db.execute(sql.format(marks=",".join("?" * len(chunk))), chunk).fetchall()

    def members_by_id(self, posting_ids: builtins.list[str]) -> dict[str, Member]:
        sql = f"SELECT {MEMBER_COLUMNS} FROM network_members WHERE posting_id IN ({{marks}})"
        return {row[0]: _member(row) for row in self._chunks(sql, posting_ids)}

    def members_of(self, network_ids: builtins.list[str]) -> builtins.list[Member]:
        sql = f"SELECT {MEMBER_COLUMNS} FROM network_members WHERE network_id IN ({{marks}})"
        return [_member(row) for row in self._chunks(sql, network_ids)]

    def entities(self, keys: builtins.list[str]) -> dict[str, EntityRow]:
        sql = "SELECT key, network_id, findings FROM network_entities WHERE key IN ({marks})"
        return {row[0]: EntityRow(*row) for row in self._chunks(sql, keys)}

    def entities_of(self, network_id: str, limit: int) -> builtins.list[EntityRow]:
        rows = self.db.execute("SELECT key, network_id, findings FROM network_entities WHERE network_id = ? "
                               "ORDER BY findings DESC, key LIMIT ?", (network_id, limit)).fetchall()  # fmt: skip
        return [EntityRow(*row) for row in rows]

    def put(self, members: builtins.list[Member], entities: builtins.list[EntityRow],
            networks: builtins.list[dict[str, Any]], merges: builtins.list[dict[str, Any]],
            gone: builtins.list[str]) -> None:  # fmt: skip
        with transaction(self.db, "BEGIN IMMEDIATE"):
            self.db.executemany(
                f"INSERT OR REPLACE INTO network_members ({MEMBER_COLUMNS}) VALUES (?,?,?,?,?,?,?,?,?,?)",
                [(m.posting_id, m.network_id, "\x1f".join(m.keys), m.source, m.language, m.country, m.compound,
                  m.cluster_id, m.fetched_at, m.risk_score) for m in members],
            )  # fmt: skip
            self.db.executemany("INSERT OR REPLACE INTO network_entities (key, network_id, findings) VALUES (?,?,?)",
                                [(e.key, e.network_id, e.findings) for e in entities])  # fmt: skip
            self.db.executemany("DELETE FROM networks WHERE network_id = ?", [(g,) for g in gone])
            self.db.executemany(
                "INSERT OR REPLACE INTO networks (network_id, postings, growth, max_risk, last_seen, doc) "
                "VALUES (?,?,?,?,?,?)",
                [(n["network_id"], n["postings"], n["growth"], n["max_risk"], n["last_seen"],
                  json.dumps(n, ensure_ascii=False)) for n in networks],
            )  # fmt: skip
            self.db.executemany(
                "INSERT INTO network_merges (from_id, into_id, kind, at, doc) VALUES (?,?,?,?,?)",
                [(m["from_id"], m["into_id"], m["kind"], m["at"], json.dumps(m, ensure_ascii=False)) for m in merges],
            )

    def reassign(self, from_ids: builtins.list[str], to_id: str) -> None:
        with transaction(self.db, "BEGIN IMMEDIATE"):
            for table in ("network_members", "network_entities"):
                self.db.executemany(f"UPDATE {table} SET network_id = ? WHERE network_id = ?",
                                    [(to_id, f) for f in from_ids])  # fmt: skip
            self.db.executemany(
                "UPDATE findings SET network_id = ? WHERE network_id = ?", [(to_id, f) for f in from_ids]
            )

    def label_findings(self, assignments: dict[str, str]) -> None:
        # One UPDATE ... FROM a temporary table walks the findings once (20 % faster than a statement per row).
        with transaction(self.db, "BEGIN IMMEDIATE"):
            self.db.execute("CREATE TEMP TABLE IF NOT EXISTS labels (posting_id TEXT PRIMARY KEY, network_id TEXT)")
            self.db.execute("DELETE FROM temp.labels")
            self.db.executemany("INSERT OR REPLACE INTO temp.labels (posting_id, network_id) VALUES (?, ?)",
                                assignments.items())  # fmt: skip
            self.db.execute(
                "UPDATE findings SET network_id = l.network_id FROM temp.labels l "
                "WHERE l.posting_id = findings.posting_id AND findings.network_id IS NOT l.network_id"
            )
            self.db.execute("DELETE FROM temp.labels")

    def network(self, network_id: str) -> dict[str, Any] | None:
        row = self.db.execute("SELECT doc FROM networks WHERE network_id = ?", (network_id,)).fetchone()
        return json.loads(row[0]) if row else None

    def list(self, sort: str = "size", size: int = 50, offset: int = 0,
             min_postings: int = 2) -> tuple[int, builtins.list[dict[str, Any]]]:  # fmt: skip
        if sort not in NETWORK_SORTS:
            raise ValueError(f"unknown sort {sort!r}; known: {', '.join(NETWORK_SORTS)}")
        total = self.db.execute("SELECT COUNT(*) FROM networks WHERE postings >= ?", (min_postings,)).fetchone()[0]
        rows = self.db.execute(f"SELECT doc FROM networks WHERE postings >= ? ORDER BY {ORDER[sort]}, network_id "
                               f"LIMIT ? OFFSET ?", (min_postings, size, offset)).fetchall()  # fmt: skip
        return int(total), [json.loads(doc) for (doc,) in rows]

    def merges(self, network_id: str) -> builtins.list[dict[str, Any]]:
        rows = self.db.execute("SELECT doc FROM network_merges WHERE from_id = ? OR into_id = ? ORDER BY at, rowid",
                               (network_id, network_id)).fetchall()  # fmt: skip
        return [json.loads(doc) for (doc,) in rows]

    def merged_into(self, network_id: str) -> str | None:
        row = self.db.execute("SELECT into_id FROM network_merges WHERE from_id = ? AND kind = 'merge' "
                              "ORDER BY at DESC, rowid DESC LIMIT 1", (network_id,)).fetchone()  # fmt: skip
        return row[0] if row else None

    def state(self, name: str) -> str | None:
        row = self.db.execute("SELECT value FROM network_state WHERE name = ?", (name,)).fetchone()
        return row[0] if row else None

    def set_state(self, name: str, value: str) -> None:
        self.db.execute("INSERT OR REPLACE INTO network_state (name, value) VALUES (?, ?)", (name, value))

    def clear(self) -> None:
        with transaction(self.db, "BEGIN IMMEDIATE"):
            for table in ("network_members", "network_entities", "networks", "network_state"):
                self.db.execute(f"DELETE FROM {table}")
            self.db.execute("UPDATE findings SET network_id = NULL WHERE network_id IS NOT NULL")

    def close(self) -> None:
        self.db.close()
