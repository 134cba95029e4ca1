"""The feed spider: RSS and a sitemap index (sitemaps, one gzipped) → detail pages; Atom entries as postings."""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.support.sites.crawling import crawl_example, postings, rejects, stats
from tests.support.sites.fixtures import job_site
from tests.support.sites.jobsite import JOB_COUNT, RSS_ITEMS, JobSite
from tests.support.sites.server import Site

pytestmark = pytest.mark.slow
__all__ = ["job_site"]


def test_rss_and_sitemap_index_lead_to_every_detail_page_once(job_site: tuple[JobSite, Site], tmp_path: Path) -> None:
    app, site = job_site
    before = len(site.requests)
    run_dir, seconds = crawl_example("example-feed", site.base_url, tmp_path)
    print(f"feed crawl: {seconds:.1f}s")
    found = postings(run_dir)
    assert sorted(p.url for p in found) == sorted(f"{site.base_url}/job/{job.number}" for job in app.jobs)
    assert len({p.posting_id for p in found}) == len(found) == JOB_COUNT
    requested = site.requests[before:]
    for sitemap in ("/sitemap.xml", "/sitemaps/jobs-1.xml", "/sitemaps/jobs-2.xml.gz", "/sitemaps/pages.xml"):
        assert sitemap in requested
    assert "/about" not in requested  # a sitemap entry that does not match detail.match
    assert len([p for p in requested if p.startswith("/job/")]) == JOB_COUNT  # RSS and sitemap overlap: fetched once
    data = stats(run_dir)
    assert data["lurewatch/pages/feed/rss"] == 1 and data["lurewatch/pages/feed/sitemapindex"] == 1
    assert data["lurewatch/pages/feed/urlset"] == 3
    assert data["finish_reason"] == "finished"
    (gone,) = rejects(run_dir)
    assert gone["kind"] == "http_4xx" and gone["url"] == f"{site.base_url}/sitemaps/retired.xml"
    assert all(p.source_kind == "feed" and p.title for p in found)
    assert RSS_ITEMS < JOB_COUNT  # the sitemaps, not the feed alone, make the crawl complete


def test_atom_entries_are_the_postings_when_the_source_says_so(job_site: tuple[JobSite, Site], tmp_path: Path) -> None:
    app, site = job_site
    before = len(site.requests)
    run_dir, seconds = crawl_example("example-feed-entries", site.base_url, tmp_path)
    print(f"feed (entries) crawl: {seconds:.1f}s")
    found = postings(run_dir)
    assert sorted(p.url for p in found) == sorted(f"{site.base_url}/job/{job.number}" for job in app.jobs)
    assert len({p.posting_id for p in found}) == JOB_COUNT
    assert not [p for p in site.requests[before:] if p.startswith("/job/")]
    by_url = {p.url: p for p in found}
    for job in app.jobs:
        posting = by_url[f"{site.base_url}/job/{job.number}"]
        assert posting.title == job.title
        assert posting.native_id == f"urn:mekongjobs:{job.number}"
        assert posting.posted_at == app.posted_at(job).isoformat()
        assert job.text.splitlines()[-1].replace("&", "&amp;") in posting.html
        assert posting.evidence.sha256  # the feed response itself is the evidence
