"""The query model shared by both backends, and a parser for ``simple_query_string`` text.

Text syntax (as Elasticsearch's simple_query_string, default operator AND): words, ``"phrases"``,
``+`` and, ``|`` or, ``-`` not, ``prefix*``, parentheses. Operators apply left to right.

A ``Query`` also carries filters (terms, OR within a field, AND across fields), a risk and a date
range, geo (bounding box or distance), a sort, a page (``size`` + ``cursor`` for deep pagination,
or ``offset`` for shallow pages) and the aggregations to compute (terms facets, a date histogram,
a geotile grid). Each backend compiles it: ``index/elasticsearch/query.py`` and ``index/sqlite/query.py``.
"""

from __future__ import annotations

import base64
import json
import re
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, timedelta
from typing import Any

# filter name -> Elasticsearch field; single-valued ones are columns in SQLite, the rest side-table rows.
FILTER_FIELDS: dict[str, str] = {
    "source": "source",
    "source_kind": "source_kind",
    "language": "language",
    "country": "country",
    "compound": "compound",
    "cluster": "cluster_id",
    "indicator": "indicators.code",
    "phone": "contacts.phones",
    "telegram": "contacts.telegram",
    "whatsapp": "contacts.whatsapp",
    "line": "contacts.line",
    "wechat": "contacts.wechat",
    "signal": "contacts.signal",
    "email": "contacts.emails",
    "domain": "contacts.domains",
    "wallet": "wallets.address",
    "phash": "images.phash",
    "location": "locations.name",
}
SINGLE_VALUED = ("source", "source_kind", "language", "country", "compound", "cluster")
CONTACT_FIELDS = ("phone", "telegram", "whatsapp", "line", "wechat", "signal", "email")
DEFAULT_FACETS = ("source", "language", "country")
SORTS = ("relevance", "newest", "oldest", "risk")
INTERVALS = ("day", "week", "month")
MAX_SIZE = 1000


class QueryError(ValueError):
    """A query that cannot be run as asked; the message says what to change."""


@dataclass
class Query:
    """What a search asks for; compiled by each backend."""

    text: str = "*"
    filters: dict[str, list[str]] = field(default_factory=dict)
    risk_min: int | None = None
    risk_max: int | None = None
    date_from: str | None = None  # YYYY-MM-DD (inclusive), on fetched_at
    date_to: str | None = None  # YYYY-MM-DD (inclusive)
    indexed_after: str | None = None  # ISO 8601 timestamp (inclusive), on indexed_at: what alerts read
    has_contact: bool | None = None
    bbox: tuple[float, float, float, float] | None = None  # west, south, east, north
    near: tuple[float, float, float] | None = None  # lat, lon, km
    sort: str = "relevance"
    size: int = 20
    offset: int = 0
    cursor: str | None = None
    facets: tuple[str, ...] = DEFAULT_FACETS
    histogram: str | None = None  # day | week | month
    geotile: int | None = None  # zoom 0..16
    highlight: bool = False

    def __post_init__(self) -> None:
        unknown = set(self.filters) | set(self.facets)
        unknown -= set(FILTER_FIELDS)
        if unknown:
            raise QueryError(f"unknown filter(s) {sorted(unknown)}; known: {', '.join(FILTER_FIELDS)}")
        self.filters = {k: [str(v) for v in vs] for k, vs in self.filters.items() if vs}
        if self.sort not in SORTS:
            raise QueryError(f"unknown sort {self.sort!r}; known: {', '.join(SORTS)}")
        if self.histogram is not None and self.histogram not in INTERVALS:
            raise QueryError(f"unknown histogram interval {self.histogram!r}; known: {', '.join(INTERVALS)}")
        if self.geotile is not None and not 0 <= self.geotile <= 16:
            raise QueryError("geotile zoom must be between 0 and 16")
        if not 0 <= self.size <= MAX_SIZE:
            raise QueryError(f"size must be between 0 and {MAX_SIZE}; use the cursor to page further")
        if self.offset < 0 or (self.offset and self.cursor):
            raise QueryError("use either offset (shallow pages) or cursor (deep pagination), not both")
        for name in ("date_from", "date_to"):
            value = getattr(self, name)
            if value:
                try:
                    date.fromisoformat(value[:10])
                except ValueError as exc:
                    raise QueryError(f"{name} must be a date like 2026-03-01, not {value!r}") from exc
        if self.indexed_after:
            self.indexed_after = utc_timestamp(self.indexed_after, "indexed_after")
        if self.match_all and self.sort == "relevance":
            self.sort = "newest"  # nothing to rank by

    @property
    def match_all(self) -> bool:
        return self.text.strip() in {"", "*"} or parse(self.text) is None

    def date_bounds_ms(self) -> tuple[int | None, int | None]:
        """The date range as epoch milliseconds: [from 00:00, day after ``date_to`` 00:00)."""
        start = _day_ms(self.date_from) if self.date_from else None
        end = _day_ms(self.date_to, plus_days=1) if self.date_to else None
        return start, end


def _day_ms(value: str, plus_days: int = 0) -> int:
    day = date.fromisoformat(value[:10]) + timedelta(days=plus_days)
    return int(datetime(day.year, day.month, day.day, tzinfo=UTC).timestamp() * 1000)


def utc_timestamp(value: str, name: str = "timestamp") -> str:
    """``value`` as the index writes ``indexed_at`` (ISO 8601 in UTC, ``+00:00``), so strings compare as times."""
    try:
        moment = datetime.fromisoformat(value.replace("Z", "+00:00"))
    except ValueError as exc:
        raise QueryError(f"{name} must be a time like 2026-03-01T12:00:00+00:00, not {value!r}") from exc
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=UTC)
    return moment.astimezone(UTC).isoformat()


def to_epoch_ms(value: str | None) -> int | None:
    """An ISO 8601 timestamp as epoch milliseconds (naive times are UTC), as Elasticsearch stores dates."""
    if not value:
        return None
    moment = datetime.fromisoformat(value.replace("Z", "+00:00"))
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=UTC)
    return int(moment.timestamp() * 1000)


@dataclass
class Hit:
    posting_id: str
    title: str
    url: str
    score: float
    source: str = ""
    language: str = ""
    country: str | None = None
    risk_score: int = 0
    fetched_at: str = ""
    compound: str | None = None
    cluster_id: str = ""
    geo: dict[str, float] | None = None
    indicators: list[str] = field(default_factory=list)
    title_highlight: str = ""  # the title with matches between \x02 and \x03, when it matched
    highlights: list[str] = field(default_factory=list)  # text fragments, matches between \x02 and \x03
    sort: list[Any] = field(default_factory=list)


@dataclass
class SearchResult:
    total: int
    hits: list[Hit]
    facets: dict[str, list[tuple[str, int]]] = field(default_factory=dict)
    histogram: list[tuple[str, int]] = field(default_factory=list)  # (YYYY-MM-DD, count)
    geotiles: list[tuple[str, int]] = field(default_factory=list)  # ("z/x/y", count)
    next_cursor: str | None = None


HIGHLIGHT_PRE, HIGHLIGHT_POST = "\x02", "\x03"


def encode_cursor(after: list[Any], pit: str | None = None) -> str:
    """An opaque page token: the last hit's sort values (and the point in time, on Elasticsearch)."""
    payload = json.dumps({"after": after, "pit": pit}, separators=(",", ":"))
    return base64.urlsafe_b64encode(payload.encode()).decode().rstrip("=")


def decode_cursor(cursor: str) -> tuple[list[Any], str | None]:
    try:
        raw = base64.urlsafe_b64decode(cursor + "=" * (-len(cursor) % 4))
        payload = json.loads(raw)
        return list(payload["after"]), payload.get("pit")
    except (ValueError, KeyError, TypeError) as exc:
        raise QueryError("the page cursor is not valid; start again from the first page") from exc


# --- text parsing -----------------------------------------------------------------------------


@dataclass
class Term:
    text: str
    kind: str = "word"  # word | phrase | prefix


@dataclass
class Not:
    node: Node


@dataclass
class BoolOp:
    op: str  # and | or
    nodes: list[Node]


Node = Term | Not | BoolOp

_TOKEN = re.compile(r'\s*(?:(?P<phrase>"[^"]*"?)|(?P<op>[|+()-])|(?P<word>[^\s|+()"]+))')


def parse(text: str) -> Node | None:
    """Parse simple_query_string text into a tree; None for a query that matches everything."""
    tokens = [m for m in _TOKEN.finditer(text) if m.group(0).strip()]
    pos = 0

    def group() -> Node | None:
        nonlocal pos
        result: Node | None = None
        op = "and"
        negate = False
        while pos < len(tokens):
            tok = tokens[pos]
            pos += 1
            if tok.group("op") == ")":
                break
            if tok.group("op") == "|":
                op = "or"
                continue
            if tok.group("op") == "+":
                op = "and"
                continue
            if tok.group("op") == "-":
                negate = True
                continue
            if tok.group("op") == "(":
                node = group()
            elif tok.group("phrase") is not None:
                node = Term(tok.group("phrase").strip('"'), "phrase")
            else:
                word = tok.group("word")
                node = Term(word[:-1], "prefix") if word.endswith("*") and len(word) > 1 else Term(word)
                if word == "*":
                    node = None
            if node is None:
                negate = False
                continue
            if negate:
                node = Not(node)
                negate = False
            if result is None:
                result = node
            elif isinstance(result, BoolOp) and result.op == op:
                result.nodes.append(node)
            else:
                result = BoolOp(op, [result, node])
            op = "and"
        return result

    return group()
