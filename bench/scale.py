"""Scale-out: one crawler process against two sharing the Redis frontier, and indexing into two nodes against one.

    .venv/bin/python bench/scale.py [--pages 2000] [--concurrency 16] [--rounds 2] [--findings 20000] [--no-es]

Crawl: bench/crawl.py's generated 2,000-page board on 127.0.0.1 (served by a process of its own that counts
every request per path), crawled by the real runner: the baseline is the default single process, without
Redis; then ``--workers 2`` with a redis-server this script starts. Both without the shipped politeness delay
(delay 0, as bench/crawl.py): the figure is throughput, not how fast a site is crawled as shipped (with a delay,
two processes wait for the same per-site slot). ``fetched_once`` counts site pages the two processes fetched
exactly once between them (robots.txt, read by each process, is not a page); it must equal ``pages``.

Index: the same generated findings through the index step's upsert into the two-node cluster of
``scripts/elasticsearch.sh cluster-start`` (2 shards, 0 replicas: both nodes write), against node 1 alone (node 2
stopped, the same index settings); and with 1 replica, the setting that survives a node loss.

Both machines' cores are shared by the processes measured (and by whatever else runs): two crawler processes
on two cores compete with the site server and Redis, and two Elasticsearch nodes with each other.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import multiprocessing
import shutil
import subprocess
import sys
import tempfile
import time
import urllib.request
import uuid
from collections import Counter
from multiprocessing.connection import Connection
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from crawl import NOT_FOUND, SOURCE_YAML, build_site  # noqa: E402  (bench/crawl.py)

COUNTS = "/__counts"  # the server's own page: how often each path was asked for since the last look


def serve(pages: int, port_out: Connection) -> None:
    """bench/crawl.py's keep-alive server, counting requests per path."""
    site = build_site(pages)
    counts: Counter[str] = Counter()

    async def handle(reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        try:
            while True:
                head = await reader.readuntil(b"\r\n\r\n")
                path = head.split(b" ", 2)[1].decode()
                if path == COUNTS:
                    body = json.dumps(counts).encode()
                    counts.clear()
                    writer.write(b"HTTP/1.1 200 OK\r\nContent-Length: %d\r\n\r\n" % len(body) + body)
                else:
                    counts[path] += 1
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


def counts(base_url: str) -> Counter[str]:
    with urllib.request.urlopen(base_url + COUNTS) as response:
        return Counter(json.load(response))


def crawl_once(base_url: str, work: Path, tag: str, concurrency: int, workers: int, redis_url: str | None) -> dict[str, float]:
    from lurewatch import runner
    from lurewatch.settings import Settings

    settings = Settings(data_dir=work / f"data-{tag}", sources_dir=work / "sources")
    settings.sources_dir.mkdir(exist_ok=True)
    source = settings.sources_dir / "benchboard.yml"
    source.write_text(SOURCE_YAML.format(concurrency=concurrency))
    counts(base_url)  # start counting from zero
    start = time.perf_counter()
    run = runner.crawl(str(source), run_id=f"bench-{tag}", base_url=base_url, settings=settings,
                       workers=workers, frontier=redis_url)  # fmt: skip
    wall = time.perf_counter() - start
    seen = counts(base_url)
    stats = json.loads((run.path / "stats.json").read_text())
    pages = {path: n for path, n in seen.items() if path != "/robots.txt"}
    shutil.rmtree(settings.data_dir)
    return {"wall": wall, "elapsed": stats["elapsed_time_seconds"], "pages": len(pages),
            "once": sum(1 for n in pages.values() if n == 1), "postings": stats.get("item_scraped_count", 0)}  # fmt: skip


def start_redis() -> tuple[subprocess.Popen[bytes], str]:
    import socket

    import redis

    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port = sock.getsockname()[1]
    proc = subprocess.Popen(["redis-server", "--port", str(port), "--bind", "127.0.0.1", "--save", "",
                             "--appendonly", "no"], stdout=subprocess.DEVNULL)  # fmt: skip
    url = f"redis://127.0.0.1:{port}/0"
    for _ in range(100):
        try:
            redis.Redis.from_url(url).ping()
            return proc, url
        except redis.ConnectionError:
            time.sleep(0.05)
    raise SystemExit("redis-server did not start")


def bench_crawl(args: argparse.Namespace) -> tuple[int, int, float]:
    receive, send = multiprocessing.Pipe(duplex=False)
    server = multiprocessing.Process(target=serve, args=(args.pages, send), daemon=True)
    server.start()
    base_url = f"http://127.0.0.1:{receive.recv()}"
    redis_proc, redis_url = start_redis()
    best: dict[str, dict[str, float]] = {}
    try:
        with tempfile.TemporaryDirectory(prefix="lurewatch-scale-") as tmp:
            for round_no in range(1, args.rounds + 1):
                for name, workers, frontier in (("1 process", 1, None), ("2 processes + Redis", 2, redis_url)):
                    m = crawl_once(base_url, Path(tmp), f"r{round_no}-{workers}", args.concurrency, workers, frontier)
                    print(f"round {round_no} {name:>20}: {m['pages']:.0f} pages ({m['once']:.0f} fetched once), "
                          f"{m['postings']:.0f} postings; crawl {m['elapsed']:.2f}s, wall with process start "
                          f"{m['wall']:.2f}s = {m['pages'] / m['wall']:.1f} pages/s")  # fmt: skip
                    if name not in best or m["wall"] < best[name]["wall"]:
                        best[name] = m
    finally:
        redis_proc.terminate()
        server.terminate()
    one, two = best["1 process"], best["2 processes + Redis"]
    speedup = one["wall"] / two["wall"]
    print(f"best of {args.rounds}: 1 process {one['wall']:.2f}s, 2 processes {two['wall']:.2f}s wall "
          f"(crawl time {one['elapsed']:.2f}s vs {two['elapsed']:.2f}s): speedup {speedup:.2f}x")  # fmt: skip
    return int(two["pages"]), int(two["once"]), speedup


def index_rate(url: str, findings: int, replicas: int) -> float:
    from lurewatch.index.elasticsearch.backend import ElasticsearchIndex
    from lurewatch.settings import Settings
    from tests.support.samples import sample_findings

    settings = Settings(index="elasticsearch", es_url=url, es_index_prefix=f"bench-{uuid.uuid4().hex[:8]}",
                        es_shards=2, es_replicas=replicas)  # fmt: skip
    index = ElasticsearchIndex.from_settings(settings)
    index.setup()
    data = list(sample_findings(findings))
    start = time.perf_counter()
    report = index.upsert(iter(data))
    seconds = time.perf_counter() - start
    if report.written != findings:
        raise SystemExit(f"indexing lost findings: {report.written} of {findings}")
    index.client.indices.delete(index=index.versioned)
    index.close()
    return findings / seconds


def bench_index(args: argparse.Namespace) -> float:
    from tests.support.es_cluster import NODE_URLS, script

    script("cluster-start")
    try:
        both = ",".join(NODE_URLS)
        two = index_rate(both, args.findings, replicas=0)
        print(f"two-node cluster, 2 shards, 0 replicas: {two:,.0f} findings/s")
        ha = index_rate(both, args.findings, replicas=1)
        print(f"two-node cluster, 2 shards, 1 replica (survives a node loss): {ha:,.0f} findings/s")
        script("node-stop", "2")
        one = index_rate(NODE_URLS[0], args.findings, replicas=0)
        print(f"one node (node 2 stopped), 2 shards, 0 replicas: {one:,.0f} findings/s")
    finally:
        script("cluster-stop")
    ratio = two / one
    print(f"indexing throughput, two nodes / one node: {ratio:.2f}x; with a replica: {ha / one:.2f}x")
    return ratio


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--pages", type=int, default=2000)
    parser.add_argument("--concurrency", type=int, default=16)
    parser.add_argument("--rounds", type=int, default=2, help="rounds of each crawl; the fastest is kept")
    parser.add_argument("--findings", type=int, default=20000)
    parser.add_argument("--no-es", action="store_true", help="skip the Elasticsearch cluster part")
    args = parser.parse_args()
    if shutil.which("redis-server") is None:
        raise SystemExit("redis-server is not installed")
    pages, once, speedup = bench_crawl(args)
    result = f"RESULT pages={pages} fetched_once={once} speedup_2proc={speedup:.2f}"
    if not args.no_es:
        result += f" es_two_nodes_vs_one={bench_index(args):.2f}"
    print(result)


if __name__ == "__main__":
    main()
