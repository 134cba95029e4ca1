"""How a Finding is laid out in SQLite: the schema, its row of columns, and its multi-valued field values."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

from lurewatch.entities import BY_KIND, entities_of
from lurewatch.index.base import lookup_keys
from lurewatch.index.documents import iso_date
from lurewatch.index.geo import tile_of
from lurewatch.index.query import CONTACT_FIELDS, to_epoch_ms
from lurewatch.index.text import FTS5_TOKENIZER
from lurewatch.records import Finding

SCHEMA_VERSION = 6
UPGRADABLE = (5,)  # schemas brought up to date in place (CHANGE_LOG adds what they lack)
SCHEMA = f"""
CREATE TABLE IF NOT EXISTS findings (
    id INTEGER PRIMARY KEY,
    posting_id TEXT NOT NULL UNIQUE,
    title TEXT, url TEXT, source TEXT, source_kind TEXT, language TEXT, country TEXT, compound TEXT,
    cluster_id TEXT, risk_score INTEGER, fetched_at TEXT, fetched_ms INTEGER, first_seen TEXT, last_seen TEXT,
    lat REAL, lon REAL, tile_x INTEGER, tile_y INTEGER, has_contact INTEGER, indexed_at TEXT,
    cluster_key TEXT NOT NULL,  -- cluster_id, or the posting's own id: what one row per cluster groups on
    dated_ms INTEGER,  -- the posting date (posted_at, else fetched_at): date filters and the histogram
    network_id TEXT,  -- written by the network step (index/sqlite/networks.py), never by an upsert
    doc TEXT NOT NULL  -- last: the JSON spills into overflow pages that reading the columns above never touches
);
CREATE INDEX IF NOT EXISTS findings_newest ON findings (fetched_ms DESC, posting_id);
CREATE INDEX IF NOT EXISTS findings_risk ON findings (risk_score DESC, fetched_ms DESC, posting_id);
CREATE INDEX IF NOT EXISTS findings_source ON findings (source);
CREATE INDEX IF NOT EXISTS findings_language ON findings (language);
CREATE INDEX IF NOT EXISTS findings_country ON findings (country);
CREATE INDEX IF NOT EXISTS findings_compound ON findings (compound);
CREATE INDEX IF NOT EXISTS findings_cluster ON findings (cluster_key);
CREATE INDEX IF NOT EXISTS findings_dated ON findings (dated_ms);
-- the map's grid over every finding reads this narrow index, not the rows (915 ms → 50 ms at 50,000 findings)
CREATE INDEX IF NOT EXISTS findings_tiles ON findings (tile_x, tile_y);
CREATE INDEX IF NOT EXISTS findings_indexed ON findings (indexed_at);
-- one row per value of a multi-valued field: phones, handles, emails, domains, wallets, indicators, ...
CREATE TABLE IF NOT EXISTS finding_values (
    field TEXT NOT NULL, value TEXT NOT NULL, rowid INTEGER NOT NULL,
    PRIMARY KEY (field, value, rowid)
) WITHOUT ROWID;
CREATE INDEX IF NOT EXISTS finding_values_row ON finding_values (rowid, field);
CREATE VIRTUAL TABLE IF NOT EXISTS findings_geo USING rtree(id, min_lon, max_lon, min_lat, max_lat);
-- one column of words split by index/text.py, the same words Elasticsearch indexes in ``words``
CREATE VIRTUAL TABLE IF NOT EXISTS findings_fts USING fts5(words, tokenize = "{FTS5_TOKENIZER}");
"""
# Every change to a finding's row, whoever writes it: searches bring their in-memory columns up to date from
# here (index/sqlite/columns.py). Pruned to the last CHANGES_KEPT entries; a reader further behind reloads.
CHANGE_LOG = """
CREATE TABLE IF NOT EXISTS finding_changes (seq INTEGER PRIMARY KEY AUTOINCREMENT, id INTEGER NOT NULL);
CREATE TRIGGER IF NOT EXISTS findings_inserted AFTER INSERT ON findings
    BEGIN INSERT INTO finding_changes (id) VALUES (NEW.id); END;
CREATE TRIGGER IF NOT EXISTS findings_updated AFTER UPDATE ON findings
    BEGIN INSERT INTO finding_changes (id) VALUES (NEW.id); END;
CREATE TRIGGER IF NOT EXISTS findings_deleted AFTER DELETE ON findings
    BEGIN INSERT INTO finding_changes (id) VALUES (OLD.id); END;
"""
CHANGES_KEPT = 1_000_000


def prune_changes(db: Any) -> None:
    """Forget all but the last ``CHANGES_KEPT`` changes (call inside a write transaction)."""
    db.execute("DELETE FROM finding_changes WHERE seq <= (SELECT MAX(seq) FROM finding_changes) - ?", (CHANGES_KEPT,))


def add_network_column(db: Any) -> None:
    """``findings.network_id`` and its index, added to a file made before networks existed (no reindex needed)."""
    columns = {row[1] for row in db.execute("PRAGMA table_info(findings)").fetchall()}
    if columns and "network_id" not in columns:
        db.execute("ALTER TABLE findings ADD COLUMN network_id TEXT")
    if columns:
        db.execute("CREATE INDEX IF NOT EXISTS findings_network ON findings (network_id)")


def finding_row(f: Finding, doc: str) -> dict[str, Any]:
    """The column values of ``findings`` for one finding (empty strings stored as NULL, as facets skip them)."""
    lat = lon = None
    tile: tuple[int, int] | tuple[None, None] = (None, None)
    if f.geo and f.geo.get("lat") is not None and f.geo.get("lon") is not None:
        lat, lon = float(f.geo["lat"]), float(f.geo["lon"])
        tile = tile_of(lat, lon)
    has_contact = any(BY_KIND[name].values(f) for name in CONTACT_FIELDS)
    return {
        "posting_id": f.posting_id, "doc": doc, "title": f.title, "url": f.url, "source": f.source or None,
        "source_kind": f.source_kind or None, "language": f.language or None, "country": f.country or None,
        "compound": f.compound or None, "cluster_id": f.cluster_id or None, "risk_score": f.risk_score,
        "fetched_at": f.fetched_at, "fetched_ms": to_epoch_ms(f.fetched_at), "first_seen": f.first_seen,
        "last_seen": f.last_seen, "lat": lat, "lon": lon, "tile_x": tile[0], "tile_y": tile[1],
        "has_contact": int(has_contact), "indexed_at": f.indexed_at, "cluster_key": f.cluster_id or f.posting_id,
        "dated_ms": dated_ms(f),
    }  # fmt: skip


def dated_ms(f: Finding) -> int | None:
    """The posting date in epoch milliseconds: ``posted_at`` when the page gave one, else ``fetched_at``."""
    posted = iso_date(f.posted_at) if f.posted_at else None
    return to_epoch_ms(posted) if posted else to_epoch_ms(f.fetched_at)


def finding_values(f: Finding) -> Iterator[tuple[str, str]]:
    """(field, value) pairs of the multi-valued fields, named as the query model's filters."""
    for entity, value in entities_of(f):
        yield entity.kind, value
    for indicator in f.indicators:
        yield "indicator", indicator.code
    for location in f.locations:
        yield "location", location.name
    for key in lookup_keys(f.minhash_bands):
        yield "band", key
