"""The in-process runner: crawl → enrich → index for one source, shared by the CLI and the DAGs.

Steps talk through files in the run directory (``DATA_DIR/runs/<run_id>/``, see ``lurewatch.run_folder``)
and through the index. Evidence is append-only: a crawl never reuses a run unless asked to resume it,
and a resumed crawl appends to the run's WARC and postings. Enrich and index can be re-run: their outputs
are rewritten and index writes are upserts by ``posting_id``.
"""

from __future__ import annotations

import json
import logging
import os
import secrets
import signal
import socket
import sqlite3
import subprocess
import sys
from collections.abc import Callable, Iterator
from datetime import UTC, datetime
from importlib import resources
from pathlib import Path
from typing import TYPE_CHECKING, Any

from lurewatch.crawlers.extensions import EXIT_FETCHED_NOTHING, PROGRESS_PREFIX, fetched_nothing_line
from lurewatch.crawlers.source import load_source as load_source  # re-exported for the CLI and the DAGs
from lurewatch.errors import (
    CrawlFailed,
    CrawlFetchedNothing,
    IndexUnavailable,
    LureWatchError,
    RunExists,
    RunNotFound,
    SettingsError,
    SourceConfigError,
    WriteFailed,
)
from lurewatch.run_folder import (
    FINDINGS,
    POSTINGS,
    RUN_META,
    RejectFile,
    RunFolder,
    check_run_id,
    now_iso,
    process_alive,
    read_json,
    read_jsonl_numbered,
)
from lurewatch.settings import Settings, get_settings, offline_environment

if TYPE_CHECKING:
    from lurewatch.evidence import VerifyReport
    from lurewatch.index.base import Index

logger = logging.getLogger(__name__)
Progress = Callable[[dict[str, Any]], None]

Run = RunFolder  # one run's folder and its run.json
KILL_WAIT = 10.0  # seconds a crawl child gets to stop after SIGTERM before it is killed


def demo_source_path() -> Path:
    return Path(str(resources.files("lurewatch.demo").joinpath("source.yml")))


def resolve_source(ref: str, settings: Settings | None = None) -> Path:
    """A source name under the sources folder, ``demo``, or a path to a YAML file."""
    settings = settings or get_settings()
    candidate = Path(ref)
    if candidate.suffix in {".yml", ".yaml"} or candidate.exists():
        if not candidate.is_file():
            raise SourceConfigError(f"{candidate}: no such source file")
        return candidate
    named = settings.sources_dir / f"{ref}.yml"
    if named.is_file():
        return named
    if ref == "demo":
        return demo_source_path()
    raise SourceConfigError(f"no source named {ref!r} in {settings.sources_dir}/ (and it is not a .yml path)")


def source_files(settings: Settings | None = None) -> list[Path]:
    """The source YAML files in the sources folder."""
    settings = settings or get_settings()
    return sorted(settings.sources_dir.glob("*.yml"))


def candidate_source_files(settings: Settings | None = None) -> list[Path]:
    """Source YAMLs of approved candidates (``SOURCES_DIR/candidates/``): checked, never scheduled."""
    settings = settings or get_settings()
    return sorted((settings.sources_dir / "candidates").glob("*.yml"))


def new_run_id(source_name: str, when: datetime | None = None) -> str:
    when = when or datetime.now(UTC)
    return f"{source_name}-{when:%Y%m%dT%H%M%S}-{secrets.token_hex(2)}"


def open_run(ref: str, settings: Settings | None = None) -> Run:
    """A run by id (under DATA_DIR/runs) or by path to its folder."""
    settings = settings or get_settings()
    path = Path(ref)
    if not (path / RUN_META).exists():
        path = settings.runs_dir / ref
    if not (path / RUN_META).exists():
        raise RunNotFound(f"no run {ref!r} under {settings.runs_dir}")
    return Run(path.name, path)


def crawl(
    source_ref: str,
    run_id: str | None = None,
    base_url: str | None = None,
    progress: Progress | None = None,
    settings: Settings | None = None,
    resume: bool = False,
    workers: int | None = None,
    frontier: str | None = None,
) -> Run:
    """Crawl one source into a new run folder (or, with ``resume``, continue that run); returns the run.

    A run id that exists already is refused unless ``resume`` is set; a resumed run keeps everything
    it holds and appends to it. However the crawl ends, ``run.json`` says how, and ``stats.json`` exists.
    With ``workers`` > 1 or a ``frontier`` (Redis URL; default ``LUREWATCH_REDIS_URL``), that many crawler
    processes share the run's frontier in Redis (see ``lurewatch.workers``).
    """
    settings = settings or get_settings()
    path = resolve_source(source_ref, settings)
    source = load_source(path)
    run_id = check_run_id(run_id) if run_id is not None else new_run_id(source.name)
    workers = workers or settings.crawl_workers
    frontier = frontier or settings.redis_url
    if workers > 1 and not frontier:
        raise SettingsError(
            f"{workers} crawler processes need a shared frontier: set LUREWATCH_REDIS_URL or pass --frontier redis://..."
        )
    mark_crashed_runs(settings, source.name)
    run = Run(run_id, settings.runs_dir / run_id)
    meta = _start_meta(run, source.name, path, resume)
    if frontier:
        from lurewatch.workers import check_frontier

        check_frontier(frontier)  # before the run folder is made: an unreachable Redis leaves nothing behind
    run.path.mkdir(parents=True, exist_ok=True)
    run.write_meta(meta)
    if frontier:
        return _crawl_workers(run, source.name, path, workers, frontier, settings, base_url, progress)
    cmd = [sys.executable, "-m", "lurewatch.crawlers.crawl", str(path), str(run.path), run_id]
    cmd += ["--parent-pid", str(os.getpid())]
    if base_url:
        cmd += ["--base-url", base_url]
    proc = subprocess.Popen(
        cmd, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, env=offline_environment(), cwd=Path.cwd()
    )
    run.update(crawl_pid=proc.pid)
    last: dict[str, Any] = {}
    stderr = ""
    try:
        assert proc.stdout is not None
        for line in proc.stdout:
            if line.startswith(PROGRESS_PREFIX):
                last = json.loads(line[len(PROGRESS_PREFIX) :])
                if progress:
                    progress(last)
        stderr = proc.stderr.read() if proc.stderr else ""
        code = proc.wait()
    finally:
        if proc.poll() is None:  # this process is being interrupted: stop the crawl too, and record it
            _stop(proc)
        code = proc.returncode
        stats = _final_stats(run, code, last)
        status = "finished" if code == 0 else "failed" if code in (1, 2, EXIT_FETCHED_NOTHING) else "incomplete"
        run.update(status=status, **({"incomplete_reason": stats["finish_reason"]} if status == "incomplete" else {}))
        run.record("crawl", exit_code=code, finished=now_iso(), stats=summarize_crawl(stats))
    if code == EXIT_FETCHED_NOTHING:
        raise CrawlFetchedNothing(f"crawl of {source.name} {fetched_nothing_line(stats)} (run {run_id})")
    if code != 0:
        detail = stderr.strip().splitlines()[-1] if stderr.strip() else stats["finish_reason"]
        raise CrawlFailed(f"crawl of {source.name} failed: {detail}")
    run.postings.touch()
    return run


def _crawl_workers(
    run: Run, name: str, path: Path, workers: int, frontier: str, settings: Settings,
    base_url: str | None, progress: Progress | None,
) -> Run:  # fmt: skip
    """The crawl by several processes sharing a Redis frontier, recorded in run.json as one crawl."""
    from lurewatch.crawlers.crawl import selector_failure
    from lurewatch.crawlers.extensions import exit_code
    from lurewatch.workers import crawl as crawl_workers

    code: int | None = None
    stats: dict[str, Any] = {}
    try:
        code, stats, stderr = crawl_workers(run, name, path, workers, frontier, settings, base_url, progress)
        if code == 0:
            code = exit_code(stats)
    finally:
        stats = stats or run.stats()
        reason = stats.get("finish_reason") or "the crawl stopped before its workers ended"
        status = "finished" if code == 0 else "failed" if code in (1, 2, EXIT_FETCHED_NOTHING) else "incomplete"
        run.update(status=status, workers=workers, **({"incomplete_reason": reason} if status == "incomplete" else {}))
        run.record("crawl", exit_code=code, finished=now_iso(), workers=workers, stats=summarize_crawl(stats))
    if code == EXIT_FETCHED_NOTHING:
        raise CrawlFetchedNothing(f"crawl of {name} {fetched_nothing_line(stats)} (run {run.run_id})")
    if code == 0 and (problem := selector_failure(stats)):
        raise CrawlFailed(f"crawl of {name}: {problem}")
    if code != 0:
        detail = stderr.strip().splitlines()[-1] if stderr.strip() else reason
        raise CrawlFailed(f"crawl of {name} failed: {detail}")
    run.postings.touch()
    return run


def _start_meta(run: Run, source_name: str, source_file: Path, resume: bool) -> dict[str, Any]:
    """run.json for a new crawl, or for a resumed one (earlier attempts are kept in it)."""
    meta: dict[str, Any] = {"run_id": run.run_id, "source": source_name, "source_file": str(source_file), "steps": {}}
    attempts: list[dict[str, Any]] = []
    if run.path.exists() and any(run.path.iterdir()):
        if not resume:
            raise RunExists(f"run {run.run_id} already exists ({run.path}); its evidence is never overwritten")
        old = run.meta()
        if old.get("source", source_name) != source_name:
            raise RunExists(f"run {run.run_id} is a crawl of {old.get('source')!r}, not of {source_name!r}")
        if old.get("status") == "running" and process_alive(old.get("crawl_pid"), old.get("host")):
            raise RunExists(f"run {run.run_id} is being crawled right now (process {old.get('crawl_pid')})")
        attempts = [*old.get("attempts", []), {k: old.get(k) for k in ("started", "status") if k in old}]
        if "crawl" in old.get("steps", {}):
            attempts[-1]["crawl"] = old["steps"]["crawl"]
        meta = {**old, "steps": {k: v for k, v in old.get("steps", {}).items() if k != "crawl"}}
    meta.update(
        started=now_iso(), status="running", pid=os.getpid(), host=socket.gethostname(), resumed=bool(attempts)
    )
    if attempts:
        meta["attempts"] = attempts
    return meta


def _stop(proc: subprocess.Popen[str]) -> None:
    proc.send_signal(signal.SIGTERM)  # the crawl closes as on Ctrl-C: stats and state are written
    try:
        proc.wait(KILL_WAIT)
    except subprocess.TimeoutExpired:
        proc.kill()
        proc.wait()


def _final_stats(run: Run, code: int | None, last: dict[str, Any]) -> dict[str, Any]:
    """The crawl's stats.json; when the crawler died before writing its last one, completed from what is known."""
    stats = run.stats()
    if code is not None and code < 0 and not stats.get("finish_reason"):
        stats.setdefault("response_received_count", last.get("pages", 0))
        stats.setdefault("item_scraped_count", last.get("postings", 0))
        stats["finish_reason"] = f"crawler killed by signal {signal.Signals(-code).name}"
        run.write_stats(stats)
    stats.setdefault("finish_reason", f"crawler exited with code {code}")
    return stats


def mark_crashed_runs(settings: Settings, source_name: str) -> list[str]:
    """Mark incomplete the runs of a source whose crawl says "running" but whose crawler is gone."""
    crashed = []
    for meta_file in settings.runs_dir.glob(f"*/{RUN_META}"):
        meta = read_json(meta_file)
        if meta.get("source") != source_name or meta.get("status") != "running":
            continue
        if process_alive(meta.get("crawl_pid"), meta.get("host")) or process_alive(meta.get("pid"), meta.get("host")):
            continue
        run = Run(meta_file.parent.name, meta_file.parent)
        run.update(status="incomplete", incomplete_reason="the crawl stopped without recording its end (crash)")
        logger.warning("run %s crashed: marked incomplete; resume it with --resume", run.run_id)
        crashed.append(run.run_id)
    return crashed


def summarize_crawl(stats: dict[str, Any]) -> dict[str, Any]:
    """The figures a person reads from Scrapy's stats."""

    def by_kind(prefix: str) -> dict[str, int]:
        return {k[len(prefix) :]: v for k, v in sorted(stats.items()) if k.startswith(prefix)}

    return {
        "pages": stats.get("response_received_count", 0),
        "postings": stats.get("item_scraped_count", 0),
        "bytes": stats.get("lurewatch/bytes", 0),
        "bytes_received": stats.get("downloader/response_bytes", 0),
        "rejected": by_kind("lurewatch/rejected/"),
        "errors": by_kind("downloader/exception_type_count/"),
        "status": by_kind("downloader/response_status_count/"),
        "retries": stats.get("retry/count", 0),
        "retries_given_up": stats.get("retry/max_reached", 0),
        "robots_forbidden": stats.get("robotstxt/forbidden", 0),
        "skipped_known": stats.get("lurewatch/incremental/skipped", 0),
        "new_postings": stats.get("lurewatch/incremental/new", 0),
        "content_changed": stats.get("lurewatch/incremental/content_changed", 0),
        "images": stats.get("lurewatch/images/ok", 0),
        "warc_records": stats.get("lurewatch/warc_records", 0),
        "duration_s": stats.get("elapsed_time_seconds"),
        "cpu_s": stats.get("lurewatch/cpu_seconds"),
        "finish_reason": stats.get("finish_reason"),
    }


def enrich(run_ref: str, progress: Callable[[int], None] | None = None, settings: Settings | None = None) -> Run:
    """Enrich a run's postings into ``findings.jsonl``."""
    from lurewatch.enrichment.pipeline import enrich_file

    settings = settings or get_settings()
    run = open_run(run_ref, settings)
    if not run.postings.exists():
        raise RunNotFound(f"run {run.run_id} has no {POSTINGS}", hint="crawl first: `lurewatch crawl SOURCE`")
    from lurewatch.candidates import IndexCandidateStore
    from lurewatch.enrichment.dedup import MemoryCandidateStore
    from lurewatch.index.base import open_index

    try:
        store = open_index(settings)  # earlier runs' findings: reposts join the clusters they started
    except IndexUnavailable as exc:
        logger.warning("index unavailable, clustering within run %s only: %s", run.run_id, exc)
        store = None
    try:
        report = enrich_file(
            run.postings,
            run.findings,
            run.rejects("enrich"),
            progress,
            workers=settings.enrich_processes,
            store=IndexCandidateStore(store) if store else MemoryCandidateStore(),
        )
    except OSError as exc:
        where = f" ({exc.filename})" if exc.filename else ""
        raise WriteFailed(f"enrich of run {run.run_id} stopped: {exc.strerror or exc}{where}; "
                          f"{run.findings.name} is as it was before") from exc  # fmt: skip
    finally:
        if store:
            store.close()
    run.record(
        "enrich",
        postings=report.postings,
        findings=report.findings,
        rejected=report.rejected,
        clusters_across_runs=store is not None,
    )
    return run


def count_lines(path: Path) -> int:
    with path.open("rb") as fh:
        return sum(1 for line in fh if line.strip())


def index(run_ref: str, progress: Callable[[int], None] | None = None, settings: Settings | None = None) -> Run:
    """Upsert a run's findings into the configured index; a bad line or a rejected document is kept aside."""
    from lurewatch.index.base import open_index
    from lurewatch.records import Finding

    settings = settings or get_settings()
    run = open_run(run_ref, settings)
    if not run.findings.exists():
        raise RunNotFound(f"run {run.run_id} has no {FINDINGS}", hint=f"enrich first: `lurewatch enrich {run.run_id}`")
    lines: dict[str, int] = {}  # posting_id -> line, to name the line of a document the backend rejects
    rejected = {"bad_line": 0, "index_rejected": 0}
    # Where an earlier attempt stopped (Elasticsearch went away): the same findings into the same index go on there.
    target = {"index": _index_target(settings), "findings": _file_signature(run.findings)}
    checkpoint = run.meta().get("index_checkpoint") or {}
    resume = checkpoint if {k: checkpoint.get(k) for k in target} == target else {}
    start_after = int(resume.get("line", 0))
    yielded: list[int] = []  # line of each finding handed to the index, in order
    with RejectFile(run.rejects("index"), "index", truncate=not resume) as rejects:

        def readable() -> Iterator[Finding]:
            for n, (number, finding, error) in enumerate(read_jsonl_numbered(run.findings, Finding), 1):
                if number <= start_after:
                    continue
                if finding is None:
                    logger.warning("index rejected line=%d of %s: %s", number, run.findings, error)
                    rejects.add("bad_line", error, line=number)
                    rejected["bad_line"] += 1
                else:
                    lines[finding.posting_id] = number
                    yielded.append(number)
                    yield finding
                if progress:
                    progress(n)

        store = open_index(settings)
        try:
            report = store.upsert(readable())
            discovered = _discover(run, store, settings)
        except IndexUnavailable as exc:
            line = yielded[exc.done - 1] if exc.done else start_after
            written = int(resume.get("written", 0)) + exc.done
            run.update(index_checkpoint={**target, "line": line, "written": written, "at": now_iso()})
            raise IndexUnavailable(
                f"{exc} (run {run.run_id}: findings up to line {line} are indexed)",
                hint=f"start Elasticsearch again and re-run `lurewatch index {run.run_id}`: it goes on after line {line}",
                done=exc.done,
            ) from exc
        finally:
            store.close()
        for row in report.rejected:
            posting_id = row.get("posting_id", "")
            rejects.add("index_rejected", row.get("reason", ""), line=lines.get(posting_id, 0), posting_id=posting_id)
        rejected["index_rejected"] = len(report.rejected)
    by_kind = {k: v for k, v in rejected.items() if v}
    extra: dict[str, Any] = {"rejected_by_kind": by_kind} if by_kind else {}
    if resume:
        extra["resumed_after_line"] = start_after
        meta = run.meta()
        meta.pop("index_checkpoint", None)
        run.write_meta(meta)
    written = report.written + int(resume.get("written", 0))
    run.record("index", backend=settings.index, written=written, rejected=sum(by_kind.values()), **extra)
    if discovered is not None:
        run.record("discover", **discovered)
    return run


def _index_target(settings: Settings) -> str:
    """Which index a run's findings go to (a checkpoint holds only for the same one)."""
    if settings.index == "elasticsearch":
        return f"elasticsearch {settings.es_url} {settings.es_index_prefix}"
    return f"sqlite {settings.sqlite_file.resolve()}"


def _file_signature(path: Path) -> str:
    """Size and modification time: enrichment rewrites findings.jsonl whole, which changes both."""
    stat = path.stat()
    return f"{stat.st_size}:{stat.st_mtime_ns}"


def _discover(run: Run, store: Index, settings: Settings) -> dict[str, int] | None:
    """Candidate sources named by the run's findings (``lurewatch candidates``); a failure never fails the index step."""
    from lurewatch.discovery.service import update_from_run

    try:
        return update_from_run(run.path, store, settings)
    except (LureWatchError, OSError, sqlite3.Error) as exc:
        logger.warning("source discovery skipped for run %s: %s", run.run_id, exc)
        return None


def list_runs(settings: Settings | None = None) -> list[dict[str, Any]]:
    """Every run under DATA_DIR/runs, newest first: id, source, start time, folder and crawl figures."""
    settings = settings or get_settings()
    runs = []
    for meta_file in settings.runs_dir.glob(f"*/{RUN_META}"):
        meta = read_json(meta_file)  # a run folder being written or damaged is still listed ({})
        crawl_step = meta.get("steps", {}).get("crawl", {})
        runs.append(
            {
                "run_id": meta.get("run_id", meta_file.parent.name),
                "source": meta.get("source", ""),
                "started": meta.get("started", ""),
                "finished": crawl_step.get("finished"),
                "path": str(meta_file.parent),
                "status": meta.get("status", ""),
                "steps": sorted(meta.get("steps", {})),
                "stats": crawl_step.get("stats", {}),
            }
        )
    return sorted(runs, key=lambda r: (r["started"] or "", r["run_id"]), reverse=True)


def verify_evidence(
    ref: str, progress: Callable[[int, int], None] | None = None, settings: Settings | None = None
) -> VerifyReport:
    """Re-hash the evidence of a run (by id or folder) or of one posting (by posting_id, in every run)."""
    from lurewatch.evidence import VerifyReport, verify_posting, verify_run
    from lurewatch.records import Posting

    settings = settings or get_settings()
    try:
        run = open_run(ref, settings)
    except RunNotFound:
        run = None
    if run is not None:
        return verify_run(run.path, progress)
    report = VerifyReport()
    found = 0
    for postings in sorted(settings.runs_dir.glob(f"*/{POSTINGS}")):
        for _, posting, _ in read_jsonl_numbered(postings, Posting):
            if posting is not None and posting.posting_id == ref:
                found += 1
                verify_posting(postings.parent, posting, report)
    if not found:
        raise RunNotFound(f"no run and no posting {ref!r} under {settings.runs_dir}")
    return report
