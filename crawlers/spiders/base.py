"""What every source spider shares: the source, rejects, page decoding, error handling, building a Posting."""

from __future__ import annotations

import dataclasses
from collections.abc import Callable, Iterator
from datetime import UTC, datetime
from pathlib import Path
from typing import TYPE_CHECKING, Any

import scrapy
from scrapy.http import HtmlResponse, TextResponse, XmlResponse
from twisted.python.failure import Failure

from lurewatch.crawlers.extract import decode_page
from lurewatch.crawlers.hooks import load_hook
from lurewatch.crawlers.rejects import RejectLog
from lurewatch.crawlers.urlpolicy import Refusal, UrlPolicy
from lurewatch.records import Evidence, Posting

if TYPE_CHECKING:
    from parsel import Selector
    from scrapy.crawler import Crawler

    from lurewatch.crawlers.source import Source

POSTING_FIELDS = {f.name for f in dataclasses.fields(Posting)}
HOOK_FIELDS = {"title", "html", "text", "posted_at", "author", "native_id", "fields", "image_urls", "url"}


class SourceSpider(scrapy.Spider):
    """Base of the spiders driven by a source YAML."""

    def __init__(self, source: Source, run_id: str, **kwargs: Any) -> None:
        super().__init__(name=source.name, **kwargs)
        self.source = source
        self.run_id = run_id
        self.hook = load_hook(source) if source.module else None
        self.run_dir: Path
        self.url_policy = UrlPolicy.for_source(source)
        self.rejects: RejectLog

    @classmethod
    def from_crawler(cls, crawler: Crawler, *args: Any, **kwargs: Any) -> SourceSpider:
        spider = super().from_crawler(crawler, *args, **kwargs)
        spider.run_dir = Path(crawler.settings["RUN_DIR"])
        spider.rejects = RejectLog.for_crawler(crawler)
        return spider

    def request(self, url: str, callback: Callable[..., Any], role: str, **meta: Any) -> scrapy.Request | None:
        """A request tagged with its role: ``list`` (list, feed, index pages) or ``detail`` (a posting's page).

        Every request, allowed or not, goes to the downloader: ``UrlPolicyMiddleware`` refuses and records
        the ones the source may not fetch. A URL Scrapy cannot even make a request of (``javascript:...``)
        is kept aside here, with the same kinds, and None is returned.
        """
        try:
            return scrapy.Request(url, callback=callback, errback=self.on_error, meta={"lurewatch_role": role, **meta})
        except ValueError as exc:
            refusal = self.url_policy.check(url) or Refusal("bad_url", f"not a URL that can be requested: {exc}")
            if refusal.kind != "bad_url":
                self.crawler.stats.inc_value("lurewatch/url_policy/refused")
            self.rejects.add(refusal.kind, url, refusal.detail, role=role)
            return None

    @staticmethod
    def joined(response: scrapy.http.Response, href: str) -> str:
        """``href`` made absolute for a field that is kept, not fetched; left as written when it is not a URL."""
        try:
            return response.urljoin(href.strip())
        except ValueError:
            return href

    def links(self, response: scrapy.http.Response, hrefs: list[str]) -> Iterator[str]:
        """Absolute URLs of ``hrefs`` (stripped, each once); an href that is not a URL at all is a ``bad_url`` reject."""
        seen: set[str] = set()
        for href in hrefs:
            try:
                url = response.urljoin(href.strip())
            except ValueError as exc:  # e.g. http://[::1 : urljoin itself raises
                self.rejects.add("bad_url", href[:2048], f"not a URL: {exc}", page=response.url)
                continue
            if url not in seen:
                seen.add(url)
                yield url

    def posting(self, response: scrapy.http.Response, **values: Any) -> Posting:
        """A Posting for this source from ``response``; ``values`` are the Posting fields the page gave."""
        now = datetime.now(UTC).isoformat(timespec="seconds")
        base: dict[str, Any] = {
            "posting_id": "",  # filled by CanonicalizePipeline
            "source": self.source.name,
            "source_kind": self.source.source_kind,
            "url": response.url,
            "canonical_url": "",
            "fetched_at": now,
            "run_id": self.run_id,
            "language_hint": self.source.language_hint,
            "http_status": response.status,
            "encoding": response.meta.get("lurewatch_encoding", ""),
            "first_seen": now,
            "last_seen": now,
            "evidence": Evidence(**response.meta.get("evidence", {})),
        }
        base.update(values)
        return Posting(**base)

    def hook_postings(self, response: scrapy.http.Response) -> Iterator[Posting]:
        """Run the source module's ``parse_detail``; its errors are rejects, never a crashed crawl."""
        assert self.hook is not None
        try:
            result = self.hook(response, self.source)
        except Exception as exc:  # the analyst's code may fail on any page; keep the page aside and go on
            self.rejects.add("module_error", response.url, f"{type(exc).__name__}: {exc}")
            return
        if result is None:
            self.rejects.add("module_skipped", response.url, "the source module returned None")
            return
        if isinstance(result, Posting):
            values = {k: v for k, v in dataclasses.asdict(result).items() if k in HOOK_FIELDS and v}
            values["image_urls"] = list(result.image_urls)
        elif isinstance(result, dict) and set(result) <= HOOK_FIELDS:
            values = dict(result)
        else:
            self.rejects.add("module_error", response.url, f"parse_detail returned {type(result).__name__}")
            return
        self.crawler.stats.inc_value("lurewatch/pages/detail")
        yield self.posting(response, **values)

    def page(self, response: scrapy.http.Response, role: str) -> Selector | None:
        """The parsed page, or None after counting why it cannot be used."""
        if response.status >= 400:
            kind = "http_5xx" if response.status >= 500 else "http_4xx"
            self.rejects.add(kind, response.url, f"HTTP {response.status} on a {role} page")
            return None
        if not isinstance(response, (HtmlResponse, XmlResponse)):
            ctype = (response.headers.get("Content-Type") or b"").decode("latin-1") or "no Content-Type"
            what = "text" if isinstance(response, TextResponse) else "binary"
            self.rejects.add("not_html", response.url, f"{role} page is {what} ({ctype}), not HTML")
            return None
        page, encoding, repaired = decode_page(response)
        response.meta["lurewatch_encoding"] = encoding
        if repaired:
            self.rejects.add(
                "bad_encoding", response.url, f"declared {response.encoding}, read as {encoding}", kept=True
            )
        return page

    def on_error(self, failure: Failure) -> None:
        self.rejects.add_failure(failure)
