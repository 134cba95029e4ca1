"""Entry point of one crawl process: ``python -m lurewatch.crawlers.crawl SOURCE_YAML RUN_DIR RUN_ID``.

Each crawl runs in a process of its own because Twisted's reactor cannot be restarted; the runner
starts it, reads progress lines from its stdout and finds the outputs in RUN_DIR.
"""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path

from scrapy.crawler import CrawlerProcess
from scrapy.settings import Settings

from lurewatch.crawlers.browser import browser_problem
from lurewatch.crawlers.settings import crawl_settings
from lurewatch.crawlers.source import load_source
from lurewatch.crawlers.spiders.board import BoardSpider
from lurewatch.crawlers.spiders.channel import ChannelSpider
from lurewatch.crawlers.spiders.feed import FeedSpider
from lurewatch.crawlers.spiders.search import SearchSpider
from lurewatch.crawlers.spiders.social import SocialSpider
from lurewatch.errors import LureWatchError
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


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("source", type=Path)
    parser.add_argument("run_dir", type=Path)
    parser.add_argument("run_id")
    parser.add_argument("--base-url", default=None)
    args = parser.parse_args(argv)
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
    process = CrawlerProcess(Settings(crawl_settings(source, args.run_dir, settings.user_agent, settings.log_level)))
    process.crawl(SPIDERS[source.kind], source=source, run_id=args.run_id)
    process.start()
    stats = json.loads((args.run_dir / "stats.json").read_text()) if (args.run_dir / "stats.json").exists() else {}
    if stats.get("finish_reason") != "finished":
        return 1
    problem = selector_failure(stats)
    if problem:
        print(f"{source.name}: {problem}", file=sys.stderr)
        return 1
    return 0


def selector_failure(stats: dict[str, object]) -> str | None:
    """Why a crawl that fetched pages but yielded no posting failed, when every page failed a selector."""
    misses = {kind: stats.get(f"lurewatch/rejected/{kind}", 0) for kind in SELECTOR_MISSES}
    if stats.get("item_scraped_count", 0) or stats.get("lurewatch/incremental/skipped", 0) or not any(misses.values()):
        return None
    counts = ", ".join(f"{kind}: {count}" for kind, count in misses.items() if count)
    return f"0 postings: every page read failed a selector ({counts}); the site changed or a selector is wrong (see rejects.jsonl)"


if __name__ == "__main__":
    sys.exit(main())
