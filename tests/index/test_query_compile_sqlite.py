"""The SQLite compiler on its own: the words a match may show, and the sort and bucket expressions."""

from __future__ import annotations

from lurewatch.index.query import Query, highlight_words
from lurewatch.index.sqlite.query import geotile_exprs, histogram_expr, keyset, order_by


def test_highlight_words_leave_out_what_is_negated() -> None:
    assert highlight_words(Query("visa -passport recep*")) == [("visa", False), ("recep", True)]
    assert highlight_words(Query('"night shift" | -(-hotel)')) == [("night", False), ("shift", False), ("hotel", False)]
    assert highlight_words(Query("free vi*")) == [("free", False), ("vi", True)]
    assert highlight_words(Query("*")) == []


def test_keyset_order_and_buckets() -> None:
    assert keyset("newest", [5, "f1"]) == ("((fetched_ms < ?) OR (fetched_ms = ? AND posting_id > ?))", [5, 5, "f1"])
    assert order_by("risk") == "risk_score DESC, fetched_ms DESC, posting_id ASC"
    assert histogram_expr("week") == "date(f.dated_ms / 1000, 'unixepoch', 'weekday 0', '-6 days')"
    assert histogram_expr("month") == "strftime('%Y-%m-01', f.dated_ms / 1000, 'unixepoch')"
    assert histogram_expr("day") == "strftime('%Y-%m-%d', f.dated_ms / 1000, 'unixepoch')"
    assert geotile_exprs(16) == ("(f.tile_x >> 0)", "(f.tile_y >> 0)")  # tiles are stored at zoom 16
    assert geotile_exprs(3) == ("(f.tile_x >> 13)", "(f.tile_y >> 13)")
