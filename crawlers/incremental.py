"""Incremental recrawl: a per-source store of seen detail pages and posting content hashes.

``DATA_DIR/state/<source>.sqlite`` remembers when each detail URL was last fetched and, per posting,
first/last seen, how often, and the hash of its content. Known detail pages are not fetched again
before the source's ``revisit_after``; list pages always are.
"""

from __future__ import annotations

import hashlib
import json
import sqlite3
import time
from datetime import UTC, datetime
from pathlib import Path
from typing import TYPE_CHECKING

from scrapy import signals
from scrapy.exceptions import IgnoreRequest, NotConfigured
from w3lib.url import canonicalize_url

if TYPE_CHECKING:
    from scrapy import Request, Spider
    from scrapy.crawler import Crawler
    from scrapy.http import Response

    from lurewatch.records import Posting

SCHEMA = """
CREATE TABLE IF NOT EXISTS fetched (url TEXT PRIMARY KEY, fetched_at REAL NOT NULL);
CREATE TABLE IF NOT EXISTS postings (
    canonical_url TEXT PRIMARY KEY, posting_id TEXT, first_seen TEXT NOT NULL, last_seen TEXT NOT NULL,
    seen_count INTEGER NOT NULL, content_sha256 TEXT NOT NULL, changed_count INTEGER NOT NULL DEFAULT 0
);
"""
COMMIT_EVERY = 200  # writes between commits; the store is also committed when the crawl closes


class AlreadySeen(IgnoreRequest):
    """A detail page fetched less than ``revisit_after`` ago."""


def content_sha256(posting: Posting) -> str:
    """Hash of what the posting says (title, markup, text, fields, images), not of the whole page."""
    content = [posting.title, posting.html, posting.text, sorted(posting.fields.items()), posting.image_urls]
    return hashlib.sha256(json.dumps(content, ensure_ascii=False).encode("utf-8")).hexdigest()


class SeenStore:
    """The SQLite file of one source."""

    def __init__(self, path: Path) -> None:
        path.parent.mkdir(parents=True, exist_ok=True)
        self.path = path
        self.db = sqlite3.connect(path)
        self.db.execute("PRAGMA journal_mode=WAL")
        self.db.execute("PRAGMA synchronous=NORMAL")
        self.db.executescript(SCHEMA)
        self._pending = 0

    def fetched_at(self, url: str) -> float | None:
        row = self.db.execute("SELECT fetched_at FROM fetched WHERE url = ?", (url,)).fetchone()
        return row[0] if row else None

    def mark_fetched(self, url: str, when: float) -> None:
        self.db.execute("INSERT OR REPLACE INTO fetched (url, fetched_at) VALUES (?, ?)", (url, when))
        self._written()

    def see(self, posting: Posting, digest: str, now: str) -> bool:
        """Fill first_seen / last_seen / seen_count of ``posting``; returns whether its content changed."""
        row = self.db.execute(
            "SELECT first_seen, seen_count, content_sha256 FROM postings WHERE canonical_url = ?",
            (posting.canonical_url,),
        ).fetchone()
        posting.last_seen = now
        if row is None:
            posting.first_seen, posting.seen_count, changed = now, 1, False
            self.db.execute(
                "INSERT INTO postings (canonical_url, posting_id, first_seen, last_seen, seen_count, content_sha256)"
                " VALUES (?, ?, ?, ?, 1, ?)",
                (posting.canonical_url, posting.posting_id, now, now, digest),
            )
        else:
            posting.first_seen, posting.seen_count, changed = row[0], row[1] + 1, row[2] != digest
            self.db.execute(
                "UPDATE postings SET last_seen = ?, seen_count = ?, content_sha256 = ?,"
                " changed_count = changed_count + ? WHERE canonical_url = ?",
                (now, posting.seen_count, digest, int(changed), posting.canonical_url),
            )
        self._written()
        return changed

    def _written(self) -> None:
        self._pending += 1
        if self._pending >= COMMIT_EVERY:
            self.commit()

    def commit(self) -> None:
        self.db.commit()
        self._pending = 0

    def close(self) -> None:
        self.commit()
        self.db.close()


def open_store(crawler: Crawler) -> SeenStore:
    """The crawl's store, shared by the middleware and the pipeline (one connection per crawl)."""
    store = getattr(crawler, "_lurewatch_seen_store", None)
    if store is None:
        state_dir = crawler.settings.get("INCREMENTAL_STATE_DIR")
        name = crawler.settings.get("SOURCE_NAME")
        if not state_dir or not name:
            raise NotConfigured("INCREMENTAL_STATE_DIR / SOURCE_NAME are not set")
        store = SeenStore(Path(state_dir) / f"{name}.sqlite")
        crawler._lurewatch_seen_store = store  # type: ignore[attr-defined]
        crawler.signals.connect(store.close, signal=signals.engine_stopped)
    return store


class IncrementalMiddleware:
    """Drops a known detail page fetched less than ``INCREMENTAL_REVISIT_AFTER`` seconds ago."""

    def __init__(self, store: SeenStore, revisit_after: float, crawler: Crawler) -> None:
        self.store = store
        self.revisit_after = revisit_after
        self.crawler = crawler

    @classmethod
    def from_crawler(cls, crawler: Crawler) -> IncrementalMiddleware:
        revisit = crawler.settings.getfloat("INCREMENTAL_REVISIT_AFTER")  # seconds (politeness.revisit_after)
        return cls(open_store(crawler), revisit, crawler)

    def process_request(self, request: Request, spider: Spider) -> None:
        if request.meta.get("lurewatch_role") != "detail":
            return
        fetched_at = self.store.fetched_at(canonicalize_url(request.url))
        if fetched_at is not None and time.time() - fetched_at < self.revisit_after:
            assert self.crawler.stats is not None
            self.crawler.stats.inc_value("lurewatch/incremental/skipped")
            raise AlreadySeen(f"fetched {time.time() - fetched_at:.0f}s ago: {request.url}")

    def process_response(self, request: Request, response: Response, spider: Spider) -> Response:
        if request.meta.get("lurewatch_role") == "detail" and response.status < 400:
            now = time.time()
            # The URL asked for (before redirects) is the one the next crawl will ask for again.
            for url in {request.url, *request.meta.get("redirect_urls", [])}:
                self.store.mark_fetched(canonicalize_url(url), now)
        return response


class SeenPipeline:
    """Fills first_seen, last_seen, seen_count and content_sha256 from the store; counts edited postings."""

    def __init__(self, store: SeenStore, crawler: Crawler) -> None:
        self.store = store
        self.crawler = crawler

    @classmethod
    def from_crawler(cls, crawler: Crawler) -> SeenPipeline:
        return cls(open_store(crawler), crawler)

    def process_item(self, item: Posting, spider: Spider) -> Posting:
        item.content_sha256 = content_sha256(item)
        now = item.fetched_at or datetime.now(UTC).isoformat(timespec="seconds")
        changed = self.store.see(item, item.content_sha256, now)
        assert self.crawler.stats is not None
        self.crawler.stats.inc_value(
            "lurewatch/incremental/new" if item.seen_count == 1 else "lurewatch/incremental/seen_again"
        )
        if changed:
            item.content_changed = True
            self.crawler.stats.inc_value("lurewatch/incremental/content_changed")
        return item
