"""A date range reads the posting date by default, or the crawl date when asked (weekly snapshots do)."""

from __future__ import annotations

import pytest

from lurewatch.index.base import open_index
from lurewatch.index.query import Query, QueryError
from lurewatch.records import Finding
from lurewatch.settings import Settings


def _finding(posting_id: str, fetched_at: str, posted_at: str | None) -> Finding:
    return Finding(posting_id=posting_id, source="demo", source_kind="board", url=f"https://jobs.example/{posting_id}",
                   canonical_url=f"https://jobs.example/{posting_id}", fetched_at=fetched_at, run_id="r",
                   title=f"ad {posting_id}", text="Office job", language="en", posted_at=posted_at)  # fmt: skip


def _ids(index: object, **dates: str) -> set[str]:
    return {h.posting_id for h in index.search(Query("*", facets=(), size=50, **dates)).hits}  # type: ignore[attr-defined]


def test_a_range_reads_the_posting_date_or_the_crawl_date(backend_settings: Settings) -> None:
    index = open_index(backend_settings)
    index.setup()
    index.upsert([
        _finding("late", fetched_at="2026-02-10T08:00:00+00:00", posted_at="2026-01-05T08:00:00+00:00"),
        _finding("undated", fetched_at="2026-01-06T08:00:00+00:00", posted_at=None),
    ])  # fmt: skip
    if hasattr(index, "refresh"):
        index.refresh()
    try:
        january = {"date_from": "2026-01-01", "date_to": "2026-01-31"}
        february = {"date_from": "2026-02-01", "date_to": "2026-02-28"}
        assert _ids(index, **january) == {"late", "undated"}  # posted in January, or crawled then without a date
        assert _ids(index, **january, date_on="fetched") == {"undated"}
        assert _ids(index, **february) == set()
        assert _ids(index, **february, date_on="fetched") == {"late"}
    finally:
        index.close()


def test_an_unknown_date_is_refused() -> None:
    with pytest.raises(QueryError, match="date_on must be one of posted, fetched"):
        Query("*", date_on="indexed")
