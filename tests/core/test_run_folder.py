"""The run folder: one reject shape for every step, atomic files, and a corrupt findings line that stops nothing."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path
from typing import Any

from lurewatch import runner
from lurewatch.records import to_json
from lurewatch.settings import Settings
from tests.support.samples import sample_findings
from tests.support.sites.hostile import serve_board, write_source

SHAPE = {"step", "kind", "detail", "at"}


def _rows(path: Path) -> list[dict[str, object]]:
    return [json.loads(line) for line in path.read_text(encoding="utf-8").splitlines()]


def read_json(path: Path) -> dict[str, Any]:
    return dict(json.loads(path.read_text()))


def _run_with_findings(settings: Settings, lines: list[str], run_id: str = "hand-made") -> Path:
    run_dir = settings.runs_dir / run_id
    run_dir.mkdir(parents=True)
    (run_dir / "run.json").write_text(json.dumps({"run_id": run_id, "source": "synthetic", "steps": {}}))
    (run_dir / "findings.jsonl").write_text("".join(line + "\n" for line in lines), encoding="utf-8")
    return run_dir


def test_corrupt_findings_line_is_rejected_with_its_number_and_the_rest_indexed(settings: Settings) -> None:
    lines = [to_json(finding) for finding in sample_findings(6)]
    lines[2] = lines[2][: len(lines[2]) // 2]  # cut short, as a crash or a disk full leaves it
    lines.insert(4, '["not", "a", "finding"]')
    run_dir = _run_with_findings(settings, lines)
    env = {**os.environ, "LUREWATCH_DATA_DIR": str(settings.data_dir), "LUREWATCH_INDEX": "sqlite"}
    result = subprocess.run(
        [sys.executable, "-m", "lurewatch", "index", run_dir.name], env=env, capture_output=True, text=True, timeout=120
    )
    assert result.returncode == 0 and "Traceback" not in result.stderr, result.stderr
    step = read_json(run_dir / "run.json")["steps"]["index"]
    assert step["written"] == 6 - 1 and step["rejected_by_kind"] == {"bad_line": 2}
    rejects = _rows(run_dir / "index_rejects.jsonl")
    assert [(r["step"], r["kind"], r["line"]) for r in rejects] == [("index", "bad_line", 3), ("index", "bad_line", 5)]
    assert all(SHAPE <= set(r) and r["detail"] for r in rejects)


def test_every_step_writes_rejects_in_one_shape(settings: Settings) -> None:
    write_source(settings.sources_dir)
    with serve_board({"a1": "Job one in Bangkok", "a2": "Job two in Phnom Penh"}) as site:
        site.ad_ids = lambda: ["a1", "a2", "gone"]  # type: ignore[method-assign]  # listed, then 404
        run = runner.crawl("fixture", run_id="shapes", base_url=site.base_url, settings=settings)
    with run.postings.open("a", encoding="utf-8") as fh:
        fh.write("{broken json\n")
    runner.enrich(run.run_id, settings=settings)
    with run.findings.open("a", encoding="utf-8") as fh:
        fh.write("{also broken\n")
    runner.index(run.run_id, settings=settings)
    by_step = {step: _rows(run.path / name) for step, name in
               (("crawl", "rejects.jsonl"), ("enrich", "enrich_rejects.jsonl"), ("index", "index_rejects.jsonl"))}  # fmt: skip
    for step, rows in by_step.items():
        assert rows, step
        assert all(SHAPE <= set(row) and row["step"] == step for row in rows), rows
    assert all("url" in row for row in by_step["crawl"])
    assert all(isinstance(row["line"], int) for row in by_step["enrich"] + by_step["index"])


def test_json_is_replaced_whole_and_leaves_no_temporary_file(tmp_path: Path) -> None:
    from lurewatch.run_folder import write_json_atomic

    target = tmp_path / "run.json"
    write_json_atomic(target, {"a": 1})
    write_json_atomic(target, {"a": 2, "b": [1, 2]})
    assert json.loads(target.read_text()) == {"a": 2, "b": [1, 2]}
    assert [p.name for p in tmp_path.iterdir()] == ["run.json"]


def test_reject_lines_are_on_disk_as_soon_as_they_are_added(tmp_path: Path) -> None:
    from lurewatch.run_folder import RejectFile

    rejects = RejectFile(tmp_path / "rejects.jsonl", "crawl")
    rejects.add("network", "ConnectionRefusedError", url="http://127.0.0.1:9/")
    assert _rows(tmp_path / "rejects.jsonl")[0]["kind"] == "network"  # read before close: flushed
    rejects.close()


def test_run_ids_are_plain_folder_names() -> None:
    from lurewatch.run_folder import check_run_id

    for good in ("demo-20261129T101500-ab12", "lurewatch_demo-manual__2026-11-29T10_00_00", "r.1"):
        assert check_run_id(good) == good
