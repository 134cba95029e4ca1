"""What every format writer is: it takes findings one by one and, closed, names the files it wrote."""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any, Protocol

if TYPE_CHECKING:
    from lurewatch.records import Finding

FORMATS = ("csv", "jsonl", "parquet", "geojson", "ftm", "graph")


@dataclass
class Resource:
    """One file of an export, as its datapackage.json describes it."""

    path: str  # relative to the export folder
    name: str
    format: str
    mediatype: str
    description: str
    rows: int = 0
    schema: dict[str, Any] | None = None  # Frictionless table schema, for files Frictionless reads as tables
    extra: dict[str, Any] = field(default_factory=dict)


class Writer(Protocol):
    def write(self, finding: Finding) -> None:
        """Add one finding."""

    def close(self) -> list[Resource]:
        """Finish the files and describe them."""


def open_writer(fmt: str, folder: Path) -> Writer:
    """The writer of ``fmt`` (one of ``FORMATS``), writing into ``folder``."""
    if fmt == "csv":
        from lurewatch.exports.csvfile import CsvWriter

        return CsvWriter(folder)
    if fmt == "jsonl":
        from lurewatch.exports.jsonl import JsonlWriter

        return JsonlWriter(folder)
    if fmt == "parquet":
        from lurewatch.exports.parquet import ParquetWriter

        return ParquetWriter(folder)
    if fmt == "geojson":
        from lurewatch.exports.geojson import GeojsonWriter

        return GeojsonWriter(folder)
    if fmt == "ftm":
        from lurewatch.exports.ftm import FtmWriter

        return FtmWriter(folder)
    if fmt == "graph":
        from lurewatch.exports.graph import GraphWriter

        return GraphWriter(folder)
    raise ValueError(f"unknown export format {fmt!r}; formats: {', '.join(FORMATS)}")
