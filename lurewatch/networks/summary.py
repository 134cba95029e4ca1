"""A network's summary: postings, clusters, entities by kind, sources, languages, countries, compounds, first and
last seen, the highest risk, and its growth (entities first seen per week)."""

from __future__ import annotations

from collections import Counter
from datetime import UTC, datetime, timedelta
from typing import Any

from lurewatch.index.networks import Member
from lurewatch.networks.links import kind_of

GROWTH_DAYS = 28  # "growth" (the sort key) counts entities first seen this many days before the update


def week_of(moment: str) -> str:
    """The Monday (YYYY-MM-DD) of the week of an ISO 8601 timestamp."""
    try:
        day = datetime.fromisoformat(moment.replace("Z", "+00:00")).date()
    except ValueError:
        return ""
    return (day - timedelta(days=day.weekday())).isoformat()


def summarise(network_id: str, members: list[Member], now: datetime | None = None) -> dict[str, Any]:
    """The summary of one network from all its members."""
    now = now or datetime.now(UTC)
    first_key: dict[str, str] = {}
    sources: Counter[str] = Counter()
    languages: Counter[str] = Counter()
    countries: Counter[str] = Counter()
    compounds: Counter[str] = Counter()
    clusters = set()
    for m in members:
        sources[m.source] += 1
        if m.language:
            languages[m.language] += 1
        if m.country:
            countries[m.country] += 1
        if m.compound:
            compounds[m.compound] += 1
        clusters.add(m.cluster_id or m.posting_id)
        for key in m.keys:
            if kind_of(key) != "cluster" and (key not in first_key or m.fetched_at < first_key[key]):
                first_key[key] = m.fetched_at
    kinds = Counter(kind_of(key) for key in first_key)
    weeks = Counter(week_of(seen) for seen in first_key.values() if seen)
    since = (now - timedelta(days=GROWTH_DAYS)).isoformat()
    seen = sorted(m.fetched_at for m in members if m.fetched_at)
    return {
        "network_id": network_id,
        "postings": len(members),
        "clusters": len(clusters),
        "entities": dict(sorted(kinds.items())),
        "entity_count": len(first_key),
        "sources": sources.most_common(),
        "languages": languages.most_common(),
        "countries": countries.most_common(),
        "compounds": compounds.most_common(),
        "first_seen": seen[0] if seen else None,
        "last_seen": seen[-1] if seen else None,
        "max_risk": max((m.risk_score for m in members), default=0),
        "growth_weeks": sorted(weeks.items()),
        "growth": sum(1 for first in first_key.values() if first >= since),
        "updated_at": now.isoformat(timespec="seconds"),
    }
