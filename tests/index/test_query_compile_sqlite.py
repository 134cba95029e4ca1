"""The SQLite evaluation's pieces on their own: the words a match may show, the page order with its cursor,
the histogram's buckets and the map's tiles."""

from __future__ import annotations

import numpy as np

from lurewatch.index.query import Query, highlight_words
from lurewatch.index.sqlite.columns import Snapshot, Vocabulary
from lurewatch.index.sqlite.matching import geotiles, histogram, order

DAY = 86_400_000


def test_highlight_words_leave_out_what_is_negated() -> None:
    assert highlight_words(Query("visa -passport recep*")) == [("visa", False), ("recep", True)]
    assert highlight_words(Query('"night shift" | -(-hotel)')) == [("night", False), ("shift", False), ("hotel", False)]
    assert highlight_words(Query("free vi*")) == [("free", False), ("vi", True)]
    assert highlight_words(Query("*")) == []


def _snapshot(fetched: list[float], risk: list[float], pids: list[str]) -> Snapshot:
    n = len(pids)
    posting_ids = np.empty(n, dtype=object)
    posting_ids[:] = pids
    numbers = {"fetched_ms": np.array(fetched, dtype=np.float64), "risk_score": np.array(risk, dtype=np.float64)}
    return Snapshot(1, np.arange(1, n + 1, dtype=np.int64), posting_ids, {}, numbers, {"x": Vocabulary()})


def test_order_breaks_ties_by_posting_id_and_a_cursor_starts_after_its_row() -> None:
    s = _snapshot([5, 7, 5, 5, np.nan], [10, 10, 90, 10, 50], ["f3", "f1", "f2", "f0", "f4"])
    everything = np.arange(5)
    newest = [s.posting_ids[i] for i in order(s, everything, "newest", None, None)]
    assert newest == ["f1", "f0", "f2", "f3", "f4"]  # a missing date sorts last
    assert [s.posting_ids[i] for i in order(s, everything, "oldest", None, 2)] == ["f0", "f2"]
    risk = [s.posting_ids[i] for i in order(s, everything, "risk", None, None)]
    assert risk == ["f2", "f4", "f1", "f0", "f3"]
    # a cursor is the last row's sort values: the page after it starts with the next row, ties included
    after = [s.posting_ids[i] for i in order(s, everything, "newest", None, 2, after=[5, "f0"])]
    assert after == ["f2", "f3"]
    assert [s.posting_ids[i] for i in order(s, everything, "risk", None, None, after=[10, 7, "f1"])] == ["f0", "f3"]
    # a limit keeps every row tied at its edge in the running (f3 is not lost behind f0 and f2)
    assert [s.posting_ids[i] for i in order(s, everything, "newest", None, 3)] == ["f1", "f0", "f2"]


def test_histogram_buckets_start_on_the_first_day_of_their_interval() -> None:
    thursday = 0.0  # 1970-01-01
    monday = 4 * DAY  # 1970-01-05
    dated = np.array([thursday, thursday + 3_600_000, monday, monday + 6 * DAY, monday + 7 * DAY, np.nan])
    assert histogram(dated, "day") == [("1970-01-01", 2), ("1970-01-05", 1), ("1970-01-11", 1), ("1970-01-12", 1)]
    assert histogram(dated, "week") == [("1969-12-29", 2), ("1970-01-05", 2), ("1970-01-12", 1)]
    assert histogram(np.array([0.0, 31 * DAY, 45 * DAY]), "month") == [("1970-01-01", 1), ("1970-02-01", 2)]


def test_tiles_are_the_stored_zoom_16_tiles_shifted_and_counted() -> None:
    x = np.array([65535.0, 65534.0, 8192.0, np.nan])
    y = np.array([1.0, 0.0, 8191.0, 3.0])
    assert geotiles(x, y, 16) == [("16/8192/8191", 1), ("16/65534/0", 1), ("16/65535/1", 1)]
    assert geotiles(x, y, 3) == [("3/7/0", 2), ("3/1/0", 1)]
