"""Local HTTP server for the demo job board (`python -m lurewatch.demo.server --port 8765`)."""

from __future__ import annotations

import argparse
import ipaddress
import threading
import time
from contextlib import contextmanager
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import TYPE_CHECKING

from lurewatch.demo.site import Site, demo_site

if TYPE_CHECKING:
    from collections.abc import Iterator, Sequence

DEFAULT_PORT = 8765


class RequestLog:
    """Thread-safe, ordered record of the request paths (with query) the server answered."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._paths: list[str] = []

    def append(self, path: str) -> None:
        with self._lock:
            self._paths.append(path)

    def clear(self) -> None:
        with self._lock:
            self._paths.clear()

    def snapshot(self) -> list[str]:
        """A copy of the paths requested so far, oldest first."""
        with self._lock:
            return list(self._paths)

    def __iter__(self) -> Iterator[str]:
        return iter(self.snapshot())

    def __len__(self) -> int:
        with self._lock:
            return len(self._paths)

    def __contains__(self, path: object) -> bool:
        with self._lock:
            return path in self._paths

    def __getitem__(self, index: int) -> str:
        with self._lock:
            return self._paths[index]

    def __repr__(self) -> str:
        return f"RequestLog({self.snapshot()!r})"


class _DemoServer(ThreadingHTTPServer):
    daemon_threads = True
    request_queue_size = 128  # the default of 5 drops SYNs when a crawler opens 16 connections at once

    def __init__(self, address: tuple[str, int], site: Site, log: RequestLog) -> None:
        super().__init__(address, _DemoHandler)
        self.site = site
        self.log = log

    def handle_error(self, request: object, client_address: object) -> None:
        # Clients that hang up mid-response (crawler shutdown) are normal here; stay quiet.
        return


class _DemoHandler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"  # keep-alive: crawlers fetch hundreds of pages a second
    server_version = "LureWatchDemo/1.0"
    timeout = 30  # seconds an idle keep-alive connection stays open
    disable_nagle_algorithm = True  # headers and body go out in two writes; avoid 40 ms delayed-ACK stalls
    server: _DemoServer

    def do_GET(self) -> None:
        self._respond(with_body=True)

    def do_HEAD(self) -> None:
        self._respond(with_body=False)

    def _respond(self, *, with_body: bool) -> None:
        self.server.log.append(self.path)
        page = self.server.site.lookup(self.path)
        self.send_response(page.status)
        self.send_header("Content-Type", page.content_type)
        self.send_header("Content-Length", str(len(page.body)))
        self.end_headers()
        if with_body:
            self.wfile.write(page.body)

    def log_message(self, format: str, *args: object) -> None:  # noqa: A002 - base signature
        return


@dataclass
class DemoSite:
    """A running demo board: where it listens and which paths were requested."""

    base_url: str
    requests: RequestLog = field(default_factory=RequestLog)

    def url(self, path: str) -> str:
        """Absolute URL of a path on the board."""
        return self.base_url + path


def _loopback(host: str) -> str:
    if host == "localhost":
        return "127.0.0.1"
    if not ipaddress.ip_address(host).is_loopback or ipaddress.ip_address(host).version != 4:
        raise ValueError(f"the demo board binds only to an IPv4 loopback address, not {host!r}")
    return host


@contextmanager
def serve_demo_site(host: str = "127.0.0.1", port: int = 0) -> Iterator[DemoSite]:
    """Serve the demo board in a background thread; port 0 picks a free port."""
    log = RequestLog()
    address = _loopback(host)
    server = _DemoServer((address, port), demo_site(), log)
    thread = threading.Thread(
        target=server.serve_forever, kwargs={"poll_interval": 0.05}, name="lurewatch-demo", daemon=True
    )
    thread.start()
    try:
        yield DemoSite(base_url=f"http://{address}:{server.server_port}", requests=log)
    finally:
        server.shutdown()
        server.server_close()
        thread.join()


def main(argv: Sequence[str] | None = None) -> int:
    """Serve the demo job board (fictional ads) on 127.0.0.1 until Ctrl-C."""
    parser = argparse.ArgumentParser(description=main.__doc__)
    parser.add_argument("--port", type=int, default=DEFAULT_PORT, help="TCP port (default: %(default)s)")
    args = parser.parse_args(argv)
    with serve_demo_site(port=args.port) as site:
        print(f"Demo job board: {site.url('/jobs/')}  (Ctrl-C to stop)", flush=True)
        try:
            while True:
                time.sleep(3600)
        except KeyboardInterrupt:
            pass
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
