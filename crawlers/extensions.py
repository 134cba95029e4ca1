"""Run statistics: live progress lines on stdout for the parent process, and ``stats.json`` at the end."""

from __future__ import annotations

import json
import sys
import time
from datetime import datetime
from pathlib import Path
from typing import TYPE_CHECKING, Any

from scrapy import signals
from scrapy.exceptions import NotConfigured

if TYPE_CHECKING:
    from scrapy import Spider
    from scrapy.crawler import Crawler

PROGRESS_PREFIX = "@@progress "
PROGRESS_EVERY = 0.25  # seconds between progress lines


class RunStats:
    """Reports pages and postings as the crawl goes; writes every Scrapy stat to ``stats.json``."""

    def __init__(self, run_dir: Path, crawler: Crawler) -> None:
        self.run_dir = run_dir
        self.crawler = crawler
        self._last = 0.0

    @classmethod
    def from_crawler(cls, crawler: Crawler) -> RunStats:
        run_dir = crawler.settings.get("LUREWATCH_RUN_DIR")
        if not run_dir:
            raise NotConfigured("LUREWATCH_RUN_DIR is not set")
        ext = cls(Path(run_dir), crawler)
        crawler.signals.connect(ext.tick, signal=signals.response_received)
        crawler.signals.connect(ext.tick, signal=signals.item_scraped)
        crawler.signals.connect(ext.spider_closed, signal=signals.spider_closed)
        return ext

    def tick(self, **_: Any) -> None:
        now = time.monotonic()
        if now - self._last >= PROGRESS_EVERY:
            self._last = now
            self._emit()

    def _emit(self) -> None:
        stats = self.crawler.stats
        assert stats is not None
        line = {
            "pages": stats.get_value("response_received_count", 0),
            "postings": stats.get_value("item_scraped_count", 0),
        }
        sys.stdout.write(PROGRESS_PREFIX + json.dumps(line) + "\n")
        sys.stdout.flush()

    def spider_closed(self, spider: Spider, reason: str) -> None:
        self._emit()
        assert self.crawler.stats is not None
        stats = {
            k: (v.isoformat() if isinstance(v, datetime) else v) for k, v in self.crawler.stats.get_stats().items()
        }
        stats["finish_reason"] = reason
        (self.run_dir / "stats.json").write_text(json.dumps(stats, indent=2, sort_keys=True, default=str))
