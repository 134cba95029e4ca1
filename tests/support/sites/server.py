"""Fixture sites served by pytest-httpserver on 127.0.0.1 (port 0 by default), with an access log for assertions."""

from __future__ import annotations

import re
import struct
import threading
import zlib
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from urllib.parse import parse_qs, urlsplit

from pytest_httpserver import HTTPServer
from werkzeug import Request, Response

Reply = tuple[int, str, bytes] | tuple[int, str, bytes, dict[str, str]]  # (status, type, body[, headers])
Route = Callable[[str, dict[str, str]], Reply]

ROBOTS = b"User-agent: *\nDisallow: /private/\n"
HTML = "text/html; charset=utf-8"


@dataclass
class Site:
    """A running fixture site: its base URL and every request path it received (raw, percent-encoded)."""

    base_url: str
    requests: list[str] = field(default_factory=list)

    def hits(self, prefix: str) -> list[str]:
        return [path for path in self.requests if path.startswith(prefix)]


def html(body: str, status: int = 200) -> Reply:
    return status, HTML, body.encode("utf-8")


def not_found() -> Reply:
    return html("<!doctype html><title>Not found</title><h1>Not found</h1>", 404)


def png(width: int, height: int, rgb: tuple[int, int, int]) -> bytes:
    """A small solid-colour PNG, so image URLs on the fixture sites answer with real images."""

    def chunk(kind: bytes, data: bytes) -> bytes:
        return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data))

    rows = b"".join(b"\x00" + bytes(rgb) * width for _ in range(height))
    header = struct.pack(">IIBBBBB", width, height, 8, 2, 0, 0, 0)
    return b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", header) + chunk(b"IDAT", zlib.compress(rows)) + chunk(b"IEND", b"")


def image_reply(name: str) -> Reply:
    seed = zlib.crc32(name.encode())
    return 200, "image/png", png(32, 24, (seed & 255, (seed >> 8) & 255, (seed >> 16) & 255))


@contextmanager
def serve(route: Route, port: int = 0) -> Iterator[Site]:
    """Serve ``route(path, query)`` until the block ends; ``/robots.txt`` allows all but ``/private/``.

    pytest-httpserver's server (werkzeug, threaded: keep-alive and concurrent requests as a crawler makes
    them); a fixture site that must misbehave on the wire (``hostile.py``) has a server of its own.
    """
    site = Site("")
    lock = threading.Lock()

    def handle(request: Request) -> Response:
        raw = request.environ.get("RAW_URI") or request.full_path.rstrip("?")
        with lock:
            site.requests.append(raw)
        if request.path == "/robots.txt":
            return Response(ROBOTS, 200, content_type="text/plain")
        query = {k: v[0] for k, v in parse_qs(urlsplit(raw).query, keep_blank_values=True).items()}
        headers: dict[str, str] = {}
        try:
            status, ctype, body, *more = route(request.path, query)
            headers = more[0] if more else {}
        except Exception as exc:  # a bug in a fixture must show up as a 500, not a hung test
            status, ctype, body = 500, "text/plain", f"fixture error: {exc!r}".encode()
        return Response(body, status, headers=headers, content_type=ctype)

    server = HTTPServer(host="127.0.0.1", port=port, threaded=True)
    server.expect_request(re.compile(".*")).respond_with_handler(handle)
    server.start()
    site.base_url = f"http://127.0.0.1:{server.port}"
    try:
        yield site
    finally:
        server.clear()
        server.stop()
