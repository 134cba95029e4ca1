"""Item pipelines: give each posting its canonical URL and id, then check it is worth keeping."""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING

from scrapy.exceptions import DropItem
from w3lib.url import canonicalize_url

from lurewatch.crawlers.rejects import RejectLog
from lurewatch.records import Posting, posting_id_for

if TYPE_CHECKING:
    from scrapy import Spider
    from scrapy.crawler import Crawler


class CanonicalizePipeline:
    """Sets ``canonical_url`` (w3lib) and the stable ``posting_id``."""

    def process_item(self, item: Posting, spider: Spider) -> Posting:
        if not item.canonical_url:
            item.canonical_url = canonicalize_url(item.url)
        if not item.posting_id:
            item.posting_id = posting_id_for(
                item.canonical_url, item.source, item.native_id if item.source_kind == "channel" else ""
            )
        return item


class ValidatePipeline:
    """Drops a posting without text or title; the drop is counted and kept aside with its URL."""

    def __init__(self, rejects: RejectLog) -> None:
        self.rejects = rejects

    @classmethod
    def from_crawler(cls, crawler: Crawler) -> ValidatePipeline:
        return cls(RejectLog(Path(crawler.settings["RUN_DIR"]) / "rejects.jsonl", crawler))

    def process_item(self, item: Posting, spider: Spider) -> Posting:
        if not (item.title.strip() or item.text.strip()):
            self.rejects.add("no_title", item.url, "posting has neither title nor text", posting_id=item.posting_id)
            raise DropItem(f"no title: {item.url}")
        if not (item.html.strip() or item.text.strip()):
            self.rejects.add("empty", item.url, "posting has no content", posting_id=item.posting_id)
            raise DropItem(f"empty posting: {item.url}")
        return item
