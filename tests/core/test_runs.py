"""`lurewatch runs` lists the runs with their crawl figures, as a table or as JSON."""

from __future__ import annotations

import json
import os
import subprocess
import sys

from lurewatch import runner
from lurewatch.settings import Settings
from tests.support.sites.hostile import serve_board, write_source


def test_runs_lists_crawls_newest_first_with_stats(settings: Settings) -> None:
    write_source(settings.sources_dir)
    with serve_board({"a1": "Job one", "a2": "Job two"}) as site:
        runner.crawl("fixture", run_id="fixture-1", base_url=site.base_url, settings=settings)
        write_source(settings.sources_dir, revisit_after="0s")
        runner.crawl("fixture", run_id="fixture-2", base_url=site.base_url, settings=settings)
    (settings.runs_dir / "broken").mkdir()
    (settings.runs_dir / "broken" / "run.json").write_text("{not json")
    env = {**os.environ, "LUREWATCH_DATA_DIR": str(settings.data_dir), "COLUMNS": "200"}
    result = subprocess.run(
        [sys.executable, "-m", "lurewatch", "runs", "--json"], env=env, capture_output=True, text=True, timeout=60
    )
    assert result.returncode == 0, result.stderr
    runs = json.loads(result.stdout)
    assert [r["run_id"] for r in runs if r["source"]] == ["fixture-2", "fixture-1"]
    assert "broken" in [r["run_id"] for r in runs]
    latest = runs[0]
    assert set(latest) >= {"run_id", "source", "started", "stats"}
    assert latest["stats"]["postings"] == 2 and latest["stats"]["pages"] >= 4
    assert latest["stats"]["finish_reason"] == "finished" and latest["stats"]["duration_s"] > 0
    table = subprocess.run([sys.executable, "-m", "lurewatch", "runs"], env=env, capture_output=True, text=True)
    assert table.returncode == 0 and "fixture-1" in table.stdout and "3 runs" in table.stdout
