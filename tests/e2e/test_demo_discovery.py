"""On the crawled demo board: the Telegram channels its ads link to become candidate sources as the run is
indexed (its people's @handles do not), and approving one writes a channel source that `lurewatch sources` accepts."""

from __future__ import annotations

import re

import pytest

from lurewatch import runner
from lurewatch.crawlers.source import load_source
from lurewatch.demo.catalog import generate_ads
from lurewatch.discovery import service
from lurewatch.records import Finding, read_jsonl
from lurewatch.settings import Settings
from tests.cli.test_cli import lurewatch

pytestmark = pytest.mark.slow


def test_demo_telegram_channels_are_candidates_and_one_approved_is_a_valid_channel_source(
    demo_run: str, settings: Settings
) -> None:
    runner.enrich(demo_run, settings=settings)
    runner.index(demo_run, settings=settings)

    ads, _ = generate_ads()
    linked = {name.lower() for ad in ads for name in re.findall(r"t\.me/([A-Za-z0-9_]+)", ad.all_text())}
    handles = {h.lower() for ad in ads for h in re.findall(r"@([A-Za-z][A-Za-z0-9_]{3,})", ad.all_text())}
    assert len(linked) >= 8 and "goldenbay_hr" in handles - linked

    found = service.list_candidates(settings)
    telegram = {c.name: c for c in found if c.kind == "telegram"}
    assert set(telegram) == linked  # every channel the ads link to, and no person's @handle
    findings = {f.posting_id: f for f in read_jsonl(settings.runs_dir / demo_run / "findings.jsonl", Finding)}
    for candidate in telegram.values():
        named = [findings[p] for p in candidate.findings]
        assert all(f"t.me/{candidate.name}" in f.text.lower() for f in named)
        assert candidate.risk_max == max(f.risk_score for f in named)
        assert candidate.networks == len({f.cluster_id for f in named})
    assert [c.score for c in found] == sorted((c.score for c in found), reverse=True)
    print("demo candidates:", ", ".join(f"{c.key} {c.score}" for c in found))

    top = next(c for c in found if c.kind == "telegram")
    approved = lurewatch("candidates", "approve", top.key, "--reason", "demo lures", settings=settings)
    assert approved.returncode == 0, approved.stderr
    path = settings.sources_dir / "candidates" / f"telegram-{top.name}.yml"
    source = load_source(path)
    assert (source.kind, source.base_url, source.start_urls) == ("channel", "https://t.me", [f"/s/{top.name}"])
    checked = lurewatch("sources", settings=settings)
    assert checked.returncode == 0 and f"telegram-{top.name}" in checked.stdout, checked.stdout + checked.stderr
    assert top.key not in [c.key for c in service.list_candidates(settings)]
