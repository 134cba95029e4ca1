"""The findings' narrow columns held in memory as arrays, kept in step with the file through a change log.

Counting matches, facets, lures (clusters), the histogram and the map, and choosing the page, all need a few
columns of every matching finding; read from the rows themselves that costs a B-tree probe into a wide page
per match (60,000 matches of 200,000: about 190 ms before anything is counted). Search engines keep such
columns beside the index (Lucene's doc values); so does this backend: one array per column, in rowid order,
loaded on the first search and brought up to date at the start of every later one from ``finding_changes``
(filled by triggers on ``findings``, so every writer, whatever it is, is seen). A snapshot is never changed in
place: an update builds new arrays and swaps them in, so a search in another thread keeps a consistent view.

Text columns are stored as codes into a vocabulary that only grows (code 0 is NULL); numbers as float64 with
NaN for NULL (exact for integers below 2**53, which epoch milliseconds are). Multi-valued fields (phones,
indicators, ...) are loaded per field, the first time a facet asks for one.
"""

from __future__ import annotations

import sqlite3
import threading
from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Any

import numpy as np

CATEGORICAL = ("source", "source_kind", "language", "country", "compound", "cluster_key", "network_id")
NUMERIC = ("fetched_ms", "dated_ms", "risk_score", "tile_x", "tile_y", "lat", "lon", "has_contact", "words")
# ``words``: how many words FTS5 counted in the finding (its docsize record), for BM25's length norm.
LOAD_SQL = f"""SELECT f.id, f.posting_id, {", ".join("f." + c for c in CATEGORICAL + NUMERIC[:-1])}, d.sz
               FROM findings f LEFT JOIN findings_fts_docsize d ON d.id = f.id"""
CHUNK = 500  # ids per IN (...) list
LOAD_SLICE = 10_000  # rows per fetch when loading everything
FULL_RELOAD_SHARE = 0.25  # more changed rows than this share of the index: read everything again


class Vocabulary:
    """Text values and their codes; only grows (a code, once given, keeps its value), so old snapshots stay valid."""

    def __init__(self) -> None:
        self.values: list[str | None] = [None]
        self.codes: dict[str | None, int] = {None: 0}

    def code(self, value: str | None) -> int:
        found = self.codes.get(value)
        if found is None:
            found = self.codes[value] = len(self.values)
            self.values.append(value)
        return found

    def lookup(self, values: Iterable[str]) -> list[int]:
        """Codes of the values that exist (a value never seen matches nothing)."""
        return [c for v in values if (c := self.codes.get(v)) is not None]


@dataclass
class Pairs:
    """One multi-valued field: a (position, value code) pair per value of each finding."""

    ids: np.ndarray  # rowid of each pair
    positions: np.ndarray  # its finding's position in the snapshot
    codes: np.ndarray
    vocabulary: Vocabulary


@dataclass
class Snapshot:
    """The columns as of change ``seq``: arrays aligned on ``ids`` (ascending rowids)."""

    seq: int
    ids: np.ndarray
    posting_ids: np.ndarray  # object array of str
    codes: dict[str, np.ndarray]
    numbers: dict[str, np.ndarray]
    vocabularies: dict[str, Vocabulary]
    pairs: dict[str, Pairs] = field(default_factory=dict)
    lock: threading.Lock = field(default_factory=threading.Lock)

    def __len__(self) -> int:
        return len(self.ids)

    def locate(self, rowids: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        """For each rowid, a position and whether the snapshot holds it there (the position means nothing if not)."""
        if not len(self.ids):
            return np.zeros(len(rowids), dtype=np.int64), np.zeros(len(rowids), dtype=bool)
        at = np.minimum(np.searchsorted(self.ids, rowids), len(self.ids) - 1)
        return at, self.ids[at] == rowids

    def positions(self, rowids: np.ndarray) -> np.ndarray:
        """Positions of those rowids that are in the snapshot (others are dropped)."""
        at, held = self.locate(rowids)
        found: np.ndarray = at[held]
        return found

    def mask_of(self, rowids: np.ndarray) -> np.ndarray:
        mask = np.zeros(len(self.ids), dtype=bool)
        mask[self.positions(rowids)] = True
        return mask

    def field_pairs(self, db: sqlite3.Connection, name: str) -> Pairs:
        """The pairs of a multi-valued field, read once per snapshot (kept up to date by ``Columns.update``)."""
        with self.lock:
            found = self.pairs.get(name)
            if found is None:
                rows = db.execute("SELECT rowid, value FROM finding_values WHERE field = ?", (name,)).fetchall()
                found = self.pairs[name] = _pairs(self, rows, Vocabulary())
            return found


def _pairs(snapshot: Snapshot, rows: list[tuple[int, str]], vocabulary: Vocabulary) -> Pairs:
    ids = np.fromiter((r[0] for r in rows), dtype=np.int64, count=len(rows))
    codes = np.fromiter((vocabulary.code(r[1]) for r in rows), dtype=np.int32, count=len(rows))
    at, keep = snapshot.locate(ids)
    return Pairs(ids[keep], at[keep], codes[keep], vocabulary)


class Columns:
    """The current snapshot of one index file, shared by the threads that search it."""

    def __init__(self) -> None:
        self._snapshot: Snapshot | None = None
        self._lock = threading.Lock()
        self.reloads = 0  # full reads of the table (tests check that an update reads only what changed)

    def current(self, db: sqlite3.Connection) -> Snapshot:
        """The columns as the caller's transaction sees the file (call inside that transaction)."""
        last, first = db.execute("SELECT COALESCE(MAX(seq), 0), COALESCE(MIN(seq), 0) FROM finding_changes").fetchone()
        snapshot = self._snapshot
        if snapshot is not None and snapshot.seq == last:
            return snapshot
        with self._lock:
            snapshot = self._snapshot
            if snapshot is None or snapshot.seq > last or (first and snapshot.seq < first - 1):
                snapshot = self._load(db, last)  # first use, another file, or a log pruned past us
            elif snapshot.seq < last:
                snapshot = self._update(db, snapshot, last)
            self._snapshot = snapshot
            return snapshot

    def _load(self, db: sqlite3.Connection, seq: int) -> Snapshot:
        """Every row, read a slice at a time: rows as tuples weigh ten times their arrays (200,000 findings
        read at once took the process's peak from 130 to 360 MB)."""
        self.reloads += 1
        vocabularies = {name: Vocabulary() for name in CATEGORICAL}
        cursor = db.execute(LOAD_SQL + " ORDER BY f.id")
        parts = []
        while rows := cursor.fetchmany(LOAD_SLICE):
            parts.append(_build(rows, seq, vocabularies))
        if not parts:
            return _build([], seq, vocabularies)
        return Snapshot(
            seq=seq,
            ids=np.concatenate([p.ids for p in parts]),
            posting_ids=np.concatenate([p.posting_ids for p in parts]),
            codes={n: np.concatenate([p.codes[n] for p in parts]) for n in CATEGORICAL},
            numbers={n: np.concatenate([p.numbers[n] for p in parts]) for n in NUMERIC},
            vocabularies=vocabularies,
        )

    def _update(self, db: sqlite3.Connection, old: Snapshot, seq: int) -> Snapshot:
        changed = np.unique(np.array([r[0] for r in db.execute(
            "SELECT id FROM finding_changes WHERE seq > ?", (old.seq,))], dtype=np.int64))  # fmt: skip
        if len(changed) > FULL_RELOAD_SHARE * max(len(old), 1):
            return self._load(db, seq)
        rows: list[tuple[Any, ...]] = []
        for start in range(0, len(changed), CHUNK):
            chunk = [int(i) for i in changed[start : start + CHUNK]]
            rows += db.execute(f"{LOAD_SQL} WHERE f.id IN ({','.join('?' * len(chunk))})", chunk).fetchall()
        fresh = _build(sorted(rows), seq, old.vocabularies)
        keep = ~np.isin(old.ids, changed)
        ids = np.concatenate([old.ids[keep], fresh.ids])
        order = np.argsort(ids, kind="stable")
        snapshot = Snapshot(
            seq=seq,
            ids=ids[order],
            posting_ids=np.concatenate([old.posting_ids[keep], fresh.posting_ids])[order],
            codes={n: np.concatenate([old.codes[n][keep], fresh.codes[n]])[order] for n in CATEGORICAL},
            numbers={n: np.concatenate([old.numbers[n][keep], fresh.numbers[n]])[order] for n in NUMERIC},
            vocabularies=old.vocabularies,
        )
        with old.lock:
            loaded = dict(old.pairs)
        for name, pairs in loaded.items():  # fields already read: drop the changed rows' values, read theirs
            stay = ~np.isin(pairs.ids, changed)
            new: list[tuple[int, str]] = []
            for start in range(0, len(changed), CHUNK):
                chunk = [int(i) for i in changed[start : start + CHUNK]]
                new += db.execute(f"SELECT rowid, value FROM finding_values WHERE field = ? AND rowid IN "
                                  f"({','.join('?' * len(chunk))})", [name, *chunk]).fetchall()  # fmt: skip
            added = _pairs(snapshot, new, pairs.vocabulary)
            ids_all = np.concatenate([pairs.ids[stay], added.ids])
            positions = np.searchsorted(snapshot.ids, ids_all)
            snapshot.pairs[name] = Pairs(ids_all, positions, np.concatenate([pairs.codes[stay], added.codes]),
                                         pairs.vocabulary)  # fmt: skip
        return snapshot


def _build(rows: list[tuple[Any, ...]], seq: int, vocabularies: dict[str, Vocabulary]) -> Snapshot:
    n = len(rows)
    columns = list(zip(*rows, strict=True)) if rows else [()] * (2 + len(CATEGORICAL) + len(NUMERIC))
    codes = {}
    for i, name in enumerate(CATEGORICAL, start=2):
        vocabulary = vocabularies[name]
        codes[name] = np.fromiter((vocabulary.code(v) for v in columns[i]), dtype=np.int32, count=n)
    numbers = {}
    for i, name in enumerate(NUMERIC, start=2 + len(CATEGORICAL)):
        values = columns[i] if name != "words" else [None if v is None else _varint(v) for v in columns[i]]
        numbers[name] = np.array([np.nan if v is None else v for v in values], dtype=np.float64)
    posting_ids = np.empty(n, dtype=object)
    posting_ids[:] = columns[1]
    return Snapshot(seq, np.array(columns[0], dtype=np.int64), posting_ids, codes, numbers, vocabularies)


def _varint(blob: bytes) -> int:
    """The first varint of an FTS5 docsize record: the word count of the (only) column."""
    value = 0
    for byte in blob[:9]:
        value = (value << 7) | (byte & 0x7F)
        if byte < 0x80:
            break
    return value
