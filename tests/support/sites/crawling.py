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


def local_source(source: Path, folder: Path) -> Path:
    """A copy of ``source`` in ``folder`` that may reach the fixture sites on 127.0.0.1.

    The examples in ``sources/`` are templates for real sources and keep the default (no private
    addresses); the tests' copies add ``allow_private_networks: true``. The keyword lists and the source
    modules (``*.py`` beside it) come along.
    """
    folder.mkdir(parents=True, exist_ok=True)
    copy = folder / f"{source.stem}.local.yml"
    text = source.read_text(encoding="utf-8")
    copy.write_text(text.rstrip("\n") + "\nallow_private_networks: true\n", encoding="utf-8")
    keywords = source.parent / "keywords"
    if keywords.is_dir() and not (folder / "keywords").exists():
        (folder / "keywords").symlink_to(keywords.resolve(), target_is_directory=True)
    for module in source.parent.glob("*.py"):
        if not (folder / module.name).exists():
            (folder / module.name).symlink_to(module.resolve())
    return copy


def crawl_example(name: str, base_url: str, data_dir: Path, source: Path | None = None) -> tuple[Path, float]:
    """Crawl ``sources/<name>.yml`` (or ``source``) against ``base_url``; returns the run folder and seconds taken."""
    original = source or SOURCES / f"{name}.yml"
    # Next to a test's own source file (its module and keyword lists are relative to it), else beside the data.
    folder = original.parent if original.parent != SOURCES else data_dir.parent / f"{data_dir.name}-sources"
    started = time.monotonic()
    run = runner.crawl(
        str(local_source(original, folder)), run_id=name, base_url=base_url, settings=Settings(data_dir=data_dir)
    )
    return run.path, time.monotonic() - started


def postings(run_dir: Path) -> list[Posting]:
    return list(read_jsonl(run_dir / "postings.jsonl", Posting))


def stats(run_dir: Path) -> dict[str, Any]:
    return json.loads((run_dir / "stats.json").read_text())


def rejects(run_dir: Path) -> list[dict[str, Any]]:
    path = run_dir / "rejects.jsonl"
    return [json.loads(line) for line in path.read_text().splitlines()] if path.exists() else []
