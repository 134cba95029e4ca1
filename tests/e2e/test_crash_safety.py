"""Evidence survives crashes, with real processes: kill -9 of the crawler or of `lurewatch`, retries, a dead site.

Each test starts `lurewatch crawl` as a real process against a fixture board served on 127.0.0.1,
kills what an unlucky operator would kill, and checks that every posting that was recorded still
verifies against its WARC record, and that the next crawl fetches again what the dead one left unverified.
"""

from __future__ import annotations

import json
import os
import signal
import socket
import sqlite3
import subprocess
import sys
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest

from lurewatch import errors, runner
from lurewatch.evidence import VerifyReport, verify_posting, verify_run
from lurewatch.index.base import open_index
from lurewatch.index.query import Query
from lurewatch.records import Posting, from_dict
from lurewatch.settings import Settings
from tests.support.sites.hostile import serve_board, write_source

ADS = {f"ad{i:02d}": f"Casino customer service in Myawaddy, salary 1500 USD, ad {i}" for i in range(40)}
WAIT = 60.0  # seconds any one wait below may take before the test gives up


def _env(settings: Settings) -> dict[str, str]:
    return {
        **os.environ,
        "LUREWATCH_DATA_DIR": str(settings.data_dir),
        "LUREWATCH_SOURCES_DIR": str(settings.sources_dir),
        "LUREWATCH_INDEX": "sqlite",
        "COLUMNS": "200",
    }


def _lurewatch(settings: Settings, *args: str) -> subprocess.Popen[str]:
    return subprocess.Popen(
        [sys.executable, "-m", "lurewatch", *args], env=_env(settings), text=True,
        stdout=subprocess.PIPE, stderr=subprocess.PIPE,
    )  # fmt: skip


def _wait_for(what: str, check: Callable[[], bool]) -> None:
    deadline = time.monotonic() + WAIT
    while not check():
        if time.monotonic() > deadline:
            raise AssertionError(f"gave up waiting for {what}")
        time.sleep(0.05)


def read_json(path: Path) -> dict[str, Any]:
    try:
        return dict(json.loads(path.read_text()))
    except (OSError, ValueError):
        return {}


def _postings(run_dir: Path) -> list[Posting]:
    path = run_dir / "postings.jsonl"
    if not path.exists():
        return []
    lines = path.read_text(encoding="utf-8").splitlines()
    done = lines if path.read_text(encoding="utf-8").endswith("\n") else lines[:-1]  # a line being written
    return [from_dict(Posting, json.loads(line)) for line in done if line.strip()]


def _unverified(run_dir: Path, postings: list[Posting]) -> list[str]:
    bad = []
    for posting in postings:
        report = VerifyReport()
        verify_posting(run_dir, posting, report)
        bad += [m.line() for m in report.mismatches]
    return bad


def _crawler_of(parent: int) -> int:
    """The pid of the crawl process that ``parent`` started (found in /proc, as an operator would with ps)."""
    found: list[int] = []

    def look() -> bool:
        for status in Path("/proc").glob("[0-9]*/status"):
            try:
                text = status.read_text()
                cmdline = (status.parent / "cmdline").read_bytes()
            except OSError:
                continue
            if f"\nPPid:\t{parent}\n" in text and b"lurewatch.crawlers.crawl" in cmdline:
                found.append(int(status.parent.name))
                return True
        return False

    _wait_for("the crawl process", look)
    return found[0]


def _gone(pid: int) -> bool:
    try:
        with open(f"/proc/{pid}/stat") as fh:
            return fh.read().rsplit(")", 1)[1].split()[0] == "Z"  # a zombie has stopped: only its exit code is left
    except FileNotFoundError:
        return True


def _ad_ids(postings: list[Posting]) -> set[str]:
    return {p.url.rsplit("/", 1)[1] for p in postings}


def test_killed_crawler_keeps_every_recorded_posting_verifiable_and_the_rerun_completes(settings: Settings) -> None:
    # One page at a time, slowly: the crawler is killed with most of the board still to fetch.
    write_source(settings.sources_dir, concurrency=1, delay=0.3, revisit_after="7d")
    with serve_board(dict(ADS)) as site:
        parent = _lurewatch(settings, "crawl", "fixture", "--run-id", "killed", "--base-url", site.base_url)
        run_dir = settings.runs_dir / "killed"
        _wait_for("six postings", lambda: len(_postings(run_dir)) >= 6)
        child = _crawler_of(parent.pid)
        os.kill(child, signal.SIGKILL)
        _, stderr = parent.communicate(timeout=WAIT)
        recorded = _postings(run_dir)
        assert 6 <= len(recorded) < len(ADS)
        assert _unverified(run_dir, recorded) == []  # nothing recorded before its WARC record
        assert parent.returncode == 2 and "Traceback" not in stderr, stderr
        assert "killed by signal SIGKILL" in stderr
        meta = read_json(run_dir / "run.json")
        assert meta["status"] == "incomplete" and meta["steps"]["crawl"]["exit_code"] == -signal.SIGKILL
        assert read_json(run_dir / "stats.json")["finish_reason"] == "crawler killed by signal SIGKILL"

        write_source(settings.sources_dir, concurrency=4, revisit_after="7d")
        rerun = runner.crawl("fixture", run_id="after", base_url=site.base_url, settings=settings)
    again = _postings(rerun.path)
    assert _unverified(rerun.path, again) == []
    # Nothing the dead run fetched without a verified posting is taken as known: every ad is in one run or the other.
    assert _ad_ids(recorded) | _ad_ids(again) == set(ADS)
    assert rerun.meta()["status"] == "finished"
    assert verify_run(rerun.path).ok


def test_next_crawl_refetches_exactly_what_a_crashed_run_left_unverified(settings: Settings) -> None:
    write_source(settings.sources_dir, revisit_after="7d")
    ads = dict(list(ADS.items())[:8])
    with serve_board(ads) as site:
        crashed = runner.crawl("fixture", run_id="crashed", base_url=site.base_url, settings=settings)
        postings = {p.url.rsplit("/", 1)[1]: p for p in _postings(crashed.path)}
        # Make the run look as a kill -9 leaves it: never closed in the state, its crawler gone,
        # one posting whose WARC record does not verify, and one page fetched whose posting never got written.
        dead = subprocess.run([sys.executable, "-c", "import os; print(os.getpid())"], capture_output=True, text=True)
        tampered = postings["ad03"]
        warc = crashed.path / "evidence.warc.gz"
        data = bytearray(warc.read_bytes())
        data[(tampered.evidence.warc_offset or 0) + 40] ^= 0xFF
        warc.write_bytes(bytes(data))
        lines = crashed.postings.read_text().splitlines()
        crashed.postings.write_text("".join(line + "\n" for line in lines if "/ad/ad05" not in line))
        with sqlite3.connect(settings.data_dir / "state" / "fixture.sqlite") as db:
            db.execute("UPDATE runs SET finished = NULL, pid = ? WHERE run_id = 'crashed'", (int(dead.stdout),))
        site.requests.clear()
        after = runner.crawl("fixture", run_id="after-crash", base_url=site.base_url, settings=settings)
    assert sorted(path.rsplit("/", 1)[1] for path in site.requests if path.startswith("/ad/")) == ["ad03", "ad05"]
    assert _ad_ids(_postings(after.path)) == {"ad03", "ad05"}
    assert read_json(after.path / "stats.json")["lurewatch/recovered/refetch"] == 2


def test_killed_parent_takes_the_crawler_down_and_the_run_records_its_end(settings: Settings) -> None:
    write_source(settings.sources_dir, concurrency=1, delay=0.3)
    # Far more than the crawler could fetch while the test waits: if it outlived its parent, it would show.
    many = {f"ad{i:03d}": f"Casino customer service, ad {i}" for i in range(400)}
    with serve_board(many) as site:
        parent = _lurewatch(settings, "crawl", "fixture", "--run-id", "orphan", "--base-url", site.base_url)
        run_dir = settings.runs_dir / "orphan"
        _wait_for("three postings", lambda: len(_postings(run_dir)) >= 3)
        child = _crawler_of(parent.pid)
        parent.kill()
        parent.communicate(timeout=WAIT)
        _wait_for("the crawler to stop with its parent", lambda: _gone(child))
        _wait_for("run.json to record the end", lambda: "crawl" in read_json(run_dir / "run.json").get("steps", {}))
        fetched_after = len(site.requests)
        time.sleep(1.0)  # nothing is fetched for a dead run any more
        assert len(site.requests) == fetched_after
    meta = read_json(run_dir / "run.json")
    assert meta["status"] == "incomplete" and meta["steps"]["crawl"]["orphaned"]
    assert read_json(run_dir / "stats.json")["finish_reason"] == "shutdown"
    postings = _postings(run_dir)
    assert postings and len(postings) < len(many) and _unverified(run_dir, postings) == []
    assert verify_run(run_dir).ok


def test_retried_crawl_resumes_its_run_and_every_indexed_finding_still_verifies(settings: Settings) -> None:
    write_source(settings.sources_dir, revisit_after="7d")
    ads = dict(list(ADS.items())[:12])
    with serve_board(ads) as site:
        first = runner.crawl("fixture", run_id="dag-run-1", base_url=site.base_url, settings=settings, resume=True)
        runner.enrich(first.run_id, settings=settings)
        runner.index(first.run_id, settings=settings)
        before = {name: (first.path / name).read_bytes() for name in ("postings.jsonl", "evidence.warc.gz")}
        ads["ad99"] = "A new ad: Telegram @newrecruiter, free visa"
        # The DAG's retry (or an operator clearing the task) calls the same crawl with the same run id.
        again = runner.crawl("fixture", run_id="dag-run-1", base_url=site.base_url, settings=settings, resume=True)
        runner.enrich(again.run_id, settings=settings)
        runner.index(again.run_id, settings=settings)
    for name, old in before.items():
        now = (again.path / name).read_bytes()
        assert now.startswith(old) and len(now) > len(old), name  # appended to, never truncated
    postings = _postings(again.path)
    assert _ad_ids(postings) == set(ads)
    meta = again.meta()
    assert meta["status"] == "finished" and len(meta["attempts"]) == 1 and meta["resumed"]
    store = open_index(settings)
    try:
        indexed = [hit.posting_id for hit in store.iterate(Query())]
    finally:
        store.close()
    assert len(indexed) == len(ads)
    for posting_id in indexed:
        report = runner.verify_evidence(posting_id, settings=settings)
        assert report.ok and report.postings >= 1, (posting_id, report.mismatches)


def test_existing_run_id_is_refused_unless_resumed_and_its_evidence_is_untouched(settings: Settings) -> None:
    write_source(settings.sources_dir)
    with serve_board(dict(list(ADS.items())[:3])) as site:
        run = runner.crawl("fixture", run_id="taken", base_url=site.base_url, settings=settings)
        files = {p.name: p.read_bytes() for p in run.path.iterdir() if p.is_file()}
        with pytest.raises(errors.LureWatchError, match="already exists"):
            runner.crawl("fixture", run_id="taken", base_url=site.base_url, settings=settings)
        cli = subprocess.run(
            [sys.executable, "-m", "lurewatch", "crawl", "fixture", "--run-id", "taken", "--base-url", site.base_url],
            env=_env(settings), capture_output=True, text=True, timeout=120,
        )  # fmt: skip
    assert cli.returncode == 2 and "error: run taken already exists" in cli.stderr and "--resume" in cli.stderr
    assert {p.name: p.read_bytes() for p in run.path.iterdir() if p.is_file()} == files


@pytest.mark.parametrize("bad", ["../escape", "a/b", "..", ".hidden", "x" * 200, ""])
def test_unsafe_run_id_is_refused_before_anything_is_written(settings: Settings, bad: str) -> None:
    write_source(settings.sources_dir)
    with pytest.raises(errors.LureWatchError):
        runner.crawl("fixture", run_id=bad, base_url="http://127.0.0.1:9", settings=settings)
    assert not settings.data_dir.exists() or not any(settings.data_dir.rglob("run.json"))
    cli = subprocess.run(
        [sys.executable, "-m", "lurewatch", "crawl", "fixture", "--run-id", bad],
        env=_env(settings), capture_output=True, text=True, timeout=60,
    )  # fmt: skip
    assert cli.returncode == 2 and "error: invalid run id" in cli.stderr and "Traceback" not in cli.stderr


def _closed_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])  # closed again when the block ends: connections are refused


def test_crawl_of_a_site_that_is_down_fails_with_one_line_and_keeps_its_rejects(settings: Settings) -> None:
    write_source(settings.sources_dir, retries=0)
    base_url = f"http://127.0.0.1:{_closed_port()}"
    with pytest.raises(errors.CrawlFailed, match="fetched nothing"):
        runner.crawl("fixture", run_id="down", base_url=base_url, settings=settings)
    rejects = [json.loads(line) for line in (settings.runs_dir / "down" / "rejects.jsonl").read_text().splitlines()]
    assert rejects and all(r["step"] == "crawl" and r["kind"] == "network" for r in rejects)
    assert any(r["url"].startswith(base_url + "/jobs/1") for r in rejects)
    assert read_json(settings.runs_dir / "down" / "run.json")["status"] == "failed"
    cli = subprocess.run(
        [sys.executable, "-m", "lurewatch", "crawl", "fixture", "--run-id", "down-cli", "--base-url", base_url],
        env=_env(settings), capture_output=True, text=True, timeout=120,
    )  # fmt: skip
    error_lines = [line for line in cli.stderr.splitlines() if line.startswith("error:")]
    assert cli.returncode == 2 and len(error_lines) == 1 and "fetched nothing" in error_lines[0], cli.stderr
    assert "Traceback" not in cli.stderr
