"""The ``board`` spider: list pages → detail pages, following pagination, driven by a source YAML."""

from __future__ import annotations

import re
from collections.abc import AsyncIterator, Iterator
from datetime import UTC, datetime
from pathlib import Path
from typing import TYPE_CHECKING, Any

import scrapy
from scrapy.http import TextResponse
from twisted.python.failure import Failure

from crawlers.extract import decode_page, select_text
from crawlers.rejects import RejectLog
from lurewatch.records import Evidence, Posting

if TYPE_CHECKING:
    from parsel import Selector
    from scrapy.crawler import Crawler

    from crawlers.source import Source

POSTING_ATTRS = {"title", "native_id", "posted_at", "author"}


class BoardSpider(scrapy.Spider):
    """Crawls a job board: list pages (with pagination) and the detail page of every posting."""

    name = "board"

    def __init__(self, source: Source, run_id: str, **kwargs: Any) -> None:
        super().__init__(name=source.name, **kwargs)
        assert source.board is not None
        self.source = source
        self.board = source.board
        self.run_id = run_id
        self.detail_match = re.compile(self.board.detail.match) if self.board.detail.match else None
        self.rejects: RejectLog

    @classmethod
    def from_crawler(cls, crawler: Crawler, *args: Any, **kwargs: Any) -> BoardSpider:
        spider = super().from_crawler(crawler, *args, **kwargs)
        run_dir = Path(crawler.settings["LUREWATCH_RUN_DIR"])
        spider.rejects = RejectLog(run_dir / "rejects.jsonl", crawler)
        return spider

    async def start(self) -> AsyncIterator[scrapy.Request]:
        for url in self.source.absolute_start_urls():
            yield scrapy.Request(url, callback=self.parse_list, errback=self.on_error, meta={"lurewatch_role": "list"})

    def parse_list(self, response: scrapy.http.Response) -> Iterator[scrapy.Request]:
        page = self._page(response, "list")
        if page is None:
            return
        self.crawler.stats.inc_value("lurewatch/pages/list")
        for href in page.css(self.board.list.detail_links).getall():
            url = response.urljoin(href.strip())
            if self.detail_match and not self.detail_match.search(url):
                continue
            yield scrapy.Request(
                url, callback=self.parse_detail, errback=self.on_error, meta={"lurewatch_role": "detail"}
            )
        if self.board.list.next_page:
            for href in page.css(self.board.list.next_page).getall():
                yield scrapy.Request(
                    response.urljoin(href.strip()),
                    callback=self.parse_list,
                    errback=self.on_error,
                    meta={"lurewatch_role": "list"},
                )

    def parse_detail(self, response: scrapy.http.Response) -> Iterator[Posting]:
        page = self._page(response, "detail")
        if page is None:
            return
        self.crawler.stats.inc_value("lurewatch/pages/detail")
        detail = self.board.detail
        region = page.css(detail.container) if detail.container else page.css("body") or [page]
        if not region:
            self.rejects.add("no_container", response.url, f"selector {detail.container!r} matched nothing")
            return
        values: dict[str, str] = {}
        image_urls: list[str] = []
        for name, expr in detail.fields.items():
            found = select_text(page, expr)
            if name == "images":
                image_urls = [response.urljoin(v) for v in found]
            elif found:
                values[name] = " | ".join(found)
        now = datetime.now(UTC).isoformat(timespec="seconds")
        native_id = values.pop("native_id", "")
        yield Posting(
            posting_id="",  # filled by CanonicalizePipeline
            source=self.source.name,
            source_kind=self.source.source_kind,
            url=response.url,
            canonical_url="",
            fetched_at=now,
            run_id=self.run_id,
            title=values.pop("title", ""),
            html=region[0].get(),
            posted_at=values.pop("posted_at", None),
            author=values.pop("author", ""),
            native_id=native_id,
            language_hint=self.source.language_hint,
            fields=values,
            image_urls=image_urls,
            http_status=response.status,
            encoding=response.meta.get("lurewatch_encoding", ""),
            first_seen=now,
            last_seen=now,
            evidence=Evidence(**response.meta.get("evidence", {})),
        )

    def _page(self, response: scrapy.http.Response, role: str) -> Selector | None:
        """The parsed page, or None after counting why it cannot be used."""
        if response.status >= 400:
            kind = "http_5xx" if response.status >= 500 else "http_4xx"
            self.rejects.add(kind, response.url, f"HTTP {response.status} on a {role} page")
            return None
        if not isinstance(response, TextResponse):
            self.rejects.add("not_html", response.url, f"{role} page is not text")
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
