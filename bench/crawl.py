"""Crawl throughput: the ``board`` spider through the real runner (all pipelines, WARC capture, incremental
store, images) against a plain Scrapy spider, on the same generated 2,000-page site served on 127.0.0.1.

    /tmp/setup/venv/bin/python bench/crawl.py [--pages 2000] [--concurrency 16]

Prints pages/s of both (from Scrapy's own elapsed time, and wall time including process start), the
site server's own capacity (it must not be the bottleneck), and ends with ``RESULT ratio=<board/plain>``.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import multiprocessing
import subprocess
import sys
import tempfile
import threading
import time
import urllib.request
from dataclasses import dataclass
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

ADS_PER_LIST = 19
WORDS = (
    "warehouse packer driver cook cleaner nurse teacher welder sales agent typist translator customer service "
    "night shift overtime housing meals visa ticket contract salary bonus training experience interview"
).split()

SOURCE_YAML = """\
name: benchboard
kind: board
start_urls: ["/list/1"]
allow_private_networks: true  # the benchmark's site is on 127.0.0.1
board:
  list:
    detail_links: "a.ad::attr(href)"
    next_page: "a.next::attr(href)"
  detail:
    container: "article"
    fields:
      title: "h1"
      location: ".where"
      salary: ".pay"
      images: "article img::attr(src)"
politeness:
  concurrency: {concurrency}
  delay: 0
  autothrottle: false
  retries: 0
"""


def build_site(pages: int) -> dict[str, bytes]:
    """Path -> full HTTP response bytes for a board of ``pages`` pages (list pages + detail pages)."""
    lists = max(1, round(pages / (ADS_PER_LIST + 1)))
    details = pages - lists
    site: dict[str, bytes] = {"/robots.txt": b"User-agent: *\nDisallow: /admin/\n"}
    for n in range(1, lists + 1):
        ids = range((n - 1) * ADS_PER_LIST, min(details, n * ADS_PER_LIST))
        links = "".join(f'<li><a class="ad" href="/ad/{i}">Job {i}</a></li>' for i in ids)
        nxt = f'<a class="next" href="/list/{n + 1}">next</a>' if n < lists else ""
        site[f"/list/{n}"] = (
            f"<html><head><title>Jobs {n}</title></head><body><ul>{links}</ul>{nxt}</body></html>".encode()
        )
    for i in range(details):
        text = " ".join(WORDS[(i * 7 + k * 3) % len(WORDS)] for k in range(400))
        site[f"/ad/{i}"] = (
            f"<html><head><meta charset='utf-8'><title>Ad {i}</title></head><body><nav>menu</nav>"
            f"<article><h1>Job {i}: {WORDS[i % len(WORDS)]}</h1><p class='where'>City {i % 40}</p>"
            f"<p class='pay'>{800 + i % 900} USD/month</p><p>{text}</p></article><footer>x</footer></body></html>"
        ).encode()
    out = {}
    for path, body in site.items():
        ctype = "text/plain" if path.endswith(".txt") else "text/html; charset=utf-8"
        head = f"HTTP/1.1 200 OK\r\nContent-Type: {ctype}\r\nContent-Length: {len(body)}\r\n\r\n"
        out[path] = head.encode() + body
    return out


NOT_FOUND = b"HTTP/1.1 404 Not Found\r\nContent-Length: 0\r\n\r\n"


def serve(pages: int, port_out: multiprocessing.connection.Connection) -> None:
    """A keep-alive HTTP/1.1 server of pre-built responses (its own process, so it has a core to itself)."""
    site = build_site(pages)

    async def handle(reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        try:
            while True:
                head = await reader.readuntil(b"\r\n\r\n")
                path = head.split(b" ", 2)[1].decode()
                writer.write(site.get(path, NOT_FOUND))
                await writer.drain()
        except (asyncio.IncompleteReadError, ConnectionError, asyncio.LimitOverrunError):
            writer.close()

    async def main() -> None:
        server = await asyncio.start_server(handle, "127.0.0.1", 0, backlog=512)
        port_out.send(server.sockets[0].getsockname()[1])
        async with server:
            await server.serve_forever()

    asyncio.run(main())


def server_capacity(base_url: str, paths: list[str], clients: int) -> float:
    """Pages/s the server gives keep-alive clients (threads in this process) with no crawler running."""
    import http.client
    from urllib.parse import urlsplit

    host = urlsplit(base_url)
    chunks = [paths[i::clients] for i in range(clients)]

    def fetch(chunk: list[str]) -> None:
        conn = http.client.HTTPConnection(host.hostname, host.port)
        for path in chunk:
            conn.request("GET", path)
            conn.getresponse().read()
        conn.close()

    threads = [threading.Thread(target=fetch, args=(c,)) for c in chunks]
    start = time.perf_counter()
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    return len(paths) / (time.perf_counter() - start)


def run_plain(base_url: str, out: Path, concurrency: int, concurrent_items: int | None = None) -> None:
    """The baseline: a minimal Scrapy spider, default settings but the same concurrency and robots.txt rule."""
    import scrapy
    from scrapy import signals
    from scrapy.crawler import CrawlerProcess

    class PlainSpider(scrapy.Spider):
        name = "plain"
        start_urls = [f"{base_url}/list/1"]

        def parse(self, response):  # type: ignore[no-untyped-def]
            for href in response.css("a.ad::attr(href)").getall():
                yield response.follow(href, self.parse_detail)
            for href in response.css("a.next::attr(href)").getall():
                yield response.follow(href, self.parse)

        def parse_detail(self, response):  # type: ignore[no-untyped-def]
            yield {"url": response.url, "title": response.css("h1::text").get()}

    settings = {
        "CONCURRENT_REQUESTS": concurrency,
        "CONCURRENT_REQUESTS_PER_DOMAIN": concurrency,
        "ROBOTSTXT_OBEY": True,
        "LOG_LEVEL": "INFO",
        "TELNETCONSOLE_ENABLED": False,
    }
    if concurrent_items:
        settings["CONCURRENT_ITEMS"] = concurrent_items
    process = CrawlerProcess(settings)
    crawler = process.create_crawler(PlainSpider)
    cpu: dict[str, float] = {}
    crawler.signals.connect(
        lambda spider: cpu.update(start=time.process_time()), signal=signals.spider_opened, weak=False
    )
    crawler.signals.connect(
        lambda spider: cpu.update(end=time.process_time()), signal=signals.spider_closed, weak=False
    )
    process.crawl(crawler)
    process.start()
    stats = {k: (v.isoformat() if hasattr(v, "isoformat") else v) for k, v in crawler.stats.get_stats().items()}
    stats["lurewatch/cpu_seconds"] = cpu["end"] - cpu["start"]  # measured the same way as the board crawl
    out.write_text(json.dumps(stats, default=str))


@dataclass
class Measure:
    """One crawl: pages fetched, Scrapy's elapsed seconds, wall seconds with process start, CPU seconds."""

    pages: int
    elapsed: float
    wall: float
    cpu: float

    @property
    def rate(self) -> float:
        return self.pages / self.elapsed

    @property
    def cpu_rate(self) -> float:
        return self.pages / self.cpu


def _measure(stats: dict[str, float], wall: float) -> Measure:
    return Measure(
        int(stats["response_received_count"]), stats["elapsed_time_seconds"], wall, stats["lurewatch/cpu_seconds"]
    )


def measure_plain(base_url: str, concurrency: int, work: Path, concurrent_items: int = 0) -> Measure:
    out = work / "plain-stats.json"
    start = time.perf_counter()
    cmd = [sys.executable, __file__, "--plain-worker", base_url, str(out), "--concurrency", str(concurrency)]
    subprocess.run([*cmd, "--concurrent-items", str(concurrent_items)], check=True, capture_output=True)
    return _measure(json.loads(out.read_text()), time.perf_counter() - start)


def measure_board(base_url: str, concurrency: int, work: Path, tag: str) -> Measure:
    from lurewatch import runner
    from lurewatch.settings import Settings

    settings = Settings(data_dir=work / f"data-{tag}", sources_dir=work / "sources")
    settings.sources_dir.mkdir(exist_ok=True)
    source = settings.sources_dir / "benchboard.yml"
    source.write_text(SOURCE_YAML.format(concurrency=concurrency))
    start = time.perf_counter()
    run = runner.crawl(str(source), run_id=f"bench-{tag}", base_url=base_url, settings=settings)
    wall = time.perf_counter() - start
    stats = json.loads((run.path / "stats.json").read_text())
    details = stats["response_received_count"] * ADS_PER_LIST / (ADS_PER_LIST + 1)
    if stats.get("item_scraped_count", 0) < 0.95 * details - 5:
        raise SystemExit(f"board crawl lost postings: {stats.get('item_scraped_count', 0)} of ~{details:.0f}")
    if stats.get("lurewatch/warc_records", 0) < 2 * stats["response_received_count"]:
        raise SystemExit("board crawl did not capture every response")
    return _measure(stats, wall)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--pages", type=int, default=2000)
    parser.add_argument("--concurrency", type=int, default=16)
    parser.add_argument("--rounds", type=int, default=3, help="alternating rounds of each crawler; best is kept")
    parser.add_argument("--plain-worker", nargs=2, metavar=("BASE_URL", "OUT"), help=argparse.SUPPRESS)
    parser.add_argument("--concurrent-items", type=int, default=0, help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.plain_worker:
        run_plain(args.plain_worker[0], Path(args.plain_worker[1]), args.concurrency, args.concurrent_items)
        return

    receive, send = multiprocessing.Pipe(duplex=False)
    server = multiprocessing.Process(target=serve, args=(args.pages, send), daemon=True)
    server.start()
    base_url = f"http://127.0.0.1:{receive.recv()}"
    urllib.request.urlopen(base_url + "/robots.txt").read()
    paths = list(build_site(args.pages))
    capacity = server_capacity(base_url, paths, args.concurrency)
    print(f"site: {len(paths) - 1} pages at {base_url}; server alone serves {capacity:,.0f} pages/s")

    names = ("plain scrapy", "board+pipelines+WARC", "plain, CONCURRENT_ITEMS=16")
    best: dict[str, Measure] = {}
    with tempfile.TemporaryDirectory(prefix="lurewatch-bench-") as tmp:
        work = Path(tmp)
        for round_no in range(1, args.rounds + 1):
            measured = (
                measure_plain(base_url, args.concurrency, work),
                measure_board(base_url, args.concurrency, work, f"r{round_no}"),
                # The board crawl sets CONCURRENT_ITEMS=16; this shows how much of its speed that alone buys.
                measure_plain(base_url, args.concurrency, work, concurrent_items=16),
            )
            for name, m in zip(names, measured, strict=True):
                print(f"round {round_no} {name:>26}: {m.pages} pages in {m.elapsed:5.2f}s = {m.rate:6.1f} pages/s;"
                      f" {m.cpu:5.2f} CPU s = {m.cpu_rate:6.1f} pages/CPU-s; wall {m.wall:5.2f}s")  # fmt: skip
                if name not in best or m.rate > best[name].rate:
                    best[name] = Measure(m.pages, m.elapsed, m.wall, min(m.cpu, best.get(name, m).cpu))
    server.terminate()
    plain, board, tuned = (best[name] for name in names)
    print(f"server capacity / plain scrapy rate: {capacity / plain.rate:.1f}x (>> 1: the server is not the bottleneck)")
    print(f"best of {args.rounds}: board {board.rate:.1f} pages/s, plain scrapy {plain.rate:.1f} pages/s, "
          f"plain with CONCURRENT_ITEMS=16 {tuned.rate:.1f} pages/s")  # fmt: skip
    print(f"CPU cost (steadier on a busy machine): board {board.cpu_rate:.1f}, plain {plain.cpu_rate:.1f}, "
          f"tuned plain {tuned.cpu_rate:.1f} pages per CPU second")  # fmt: skip
    print(
        f"RESULT ratio={board.rate / plain.rate:.2f} board_pages_per_s={board.rate:.1f} "
        f"plain_pages_per_s={plain.rate:.1f} cpu_ratio={board.cpu_rate / plain.cpu_rate:.2f} "
        f"ratio_vs_tuned_plain={board.rate / tuned.rate:.2f} cpu_ratio_vs_tuned_plain={board.cpu_rate / tuned.cpu_rate:.2f} "
        f"server_pages_per_s={capacity:.0f}"
    )


if __name__ == "__main__":
    main()
