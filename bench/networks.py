"""Networks at scale: build them for 200,000 findings, then add 10,000 more incrementally (SQLite index).

The findings are network-shaped: 10,000 groups post ads over months, rotating phones (each ad carries the phone of
its stage and often the next), keeping a handle, reposting templates (clusters) and reusing photos; a national
hotline and generic hosts sit in many ads. The last 10,000 ads by date are the incremental run: most join
networks made before, some bridge two of them, some start new ones.

Each step runs in its own process, so its peak memory (VmHWM) is its own. The named baseline is a full rebuild
of all 210,000 findings (``lurewatch networks build --rebuild``), what each run would cost without incremental
updates. The connected-components libraries are compared on the build's graph.

Last line: ``RESULT build_s=.. incremental_s=.. peak_mb=.. rebuild_s=.. speedup=..`` (goals: build < 60 s,
incremental < 5 s, peak < 1 GB).
"""

from __future__ import annotations

import argparse
import multiprocessing
import random
import tempfile
import time
from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

from lurewatch.index.sqlite.backend import SqliteIndex
from lurewatch.records import Contacts, Finding, Image
from lurewatch.settings import Settings

SOURCES = ["jobboard-kh", "social-groups", "channel-previews", "career-feed", "expat-forum"]
START = datetime(2025, 1, 6, tzinfo=UTC)


def network_findings(n: int, mean_ads: int = 20, seed: int = 7) -> list[Finding]:
    rng = random.Random(seed)
    found: list[Finding] = []
    g = -1
    while len(found) < n * 1.1:  # the last tenth by date is cut off, as a crawl at any moment would
        g += 1
        ads = max(1, int(rng.expovariate(1 / mean_ads)))
        phones = [f"+8551{rng.randrange(10**7, 10**8)}" for _ in range(max(1, ads // 6))]
        handle = f"hr_{g}_{rng.randrange(10**6)}"
        photo = f"{rng.getrandbits(64):016x}"
        began = START + timedelta(days=rng.uniform(0, 600))
        for i in range(ads):
            stage = min(i * len(phones) // ads, len(phones) - 1)
            carried = [phones[stage]] + ([phones[stage + 1]] if stage + 1 < len(phones) and rng.random() < 0.5 else [])
            if rng.random() < 0.05:
                carried.append("+6621234567")  # the hotline: over the cap, links nothing
            when = (began + timedelta(days=i * rng.uniform(0.2, 2))).isoformat()
            pid = f"g{g:05d}-{i:04d}"
            found.append(Finding(
                posting_id=pid, source=rng.choice(SOURCES), source_kind="board", url=f"https://x.example/{pid}",
                canonical_url=f"https://x.example/{pid}", fetched_at=when, run_id="bench", title=f"ad {pid}",
                language=rng.choice(["en", "th", "km", "zh"]), country=rng.choice(["KH", "MM", "LA", "TH"]),
                risk_score=rng.randrange(100), cluster_id=f"c{g}-{rng.randrange(3)}",
                contacts=Contacts(phones=carried, telegram=[handle] if rng.random() < 0.5 else [],
                                  domains=["t.me", "facebook.com"]),
                images=[Image(url="", phash=photo)] if rng.random() < 0.3 else [],
            ))  # fmt: skip
    found.sort(key=lambda f: f.fetched_at)
    return found[:n]


def _peak_mb() -> float:
    for line in Path("/proc/self/status").read_text().splitlines():
        if line.startswith("VmHWM:"):
            return int(line.split()[1]) / 1024
    return 0.0


def _step(name: str, settings: Settings, arg: Any, out: Any) -> None:
    from lurewatch.networks import build_networks, update_networks

    clock = time.perf_counter()
    if name == "build":
        report = update_networks(settings)
    elif name == "incremental":
        report = update_networks(settings, posting_ids=arg)
    else:
        report = build_networks(settings, rebuild=True)
    out.put((time.perf_counter() - clock, _peak_mb(), report.line()))


def run_step(name: str, settings: Settings, arg: Any = None) -> tuple[float, float, str]:
    context = multiprocessing.get_context("spawn")  # its own memory: a fork would count the parent's pages
    out = context.Queue()
    process = context.Process(target=_step, args=(name, settings, arg, out))
    process.start()
    result = out.get()
    process.join()
    return result  # type: ignore[no-any-return]


def compare_libraries(settings: Settings) -> None:
    """Connected components of the built graph (findings and their keys) with each library."""
    from collections import Counter

    from lurewatch.index.networks import open_network_store
    from lurewatch.networks.links import is_generic

    store = open_network_store(settings)
    members = list(store.read_findings())
    store.close()
    carried = Counter(key for m in members for key in m.keys)
    keys: dict[str, int] = {}
    sources, targets = [], []
    for i, m in enumerate(members):
        for key in m.keys:
            if is_generic(key) or carried[key] > settings.network_entity_cap:
                continue
            sources.append(i)
            targets.append(len(members) + keys.setdefault(key, len(keys)))
    nodes = len(members) + len(keys)
    print(f"graph: {len(members)} findings, {len(keys)} keys, {len(sources)} edges")

    def scipy_cc() -> int:
        from lurewatch.networks.components import components

        return len(set(components(nodes, sources, targets).tolist()))

    def igraph_cc() -> int:
        import igraph

        return len(igraph.Graph(n=nodes, edges=list(zip(sources, targets, strict=True))).connected_components())

    def networkx_cc() -> int:
        import networkx

        graph = networkx.Graph()
        graph.add_nodes_from(range(nodes))
        graph.add_edges_from(zip(sources, targets, strict=True))
        return sum(1 for _ in networkx.connected_components(graph))

    def union_find() -> int:
        from networkx.utils import UnionFind

        sets = UnionFind(range(nodes))
        for a, b in zip(sources, targets, strict=True):
            sets.union(a, b)
        return sum(1 for _ in sets.to_sets())

    timings: dict[str, float] = {}
    libraries: list[tuple[str, Callable[[], int]]] = [("scipy.sparse.csgraph", scipy_cc), ("igraph", igraph_cc),
                                                       ("networkx", networkx_cc), ("networkx UnionFind", union_find)]  # fmt: skip
    for name, fn in libraries:
        clock = time.perf_counter()
        try:
            count = fn()
        except ImportError:
            print(f"  {name}: not installed")
            continue
        timings[name] = time.perf_counter() - clock
        print(f"  {name}: {count} components in {timings[name]:.2f} s")
    base = timings["scipy.sparse.csgraph"]
    print("  relative to scipy: " + ", ".join(f"{k} {v / base:.1f}x" for k, v in timings.items()))


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--findings", type=int, default=200_000)
    parser.add_argument("--incremental", type=int, default=10_000)
    args = parser.parse_args()
    folder = Path(tempfile.mkdtemp(prefix="lurewatch-bench-networks-"))
    settings = Settings(data_dir=folder)
    total = args.findings + args.incremental
    clock = time.perf_counter()
    findings = network_findings(total)
    print(f"generated {len(findings)} findings in {time.perf_counter() - clock:.1f} s")
    index = SqliteIndex(settings.sqlite_file)
    index.setup()
    clock = time.perf_counter()
    index.upsert(findings[: args.findings])
    print(f"indexed {args.findings} in {time.perf_counter() - clock:.1f} s (not measured)")
    build_s, build_mb, line = run_step("build", settings)
    print(f"build: {line}; {build_s:.1f} s, peak {build_mb:.0f} MB")
    later = findings[args.findings :]
    index.upsert(later)
    index.close()
    incremental_s, incremental_mb, line = run_step("incremental", settings, [f.posting_id for f in later])
    print(f"incremental: {line}; {incremental_s:.2f} s, peak {incremental_mb:.0f} MB")
    rebuild_s, rebuild_mb, line = run_step("rebuild", settings)
    print(f"baseline, full rebuild of {total}: {line}; {rebuild_s:.1f} s, peak {rebuild_mb:.0f} MB")
    print(f"incremental is {rebuild_s / incremental_s:.0f}x faster than rebuilding")
    compare_libraries(settings)
    peak = max(build_mb, incremental_mb)
    print(f"RESULT build_s={build_s:.1f} incremental_s={incremental_s:.2f} peak_mb={peak:.0f} "
          f"rebuild_s={rebuild_s:.1f} speedup={rebuild_s / incremental_s:.0f}")  # fmt: skip


if __name__ == "__main__":
    main()
