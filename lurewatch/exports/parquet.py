"""Parquet: the Finding record with a typed schema (lists and structs kept), written a row group at a time.

Timestamps are ``timestamp[us, UTC]``; contacts, salary and evidence are structs; locations, indicators,
wallets and images are lists of structs. pandas, polars and DuckDB read the file as it is.
"""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path
from typing import TYPE_CHECKING, Any

import pyarrow as pa
import pyarrow.parquet as pq

from lurewatch.exports.writers import Resource
from lurewatch.records import to_dict

if TYPE_CHECKING:
    from lurewatch.records import Finding

FILE = "findings.parquet"
ROW_GROUP = 5000
TIMESTAMPS = ("fetched_at", "posted_at", "first_seen", "last_seen", "indexed_at")

_strings = pa.list_(pa.string())
_time = pa.timestamp("us", tz="UTC")
SCHEMA = pa.schema([
    ("posting_id", pa.string()), ("source", pa.string()), ("source_kind", pa.string()), ("url", pa.string()),
    ("canonical_url", pa.string()), ("fetched_at", _time), ("run_id", pa.string()), ("posted_at", _time),
    ("first_seen", _time), ("last_seen", _time), ("seen_count", pa.int32()), ("title", pa.string()),
    ("text", pa.string()), ("text_segmented", pa.string()), ("language", pa.string()), ("author", pa.string()),
    ("contacts", pa.struct([(name, _strings) for name in (
        "phones", "emails", "telegram", "whatsapp", "line", "wechat", "signal", "urls", "domains")])),
    ("wallets", pa.list_(pa.struct([("chain", pa.string()), ("address", pa.string())]))),
    ("salary", pa.struct([("min", pa.float64()), ("max", pa.float64()), ("currency", pa.string()),
                          ("period", pa.string()), ("text", pa.string())])),
    ("locations", pa.list_(pa.struct([
        ("name", pa.string()), ("country", pa.string()), ("admin1", pa.string()), ("lat", pa.float64()),
        ("lon", pa.float64()), ("geonameid", pa.int64()), ("source", pa.string()), ("confidence", pa.float64())]))),
    ("geo", pa.struct([("lat", pa.float64()), ("lon", pa.float64())])),
    ("country", pa.string()), ("compound", pa.string()),
    ("indicators", pa.list_(pa.struct([("code", pa.string()), ("weight", pa.float64()), ("evidence", pa.string())]))),
    ("risk_score", pa.int32()), ("content_sha256", pa.string()), ("cluster_id", pa.string()),
    ("duplicate_of", pa.string()), ("network_id", pa.string()), ("minhash_bands", _strings),
    ("images", pa.list_(pa.struct([
        ("url", pa.string()), ("sha256", pa.string()), ("phash", pa.string()), ("width", pa.int32()),
        ("height", pa.int32()), ("exif_gps", pa.list_(pa.float64()))]))),
    ("evidence", pa.struct([("warc_file", pa.string()), ("warc_offset", pa.int64()), ("sha256", pa.string()),
                            ("screenshot", pa.string()), ("rendered_html", pa.string())])),
    ("indexed_at", _time), ("schema_version", pa.int32()),
])  # fmt: skip


def _timestamp(value: str | None) -> datetime | None:
    if not value:
        return None
    try:
        moment = datetime.fromisoformat(value.replace("Z", "+00:00"))
    except ValueError:
        return None  # an unreadable date is kept in the JSONL and CSV exports as written
    return moment if moment.tzinfo else moment.replace(tzinfo=UTC)


def row(finding: Finding) -> dict[str, Any]:
    doc: dict[str, Any] = to_dict(finding)
    for name in TIMESTAMPS:
        doc[name] = _timestamp(doc[name])
    return doc


class ParquetWriter:
    def __init__(self, folder: Path, row_group: int = ROW_GROUP) -> None:
        self.path = folder / FILE
        self._writer = pq.ParquetWriter(self.path, SCHEMA, compression="zstd")
        self._rows: list[dict[str, Any]] = []
        self._row_group = row_group
        self.rows = 0

    def write(self, finding: Finding) -> None:
        self._rows.append(row(finding))
        if len(self._rows) >= self._row_group:
            self._flush()

    def _flush(self) -> None:
        if self._rows:
            self._writer.write_table(pa.Table.from_pylist(self._rows, schema=SCHEMA))
            self.rows += len(self._rows)
            self._rows = []

    def close(self) -> list[Resource]:
        self._flush()
        self._writer.close()
        columns = [{"name": f.name, "type": str(f.type)} for f in SCHEMA]
        return [Resource(FILE, "findings-parquet", "parquet", "application/vnd.apache.parquet",
                         "one row per finding; lists and structs kept (Arrow types in 'columns')", self.rows,
                         extra={"columns": columns})]  # fmt: skip
