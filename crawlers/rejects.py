"""Bad input is never dropped silently: each reject is counted, logged with its URL and kept aside."""

from __future__ import annotations

import logging
from pathlib import Path
from typing import TYPE_CHECKING, Any

from scrapy import signals

from lurewatch.run_folder import REJECTS, RejectFile

if TYPE_CHECKING:
    from scrapy.crawler import Crawler
    from twisted.python.failure import Failure

logger = logging.getLogger(__name__)
MAX_URL_CHARS = 2048  # characters of a URL kept in a reject


class RejectLog:
    """Appends one flushed JSON line per rejected page to the run's ``rejects.jsonl`` and counts it by kind."""

    def __init__(self, file: RejectFile, crawler: Crawler) -> None:
        self.file = file
        self.crawler = crawler  # its stats exist only once the crawl has started

    @classmethod
    def for_crawler(cls, crawler: Crawler) -> RejectLog:
        """The crawl's one reject log (spider, pipelines and images share it)."""
        log = getattr(crawler, "_lurewatch_rejects", None)
        if log is None:
            log = cls(RejectFile(Path(crawler.settings["RUN_DIR"]) / REJECTS["crawl"], "crawl"), crawler)
            crawler._lurewatch_rejects = log  # type: ignore[attr-defined]
            crawler.signals.connect(log.file.close, signal=signals.engine_stopped)
        return log

    def add(self, kind: str, url: str, detail: str = "", **extra: Any) -> None:
        from lurewatch.crawlers.urlpolicy import strip_userinfo

        url = strip_userinfo(url)  # credentials in a crawled link never reach a log or a file
        if len(url) > MAX_URL_CHARS:  # a data: URL can be megabytes
            url = url[:MAX_URL_CHARS] + f"...({len(url)} chars)"
        assert self.crawler.stats is not None
        self.crawler.stats.inc_value(f"lurewatch/rejected/{kind}")
        logger.warning("rejected kind=%s url=%s detail=%s", kind, url, detail)
        self.file.add(kind, detail, url=url, **extra)

    def add_failure(self, failure: Failure) -> None:
        """Count and keep aside a failed request (an errback's failure), unless it was dropped on purpose."""
        from lurewatch.crawlers.urlguard import UrlRefused

        if isinstance(failure.value, UrlRefused):
            return  # the URL policy kept it aside already, with its kind
        request = failure.request  # type: ignore[attr-defined]
        kind = failure_kind(failure)
        assert self.crawler.stats is not None
        if kind is None:
            self.crawler.stats.inc_value("lurewatch/ignored_requests")
            return
        self.add(kind, request.url, f"{type(failure.value).__name__}: {failure.value}")


def failure_kind(failure: Failure) -> str | None:
    """The reject kind of a failed request, or None when it was dropped on purpose (robots.txt, already seen)."""
    from scrapy.exceptions import (
        CannotResolveHostError,
        DownloadCancelledError,
        DownloadTimeoutError,
        IgnoreRequest,
        ResponseDataLossError,
    )
    from twisted.internet.error import DNSLookupError, TCPTimedOutError, TimeoutError

    from lurewatch.crawlers.urlguard import PrivateAddressRefused

    text = str(failure.value)
    if isinstance(failure.value, IgnoreRequest):
        if "decompressed" in text:  # HttpCompressionMiddleware: the decoded body is over DOWNLOAD_MAXSIZE
            return "decompression_bomb"
        return "redirect_loop" if "redirect" in text else None
    if isinstance(failure.value, PrivateAddressRefused):
        return "private_address"
    if isinstance(failure.value, (DownloadTimeoutError, TimeoutError, TCPTimedOutError)):
        return "timeout"
    if type(failure.value).__module__.startswith("playwright"):
        return "browser"
    if isinstance(failure.value, (CannotResolveHostError, DNSLookupError)):
        return "dns"
    if isinstance(failure.value, DownloadCancelledError) or "max size" in text:
        return "too_large"
    if isinstance(failure.value, ResponseDataLossError):
        return "data_loss"
    return "network"
