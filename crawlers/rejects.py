"""Bad input is never dropped silently: each reject is counted, logged with its URL and kept aside."""

from __future__ import annotations

import json
import logging
from datetime import UTC, datetime
from pathlib import Path
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from scrapy.crawler import Crawler

logger = logging.getLogger(__name__)


class RejectLog:
    """Appends one JSON line per rejected page to ``rejects.jsonl`` and counts it by kind."""

    def __init__(self, path: Path, crawler: Crawler) -> None:
        self.path = path
        self.crawler = crawler  # its stats exist only once the crawl has started

    def add(self, kind: str, url: str, detail: str = "", **extra: object) -> None:
        assert self.crawler.stats is not None
        self.crawler.stats.inc_value(f"lurewatch/rejected/{kind}")
        logger.warning("rejected kind=%s url=%s detail=%s", kind, url, detail)
        row = {"kind": kind, "url": url, "detail": detail, "at": datetime.now(UTC).isoformat(), **extra}
        with self.path.open("a", encoding="utf-8") as fh:
            fh.write(json.dumps(row, ensure_ascii=False) + "\n")
