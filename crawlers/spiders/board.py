"""The ``board`` spider: list pages → detail pages, following every kind of pagination, driven by a source YAML."""

from __future__ import annotations

import re
from collections.abc import AsyncIterator, Iterator
from typing import TYPE_CHECKING, Any

import scrapy
from w3lib.url import add_or_replace_parameter

from lurewatch.crawlers.extract import select_text
from lurewatch.crawlers.spiders.base import SourceSpider
from lurewatch.crawlers.urlpolicy import path_matches
from lurewatch.records import Posting

if TYPE_CHECKING:
    from lurewatch.crawlers.source import DetailPage, ListPage, Source


class DetailReader(SourceSpider):
    """Reads a posting's detail page with the YAML's ``detail`` selectors (or the source's module)."""

    detail: DetailPage | None = None

    def __init__(self, source: Source, run_id: str, **kwargs: Any) -> None:
        super().__init__(source, run_id, **kwargs)
        self.detail_match = re.compile(self.detail.match) if self.detail and self.detail.match else None

    def wants_detail(self, url: str) -> bool:
        """Whether to request a link: ``match`` sees the path (+query) of an allowed URL only.

        A URL the policy refuses is requested anyway, so the downloader's policy check keeps it as a reject
        with its kind instead of it vanishing here (``file:///x?/job/1`` does not match ``/job/\\d+``).
        """
        if self.detail_match is None or self.url_policy.check(url) is not None:
            return True
        return path_matches(self.detail_match, url)

    def parse_detail(self, response: scrapy.http.Response) -> Iterator[Posting]:
        if self.hook is not None:
            if response.status < 400:
                yield from self.hook_postings(response)
            else:
                self.page(response, "detail")
            return
        page = self.page(response, "detail")
        if page is None:
            return
        if self.detail is None:
            self.rejects.add("no_detail_selectors", response.url, "the source has no `detail:` selectors")
            return
        self.crawler.stats.inc_value("lurewatch/pages/detail")
        region = page.css(self.detail.container) if self.detail.container else page.css("body") or [page]
        if not region:
            self.rejects.add("no_container", response.url, f"selector {self.detail.container!r} matched nothing")
            return
        values: dict[str, str] = {}
        image_urls: list[str] = []
        for name, expr in self.detail.fields.items():
            found = select_text(page, expr)
            if name == "images":
                image_urls = list(self.links(response, found))
            elif found:
                values[name] = " | ".join(found)
        if self.detail.fields.keys() - {"images"} and not values:
            names = ", ".join(self.detail.fields)
            self.rejects.add("empty_fields", response.url, f"no field selector matched ({names})", kept=True)
        if "lurewatch_query" in response.meta:
            values["search_query"] = response.meta["lurewatch_query"]
        yield self.posting(
            response,
            title=values.pop("title", ""),
            html=region[0].get(),
            posted_at=values.pop("posted_at", None),
            author=values.pop("author", ""),
            native_id=values.pop("native_id", ""),
            fields=values,
            image_urls=image_urls,
        )


class BoardSpider(DetailReader):
    """Crawls a job board: list pages (next links, page numbers, 'load more', offsets) and every detail page."""

    name = "board"

    def __init__(self, source: Source, run_id: str, **kwargs: Any) -> None:
        section = getattr(source, source.kind)
        self.listing: ListPage = section.list
        self.detail = section.detail
        super().__init__(source, run_id, **kwargs)

    async def start(self) -> AsyncIterator[scrapy.Request]:
        for url in self.source.absolute_start_urls():
            if request := self.list_request(url):
                yield request

    def list_request(self, url: str, **meta: Any) -> scrapy.Request | None:
        """The first list page of a start URL (or of a search query)."""
        offset = self.listing.offset
        if offset is not None:
            meta["lurewatch_offset"] = offset.start
            url = add_or_replace_parameter(url, offset.param, str(offset.start))
        return self.request(url, self.parse_list, "list", lurewatch_list_page=1, **meta)

    def parse_list(self, response: scrapy.http.Response) -> Iterator[scrapy.Request]:
        page = self.page(response, "list")
        if page is None:
            return
        self.crawler.stats.inc_value("lurewatch/pages/list")
        carried = {k: v for k, v in response.meta.items() if k == "lurewatch_query"}
        links = 0
        found = page.css(self.listing.detail_links).getall()
        for url in self.links(response, found):
            if self.wants_detail(url):
                links += 1
                if request := self.request(url, self.parse_detail, "detail", **carried):
                    yield request
        # Each list page is one step further from its start; max_pages bounds lists that never end.
        number = response.meta.get("lurewatch_list_page", 1)
        if not links and number == 1 and "lurewatch_query" not in carried:
            # A board's first list page without a posting link is a changed layout or a wrong selector,
            # not an empty board. (A search for a rare keyword may well find nothing: not a reject there.)
            why = f"{len(found)} links, none matched detail.match" if found else "the selector matched nothing"
            self.rejects.add("no_links", response.url, f"list.detail_links {self.listing.detail_links!r}: {why}")
        if number >= self.listing.max_pages:
            self.crawler.stats.inc_value("lurewatch/list/stopped_at_max_pages")
            return
        if self.listing.next_page:
            for url in self.links(response, page.css(self.listing.next_page).getall()):
                if request := self.request(url, self.parse_list, "list", lurewatch_list_page=number + 1, **carried):
                    yield request
        offset = self.listing.offset
        # With offsets, a page without postings is the end of the list.
        if offset is not None and links:
            value = response.meta.get("lurewatch_offset", offset.start) + offset.step
            request = self.request(
                add_or_replace_parameter(response.url, offset.param, str(value)),
                self.parse_list,
                "list",
                lurewatch_offset=value,
                lurewatch_list_page=number + 1,
                **carried,
            )
            if request:
                yield request
