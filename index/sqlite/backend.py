"""The embedded index: one SQLite file (WAL) with FTS5 for text, side tables for multi-valued fields, an R*Tree."""

from __future__ import annotations

import json
import sqlite3
from collections.abc import Iterable, Iterator
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from lurewatch.errors import IndexUnavailable
from lurewatch.geo import distance_m
from lurewatch.index.base import BandMatch, WriteReport, lookup_keys
from lurewatch.index.documents import stored_finding
from lurewatch.index.query import (
    HIGHLIGHT_POST,
    HIGHLIGHT_PRE,
    Hit,
    Query,
    SearchResult,
    decode_cursor,
    encode_cursor,
    highlight_words,
)
from lurewatch.index.sqlite.connections import ThreadConnections, transaction
from lurewatch.index.sqlite.query import (
    COLUMNS,
    MATCHED,
    MATCHED_COLUMNS,
    Compiled,
    compile_where,
    geotile_exprs,
    histogram_expr,
    keyset,
    order_by,
    ranked_rows,
)
from lurewatch.index.sqlite.rows import SCHEMA, SCHEMA_VERSION, finding_row, finding_values
from lurewatch.index.text import finding_words, fragment, mark
from lurewatch.records import Finding, from_json, to_json

BATCH = 500
FACET_SIZE = 20


class SqliteIndex:
    """Findings in one SQLite file; the default, with no server to run.

    Each thread gets its own connection (SQLite connections must not be shared between threads), so a
    web server's worker threads search at once; WAL lets them read while another process writes. Every
    connection is in autocommit mode: a read starts a fresh snapshot, so it sees every committed write;
    a search holds one snapshot for its count, page and facets, and ends it when it returns.
    ``read_only`` opens the file with ``mode=ro`` and never writes, not even a PRAGMA.
    """

    backend = "sqlite"

    def __init__(self, path: Path, read_only: bool = False) -> None:
        self.path = path
        self.read_only = read_only
        self.connections = ThreadConnections(path, read_only, [("distance_m", 4, _distance)])

    @property
    def db(self) -> sqlite3.Connection:
        """The calling thread's connection."""
        return self.connections.get()

    def setup(self) -> None:
        db = self.db
        version = db.execute("PRAGMA user_version").fetchone()[0]
        if version and version != SCHEMA_VERSION:
            raise IndexUnavailable(
                f"the SQLite index {self.path} has schema {version}, this version needs {SCHEMA_VERSION}",
                hint="move the file aside and run `lurewatch index RUN` again for each run (the index is rebuilt "
                "from findings.jsonl)",
            )
        exists = db.execute("SELECT 1 FROM sqlite_master WHERE name = 'findings'").fetchone()
        if exists and not version:
            raise IndexUnavailable(
                f"the SQLite index {self.path} was written by an older LureWatch",
                hint="move the file aside and run `lurewatch index RUN` again for each run",
            )
        if self.read_only:
            if not exists:
                raise IndexUnavailable(f"{self.path} holds no LureWatch index",
                                       hint="index a run first: `lurewatch index RUN`")  # fmt: skip
            return
        db.executescript(SCHEMA)
        db.execute(f"PRAGMA user_version = {SCHEMA_VERSION}")

    def upsert(self, findings: Iterable[Finding]) -> WriteReport:
        report = WriteReport()
        now = datetime.now(UTC).isoformat(timespec="seconds")
        batch: list[Finding] = []
        for finding in findings:
            finding.indexed_at = now
            batch.append(finding)
            if len(batch) >= BATCH:
                report.written += self._write(batch)
                batch = []
        if batch:
            report.written += self._write(batch)
        return report

    def _write(self, batch: list[Finding]) -> int:
        with transaction(self.db, "BEGIN IMMEDIATE"):
            for f in batch:
                stored = stored_finding(f)
                row = finding_row(f, to_json(stored))
                row["title"] = stored.title
                names = ", ".join(row)
                updates = ", ".join(f"{k}=excluded.{k}" for k in row if k != "posting_id")
                rowid = self.db.execute(
                    f"INSERT INTO findings ({names}) VALUES ({','.join('?' * len(row))}) "
                    f"ON CONFLICT(posting_id) DO UPDATE SET {updates} RETURNING id",
                    list(row.values()),
                ).fetchone()[0]
                self.db.execute("DELETE FROM finding_values WHERE rowid = ?", (rowid,))
                self.db.executemany(
                    "INSERT OR IGNORE INTO finding_values (field, value, rowid) VALUES (?,?,?)",
                    [(name, value, rowid) for name, value in finding_values(f)],
                )
                self.db.execute("DELETE FROM findings_geo WHERE id = ?", (rowid,))
                if row["lat"] is not None:
                    self.db.execute(
                        "INSERT INTO findings_geo (id, min_lon, max_lon, min_lat, max_lat) VALUES (?,?,?,?,?)",
                        (rowid, row["lon"], row["lon"], row["lat"], row["lat"]),
                    )
                self.db.execute("DELETE FROM findings_fts WHERE rowid = ?", (rowid,))
                self.db.execute(
                    "INSERT INTO findings_fts (rowid, words) VALUES (?,?)",
                    (rowid, finding_words(f.title, f.text, f.text_segmented)),
                )
        return len(batch)

    def candidates(self, keys: list[str], limit: int) -> list[BandMatch]:
        wanted = lookup_keys(keys)
        if not wanted:
            return []
        rows = self.db.execute(
            f"""SELECT f.posting_id, f.cluster_id, f.first_seen, f.doc, shared.n
                FROM (SELECT rowid, COUNT(*) AS n FROM finding_values
                      WHERE field = 'band' AND value IN ({",".join("?" * len(wanted))}) GROUP BY rowid) AS shared
                JOIN findings f ON f.id = shared.rowid
                ORDER BY shared.n DESC, f.first_seen, f.posting_id LIMIT ?""",
            [*wanted, limit],
        ).fetchall()
        return [
            BandMatch(pid, cluster or pid, first_seen or "", json.loads(doc).get("minhash_bands", []), n)
            for pid, cluster, first_seen, doc, n in rows
        ]

    def get(self, posting_id: str) -> Finding | None:
        row = self.db.execute("SELECT doc FROM findings WHERE posting_id = ?", (posting_id,)).fetchone()
        return from_json(Finding, row[0]) if row else None

    def get_many(self, posting_ids: list[str]) -> list[Finding]:
        found: dict[str, Finding] = {}
        for start in range(0, len(posting_ids), BATCH):
            chunk = posting_ids[start : start + BATCH]
            rows = self.db.execute(f"SELECT posting_id, doc FROM findings WHERE posting_id IN ({','.join('?' * len(chunk))})",
                                   chunk).fetchall()  # fmt: skip
            found.update((pid, from_json(Finding, doc)) for pid, doc in rows)
        return [found[pid] for pid in posting_ids if pid in found]

    def count(self) -> int:
        return int(self.db.execute("SELECT COUNT(*) FROM findings").fetchone()[0])

    def search(self, query: Query) -> SearchResult:
        query.validate()
        # One snapshot for the count, the page and the facets; rolled back at the end (only the temp table
        # was written), so the next search starts a new one and sees what was committed meanwhile.
        with transaction(self.db, "BEGIN", keep=False):
            return self._search(query)

    def _search(self, query: Query) -> SearchResult:
        compiled = compile_where(query)
        if compiled.where == "1":
            rows_where, source = compiled, "findings f"
            total = self.count()
        else:
            # The matches are computed once, with the columns aggregations need; count, page and facets read them.
            self.db.execute("DROP TABLE IF EXISTS temp.matched")
            # id is the primary key: facets on multi-valued fields join finding_values to it.
            self.db.execute("CREATE TEMP TABLE matched (id INTEGER PRIMARY KEY, source, source_kind, language, "
                            "country, compound, cluster_key, dated_ms, tile_x, tile_y)")  # fmt: skip
            self.db.execute(f"INSERT INTO temp.matched SELECT {MATCHED_COLUMNS} FROM findings f "
                            f"WHERE {compiled.where}", compiled.params)  # fmt: skip
            rows_where, source = Compiled(MATCHED, [], compiled.rank), "temp.matched f"
            total = self.db.execute("SELECT COUNT(*) FROM temp.matched").fetchone()[0]
        rows_sql, rows_params = ranked_rows(rows_where, query.sort == "relevance")
        if query.collapse:
            rows = self._first_of_each_cluster(rows_sql, rows_params, query)
        else:
            page_sql = f"SELECT * FROM ({rows_sql})"
            if query.cursor:
                after, _ = decode_cursor(query.cursor)
                condition, after_params = keyset(query.sort, after)
                page_sql += f" WHERE {condition}"
                rows_params += after_params
            page_sql += f" ORDER BY {order_by(query.sort)} LIMIT ? OFFSET ?"
            rows = self.db.execute(page_sql, [*rows_params, query.size, query.offset]).fetchall()
        hits = [self._hit(r, query.sort) for r in rows]
        if query.highlight and compiled.rank and hits:
            self._highlight(hits, [r[0] for r in rows], query)
        result = SearchResult(total=total, hits=hits)
        if query.collapse:
            result.clusters = self.db.execute(f"SELECT COUNT(DISTINCT f.cluster_key) FROM {source}").fetchone()[0]
            members = self._cluster_sizes(source, [r[14] for r in rows])
            for row, hit in zip(rows, hits, strict=True):
                hit.reposts = members.get(row[14], 1) - 1
        result.facets = {name: self._facet(name, source) for name in query.facets}
        if query.histogram:
            key = histogram_expr(query.histogram)
            result.histogram = self.db.execute(
                f"SELECT {key} AS k, COUNT(*) FROM {source} GROUP BY k ORDER BY k"
            ).fetchall()
        if query.geotile is not None:
            x, y = geotile_exprs(query.geotile)
            tiles = self.db.execute(
                f"""SELECT {x} AS x, {y} AS y, COUNT(*) AS n FROM {source} WHERE f.tile_x IS NOT NULL
                    GROUP BY x, y ORDER BY n DESC"""
            ).fetchall()
            result.geotiles = [(f"{query.geotile}/{tx}/{ty}", n) for tx, ty, n in tiles]
        if not query.collapse and hits and len(hits) == query.size and total > query.offset + query.size:
            result.next_cursor = encode_cursor(hits[-1].sort)
        return result

    def _first_of_each_cluster(self, rows_sql: str, params: list[Any], query: Query) -> list[tuple[Any, ...]]:
        """One page of rows, one per cluster: each cluster's first member in sort order (best match, newest...).

        The rows are read in sort order and stop as soon as the page is full: a page of the newest lures
        walks the ``findings_newest`` index for a few dozen rows, never the whole table.
        """
        seen: set[str] = set()
        page: list[tuple[Any, ...]] = []
        skip = query.offset
        cursor = self.db.execute(f"SELECT * FROM ({rows_sql}) ORDER BY {order_by(query.sort)}", params)
        try:
            while len(page) < query.size and (chunk := cursor.fetchmany(256)):
                for row in chunk:
                    if row[14] in seen:
                        continue
                    seen.add(row[14])
                    if skip:
                        skip -= 1
                        continue
                    page.append(row)
                    if len(page) == query.size:
                        break
        finally:
            cursor.close()
        return page

    def _cluster_sizes(self, source: str, keys: list[str]) -> dict[str, int]:
        """How many rows of ``source`` (all findings, or the matches) each of these clusters has."""
        if not keys:
            return {}
        marks = ",".join("?" * len(keys))
        sql = f"SELECT f.cluster_key, COUNT(*) FROM {source} WHERE f.cluster_key IN ({marks}) GROUP BY f.cluster_key"
        return dict(self.db.execute(sql, keys).fetchall())

    def iterate(self, query: Query) -> Iterator[Hit]:
        """Every hit of ``query`` in sort order, keyset page by keyset page (for exports)."""
        page = Query(**{**query.__dict__, "facets": (), "histogram": None, "geotile": None, "offset": 0,
                        "collapse": False})  # fmt: skip
        page.cursor = None
        while True:
            result = self.search(page)
            yield from result.hits
            if result.next_cursor is None:
                return
            page.cursor = result.next_cursor

    def _hit(self, r: tuple[Any, ...], sort: str) -> Hit:
        indicators = self.db.execute(
            "SELECT value FROM finding_values WHERE rowid = ? AND field = 'indicator' ORDER BY value", (r[0],)
        ).fetchall()
        keys = {
            "relevance": [r[15], r[1]],
            "newest": [r[13], r[1]],
            "oldest": [r[13], r[1]],
            "risk": [r[7], r[13], r[1]],
        }[sort]
        return Hit(
            posting_id=r[1], title=r[2] or "", url=r[3] or "", source=r[4] or "", language=r[5] or "", country=r[6],
            risk_score=r[7] or 0, fetched_at=r[8] or "", compound=r[9], cluster_id=r[10] or "",
            geo={"lat": r[11], "lon": r[12]} if r[11] is not None else None, score=float(r[15]),
            indicators=[i[0] for i in indicators], sort=keys,
        )  # fmt: skip

    def _highlight(self, hits: list[Hit], rowids: list[int], query: Query) -> None:
        """Mark the matched words in titles and a fragment of the text (in the original, unsegmented text)."""
        tokens = highlight_words(query)
        marks = ",".join("?" * len(rowids))
        texts = dict(self.db.execute(f"SELECT id, json_extract(doc, '$.text') FROM findings WHERE id IN ({marks})",
                                     rowids).fetchall())  # fmt: skip
        for rowid, hit in zip(rowids, hits, strict=True):
            title = mark(hit.title, tokens, HIGHLIGHT_PRE, HIGHLIGHT_POST)
            text = mark(texts.get(rowid) or "", tokens, HIGHLIGHT_PRE, HIGHLIGHT_POST)
            hit.title_highlight = title if HIGHLIGHT_PRE in title else ""
            hit.highlights = [fragment(text, HIGHLIGHT_PRE, HIGHLIGHT_POST)] if HIGHLIGHT_PRE in text else []

    def _facet(self, name: str, source: str) -> list[tuple[str, int]]:
        """Top values of ``name`` among the rows of ``source`` (the findings table or the matched rows)."""
        if name in COLUMNS:
            column = f"f.{COLUMNS[name]}"
            sql = f"""SELECT {column} AS v, COUNT(*) AS n FROM {source} WHERE {column} IS NOT NULL AND {column} != ''
                      GROUP BY v ORDER BY n DESC, v LIMIT {FACET_SIZE}"""
            return [(v, n) for v, n in self.db.execute(sql).fetchall()]
        sql = f"""SELECT v.value AS v, COUNT(*) AS n FROM finding_values v JOIN {source} ON f.id = v.rowid
                  WHERE v.field = ? AND v.value != '' GROUP BY v.value ORDER BY n DESC, v LIMIT {FACET_SIZE}"""
        return [(v, n) for v, n in self.db.execute(sql, [name]).fetchall()]

    def close(self) -> None:
        self.connections.close()


def _distance(lat: float | None, lon: float | None, lat2: float, lon2: float) -> float | None:
    if lat is None or lon is None:
        return None
    return distance_m(lat, lon, lat2, lon2)
