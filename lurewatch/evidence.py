"""Evidence verification: re-hash a run's WARC records, its evidence files and its postings' pointers.

The WARC is read member by member (each record is one gzip member), so a corrupt member is
reported and skipped: the scan resumes at the next gzip header instead of stopping.
"""

from __future__ import annotations

import base64
import hashlib
import json
import mmap
import zlib
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path

from lurewatch.crawlers.evidence import MANIFEST_FILE, WARC_FILE, file_sha256
from lurewatch.records import Posting, read_jsonl

GZIP_MAGIC = b"\x1f\x8b\x08"
CHUNK = 1 << 20

ByteProgress = Callable[[int, int], None]


@dataclass
class Mismatch:
    """One piece of evidence that no longer matches its recorded hash."""

    where: str  # file, or file@offset
    url: str
    problem: str

    def line(self) -> str:
        return f"MISMATCH {self.where} {self.url or '-'}: {self.problem}"


@dataclass
class Record:
    """A WARC record as read back: where it starts, its headers and the digests recomputed."""

    offset: int
    headers: dict[str, str]
    block: bytes

    @property
    def rec_type(self) -> str:
        return self.headers.get("warc-type", "")

    @property
    def url(self) -> str:
        return self.headers.get("warc-target-uri", "")

    def payload(self) -> bytes:
        if self.headers.get("content-type", "").startswith("application/http"):
            _, sep, body = self.block.partition(b"\r\n\r\n")
            return body if sep else b""
        return self.block


@dataclass
class Response:
    """What a posting's pointer is checked against: the response record's URL and payload hash."""

    url: str
    payload_sha256: str


@dataclass
class VerifyReport:
    records: int = 0
    files: int = 0
    postings: int = 0
    mismatches: list[Mismatch] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return not self.mismatches

    def summary(self) -> str:
        state = "OK" if self.ok else f"{len(self.mismatches)} mismatch(es)"
        return f"verified {self.records} WARC records, {self.files} files, {self.postings} postings: {state}"


def _digest_matches(label: str, data: bytes) -> bool:
    """Compare a ``algo:value`` WARC digest (hex, base32 or base64) with ``data``."""
    algo, _, value = label.partition(":")
    try:
        digest = hashlib.new(algo.lower().replace("-", ""), data).digest()
    except ValueError:
        return False
    encodings = {digest.hex(), base64.b32encode(digest).decode(), base64.b64encode(digest).decode()}
    return value in encodings or value.lower() == digest.hex()


def parse_record(offset: int, raw: bytes) -> Record:
    head, sep, rest = raw.partition(b"\r\n\r\n")
    if not sep or not head.startswith(b"WARC/"):
        raise ValueError("not a WARC record")
    headers = {}
    for line in head.decode("utf-8", "replace").split("\r\n")[1:]:
        name, _, value = line.partition(":")
        headers[name.strip().lower()] = value.strip()
    length = int(headers.get("content-length", "-1"))
    if length < 0 or len(rest) < length:
        raise ValueError(f"record is truncated: {len(rest)} of {length} bytes")
    return Record(offset, headers, rest[:length])


def check_record(record: Record, where: str) -> list[Mismatch]:
    """Recompute the record's block and payload digests and compare them with its headers."""
    found = []
    for header, data in (("warc-block-digest", record.block), ("warc-payload-digest", None)):
        label = record.headers.get(header)
        if label and not _digest_matches(label, record.payload() if data is None else data):
            found.append(Mismatch(where, record.url, f"{header} {label} does not match the stored bytes"))
    return found


def iter_members(mm: mmap.mmap | bytes, start: int = 0) -> Iterator[tuple[int, bytes | None, str]]:
    """(offset, decompressed member or None, error) for each gzip member from ``start``."""
    pos, size = start, len(mm)
    while pos < size:
        inflater = zlib.decompressobj(31)
        parts, fed, error = [], pos, ""
        try:
            while not inflater.eof and fed < size:
                chunk = mm[fed : fed + CHUNK]
                fed += len(chunk)
                parts.append(inflater.decompress(chunk))
            if not inflater.eof:
                error = "gzip member is truncated"
        except zlib.error as exc:
            error = f"corrupt gzip member: {exc}"
        if error:
            found = _next_member(mm, pos + 1)
            yield pos, None, f"{error} (bytes {pos}-{found if found >= 0 else size} skipped)"
            if found < 0:
                return
            pos = found
            continue
        yield pos, b"".join(parts), ""
        pos = fed - len(inflater.unused_data)


def _next_member(mm: mmap.mmap | bytes, start: int) -> int:
    """Offset of the next gzip member that starts to inflate cleanly (skips magic bytes inside compressed data)."""
    found = mm.find(GZIP_MAGIC, start)
    while found >= 0:
        try:
            zlib.decompressobj(31).decompress(mm[found : found + 4096])
            return found
        except zlib.error:
            found = mm.find(GZIP_MAGIC, found + 1)
    return -1


def read_record_at(warc: Path, offset: int) -> Record:
    """The record that starts at ``offset`` (random access)."""
    with warc.open("rb") as fh, mmap.mmap(fh.fileno(), 0, access=mmap.ACCESS_READ) as mm:
        for at, raw, error in iter_members(mm, offset):
            if raw is None or at != offset:
                raise ValueError(error or f"no gzip member starts at offset {offset}")
            return parse_record(offset, raw)
    raise ValueError(f"offset {offset} is past the end of {warc.name}")


def verify_warc(warc: Path, report: VerifyReport, progress: ByteProgress | None = None) -> dict[int, Response]:
    """Check every record; returns each response record's URL and payload sha256 by offset."""
    responses: dict[int, Response] = {}
    size = warc.stat().st_size
    if size == 0:
        return responses
    with warc.open("rb") as fh, mmap.mmap(fh.fileno(), 0, access=mmap.ACCESS_READ) as mm:
        for offset, raw, error in iter_members(mm):
            where = f"{warc.name}@{offset}"
            if raw is None:
                report.mismatches.append(Mismatch(where, "", error))
                continue
            report.records += 1
            try:
                record = parse_record(offset, raw)
            except ValueError as exc:
                report.mismatches.append(Mismatch(where, "", str(exc)))
                continue
            report.mismatches.extend(check_record(record, where))
            if record.rec_type == "response":
                responses[offset] = Response(record.url, hashlib.sha256(record.payload()).hexdigest())
            if progress:
                progress(offset, size)
        if progress:
            progress(size, size)
    return responses


def check_posting(posting: Posting, run_dir: Path, record: Response | None, report: VerifyReport) -> None:
    """The posting's WARC pointer leads to a response record whose payload has the posting's sha256.

    The record's URL may differ from the posting's: a channel, feed or social page holds many postings.
    """
    report.postings += 1
    evidence = posting.evidence
    where = f"{evidence.warc_file or WARC_FILE}@{evidence.warc_offset}"
    if record is None:
        report.mismatches.append(Mismatch(where, posting.url, f"posting {posting.posting_id}: no response record here"))
        return
    actual = record.payload_sha256
    if actual != evidence.sha256:
        report.mismatches.append(
            Mismatch(where, posting.url, f"posting {posting.posting_id}: sha256 {evidence.sha256} != {actual}")
        )
    for name in (evidence.screenshot, evidence.rendered_html):
        if name and not (run_dir / name).is_file():
            report.mismatches.append(Mismatch(name, posting.url, "evidence file is missing"))


def verify_files(run_dir: Path, report: VerifyReport, only: set[str] | None = None) -> None:
    """Re-hash the files listed in evidence.json (screenshots, rendered HTML)."""
    manifest_path = run_dir / MANIFEST_FILE
    if not manifest_path.exists():
        return
    files = json.loads(manifest_path.read_text())["files"]
    for name, expected in files.items():
        if only is not None and name not in only:
            continue
        report.files += 1
        path = run_dir / name
        if not path.is_file():
            report.mismatches.append(Mismatch(name, "", "evidence file is missing"))
        elif file_sha256(path) != expected["sha256"]:
            report.mismatches.append(Mismatch(name, "", f"sha256 {file_sha256(path)} != recorded {expected['sha256']}"))


def verify_run(run_dir: Path, progress: ByteProgress | None = None) -> VerifyReport:
    """Re-hash everything a run kept: every WARC record, every evidence file, every posting's pointer."""
    report = VerifyReport()
    warc = run_dir / WARC_FILE
    responses = verify_warc(warc, report, progress) if warc.exists() else {}
    for other in sorted(run_dir.glob("*.warc.gz")):
        if other != warc:  # e.g. what a browser page fetched by itself: its records are checked too
            verify_warc(other, report, progress)
    verify_files(run_dir, report)
    postings = run_dir / "postings.jsonl"
    if postings.exists():
        for posting in read_jsonl(postings, Posting):
            check_posting(posting, run_dir, responses.get(posting.evidence.warc_offset or -1), report)
    return report


def verify_posting(run_dir: Path, posting: Posting, report: VerifyReport) -> None:
    """Re-hash one posting's own WARC record (random access) and its evidence files."""
    warc = run_dir / (posting.evidence.warc_file or WARC_FILE)
    where = f"{warc.name}@{posting.evidence.warc_offset}"
    try:
        record = read_record_at(warc, posting.evidence.warc_offset or 0)
    except (OSError, ValueError) as exc:
        report.mismatches.append(Mismatch(where, posting.url, str(exc)))
        report.postings += 1
        return
    report.records += 1
    report.mismatches.extend(check_record(record, where))
    check_posting(posting, run_dir, Response(record.url, hashlib.sha256(record.payload()).hexdigest()), report)
    files = {name for name in (posting.evidence.screenshot, posting.evidence.rendered_html) if name}
    if files:
        verify_files(run_dir, report, only=files)
