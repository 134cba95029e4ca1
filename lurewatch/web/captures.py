"""A finding's captured page, read back from the WARC record its evidence points at.

The page as it was served (to view sandboxed, or read as source), the record itself (to hand over), and the
digest check (warcio's block and payload digests, and the payload against the finding's recorded sha256).
Only names of the finding's own run folder are opened: the run id and the WARC name are checked against
patterns, the path must stay inside the run folder, and the offset is the finding's, never a request's.
"""

from __future__ import annotations

import hashlib
import re
from dataclasses import dataclass, field, replace
from pathlib import Path

from lurewatch.evidence import VerifyReport, member_at, read_record_at, verify_posting
from lurewatch.records import Finding, Posting
from lurewatch.run_folder import WARC
from lurewatch.web.evidence_files import run_folder

WARC_NAME = re.compile(r"[A-Za-z0-9][A-Za-z0-9._-]{0,127}\.warc\.gz")
_CHARSET = re.compile(r"charset=[\"']?([A-Za-z0-9._:-]{1,40})", re.I)
_META_CHARSET = re.compile(rb"<meta[^>]{0,200}charset=[\"']?([A-Za-z0-9._:-]{1,40})", re.I)


class CaptureMissing(Exception):
    """The finding names no WARC record, or not one of its own run."""


class CaptureUnreadable(Exception):
    """The WARC record the finding points at cannot be read back."""


@dataclass
class Capture:
    """The HTTP response a crawl kept for a finding."""

    url: str
    status: str
    content_type: str
    charset: str
    payload: bytes
    warc_file: str
    offset: int
    record_id: str
    date: str
    http_headers: list[tuple[str, str]] = field(default_factory=list)

    @property
    def payload_sha256(self) -> str:
        return hashlib.sha256(self.payload).hexdigest()

    @property
    def is_html(self) -> bool:
        return self.content_type.split(";")[0].strip().lower() in ("text/html", "application/xhtml+xml")

    def text(self) -> str:
        try:
            return self.payload.decode(self.charset, errors="replace")
        except LookupError:
            return self.payload.decode("utf-8", errors="replace")


@dataclass
class CaptureCheck:
    """The digest check of a finding's record: ``ok`` and one line per problem found."""

    ok: bool
    recorded_sha256: str
    payload_sha256: str
    problems: list[str]
    records: int


def warc_of(runs_dir: Path, finding: Finding) -> tuple[Path, int]:
    """The WARC file and offset of the finding's record, inside its own run folder."""
    evidence = finding.evidence
    folder = run_folder(runs_dir, finding.run_id)
    if folder is None or evidence.warc_offset is None or evidence.warc_offset < 0:
        raise CaptureMissing("no WARC record was kept for this finding")
    name = evidence.warc_file or WARC
    # Older findings name the file from the data folder (runs/<run>/evidence.warc.gz): the same file.
    name = name.removeprefix(f"runs/{finding.run_id}/")
    if not WARC_NAME.fullmatch(name):
        raise CaptureMissing(f"the finding names a WARC file that is not one of its run: {evidence.warc_file!r}")
    path = (folder / name).resolve()
    if not path.is_relative_to(folder.resolve()) or not path.is_file():
        raise CaptureMissing(f"the run {finding.run_id} has no {name}")
    return path, evidence.warc_offset


def _head_and_body(block: bytes) -> tuple[str, list[tuple[str, str]]]:
    head, _, _ = block.partition(b"\r\n\r\n")
    lines = head.decode("iso-8859-1").split("\r\n")
    headers = [(n.strip(), v.strip()) for n, _, v in (line.partition(":") for line in lines[1:]) if n.strip()]
    status = lines[0].partition(" ")[2] if lines and lines[0].startswith("HTTP/") else ""
    return status, headers


def read_capture(runs_dir: Path, finding: Finding) -> Capture:
    """The response record the finding points at, parsed (warcio reads it)."""
    path, offset = warc_of(runs_dir, finding)
    try:
        record = read_record_at(path, offset)
    except (OSError, ValueError) as exc:
        raise CaptureUnreadable(f"{path.name}@{offset}: {exc}") from exc
    if record.rec_type not in ("response", "resource"):
        raise CaptureUnreadable(f"{path.name}@{offset} is a {record.rec_type or 'typeless'} record, not a response")
    payload = record.payload()
    status, headers = _head_and_body(record.block) if record.rec_type == "response" else ("", [])
    content_type = next((v for n, v in headers if n.lower() == "content-type"), "")
    if record.rec_type == "resource":
        content_type = record.headers.get("content-type", "")
    found = _CHARSET.search(content_type) or _META_CHARSET.search(payload[:4096])
    charset = found.group(1) if found else "utf-8"
    charset = charset.decode("ascii") if isinstance(charset, bytes) else charset
    return Capture(url=record.url or finding.url, status=status, content_type=content_type or "application/octet-stream",
                   charset=charset, payload=payload, warc_file=path.name, offset=offset,
                   record_id=record.headers.get("warc-record-id", ""), date=record.headers.get("warc-date", ""),
                   http_headers=headers)  # fmt: skip


def record_bytes(runs_dir: Path, finding: Finding) -> bytes:
    """The record as it lies in the WARC: one gzip member, itself a valid ``.warc.gz``."""
    path, offset = warc_of(runs_dir, finding)
    try:
        return member_at(path, offset)
    except (OSError, ValueError) as exc:
        raise CaptureUnreadable(f"{path.name}@{offset}: {exc}") from exc


def check_capture(runs_dir: Path, finding: Finding) -> CaptureCheck:
    """Re-hash the finding's record as ``lurewatch evidence verify POSTING_ID`` does, and say what was found."""
    path, offset = warc_of(runs_dir, finding)
    posting = Posting(posting_id=finding.posting_id, source=finding.source, source_kind=finding.source_kind,
                      url=finding.url, canonical_url=finding.canonical_url, fetched_at=finding.fetched_at,
                      run_id=finding.run_id, evidence=replace(finding.evidence, warc_file=path.name))  # fmt: skip
    report = VerifyReport()
    verify_posting(path.parent, posting, report)
    try:
        actual = hashlib.sha256(read_record_at(path, offset).payload()).hexdigest()
    except (OSError, ValueError):
        actual = ""
    return CaptureCheck(ok=report.ok, recorded_sha256=finding.evidence.sha256, payload_sha256=actual,
                        problems=[m.problem for m in report.mismatches], records=report.records)  # fmt: skip
