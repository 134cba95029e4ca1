"""Hostile source YAML is refused fast: time and peak memory of ``load_source`` on alias bombs and an oversized
file, against the named baseline ``example-board`` (a normal source file) loaded in the same run.

    .venv/bin/python bench/source_config.py [--repeat 5]

A "billion laughs" (9 levels of 9 aliases, under 500 bytes), a doubling chain (60 levels, 2 aliases each:
2**60 values if expanded), 150 aliases of one scalar, and a 300 KB file. Ends with
``RESULT baseline_ms=.. laughs_ms=.. chain_ms=.. aliases_ms=.. oversized_ms=.. worst_ratio=.. worst_peak_kb=..``.
"""

from __future__ import annotations

import argparse
import statistics
import sys
import tempfile
import time
import tracemalloc
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from lurewatch.crawlers.source import load_source  # noqa: E402
from lurewatch.errors import SourceConfigError  # noqa: E402

ROOT = Path(__file__).resolve().parent.parent


def billion_laughs() -> str:
    lines = ['a: &a ["lol","lol","lol","lol","lol","lol","lol","lol","lol"]']
    for previous, name in zip("abcdefgh", "bcdefghi", strict=True):
        lines.append(f"{name}: &{name} [" + ",".join([f"*{previous}"] * 9) + "]")
    return "\n".join(lines) + "\n"


def doubling_chain(levels: int = 60) -> str:
    return "\n".join(["l0: &l0 [x, x]"] + [f"l{n}: &l{n} [*l{n - 1}, *l{n - 1}]" for n in range(1, levels)]) + "\n"


def many_aliases() -> str:
    return "a: &a x\nb: [" + ", ".join(["*a"] * 150) + "]\n"


def oversized() -> str:
    return (ROOT / "sources" / "example-board.yml").read_text() + "#" * 300_000 + "\n"


def load_once(path: Path) -> str:
    try:
        load_source(path)
        return "loaded"
    except SourceConfigError as exc:
        return str(exc).split(": ", 1)[1]


def measure(path: Path, repeat: int) -> tuple[float, int, str]:
    """Median milliseconds (untraced), peak traced kB (one more run), and the outcome."""
    times = []
    for _ in range(repeat):
        start = time.perf_counter()
        outcome = load_once(path)
        times.append((time.perf_counter() - start) * 1000)
    tracemalloc.start()
    load_once(path)
    peak = tracemalloc.get_traced_memory()[1] // 1024
    tracemalloc.stop()
    return statistics.median(times), peak, outcome


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--repeat", type=int, default=5)
    args = parser.parse_args()
    load_source(ROOT / "sources" / "example-board.yml")  # imports and caches out of the measurement
    results: dict[str, tuple[float, int, str]] = {}
    with tempfile.TemporaryDirectory() as tmp:
        cases = {
            "laughs": billion_laughs(),
            "chain": doubling_chain(),
            "aliases": many_aliases(),
            "oversized": oversized(),
        }
        results["baseline"] = measure(ROOT / "sources" / "example-board.yml", args.repeat)
        for name, text in cases.items():
            path = Path(tmp) / f"{name}.yml"
            path.write_text(text)
            results[name] = measure(path, args.repeat)
            print(f"{name:10} {len(text.encode()):>7} bytes", end="  ")
            ms, peak, outcome = results[name]
            print(f"{ms:8.1f} ms  {ms / results['baseline'][0]:6.1f}x baseline  peak {peak:6} kB  {outcome[:90]}")
    base_ms = results["baseline"][0]
    print(f"baseline   example-board.yml  {base_ms:.2f} ms  peak {results['baseline'][1]} kB")
    worst = max((v for k, v in results.items() if k != "baseline"), key=lambda v: v[0])
    fields = " ".join(f"{k}_ms={v[0]:.1f}" for k, v in results.items())
    peak = max(v[1] for k, v in results.items() if k != "baseline")
    print(f"RESULT {fields} worst_ratio={worst[0] / base_ms:.1f} worst_peak_kb={peak}")


if __name__ == "__main__":
    main()
