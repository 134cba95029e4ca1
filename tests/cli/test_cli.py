"""The command line as a user runs it: one-line errors with a hint, JSON search output."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

from lurewatch.settings import Settings


def lurewatch(*args: str, settings: Settings) -> subprocess.CompletedProcess[str]:
    env = dict(os.environ)
    env.update({"LUREWATCH_DATA_DIR": str(settings.data_dir), "LUREWATCH_SOURCES_DIR": str(settings.sources_dir),
                "LUREWATCH_INDEX": settings.index, "COLUMNS": "200"})  # fmt: skip
    return subprocess.run(
        [sys.executable, "-m", "lurewatch", *args], env=env, capture_output=True, text=True, timeout=300
    )


def test_source_typo_is_one_line_with_file_line_and_key(tmp_path: Path, settings: Settings) -> None:
    bad = settings.sources_dir / "typo.yml"
    bad.write_text("kind: board\nstart_urls: [http://127.0.0.1:9/]\nboard:\n  list: {detail_links: a}\n  detial: {}\n")
    result = lurewatch("crawl", "typo", settings=settings)
    assert result.returncode == 2
    lines = result.stderr.strip().splitlines()
    assert lines[0] == f"error: {bad}:5: board.detial: unknown key (did you mean 'detail'?) (and 1 more)"
    assert lines[1].startswith("hint: ")


def test_unknown_run_is_explained(settings: Settings) -> None:
    result = lurewatch("enrich", "no-such-run", settings=settings)
    assert result.returncode == 2
    assert "no run 'no-such-run'" in result.stderr and "lurewatch runs" in result.stderr


def test_run_then_search_json(settings: Settings, demo_site: object) -> None:
    base_url = demo_site.base_url  # type: ignore[attr-defined]
    result = lurewatch("run", "demo", "--base-url", base_url, settings=settings)
    assert result.returncode == 0, result.stderr[-2000:]
    assert "indexed" in result.stderr
    everything = json.loads(lurewatch("search", "*", "--json", "--size", "3", settings=settings).stdout)
    assert everything["total"] >= 170 and len(everything["hits"]) == 3
    assert set(everything["hits"][0]) >= {"posting_id", "title", "url", "score"}
    assert everything["clusters"] < everything["total"]  # one row per lure by default, as the web UI
    postings = json.loads(lurewatch("search", "*", "--json", "--postings", "--size", "200", settings=settings).stdout)
    assert postings["clusters"] is None and len(postings["hits"]) == postings["total"] == everything["total"]
    lures = json.loads(lurewatch("search", "*", "--json", "--size", "200", settings=settings).stdout)
    assert len(lures["hits"]) == lures["clusters"] and sum(h["reposts"] + 1 for h in lures["hits"]) == lures["total"]
    khmer = json.loads(lurewatch("search", "*", "-f", "language=km", "--json", settings=settings).stdout)
    assert 0 < khmer["total"] < everything["total"]
    risky = json.loads(lurewatch("search", "*", "--sort", "risk", "--postings", "--json", settings=settings).stdout)
    scores = [h["risk_score"] for h in risky["hits"]]
    assert scores == sorted(scores, reverse=True)
    bad_filter = lurewatch("search", "x", "-f", "colour=red", settings=settings)
    assert bad_filter.returncode == 2 and "unknown filter" in bad_filter.stderr
