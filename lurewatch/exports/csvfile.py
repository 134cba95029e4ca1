"""CSV: one row per finding, one documented column per field (``columns.py``), cells safe to open in a spreadsheet.

A text cell that starts with ``=``, ``+``, ``-``, ``@``, a tab or a carriage return is what spreadsheets run
as a formula (OWASP "CSV injection"): such a cell gets a leading apostrophe, which they show as text.
Numbers are written as numbers (``-6.2`` stays a latitude).
"""

from __future__ import annotations

import csv
from pathlib import Path
from typing import TYPE_CHECKING, Any

from lurewatch.exports.columns import COLUMNS, frictionless_fields
from lurewatch.exports.writers import Resource

if TYPE_CHECKING:
    from lurewatch.records import Finding

FILE = "findings.csv"
FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")


def safe_cell(value: Any) -> Any:
    """``value`` as a spreadsheet will not run it: text starting like a formula gets a leading ``'``."""
    if isinstance(value, str) and value.startswith(FORMULA_STARTS):
        return "'" + value
    return value


class CsvWriter:
    def __init__(self, folder: Path) -> None:
        self.path = folder / FILE
        self._fh = self.path.open("w", encoding="utf-8", newline="")
        self._csv = csv.writer(self._fh, lineterminator="\r\n")
        self._csv.writerow([c.name for c in COLUMNS])
        self.rows = 0

    def write(self, finding: Finding) -> None:
        self._csv.writerow([safe_cell(c.value(finding)) if c.type == "string" else c.value(finding)
                            for c in COLUMNS])  # fmt: skip
        self.rows += 1

    def close(self) -> list[Resource]:
        self._fh.close()
        schema = {"fields": frictionless_fields(COLUMNS), "primaryKey": ["posting_id"]}
        return [
            Resource(
                FILE,
                "findings",
                "csv",
                "text/csv",
                "one row per finding; lists joined by '; '",
                self.rows,
                schema,
                {"dialect": {"csv": {"delimiter": ",", "lineTerminator": "\r\n"}}},
            )
        ]
