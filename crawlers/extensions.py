"""Run statistics: live progress lines on stdout for the parent process, and ``stats.json`` at the end."""

from __future__ import annotations

import json
import sys
import time
from datetime import datetime
from pathlib import Path
from typing import TYPE_CHECKING

from scrapy import signals
from scrapy.exceptions import NotConfigured
from twisted.internet.task import LoopingCall

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
        # A timer, not a handler on every response and item: signal dispatch per page is not free.
        self._timer = LoopingCall(self._emit)
        self._cpu_at_open = time.process_time()

    @classmethod
    def from_crawler(cls, crawler: Crawler) -> RunStats:
        run_dir = crawler.settings.get("RUN_DIR")
        if not run_dir:
            raise NotConfigured("RUN_DIR is not set")
        ext = cls(Path(run_dir), crawler)
        crawler.signals.connect(ext.spider_opened, signal=signals.spider_opened)
        crawler.signals.connect(ext.spider_closed, signal=signals.spider_closed)
        return ext

    def spider_opened(self, spider: Spider) -> None:
        self._cpu_at_open = time.process_time()
        self._timer.start(PROGRESS_EVERY, now=True)

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
        if self._timer.running:
            self._timer.stop()
        assert self.crawler.stats is not None
        # CPU seconds of the crawl itself: a cost figure that holds on a busy machine, unlike wall time.
        self.crawler.stats.set_value("lurewatch/cpu_seconds", round(time.process_time() - self._cpu_at_open, 3))
        self._emit()
        assert self.crawler.stats is not None
        stats = {
            k: (v.isoformat() if isinstance(v, datetime) else v) for k, v in self.crawler.stats.get_stats().items()
        }
        stats["finish_reason"] = reason
        (self.run_dir / "stats.json").write_text(json.dumps(stats, indent=2, sort_keys=True, default=str))
