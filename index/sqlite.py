"""The embedded index: one SQLite file (WAL) with FTS5 for text and plain columns for filters and facets."""

from __future__ import annotations

import json
import sqlite3
from collections.abc import Iterable
from datetime import UTC, datetime
from pathlib import Path

from index.base import WriteReport
from index.query import FILTER_FIELDS, Hit, Node, Not, Query, SearchResult, Term, parse
from index.text import FTS5_TOKENIZER, finding_words, tokens
from lurewatch.errors import IndexUnavailable
from lurewatch.records import Finding, from_dict, to_dict

SCHEMA = f"""
CREATE TABLE IF NOT EXISTS findings (
    posting_id TEXT PRIMARY KEY,
    doc TEXT NOT NULL,
    title TEXT, url TEXT, source TEXT, source_kind TEXT, language TEXT, country TEXT,
    risk_score INTEGER, fetched_at TEXT, indexed_at TEXT
);
CREATE VIRTUAL TABLE IF NOT EXISTS findings_fts USING fts5(words, tokenize = "{FTS5_TOKENIZER}");
"""
BATCH = 500


class QueryNotSupported(ValueError):
    """A query the SQLite backend cannot express."""


class SqliteIndex:
    """Findings in one SQLite file; the default, with no server to run."""

    backend = "sqlite"

    def __init__(self, path: Path) -> None:
        self.path = path
        try:
            path.parent.mkdir(parents=True, exist_ok=True)
            self.db = sqlite3.connect(path, check_same_thread=False)
        except (OSError, sqlite3.Error) as exc:
            raise IndexUnavailable(f"cannot open the SQLite index {path}: {exc}") from exc
        self.db.execute("PRAGMA journal_mode=WAL")
        self.db.execute("PRAGMA synchronous=NORMAL")

    def setup(self) -> None:
        self.db.executescript(SCHEMA)
        self.db.commit()

    def upsert(self, findings: Iterable[Finding]) -> WriteReport:
        report = WriteReport()
        now = datetime.now(UTC).isoformat(timespec="seconds")
        batch: list[Finding] = []
        for finding in findings:
            finding.indexed_at = now
            batch.append(finding)
            if len(batch) >= BATCH:
                self._write(batch)
                report.written += len(batch)
                batch = []
        if batch:
            self._write(batch)
            report.written += len(batch)
        return report

    def _write(self, batch: list[Finding]) -> None:
        with self.db:
            for f in batch:
                row = self.db.execute(
                    """INSERT INTO findings (posting_id, doc, title, url, source, source_kind, language, country,
                                             risk_score, fetched_at, indexed_at)
                       VALUES (?,?,?,?,?,?,?,?,?,?,?)
                       ON CONFLICT(posting_id) DO UPDATE SET doc=excluded.doc, title=excluded.title,
                         url=excluded.url, source=excluded.source, source_kind=excluded.source_kind,
                         language=excluded.language, country=excluded.country, risk_score=excluded.risk_score,
                         fetched_at=excluded.fetched_at, indexed_at=excluded.indexed_at
                       RETURNING rowid""",
                    (
                        f.posting_id,
                        json.dumps(to_dict(f), ensure_ascii=False),
                        f.title,
                        f.url,
                        f.source,
                        f.source_kind,
                        f.language,
                        f.country,
                        f.risk_score,
                        f.fetched_at,
                        f.indexed_at,
                    ),  # fmt: skip
                ).fetchone()
                rowid = row[0]
                self.db.execute("DELETE FROM findings_fts WHERE rowid = ?", (rowid,))
                self.db.execute(
                    "INSERT INTO findings_fts (rowid, words) VALUES (?,?)",
                    (rowid, finding_words(f.title, f.text, f.text_segmented)),
                )

    def get(self, posting_id: str) -> Finding | None:
        row = self.db.execute("SELECT doc FROM findings WHERE posting_id = ?", (posting_id,)).fetchone()
        return from_dict(Finding, json.loads(row[0])) if row else None

    def count(self) -> int:
        return int(self.db.execute("SELECT COUNT(*) FROM findings").fetchone()[0])

    def search(self, query: Query) -> SearchResult:
        where, params, rank = self._where(query)
        total = self.db.execute(f"SELECT COUNT(*) FROM findings f WHERE {where}", params).fetchone()[0]
        if rank:
            sql = f"""SELECT f.posting_id, f.title, f.url, f.source, f.language, f.country, f.risk_score,
                             f.fetched_at, -bm25(findings_fts) AS score
                      FROM findings_fts JOIN findings f ON f.rowid = findings_fts.rowid
                      WHERE findings_fts MATCH ? AND {where}
                      ORDER BY score DESC, f.posting_id LIMIT ? OFFSET ?"""
            rows = self.db.execute(sql, [rank, *params, query.size, query.offset]).fetchall()
        else:
            sql = f"""SELECT posting_id, title, url, source, language, country, risk_score, fetched_at, 1.0
                      FROM findings f WHERE {where} ORDER BY fetched_at DESC, posting_id LIMIT ? OFFSET ?"""
            rows = self.db.execute(sql, [*params, query.size, query.offset]).fetchall()
        hits = [
            Hit(posting_id=r[0], title=r[1], url=r[2], source=r[3], language=r[4], country=r[5], risk_score=r[6],
                fetched_at=r[7], score=float(r[8]))
            for r in rows
        ]  # fmt: skip
        facets = {}
        for name in query.facets:
            column = _column(name)
            counted = self.db.execute(
                f"""SELECT {column}, COUNT(*) AS n FROM findings f WHERE {where} AND {column} IS NOT NULL
                    AND {column} != '' GROUP BY {column} ORDER BY n DESC, {column} LIMIT 20""",
                params,
            ).fetchall()
            facets[name] = [(value, n) for value, n in counted]
        return SearchResult(total=total, hits=hits, facets=facets)

    def _where(self, query: Query) -> tuple[str, list[object], str | None]:
        """SQL condition on ``findings f``, its parameters, and an FTS expression to rank by (if any)."""
        clauses: list[str] = []
        params: list[object] = []
        rank: str | None = None
        tree = None if query.match_all else parse(query.text)
        if tree is not None:
            sql, sql_params = _compile(tree)
            clauses.append(sql)
            params.extend(sql_params)
            rank = _ranking(tree)
        for name, values in query.filters.items():
            clauses.append(f"{_column(name)} IN ({','.join('?' * len(values))})")
            params.extend(values)
        return (" AND ".join(clauses) or "1"), params, rank

    def close(self) -> None:
        self.db.close()


def _column(name: str) -> str:
    if name not in FILTER_FIELDS:
        raise ValueError(f"unknown field {name!r}")
    return f"f.{name}"


def _fts_leaf(term: Term) -> str:
    """An FTS5 expression for one term, split into words as the index is (index/text.py)."""
    words = tokens(term.text)
    if not words:
        return ""
    quoted = [f'"{t}"' for t in words]
    if term.kind == "phrase":
        return '"' + " ".join(words) + '"'
    if term.kind == "prefix":
        quoted[-1] += "*"
    return " AND ".join(quoted) if len(quoted) > 1 else quoted[0]


def _compile(node: Node) -> tuple[str, list[object]]:
    """Exact boolean semantics: each term is a row set from FTS5, combined in SQL."""
    if isinstance(node, Term):
        expr = _fts_leaf(node)
        if not expr:
            return "1", []
        return "f.rowid IN (SELECT rowid FROM findings_fts WHERE findings_fts MATCH ?)", [expr]
    if isinstance(node, Not):
        sql, params = _compile(node.node)
        return f"NOT ({sql})", params
    parts = [_compile(n) for n in node.nodes]
    joiner = " AND " if node.op == "and" else " OR "
    return "(" + joiner.join(p[0] for p in parts) + ")", [x for p in parts for x in p[1]]


def _ranking(node: Node) -> str | None:
    """The positive terms OR-ed together: FTS5 ranks rows by them with bm25."""
    leaves: list[str] = []

    def walk(n: Node, negated: bool) -> None:
        if isinstance(n, Term):
            if not negated and (expr := _fts_leaf(n)):
                leaves.append(f"({expr})")
        elif isinstance(n, Not):
            walk(n.node, not negated)
        else:
            for child in n.nodes:
                walk(child, negated)

    walk(node, False)
    return " OR ".join(leaves) if leaves else None
