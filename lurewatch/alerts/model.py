"""What an alert is: a saved search or a watched entity, its channels with their delivery state, its schedule.

A stored alert is a plain JSON document (``Alert.to_dict``); the index keeps it without looking inside.
The saved query holds the fields of ``lurewatch.index.query.Query`` that say *what* to find (text, filters,
ranges, geo), exactly as the search page or ``-f FIELD=VALUE`` built them; never pages or sorts.
"""

from __future__ import annotations

import dataclasses
import re
import uuid
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from typing import Any

from lurewatch.errors import LureWatchError
from lurewatch.index.query import Query, QueryError

QUERY_FIELDS = ("text", "filters", "risk_min", "risk_max", "date_from", "date_to", "has_contact", "bbox", "near")
WATCH_KINDS = {  # watch kind -> query model filter
    "phone": "phone", "telegram": "telegram", "wallet": "wallet", "email": "email", "domain": "domain",
    "image": "phash", "network": "network",
}  # fmt: skip
CHANNEL_KINDS = ("email", "webhook", "file")
SCHEDULE = re.compile(r"^(\d+)\s*([mhd])$")
UNITS = {"m": 60, "h": 3600, "d": 86400}
DEFAULT_SCHEDULE = "15m"


class AlertError(LureWatchError):
    """An alert or watch cannot be made, found or changed as asked."""

    hint = "`lurewatch alerts list` shows the alerts and watches by name"


def now_iso() -> str:
    return datetime.now(UTC).isoformat(timespec="seconds")


def schedule_seconds(schedule: str) -> int:
    """``15m``, ``1h``, ``1d``: how often an alert is due."""
    match = SCHEDULE.match(schedule.strip().lower())
    if not match or int(match.group(1)) == 0:
        raise AlertError(f"schedule must be a number and a unit (m, h, d), e.g. 15m or 1d, not {schedule!r}")
    return int(match.group(1)) * UNITS[match.group(2)]


def parse_channel(target: str) -> tuple[str, str]:
    """``email:ADDR``, ``webhook:URL`` or ``file:PATH`` as (kind, address); the address is checked on delivery."""
    kind, sep, address = target.partition(":")
    kind = kind.strip().lower()
    if not sep or kind not in CHANNEL_KINDS or not address.strip():
        raise AlertError(f"channel {target!r}: expected email:ADDRESS, webhook:URL or file:PATH",
                         hint="e.g. --channel email:analyst@example.org")  # fmt: skip
    address = address.strip()
    if kind == "email" and not re.fullmatch(r"[^@\s,;<>]+@[^@\s,;<>]+\.[^@\s,;<>]+", address):
        raise AlertError(f"channel {target!r}: {address!r} is not an email address")
    return kind, address


def query_to_dict(query: Query) -> dict[str, Any]:
    """What a saved search keeps of a query: text, filters, ranges and geo."""
    saved = {name: getattr(query, name) for name in QUERY_FIELDS}
    saved["bbox"] = list(query.bbox) if query.bbox else None
    saved["near"] = list(query.near) if query.near else None
    return {k: v for k, v in saved.items() if v not in (None, {}, [])}


def query_from_dict(saved: dict[str, Any], **options: Any) -> Query:
    values = {k: v for k, v in saved.items() if k in QUERY_FIELDS}
    for name in ("bbox", "near"):
        if values.get(name):
            values[name] = tuple(values[name])
    return Query(**values, **options)


@dataclass
class Channel:
    """A delivery target and where delivery to it stands: it moves on only after the target accepted a digest."""

    target: str
    watermark: str  # findings indexed at or after this time are read on the next run
    delivered: int = 0  # digests accepted so far
    last_delivered_at: str | None = None
    last_error: str | None = None
    failures: int = 0  # consecutive failed attempts

    @property
    def kind(self) -> str:
        return self.target.partition(":")[0]


@dataclass
class Alert:
    """A saved search (``kind`` search) or a watched entity (``kind`` watch: ``watch`` says which)."""

    name: str
    owner: str
    query: dict[str, Any]
    channels: list[Channel]
    kind: str = "search"
    watch: dict[str, str] | None = None  # {"kind": phone, "value": "+66812345678", "written": "081-234-5678"}
    schedule: str = DEFAULT_SCHEDULE
    min_risk: int = 0
    paused: bool = False
    id: str = field(default_factory=lambda: "a_" + uuid.uuid4().hex[:16])
    created_at: str = field(default_factory=now_iso)
    updated_at: str = field(default_factory=now_iso)
    last_run_at: str | None = None

    def to_dict(self) -> dict[str, Any]:
        return dataclasses.asdict(self)

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> Alert:
        names = {f.name for f in dataclasses.fields(cls)}
        values = {k: v for k, v in data.items() if k in names}
        values["channels"] = [Channel(**c) for c in data.get("channels", [])]
        return cls(**values)

    def saved_query(self, **options: Any) -> Query:
        """The saved query with the alert's minimum risk folded in."""
        query = query_from_dict(self.query, **options)
        if self.min_risk:
            query.risk_min = max(query.risk_min or 0, self.min_risk)
        return query

    def due(self, at: datetime) -> bool:
        """Not paused, and never run, or run a schedule ago (a minute's slack for a scheduler's jitter)."""
        if self.paused:
            return False
        if self.last_run_at is None or any(c.failures for c in self.channels):
            return True
        last = datetime.fromisoformat(self.last_run_at)
        return at >= last + timedelta(seconds=schedule_seconds(self.schedule) - 60)

    def describe(self) -> str:
        if self.watch and self.watch["kind"] == "network":
            return f"network {self.watch['value']} (new phones, handles, sources, countries)"
        if self.watch:
            return f"{self.watch['kind']} {self.watch['value']}"
        text = self.query.get("text", "*")
        filters = " ".join(f"{k}={','.join(v)}" for k, v in self.query.get("filters", {}).items())
        return " ".join(part for part in (text, filters) if part)


def check_query(saved: dict[str, Any]) -> None:
    try:
        query_from_dict(saved)
    except QueryError as exc:
        raise AlertError(
            str(exc), hint="the query takes the same text and FIELD=VALUE filters as `lurewatch search`"
        ) from exc
