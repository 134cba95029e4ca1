"""The in-process runner: crawl → enrich → index for one source, shared by the CLI and the DAGs.

Steps talk through files in the run directory (``DATA_DIR/runs/<run_id>/``) and through the index.
Every step can be re-run: outputs are rewritten and index writes are upserts by ``posting_id``.
"""

from __future__ import annotations

import json
import logging
import secrets
import subprocess
import sys
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime
from importlib import resources
from pathlib import Path
from typing import TYPE_CHECKING, Any

from lurewatch.crawlers.extensions import PROGRESS_PREFIX
from lurewatch.crawlers.source import load_source as load_source  # re-exported for the CLI and the DAGs
from lurewatch.errors import CrawlFailed, IndexUnavailable, RunNotFound, SourceConfigError
from lurewatch.settings import Settings, get_settings, offline_environment

if TYPE_CHECKING:
    from lurewatch.evidence import VerifyReport

logger = logging.getLogger(__name__)
Progress = Callable[[dict[str, Any]], None]

POSTINGS = "postings.jsonl"
FINDINGS = "findings.jsonl"


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


def new_run_id(source_name: str, when: datetime | None = None) -> str:
    when = when or datetime.now(UTC)
    return f"{source_name}-{when:%Y%m%dT%H%M%S}-{secrets.token_hex(2)}"


@dataclass
class Run:
    """One run's folder and its metadata file."""

    run_id: str
    path: Path

    @property
    def postings(self) -> Path:
        return self.path / POSTINGS

    @property
    def findings(self) -> Path:
        return self.path / FINDINGS

    def meta(self) -> dict[str, Any]:
        file = self.path / "run.json"
        return json.loads(file.read_text()) if file.exists() else {"run_id": self.run_id}

    def record(self, step: str, **values: Any) -> None:
        meta = self.meta()
        meta.setdefault("steps", {})[step] = values
        (self.path / "run.json").write_text(json.dumps(meta, indent=2, ensure_ascii=False))


def open_run(ref: str, settings: Settings | None = None) -> Run:
    """A run by id (under DATA_DIR/runs) or by path to its folder."""
    settings = settings or get_settings()
    path = Path(ref)
    if not (path / "run.json").exists():
        path = settings.runs_dir / ref
    if not (path / "run.json").exists():
        raise RunNotFound(f"no run {ref!r} under {settings.runs_dir}")
    return Run(path.name, path)


def crawl(
    source_ref: str,
    run_id: str | None = None,
    base_url: str | None = None,
    progress: Progress | None = None,
    settings: Settings | None = None,
) -> Run:
    """Crawl one source into a new run folder; returns the run."""
    settings = settings or get_settings()
    path = resolve_source(source_ref, settings)
    source = load_source(path)
    run_id = run_id or new_run_id(source.name)
    run = Run(run_id, settings.runs_dir / run_id)
    run.path.mkdir(parents=True, exist_ok=True)
    for stale in (POSTINGS, "rejects.jsonl", "evidence.warc.gz", "evidence.json", "stats.json"):
        (run.path / stale).unlink(missing_ok=True)  # a retried task starts its crawl afresh
    started = datetime.now(UTC).isoformat(timespec="seconds")
    meta = {"run_id": run_id, "source": source.name, "source_file": str(path), "started": started, "steps": {}}
    (run.path / "run.json").write_text(json.dumps(meta, indent=2))
    cmd = [sys.executable, "-m", "lurewatch.crawlers.crawl", str(path), str(run.path), run_id]
    if base_url:
        cmd += ["--base-url", base_url]
    proc = subprocess.Popen(
        cmd, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, env=offline_environment(), cwd=Path.cwd()
    )
    assert proc.stdout is not None
    for line in proc.stdout:
        if line.startswith(PROGRESS_PREFIX) and progress:
            progress(json.loads(line[len(PROGRESS_PREFIX) :]))
    stderr = proc.stderr.read() if proc.stderr else ""
    code = proc.wait()
    stats_file = run.path / "stats.json"
    stats = json.loads(stats_file.read_text()) if stats_file.exists() else {}
    run.record(
        "crawl", exit_code=code, finished=datetime.now(UTC).isoformat(timespec="seconds"), stats=summarize_crawl(stats)
    )
    if code != 0:
        detail = stderr.strip().splitlines()[-1] if stderr.strip() else f"exit code {code}"
        raise CrawlFailed(f"crawl of {source.name} failed: {detail}")
    run.postings.touch()
    return run


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
            run.path / "enrich_rejects.jsonl",
            progress,
            workers=settings.enrich_processes,
            store=IndexCandidateStore(store) if store else MemoryCandidateStore(),
        )
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
    """Upsert a run's findings into the configured index; rejected documents are kept aside."""
    from lurewatch.index.base import open_index
    from lurewatch.records import Finding, read_jsonl

    settings = settings or get_settings()
    run = open_run(run_ref, settings)
    if not run.findings.exists():
        raise RunNotFound(f"run {run.run_id} has no {FINDINGS}", hint=f"enrich first: `lurewatch enrich {run.run_id}`")

    def counted() -> Any:
        for n, finding in enumerate(read_jsonl(run.findings, Finding), 1):
            yield finding
            if progress:
                progress(n)

    store = open_index(settings)
    try:
        report = store.upsert(counted())
    finally:
        store.close()
    with (run.path / "index_rejects.jsonl").open("w", encoding="utf-8") as fh:
        for row in report.rejected:
            fh.write(json.dumps(row, ensure_ascii=False) + "\n")
    run.record("index", backend=settings.index, written=report.written, rejected=len(report.rejected))
    return run


def list_runs(settings: Settings | None = None) -> list[dict[str, Any]]:
    """Every run under DATA_DIR/runs, newest first: id, source, start time, folder and crawl figures."""
    settings = settings or get_settings()
    runs = []
    for meta_file in settings.runs_dir.glob("*/run.json"):
        try:
            meta = json.loads(meta_file.read_text())
        except (OSError, ValueError):
            meta = {}  # a run folder being written or damaged is still listed
        crawl_step = meta.get("steps", {}).get("crawl", {})
        runs.append(
            {
                "run_id": meta.get("run_id", meta_file.parent.name),
                "source": meta.get("source", ""),
                "started": meta.get("started", ""),
                "finished": crawl_step.get("finished"),
                "path": str(meta_file.parent),
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
    from lurewatch.records import Posting, read_jsonl

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
        for posting in read_jsonl(postings, Posting):
            if posting.posting_id == ref:
                found += 1
                verify_posting(postings.parent, posting, report)
    if not found:
        raise RunNotFound(f"no run and no posting {ref!r} under {settings.runs_dir}")
    return report
