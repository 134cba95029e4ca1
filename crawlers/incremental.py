"""Incremental recrawl: a per-source store of seen detail pages and posting content hashes.

``DATA_DIR/state/<source>.sqlite`` remembers when each detail URL was last fetched (and by which run)
and, per posting, first/last seen, how often, and the hash of its content. Known detail pages are not
fetched again before the source's ``revisit_after``; list pages always are.

The store is committed only at checkpoints, after the WARC and the postings feed are synced, and it
knows which runs are crawling. A run that never closed (its crawler was killed) is recovered when the
next crawl of the source opens the store: its pages stay known only where the run's postings.jsonl
holds a posting whose WARC record verifies; every other page it fetched is fetched again.
"""

from __future__ import annotations

import hashlib
import json
import logging
import os
import socket
import sqlite3
import time
from collections.abc import Callable
from datetime import UTC, datetime
from pathlib import Path
from typing import TYPE_CHECKING

from scrapy import signals
from scrapy.exceptions import IgnoreRequest, NotConfigured
from twisted.internet.task import LoopingCall
from w3lib.url import canonicalize_url

from lurewatch.crawlers.checkpoint import checkpoint_for
from lurewatch.run_folder import RunFolder, now_iso, process_alive

if TYPE_CHECKING:
    from scrapy import Request, Spider
    from scrapy.crawler import Crawler
    from scrapy.http import Response

    from lurewatch.records import Posting

logger = logging.getLogger(__name__)

SCHEMA = """
CREATE TABLE IF NOT EXISTS fetched (url TEXT PRIMARY KEY, fetched_at REAL NOT NULL, run_id TEXT);
CREATE TABLE IF NOT EXISTS runs (
    run_id TEXT PRIMARY KEY, run_dir TEXT NOT NULL, pid INTEGER, host TEXT, started TEXT, finished TEXT
);
CREATE TABLE IF NOT EXISTS postings (
    canonical_url TEXT PRIMARY KEY, posting_id TEXT, first_seen TEXT NOT NULL, last_seen TEXT NOT NULL,
    seen_count INTEGER NOT NULL, content_sha256 TEXT NOT NULL, changed_count INTEGER NOT NULL DEFAULT 0
);
"""
COMMIT_EVERY = 200  # writes between checkpoints; the store is also committed when the crawl closes
CHECKPOINT_EVERY = 5.0  # seconds between checkpoints however few the writes (less to fetch again after a crash)


class AlreadySeen(IgnoreRequest):
    """A detail page fetched less than ``revisit_after`` ago."""


def content_sha256(posting: Posting) -> str:
    """Hash of what the posting says (title, markup, text, fields, images), not of the whole page."""
    content = [posting.title, posting.html, posting.text, sorted(posting.fields.items()), posting.image_urls]
    return hashlib.sha256(json.dumps(content, ensure_ascii=False).encode("utf-8")).hexdigest()


class SeenStore:
    """The SQLite file of one source."""

    def __init__(self, path: Path, run_id: str = "", checkpoint: Callable[[], None] | None = None) -> None:
        path.parent.mkdir(parents=True, exist_ok=True)
        self.path = path
        self.run_id = run_id
        self.db = sqlite3.connect(path)
        self.db.execute("PRAGMA journal_mode=WAL")
        self.db.execute("PRAGMA synchronous=FULL")  # a commit is the checkpoint's last step: make it durable
        self.db.executescript(SCHEMA)
        if "run_id" not in {row[1] for row in self.db.execute("PRAGMA table_info(fetched)")}:
            self.db.execute("ALTER TABLE fetched ADD COLUMN run_id TEXT")  # a store from before runs were tracked
        self.db.commit()
        # Evidence and feed are synced before every commit; without a crawl (tests, tools) a commit is just that.
        self._checkpoint = checkpoint or self.commit
        self._pending = 0

    def begin_run(self, run_dir: Path) -> dict[str, int]:
        """Recover runs whose crawler died, then record this run as crawling; returns what recovery did."""
        recovered = self.recover_crashed_runs()
        self.db.execute(
            "INSERT OR REPLACE INTO runs (run_id, run_dir, pid, host, started, finished) VALUES (?, ?, ?, ?, ?, NULL)",
            (self.run_id, str(run_dir), os.getpid(), socket.gethostname(), now_iso()),
        )
        self.db.commit()
        return recovered

    def end_run(self) -> None:
        self.db.execute("UPDATE runs SET finished = ? WHERE run_id = ?", (now_iso(), self.run_id))

    def recover_crashed_runs(self) -> dict[str, int]:
        """Forget the pages of dead, unfinished runs that have no verified posting; returns the counts."""
        totals = {"runs": 0, "kept": 0, "refetch": 0}
        rows = self.db.execute("SELECT run_id, run_dir, pid, host FROM runs WHERE finished IS NULL").fetchall()
        for run_id, run_dir, pid, host in rows:
            if process_alive(pid, host):
                continue  # another crawl of this source is running right now
            verified = verified_urls(Path(run_dir))
            marked = [row[0] for row in self.db.execute("SELECT url FROM fetched WHERE run_id = ?", (run_id,))]
            unverified = [url for url in marked if url not in verified]
            self.db.executemany("DELETE FROM fetched WHERE url = ?", [(url,) for url in unverified])
            self.db.execute("UPDATE runs SET finished = ? WHERE run_id = ?", (f"crashed; recovered {now_iso()}", run_id))
            totals["runs"] += 1
            totals["kept"] += len(marked) - len(unverified)
            totals["refetch"] += len(unverified)
            logger.warning(
                "run %s crashed before it closed: %d pages verified and kept, %d will be fetched again",
                run_id, len(marked) - len(unverified), len(unverified),
            )  # fmt: skip
            folder = RunFolder(run_id, Path(run_dir))
            if folder.meta().get("status") == "running" and run_id != self.run_id:
                folder.update(status="incomplete", incomplete_reason="the crawler died before the run closed")
        self.db.commit()
        return totals

    def fetched_at(self, url: str) -> float | None:
        row = self.db.execute("SELECT fetched_at FROM fetched WHERE url = ?", (url,)).fetchone()
        return row[0] if row else None

    def mark_fetched(self, url: str, when: float) -> None:
        self.db.execute(
            "INSERT OR REPLACE INTO fetched (url, fetched_at, run_id) VALUES (?, ?, ?)", (url, when, self.run_id)
        )
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
            self._checkpoint()

    def commit(self) -> None:
        self.db.commit()
        self._pending = 0

    def close(self) -> None:
        self.end_run()
        self._checkpoint()
        self.db.close()


def verified_urls(run_dir: Path) -> set[str]:
    """Canonical URLs of the run's postings whose WARC record verifies (and the URL it was fetched at)."""
    from lurewatch.evidence import VerifyReport, verify_posting
    from lurewatch.records import Posting
    from lurewatch.run_folder import POSTINGS, read_jsonl_numbered

    urls: set[str] = set()
    postings = run_dir / POSTINGS
    if not postings.exists():
        return urls
    for _, posting, _ in read_jsonl_numbered(postings, Posting):
        if posting is None:
            continue
        report = VerifyReport()
        verify_posting(run_dir, posting, report)
        if report.ok:
            urls.update({posting.canonical_url, canonicalize_url(posting.url)})
    return urls


def open_store(crawler: Crawler) -> SeenStore:
    """The crawl's store, shared by the middleware and the pipeline (one connection per crawl)."""
    store = getattr(crawler, "_lurewatch_seen_store", None)
    if store is None:
        state_dir = crawler.settings.get("INCREMENTAL_STATE_DIR")
        name = crawler.settings.get("SOURCE_NAME")
        if not state_dir or not name:
            raise NotConfigured("INCREMENTAL_STATE_DIR / SOURCE_NAME are not set")
        run_dir = Path(crawler.settings["RUN_DIR"])
        checkpoint = checkpoint_for(crawler)
        store = SeenStore(Path(state_dir) / f"{name}.sqlite", run_dir.name, checkpoint.run)
        checkpoint.add_commit(store.commit)
        recovered = store.begin_run(run_dir)
        if crawler.stats is not None and recovered["runs"]:
            crawler.stats.set_value("lurewatch/recovered/runs", recovered["runs"])
            crawler.stats.set_value("lurewatch/recovered/refetch", recovered["refetch"])
        crawler._lurewatch_seen_store = store  # type: ignore[attr-defined]
        timer = LoopingCall(checkpoint.run)

        def start_timer() -> None:
            timer.start(CHECKPOINT_EVERY, now=False)  # (its Deferred fires when the loop stops: not awaited)

        def stop_timer() -> None:
            if timer.running:
                timer.stop()

        crawler.signals.connect(start_timer, signal=signals.engine_started, weak=False)
        crawler.signals.connect(stop_timer, signal=signals.spider_closed, weak=False)
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
