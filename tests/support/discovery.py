"""Findings that name places to crawl next, for the source discovery tests."""

from __future__ import annotations

from lurewatch.records import Finding, posting_id_for


def naming(
    number: int,
    text: str,
    risk: int = 50,
    cluster: str = "",
    source: str = "jobboard-kh",
    day: int = 1,
    url: str = "",
) -> Finding:
    """Finding ``number`` whose text is ``text``, first seen on November ``day``."""
    url = url or f"https://jobs.example-board.com/ad/{number}"
    when = f"2026-11-{day:02d}T08:00:00+00:00"
    return Finding(
        posting_id=posting_id_for(url),
        source=source,
        source_kind="board",
        url=url,
        canonical_url=url,
        fetched_at=when,
        run_id="discovery-test",
        first_seen=when,
        last_seen=when,
        title=f"Ad {number}",
        text=text,
        language="en",
        risk_score=risk,
        cluster_id=cluster or f"cluster-{number}",
    )
