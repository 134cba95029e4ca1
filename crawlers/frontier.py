"""A crawl shared by several processes: scrapy-redis's frontier and dupefilter, kept polite and closed together.

Every crawler process of a run (on this machine or others) pops requests from one Redis queue and adds
fingerprints to one Redis set (``scrapy_redis``), so each page is fetched once between them. Around it:

- ``FrontierScheduler``: scrapy-redis's scheduler; when Redis stops answering, the crawl closes cleanly
  (reason ``frontier_unavailable``) instead of logging an error per request; the run is resumed later.
- ``FrontierPresence``: a process whose queue ran dry stays open while another process still works (that one
  may add requests) and takes up new requests as soon as they are queued.
- ``SharedPoliteness``: the source's delay between two requests to a site holds for all the processes together
  (one "next request at" time per site in Redis), not per process.

Keys: ``lurewatch:<run_id>:requests`` (queue), ``:seen`` (fingerprints), ``:busy:<worker>`` (presence);
``lurewatch:polite:<host>`` (the site's next free slot, across runs and sources).
"""

from __future__ import annotations

import asyncio
import logging
from typing import TYPE_CHECKING, Any
from urllib.parse import urlsplit

import redis
from scrapy import signals
from scrapy.exceptions import DontCloseSpider, NotConfigured
from scrapy.utils.defer import deferred_from_coro
from scrapy_redis.scheduler import Scheduler
from twisted.internet.task import LoopingCall

if TYPE_CHECKING:
    from scrapy import Request, Spider
    from scrapy.crawler import Crawler

logger = logging.getLogger(__name__)

FRONTIER_CLOSED = "frontier_unavailable"  # the finish reason of a crawl whose Redis stopped answering
EXIT_FRONTIER = 4  # exit code of a worker whose Redis did not answer (at the start, or during the crawl)
PRESENCE_EVERY = 0.2  # seconds between two looks at this process's state and the shared queue
PRESENCE_TTL = 10  # seconds a busy mark outlives a process that died without removing it
# One Lua call reserves the site's next slot atomically, on the Redis server's clock (processes on several
# machines need not agree on the time): returns how long to wait, in seconds.
RESERVE_SLOT = """
local t = redis.call('TIME')
local now = tonumber(t[1]) + tonumber(t[2]) / 1000000
local delay = tonumber(ARGV[1])
local free = tonumber(redis.call('GET', KEYS[1]) or '0')
local at = math.max(now, free)
redis.call('SET', KEYS[1], tostring(at + delay), 'PX', math.ceil((at + delay - now) * 1000) + 60000)
return tostring(at - now)
"""


def redact_url(url: str) -> str:
    """``url`` without its password, for messages and logs."""
    parts = urlsplit(url)
    if parts.password:
        netloc = f"{parts.username or ''}:***@{parts.hostname}" + (f":{parts.port}" if parts.port else "")
        return parts._replace(netloc=netloc).geturl()
    return url


def run_keys(run_id: str) -> dict[str, str]:
    base = f"lurewatch:{run_id}"
    return {"queue": f"{base}:requests", "seen": f"{base}:seen", "busy": f"{base}:busy:"}


def frontier_settings(redis_url: str, run_id: str, worker: str, delay: float) -> dict[str, Any]:
    """The Scrapy settings that make a crawl process one worker of the run's shared frontier."""
    keys = run_keys(run_id)
    return {
        "SCHEDULER": "lurewatch.crawlers.frontier.FrontierScheduler",
        "DUPEFILTER_CLASS": "scrapy_redis.dupefilter.RFPDupeFilter",
        "REDIS_URL": redis_url,
        # Short timeouts: a Redis that went away must close the crawl, not hang it for scrapy-redis's 30 s.
        "REDIS_PARAMS": {"socket_timeout": 5, "socket_connect_timeout": 5, "retry_on_timeout": True},
        "SCHEDULER_QUEUE_KEY": keys["queue"],
        "SCHEDULER_DUPEFILTER_KEY": keys["seen"],
        # The queue and fingerprints belong to the run, not to one process: the runner clears them.
        "SCHEDULER_PERSIST": True,
        "FRONTIER_WORKER": worker,
        "FRONTIER_BUSY_KEY": keys["busy"],
        # The delay is the site's, shared through Redis; each process adds none of its own.
        "SHARED_DOWNLOAD_DELAY": delay,
        "DOWNLOAD_DELAY": 0,
        "AUTOTHROTTLE_START_DELAY": 0,
    }


def frontier_components(settings: dict[str, Any]) -> None:
    """Add the frontier's extension and middleware to ``settings`` (a crawl_settings dict) in place."""
    settings["EXTENSIONS"] = {**settings["EXTENSIONS"], "lurewatch.crawlers.frontier.FrontierPresence": 510}
    # After robots.txt (100) and the incremental skip (120): a page that is not fetched takes no slot.
    middlewares = {**settings["DOWNLOADER_MIDDLEWARES"], "lurewatch.crawlers.frontier.SharedPoliteness": 130}
    settings["DOWNLOADER_MIDDLEWARES"] = middlewares


class FrontierScheduler(Scheduler):  # type: ignore[misc]  # scrapy-redis ships no type hints
    """scrapy-redis's scheduler; a Redis error closes the crawl once, with reason ``frontier_unavailable``."""

    crawler: Crawler
    lost: str = ""

    @classmethod
    def from_crawler(cls, crawler: Crawler) -> FrontierScheduler:
        instance: FrontierScheduler = super().from_crawler(crawler)
        instance.crawler = crawler
        return instance

    def _lose(self, exc: Exception) -> None:
        if self.lost:
            return
        self.lost = f"{type(exc).__name__}: {exc}"
        logger.error("the Redis frontier stopped answering (%s): closing the crawl; resume the run later", self.lost)
        stats = self.crawler.stats
        if stats is not None:
            stats.set_value("lurewatch/frontier/error", self.lost)
        engine = self.crawler.engine
        if engine is not None and engine.spider is not None:
            deferred_from_coro(engine.close_spider_async(reason=FRONTIER_CLOSED))

    def enqueue_request(self, request: Request) -> bool:
        # A request lost here is found again on resume: list pages are always fetched again.
        try:
            return bool(super().enqueue_request(request))
        except redis.RedisError as exc:
            self._lose(exc)
            return False

    def next_request(self) -> Request | None:
        if self.lost:
            return None
        try:
            request: Request | None = super().next_request()
        except redis.RedisError as exc:
            self._lose(exc)
            return None
        return request

    def has_pending_requests(self) -> bool:
        if self.lost:
            return False
        try:
            return bool(super().has_pending_requests())
        except redis.RedisError as exc:
            self._lose(exc)
            return False


class FrontierPresence:
    """Marks this process busy in Redis while it works; keeps an idle one open while others are busy."""

    def __init__(self, crawler: Crawler, server: redis.Redis, busy_key: str, worker: str, queue_key: str) -> None:
        self.crawler = crawler
        self.server = server
        self.busy_key = busy_key
        self.mine = busy_key + worker
        self.queue_key = queue_key
        self.loop = LoopingCall(self.beat)

    @classmethod
    def from_crawler(cls, crawler: Crawler) -> FrontierPresence:
        settings = crawler.settings
        if not settings.get("FRONTIER_WORKER"):
            raise NotConfigured("not a worker of a shared frontier")
        server = redis.Redis.from_url(settings["REDIS_URL"], **settings.getdict("REDIS_PARAMS"))
        ext = cls(crawler, server, settings["FRONTIER_BUSY_KEY"], settings["FRONTIER_WORKER"],
                  settings["SCHEDULER_QUEUE_KEY"])  # fmt: skip
        crawler.signals.connect(ext.spider_opened, signal=signals.spider_opened)
        crawler.signals.connect(ext.spider_idle, signal=signals.spider_idle)
        crawler.signals.connect(ext.spider_closed, signal=signals.spider_closed)
        return ext

    def spider_opened(self, spider: Spider) -> None:
        self.loop.start(PRESENCE_EVERY, now=True)

    def beat(self) -> None:
        engine = self.crawler.engine
        if engine is None or engine.spider is None:
            return
        try:
            if not engine.spider_is_idle():
                self.server.set(self.mine, "1", ex=PRESENCE_TTL)
        except redis.RedisError:
            pass  # the scheduler notices too, and closes the crawl
        # The engine pulls from its scheduler when a download ends or at its 5 s heartbeat; requests another
        # process queued (and the end of the crawl) are noticed now instead.
        slot = getattr(engine, "_slot", None)
        if slot is not None:
            slot.nextcall.schedule()

    def _queued(self) -> bool:  # the queue is scrapy-redis's PriorityQueue, a sorted set
        return bool(self.server.zcard(self.queue_key))

    def spider_idle(self, spider: Spider) -> None:
        try:
            self.server.delete(self.mine)
            others = any(True for _ in self.server.scan_iter(match=self.busy_key + "*", count=100))
            if others or self._queued():
                raise DontCloseSpider("another process of the run is still crawling")
        except redis.RedisError:
            return  # nothing to wait for without Redis: the crawl closes

    def spider_closed(self, spider: Spider) -> None:
        if self.loop.running:
            self.loop.stop()
        try:
            self.server.delete(self.mine)
        except redis.RedisError:
            pass


class SharedPoliteness:
    """Waits for the site's next free slot in Redis, so the source's delay holds across all processes."""

    def __init__(self, server: redis.Redis, delay: float) -> None:
        self.server = server
        self.delay = delay
        self.reserve = server.register_script(RESERVE_SLOT)

    @classmethod
    def from_crawler(cls, crawler: Crawler) -> SharedPoliteness:
        settings = crawler.settings
        delay = settings.getfloat("SHARED_DOWNLOAD_DELAY")  # seconds between two requests to one site
        if not settings.get("REDIS_URL") or delay <= 0:
            raise NotConfigured("no shared delay")
        return cls(redis.Redis.from_url(settings["REDIS_URL"], **settings.getdict("REDIS_PARAMS")), delay)

    async def process_request(self, request: Request, spider: Spider) -> None:
        host = urlsplit(request.url).netloc.lower()
        try:
            wait = float(self.reserve(keys=[f"lurewatch:polite:{host}"], args=[self.delay]))
        except redis.RedisError:
            wait = self.delay  # Redis is gone: stay at least as polite as one process alone
        if wait > 0:
            await asyncio.sleep(wait)
