"""Benchmark: findings per second of the whole enrichment chain as the product runs it (enrich_file, 2 workers).

Generates N postings of realistic length (HTML, 8 languages, varied templates, ~1/4 reposts),
deterministically, streamed to disk; then times, in the same run:
  baseline  plain HTML-to-text over the same postings (same process layout: 2 workers)
  chain     enrich_file(workers=2): normalize, extract, geolocate hook, score, dedup
and prints per-step seconds (summed over workers), peak RSS of the parent and the workers at a few
corpus sizes, and the time left per finding for geolocation at the 300 findings/s target.
Last line: RESULT findings_per_s=<n> ratio=<chain/baseline throughput>.
"""

from __future__ import annotations

import argparse
import json
import multiprocessing
import os
import random
import resource
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from lurewatch.enrichment.normalize import html_to_text  # noqa: E402
from lurewatch.enrichment.pipeline import STEPS, enrich_file  # noqa: E402
from lurewatch.records import Posting, to_json  # noqa: E402
from tests.support.fixtures.dedup_ads import TEMPLATES  # noqa: E402

TARGET = 300.0
JOBS = ["customer service", "typist", "data entry", "game tester", "online sales", "chat support", "translator",
        "marketing assistant", "admin", "receptionist", "warehouse clerk", "cook", "driver", "accountant"]  # fmt: skip
CITIES = ["Sihanoukville", "Phnom Penh", "Bangkok", "Myawaddy", "Manila", "Ho Chi Minh City", "Jakarta", "Vientiane",
          "Kuala Lumpur", "Bavet", "Chiang Mai", "Cebu"]  # fmt: skip
SYLLABLES = ["ka", "lo", "mi", "san", "tor", "vin", "da", "ri", "phon", "chai", "lee", "won", "nam", "sri", "ta"]
SUFFIXES = ["Holdings", "Group", "Co., Ltd.", "Trading", "Media", "Technology", "集团", "บริษัท", "Company"]
FILLER = [
    "Our team works in a modern office with air conditioning and fast internet.",
    "Working hours are twelve hours a day with one day off every week.",
    "We provide training in the first month and a clear career path.",
    "Please send a recent photo and a copy of your passport with your application.",
    "Applicants must be healthy and willing to work night shifts when needed.",
    "Commission is paid on top of the basic salary according to performance.",
    "公司环境优美，团队年轻有活力，欢迎有梦想的你加入。",
    "ทีมงานเป็นกันเอง มีสวัสดิการและวันหยุดตามกฎหมาย",
    "Môi trường làm việc trẻ trung, năng động, có cơ hội thăng tiến.",
    "Lingkungan kerja nyaman dan ada kesempatan naik jabatan.",
    "បរិយាកាសការងារល្អ និងមានឱកាសឡើងតំណែង",
    "Wallet for deposit refunds: TR7NHqjeKQxGTCi8q8ZY4pL8otSzgjLj6t",
    "Order 20261129 was confirmed on 2026-11-29; tx 0x5e1d3a2c4b9f8e7d6c5b4a39281706f5e4d3c2b1a09f8e7d6c5b4a3928170a",
    "Visit https://careers.example-recruit.com/apply or write to hr@example-recruit.com for details.",
]  # fmt: skip


def generate(path: Path, n: int, seed: int = 7) -> None:
    """Write ``n`` postings (HTML) to ``path``, deterministically; about a quarter are reposts of earlier ones."""
    rng = random.Random(seed)
    recent: list[tuple[str, list[str]]] = []
    with path.open("w", encoding="utf-8") as out:
        for i in range(n):
            if recent and rng.random() < 0.25:
                title, lines = rng.choice(recent)
                lines = lines[:1] + rng.sample(lines[1:], len(lines) - 1)
                lines = [f"{line} 🔥" if rng.random() < 0.3 else line for line in lines]
            else:
                language, title_pattern, template, _, fillings = TEMPLATES[rng.randrange(len(TEMPLATES))]
                values = dict(rng.choice(fillings))
                values.update(phone=f"+855 9{rng.randrange(10)} {rng.randrange(100, 999)} {rng.randrange(1000, 9999)}",
                              handle=f"hr_{rng.randrange(10**6):06d}")  # fmt: skip
                # Every new ad gets its own company and city (reposts aside, ads must differ as real ones do).
                company = "".join(rng.choice(SYLLABLES) for _ in range(3)).title()
                values.update(
                    company=f"{company} {rng.choice(SUFFIXES)}", duty=f"{values['duty']}, {rng.choice(CITIES)}"
                )
                if language in ("en", "tl"):
                    values.update(job=rng.choice(JOBS))
                title = title_pattern.format(**values)
                lines = [line.format(**values) for line in template] + rng.sample(FILLER, rng.randrange(3, 7))
                recent = (recent + [(title, lines)])[-200:]
            html = "<div class='ad'>" + "".join(f"<p>{line}</p>" for line in lines) + "<script>track()</script></div>"
            posting = Posting(
                posting_id=f"b{i:06d}", source="bench", source_kind="board", url=f"https://jobs.example.com/{i}",
                canonical_url=f"https://jobs.example.com/{i}", fetched_at="2026-11-29T00:00:00+00:00", run_id="bench",
                title=title, html=html,
            )  # fmt: skip
            out.write(to_json(posting) + "\n")


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
        generate(src, args.postings)
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
        budget = 1000 * args.workers / TARGET - cpu_ms
        print(
            f"geolocation budget at {TARGET:.0f} findings/s on {args.workers} cores: {budget:.2f} CPU ms per finding left"
        )
        print(f"load average after the run: {os.getloadavg()[0]:.1f}")
        print(f"RESULT findings_per_s={rate:.0f} ratio={rate / (args.postings / base_s):.3f}")


if __name__ == "__main__":
    main()
