"""Where candidate sources are kept: one SQLite file in the data folder (``DATA_DIR/discovery.sqlite``).

Two tables. ``mentions`` holds one row per (candidate, finding): what the candidate's evidence is computed from;
a re-indexed finding replaces its rows, so a text edited to drop a link drops the mention. ``reviews`` holds the
analyst's decision per candidate and is never touched by discovery, so a rejected candidate stays rejected
whatever later runs find. The file lives beside the runs and the evidence, which every deployment shares
(the SQLite and the Elasticsearch one alike); WAL lets the runner and the web app write at the same time.
"""

from __future__ import annotations

import sqlite3
from collections.abc import Iterable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any

SCHEMA = """
CREATE TABLE IF NOT EXISTS mentions (
    candidate TEXT NOT NULL, posting_id TEXT NOT NULL, kind TEXT NOT NULL, name TEXT NOT NULL, url TEXT NOT NULL,
    form TEXT NOT NULL, seen TEXT NOT NULL, risk INTEGER NOT NULL, cluster_id TEXT NOT NULL,
    network_id TEXT NOT NULL, source TEXT NOT NULL, title TEXT NOT NULL,
    PRIMARY KEY (candidate, posting_id)
);
CREATE INDEX IF NOT EXISTS mentions_posting ON mentions (posting_id);
CREATE TABLE IF NOT EXISTS reviews (
    candidate TEXT PRIMARY KEY, status TEXT NOT NULL, reason TEXT NOT NULL DEFAULT '', until TEXT,
    reviewer TEXT NOT NULL DEFAULT '', reviewed_at TEXT NOT NULL, source_file TEXT NOT NULL DEFAULT ''
);
"""
BUSY_SECONDS = 30.0  # how long a writer waits for another one (the runner and the web app may write at once)


@dataclass(frozen=True)
class MentionRow:
    """A candidate named by one finding, with what the finding tells about it."""

    candidate: str
    posting_id: str
    kind: str
    name: str
    url: str
    form: str
    seen: str  # the finding's first_seen (else fetched_at)
    risk: int
    cluster_id: str
    network_id: str
    source: str
    title: str


@dataclass(frozen=True)
class Review:
    candidate: str
    status: str  # approved | rejected | snoozed
    reason: str
    until: str | None
    reviewer: str
    reviewed_at: str
    source_file: str


class DiscoveryStore:
    """The mentions and reviews file; every call opens a short connection (safe across threads and processes)."""

    def __init__(self, path: Path) -> None:
        self.path = path
        path.parent.mkdir(parents=True, exist_ok=True)
        with self._connect() as db:
            db.execute("PRAGMA journal_mode=WAL")
            db.executescript(SCHEMA)

    @contextmanager
    def _connect(self) -> Iterator[sqlite3.Connection]:
        db = sqlite3.connect(self.path, timeout=BUSY_SECONDS)
        try:
            with db:
                yield db
        finally:
            db.close()

    def replace_mentions(self, posting_ids: Iterable[str], rows: Iterable[MentionRow]) -> int:
        """The findings ``posting_ids`` now name exactly ``rows`` (earlier mentions of them are dropped)."""
        rows = list(rows)
        with self._connect() as db:
            db.executemany("DELETE FROM mentions WHERE posting_id = ?", [(p,) for p in posting_ids])
            db.executemany(
                "INSERT OR REPLACE INTO mentions VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
                [tuple(row.__dict__.values()) for row in rows],
            )
        return len(rows)

    def mentions(self, candidate: str | None = None) -> list[MentionRow]:
        with self._connect() as db:
            if candidate is None:
                cursor = db.execute("SELECT * FROM mentions ORDER BY candidate, seen, posting_id")
            else:
                cursor = db.execute(
                    "SELECT * FROM mentions WHERE candidate = ? ORDER BY seen, posting_id", (candidate,)
                )
            return [MentionRow(*row) for row in cursor]

    def reviews(self) -> dict[str, Review]:
        with self._connect() as db:
            return {row[0]: Review(*row) for row in db.execute("SELECT * FROM reviews")}

    def review(self, candidate: str) -> Review | None:
        with self._connect() as db:
            row = db.execute("SELECT * FROM reviews WHERE candidate = ?", (candidate,)).fetchone()
        return Review(*row) if row else None

    def set_review(self, review: Review) -> None:
        with self._connect() as db:
            db.execute("INSERT OR REPLACE INTO reviews VALUES (?, ?, ?, ?, ?, ?, ?)", tuple(review.__dict__.values()))

    def counts(self) -> dict[str, Any]:
        with self._connect() as db:
            mentions, candidates = db.execute("SELECT count(*), count(DISTINCT candidate) FROM mentions").fetchone()
        return {"mentions": mentions, "candidates": candidates}
