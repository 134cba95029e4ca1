"""Run statistics: live progress lines on stdout for the parent process, and ``stats.json``.

``stats.json`` is rewritten (atomically) every few seconds while the crawl runs, so a crawler that is
killed still leaves its figures up to its last moments, and once more when the spider closes, with
its ``finish_reason``. Start URLs are counted apart: a crawl that fetched none of them fetched nothing.
"""

from __future__ import annotations

import json
import sys
import time
from datetime import datetime
from pathlib import Path
from typing import TYPE_CHECKING, Any

from scrapy import signals
from scrapy.exceptions import NotConfigured
from twisted.internet.task import LoopingCall

from lurewatch.run_folder import STATS, write_json_atomic

if TYPE_CHECKING:
    from scrapy import Request, Spider
    from scrapy.crawler import Crawler
    from scrapy.http import Response

PROGRESS_PREFIX = "@@progress "
PROGRESS_EVERY = 0.25  # seconds between progress lines
SNAPSHOT_EVERY = 20  # progress lines between two stats.json snapshots (5 seconds)
START_FETCHED = "lurewatch/start_urls/fetched"  # start URLs that answered (below HTTP 400)
START_FAILED = "lurewatch/start_urls/failed"  # start URLs that answered with an HTTP error


class RunStats:
    """Reports pages and postings as the crawl goes; writes every Scrapy stat to ``stats.json``."""

    def __init__(self, run_dir: Path, crawler: Crawler) -> None:
        self.run_dir = run_dir
        self.crawler = crawler
        # A timer, not a handler on every response and item: signal dispatch per page is not free.
        self._timer = LoopingCall(self._emit)
        self._ticks = 0
        self._reader_alive = True
        self._cpu_at_open = time.process_time()

    @classmethod
    def from_crawler(cls, crawler: Crawler) -> RunStats:
        run_dir = crawler.settings.get("RUN_DIR")
        if not run_dir:
            raise NotConfigured("RUN_DIR is not set")
        ext = cls(Path(run_dir), crawler)
        crawler.signals.connect(ext.spider_opened, signal=signals.spider_opened)
        crawler.signals.connect(ext.spider_closed, signal=signals.spider_closed)
        crawler.signals.connect(ext.response_received, signal=signals.response_received)
        return ext

    def response_received(self, response: Response, request: Request, spider: Spider) -> None:
        if request.meta.get("depth", 0) or request.url.endswith("/robots.txt") or "redirect_urls" in request.meta:
            return  # only the start URLs themselves (a redirect's last hop counts through its first)
        assert self.crawler.stats is not None
        self.crawler.stats.inc_value(START_FETCHED if response.status < 400 else START_FAILED)

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
        if self._reader_alive:
            try:
                sys.stdout.write(PROGRESS_PREFIX + json.dumps(line) + "\n")
                sys.stdout.flush()
            except OSError:  # the parent is gone (a broken pipe): the crawl closes without it
                self._reader_alive = False
        self._ticks += 1
        if self._ticks % SNAPSHOT_EVERY == 0:
            self.write_stats()

    def write_stats(self, **extra: Any) -> None:
        assert self.crawler.stats is not None
        stats = {
            k: (v.isoformat() if isinstance(v, datetime) else v) for k, v in self.crawler.stats.get_stats().items()
        }
        stats.update(extra)
        write_json_atomic(self.run_dir / STATS, stats)

    def spider_closed(self, spider: Spider, reason: str) -> None:
        if self._timer.running:
            self._timer.stop()
        assert self.crawler.stats is not None
        # CPU seconds of the crawl itself: a cost figure that holds on a busy machine, unlike wall time.
        self.crawler.stats.set_value("lurewatch/cpu_seconds", round(time.process_time() - self._cpu_at_open, 3))
        self._emit()
        self.write_stats(finish_reason=reason)


EXIT_FETCHED_NOTHING = 3  # exit code of a crawl process that finished without fetching any start URL


def exit_code(stats: dict[str, Any]) -> int:
    """The crawl process's exit code from its stats: 0 finished, 1 stopped early, 3 fetched nothing."""
    if stats.get("finish_reason") != "finished":
        return 1
    return EXIT_FETCHED_NOTHING if not stats.get(START_FETCHED) else 0


def fetched_nothing_line(stats: dict[str, Any]) -> str:
    """One line on why a crawl fetched nothing: its rejects by kind."""
    prefix = "lurewatch/rejected/"
    kinds = [f"{k[len(prefix):]}={v}" for k, v in sorted(stats.items()) if k.startswith(prefix)]
    if stats.get("robotstxt/forbidden"):
        kinds.append(f"robots_forbidden={stats['robotstxt/forbidden']}")
    why = ", ".join(kinds) or "no response"
    return f"fetched nothing: none of its start URLs could be fetched ({why}); each is in rejects.jsonl"
