"""A source's Python module may read detail pages with BeautifulSoup (lxml) as well as with Scrapy's selectors."""

from __future__ import annotations

from pathlib import Path

import pytest
from scrapy.http import HtmlResponse

from lurewatch.crawlers.hooks import DetailHook, load_hook
from lurewatch.crawlers.source import load_source
from lurewatch.errors import SourceConfigError
from tests.support.sites.crawling import SOURCES, crawl_example, postings, rejects
from tests.support.sites.fixtures import job_site
from tests.support.sites.jobsite import JOB_COUNT, JobSite
from tests.support.sites.server import Site

__all__ = ["job_site"]

EXAMPLE = SOURCES / "example-board-soup.yml"


def detail_response(app: JobSite, number: int) -> HtmlResponse:
    url = f"http://127.0.0.1:8801/job/{number}"
    return HtmlResponse(url, body=app.detail(app.by_number[number]).encode("utf-8"), encoding="utf-8")


def test_example_hook_gets_a_beautifulsoup_document() -> None:
    source = load_source(EXAMPLE)
    hook = load_hook(source)
    assert isinstance(hook, DetailHook) and hook.wants_soup
    app = JobSite()
    job = app.by_number[120]
    fields = hook(detail_response(app, 120), source)
    assert fields["title"] == job.title and fields["native_id"] == "J120"
    assert fields["text"] == "\n".join(line.strip() for line in job.text.splitlines() if line.strip())
    assert fields["posted_at"] == app.posted_at(job).isoformat()
    assert fields["image_urls"] == ["http://127.0.0.1:8801/media/job-120.png"]
    assert fields["html"].startswith('<article class="job" data-id="120">')


def test_a_selector_hook_is_called_without_soup(tmp_path: Path) -> None:
    (tmp_path / "plain.py").write_text("def parse_detail(response, source):\n    return {'title': 'x'}\n")
    source = load_source(EXAMPLE).model_copy(update={"module": str(tmp_path / "plain.py"), "name": "plain"})
    hook = load_hook(source)
    assert not hook.wants_soup
    assert hook(detail_response(JobSite(), 101), source) == {"title": "x"}


def test_a_hook_that_cannot_take_the_page_is_a_config_error(tmp_path: Path) -> None:
    (tmp_path / "odd.py").write_text("def parse_detail(soup):\n    return None\n")
    source = load_source(EXAMPLE).model_copy(update={"module": str(tmp_path / "odd.py"), "name": "odd"})
    with pytest.raises(SourceConfigError, match=r"parse_detail must take \(response, source\) or"):
        load_hook(source)


@pytest.mark.slow
def test_example_soup_source_crawls_every_job(job_site: tuple[JobSite, Site], tmp_path: Path) -> None:
    app, site = job_site
    run_dir, _ = crawl_example("example-board-soup", site.base_url, tmp_path / "data")
    found = {p.native_id: p for p in postings(run_dir)}
    assert len(found) == JOB_COUNT and not rejects(run_dir)
    job = app.by_number[133]
    assert found["J133"].title == job.title and found["J133"].url == f"{site.base_url}/job/133"
    assert found["J133"].evidence.sha256 and found["J133"].image_urls == [f"{site.base_url}/media/job-133.png"]
