"""Faults of a crawl shared through Redis, with real processes: Redis goes away, a crawler process is killed -9.

Each test runs `lurewatch crawl --workers 2` as a real process against a fixture board on 127.0.0.1 and a real
redis-server, breaks one part mid-run, resumes the run, and checks that every ad is in the run exactly once,
that no ad whose posting was recorded is fetched again, and that the run's evidence verifies. Each prints what
was lost and how long recovery took (``-s`` shows it).
"""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import time
from collections import Counter
from collections.abc import Callable
from pathlib import Path

from lurewatch import runner
from lurewatch.evidence import verify_run
from lurewatch.records import Posting
from lurewatch.run_folder import read_json, read_jsonl_numbered
from lurewatch.settings import Settings
from tests.support.redis_server import RedisServer, redis_server
from tests.support.sites.hostile import serve_board, write_source

ADS = {f"ad{i:02d}": f"Casino customer service in Myawaddy, salary 1500 USD, ad {i}" for i in range(60)}
WAIT = 90.0  # seconds any one wait below may take before the test gives up


def _lurewatch(settings: Settings, *args: str) -> subprocess.Popen[str]:
    env = {**os.environ, "LUREWATCH_DATA_DIR": str(settings.data_dir), "LUREWATCH_SOURCES_DIR": str(settings.sources_dir),
           "LUREWATCH_INDEX": "sqlite", "COLUMNS": "200"}  # fmt: skip
    return subprocess.Popen([sys.executable, "-m", "lurewatch", *args], env=env, text=True,
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE)  # fmt: skip


def _wait_for(what: str, check: Callable[[], bool]) -> None:
    deadline = time.monotonic() + WAIT
    while not check():
        if time.monotonic() > deadline:
            raise AssertionError(f"gave up waiting for {what}")
        time.sleep(0.05)


def _recorded(run_dir: Path) -> list[str]:
    """Ads whose posting a worker has recorded so far (whole lines only)."""
    ads = []
    for feed in (run_dir / "workers").glob("*/postings.jsonl"):
        ads += [json.loads(line)["url"].rsplit("/", 1)[1] for line in feed.read_text().splitlines(keepends=True)
                if line.endswith("\n")]  # fmt: skip
    return ads


def _merged(run_dir: Path) -> list[str]:
    postings = read_jsonl_numbered(run_dir / "postings.jsonl", Posting)
    return [p.url.rsplit("/", 1)[1] for _, p, _ in postings if p is not None]


def _start_crawl(settings: Settings, site_url: str, server: RedisServer, run_id: str) -> subprocess.Popen[str]:
    return _lurewatch(settings, "crawl", "fixture", "--run-id", run_id, "--base-url", site_url,
                      "--workers", "2", "--frontier", server.url)  # fmt: skip


def test_redis_going_away_stops_the_crawl_with_one_line_and_the_resume_loses_nothing(settings: Settings) -> None:
    write_source(settings.sources_dir, concurrency=2, delay=0.1, revisit_after="7d")
    with redis_server() as server, serve_board(dict(ADS)) as site:
        crawl = _start_crawl(settings, site.base_url, server, "redis-cut")
        run_dir = settings.runs_dir / "redis-cut"
        _wait_for("eight postings", lambda: len(_recorded(run_dir)) >= 8)
        server.stop()
        stopped = time.monotonic()
        _, stderr = crawl.communicate(timeout=WAIT)
        stop_seconds = time.monotonic() - stopped
        before = _recorded(run_dir)
        assert crawl.returncode == 2 and "Traceback" not in stderr, stderr
        said = [line for line in stderr.splitlines() if line.startswith(("error:", "hint:"))]
        assert len(said) == 2, stderr
        assert said[0].startswith("error: crawl of fixture stopped:") and "run redis-cut is kept" in said[0], stderr
        assert "Connection refused" in said[0] and said[1].startswith("hint: start Redis again"), stderr
        meta = read_json(run_dir / "run.json")
        assert meta["status"] == "incomplete" and meta["incomplete_reason"] == "frontier_unavailable"
        assert len(before) < len(ADS)

        server.start()  # Redis is back (empty: nothing of the frontier survived): the run resumes
        resumed = time.monotonic()
        run = runner.crawl("fixture", run_id="redis-cut", base_url=site.base_url, settings=settings,
                           resume=True, workers=2, frontier=server.url)  # fmt: skip
        recover_seconds = time.monotonic() - resumed
        fetched = Counter(path.rsplit("/", 1)[1] for path in site.requests if path.startswith("/ad/"))
    merged = _merged(run.path)
    assert sorted(merged) == sorted(ADS)  # every ad, each once: nothing lost, nothing twice
    assert [ad for ad in before if fetched[ad] > 1] == []  # nothing recorded before the cut is fetched again
    assert run.meta()["status"] == "finished" and verify_run(run.path).ok
    print(f"\nredis down: crawl stopped {stop_seconds:.1f}s after Redis went away with {len(before)} of {len(ADS)} "
          f"postings; lost 0; fetched again {sum(1 for n in fetched.values() if n > 1)} (in flight at the cut); "
          f"resume completed in {recover_seconds:.1f}s")  # fmt: skip


def test_a_crawler_process_killed_9_loses_no_posting_and_the_resume_fetches_none_twice(settings: Settings) -> None:
    write_source(settings.sources_dir, concurrency=2, delay=0.1, revisit_after="7d")
    with redis_server() as server, serve_board(dict(ADS)) as site:
        crawl = _start_crawl(settings, site.base_url, server, "killed")
        run_dir = settings.runs_dir / "killed"
        _wait_for("eight postings", lambda: len(_recorded(run_dir)) >= 8)
        victim = read_json(run_dir / "run.json")["crawl_pids"]["a1-w1"]
        os.kill(victim, signal.SIGKILL)
        killed = time.monotonic()
        _, stderr = crawl.communicate(timeout=WAIT)  # the other process crawls on to the end of the queue
        first_attempt = time.monotonic() - killed
        before = _recorded(run_dir)
        assert crawl.returncode == 2 and "Traceback" not in stderr, stderr
        assert "killed by signal SIGKILL" in stderr or "error: crawl of fixture failed" in stderr, stderr
        assert read_json(run_dir / "run.json")["status"] == "incomplete"
        assert verify_run(run_dir).ok  # what the killed process recorded verifies, and is in the merged run
        assert sorted(_merged(run_dir)) == sorted(before)

        resumed = time.monotonic()
        run = runner.crawl("fixture", run_id="killed", base_url=site.base_url, settings=settings,
                           resume=True, workers=2, frontier=server.url)  # fmt: skip
        recover_seconds = time.monotonic() - resumed
        fetched = Counter(path.rsplit("/", 1)[1] for path in site.requests if path.startswith("/ad/"))
    merged = _merged(run.path)
    assert sorted(merged) == sorted(ADS)  # every ad, each once
    assert [ad for ad in before if fetched[ad] > 1] == []
    assert run.meta()["status"] == "finished" and verify_run(run.path).ok
    assert len(run.meta()["attempts"]) == 1
    print(f"\nkill -9 of one of two crawler processes: the other ended the attempt {first_attempt:.1f}s later with "
          f"{len(before)} of {len(ADS)} postings; lost 0; fetched again "
          f"{sum(1 for n in fetched.values() if n > 1)} (in flight at the kill); resume completed in {recover_seconds:.1f}s")  # fmt: skip
