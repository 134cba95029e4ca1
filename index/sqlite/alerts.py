"""Saved searches and watches in the SQLite index file: one row per alert, one per cluster already alerted.

The alert itself is an opaque JSON document (``lurewatch.alerts`` owns its shape); the columns beside it
are what listing needs. ``alert_clusters`` keeps, per alert and channel, the clusters a digest delivered.
"""

from __future__ import annotations

# builtins.list in annotations: these classes have a method named list.
import builtins
import json
import sqlite3
from pathlib import Path
from typing import Any

from lurewatch.errors import IndexUnavailable

SCHEMA = """
CREATE TABLE IF NOT EXISTS alerts (
    id TEXT PRIMARY KEY, owner TEXT NOT NULL, name TEXT NOT NULL, doc TEXT NOT NULL,
    UNIQUE (owner, name)
);
CREATE TABLE IF NOT EXISTS alert_clusters (
    alert_id TEXT NOT NULL, channel TEXT NOT NULL, cluster_id TEXT NOT NULL, alerted_at TEXT NOT NULL,
    PRIMARY KEY (alert_id, channel, cluster_id)
) WITHOUT ROWID;
"""
LOOKUP = 500  # cluster ids per IN (...) list


class SqliteAlertStore:
    """Alerts in the tables ``alerts`` and ``alert_clusters`` of the index file (its own connection, WAL)."""

    backend = "sqlite"

    def __init__(self, path: Path) -> None:
        self.path = path
        try:
            path.parent.mkdir(parents=True, exist_ok=True)
            self.db = sqlite3.connect(path, check_same_thread=False)
        except (OSError, sqlite3.Error) as exc:
            raise IndexUnavailable(f"cannot open the SQLite index {path}: {exc}") from exc
        self.db.execute("PRAGMA journal_mode=WAL")
        self.db.execute("PRAGMA synchronous=NORMAL")  # as the index: WAL commits without an fsync each
        self.db.execute("PRAGMA busy_timeout=10000")

    def setup(self) -> None:
        self.db.executescript(SCHEMA)
        self.db.commit()

    def put(self, alert: dict[str, Any]) -> None:
        self.put_many([alert])

    def put_many(self, alerts: list[dict[str, Any]]) -> None:
        with self.db:
            self.db.executemany(
                "INSERT INTO alerts (id, owner, name, doc) VALUES (?,?,?,?) ON CONFLICT(id) DO UPDATE SET "
                "owner=excluded.owner, name=excluded.name, doc=excluded.doc",
                [(a["id"], a["owner"], a["name"], json.dumps(a, ensure_ascii=False)) for a in alerts],
            )

    def get(self, alert_id: str) -> dict[str, Any] | None:
        row = self.db.execute("SELECT doc FROM alerts WHERE id = ?", (alert_id,)).fetchone()
        return json.loads(row[0]) if row else None

    def get_many(self, alert_ids: list[str]) -> list[dict[str, Any]]:
        found: list[dict[str, Any]] = []
        for start in range(0, len(alert_ids), LOOKUP):
            chunk = alert_ids[start : start + LOOKUP]
            rows = self.db.execute(f"SELECT doc FROM alerts WHERE id IN ({','.join('?' * len(chunk))})", chunk)
            found.extend(json.loads(doc) for (doc,) in rows.fetchall())
        return found

    def list(self, owner: str | None = None, name: str | None = None) -> list[dict[str, Any]]:
        clauses, params = [], []
        for column, value in (("owner", owner), ("name", name)):
            if value is not None:
                clauses.append(f"{column} = ?")
                params.append(value)
        where = f"WHERE {' AND '.join(clauses)}" if clauses else ""
        rows = self.db.execute(f"SELECT doc FROM alerts {where} ORDER BY owner, name", params).fetchall()
        return [json.loads(doc) for (doc,) in rows]

    def delete(self, alert_id: str) -> bool:
        with self.db:
            gone = self.db.execute("DELETE FROM alerts WHERE id = ?", (alert_id,)).rowcount
            self.db.execute("DELETE FROM alert_clusters WHERE alert_id = ?", (alert_id,))
        return bool(gone)

    def alerted(self, alert_id: str, channel: str, cluster_ids: builtins.list[str]) -> set[str]:
        found: set[str] = set()
        for start in range(0, len(cluster_ids), LOOKUP):
            chunk = cluster_ids[start : start + LOOKUP]
            rows = self.db.execute(
                f"SELECT cluster_id FROM alert_clusters WHERE alert_id = ? AND channel = ? "
                f"AND cluster_id IN ({','.join('?' * len(chunk))})",
                [alert_id, channel, *chunk],
            ).fetchall()
            found.update(cluster for (cluster,) in rows)
        return found

    def mark_alerted(self, marks: builtins.list[tuple[str, str, str]], at: str) -> None:
        with self.db:
            self.db.executemany(
                "INSERT OR IGNORE INTO alert_clusters (alert_id, channel, cluster_id, alerted_at) VALUES (?,?,?,?)",
                [(alert_id, channel, cluster, at) for alert_id, channel, cluster in marks],
            )

    def close(self) -> None:
        self.db.close()
