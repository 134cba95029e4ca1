"""Search benchmark: latency of a fixed query mix on SQLite and Elasticsearch, and bulk indexing throughput.

    /tmp/setup/venv/bin/python bench/search.py [--n 200000] [--repeat 5] [--es-url http://127.0.0.1:9200]

Findings are generated from templates with variations (``index.samples``), in batches that are built before
the clock starts. Each of the first ``--compare`` findings' batches is written twice to Elasticsearch,
alternating which goes first (the rest go through ``upsert`` only, to keep the run short):
- baseline: plain ``helpers.streaming_bulk`` of the batch's documents (exactly what upsert sends, built
  beforehand: serialised to JSON bytes, with the ``words`` field), then one
  refresh (``upsert`` returns with its findings searchable; the figure without that refresh is printed too);
- measured: ``ElasticsearchIndex.upsert`` of the same findings (it converts them itself, then refreshes).
The ratio is measured docs/s over baseline docs/s. Then the query mix runs ``--repeat`` times on both
backends over the same findings (after one warm-up round); the last line is ``RESULT ...``.
"""

from __future__ import annotations

import argparse
import statistics
import sys
import tempfile
import time
import uuid
from pathlib import Path
from typing import Any

from elasticsearch import Elasticsearch, helpers

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from lurewatch.index.elasticsearch.backend import BULK_CHUNK, ElasticsearchIndex  # noqa: E402
from lurewatch.index.elasticsearch.mapping import FINDING_MAPPING, INDEX_SETTINGS  # noqa: E402
from lurewatch.index.query import Query  # noqa: E402
from lurewatch.index.sqlite.backend import SqliteIndex  # noqa: E402
from tests.support.samples import sample_findings  # noqa: E402

BATCH = 10_000
STAMP = "2026-01-01T00:00:00+00:00"  # indexed_at of the baseline documents


def query_mix(phone: str, handle: str) -> list[tuple[str, Query]]:
    """The fixed mix: what an investigator does in a session, from a broad search to a pivot."""
    return [
        ("word", Query("visa")),
        ("two words", Query("visa telegram")),
        ("phrase", Query('"free visa"')),
        ("or + not", Query("(hotel | 酒店) -visa")),
        ("prefix", Query("trans*")),
        ("thai", Query("เงินเดือน")),
        ("chinese", Query("高薪")),
        ("filters newest", Query("*", filters={"country": ["KH"], "language": ["en", "zh"]}, sort="newest")),
        ("risk range", Query("*", risk_min=60, sort="risk")),
        ("date range", Query("visa", date_from="2026-03-01", date_to="2026-03-31")),
        (
            "indicator facets",
            Query(
                "*",
                filters={"indicator": ["free_visa"]},
                facets=("country", "compound", "indicator"),
                sort="newest",
            ),
        ),  # fmt: skip
        ("bbox", Query("*", bbox=(98.0, 16.0, 99.5, 17.5), sort="newest")),
        ("near", Query("telegram", near=(10.6, 103.5, 30.0))),
        ("map + histogram", Query("*", geotile=6, histogram="week", sort="newest")),
        ("phone pivot", Query("*", filters={"phone": [phone]}, sort="newest")),
        ("handle pivot", Query("*", filters={"telegram": [handle]}, sort="newest")),
        ("highlight", Query("salary | gaji", highlight=True)),
    ]


def percentile(values: list[float], p: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(p / 100 * (len(ordered) - 1)))]


def run_queries(store: Any, mix: list[tuple[str, Query]], repeat: int) -> list[float]:
    for _, query in mix:  # warm-up
        store.search(query)
    latencies: list[float] = []
    for _ in range(repeat):
        for _, query in mix:
            start = time.perf_counter()
            store.search(query)
            latencies.append((time.perf_counter() - start) * 1000)
        page = store.search(Query("visa | telegram", size=20, facets=()))
        for _ in range(2):  # deep pagination: two more pages by cursor
            start = time.perf_counter()
            page = store.search(Query("visa | telegram", size=20, facets=(), cursor=page.next_cursor))
            latencies.append((time.perf_counter() - start) * 1000)
    return latencies


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--n", type=int, default=200_000, help="findings to generate and index")
    parser.add_argument("--repeat", type=int, default=5, help="rounds of the query mix per backend")
    parser.add_argument("--compare", type=int, default=50_000, help="findings indexed by both bulk paths")
    parser.add_argument("--es-url", default="http://127.0.0.1:9200")
    args = parser.parse_args()

    client = Elasticsearch(args.es_url, request_timeout=120)
    tag = uuid.uuid4().hex[:8]
    elastic = ElasticsearchIndex(client, f"bench-{tag}")
    elastic.setup()
    baseline_index = f"bench-{tag}-baseline"
    client.indices.create(index=baseline_index, mappings=FINDING_MAPPING, settings=INDEX_SETTINGS)
    workdir = Path(tempfile.mkdtemp(prefix="lurewatch-bench-"))
    sqlite = SqliteIndex(workdir / "index.sqlite")
    sqlite.setup()
    timings = {"baseline": 0.0, "baseline_bulk_only": 0.0, "upsert": 0.0, "sqlite": 0.0}
    compared = 0
    phone = handle = ""
    try:
        findings = sample_findings(args.n)
        done = 0
        while done < args.n:
            batch = [next(findings) for _ in range(min(BATCH, args.n - done))]
            phone = phone or next((f.contacts.phones[0] for f in batch if f.contacts.phones), "")
            handle = handle or next((f.contacts.telegram[0] for f in batch if f.contacts.telegram), "")
            compare = done < args.compare
            # The very documents upsert sends (with the ``words`` field), built before the clock starts.
            actions = [{**a, "_index": baseline_index} for a in elastic._actions(batch, STAMP) if compare]  # noqa: SLF001
            order = ["baseline", "upsert"] if (done // BATCH) % 2 == 0 else ["upsert", "baseline"]
            order = order if compare else ["upsert"]
            for which in order:
                start = time.perf_counter()
                if which == "baseline":
                    for ok, _ in helpers.streaming_bulk(client, actions, chunk_size=BULK_CHUNK, max_retries=5):
                        assert ok
                    bulk_only = time.perf_counter() - start
                    client.indices.refresh(index=baseline_index)  # upsert returns with its findings searchable
                    timings["baseline_bulk_only"] += bulk_only
                else:
                    report = elastic.upsert(batch)
                    assert report.written == len(batch) and not report.rejected
                if compare:
                    timings[which] += time.perf_counter() - start
            compared += len(batch) if compare else 0
            start = time.perf_counter()
            sqlite.upsert(batch)
            timings["sqlite"] += time.perf_counter() - start
            done += len(batch)
            print(f"indexed {done}/{args.n}", file=sys.stderr, flush=True)
        client.indices.delete(index=baseline_index)
        client.indices.forcemerge(index=elastic.alias, max_num_segments=1, wait_for_completion=True)
        rates = {"baseline": compared / timings["baseline"], "upsert": compared / timings["upsert"],
                 "bulk_only": compared / timings["baseline_bulk_only"], "sqlite": args.n / timings["sqlite"]}  # fmt: skip
        ratio = rates["upsert"] / rates["baseline"]
        print(f"bulk comparison over {compared} findings, {args.n} indexed in all")
        print(
            f"Elasticsearch baseline streaming_bulk + refresh: {rates['baseline']:.0f} docs/s "
            f"(without the refresh: {rates['bulk_only']:.0f} docs/s)"
        )
        print(
            f"ElasticsearchIndex.upsert:              {rates['upsert']:.0f} docs/s  ({ratio:.2f}x baseline, "
            f"{rates['upsert'] / rates['bulk_only']:.2f}x bulk without refresh)"
        )
        print(f"SqliteIndex.upsert:                     {rates['sqlite']:.0f} docs/s  "
              f"({rates['sqlite'] / rates['baseline']:.2f}x the Elasticsearch baseline)")  # fmt: skip
        mix = query_mix(phone, handle)
        figures: dict[str, tuple[float, float]] = {}
        for name, store in (("sqlite", sqlite), ("elasticsearch", elastic)):
            latencies = run_queries(store, mix, args.repeat)
            figures[name] = (statistics.median(latencies), percentile(latencies, 95))
            print(f"{name:14s} query mix of {len(latencies)}: p50 {figures[name][0]:.1f} ms, "
                  f"p95 {figures[name][1]:.1f} ms")  # fmt: skip
        base = figures["elasticsearch"]
        print(
            f"sqlite / elasticsearch: p50 {figures['sqlite'][0] / base[0]:.2f}x, p95 {figures['sqlite'][1] / base[1]:.2f}x"
        )
        print(
            f"RESULT index_ratio={ratio:.2f} p50_ms_sqlite={figures['sqlite'][0]:.1f} "
            f"p95_ms_sqlite={figures['sqlite'][1]:.1f} p50_ms_elasticsearch={base[0]:.1f} "
            f"p95_ms_elasticsearch={base[1]:.1f}"
        )
    finally:
        client.indices.delete(index=[elastic.versioned, baseline_index], ignore_unavailable=True)
        sqlite.close()
        for path in workdir.iterdir():
            path.unlink()
        workdir.rmdir()


if __name__ == "__main__":
    main()
