"""``indexed_after``: the query model reads what was indexed since a moment, on both backends (what alerts need)."""

from __future__ import annotations

import time

from lurewatch.index.base import open_index
from lurewatch.index.elasticsearch.query import compile_query
from lurewatch.index.query import Query
from lurewatch.settings import Settings
from tests.support.samples import sample_findings


def test_indexed_after_is_a_range_on_indexed_at_in_utc() -> None:
    query = Query("*", indexed_after="2026-05-01T14:00:00+02:00")
    assert query.indexed_after == "2026-05-01T12:00:00+00:00"
    assert {"range": {"indexed_at": {"gte": "2026-05-01T12:00:00+00:00"}}} in compile_query(query)["query"]["bool"][
        "filter"
    ]


def test_only_findings_indexed_since_the_moment_match(backend_settings: Settings) -> None:
    earlier, later = list(sample_findings(40, seed=1, run_id="a")), list(sample_findings(30, seed=2, run_id="b"))
    index = open_index(backend_settings)
    try:
        index.upsert(earlier)
        time.sleep(1.1)  # indexed_at has whole seconds: the second batch gets a later stamp
        index.upsert(later)
        stamp = index.get(later[0].posting_id).indexed_at  # type: ignore[union-attr]
        assert stamp and stamp > index.get(earlier[0].posting_id).indexed_at  # type: ignore[union-attr, operator]
        since = index.search(Query("*", indexed_after=stamp, size=100, facets=()))
        assert {h.posting_id for h in since.hits} == {f.posting_id for f in later}
        everything = index.search(Query("*", indexed_after="2000-01-01T00:00:00Z", size=100, facets=()))
        assert everything.total == 70

        wanted = [later[3].posting_id, "no-such-id", earlier[5].posting_id]
        assert [f.posting_id for f in index.get_many(wanted)] == [later[3].posting_id, earlier[5].posting_id]
    finally:
        index.close()
