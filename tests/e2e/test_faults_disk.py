"""A write that fails part way leaves no partial file that a later step takes as complete.

The full disk is simulated: the write (or its fsync) raises ``OSError(ENOSPC)``, as it does on a full file
system; a real tiny tmpfs needs a mount, which a test run cannot count on. What a killed crawler or a full
disk leaves at the end of the append-only files (half a posting line, half a WARC gzip member) is cut before
a resumed crawl appends to them.
"""

from __future__ import annotations

import errno
import hashlib
import os
from pathlib import Path
from typing import Any

import pytest

from lurewatch import errors, runner
from lurewatch.evidence import verify_run
from lurewatch.records import Posting
from lurewatch.run_folder import read_jsonl_numbered, write_bytes_atomic, write_json_atomic, write_lines_atomic
from lurewatch.settings import Settings
from tests.support.sites.hostile import serve_board, write_source

ADS = {f"ad{i:02d}": f"Casino customer service in Myawaddy, salary 1500 USD, ad {i}" for i in range(8)}


def _full_disk(*args: Any, **kwargs: Any) -> None:
    raise OSError(errno.ENOSPC, os.strerror(errno.ENOSPC))


@pytest.mark.parametrize(
    "write",
    [
        lambda path: write_json_atomic(path, {"new": True}),
        lambda path: write_bytes_atomic(path, b"new screenshot bytes"),
        lambda path: write_lines_atomic(path, iter(["new line\n"] * 3)),
    ],
    ids=["json", "bytes", "lines"],
)
def test_a_whole_file_write_on_a_full_disk_keeps_the_old_file_and_no_temporary(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, write: Any
) -> None:
    target = tmp_path / "run.json"
    target.write_text("old\n")
    monkeypatch.setattr(os, "fsync", _full_disk)
    with pytest.raises(OSError, match="No space left"):
        write(target)
    assert target.read_text() == "old\n"
    assert sorted(p.name for p in tmp_path.iterdir()) == ["run.json"]


def _crawl(settings: Settings, run_id: str, resume: bool = False, base_url: str = "") -> runner.Run:
    return runner.crawl("fixture", run_id=run_id, base_url=base_url, settings=settings, resume=resume)


def test_enrichment_on_a_full_disk_leaves_the_index_step_only_whole_findings(
    settings: Settings, monkeypatch: pytest.MonkeyPatch
) -> None:
    write_source(settings.sources_dir, revisit_after="7d")
    with serve_board(dict(ADS)) as site:
        first = _crawl(settings, "full-first", base_url=site.base_url)
        fresh = _crawl(settings, "full-fresh", base_url=site.base_url)  # (every page known: no postings)
    runner.enrich("full-first", settings=settings)
    before = hashlib.sha256(first.findings.read_bytes()).hexdigest()
    from lurewatch.enrichment import pipeline

    calls = {"n": 0}
    real_write = pipeline._write

    def write_until_full(*args: Any, **kwargs: Any) -> Any:
        calls["n"] += 1
        if calls["n"] > 3:
            _full_disk()
        return real_write(*args, **kwargs)

    monkeypatch.setattr(pipeline, "_write", write_until_full)
    with pytest.raises(errors.WriteFailed, match="No space left on device.*findings.jsonl is as it was before"):
        runner.enrich("full-first", settings=settings)
    assert hashlib.sha256(first.findings.read_bytes()).hexdigest() == before  # the complete earlier output
    assert [p.name for p in first.path.iterdir() if "findings" in p.name] == ["findings.jsonl"]
    # A run whose enrichment never completed has no findings file at all: the index step refuses it.
    fresh.postings.write_bytes(first.postings.read_bytes())
    calls["n"] = 0
    with pytest.raises(errors.WriteFailed):
        runner.enrich("full-fresh", settings=settings)
    assert not fresh.findings.exists()
    with pytest.raises(errors.RunNotFound, match="has no findings.jsonl"):
        runner.index("full-fresh", settings=settings)
    monkeypatch.undo()
    runner.index("full-first", settings=settings)
    assert first.meta()["steps"]["index"]["written"] == len(ADS)


def test_a_resumed_crawl_cuts_the_half_record_a_full_disk_left_and_its_run_verifies(settings: Settings) -> None:
    write_source(settings.sources_dir, revisit_after="7d")
    with serve_board(dict(ADS)) as site:
        run = _crawl(settings, "half", base_url=site.base_url)
        whole_postings = run.postings.read_bytes()
        whole_warc = run.warc.read_bytes()
        # What a write cut short leaves: half a posting line, and the first bytes of a gzip member.
        with run.postings.open("ab") as fh:
            fh.write(whole_postings.splitlines(keepends=True)[0][:50])
        with run.warc.open("ab") as fh:
            fh.write(whole_warc[:40])
        assert not verify_run(run.path).ok
        resumed = _crawl(settings, "half", resume=True, base_url=site.base_url)
    assert resumed.postings.read_bytes() == whole_postings  # every page known: the feed is the whole one again
    assert resumed.warc.read_bytes().startswith(whole_warc) and resumed.warc.stat().st_size > len(whole_warc)
    assert [e for _, p, e in read_jsonl_numbered(resumed.postings, Posting) if p is None] == []
    assert verify_run(resumed.path).ok
