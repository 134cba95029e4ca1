"""Load on the HTTP API: 50 concurrent clients for 60 s against a real ``uvicorn`` server, on each backend.

For each backend (SQLite, Elasticsearch) the script indexes ``--n`` generated findings into a fresh data folder,
starts the app exactly as ``lurewatch serve`` does (one uvicorn process on a free 127.0.0.1 port), and runs
``--clients`` aiohttp clients for ``--seconds``: a mix of searches (text, filters, facets), finding reads and
phone pivots. Baseline, in the same run: the same clients fetching a static file from the same server (no key,
no index), so ``ratio`` says how much the index work costs over the server's own floor.

Last line: ``RESULT rps_sqlite=.. p95_ms_sqlite=.. errors_sqlite=.. rps_elasticsearch=.. ...``.
"""

from __future__ import annotations

import argparse
import asyncio
import os
import random
import socket
import statistics
import subprocess
import sys
import tempfile
import time
import urllib.request
import uuid
from pathlib import Path
from typing import Any

import aiohttp

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from lurewatch.index.base import open_index  # noqa: E402
from lurewatch.settings import Settings  # noqa: E402
from lurewatch.web.keys import KeyStore  # noqa: E402
from tests.support.samples import sample_findings  # noqa: E402

WORDS = ["visa", "salary", "typing", "telegram", "hotel", "casino", "customer service", "ฟรีวีซ่า", "包吃包住",
         "free flight", "data entry", "Cambodia", "urgent", "passport"]  # fmt: skip
COUNTRIES = ["KH", "MM", "LA", "TH", "PH"]
SERVER = """
import uvicorn
from lurewatch.settings import get_settings
from lurewatch.web.sessions import session_secret
session_secret(get_settings())
uvicorn.run("lurewatch.web.app:app_from_environment", factory=True, workers={workers}, host="127.0.0.1", port={port},
            log_level="warning")
"""


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


def prepare(backend: str, data: Path, n: int, es_url: str, prefix: str) -> tuple[dict[str, str], list[str], list[str]]:
    """Index ``n`` findings; returns the server's environment, some posting ids and some phones."""
    env = {**os.environ, "LUREWATCH_DATA_DIR": str(data), "LUREWATCH_INDEX": backend, "LUREWATCH_ES_URL": es_url,
           "LUREWATCH_ES_INDEX_PREFIX": prefix, "TLDEXTRACT_PUBLIC_SUFFIX_LIST_URLS": "",
           "LUREWATCH_LOG_LEVEL": "WARNING"}  # fmt: skip
    settings = Settings(data_dir=data, index=backend, es_url=es_url, es_index_prefix=prefix)  # type: ignore[arg-type]
    index = open_index(settings)
    findings = list(sample_findings(n))
    index.upsert(findings)
    if backend == "elasticsearch":
        index.client.indices.refresh(index=index.alias)  # type: ignore[attr-defined]
    index.close()
    ids = [f.posting_id for f in findings[:: max(1, n // 500)]]
    phones = sorted({p for f in findings for p in f.contacts.phones})[:200]
    return env, ids, phones


def request_mix(rng: random.Random, ids: list[str], phones: list[str]) -> tuple[str, str]:
    roll = rng.random()
    if roll < 0.6:
        params = f"q={rng.choice(WORDS)}"
        if rng.random() < 0.5:
            params += f"&country={rng.choice(COUNTRIES)}"
        if rng.random() < 0.3:
            params += "&sort=risk&facets=indicator,country"
        return "search", f"/api/search?{params}&highlight=1"
    if roll < 0.85:
        return "finding", f"/api/findings/{rng.choice(ids)}"
    return "pivot", f"/api/pivots/phone?value={urllib.request.quote(rng.choice(phones))}"


async def load(base: str, key: str, seconds: float, clients: int, ids: list[str], phones: list[str],
               static: bool) -> dict[str, Any]:  # fmt: skip
    latencies: list[float] = []
    by_kind: dict[str, list[float]] = {}
    errors: dict[str, int] = {}
    deadline = time.perf_counter() + seconds

    async def client(number: int, session: aiohttp.ClientSession) -> None:
        rng = random.Random(number)
        while time.perf_counter() < deadline:
            kind, path = ("static", "/static/style.css") if static else request_mix(rng, ids, phones)
            start = time.perf_counter()
            try:
                async with session.get(base + path, headers={"X-API-Key": key}) as response:
                    await response.read()
                    if response.status != 200:
                        errors[f"{kind}:{response.status}"] = errors.get(f"{kind}:{response.status}", 0) + 1
            except (TimeoutError, aiohttp.ClientError) as exc:
                errors[f"{kind}:{type(exc).__name__}"] = errors.get(f"{kind}:{type(exc).__name__}", 0) + 1
            latencies.append(time.perf_counter() - start)
            by_kind.setdefault(kind, []).append(latencies[-1])

    connector = aiohttp.TCPConnector(limit=clients)
    timeout = aiohttp.ClientTimeout(total=30)
    started = time.perf_counter()
    async with aiohttp.ClientSession(connector=connector, timeout=timeout) as session:
        await asyncio.gather(*(client(i, session) for i in range(clients)))
    elapsed = time.perf_counter() - started
    latencies.sort()
    return {
        "requests": len(latencies),
        "rps": len(latencies) / elapsed,
        "p50_ms": 1000 * statistics.median(latencies) if latencies else 0.0,
        "p95_ms": 1000 * latencies[int(0.95 * (len(latencies) - 1))] if latencies else 0.0,
        "errors": sum(errors.values()),
        "error_kinds": errors,
        "p95_by_kind": {k: round(1000 * sorted(v)[int(0.95 * (len(v) - 1))], 1) for k, v in by_kind.items()},
    }


def run_backend(backend: str, args: argparse.Namespace) -> dict[str, Any]:
    prefix = f"bench-load-{uuid.uuid4().hex[:8]}"
    with tempfile.TemporaryDirectory(prefix="lurewatch-load-") as tmp:
        data = Path(tmp) / "data"
        t0 = time.perf_counter()
        env, ids, phones = prepare(backend, data, args.n, args.es_url, prefix)
        print(f"{backend}: indexed {args.n} findings in {time.perf_counter() - t0:.1f} s", flush=True)
        key = KeyStore(Settings(data_dir=data).keys_path).add("load", "reader")
        port = free_port()
        server = subprocess.Popen([sys.executable, "-c", SERVER.format(port=port, workers=args.workers)], env=env)
        try:
            base = f"http://127.0.0.1:{port}"
            for _ in range(200):
                try:
                    urllib.request.urlopen(base + "/login", timeout=1).read()
                    break
                except OSError:
                    time.sleep(0.1)
            asyncio.run(load(base, key, 3, args.clients, ids, phones, static=False))  # warm-up
            floor = asyncio.run(load(base, key, args.baseline_seconds, args.clients, ids, phones, static=True))
            mixed = asyncio.run(load(base, key, args.seconds, args.clients, ids, phones, static=False))
        finally:
            server.terminate()
            server.wait(timeout=20)
            if backend == "elasticsearch":
                from elasticsearch import Elasticsearch

                client = Elasticsearch(args.es_url)
                for name in client.indices.get(index=f"{prefix}-*", allow_no_indices=True, expand_wildcards="all"):
                    client.indices.delete(index=name)
                client.close()
    print(f"{backend}: {args.workers} uvicorn worker(s), {args.clients} clients, {args.seconds:.0f} s")
    print(f"{backend}: baseline (static file) {floor['rps']:.0f} req/s, p95 {floor['p95_ms']:.1f} ms; "
          f"mix {mixed['rps']:.0f} req/s, p50 {mixed['p50_ms']:.1f} ms, p95 {mixed['p95_ms']:.1f} ms, "
          f"{mixed['requests']} requests (p95 ms by kind {mixed['p95_by_kind']}), errors {mixed['errors']} {mixed['error_kinds'] or ''}; "
          f"ratio p95 mix/baseline {mixed['p95_ms'] / max(floor['p95_ms'], 0.001):.1f}×", flush=True)  # fmt: skip
    return mixed


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--n", type=int, default=5000, help="findings indexed per backend")
    parser.add_argument("--clients", type=int, default=50)
    parser.add_argument("--workers", type=int, default=2, help="uvicorn worker processes (lurewatch serve --workers)")
    parser.add_argument("--seconds", type=float, default=60.0)
    parser.add_argument("--baseline-seconds", type=float, default=10.0)
    parser.add_argument("--es-url", default=os.environ.get("LUREWATCH_TEST_ES_URL", "http://127.0.0.1:9200"))
    parser.add_argument("--backends", default="sqlite,elasticsearch")
    args = parser.parse_args()
    results = {backend: run_backend(backend, args) for backend in args.backends.split(",")}
    print("RESULT " + " ".join(f"rps_{b}={r['rps']:.1f} p95_ms_{b}={r['p95_ms']:.1f} errors_{b}={r['errors']}"
                               for b, r in results.items()))  # fmt: skip


if __name__ == "__main__":
    main()
