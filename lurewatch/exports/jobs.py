"""Export jobs for the HTTP API: each runs in a background thread and writes under ``EXPORTS_DIR/<job id>/``.

A job folder holds ``job.json`` (who asked, what, state, counts, error) and, once done, the export in
``files/``. The state survives a restart: a job that was running when the server stopped is marked failed.
"""

from __future__ import annotations

import json
import secrets
import threading
from dataclasses import asdict, dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from lurewatch.errors import LureWatchError
from lurewatch.exports.run import ExportRequest, check_request, run_export
from lurewatch.index.query import Query
from lurewatch.settings import Settings

STATES = ("queued", "running", "done", "failed")
JOB_FILE = "job.json"
FILES = "files"


@dataclass
class ExportJob:
    id: str
    owner: str  # name of the API key that asked
    format: str
    redact: bool
    evidence: bool
    query: dict[str, Any]
    state: str = "queued"
    created: str = ""
    finished: str | None = None
    expected: int | None = None
    rows: int = 0
    files: list[str] = field(default_factory=list)
    error: str | None = None


def _now() -> str:
    return datetime.now(UTC).isoformat(timespec="seconds")


class ExportJobs:
    """Creates, runs and reads export jobs; one thread per running job, at most ``workers`` at a time."""

    def __init__(self, settings: Settings, workers: int = 2) -> None:
        self.settings = settings
        self.root = settings.exports_path
        self._lock = threading.Lock()
        self._slots = threading.Semaphore(workers)
        self._threads: dict[str, threading.Thread] = {}

    def folder(self, job_id: str) -> Path:
        return self.root / job_id

    def _save(self, job: ExportJob) -> None:
        path = self.folder(job.id) / JOB_FILE
        tmp = path.with_suffix(".tmp")
        tmp.write_text(json.dumps(asdict(job), indent=1, ensure_ascii=False), encoding="utf-8")
        tmp.replace(path)

    def get(self, job_id: str) -> ExportJob | None:
        if not job_id.isalnum():
            return None
        path = self.folder(job_id) / JOB_FILE
        if not path.is_file():
            return None
        job = ExportJob(**json.loads(path.read_text(encoding="utf-8")))
        with self._lock:
            alive = job.id in self._threads and self._threads[job.id].is_alive()
        if job.state in ("queued", "running") and not alive:
            job.state, job.error = "failed", "the server stopped while this export ran; start it again"
        return job

    def list(self, owner: str) -> list[ExportJob]:
        if not self.root.is_dir():
            return []
        jobs = [self.get(p.name) for p in self.root.iterdir() if p.is_dir()]
        return sorted((j for j in jobs if j and j.owner == owner), key=lambda j: j.created, reverse=True)

    def create(self, owner: str, query: Query, fmt: str, redact: bool, evidence: bool,
               query_record: dict[str, Any]) -> ExportJob:  # fmt: skip
        """Check the request, record the job and start it; raises ExportError for a request that cannot run."""
        job = ExportJob(secrets.token_hex(8), owner, fmt, redact, evidence, query_record, created=_now())
        request = ExportRequest(query, fmt, self.folder(job.id) / FILES, redact=redact, evidence=evidence)
        check_request(request)
        self.folder(job.id).mkdir(parents=True)
        self._save(job)
        thread = threading.Thread(target=self._run, args=(job, request), name=f"export-{job.id}", daemon=True)
        with self._lock:
            self._threads[job.id] = thread
        thread.start()
        return job

    def _run(self, job: ExportJob, request: ExportRequest) -> None:
        with self._slots:
            job.state = "running"
            self._save(job)

            def progress(done: int, total: int) -> None:
                job.rows, job.expected = done, total
                self._save(job)

            try:
                report = run_export(self.settings, request, progress=progress)
            except LureWatchError as exc:
                job.state, job.error = "failed", str(exc)
            except Exception as exc:  # a job must end in a state the client can read, whatever happened
                job.state, job.error = "failed", f"{type(exc).__name__}: {exc}"
            else:
                job.state, job.rows, job.expected, job.files = "done", report.rows, report.expected, report.files
            job.finished = _now()
            self._save(job)

    def file(self, job: ExportJob, name: str) -> Path | None:
        """A finished job's file by name: only the files its export lists (nothing else under the data folder)."""
        if job.state != "done" or name not in job.files:
            return None
        path = self.folder(job.id) / FILES / name
        return path if path.is_file() else None

    def wait(self, job_id: str, timeout: float | None = None) -> None:
        """Block until the job's thread ends (tests, and a graceful shutdown)."""
        with self._lock:
            thread = self._threads.get(job_id)
        if thread is not None:
            thread.join(timeout)
