"""JSON lines: one finding per line, every field as the index stores it (``lurewatch.records.Finding``)."""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING

from lurewatch.exports.writers import Resource
from lurewatch.records import to_json

if TYPE_CHECKING:
    from lurewatch.records import Finding

FILE = "findings.jsonl"


class JsonlWriter:
    def __init__(self, folder: Path) -> None:
        self._fh = (folder / FILE).open("w", encoding="utf-8")
        self.rows = 0

    def write(self, finding: Finding) -> None:
        self._fh.write(to_json(finding) + "\n")
        self.rows += 1

    def close(self) -> list[Resource]:
        self._fh.close()
        return [Resource(FILE, "findings", "jsonl", "application/jsonl",
                         "one Finding per line, as JSON (fields as in the Parquet file)", self.rows)]  # fmt: skip
