"""The run folder (``DATA_DIR/runs/<run_id>/``): its file names, run.json, stats.json and the rejects.

Every step reads and writes the run folder through this module. Whole files are written atomically
(a temporary file, fsync, rename), so a crash leaves the old version or the new one, never half of one;
reject lines are appended and flushed one by one. Evidence files (the WARC, screenshots) are only
ever appended to: a retried crawl resumes its run, it never starts the folder afresh.
"""

from __future__ import annotations

import hashlib
import json
import logging
import mmap
import os
import re
import socket
import tempfile
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import IO, Any, TypeVar

from lurewatch.errors import RunIdInvalid
from lurewatch.records import from_dict

logger = logging.getLogger(__name__)

RUN_META = "run.json"
POSTINGS = "postings.jsonl"
FINDINGS = "findings.jsonl"
STATS = "stats.json"
CRAWL_LOG = "crawl.log"
WARC = "evidence.warc.gz"
BROWSER_WARC = "browser.warc.gz"
MANIFEST = "evidence.json"
SCREENSHOTS = "screenshots"  # folder: one PNG per rendered page, named by its sha256
RENDERED = "rendered"  # folder: the rendered HTML of browser pages, named by its sha256
# One rejects file per step, each line in the one shape of ``reject_row``.
REJECTS = {"crawl": "rejects.jsonl", "enrich": "enrich_rejects.jsonl", "index": "index_rejects.jsonl"}
# Outputs that change after the crawl or describe it; everything else in the run folder is evidence.
NOT_EVIDENCE = {WARC, MANIFEST, POSTINGS, STATS, CRAWL_LOG, RUN_META, FINDINGS, *REJECTS.values()}

T = TypeVar("T")
RUN_ID = re.compile(r"[A-Za-z0-9][A-Za-z0-9_.-]{0,127}")


def check_run_id(run_id: str) -> str:
    """``run_id`` if it is a safe folder name (letters, digits, ``_ . -``; no path, no ``..``), else RunIdInvalid."""
    if not RUN_ID.fullmatch(run_id) or ".." in run_id:
        raise RunIdInvalid(
            f"invalid run id {run_id!r}: use 1-128 letters, digits, '_', '.' or '-', starting with a letter or digit"
        )
    return run_id


def now_iso() -> str:
    return datetime.now(UTC).isoformat(timespec="seconds")


def write_json_atomic(path: Path, data: Any) -> None:
    """Replace ``path`` with ``data`` as JSON: readers and crashes see the old file or the new, never a mix."""
    fd, tmp = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".tmp", dir=path.parent)
    try:
        with os.fdopen(fd, "w", encoding="utf-8") as fh:
            json.dump(data, fh, indent=2, ensure_ascii=False, sort_keys=True, default=str)
            fh.flush()
            os.fsync(fh.fileno())
        os.replace(tmp, path)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise


def write_bytes_atomic(path: Path, data: bytes) -> None:
    """Write ``path`` whole or not at all (a full disk or a kill never leaves a shorter file under its name)."""
    fd, tmp = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".tmp", dir=path.parent)
    try:
        with os.fdopen(fd, "wb") as fh:
            fh.write(data)
            fh.flush()
            os.fsync(fh.fileno())
        os.replace(tmp, path)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise


def write_lines_atomic(path: Path, lines: Iterator[str]) -> int:
    """Replace ``path`` with ``lines`` (each ending in a newline), atomically; returns how many were written."""
    fd, tmp = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".tmp", dir=path.parent)
    count = 0
    try:
        with os.fdopen(fd, "w", encoding="utf-8") as fh:
            for line in lines:
                fh.write(line)
                count += 1
            fh.flush()
            os.fsync(fh.fileno())
        os.replace(tmp, path)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise
    return count


def trim_partial_tail(run_dir: Path) -> dict[str, int]:
    """Cut what a killed crawler or a full disk left half written at the end of the postings feed and the WARC.

    A resumed crawl appends: after half a line or half a gzip member, the next whole one would be unreadable
    too. Returns the bytes cut per file (nothing that was whole is ever cut).
    """
    from lurewatch.evidence import iter_members

    cut: dict[str, int] = {}
    postings = run_dir / POSTINGS
    if postings.exists() and postings.stat().st_size:
        with postings.open("r+b") as fh:
            size = fh.seek(0, os.SEEK_END)
            end = size
            while end > 0:  # back from the end, a chunk at a time, to the last newline
                start = max(0, end - (1 << 16))
                fh.seek(start)
                newline = fh.read(end - start).rfind(b"\n")
                if newline >= 0:
                    end = start + newline + 1
                    break
                end = start
            if end < size:
                fh.truncate(end)
                cut[POSTINGS] = size - end
    warc = run_dir / WARC
    if warc.exists() and warc.stat().st_size:
        with warc.open("r+b") as fh:
            with mmap.mmap(fh.fileno(), 0, access=mmap.ACCESS_READ) as data:
                last = None
                for offset, raw, _ in iter_members(data):
                    last = (offset, raw is not None)
                size = len(data)
            if last is not None and not last[1]:  # only a broken member at the very end is cut, never one inside
                fh.truncate(last[0])
                cut[WARC] = size - last[0]
    for name, count in cut.items():
        logger.warning("%s: cut %d bytes of a record left half written at its end", run_dir / name, count)
    return cut


def read_json(path: Path) -> dict[str, Any]:
    """A JSON object file, or ``{}`` when it is missing or damaged (a run folder being written is still readable)."""
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return {}
    return data if isinstance(data, dict) else {}


def read_jsonl_numbered(path: Path, cls: type[T]) -> Iterator[tuple[int, T | None, str]]:
    """``(line number, record, "")`` per non-blank line, or ``(line number, None, why)`` for a line that is not one."""
    with path.open(encoding="utf-8", errors="replace") as fh:
        for number, line in enumerate(fh, 1):
            if not line.strip():
                continue
            try:
                yield number, from_dict(cls, json.loads(line)), ""
            except Exception as exc:  # noqa: BLE001 - whatever is wrong with one line, the next ones are read
                yield number, None, f"{type(exc).__name__}: {exc}"


def file_sha256(path: Path) -> str:
    digest = hashlib.sha256()
    with path.open("rb") as fh:
        for chunk in iter(lambda: fh.read(1 << 20), b""):
            digest.update(chunk)
    return digest.hexdigest()


def fsync_file(fh: IO[Any]) -> None:
    """Flush Python's buffer and the OS's: what was written survives a crash of the machine too."""
    fh.flush()
    os.fsync(fh.fileno())


def reject_row(step: str, kind: str, detail: str, url: str = "", line: int | None = None, **extra: Any) -> dict[str, Any]:
    """The one shape of a reject: ``step``, ``kind``, ``url`` or ``line``, ``detail``, ``at``, then extras."""
    row: dict[str, Any] = {"step": step, "kind": kind}
    if line is not None:
        row["line"] = line
    else:
        row["url"] = url
    row.update(detail=detail, at=now_iso(), **extra)
    return row


class RejectFile:
    """Appends reject rows to a step's rejects file, one flushed line each (a crash loses none already added)."""

    def __init__(self, path: Path, step: str, truncate: bool = False) -> None:
        self.path = path
        self.step = step
        self._fh: IO[str] | None = None
        if truncate:
            path.unlink(missing_ok=True)

    def add(self, kind: str, detail: str, url: str = "", line: int | None = None, **extra: Any) -> dict[str, Any]:
        row = reject_row(self.step, kind, detail, url=url, line=line, **extra)
        if self._fh is None:
            self._fh = self.path.open("a", encoding="utf-8")
        self._fh.write(json.dumps(row, ensure_ascii=False) + "\n")
        self._fh.flush()
        return row

    def close(self) -> None:
        if self._fh is not None:
            self._fh.close()
            self._fh = None

    def __enter__(self) -> RejectFile:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()


def read_rejects(run_dir: Path, step: str = "crawl") -> list[dict[str, Any]]:
    path = run_dir / REJECTS[step]
    if not path.exists():
        return []
    return [json.loads(line) for line in path.read_text(encoding="utf-8").splitlines() if line.strip()]


@dataclass
class RunFolder:
    """One run's folder: where each file lives, and its metadata file ``run.json``."""

    run_id: str
    path: Path

    @property
    def postings(self) -> Path:
        return self.path / POSTINGS

    @property
    def findings(self) -> Path:
        return self.path / FINDINGS

    @property
    def stats_file(self) -> Path:
        return self.path / STATS

    @property
    def warc(self) -> Path:
        return self.path / WARC

    def rejects(self, step: str) -> Path:
        return self.path / REJECTS[step]

    def meta(self) -> dict[str, Any]:
        return read_json(self.path / RUN_META) or {"run_id": self.run_id}

    def write_meta(self, meta: dict[str, Any]) -> None:
        write_json_atomic(self.path / RUN_META, meta)

    def update(self, **values: Any) -> dict[str, Any]:
        meta = self.meta()
        meta.update(values)
        self.write_meta(meta)
        return meta

    def record(self, step: str, **values: Any) -> None:
        meta = self.meta()
        meta.setdefault("steps", {})[step] = values
        self.write_meta(meta)

    def stats(self) -> dict[str, Any]:
        return read_json(self.stats_file)

    def write_stats(self, stats: dict[str, Any]) -> None:
        write_json_atomic(self.stats_file, stats)


def process_alive(pid: object, host: object) -> bool:
    """Whether the process ``pid`` on ``host`` (as recorded in a run or the crawl state) still runs."""
    if not isinstance(pid, int) or not pid or host != socket.gethostname():
        return False  # another machine's crawl cannot be checked; its run is stale by the time one asks
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True  # it runs, as another user
    return True
