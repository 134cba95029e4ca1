"""The embedded index: one SQLite file (WAL) with FTS5 for text, side tables for multi-valued fields, an R*Tree."""

from __future__ import annotations

import json
import sqlite3
import threading
from collections import OrderedDict
from collections.abc import Iterable, Iterator
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import numpy as np

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
from lurewatch.index.sqlite.columns import Columns, Snapshot
from lurewatch.index.sqlite.connections import ThreadConnections, transaction
from lurewatch.index.sqlite.matching import (
    COLUMNS,
    Matcher,
    counts,
    first_of_clusters,
    geotiles,
    histogram,
    order,
)
from lurewatch.index.sqlite.rows import (
    CHANGE_LOG,
    SCHEMA,
    SCHEMA_VERSION,
    UPGRADABLE,
    add_network_column,
    finding_row,
    finding_values,
    prune_changes,
)
from lurewatch.index.text import finding_words, fragment, mark
from lurewatch.records import Finding, from_json, to_json

BATCH = 500
FACET_SIZE = 20
ROW_COLUMNS = """f.id, f.posting_id, f.title, f.url, f.source, f.language, f.country, f.risk_score, f.fetched_at,
                 f.compound, f.cluster_id, f.lat, f.lon, f.fetched_ms, f.cluster_key"""
RANKINGS_KEPT = 8  # recent queries whose matches and scores the next pages (cursors) reuse


class Rankings:
    """The matches and scores of recent queries, for their following pages: a cursor page then costs no text
    search (as a point in time does on Elasticsearch). Keyed on the change the columns were at, so a page after
    a write computes afresh. Page one never reads from here: it always runs the query."""

    def __init__(self) -> None:
        self._kept: OrderedDict[tuple[Any, ...], tuple[np.ndarray, np.ndarray | None]] = OrderedDict()
        self._lock = threading.Lock()

    @staticmethod
    def _key(query: Query, seq: int) -> tuple[Any, ...]:
        asked = {k: v for k, v in query.__dict__.items()
                 if k not in ("cursor", "offset", "size", "facets", "histogram", "geotile", "highlight")}  # fmt: skip
        return (seq, json.dumps(asked, sort_keys=True, default=str))

    def get(self, query: Query, seq: int) -> tuple[np.ndarray, np.ndarray | None] | None:
        with self._lock:
            key = self._key(query, seq)
            found = self._kept.get(key)
            if found is not None:
                self._kept.move_to_end(key)
            return found

    def put(self, query: Query, seq: int, value: tuple[np.ndarray, np.ndarray | None]) -> None:
        with self._lock:
            self._kept[self._key(query, seq)] = value
            while len(self._kept) > RANKINGS_KEPT:
                self._kept.popitem(last=False)


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
        self.columns = Columns()
        self._rankings = Rankings()

    @property
    def db(self) -> sqlite3.Connection:
        """The calling thread's connection."""
        return self.connections.get()

    def setup(self) -> None:
        db = self.db
        version = db.execute("PRAGMA user_version").fetchone()[0]
        if version in UPGRADABLE and not self.read_only:
            db.executescript(CHANGE_LOG)
            db.execute(f"PRAGMA user_version = {SCHEMA_VERSION}")
            version = SCHEMA_VERSION
        if version in UPGRADABLE:
            raise IndexUnavailable(
                f"the SQLite index {self.path} has schema {version}, this version needs {SCHEMA_VERSION}",
                hint="open it once for writing and it is brought up to date in place: `lurewatch index RUN`",
            )
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
        add_network_column(db)
        db.executescript(SCHEMA)
        db.executescript(CHANGE_LOG)
        add_network_column(db)
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
            prune_changes(self.db)
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
        row = self.db.execute("SELECT doc, network_id FROM findings WHERE posting_id = ?", (posting_id,)).fetchone()
        return _with_network(from_json(Finding, row[0]), row[1]) if row else None

    def get_many(self, posting_ids: list[str]) -> list[Finding]:
        found: dict[str, Finding] = {}
        for start in range(0, len(posting_ids), BATCH):
            chunk = posting_ids[start : start + BATCH]
            rows = self.db.execute(f"SELECT posting_id, doc, network_id FROM findings WHERE posting_id IN "
                                   f"({','.join('?' * len(chunk))})", chunk).fetchall()  # fmt: skip
            found.update((pid, _with_network(from_json(Finding, doc), network)) for pid, doc, network in rows)
        return [found[pid] for pid in posting_ids if pid in found]

    def count(self) -> int:
        return int(self.db.execute("SELECT COUNT(*) FROM findings").fetchone()[0])

    def warm(self) -> None:
        """Read the in-memory columns (3 s for 200,000 findings on a busy 2-core machine)."""
        with transaction(self.db, "BEGIN", keep=False):
            self.columns.current(self.db)

    def search(self, query: Query) -> SearchResult:
        query.validate()
        # One snapshot for the count, the page and the facets; rolled back at the end (only the temp table
        # was written), so the next search starts a new one and sees what was committed meanwhile.
        with transaction(self.db, "BEGIN", keep=False):
            return self._search(query)

    def _search(self, query: Query) -> SearchResult:
        snapshot = self.columns.current(self.db)
        matcher = Matcher(self.db, snapshot)
        after = decode_cursor(query.cursor)[0] if query.cursor else None
        remembered = self._rankings.get(query, snapshot.seq) if after is not None else None
        if remembered is not None:
            at, scores = remembered
        else:
            mask, scores = matcher.mask(query)
            at = np.flatnonzero(mask)
            if not query.collapse:
                self._rankings.put(query, snapshot.seq, (at, scores))
        total = len(at)
        if query.collapse:
            limit = (query.offset + query.size) * 3 + 16
            while True:  # the first rows in sort order, widened until they hold a page of clusters
                ordered = order(snapshot, at, query.sort, scores, limit)
                firsts = first_of_clusters(snapshot, ordered)
                if len(firsts) >= query.offset + query.size or len(ordered) < limit:
                    break
                limit *= 4
            picked = firsts[query.offset : query.offset + query.size]
        else:
            picked = order(snapshot, at, query.sort, scores, query.offset + query.size, after)[query.offset :]
        rows = self._full_rows(snapshot, picked, scores)
        hits = [self._hit(r, query.sort) for r in rows]
        if query.highlight and hits and not query.match_all:
            self._highlight(hits, [r[0] for r in rows], query)
        result = SearchResult(total=total, hits=hits)
        matched = np.zeros(len(snapshot), dtype=bool)  # for the multi-valued facets: which findings match
        matched[at] = True
        for name in query.facets:
            if name in COLUMNS:
                column = COLUMNS[name]
                values = snapshot.vocabularies[column].values
                result.facets[name] = counts(snapshot.codes[column][at], len(values), values, FACET_SIZE)
            else:
                pairs = snapshot.field_pairs(self.db, name)
                chosen = pairs.codes[matched[pairs.positions]]
                result.facets[name] = counts(chosen, len(pairs.vocabulary.values), pairs.vocabulary.values, FACET_SIZE)
        if query.collapse:
            members = np.bincount(
                snapshot.codes["cluster_key"][at], minlength=len(snapshot.vocabularies["cluster_key"].values)
            )
            result.clusters = int(np.count_nonzero(members))
            for position, hit in zip(picked, hits, strict=True):
                hit.reposts = int(members[snapshot.codes["cluster_key"][position]]) - 1
        if query.histogram:
            result.histogram = histogram(snapshot.numbers["dated_ms"][at], query.histogram)
        if query.geotile is not None:
            result.geotiles = geotiles(snapshot.numbers["tile_x"][at], snapshot.numbers["tile_y"][at], query.geotile)
        if not query.collapse and hits and len(hits) == query.size and total > len(hits) and (
                after is not None or total > query.offset + query.size):  # fmt: skip
            result.next_cursor = encode_cursor(hits[-1].sort)
        return result

    def _full_rows(self, snapshot: Snapshot, picked: np.ndarray, scores: np.ndarray | None) -> list[tuple[Any, ...]]:
        """The page's rows read in full (``ROW_COLUMNS`` and the score), in the order of ``picked``."""
        if not len(picked):
            return []
        ids = [int(i) for i in snapshot.ids[picked]]
        marks = ",".join("?" * len(ids))
        found = {row[0]: row for row in self.db.execute(f"SELECT {ROW_COLUMNS} FROM findings f WHERE f.id IN ({marks})",
                                                        ids)}  # fmt: skip
        score = [0.0] * len(ids) if scores is None else [float(v) for v in scores[picked]]
        return [(*found[i], s) for i, s in zip(ids, score, strict=True) if i in found]

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

    def close(self) -> None:
        self.connections.close()


def _with_network(finding: Finding, network_id: str | None) -> Finding:
    """The network step writes the column, not the stored JSON (rewriting every document would cost a build)."""
    finding.network_id = network_id or ""
    return finding


def _distance(lat: float | None, lon: float | None, lat2: float, lon2: float) -> float | None:
    if lat is None or lon is None:
        return None
    return distance_m(lat, lon, lat2, lon2)
