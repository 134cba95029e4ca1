"""The weekly snapshot: one redacted, verifiable Parquet dataset per interval, written once; under ``dag.test()``."""

from __future__ import annotations

import json
import subprocess
import sys
import textwrap
from datetime import date
from pathlib import Path

import pyarrow.parquet as pq
import pytest

from lurewatch.exports.scheduled import snapshot_dir, write_snapshot
from lurewatch.exports.verify import verify_export
from lurewatch.index.base import open_index
from lurewatch.settings import Settings
from tests.support import ROOT
from tests.support.airflow import airflow_env
from tests.support.samples import sample_findings

SCRIPT = textwrap.dedent(
    """
    import sys
    from datetime import datetime, timezone
    from airflow.dag_processing.dagbag import DagBag

    bag = DagBag(dag_folder=sys.argv[1])
    assert not bag.import_errors, bag.import_errors
    dag = bag.get_dag("lurewatch_exports")
    print("SCHEDULE", dag.schedule)
    for _ in range(2):  # the second run of the same interval writes nothing
        print("STATE", dag.test(logical_date=datetime(2026, 3, 2, tzinfo=timezone.utc)).state)
    """
)


def _index(settings: Settings, n: int = 40) -> list[str]:
    findings = list(sample_findings(n))
    index = open_index(settings)
    index.upsert(findings)
    index.close()
    return sorted({f.fetched_at[:10] for f in findings})


def test_a_snapshot_holds_its_interval_redacted_and_is_written_once(settings: Settings) -> None:
    days = _index(settings)
    start, end = date.fromisoformat(days[0]), date.fromisoformat(days[-1])  # the last day stays outside
    first = write_snapshot(start, end, settings)
    out = snapshot_dir(settings, start, end)
    assert first["written"] and first["out_dir"] == str(out) and verify_export(out).ok
    package = json.loads((out / "datapackage.json").read_text(encoding="utf-8"))
    rows = pq.read_table(out / package["resources"][0]["path"]).to_pylist()
    assert rows and first["rows"] == len(rows)
    assert all(days[0] <= row["fetched_at"].date().isoformat() < days[-1] for row in rows)
    assert all(not phone.startswith("+") for row in rows for phone in row["contacts"]["phones"])  # pseudonyms
    before = {p.name: p.stat().st_mtime_ns for p in out.iterdir()}
    again = write_snapshot(start, end, settings)
    assert again == {"out_dir": str(out), "written": False}
    assert {p.name: p.stat().st_mtime_ns for p in out.iterdir()} == before


@pytest.mark.airflow
def test_exports_dag_writes_the_weeks_snapshot_once_under_dag_test(tmp_path: Path, settings: Settings) -> None:
    env = airflow_env(tmp_path, ROOT / "dags")
    _index(settings)
    result = subprocess.run([sys.executable, "-c", SCRIPT, str(ROOT / "dags")], env=env, capture_output=True,
                            text=True, timeout=300)  # fmt: skip
    assert result.returncode == 0, (result.stdout[-3000:], result.stderr[-3000:])
    assert "SCHEDULE @weekly" in result.stdout and result.stdout.count("STATE success") == 2
    snapshots = list((settings.exports_path / "snapshots").iterdir())
    assert [p.name for p in snapshots] == ["2026-02-23_2026-03-02"]  # the week that ends at the logical date
    assert verify_export(snapshots[0]).ok
