"""Evidence capture: every response is written to the run's WARC with its request, and hashed.

Each record is its own gzip member, so a record's offset is enough to read it back (random access),
and each carries ``WARC-Block-Digest`` and ``WARC-Payload-Digest`` (sha256, hex) for re-hashing.
At the end of the crawl every other evidence file in the run folder (screenshots, rendered HTML)
is hashed into ``evidence.json``.
"""

from __future__ import annotations

import hashlib
import json
import uuid
import zlib
from datetime import UTC, datetime
from http import HTTPStatus
from pathlib import Path
from typing import TYPE_CHECKING, BinaryIO
from urllib.parse import urlsplit

from scrapy import signals
from scrapy.exceptions import NotConfigured

if TYPE_CHECKING:
    from scrapy import Request, Spider
    from scrapy.crawler import Crawler
    from scrapy.http import Response

WARC_FILE = "evidence.warc.gz"
MANIFEST_FILE = "evidence.json"
# Outputs that change after the crawl or describe it; everything else in the run folder is evidence.
NOT_EVIDENCE = {
    WARC_FILE,
    MANIFEST_FILE,
    "postings.jsonl",
    "rejects.jsonl",
    "stats.json",
    "crawl.log",
    "run.json",
    "findings.jsonl",
    "enrich_rejects.jsonl",
    "index_rejects.jsonl",
}
# Credentials (a proxy's, above all) never go into evidence that is shared with others.
NOT_KEPT_REQUEST_HEADERS = {b"host", b"proxy-authorization", b"authorization", b"cookie"}
HOP_BY_HOP = {b"content-encoding", b"content-length", b"transfer-encoding", b"connection", b"keep-alive"}
ROBOTS_NOTE = "obeyed unless the source gives a written robots_reason"
GZIP_LEVEL = 6  # compression level of each record (zlib 1-9); 6 is the usual size/speed balance


def warc_record(warc_type: str, headers: dict[str, str], block: bytes, payload_sha256: str | None = None) -> bytes:
    """One uncompressed WARC/1.1 record with its block (and payload) digest."""
    lines = [f"WARC/1.1\r\nWARC-Type: {warc_type}\r\n"]
    lines += [f"{name}: {value}\r\n" for name, value in headers.items()]
    lines.append(f"WARC-Block-Digest: sha256:{hashlib.sha256(block).hexdigest()}\r\n")
    if payload_sha256:
        lines.append(f"WARC-Payload-Digest: sha256:{payload_sha256}\r\n")
    lines.append(f"Content-Length: {len(block)}\r\n\r\n")
    return "".join(lines).encode("utf-8") + block + b"\r\n\r\n"


def gzip_member(data: bytes, level: int = GZIP_LEVEL) -> bytes:
    return zlib.compress(data, level, wbits=31)  # wbits 31: a gzip member, header and trailer included


def warcinfo_record(filename: str) -> bytes:
    """The first record of a WARC file: what wrote it."""
    fields = f"software: LureWatch crawler (Scrapy)\r\nformat: WARC File Format 1.1\r\nrobots: {ROBOTS_NOTE}\r\n"
    headers = {
        "WARC-Record-ID": record_id(),
        "WARC-Date": datetime.now(UTC).strftime("%Y-%m-%dT%H:%M:%SZ"),
        "WARC-Filename": filename,
        "Content-Type": "application/warc-fields",
    }
    return warc_record("warcinfo", headers, fields.encode("utf-8"))


def record_id() -> str:
    return f"<urn:uuid:{uuid.uuid4()}>"


def _header_lines(pairs: list[tuple[str, str]]) -> str:
    return "".join(f"{name}: {value}\r\n" for name, value in pairs)


def _flat_headers(headers: dict[bytes, list[bytes]], drop: set[bytes]) -> list[tuple[str, str]]:
    return [(k.decode("latin-1"), b", ".join(v).decode("latin-1")) for k, v in headers.items() if k.lower() not in drop]


class WarcWriter:
    """Appends gzip-per-record WARC records to one file; returns each record's offset."""

    def __init__(self, path: Path, level: int = GZIP_LEVEL) -> None:
        self.path = path
        self.level = level
        self._fh: BinaryIO | None = None

    def write(self, *records: bytes) -> int:
        """Write records back to back; returns the offset of the first."""
        if self._fh is None:
            self._fh = self.path.open("ab", buffering=1 << 20)
            if self._fh.tell() == 0:
                self._fh.write(gzip_member(warcinfo_record(self.path.name), self.level))
        offset = self._fh.tell()
        for record in records:
            self._fh.write(gzip_member(record, self.level))
        return offset

    def close(self) -> None:
        if self._fh is not None:
            self._fh.close()
            self._fh = None


class WarcCaptureMiddleware:
    """Writes request + response records to ``<run_dir>/evidence.warc.gz``; puts the record's place in meta."""

    def __init__(self, run_dir: Path, crawler: Crawler, level: int = GZIP_LEVEL) -> None:
        self.run_dir = run_dir
        self.crawler = crawler
        self.writer = WarcWriter(run_dir / WARC_FILE, level)

    @classmethod
    def from_crawler(cls, crawler: Crawler) -> WarcCaptureMiddleware:
        run_dir = crawler.settings.get("RUN_DIR")
        if not run_dir:
            raise NotConfigured("RUN_DIR is not set")
        level = crawler.settings.getint("WARC_GZIP_LEVEL", GZIP_LEVEL)
        middleware = cls(Path(run_dir), crawler, level)
        crawler.signals.connect(middleware.spider_closed, signal=signals.spider_closed)
        # After every spider_closed handler, so files that spiders close then (screenshots, browser WARCs) are final.
        crawler.signals.connect(middleware.engine_stopped, signal=signals.engine_stopped)
        return middleware

    def process_response(self, request: Request, response: Response, spider: Spider) -> Response:
        body = response.body
        sha256 = hashlib.sha256(body).hexdigest()
        date = datetime.now(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")
        response_id = record_id()
        http_head = f"HTTP/1.1 {response.status} {_reason(response.status)}\r\n" + _header_lines(
            [*_flat_headers(response.headers, HOP_BY_HOP), ("Content-Length", str(len(body)))]
        )
        warc_headers = {
            "WARC-Record-ID": response_id,
            "WARC-Date": date,
            "WARC-Target-URI": response.url,
            "Content-Type": "application/http; msgtype=response",
        }
        if response.ip_address is not None:
            warc_headers["WARC-IP-Address"] = str(response.ip_address)
        response_record = warc_record("response", warc_headers, http_head.encode("latin-1") + b"\r\n" + body, sha256)
        offset = self.writer.write(response_record, self._request_record(request, response_id, date))
        request.meta["evidence"] = {"warc_file": WARC_FILE, "warc_offset": offset, "sha256": sha256}
        stats = self.crawler.stats
        assert stats is not None
        stats.inc_value("lurewatch/warc_records", 2)
        stats.inc_value("lurewatch/bytes", len(body))
        return response

    def _request_record(self, request: Request, concurrent_to: str, date: str) -> bytes:
        parts = urlsplit(request.url)
        target = (parts.path or "/") + (f"?{parts.query}" if parts.query else "")
        body = request.body or b""
        head = f"{request.method} {target} HTTP/1.1\r\n" + _header_lines(
            [("Host", parts.netloc), *_flat_headers(request.headers, NOT_KEPT_REQUEST_HEADERS)]
        )
        headers = {
            "WARC-Record-ID": record_id(),
            "WARC-Date": date,
            "WARC-Target-URI": request.url,
            "WARC-Concurrent-To": concurrent_to,
            "Content-Type": "application/http; msgtype=request",
        }
        return warc_record("request", headers, head.encode("latin-1") + b"\r\n" + body)

    def spider_closed(self, spider: Spider) -> None:
        self.writer.close()

    def engine_stopped(self) -> None:
        write_manifest(self.run_dir)


def write_manifest(run_dir: Path) -> Path:
    """Hash every evidence file of the run besides the WARC (screenshots, rendered HTML) into evidence.json."""
    files = {}
    for path in sorted(p for p in run_dir.rglob("*") if p.is_file()):
        relative = path.relative_to(run_dir).as_posix()
        if relative in NOT_EVIDENCE:
            continue
        files[relative] = {"sha256": file_sha256(path), "bytes": path.stat().st_size}
    manifest = {"warc": WARC_FILE, "digest": "sha256", "files": files}
    target = run_dir / MANIFEST_FILE
    target.write_text(json.dumps(manifest, indent=2, sort_keys=True))
    return target


def file_sha256(path: Path) -> str:
    digest = hashlib.sha256()
    with path.open("rb") as fh:
        for chunk in iter(lambda: fh.read(1 << 20), b""):
            digest.update(chunk)
    return digest.hexdigest()


def _reason(status: int) -> str:
    try:
        return HTTPStatus(status).phrase
    except ValueError:
        return "Unknown"
