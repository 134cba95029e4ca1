"""On the crawled demo board: no place comes from a date, and the countries are the ones the ads are about."""

from __future__ import annotations

from lurewatch import runner
from lurewatch.demo.site import demo_ads
from lurewatch.enrichment.geo_doubts import calendar_words
from lurewatch.records import Finding, read_jsonl
from lurewatch.settings import Settings


def test_no_demo_location_is_a_date_and_countries_are_the_ads_own(demo_run: str, settings: Settings) -> None:
    runner.enrich(demo_run, settings=settings)
    findings = list(read_jsonl(settings.runs_dir / demo_run / "findings.jsonl", Finding))
    assert len(findings) >= 170
    # Every page shows its posting date ("15 Nov 2026"); none of those words may become a place.
    from_dates = [(f.url, loc.name) for f in findings for loc in f.locations if loc.name.casefold() in calendar_words()]
    assert from_dates == []
    about = {ad["country"] for ad in demo_ads()}
    stray = sorted({f.country for f in findings if f.country and f.country not in about})
    assert stray == []
