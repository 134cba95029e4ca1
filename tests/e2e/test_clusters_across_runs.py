"""Reposts found in a later run join the clusters that earlier runs started, through the index itself."""

from __future__ import annotations

import json
from pathlib import Path

from lurewatch import runner
from lurewatch.demo.site import demo_ads
from lurewatch.records import Finding, read_jsonl
from lurewatch.settings import Settings


def _split_run(demo_run: str, settings: Settings) -> tuple[str, str, dict[str, str | None]]:
    """The demo run cut in two: first the ads that start a cluster, then every repost, as separate runs."""
    repost_of = {ad["path"]: ad["repost_of"] for ad in demo_ads()}
    src = settings.runs_dir / demo_run
    parts: dict[str, list[str]] = {"originals": [], "reposts": []}
    for line in (src / "postings.jsonl").read_text(encoding="utf-8").splitlines():
        path = "/" + json.loads(line)["url"].split("/", 3)[3]
        parts["reposts" if repost_of.get(path) else "originals"].append(line)
    for name, lines in parts.items():
        run = settings.runs_dir / name
        run.mkdir(parents=True)
        (run / "run.json").write_text(json.dumps({"run_id": name, "source": "demo"}))
        (run / "postings.jsonl").write_text("\n".join(lines) + "\n", encoding="utf-8")
    slug_of_path = {ad["path"]: ad["slug"] for ad in demo_ads()}
    return "originals", "reposts", {slug_of_path[p]: r for p, r in repost_of.items()}


def _findings(settings: Settings, run: str) -> dict[str, Finding]:
    return {
        f.url.rsplit("/", 1)[-1].removesuffix(".html"): f
        for f in read_jsonl(settings.runs_dir / run / "findings.jsonl", Finding)
    }


def test_reposts_in_a_later_run_join_earlier_clusters(demo_run: str, backend_settings: Settings) -> None:
    first, second, truth = _split_run(demo_run, backend_settings)
    runner.enrich(first, settings=backend_settings)
    runner.index(first, settings=backend_settings)
    runner.enrich(second, settings=backend_settings)
    originals, reposts = _findings(backend_settings, first), _findings(backend_settings, second)
    assert len(originals) >= 50 and len(reposts) >= 100
    joined = [
        slug
        for slug, f in reposts.items()
        if truth.get(slug) in originals and f.cluster_id == originals[truth[slug]].cluster_id
    ]
    assert len(joined) >= 0.95 * len(reposts), f"{len(joined)} of {len(reposts)} reposts joined their earlier cluster"
    assert all(reposts[slug].duplicate_of == originals[truth[slug]].posting_id for slug in joined)
    step = json.loads((backend_settings.runs_dir / second / "run.json").read_text())["steps"]["enrich"]
    assert step["clusters_across_runs"] is True


def test_enriching_again_keeps_cluster_ids_stable(demo_run: str, settings: Settings) -> None:
    runner.enrich(demo_run, settings=settings)
    runner.index(demo_run, settings=settings)
    before = {
        f.posting_id: (f.cluster_id, f.duplicate_of)
        for f in read_jsonl(settings.runs_dir / demo_run / "findings.jsonl", Finding)
    }
    runner.enrich(demo_run, settings=settings)
    after = {
        f.posting_id: (f.cluster_id, f.duplicate_of)
        for f in read_jsonl(settings.runs_dir / demo_run / "findings.jsonl", Finding)
    }
    assert after == before
    assert not any(dup == pid for pid, (_, dup) in after.items())


def test_enrichment_goes_on_when_the_index_is_down(demo_run: str, settings: Settings) -> None:
    down = settings.model_copy(update={"index": "elasticsearch", "es_url": "http://127.0.0.1:9", "es_timeout": 2.0})
    runner.enrich(demo_run, settings=down)
    step = json.loads((settings.runs_dir / demo_run / "run.json").read_text())["steps"]["enrich"]
    assert step["findings"] >= 170 and step["clusters_across_runs"] is False
    assert Path(settings.runs_dir / demo_run / "findings.jsonl").exists()
