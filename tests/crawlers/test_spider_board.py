"""The board spider through every kind of pagination: numbered pages, 'load more' anchors, bare offsets."""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.support.sites.crawling import SOURCES, crawl_example, postings, rejects, stats
from tests.support.sites.fixtures import job_site
from tests.support.sites.jobsite import JOB_COUNT, PAGE_SIZE, JobSite
from tests.support.sites.server import Site

pytestmark = pytest.mark.slow
__all__ = ["job_site"]

LOAD_MORE = """\
  list:
    detail_links: "a.job::attr(href)"
    next_page: "a.load-more::attr(href)"
"""
OFFSET = """\
  list:
    detail_links: "a.job::attr(href)"
    offset: {param: start, step: 10}
"""


def _variant(tmp_path: Path, name: str, start: str, listing: str) -> Path:
    text = (SOURCES / "example-board.yml").read_text()
    head, rest = text.split("  list:\n", 1)
    rest = rest.split("  detail:\n", 1)[1]
    text = head.replace('["/jobs?page=1"]', f'["{start}"]') + listing + "  detail:\n" + rest
    path = tmp_path / f"{name}.yml"
    path.write_text(text.replace("name: example-board", f"name: {name}"))
    return path


def _assert_complete(run_dir: Path, app: JobSite, site: Site) -> None:
    found = postings(run_dir)
    assert sorted(p.url for p in found) == sorted(f"{site.base_url}/job/{job.number}" for job in app.jobs)
    assert len({p.posting_id for p in found}) == len(found) == JOB_COUNT
    assert stats(run_dir)["finish_reason"] == "finished"
    assert not rejects(run_dir)


def test_numbered_pages_reach_every_posting_once(job_site: tuple[JobSite, Site], tmp_path: Path) -> None:
    app, site = job_site
    before = len(site.requests)
    run_dir, seconds = crawl_example("example-board", site.base_url, tmp_path)
    print(f"board crawl: {seconds:.1f}s")
    _assert_complete(run_dir, app, site)
    lists = [p for p in site.requests[before:] if p.startswith("/jobs")]
    assert sorted(lists) == sorted(f"/jobs?page={n}" for n in range(1, JOB_COUNT // PAGE_SIZE + 1))
    job = next(j for j in app.jobs if j.language == "th" and j.lure)
    posting = next(p for p in postings(run_dir) if p.url.endswith(f"/job/{job.number}"))
    assert posting.title == job.title and posting.native_id == f"J{job.number}"
    assert posting.posted_at == app.posted_at(job).isoformat()
    assert posting.image_urls == [f"{site.base_url}/media/job-{job.number}.png"]


def test_load_more_anchors_are_followed_to_the_end(job_site: tuple[JobSite, Site], tmp_path: Path) -> None:
    app, site = job_site
    before = len(site.requests)
    run_dir, _ = crawl_example(
        "load-more", site.base_url, tmp_path, _variant(tmp_path, "load-more", "/latest", LOAD_MORE)
    )
    _assert_complete(run_dir, app, site)
    lists = [p for p in site.requests[before:] if p.startswith("/latest")]
    assert lists == ["/latest"] + [f"/latest?offset={n}" for n in range(PAGE_SIZE, JOB_COUNT, PAGE_SIZE)]


def test_offset_paging_without_links_stops_at_the_first_empty_page(
    job_site: tuple[JobSite, Site], tmp_path: Path
) -> None:
    app, site = job_site
    before = len(site.requests)
    run_dir, _ = crawl_example("offsets", site.base_url, tmp_path, _variant(tmp_path, "offsets", "/archive", OFFSET))
    _assert_complete(run_dir, app, site)
    lists = [p for p in site.requests[before:] if p.startswith("/archive")]
    assert lists == [f"/archive?start={n}" for n in range(0, JOB_COUNT + PAGE_SIZE, PAGE_SIZE)]


def test_max_pages_bounds_a_list_that_keeps_going(job_site: tuple[JobSite, Site], tmp_path: Path) -> None:
    _, site = job_site
    source = _variant(
        tmp_path,
        "short",
        "/latest",
        LOAD_MORE.replace('load-more::attr(href)"', 'load-more::attr(href)"\n    max_pages: 2'),
    )
    before = len(site.requests)
    run_dir, _ = crawl_example("short", site.base_url, tmp_path, source)
    assert [p for p in site.requests[before:] if p.startswith("/latest")] == ["/latest", f"/latest?offset={PAGE_SIZE}"]
    assert len(postings(run_dir)) == 2 * PAGE_SIZE
    assert stats(run_dir)["lurewatch/list/stopped_at_max_pages"] == 1
