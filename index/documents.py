"""The finding as both backends store it: text fields without control characters, ``posted_at`` in ISO 8601.

The backends then serialise it with the records' one serialiser (``lurewatch.records``, msgspec) to the JSON
they store, once per finding.
"""

from __future__ import annotations

import dataclasses
from datetime import UTC, datetime
from typing import Any

from lurewatch.index.text import without_controls
from lurewatch.records import Finding

TEXT_FIELDS = ("title", "text", "text_segmented")


def stored_finding(finding: Finding) -> Finding:
    """``finding`` with control characters removed from its text fields (the highlighter marks matches with two
    of them; a crawled page must not be able to forge one), and a ``posted_at`` that is not an ISO 8601 date
    moved to ``posted_at_raw`` (findings enriched before dates were parsed): both backends accept every finding.
    A shallow copy when something changes; the finding itself otherwise.
    """
    changes: dict[str, Any] = {}
    for name in TEXT_FIELDS:
        value = getattr(finding, name)
        if value:
            cleaned = without_controls(value)
            if cleaned != value:
                changes[name] = cleaned
    posted = finding.posted_at
    if posted is not None:
        changes["posted_at"] = iso_date(posted)
        if changes["posted_at"] is None and not finding.posted_at_raw:
            changes["posted_at_raw"] = str(posted)[:200]
    return dataclasses.replace(finding, **changes) if changes else finding


def iso_date(value: Any) -> str | None:
    """``value`` as an ISO 8601 date both backends store (``T`` between date and time), or None."""
    try:
        moment = datetime.fromisoformat(str(value).replace("Z", "+00:00"))
    except ValueError:
        return None
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=UTC)
    return moment.isoformat()
