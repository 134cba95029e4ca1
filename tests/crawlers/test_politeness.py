"""Real crawls of the fixture board: robots.txt, per-source user agent and proxy, retries that back off."""

from __future__ import annotations

import base64
import gzip

import pytest

from lurewatch import runner
from lurewatch.crawlers.settings import crawl_settings
from lurewatch.crawlers.source import load_source
from lurewatch.errors import SourceConfigError
from lurewatch.settings import Settings
from tests.support.sites.hostile import serve_board, write_source

ADS = {f"ad{i}": f"Driver wanted, contract {i}" for i in range(7)}


def test_path_disallowed_by_robots_is_never_requested(settings: Settings) -> None:
    write_source(settings.sources_dir, autothrottle="true")
    with serve_board(dict(ADS)) as site:
        run = runner.crawl("fixture", base_url=site.base_url, settings=settings)
        list_html = site.list_page(2).decode()
    assert "/private/private-1" in list_html  # the list does link to it
    assert "/robots.txt" in site.requests and site.count("/ad/") == len(ADS)
    assert site.count("/private/") == 0
    assert run.meta()["steps"]["crawl"]["stats"]["robots_forbidden"] == 1
    assert "scrapy.extensions.throttle.AutoThrottle" in (run.path / "crawl.log").read_text()


def test_source_user_agent_and_proxy_are_used(settings: Settings) -> None:
    with serve_board(dict(ADS)) as proxy:
        proxy_url = proxy.base_url.replace("http://", "http://crawler:s3cret@")
        write_source(settings.sources_dir, user_agent='"FixtureAgent/2 (test)"', proxy=proxy_url)
        # The host cannot resolve: the crawl only works if every request goes through the proxy.
        run = runner.crawl("fixture", base_url="http://jobs.fixture.invalid", settings=settings)
    assert proxy.user_agents == {"FixtureAgent/2 (test)"}
    assert proxy.proxied and all(url.startswith("http://jobs.fixture.invalid/") for url in proxy.proxied)
    assert run.meta()["steps"]["crawl"]["stats"]["postings"] == len(ADS)
    warc = gzip.decompress((run.path / "evidence.warc.gz").read_bytes())
    credentials = base64.b64encode(b"crawler:s3cret")
    assert b"jobs.fixture.invalid" in warc and credentials not in warc and b"s3cret" not in warc


def test_retries_back_off_exponentially(settings: Settings) -> None:
    write_source(settings.sources_dir, retry_backoff=0.6, retries=2, timeout=1)
    with serve_board(dict(ADS), hostile=True) as site:
        runner.crawl("fixture", base_url=site.base_url, settings=settings)
        attempts = [t for t, path in site.times if path == "/ad/h-5xx"]
    assert len(attempts) == 3
    first_wait, second_wait = attempts[1] - attempts[0], attempts[2] - attempts[1]
    assert first_wait >= 0.6 * 0.8 - 0.05  # base, jittered by up to 20 %
    assert second_wait >= 1.2 * 0.8 - 0.05  # doubled


def test_retry_waits_as_long_as_retry_after_asks(settings: Settings) -> None:
    write_source(settings.sources_dir, retry_backoff=0.05, retries=1, timeout=1)
    with serve_board(dict(ADS), hostile=True) as site:
        site.retry_after = "1.5"
        runner.crawl("fixture", base_url=site.base_url, settings=settings)
        first, second = [t for t, path in site.times if path == "/ad/h-5xx"]
    assert second - first >= 1.45


def test_politeness_block_reaches_scrapy_settings(settings: Settings) -> None:
    write_source(settings.sources_dir, concurrency=3, delay=1.5, max_page_bytes=200000, proxy="http://127.0.0.1:3128")
    source = load_source(settings.sources_dir / "fixture.yml")
    values = crawl_settings(source, settings.runs_dir / "r", "UA", "INFO")
    assert values["CONCURRENT_REQUESTS_PER_DOMAIN"] == 3 and values["DOWNLOAD_DELAY"] == 1.5
    assert values["DOWNLOAD_MAXSIZE"] == 200000 and values["SOURCE_PROXY"] == "http://127.0.0.1:3128"
    assert values["ROBOTSTXT_OBEY"] is True and values["AUTOTHROTTLE_ENABLED"] is False
    assert values["INCREMENTAL_STATE_DIR"] == str((settings.data_dir / "state").resolve())
    mws = values["DOWNLOADER_MIDDLEWARES"]
    assert mws["scrapy.downloadermiddlewares.retry.RetryMiddleware"] is None
    assert mws["lurewatch.crawlers.middlewares.BackoffRetryMiddleware"] == 550


def test_ignoring_robots_needs_a_written_reason(settings: Settings) -> None:
    write_source(settings.sources_dir, obey_robots="false")
    with pytest.raises(SourceConfigError, match="robots_reason"):
        load_source(settings.sources_dir / "fixture.yml")
    write_source(settings.sources_dir, obey_robots="false", robots_reason='"our own test site"')
    assert load_source(settings.sources_dir / "fixture.yml").politeness.obey_robots is False
