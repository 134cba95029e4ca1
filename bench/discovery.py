"""Source discovery benchmark: what collecting candidate sources adds to the index step.

    .venv/bin/python bench/discovery.py [--findings 20000]

On the SQLite backend, in a temporary data folder: ``--findings`` findings (bench/generate.py), a third of them
naming places (Telegram previews, post links and bare links, WhatsApp invites, Facebook pages, job boards, people's
@handles) drawn from pools so that candidates gather several findings. Times:
- baseline: the index step's upsert of those findings;
- measured: discovery as the index step runs it (read the findings back by id, extract, store the mentions);
- then ``list_candidates`` (aggregate, rank, read the reviews and the sources folder), and discovery again over
  the same findings (a re-indexed run replaces its mentions).
The last line is ``RESULT discover_s=.. index_s=.. ratio=.. list_s=.. candidates=..``.
"""

from __future__ import annotations

import argparse
import random
import tempfile
import time
from dataclasses import replace
from pathlib import Path

from generate import findings

from lurewatch.discovery import service
from lurewatch.index.sqlite.backend import SqliteIndex
from lurewatch.settings import Settings

PLACES = (
    [f"Join our channel t.me/s/kk_jobs_{n}" for n in range(300)]
    + [f"details t.me/asia_work_{n}/{n * 7}" for n in range(300)]
    + [f"Telegram t.me/recruiter_{n}" for n in range(600)]
    + [f"group https://chat.whatsapp.com/Inv{n:019d}" for n in range(200)]
    + [f"page facebook.com/jobs.page.{n}" for n in range(200)]
    + [f"apply https://jobs.careers-{n}.com/apply/1" for n in range(200)]
    + [f"Telegram: @hr_person_{n}" for n in range(600)]
)


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--findings", type=int, default=20_000)
    args = parser.parse_args()
    rng = random.Random(5)
    batch = [
        replace(f, text=f"{f.text}\n{rng.choice(PLACES)}") if rng.random() < 1 / 3 else f
        for f in findings(args.findings, seed=11)
    ]
    with tempfile.TemporaryDirectory() as folder:
        settings = Settings(data_dir=Path(folder) / "data", sources_dir=Path(folder) / "sources")
        index = SqliteIndex(settings.sqlite_file)
        index.setup()
        started = time.perf_counter()
        index.upsert(batch)
        index_s = time.perf_counter() - started
        ids = [f.posting_id for f in batch]
        started = time.perf_counter()
        counts = service.update_from_index(index, settings, ids)
        discover_s = time.perf_counter() - started
        started = time.perf_counter()
        found = service.list_candidates(settings)
        list_s = time.perf_counter() - started
        started = time.perf_counter()
        again = service.update_from_index(index, settings, ids)
        again_s = time.perf_counter() - started
        index.close()
    assert again["all_mentions"] == counts["all_mentions"]  # replaced, not added
    print(f"index upsert (baseline): {index_s:.2f} s for {len(batch):,} findings")
    print(f"discovery: {discover_s:.2f} s ({discover_s / index_s:.2f}× the upsert), {counts['mentions']:,} mentions")
    print(f"again over the same findings: {again_s:.2f} s; list_candidates: {list_s:.2f} s for {len(found):,}")
    print(
        f"RESULT discover_s={discover_s:.2f} index_s={index_s:.2f} ratio={discover_s / index_s:.2f} "
        f"list_s={list_s:.2f} candidates={len(found)}"
    )


if __name__ == "__main__":
    main()
