"""Evidence capture: every response is written to the run's WARC with its request, and hashed."""

from __future__ import annotations

import hashlib
from datetime import UTC, datetime
from http import HTTPStatus
from io import BytesIO
from pathlib import Path
from typing import TYPE_CHECKING, BinaryIO

from scrapy import signals
from scrapy.exceptions import NotConfigured
from warcio.statusandheaders import StatusAndHeaders
from warcio.warcwriter import WARCWriter

if TYPE_CHECKING:
    from scrapy import Request, Spider
    from scrapy.crawler import Crawler
    from scrapy.http import Response

HOP_BY_HOP = {b"content-encoding", b"content-length", b"transfer-encoding"}


class WarcCaptureMiddleware:
    """Writes request + response records to ``<run_dir>/evidence.warc.gz``; puts the record's place in meta."""

    def __init__(self, warc_path: Path, crawler: Crawler) -> None:
        self.warc_path = warc_path
        self.crawler = crawler
        self._fh: BinaryIO | None = None
        self._writer: WARCWriter | None = None

    @classmethod
    def from_crawler(cls, crawler: Crawler) -> WarcCaptureMiddleware:
        run_dir = crawler.settings.get("LUREWATCH_RUN_DIR")
        if not run_dir:
            raise NotConfigured("LUREWATCH_RUN_DIR is not set")
        middleware = cls(Path(run_dir) / "evidence.warc.gz", crawler)
        crawler.signals.connect(middleware.spider_closed, signal=signals.spider_closed)
        return middleware

    def _open(self) -> WARCWriter:
        if self._writer is None:
            self._fh = self.warc_path.open("ab")
            self._writer = WARCWriter(self._fh, gzip=True)
        return self._writer

    def process_response(self, request: Request, response: Response, spider: Spider) -> Response:
        writer = self._open()
        assert self._fh is not None
        body = response.body
        sha256 = hashlib.sha256(body).hexdigest()
        offset = self._fh.tell()
        date = datetime.now(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")
        headers = [
            (k.decode("latin-1"), b", ".join(v).decode("latin-1"))
            for k, v in response.headers.items()
            if k.lower() not in HOP_BY_HOP
        ]
        headers.append(("Content-Length", str(len(body))))
        http_headers = StatusAndHeaders(f"{response.status} {_reason(response.status)}", headers, protocol="HTTP/1.1")
        record = writer.create_warc_record(
            response.url,
            "response",
            payload=BytesIO(body),
            length=len(body),
            http_headers=http_headers,
            warc_headers_dict={"WARC-Date": date, "WARC-Payload-Digest": f"sha256:{sha256}"},
        )
        writer.write_record(record)
        req_headers = [(k.decode("latin-1"), b", ".join(v).decode("latin-1")) for k, v in request.headers.items()]
        path = request.url.split("/", 3)[3] if request.url.count("/") >= 3 else ""
        req_record = writer.create_warc_record(
            request.url,
            "request",
            payload=BytesIO(request.body or b""),
            http_headers=StatusAndHeaders(f"{request.method} /{path} HTTP/1.1", req_headers, is_http_request=True),
            warc_headers_dict={
                "WARC-Date": date,
                "WARC-Concurrent-To": record.rec_headers.get_header("WARC-Record-ID"),
            },
        )
        writer.write_record(req_record)
        request.meta["evidence"] = {"warc_file": self.warc_path.name, "warc_offset": offset, "sha256": sha256}
        stats = self.crawler.stats
        assert stats is not None
        stats.inc_value("lurewatch/warc_records", 2)
        stats.inc_value("lurewatch/bytes", len(body))
        return response

    def spider_closed(self, spider: Spider) -> None:
        if self._fh is not None:
            self._fh.close()
            self._fh = None
            self._writer = None


def _reason(status: int) -> str:
    try:
        return HTTPStatus(status).phrase
    except ValueError:
        return "Unknown"
