"""Crawl an example source against a fixture site in a real Scrapy subprocess, and read what it wrote."""

from __future__ import annotations

import json
import time
from pathlib import Path
from typing import Any

from lurewatch import runner
from lurewatch.records import Posting, read_jsonl
from lurewatch.settings import Settings
from tests.support import ROOT

SOURCES = ROOT / "sources"


def crawl_example(name: str, base_url: str, data_dir: Path, source: Path | None = None) -> tuple[Path, float]:
    """Crawl ``sources/<name>.yml`` (or ``source``) against ``base_url``; returns the run folder and seconds taken."""
    started = time.monotonic()
    run = runner.crawl(
        str(source or SOURCES / f"{name}.yml"), run_id=name, base_url=base_url, settings=Settings(data_dir=data_dir)
    )
    return run.path, time.monotonic() - started


def postings(run_dir: Path) -> list[Posting]:
    return list(read_jsonl(run_dir / "postings.jsonl", Posting))


def stats(run_dir: Path) -> dict[str, Any]:
    return json.loads((run_dir / "stats.json").read_text())


def rejects(run_dir: Path) -> list[dict[str, Any]]:
    path = run_dir / "rejects.jsonl"
    return [json.loads(line) for line in path.read_text().splitlines()] if path.exists() else []
