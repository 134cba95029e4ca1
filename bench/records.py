"""Record serialisation: microseconds per finding for each way a Finding crosses a step boundary.

    .venv/bin/python bench/records.py [--n 3000]

Runs, in the same process over the same generated findings, the serialiser LureWatch uses
(``lurewatch.records``: msgspec) against two named alternatives:
  baseline  the standard library: ``dataclasses.asdict`` + ``json`` (and ``json.loads`` + the dataclass constructors)
  pydantic  ``pydantic.TypeAdapter(Finding)``
for four operations: record to JSON line, record to dict, JSON line to record, dict to record.
Best of 3 rounds each. Last line: ``RESULT`` with the ratio of each operation's baseline time to ours.
"""

from __future__ import annotations

import argparse
import dataclasses
import json
import sys
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

from pydantic import TypeAdapter

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from lurewatch.records import Finding, from_dict, from_json, to_dict, to_json  # noqa: E402
from tests.support.samples import sample_findings  # noqa: E402


def stdlib_from_dict(data: dict[str, Any]) -> Finding:
    """What a hand-written reader has to do: rebuild every nested record from its dict."""
    from lurewatch.records import Contacts, Evidence, Image, Indicator, Location, Salary, Wallet

    d = dict(data)
    d["contacts"] = Contacts(**d["contacts"])
    d["evidence"] = Evidence(**d["evidence"])
    d["salary"] = Salary(**d["salary"]) if d.get("salary") else None
    d["wallets"] = [Wallet(**w) for w in d["wallets"]]
    d["locations"] = [Location(**x) for x in d["locations"]]
    d["indicators"] = [Indicator(**x) for x in d["indicators"]]
    d["images"] = [Image(**x) for x in d["images"]]
    return Finding(**d)


def per_item(fn: Callable[[], object], n: int, rounds: int = 3) -> float:
    best = float("inf")
    for _ in range(rounds):
        start = time.perf_counter()
        fn()
        best = min(best, time.perf_counter() - start)
    return best / n * 1e6


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--n", type=int, default=3000, help="findings to generate")
    args = parser.parse_args()
    findings = list(sample_findings(args.n))
    lines = [to_json(f) for f in findings]
    dicts = [json.loads(line) for line in lines]
    adapter = TypeAdapter(Finding)
    # All three read and write the same records.
    assert json.loads(adapter.dump_json(findings[0])) == dicts[0] == dataclasses.asdict(findings[0])
    assert from_json(Finding, lines[0]) == stdlib_from_dict(dicts[0]) == adapter.validate_json(lines[0])
    n = len(findings)
    ops: dict[str, dict[str, Callable[[], object]]] = {
        "to_json": {
            "ours": lambda: [to_json(f) for f in findings],
            "baseline": lambda: [
                json.dumps(dataclasses.asdict(f), ensure_ascii=False, separators=(",", ":")) for f in findings
            ],  # fmt: skip
            "pydantic": lambda: [adapter.dump_json(f).decode() for f in findings],
        },
        "to_dict": {
            "ours": lambda: [to_dict(f) for f in findings],
            "baseline": lambda: [dataclasses.asdict(f) for f in findings],
            "pydantic": lambda: [adapter.dump_python(f) for f in findings],
        },
        "from_json": {
            "ours": lambda: [from_json(Finding, line) for line in lines],
            "baseline": lambda: [stdlib_from_dict(json.loads(line)) for line in lines],
            "pydantic": lambda: [adapter.validate_json(line) for line in lines],
        },
        "from_dict": {
            "ours": lambda: [from_dict(Finding, d) for d in dicts],
            "baseline": lambda: [stdlib_from_dict(d) for d in dicts],
            "pydantic": lambda: [adapter.validate_python(d) for d in dicts],
        },
    }
    ratios = {}
    print(f"{n} findings, {sum(map(len, lines)) / n:,.0f} bytes of JSON each on average; us per finding, best of 3")
    for op, runs in ops.items():
        times = {name: per_item(fn, n) for name, fn in runs.items()}
        ratios[op] = times["baseline"] / times["ours"]
        print(f"  {op:10s} ours (msgspec) {times['ours']:7.1f}   baseline (stdlib) {times['baseline']:7.1f}   "
              f"pydantic {times['pydantic']:7.1f}   baseline/ours {ratios[op]:.2f}")  # fmt: skip
    print("RESULT " + " ".join(f"{op}_ratio={ratio:.2f}" for op, ratio in ratios.items()))


if __name__ == "__main__":
    main()
