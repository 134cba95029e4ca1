"""The ``search`` spider: a site's search URL × keyword lists in many languages, then results → details."""

from __future__ import annotations

from collections.abc import AsyncIterator
from urllib.parse import quote, urljoin

import scrapy

from lurewatch.crawlers.keywords import load_queries
from lurewatch.crawlers.spiders.board import BoardSpider


class SearchSpider(BoardSpider):
    """Runs one search per keyword (UTF-8, percent-encoded) and reads the result lists like a board."""

    name = "search"

    def search_urls(self) -> list[tuple[str, str, str]]:
        """(language, keyword, URL) for every query of the source."""
        assert self.source.search is not None
        template = urljoin(self.source.base_url or "", self.source.search.url)
        return [
            (language, keyword, template.replace("{query}", quote(keyword, safe="")))
            for language, keyword in load_queries(self.source)
        ]

    async def start(self) -> AsyncIterator[scrapy.Request]:
        for language, keyword, url in self.search_urls():
            self.crawler.stats.inc_value(f"lurewatch/search/queries/{language}")
            if request := self.list_request(url, lurewatch_query=f"{language}:{keyword}"):
                yield request
