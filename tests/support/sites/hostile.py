"""A fixture job board on 127.0.0.1 with an access log; in hostile mode it also misbehaves on purpose.

Hostile pages: a 503 that never recovers, a page that hangs, a redirect loop, a 30 MB page, a page
declared UTF-8 that is not, and an ad whose images are a decompression bomb, a truncated JPEG, an
oversized one and one good JPEG carrying an EXIF GPS position. robots.txt forbids ``/private/``, which the list links to.
"""

from __future__ import annotations

import struct
import threading
import time
import zlib
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from html import escape
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from io import BytesIO
from pathlib import Path

ADS_PER_PAGE = 5
HUGE_BYTES = 30 * 1024 * 1024
BIG_IMAGE = 400_000  # bytes; over the hostile test's max_image_bytes
HANG_SECONDS = 20.0
GOOD_IMAGE_GPS = [16.691667, 98.5]  # where the good image says it was taken

SOURCE_YAML = """\
name: {name}
kind: board
description: fixture board served by the tests
start_urls: ["/jobs/1"]
allow_private_networks: true  # the fixture site is on 127.0.0.1
board:
  list:
    detail_links: "a.ad::attr(href)"
    next_page: "a.next::attr(href)"
  detail:
    container: "article"
    fields:
      title: "h1"
      images: "img::attr(src)"
politeness:
{politeness}"""
POLITENESS = {"concurrency": 8, "delay": 0, "autothrottle": "false", "timeout": 5, "retries": 1, "retry_backoff": 0.1}


def png_bomb(width: int = 30_000, height: int = 30_000) -> bytes:
    """A ~100 kB 1-bit PNG that decodes to ``width * height`` pixels."""
    row = b"\x00" * (1 + (width + 7) // 8)
    deflate = zlib.compressobj(9)
    data = b"".join(deflate.compress(row) for _ in range(height)) + deflate.flush()

    def chunk(tag: bytes, body: bytes) -> bytes:
        return struct.pack(">I", len(body)) + tag + body + struct.pack(">I", zlib.crc32(tag + body) & 0xFFFFFFFF)

    header = struct.pack(">IIBBBBB", width, height, 1, 0, 0, 0, 0)
    return b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", header) + chunk(b"IDAT", data) + chunk(b"IEND", b"")


def jpeg_with_gps() -> bytes:
    from PIL import Image

    image = Image.new("RGB", (64, 48), (180, 40, 40))
    exif = Image.Exif()
    exif[0x8825] = {1: "N", 2: (16.0, 41.0, 30.0), 3: "E", 4: (98.0, 30.0, 0.0)}
    out = BytesIO()
    image.save(out, "JPEG", exif=exif)
    return out.getvalue()


@dataclass
class FixtureBoard:
    """The site's content and what it was asked for; tests edit ``ads`` between crawls."""

    ads: dict[str, str]  # ad id -> body text
    hostile: bool = False
    requests: list[str] = field(default_factory=list)  # paths, in order of arrival
    times: list[tuple[float, str]] = field(default_factory=list)  # (monotonic time, path)
    user_agents: set[str] = field(default_factory=set)
    proxied: list[str] = field(default_factory=list)  # absolute-form targets: the request came via a proxy
    base_url: str = ""
    stop: threading.Event = field(default_factory=threading.Event)
    images: dict[str, bytes] = field(default_factory=dict)
    retry_after: str = ""  # Retry-After header of the 503 page, when set

    def count(self, prefix: str) -> int:
        return sum(1 for path in list(self.requests) if path.startswith(prefix))

    def ad_ids(self) -> list[str]:
        ids = list(self.ads)
        ids.append("private-1")  # behind robots.txt
        if self.hostile:
            ids += ["h-5xx", "h-hang", "h-loop", "h-huge", "h-badutf8", "h-images"]
        return ids

    def list_page(self, page: int) -> bytes:
        ids = self.ad_ids()
        chunk = ids[(page - 1) * ADS_PER_PAGE : page * ADS_PER_PAGE]
        links = "".join(
            f'<li><a class="ad" href="{"/private/" if i.startswith("private") else "/ad/"}{i}">ad {i}</a></li>'
            for i in chunk
        )
        more = f'<a class="next" href="/jobs/{page + 1}">next</a>' if page * ADS_PER_PAGE < len(ids) else ""
        return f"<html><body><ul>{links}</ul>{more}</body></html>".encode()

    def detail(self, ad_id: str) -> bytes:
        text = self.ads.get(ad_id, f"hostile ad {ad_id}")
        images = ""
        if ad_id == "h-images":
            images = "".join(f'<img src="/img/{name}">' for name in ("bomb.png", "broken.jpg", "good.jpg", "big.jpg"))
        body = f"<html><body><article><h1>Ad {escape(ad_id)}</h1><p>{escape(text)}</p>{images}</article></body></html>"
        return body.encode()


class _Handler(BaseHTTPRequestHandler):
    server_version = "FixtureBoard/1"
    protocol_version = "HTTP/1.1"
    site: FixtureBoard

    def log_message(self, *args: object) -> None:  # keep test output quiet
        pass

    def _send(self, status: int, body: bytes, ctype: str = "text/html; charset=utf-8", **headers: str) -> None:
        try:
            self.send_response(status)
            self.send_header("Content-Type", ctype)
            self.send_header("Content-Length", str(len(body)))
            for name, value in headers.items():
                self.send_header(name, value)
            self.end_headers()
            self.wfile.write(body)
        except (BrokenPipeError, ConnectionResetError):
            pass  # the crawler hung up on purpose (size cap, timeout)

    def do_GET(self) -> None:  # noqa: N802 - http.server's naming
        site = self.site
        path = self.path
        if path.startswith("http://"):  # absolute form: we are being used as the crawl's proxy
            site.proxied.append(path)
            path = "/" + path.split("/", 3)[3]
        site.requests.append(path)
        site.times.append((time.monotonic(), path))
        site.user_agents.add(self.headers.get("User-Agent", ""))
        if path == "/robots.txt":
            return self._send(200, b"User-agent: *\nDisallow: /private/\n", "text/plain")
        if path.startswith("/jobs/"):
            return self._send(200, site.list_page(int(path.rsplit("/", 1)[1])))
        if path.startswith("/img/") and path[5:] in site.images:
            return self._send(200, site.images[path[5:]], "image/png" if path.endswith(".png") else "image/jpeg")
        ad_id = path.rsplit("/", 1)[1].split("?")[0]
        if path.startswith("/ad/") and ad_id.startswith("h-") and site.hostile:
            return self._hostile(ad_id)
        if path.startswith(("/ad/", "/private/")) and (ad_id in site.ads or ad_id.startswith("private")):
            return self._send(200, site.detail(ad_id))
        return self._send(404, b"<html><body>not here</body></html>")

    def _hostile(self, ad_id: str) -> None:
        if ad_id == "h-5xx":
            extra = {"Retry-After": self.site.retry_after} if self.site.retry_after else {}
            return self._send(503, b"<html><body>try later</body></html>", **extra)
        if ad_id == "h-hang":
            self.site.stop.wait(HANG_SECONDS)
            return self._send(200, self.site.detail(ad_id))
        if ad_id == "h-loop":
            hop = int(self.path.partition("?n=")[2] or 0)
            return self._send(302, b"", Location=f"/ad/h-loop?n={(hop + 1) % 3}")
        if ad_id == "h-huge":
            return self._send(
                200, b"<html><body><article><h1>big</h1>" + b"x" * HUGE_BYTES + b"</article></body></html>"
            )
        if ad_id == "h-badutf8":
            body = "<html><body><article><h1>Ad h-badutf8 ยินดีต้อนรับ</h1><p>งานดี เงินเดือนสูง</p></article></body></html>"
            return self._send(200, body.encode("tis-620"))  # declared utf-8, really Thai TIS-620
        return self._send(200, self.site.detail(ad_id))


@contextmanager
def serve_board(ads: dict[str, str], hostile: bool = False) -> Iterator[FixtureBoard]:
    """Serve the board on a free 127.0.0.1 port for the duration of the block."""
    site = FixtureBoard(ads=ads, hostile=hostile)
    if hostile:
        good = jpeg_with_gps()
        site.images = {
            "bomb.png": png_bomb(),
            "broken.jpg": good[:300],
            "good.jpg": good,
            "big.jpg": good + bytes(BIG_IMAGE),
        }
    handler = type("Handler", (_Handler,), {"site": site})
    server = ThreadingHTTPServer(("127.0.0.1", 0), handler)
    server.daemon_threads = True
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    site.base_url = f"http://127.0.0.1:{server.server_address[1]}"
    try:
        yield site
    finally:
        site.stop.set()
        server.shutdown()
        server.server_close()


def write_source(sources_dir: Path, name: str = "fixture", **politeness: object) -> str:
    """Write the board's source YAML into ``sources_dir`` (politeness keys override the defaults)."""
    values = {**POLITENESS, **politeness}
    block = "".join(f"  {key}: {value}\n" for key, value in values.items())
    (sources_dir / f"{name}.yml").write_text(SOURCE_YAML.format(name=name, politeness=block))
    return name
