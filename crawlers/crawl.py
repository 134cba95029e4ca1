"""Entry point of one crawl process: ``python -m lurewatch.crawlers.crawl SOURCE_YAML RUN_DIR RUN_ID``.

Each crawl runs in a process of its own because Twisted's reactor cannot be restarted; the runner
starts it, reads progress lines from its stdout and finds the outputs in RUN_DIR. The crawl stops
with the process that started it (``--parent-pid``): the kernel signals it when its parent dies
(Linux, PR_SET_PDEATHSIG), and a watchdog checks the parent every second wherever that is not available. Either way it
shuts down as on Ctrl-C, so ``stats.json`` is written, and it records the end in ``run.json`` itself.
"""

from __future__ import annotations

import argparse
import ctypes
import os
import signal
import sys
from pathlib import Path

import redis
from scrapy.crawler import CrawlerProcess
from scrapy.settings import Settings
from twisted.internet.task import LoopingCall

from lurewatch.crawlers.browser import browser_problem
from lurewatch.crawlers.extensions import EXIT_FETCHED_NOTHING, exit_code, fetched_nothing_line
from lurewatch.crawlers.frontier import (
    EXIT_FRONTIER,
    FRONTIER_CLOSED,
    frontier_components,
    frontier_settings,
    redact_url,
)
from lurewatch.crawlers.settings import crawl_settings
from lurewatch.crawlers.source import load_source
from lurewatch.crawlers.spiders.board import BoardSpider
from lurewatch.crawlers.spiders.channel import ChannelSpider
from lurewatch.crawlers.spiders.feed import FeedSpider
from lurewatch.crawlers.spiders.search import SearchSpider
from lurewatch.crawlers.spiders.social import SocialSpider
from lurewatch.errors import LureWatchError
from lurewatch.run_folder import RunFolder, now_iso, trim_partial_tail
from lurewatch.settings import get_settings

# Reject kinds that mean "a selector of the source matched nothing on this page".
SELECTOR_MISSES = ("no_links", "no_container", "no_posts")
SPIDERS = {
    "board": BoardSpider,
    "search": SearchSpider,
    "feed": FeedSpider,
    "channel": ChannelSpider,
    "social": SocialSpider,
}
PR_SET_PDEATHSIG = 1  # prctl(2) option: the signal this process gets when its parent dies
WATCHDOG_EVERY = 1.0  # seconds between two looks at the parent
FORCE_AFTER = 10  # watchdog looks after the parent died before a second SIGTERM forces the stop


def die_with_parent(parent_pid: int) -> bool:
    """Ask the kernel for a signal when the parent dies (True if it will); stop now if it already has.

    The kernel's signal is SIGHUP, turned here into one SIGTERM: the kernel signals again each time the
    child is handed to another thread of the dying parent, and a second SIGTERM would make Scrapy stop
    by force, without closing the run.
    """
    stopping: list[int] = []

    def on_parent_death(signum: int, frame: object) -> None:
        if not stopping:
            stopping.append(signum)
            os.kill(os.getpid(), signal.SIGTERM)  # Scrapy stops gracefully, as on Ctrl-C

    kernel = False
    if sys.platform.startswith("linux"):
        signal.signal(signal.SIGHUP, on_parent_death)
        libc = ctypes.CDLL(None, use_errno=True)
        kernel = bool(libc.prctl(PR_SET_PDEATHSIG, signal.SIGHUP, 0, 0, 0) == 0)
    if os.getppid() != parent_pid:  # it died before prctl took effect
        on_parent_death(signal.SIGHUP, None)
    return kernel


class ParentWatchdog:
    """Stops the crawl gracefully when the parent is gone, then forcefully if that takes too long."""

    def __init__(self, parent_pid: int, kernel_signals: bool) -> None:
        self.parent_pid = parent_pid
        self.kernel_signals = kernel_signals  # the kernel sends the first SIGTERM itself
        self.orphaned = 0
        self.loop = LoopingCall(self.check)

    def check(self) -> None:
        if os.getppid() == self.parent_pid:
            return
        self.orphaned += 1
        # Scrapy stops gracefully on the first SIGTERM and at once on the second.
        if (self.orphaned == 1 and not self.kernel_signals) or self.orphaned == FORCE_AFTER:
            os.kill(os.getpid(), signal.SIGTERM)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("source", type=Path)
    parser.add_argument("run_dir", type=Path)
    parser.add_argument("run_id")
    parser.add_argument("--base-url", default=None)
    parser.add_argument("--parent-pid", type=int, default=None, help="stop when this process is gone")
    parser.add_argument("--frontier", default=None, help="Redis URL of the run's shared frontier (with --worker)")
    parser.add_argument("--worker", default=None, help="this process's name among the run's crawler processes")
    parser.add_argument("--state-dir", type=Path, default=None, help="this worker's copy of the incremental state")
    args = parser.parse_args(argv)
    kernel_signals = die_with_parent(args.parent_pid) if args.parent_pid else False
    try:
        source = load_source(args.source)
    except LureWatchError as exc:
        print(str(exc), file=sys.stderr)
        return 2
    if args.base_url:
        source = source.with_base_url(args.base_url)
    args.run_dir.mkdir(parents=True, exist_ok=True)
    settings = get_settings()
    if source.kind == "social":
        problem = browser_problem(settings.chromium)
        if problem:
            print(f"{source.name}: {problem}", file=sys.stderr)
            return 2
    scrapy_settings = crawl_settings(source, args.run_dir, settings.user_agent, settings.log_level)
    if args.frontier:
        if not args.worker:
            parser.error("--frontier needs --worker")
        scrapy_settings.update(frontier_settings(args.frontier, args.run_id, args.worker, source.politeness.delay))
        frontier_components(scrapy_settings)
        if args.state_dir:
            scrapy_settings["INCREMENTAL_STATE_DIR"] = str(args.state_dir)
        try:
            redis.Redis.from_url(args.frontier, socket_connect_timeout=5).ping()
        except redis.RedisError as exc:
            print(f"{source.name}: the Redis frontier at {redact_url(args.frontier)} does not answer: {exc}", file=sys.stderr)
            return EXIT_FRONTIER
    else:
        trim_partial_tail(args.run_dir)  # a resumed run appends after whole records only
    process = CrawlerProcess(Settings(scrapy_settings))
    process.crawl(SPIDERS[source.kind], source=source, run_id=args.run_id)
    watchdog = ParentWatchdog(args.parent_pid, kernel_signals) if args.parent_pid else None
    if watchdog:
        watchdog.loop.start(WATCHDOG_EVERY, now=False)
    process.start()
    folder = RunFolder(args.run_id, args.run_dir)
    stats = folder.stats()
    code = exit_code(stats)
    if args.frontier:
        # One worker of several: the runner judges the run from every worker's stats together.
        if stats.get("finish_reason") == FRONTIER_CLOSED:
            print(f"{source.name}: {stats.get('lurewatch/frontier/error', 'Redis stopped answering')}", file=sys.stderr)
            return EXIT_FRONTIER
        return 0 if stats.get("finish_reason") == "finished" else 1
    if watchdog and os.getppid() != args.parent_pid:
        # Nobody is left to record how the crawl ended: record it here.
        if not stats.get("finish_reason"):  # stopped by force: the last snapshot of the stats is what there is
            stats["finish_reason"] = "parent died; stopped by force"
            folder.write_stats(stats)
        folder.update(status="incomplete", incomplete_reason="the process that started the crawl died")
        folder.record("crawl", exit_code=code, finished=now_iso(), orphaned=True, finish_reason=stats.get("finish_reason"))
    if code == EXIT_FETCHED_NOTHING:
        print(f"{source.name}: {fetched_nothing_line(stats)}", file=sys.stderr)
    elif code == 0 and (problem := selector_failure(stats)):
        print(f"{source.name}: {problem}", file=sys.stderr)
        code = 1
    return code


def selector_failure(stats: dict[str, object]) -> str | None:
    """Why a crawl that fetched pages but yielded no posting failed, when every page failed a selector."""
    misses = {kind: stats.get(f"lurewatch/rejected/{kind}", 0) for kind in SELECTOR_MISSES}
    if stats.get("item_scraped_count", 0) or stats.get("lurewatch/incremental/skipped", 0) or not any(misses.values()):
        return None
    counts = ", ".join(f"{kind}: {count}" for kind, count in misses.items() if count)
    return f"0 postings: every page read failed a selector ({counts}); the site changed or a selector is wrong (see rejects.jsonl)"


if __name__ == "__main__":
    sys.exit(main())
