"""Alerts benchmark: 1,000 saved searches and watches evaluated against a batch of 10,000 new findings.

    .venv/bin/python bench/alerts.py [--alerts 1000] [--old 10000] [--new 10000] [--es-url http://127.0.0.1:9200]

On each backend: index ``--old`` findings, save the alerts (file channel: one JSON line per digest), wait a
second (``indexed_at`` has whole seconds), index the ``--new`` batch, then time:
- baseline: the same queries as plain searches over the same window (``indexed_after`` the alerts' watermark),
  every page read through the cursor, nothing else;
- measured: ``lurewatch alerts run --all`` (``run_alerts(force=True)``): the searches, grouping by cluster,
  alerted-cluster lookups, digests with the full findings of the lures shown, delivery and bookkeeping;
- re-run: the same again at once, when everything is already alerted (the settle window is re-read).
The last line is ``RESULT seconds_sqlite=.. seconds_elasticsearch=..`` (the measured runs; goal each under 30 s).
"""

from __future__ import annotations

import argparse
import random
import sys
import tempfile
import time
import uuid
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from bench.generate import CHINESE, HANDLES, PHONES, WORDS, findings  # noqa: E402
from lurewatch.alerts import service  # noqa: E402
from lurewatch.alerts.store import AlertStore, open_alert_store  # noqa: E402
from lurewatch.index.base import Index, open_index  # noqa: E402
from lurewatch.settings import Settings  # noqa: E402


def saved_searches(n: int, seed: int = 3) -> list[tuple[str, dict]]:
    """``n`` (kind, spec) pairs, about as selective as analysts' alerts (tens of matches in 10,000 findings):
    two words, a phrase, a word in one country, OR in a compound, NOT, Chinese, risk floors, phone and
    handle watches (written differently from how findings store them)."""
    rng = random.Random(seed)
    specs: list[tuple[str, dict]] = []
    for i in range(n):
        shape = i % 10
        if shape == 8:
            specs.append(("watch", {"kind": "phone", "value": rng.choice(PHONES).replace("+66", "+66 ")}))
            continue
        if shape == 9:
            specs.append(("watch", {"kind": "telegram", "value": "@" + rng.choice(HANDLES).upper()}))
            continue
        a, b = rng.sample(WORDS, 2)
        country, compound = rng.choice(["KH", "MM", "LA"]), rng.choice(["KK Park", "Sihanoukville", "Poipet"])
        query: dict = [
            {"text": f"{a} {b}"},
            {"text": f'"{a} {b}"'},
            {"text": a, "filters": {"country": [country]}},
            {"text": f"{a} | {b}", "filters": {"compound": [compound]}},
            {"text": f"{a} -{b}", "filters": {"country": [country]}},
            {"text": rng.choice(CHINESE), "filters": {"compound": [compound]}},
            {"text": f"{a} {rng.choice(CHINESE)}"},
            {"text": "*", "filters": {"compound": [compound], "country": [country]}, "risk_min": 60},
        ][shape]
        specs.append(("search", {"query": query, "min_risk": rng.choice([0, 0, 30, 50])}))
    return specs


def run_backend(settings: Settings, args: argparse.Namespace, out_dir: Path) -> dict[str, float]:
    index: Index = open_index(settings)
    store: AlertStore = open_alert_store(settings)
    try:
        index.upsert(findings(args.old, seed=1, run_id="old"))
        digests = out_dir / f"digests-{settings.index}.jsonl"
        for n, (kind, spec) in enumerate(saved_searches(args.alerts)):
            channel = [f"file:{digests}"]
            if kind == "watch":
                service.add_watch(store, settings, name=f"w{n}", owner="bench", channels=channel, **spec)
            else:
                service.add_search(store, settings, name=f"s{n}", owner="bench", channels=channel, **spec)
        time.sleep(1.1)
        started = time.perf_counter()
        index.upsert(findings(args.new, seed=2, run_id="new"))
        print(f"  indexed {args.new} new findings in {time.perf_counter() - started:.1f} s")
        alerts = service.list_alerts(store)

        def baseline() -> int:
            read = 0
            for alert in alerts:
                read += len(service.read_matches(index, alert.saved_query(indexed_after=alert.channels[0].watermark)))
            return read

        baseline()  # warm-up: caches and connections as the measured run will find them
        clock = time.perf_counter()
        read = baseline()
        seconds_baseline = time.perf_counter() - clock

        stats = service.run_alerts(settings, force=True, index=index, store=store)
        again = service.run_alerts(settings, force=True, index=index, store=store)
        lines = sum(1 for _ in digests.open())
        print(f"  baseline (plain searches): {seconds_baseline:.2f} s, {read} matches read")
        print(f"  alerts run: {stats.seconds:.2f} s, {stats.evaluated} evaluated, {stats.matches} matches, "
              f"{stats.new_clusters} new lures (+{stats.reposts} reposts), {stats.delivered} digests "
              f"({lines} JSON lines), {stats.failed} failed")  # fmt: skip
        print(f"  re-run with everything alerted: {again.seconds:.2f} s, {again.delivered} digests")
        print(f"  ratio alerts run / baseline: {stats.seconds / seconds_baseline:.2f}x")
        assert stats.matches == read and again.delivered == 0 and stats.failed == 0
        return {"run": stats.seconds, "baseline": seconds_baseline, "rerun": again.seconds}
    finally:
        index.close()
        store.close()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--alerts", type=int, default=1000)
    parser.add_argument("--old", type=int, default=10_000, help="findings indexed before the alerts were saved")
    parser.add_argument("--new", type=int, default=10_000, help="the batch the alerts are evaluated against")
    parser.add_argument("--es-url", default="http://127.0.0.1:9200")
    args = parser.parse_args()
    results: dict[str, dict[str, float]] = {}
    with tempfile.TemporaryDirectory(prefix="bench-alerts-") as tmp:
        for backend in ("sqlite", "elasticsearch"):
            prefix = f"bench-alerts-{uuid.uuid4().hex[:8]}"
            settings = Settings(data_dir=Path(tmp) / backend, index=backend, es_url=args.es_url,
                                es_index_prefix=prefix)  # type: ignore[arg-type]  # fmt: skip
            print(f"{backend}: {args.alerts} alerts, {args.old} old + {args.new} new findings")
            try:
                results[backend] = run_backend(settings, args, Path(tmp))
            finally:
                if backend == "elasticsearch":
                    from elasticsearch import Elasticsearch

                    client = Elasticsearch(args.es_url)
                    for name in client.indices.get(index=f"{prefix}-*", allow_no_indices=True, expand_wildcards="all"):
                        client.indices.delete(index=name)
                    client.close()
    print(f"RESULT seconds_sqlite={results['sqlite']['run']:.2f} "
          f"seconds_elasticsearch={results['elasticsearch']['run']:.2f}")  # fmt: skip


if __name__ == "__main__":
    main()
