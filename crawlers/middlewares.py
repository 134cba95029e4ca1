"""Politeness middlewares: a per-source proxy, retries that back off exponentially, redirect loops stopped."""

from __future__ import annotations

import random
from typing import TYPE_CHECKING

from scrapy import Request
from scrapy.downloadermiddlewares.retry import RetryMiddleware
from scrapy.exceptions import IgnoreRequest, NotConfigured
from scrapy.utils.asyncio import sleep
from w3lib.url import canonicalize_url

if TYPE_CHECKING:
    from scrapy import Spider
    from scrapy.crawler import Crawler
    from scrapy.http import Response
    from scrapy.settings import BaseSettings

REDIRECT_CODES = {301, 302, 303, 307, 308}


class SourceProxyMiddleware:
    """Sends every request through the source's proxy (``SOURCE_PROXY``) unless it names its own."""

    def __init__(self, proxy: str) -> None:
        self.proxy = proxy

    @classmethod
    def from_crawler(cls, crawler: Crawler) -> SourceProxyMiddleware:
        proxy = crawler.settings.get("SOURCE_PROXY")
        if not proxy:
            raise NotConfigured("no proxy for this source")
        return cls(proxy)

    def process_request(self, request: Request, spider: Spider) -> None:
        request.meta.setdefault("proxy", self.proxy)


class BackoffRetryMiddleware(RetryMiddleware):
    """Scrapy's retries, each one waiting ``RETRY_BACKOFF_BASE * 2**(n-1)`` seconds (capped, jittered) first.

    The wait happens in the middleware, after the download slot is released, so other requests go on;
    the request still counts against CONCURRENT_REQUESTS, which slows a struggling crawl down as a whole.
    """

    def __init__(self, settings: BaseSettings) -> None:
        super().__init__(settings)
        # Defaults: politeness.retry_backoff and retry_backoff_max in the source schema (crawlers/source.py).
        self.backoff_base = settings.getfloat("RETRY_BACKOFF_BASE")  # seconds before the first retry
        self.backoff_max = settings.getfloat("RETRY_BACKOFF_MAX")  # seconds, cap of one wait

    def backoff(self, retry: Request, retry_after: float = 0.0) -> float:
        """Seconds to wait before ``retry``; a server's own Retry-After is honoured up to the cap."""
        times: int = retry.meta.get("retry_times", 1)
        delay = self.backoff_base * 2.0 ** (times - 1) * random.uniform(0.8, 1.2)
        return min(self.backoff_max, max(delay, retry_after))

    async def _backed_off(
        self, result: Request | Response | None, request: Request, response: Response | None = None
    ) -> Request | Response | None:
        if isinstance(result, Request) and result is not request:
            delay = self.backoff(result, _retry_after(response))
            assert self.crawler.stats is not None
            # Scrapy annotates counts as int; a float adds up the same.
            self.crawler.stats.inc_value("lurewatch/retry/backoff_seconds", round(delay, 3))  # type: ignore[arg-type]
            if delay > 0:
                await sleep(delay)
        return result

    async def process_response(  # type: ignore[override]
        self, request: Request, response: Response, spider: Spider | None = None
    ) -> Request | Response:
        result = await self._backed_off(super().process_response(request, response), request, response)
        assert result is not None
        return result

    async def process_exception(  # type: ignore[override]
        self, request: Request, exception: Exception, spider: Spider | None = None
    ) -> Request | Response | None:
        return await self._backed_off(super().process_exception(request, exception), request)


def _retry_after(response: Response | None) -> float:
    """The Retry-After header in seconds (the HTTP-date form is not followed), else 0."""
    value = response.headers.get("Retry-After") if response is not None else None
    try:
        return max(0.0, float(value)) if value else 0.0
    except ValueError:
        return 0.0


class RedirectLoopMiddleware:
    """Stops a redirect back to a URL of its own chain; Scrapy's dupefilter would drop it without a trace."""

    def process_response(self, request: Request, response: Response, spider: Spider) -> Response:
        location = response.headers.get("Location")
        meta = request.meta
        followed = not (
            meta.get("dont_redirect")
            or meta.get("handle_httpstatus_all")
            or response.status in meta.get("handle_httpstatus_list", ())
        )
        if response.status in REDIRECT_CODES and location and followed:
            target = canonicalize_url(response.urljoin(location.decode("latin-1")))
            chain = {canonicalize_url(url) for url in (*request.meta.get("redirect_urls", []), request.url)}
            if target in chain:
                raise IgnoreRequest(f"redirect loop: {request.url} -> {target}")
        return response
