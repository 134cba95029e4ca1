"""Scrapy settings for one source: safe defaults, then the source's politeness block."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from lurewatch.crawlers.source import Politeness, Source
from lurewatch.crawlers.urlguard import NO_OTHER_SCHEMES
from lurewatch.crawlers.urlpolicy import UrlPolicy
from lurewatch.run_folder import CRAWL_LOG, POSTINGS

BASE_SETTINGS: dict[str, Any] = {
    "BOT_NAME": "lurewatch",
    "SPIDER_MODULES": [],
    "ROBOTSTXT_OBEY": True,
    "COOKIES_ENABLED": False,
    "TELNETCONSOLE_ENABLED": False,
    "REQUEST_FINGERPRINTER_IMPLEMENTATION": "2.7",
    "EXTENSIONS": {
        # A local code-execution server and a debug console have no place in an unattended crawler.
        "scrapy.extensions.remote_control.RemoteControl": None,
        "scrapy.extensions.telnet.TelnetConsole": None,
        "lurewatch.crawlers.extensions.RunStats": 500,
    },
    "DOWNLOADER_MIDDLEWARES": {
        # First of all: a URL the source may not fetch (scheme, host, private address) never goes further.
        "lurewatch.crawlers.urlguard.UrlPolicyMiddleware": 50,
        # After robots.txt (100): a known detail page is skipped before it reaches the network.
        "lurewatch.crawlers.incremental.IncrementalMiddleware": 120,
        # Same place as Scrapy's RetryMiddleware, which it extends with exponential backoff.
        "scrapy.downloadermiddlewares.retry.RetryMiddleware": None,
        "lurewatch.crawlers.middlewares.BackoffRetryMiddleware": 550,
        # Responses pass middlewares from the highest number down. Decompression first (moved up from 590),
        # so the WARC keeps the decoded body the spider parses; then the WARC, before Redirect (600) and
        # Retry (550) act, so every attempt and every redirect hop is kept; then the loop check.
        "scrapy.downloadermiddlewares.httpcompression.HttpCompressionMiddleware": 620,
        "lurewatch.crawlers.evidence.WarcCaptureMiddleware": 610,
        "lurewatch.crawlers.middlewares.RedirectLoopMiddleware": 605,
        # Before HttpProxyMiddleware (750), which reads meta["proxy"].
        "lurewatch.crawlers.middlewares.SourceProxyMiddleware": 740,
    },
    "DOWNLOAD_HANDLERS": dict(NO_OTHER_SCHEMES),
    # The connection's own name lookups refuse private answers too (DNS rebinding).
    "TWISTED_DNS_RESOLVER": "lurewatch.crawlers.urlguard.PolicyResolver",
    "ITEM_PIPELINES": {
        "lurewatch.crawlers.pipelines.CanonicalizePipeline": 100,
        "lurewatch.crawlers.pipelines.ValidatePipeline": 200,
        "lurewatch.crawlers.images.ImagesPipeline": 300,
        "lurewatch.crawlers.incremental.SeenPipeline": 400,
    },
    # A page yields one posting or a few dozen links; Scrapy's default of 100 starts 100 asyncio workers
    # per response to process them, which costs more than the page itself.
    "CONCURRENT_ITEMS": 16,
    "RETRY_HTTP_CODES": [500, 502, 503, 504, 522, 524, 408, 429],
    "HTTPERROR_ALLOW_ALL": True,  # the spider counts and keeps aside every non-2xx page itself
    "REDIRECT_MAX_TIMES": 10,
    "DOWNLOAD_WARNSIZE": 0,
    "FEED_EXPORT_ENCODING": "utf-8",
    # Unbuffered, synced at checkpoints: a posting reaches the feed only after its WARC record (see checkpoint.py).
    "FEED_STORAGES": {"file": "lurewatch.crawlers.checkpoint.DurableFileFeedStorage"},
    "AUTOTHROTTLE_MAX_DELAY": 30.0,
}


def politeness_settings(polite: Politeness) -> dict[str, Any]:
    """The Scrapy settings a source's politeness block gives; the schema in ``source.py`` holds every default."""
    return {
        "ROBOTSTXT_OBEY": polite.obey_robots,
        "CONCURRENT_REQUESTS": polite.concurrency,
        "CONCURRENT_REQUESTS_PER_DOMAIN": polite.concurrency,
        "DOWNLOAD_DELAY": polite.delay,
        "AUTOTHROTTLE_ENABLED": polite.autothrottle,
        "AUTOTHROTTLE_START_DELAY": polite.delay,
        # Aim at the source's own concurrency; AutoThrottle then backs off when the site slows down.
        "AUTOTHROTTLE_TARGET_CONCURRENCY": float(polite.concurrency),
        "DOWNLOAD_MAXSIZE": polite.max_page_bytes,
        "DOWNLOAD_TIMEOUT": polite.timeout,
        "RETRY_TIMES": polite.retries,
        "RETRY_BACKOFF_BASE": polite.retry_backoff,
        "RETRY_BACKOFF_MAX": polite.retry_backoff_max,
        "SOURCE_PROXY": polite.proxy,
        "INCREMENTAL_REVISIT_AFTER": polite.revisit_seconds(),
        "POSTING_IMAGES_ENABLED": polite.images,
        "POSTING_IMAGES_MAX_BYTES": polite.max_image_bytes,
    }


# A crawler built from BASE_SETTINGS alone (tests, the bench's baseline) is as polite as a source by default.
BASE_SETTINGS.update(politeness_settings(Politeness()))


def crawl_settings(source: Source, run_dir: Path, user_agent: str, log_level: str) -> dict[str, Any]:
    """Settings for crawling ``source`` into ``run_dir`` (``DATA_DIR/runs/<run_id>``).

    Scrapy's own names where Scrapy has one; LureWatch's components are named after themselves
    (``SOURCE_PROXY``, ``INCREMENTAL_*``, ``POSTING_IMAGES_*``, ``WARC_*``, ``RUN_DIR``), never ``LUREWATCH_*``,
    which is the namespace of the environment variables read by ``lurewatch/settings.py``.
    """
    settings = dict(BASE_SETTINGS)
    settings.update(politeness_settings(source.politeness))
    settings.update(
        {
            "USER_AGENT": source.politeness.user_agent or user_agent,
            "SOURCE_NAME": source.name,
            "URLGUARD_ALLOWED_HOSTS": UrlPolicy.for_source(source).host_entries(),
            "URLGUARD_ALLOW_PRIVATE_NETWORKS": source.allow_private_networks,
            # DATA_DIR/state: the incremental store outlives the run folders.
            "INCREMENTAL_STATE_DIR": str(run_dir.resolve().parent.parent / "state"),
            "LOG_LEVEL": log_level,
            "LOG_FILE": str(run_dir / CRAWL_LOG),
            "RUN_DIR": str(run_dir),
            # Appended to, never overwritten: a resumed run adds to the postings its evidence already backs.
            "FEEDS": {str(run_dir / POSTINGS): {"format": "jsonlines", "encoding": "utf-8", "overwrite": False}},
        }
    )
    return settings
