"""Checkpoints: the crawl's writes made durable in order, evidence first.

A posting points at its WARC record; the incremental state says which pages need no fetching again.
So at every checkpoint the WARC is synced first, then the postings feed, and only then is the state
committed: a crash between checkpoints loses uncommitted state (those pages are fetched again), never
evidence that something already points at. Between checkpoints every write still goes to the
operating system at once (unbuffered files), so a killed crawler loses nothing it wrote.
"""

from __future__ import annotations

import os
from collections.abc import Callable
from pathlib import Path
from typing import IO, TYPE_CHECKING, Any

from scrapy.extensions.feedexport import FileFeedStorage

if TYPE_CHECKING:
    from scrapy import Spider
    from scrapy.crawler import Crawler


class Checkpoint:
    """The crawl's durable points: file syncs (evidence, then feed), then state commits."""

    def __init__(self) -> None:
        self.evidence: list[Callable[[], None]] = []
        self.feeds: list[Callable[[], None]] = []
        self.commits: list[Callable[[], None]] = []

    def add_file(self, sync: Callable[[], None]) -> None:
        self.evidence.append(sync)

    def add_feed(self, sync: Callable[[], None]) -> None:
        self.feeds.append(sync)

    def add_commit(self, commit: Callable[[], None]) -> None:
        self.commits.append(commit)

    def run(self) -> None:
        for step in (*self.evidence, *self.feeds, *self.commits):
            step()


def checkpoint_for(crawler: Crawler) -> Checkpoint:
    """The crawl's one checkpoint, shared by the WARC writer, the feed and the incremental store."""
    checkpoint = getattr(crawler, "_lurewatch_checkpoint", None)
    if checkpoint is None:
        checkpoint = Checkpoint()
        crawler._lurewatch_checkpoint = checkpoint  # type: ignore[attr-defined]
    return checkpoint


class DurableFileFeedStorage(FileFeedStorage):
    """Scrapy's file feed storage, unbuffered (one write per posting) and synced at checkpoints and at the end."""

    def __init__(self, uri: str, *, feed_options: dict[str, Any] | None = None, crawler: Crawler | None = None):
        super().__init__(uri, feed_options=feed_options)
        self._file: IO[bytes] | None = None
        if crawler is not None:
            checkpoint_for(crawler).add_feed(self.sync)

    @classmethod
    def from_crawler(
        cls, crawler: Crawler, uri: str, *, feed_options: dict[str, Any] | None = None
    ) -> DurableFileFeedStorage:
        return cls(uri, feed_options=feed_options, crawler=crawler)

    def open(self, spider: Spider) -> IO[bytes]:
        Path(self.path).parent.mkdir(parents=True, exist_ok=True)
        self._file = Path(self.path).open(self.write_mode, buffering=0)
        return self._file

    def sync(self) -> None:
        if self._file is not None and not self._file.closed:
            os.fsync(self._file.fileno())

    def store(self, file: IO[bytes]) -> None:
        self.sync()
        file.close()
