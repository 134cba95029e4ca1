"""Benchmark: findings per second of the whole enrichment chain as the product runs it (enrich_file, 2 workers).

Generates N postings with bench/corpus.py (HTML ads in eight languages, each with filler lines of its own
language and its own company, phone and handle; 25% are reposts of an earlier ad, lines reordered, a line or
the phone changed), streamed to disk; then times, in the same run:
  baseline  plain HTML-to-text over the same postings (same process layout: 2 workers)
  chain     enrich_file(workers=2): normalize, extract, geolocate hook, score, dedup
and prints per-step seconds (summed over workers), peak RSS of the parent and the workers at a few
corpus sizes, and the known repost share against what dedup marked (with pairwise same-ad precision/recall).
Last line: RESULT findings_per_s=<n> ratio=<chain/baseline throughput> reposts_known=.. reposts_found=.. ...
"""

from __future__ import annotations

import argparse
import json
import multiprocessing
import os
import resource
import tempfile
import time
from pathlib import Path

from corpus import postings

from lurewatch.enrichment.normalize import html_to_text
from lurewatch.enrichment.pipeline import STEPS, enrich_file
from lurewatch.records import Finding, read_jsonl, to_json

REPOST_RATE = 0.25


def generate(path: Path, n: int, seed: int = 7) -> dict[str, str]:
    """Write ``n`` postings (bench/corpus.py) to ``path``; returns which ad each one reposts (itself if none)."""
    truth = {}
    with path.open("w", encoding="utf-8") as out:
        for posting, origin in postings(n, REPOST_RATE, seed):
            truth[posting.posting_id] = origin
            out.write(to_json(posting) + "\n")
    return truth


def dedup_score(truth: dict[str, str], findings: list[Finding]) -> tuple[float, float, float]:
    """(share of findings dedup marked as reposts, pairwise precision, pairwise recall) of "same ad"."""
    cluster = {f.posting_id: f.cluster_id for f in findings}
    found = sum(f.duplicate_of is not None for f in findings) / len(findings)
    by_truth: dict[str, list[str]] = {}
    by_found: dict[str, list[str]] = {}
    for posting_id, origin in truth.items():
        by_truth.setdefault(origin, []).append(posting_id)
        by_found.setdefault(cluster[posting_id], []).append(posting_id)
    pairs = lambda groups: sum(len(g) * (len(g) - 1) // 2 for g in groups.values())  # noqa: E731
    both: dict[tuple[str, str], int] = {}
    for posting_id, origin in truth.items():
        key = (origin, cluster[posting_id])
        both[key] = both.get(key, 0) + 1
    agree = sum(c * (c - 1) // 2 for c in both.values())
    return found, agree / (pairs(by_found) or 1), agree / (pairs(by_truth) or 1)


def _html_only(lines: list[str]) -> int:
    return sum(len(html_to_text(json.loads(line)["html"])) for line in lines)


def baseline(path: Path, workers: int) -> float:
    """Seconds for plain HTML-to-text over the same file, same chunking and process layout."""
    started = time.perf_counter()
    with path.open(encoding="utf-8") as src, multiprocessing.get_context("spawn").Pool(workers) as pool:
        chunks = iter(lambda: [line for _, line in zip(range(64), src, strict=False)], [])
        for _ in pool.imap(_html_only, chunks):
            pass
    return time.perf_counter() - started


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--postings", type=int, default=20_000)
    parser.add_argument("--workers", type=int, default=2)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        folder = Path(tmp)
        src = folder / "postings.jsonl"
        truth = generate(src, args.postings)
        size = src.stat().st_size
        print(f"load average before the run: {os.getloadavg()[0]:.1f} on {os.cpu_count()} CPUs (shared machine)")
        print(f"corpus: {args.postings} postings, {size / args.postings:,.0f} bytes each on average (JSON + HTML)")
        base_s = baseline(src, args.workers)
        print(
            f"baseline html_to_text: {base_s:.2f}s = {args.postings / base_s:,.0f} postings/s ({args.workers} workers)"
        )
        rss = []

        def progress(done: int) -> None:
            if not rss or done >= rss[-1][0] + args.postings // 4:
                rss.append((done, resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024))

        cpu_before = os.times()
        started = time.perf_counter()
        report = enrich_file(src, folder / "findings.jsonl", folder / "rejects.jsonl", progress, workers=args.workers)
        chain_s = time.perf_counter() - started
        cpu = os.times()
        parent_cpu = cpu.user + cpu.system - cpu_before.user - cpu_before.system
        workers_cpu = cpu.children_user + cpu.children_system - cpu_before.children_user - cpu_before.children_system
        rate = report.findings / chain_s
        print(f"chain enrich_file: {chain_s:.2f}s = {rate:,.0f} findings/s; clusters={report.clusters} "
              f"duplicates={report.duplicates} rejected={sum(report.rejected.values())}")  # fmt: skip
        print(f"  CPU used: parent {parent_cpu:.1f}s + workers {workers_cpu:.1f}s in {chain_s:.1f}s wall "
              f"= {(parent_cpu + workers_cpu) / chain_s:.2f} of {args.workers} cores")  # fmt: skip
        total = sum(report.step_seconds.values()) or 1.0
        for step in [*STEPS, "dedup"]:
            seconds = report.step_seconds.get(step, 0.0)
            where = "parent" if step == "dedup" else "workers"
            print(f"  step {step:<10} {seconds:7.2f} CPU s ({where}) {1000 * seconds / report.findings:6.3f} ms/finding {100 * seconds / total:5.1f}%")  # fmt: skip
        for done, mb in rss:
            print(f"  parent peak RSS after {done:>6} findings: {mb:,.0f} MB")
        children = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss / 1024
        print(f"  largest worker peak RSS: {children:,.0f} MB")
        cpu_ms = 1000 * (parent_cpu + workers_cpu) / report.findings  # steps + parsing, pickling, writing
        print(f"CPU per finding, whole run: {cpu_ms:.2f} ms -> capacity on {args.workers} idle cores "
              f"≈ {1000 * args.workers / cpu_ms:,.0f} findings/s (the wall rate above is what this shared box gave)")  # fmt: skip
        found, precision, recall = dedup_score(truth, list(read_jsonl(folder / "findings.jsonl", Finding)))
        known = sum(origin != posting_id for posting_id, origin in truth.items()) / len(truth)
        print(f"dedup: {known:.1%} of the postings are reposts (generated), {found:.1%} marked as reposts; "
              f"pairwise same-ad precision {precision:.3f} recall {recall:.3f}")  # fmt: skip
        print(f"load average after the run: {os.getloadavg()[0]:.1f}")
        print(f"RESULT findings_per_s={rate:.0f} ratio={rate / (args.postings / base_s):.3f} "
              f"reposts_known={known:.3f} reposts_found={found:.3f} dedup_precision={precision:.3f} "
              f"dedup_recall={recall:.3f}")  # fmt: skip


if __name__ == "__main__":
    main()
