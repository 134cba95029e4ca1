"""Hostile input to the crawler's own readers: generated mutations of fixture pages and source files.

Properties (hypothesis): the source loader answers any text with a Source or a SourceConfigError; the feed,
channel and page readers never raise and give the same result on a re-run. And a real crawl of the job site
with every page mutated ends without a spider exception.
"""

from __future__ import annotations

import json
import random
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from lxml import etree
from scrapy.http import HtmlResponse

from lurewatch.crawlers.extract import decode_page, select_text
from lurewatch.crawlers.source import load_source
from lurewatch.crawlers.spiders.channel import message_text, parse_time, view_count
from lurewatch.crawlers.spiders.feed import PARSER, iso_date, read_entries
from lurewatch.errors import CrawlFailed, SourceConfigError
from tests.support.sites.crawling import SOURCES, crawl_example, postings, rejects, stats
from tests.support.sites.jobsite import FIRST_JOB, JobSite
from tests.support.sites.mutations import POISON, MutatedJobSite, mutate
from tests.support.sites.server import serve

SEEDS = st.integers(min_value=0, max_value=2**32)
TEXT = st.text(st.characters(codec="utf-8"), max_size=200)
FIXTURE = JobSite()
FIXTURE.base_url = "http://127.0.0.1:8801"
PAGES = {
    "detail": FIXTURE.route(f"/job/{FIRST_JOB}", {})[2],
    "list": FIXTURE.route("/jobs", {"page": "1"})[2],
    "rss": FIXTURE.route("/feeds/jobs.rss", {})[2],
    "atom": FIXTURE.route("/feeds/jobs.atom", {})[2],
    "sitemap": FIXTURE.route("/sitemap.xml", {})[2],
}


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(seed=SEEDS, name=st.sampled_from(sorted(p.name for p in SOURCES.glob("*.yml"))))
def test_a_mutated_source_file_is_a_source_or_one_config_error(tmp_path: Path, seed: int, name: str) -> None:
    text = (SOURCES / name).read_bytes()
    path = tmp_path / name
    path.write_bytes(mutate(text, random.Random(seed)))
    try:
        load_source(path)
    except SourceConfigError as exc:
        message = str(exc)
        assert message.startswith(str(path)) and "\n" not in message.strip()


@settings(max_examples=200, deadline=None)
@given(seed=SEEDS, kind=st.sampled_from(["rss", "atom", "sitemap"]))
def test_feed_reader_never_raises_on_a_mutated_feed(seed: int, kind: str) -> None:
    body = mutate(PAGES[kind], random.Random(seed))
    try:
        root = etree.fromstring(body, parser=PARSER)
    except etree.XMLSyntaxError:
        return  # the spider keeps this aside as `not_a_feed`
    if root is None:
        return
    first = read_entries(root)
    assert read_entries(root) == first
    for entry in first[1]:
        iso_date(entry.get("posted_at", ""))


@settings(max_examples=200, deadline=None)
@given(seed=SEEDS, kind=st.sampled_from(["detail", "list"]), declared=st.sampled_from(["utf-8", "latin-1", "tis-620"]))
def test_page_reader_never_raises_on_a_mutated_page(seed: int, kind: str, declared: str) -> None:
    body = mutate(PAGES[kind], random.Random(seed))
    response = HtmlResponse(
        "http://127.0.0.1:8801/x", body=body, headers={"Content-Type": f"text/html; charset={declared}"}
    )
    page, _, _ = decode_page(response)
    for expr in ("h1", "time::attr(datetime)", ".ref", "img.photo::attr(src)", "a.job::attr(href)", "article.job"):
        assert select_text(page, expr) == select_text(page, expr)


@settings(max_examples=300)
@given(TEXT)
def test_channel_and_date_readers_never_raise(text: str) -> None:
    assert message_text(text) == message_text(text)
    view_count(text)
    parse_time(text)
    iso_date(text)


@settings(max_examples=100)
@given(st.lists(st.sampled_from(POISON), max_size=6), TEXT)
def test_channel_text_of_poisoned_html_never_raises(poison: list[bytes], text: str) -> None:
    html = b"".join(poison).decode("utf-8", "replace") + text
    assert message_text(html) == message_text(html)


@pytest.mark.parametrize("seed", [1, 2])
def test_a_crawl_of_a_mutated_site_ends_without_a_spider_exception(tmp_path: Path, seed: int) -> None:
    app = MutatedJobSite(seed)
    with serve(app.route) as site:
        app.base_url = site.base_url
        try:
            run_dir, _ = crawl_example("example-board", site.base_url, tmp_path / "data")
        except CrawlFailed as exc:  # every list page mangled past reading: must say so in one line
            assert "0 postings: every page read failed a selector" in str(exc)
            run_dir = tmp_path / "data" / "runs" / "example-board"
    figures = stats(run_dir)
    assert figures["finish_reason"] == "finished"
    assert not [k for k in figures if k.startswith("spider_exceptions/")], figures
    assert figures.get("log_count/ERROR", 0) == 0, (run_dir / "crawl.log").read_text()[-3000:]
    assert len(postings(run_dir)) + len(rejects(run_dir)) > 0
    for reject in rejects(run_dir):
        json.dumps(reject)  # each one a plain JSON row with a kind and a URL
        assert reject["kind"] and reject["url"]
