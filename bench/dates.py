"""Benchmark: posted dates parsed per second by enrichment (``parse_posted``) against ``dateparser`` alone.

The corpus mixes the shapes crawled pages write (ISO 8601 from ``<time datetime>`` and feeds, numeric
day/month/year, relative "2 days ago", CJK, Thai with Buddhist-era years, month names), in about the
proportions the fixture and demo sources show: most dates are ISO. Both parse the same strings, after one
warm-up pass each (dateparser loads a language's data on first use, up to seconds).
Last line: RESULT dates_per_s=<ours> dateparser_per_s=<baseline> speedup=<ratio> agree=<share>.
"""

from __future__ import annotations

import time
from datetime import datetime

import dateparser

from lurewatch.enrichment.dates import parse_posted

FETCHED = "2026-11-29T12:00:00+00:00"
SHAPES = [  # (raw, language, weight)
    ("2026-11-{d:02d}T10:{d:02d}:00+00:00", "en", 12),
    ("2026-11-{d:02d}", "en", 4),
    ("{d}/11/2026", "en", 3),
    ("2026-11-{d:02d} 10:00", "zh", 2),
    ("{d} days ago", "en", 2),
    ("2026年11月{d}日", "zh", 1),
    ("{d}/11/2569", "th", 1),
    ("Nov {d}, 2026", "en", 1),
    ("{d} วันที่แล้ว", "th", 1),
]


def corpus() -> list[tuple[str, str]]:
    return [(shape.format(d=d), lang) for shape, lang, weight in SHAPES for _ in range(weight) for d in range(1, 29)]


def main() -> None:
    items = corpus()
    base = datetime(2026, 11, 29, 12, 0)
    settings = {"RELATIVE_BASE": base, "DATE_ORDER": "DMY", "PREFER_DATES_FROM": "past"}

    def ours() -> list[str | None]:
        return [parse_posted(raw, FETCHED, lang) for raw, lang in items]

    def baseline() -> list[str | None]:
        found = [dateparser.parse(raw, languages=[lang, "en"], settings=settings) for raw, lang in items]  # type: ignore[arg-type]
        return [f.date().isoformat() if f else None for f in found]

    for run in (ours, baseline):
        run()  # warm-up: imports, language data
    timings = {}
    results = {}
    for run in (ours, baseline):
        start = time.perf_counter()
        results[run.__name__] = run()
        timings[run.__name__] = time.perf_counter() - start
    agree = sum(
        (a or "")[:10] == (b or "")[:10] for a, b in zip(results["ours"], results["baseline"], strict=True)
    ) / len(items)
    per_s = {name: len(items) / seconds for name, seconds in timings.items()}
    print(f"{len(items)} dates; parse_posted {per_s['ours']:.0f}/s, dateparser alone {per_s['baseline']:.0f}/s")
    print(f"same day from both: {agree:.1%} (Thai Buddhist-era years differ: dateparser keeps 2569)")
    print(f"RESULT dates_per_s={per_s['ours']:.0f} dateparser_per_s={per_s['baseline']:.0f} "
          f"speedup={per_s['ours'] / per_s['baseline']:.1f} agree={agree:.3f}")


if __name__ == "__main__":
    main()
