"""A large export streams: rows equal the query's count and the export's peak memory stays under 300 MB.

The normal suite exports 20,000 findings; the ``slow`` run exports 200,000. Each export runs in its own
process (``tests/exports/measure_export.py``) so that ``ru_maxrss`` is the export's peak alone.
"""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest

from lurewatch.index.query import Query
from lurewatch.index.sqlite.backend import SqliteIndex
from lurewatch.settings import Settings, offline_environment
from tests.support import ROOT
from tests.support.samples import sample_findings

PEAK_MB = 300


def _measure(settings: Settings, fmt: str, out: Path) -> dict[str, float]:
    env = offline_environment() | {"LUREWATCH_DATA_DIR": str(settings.data_dir), "LUREWATCH_INDEX": "sqlite"}
    done = subprocess.run([sys.executable, "-m", "tests.exports.measure_export", fmt, str(out)], cwd=ROOT, env=env,
                          capture_output=True, text=True, timeout=3000, check=False)  # fmt: skip
    assert done.returncode == 0, done.stderr[-2000:]
    measured: dict[str, float] = json.loads(done.stdout.strip().splitlines()[-1])
    print(f"\n{fmt}: {measured}")  # the numbers the report quotes (pytest -s)
    return measured


@pytest.mark.parametrize("n", [20_000, pytest.param(200_000, marks=[pytest.mark.slow, pytest.mark.timeout(3600)])])
def test_a_large_export_streams_with_flat_memory(settings: Settings, tmp_path: Path, n: int) -> None:
    import duckdb

    store = SqliteIndex(settings.sqlite_file)
    store.setup()
    store.upsert(sample_findings(n))
    expected = store.search(Query("*", size=0, facets=())).total
    store.close()
    assert expected == n
    parquet = _measure(settings, "parquet", tmp_path / "parquet")
    csv = _measure(settings, "csv", tmp_path / "csv")
    for measured in (parquet, csv):
        assert measured["rows"] == measured["expected"] == n
        assert measured["peak_mb"] < PEAK_MB
    path = tmp_path / "parquet" / "findings.parquet"
    assert duckdb.sql(f"SELECT count(*) FROM '{path}'").fetchall() == [(n,)]
    (phones_type,) = [r[1] for r in duckdb.sql(f"DESCRIBE SELECT contacts.phones AS p FROM '{path}'").fetchall()]
    assert phones_type == "VARCHAR[]"
    with_phones = duckdb.sql(f"SELECT count(*) FROM '{path}' WHERE len(contacts.phones) > 0").fetchall()[0][0]
    assert 0 < with_phones < n
    with (tmp_path / "csv" / "findings.csv").open(encoding="utf-8", newline="") as fh:
        import csv as csv_module

        assert sum(1 for _ in csv_module.reader(fh)) == n + 1  # the header and one row per finding
