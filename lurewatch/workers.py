"""A crawl run by several crawler processes sharing one Redis frontier, merged back into one run.

Each process (a "worker") writes a run folder of its own under ``<run>/workers/<name>/``: its WARC, postings,
stats, rejects and log; and its own copy of the source's incremental state (``DATA_DIR/state/workers/``), so no
two processes ever write the same file. When they are done the run is merged: ``postings.jsonl`` (each posting's
evidence path made relative to the run folder), ``rejects.jsonl``, ``stats.json`` (summed), ``evidence.json``,
and every worker's state folded into the source's store. Every merged file is written whole, then renamed.
Worker names carry the attempt (``a1-w1``): a resumed run adds workers, it never reuses a folder.
"""

from __future__ import annotations

import json
import logging
import os
import shutil
import signal
import sqlite3
import subprocess
import sys
import threading
import time
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import redis

from lurewatch.crawlers.extensions import PROGRESS_PREFIX
from lurewatch.crawlers.frontier import EXIT_FRONTIER, FRONTIER_CLOSED, redact_url, run_keys
from lurewatch.crawlers.incremental import SeenStore, verified_urls
from lurewatch.errors import FrontierUnavailable
from lurewatch.run_folder import POSTINGS, REJECTS, WARC, RunFolder, write_lines_atomic
from lurewatch.settings import Settings, offline_environment

logger = logging.getLogger(__name__)

WORKERS = "workers"  # folder of the run that holds one folder per crawler process
KILL_WAIT = 10.0  # seconds a worker gets to stop after SIGTERM before it is killed
# Stats that are not summed over the workers: the first start, the last end, the longest elapsed time.
FIRST, LAST, LONGEST = {"start_time"}, {"finish_time"}, {"elapsed_time_seconds"}


def check_frontier(url: str) -> redis.Redis:
    """A client for the frontier's Redis, or FrontierUnavailable with the reason in one line."""
    client = redis.Redis.from_url(url, socket_connect_timeout=5, socket_timeout=5)
    try:
        client.ping()
    except redis.RedisError as exc:
        raise FrontierUnavailable(f"the Redis frontier at {redact_url(url)} does not answer: {exc}") from exc
    return client


def reset_frontier(client: redis.Redis, run_id: str) -> None:
    """Forget the run's queue, fingerprints and busy marks (a new attempt starts from the start URLs)."""
    keys = run_keys(run_id)
    client.delete(keys["queue"], keys["seen"], *client.scan_iter(match=keys["busy"] + "*"))


def state_copy(settings: Settings, run_id: str, worker: str) -> Path:
    return settings.data_dir / "state" / WORKERS / f"{run_id}.{worker}"


def crawl(
    run: RunFolder,
    source_name: str,
    source_file: Path,
    workers: int,
    frontier: str,
    settings: Settings,
    base_url: str | None = None,
    progress: Callable[[dict[str, Any]], None] | None = None,
) -> tuple[int, dict[str, Any], str]:
    """Run ``workers`` crawler processes on the run; returns (exit code, merged stats, the workers' stderr)."""
    client = check_frontier(frontier)
    store_path = settings.data_dir / "state" / f"{source_name}.sqlite"
    fold_states(settings, run.run_id, store_path)  # what an earlier attempt left unmerged is known first
    store = SeenStore(store_path)
    store.recover_crashed_runs()
    store.db.close()
    reset_frontier(client, run.run_id)
    attempt = len(run.meta().get("attempts", [])) + 1
    names = [f"a{attempt}-w{n}" for n in range(1, workers + 1)]
    procs: dict[str, subprocess.Popen[str]] = {}
    for name in names:
        state = state_copy(settings, run.run_id, name)
        state.mkdir(parents=True, exist_ok=True)
        if store_path.exists():
            with sqlite3.connect(store_path) as src, sqlite3.connect(state / store_path.name) as dst:
                src.backup(dst)
        folder = run.path / WORKERS / name
        cmd = [sys.executable, "-m", "lurewatch.crawlers.crawl", str(source_file), str(folder), run.run_id,
               "--parent-pid", str(os.getpid()), "--frontier", frontier, "--worker", name, "--state-dir", str(state)]  # fmt: skip
        if base_url:
            cmd += ["--base-url", base_url]
        procs[name] = subprocess.Popen(cmd, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
                                       env=offline_environment(), cwd=Path.cwd())  # fmt: skip
    run.update(crawl_pid=next(iter(procs.values())).pid, crawl_pids={n: p.pid for n, p in procs.items()})
    errors = _follow(procs, progress)
    codes = {name: proc.returncode for name, proc in procs.items()}
    stats = merge(run, names, codes)
    fold_states(settings, run.run_id, store_path)
    if stats.get("finish_reason") == "finished":
        reset_frontier(client, run.run_id)
    lost = [name for name, code in codes.items() if code == EXIT_FRONTIER]
    if lost:
        detail = errors.get(lost[0], "").strip().splitlines()
        raise FrontierUnavailable(
            f"crawl of {source_name} stopped: {detail[-1] if detail else 'the Redis frontier stopped answering'} "
            f"(run {run.run_id} is kept)"
        )
    code = next((c for c in codes.values() if c != 0), 0)
    return code, stats, "\n".join(errors.values())


def _follow(procs: dict[str, subprocess.Popen[str]], progress: Callable[[dict[str, Any]], None] | None) -> dict[str, str]:
    """Read every worker's progress lines (summed for ``progress``) until all have ended; returns their stderr."""
    latest: dict[str, dict[str, Any]] = {}
    errors: dict[str, str] = {}
    lock = threading.Lock()

    def read(name: str, proc: subprocess.Popen[str]) -> None:
        assert proc.stdout is not None and proc.stderr is not None
        for line in proc.stdout:
            if line.startswith(PROGRESS_PREFIX):
                with lock:
                    latest[name] = json.loads(line[len(PROGRESS_PREFIX) :])
                    total = {k: sum(p.get(k, 0) for p in latest.values()) for k in ("pages", "postings")}
                if progress:
                    progress(total)
        errors[name] = proc.stderr.read()

    threads = [threading.Thread(target=read, args=item, daemon=True) for item in procs.items()]
    try:
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join()
        for proc in procs.values():
            proc.wait()
    finally:
        for proc in procs.values():
            if proc.poll() is None:  # this process is being interrupted: stop the workers too
                proc.send_signal(signal.SIGTERM)
        for proc in procs.values():
            try:
                proc.wait(KILL_WAIT)
            except subprocess.TimeoutExpired:
                proc.kill()
                proc.wait()
    return errors


def merge(run: RunFolder, current: list[str], codes: dict[str, int | None]) -> dict[str, Any]:
    """Merge every worker folder of the run into its postings, rejects, stats and evidence manifest."""
    from lurewatch.crawlers.evidence import write_manifest

    folders = sorted(p for p in (run.path / WORKERS).glob("*") if p.is_dir())
    write_lines_atomic(run.postings, (line for folder in folders for line in _postings(run.path, folder)))
    rejects = REJECTS["crawl"]
    write_lines_atomic(run.path / rejects, (line for f in folders if (f / rejects).exists() for line in _lines(f / rejects)))
    stats = merge_stats([_worker_stats(run.path / WORKERS / name, codes.get(name)) for name in current])
    stats["lurewatch/workers"] = len(current)
    run.write_stats(stats)
    write_manifest(run.path)
    return stats


def _lines(path: Path) -> Iterator[str]:
    """Whole lines of a file that a process may have been killed while writing (a half line at the end is left)."""
    with path.open(encoding="utf-8", errors="replace") as fh:
        for line in fh:
            if line.endswith("\n") and line.strip():
                yield line


def _postings(run_dir: Path, folder: Path) -> Iterator[str]:
    """The worker's postings with their evidence paths relative to the run folder."""
    prefix = folder.relative_to(run_dir).as_posix() + "/"
    if not (folder / POSTINGS).exists():
        return
    for line in _lines(folder / POSTINGS):
        try:
            posting = json.loads(line)
        except ValueError:
            yield line  # kept as it is: enrichment counts and keeps aside a line that is not a posting
            continue
        evidence = posting.get("evidence") or {}
        evidence["warc_file"] = prefix + (evidence.get("warc_file") or WARC)
        for key in ("screenshot", "rendered_html"):
            if evidence.get(key):
                evidence[key] = prefix + evidence[key]
        posting["evidence"] = evidence
        yield json.dumps(posting, ensure_ascii=False) + "\n"


def _worker_stats(folder: Path, code: int | None) -> dict[str, Any]:
    stats = RunFolder(folder.name, folder).stats()
    if not stats.get("finish_reason") or (code is not None and code < 0):
        stats["finish_reason"] = f"crawler killed by signal {signal.Signals(-code).name}" if code and code < 0 else (
            stats.get("finish_reason") or f"crawler exited with code {code}")  # fmt: skip
    return stats


def merge_stats(all_stats: list[dict[str, Any]]) -> dict[str, Any]:
    """One run's stats from its workers': counts summed; first start, last finish; the worst finish reason."""
    merged: dict[str, Any] = {}
    for stats in all_stats:
        for key, value in stats.items():
            if key == "finish_reason":
                continue
            if key not in merged:
                merged[key] = value
            elif key in FIRST:
                merged[key] = min(merged[key], value)
            elif key in LAST or key in LONGEST:
                merged[key] = max(merged[key], value)
            elif isinstance(value, int | float) and isinstance(merged[key], int | float):
                merged[key] += value
    reasons = [s.get("finish_reason", "") for s in all_stats]
    unfinished = [r for r in reasons if r != "finished"]
    merged["finish_reason"] = (FRONTIER_CLOSED if FRONTIER_CLOSED in unfinished else unfinished[0]) if unfinished else "finished"
    return merged


def fold_states(settings: Settings, run_id: str, store_path: Path) -> int:
    """Fold the run's worker copies of the incremental state into the source's store; returns how many."""
    copies = sorted((settings.data_dir / "state" / WORKERS).glob(f"{run_id}.*/{store_path.name}"))
    for copy in copies:
        # A worker that was killed never closed its run: recovery keeps only its pages with a verified posting.
        worker = SeenStore(copy)
        if worker.recover_crashed_runs()["runs"]:
            # A page whose posting was recorded and verifies is known, even when the worker died before
            # committing that: fetching it again would record the posting twice in the run.
            folder = settings.runs_dir / run_id / WORKERS / copy.parent.name.removeprefix(f"{run_id}.")
            now = time.time()
            worker.db.executemany("INSERT OR IGNORE INTO fetched (url, fetched_at, run_id) VALUES (?, ?, ?)",
                                  [(url, now, run_id) for url in verified_urls(folder)])  # fmt: skip
            worker.db.commit()
        worker.db.close()
        store = SeenStore(store_path)
        db = store.db
        db.execute("ATTACH DATABASE ? AS w", (str(copy),))
        db.execute(
            "INSERT INTO fetched (url, fetched_at, run_id) SELECT url, fetched_at, ? FROM w.fetched WHERE true"
            " ON CONFLICT(url) DO UPDATE SET fetched_at = excluded.fetched_at, run_id = excluded.run_id"
            " WHERE excluded.fetched_at > fetched.fetched_at",
            (run_id,),
        )
        db.execute(
            "INSERT INTO postings SELECT * FROM w.postings WHERE true ON CONFLICT(canonical_url) DO UPDATE SET"
            " posting_id = excluded.posting_id, last_seen = excluded.last_seen, seen_count = excluded.seen_count,"
            " content_sha256 = excluded.content_sha256, changed_count = excluded.changed_count"
            " WHERE excluded.seen_count > postings.seen_count"
        )
        db.commit()
        db.execute("DETACH DATABASE w")
        db.close()
        shutil.rmtree(copy.parent)
    return len(copies)
