"""The query model shared by both backends, and a parser for ``simple_query_string`` text.

Text syntax (as Elasticsearch's simple_query_string, default operator AND): words, ``"phrases"``,
``+`` or ``AND`` and, ``|`` or ``OR`` or, ``-`` or ``NOT`` not, ``prefix*``, parentheses. Operators apply
left to right. Words of scripts written without spaces (Thai, Khmer, Lao, Burmese, Chinese, Japanese) are
segmented as the documents are, and match as a phrase (``index/text.py`` ``query_words``).

A ``Query`` also carries filters (terms, OR within a field, AND across fields), a risk and a date
range, geo (bounding box or distance), a sort, a page (``size`` + ``cursor`` for deep pagination,
or ``offset`` for shallow pages) and the aggregations to compute (terms facets, a date histogram,
a geotile grid). Each backend runs it: ``index/elasticsearch/query.py`` compiles it to a request body,
``index/sqlite/matching.py`` evaluates it on in-memory columns (``index/sqlite/columns.py``) and FTS5.
"""

from __future__ import annotations

import base64
import json
import math
import re
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, timedelta
from typing import Any

from lurewatch.entities import ENTITY_KINDS
from lurewatch.errors import LureWatchError
from lurewatch.index.text import query_words, tokens

# filter name -> Elasticsearch field; single-valued ones are columns in SQLite, the rest side-table rows.
FILTER_FIELDS: dict[str, str] = {
    "source": "source",
    "source_kind": "source_kind",
    "language": "language",
    "country": "country",
    "compound": "compound",
    "cluster": "cluster_key",  # cluster_id, or the posting id of a posting without reposts
    "network": "network_id",  # written by the network step (lurewatch.networks)
    "indicator": "indicators.code",
    **{entity.kind: entity.path for entity in ENTITY_KINDS},  # phone, telegram, ..., wallet, phash
    "location": "locations.name",
}
SINGLE_VALUED = ("source", "source_kind", "language", "country", "compound", "cluster", "network")
CONTACT_FIELDS = tuple(entity.kind for entity in ENTITY_KINDS if entity.contact)
DEFAULT_FACETS = ("source", "language", "country")
SORTS = ("relevance", "newest", "oldest", "risk")
INTERVALS = ("day", "week", "month")
MAX_SIZE = 1000
# Bounds on what one request may ask, so that no query can exhaust either engine or the parser's stack.
MAX_TEXT_CHARS = 2000
MAX_WORDS = 64  # words in the query text, after splitting (SQLite runs one FTS5 lookup per term)
MAX_DEPTH = 8  # nested brackets
MAX_FILTER_VALUES = 100  # values over all filters
MAX_VALUE_CHARS = 512
MAX_WINDOW = 10_000  # offset + size: Elasticsearch's index.max_result_window; deeper pages use the cursor
MAX_CURSOR_CHARS = 4096
MAX_KM = 20_040  # half the Earth's circumference
# The sort values a cursor carries, per sort: what the last hit's ``sort`` holds on both backends.
_CURSOR_KINDS: dict[str, tuple[str, ...]] = {
    "relevance": ("number", "text"),
    "newest": ("whole", "text"),
    "oldest": ("whole", "text"),
    "risk": ("whole", "whole", "text"),
}
_LONG = 2**63


class QueryError(LureWatchError, ValueError):
    """A query that cannot be run as asked; the message says what to change."""

    hint = "`lurewatch search --help` shows the query syntax and the filters"


@dataclass
class Query:
    """What a search asks for; compiled by each backend. Every value is checked (``validate``)."""

    text: str = "*"
    filters: dict[str, list[str]] = field(default_factory=dict)
    risk_min: int | None = None
    risk_max: int | None = None
    date_from: str | None = None  # YYYY-MM-DD (inclusive), on the posting date (posted_at, else fetched_at)
    date_to: str | None = None  # YYYY-MM-DD (inclusive)
    date_on: str = "posted"  # which date the range reads: "posted" (posted_at, else fetched_at) or "fetched"
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
    collapse: bool = False  # one hit per near-duplicate cluster (its first member in sort order)

    def __post_init__(self) -> None:
        if not isinstance(self.filters, dict):
            raise QueryError("filters must map a filter name to a list of values")
        self.filters = {name: _values(wanted) for name, wanted in self.filters.items() if wanted}
        self.facets = tuple(self.facets)
        if self.indexed_after:
            self.indexed_after = utc_timestamp(self.indexed_after, "indexed_after")
        self.validate()
        if self.match_all and self.sort == "relevance":
            self.sort = "newest"  # nothing to rank by

    def validate(self) -> None:
        """Raise ``QueryError`` naming the first value that is out of bounds (backends call it again)."""
        if not isinstance(self.text, str):
            raise QueryError("the query text must be text")
        _check_text("the query text", self.text, MAX_TEXT_CHARS)
        parse(self.text)
        unknown = set(self.filters) | set(self.facets)
        unknown -= set(FILTER_FIELDS)
        if unknown:
            shown = [str(name)[:40] for name in sorted(map(str, unknown))[:5]] + (["…"] if len(unknown) > 5 else [])
            raise QueryError(f"unknown filter(s) {shown}; known: {', '.join(FILTER_FIELDS)}")
        values = 0
        for name, wanted in self.filters.items():
            for value in wanted:
                _check_text(f"the {name} filter", value, MAX_VALUE_CHARS)
            values += len(wanted)
        if values > MAX_FILTER_VALUES:
            raise QueryError(f"{values} filter values; at most {MAX_FILTER_VALUES} in one search")
        for name in ("risk_min", "risk_max"):
            _check_int(name, getattr(self, name), 0, 100, optional=True)
        if self.risk_min is not None and self.risk_max is not None and self.risk_min > self.risk_max:
            raise QueryError(f"risk_min ({self.risk_min}) is above risk_max ({self.risk_max})")
        days = [_day(name, getattr(self, name)) for name in ("date_from", "date_to")]
        if days[0] and days[1] and days[0] > days[1]:
            raise QueryError(f"date_from ({days[0]}) is after date_to ({days[1]})")
        if self.date_on not in DATE_ON:
            raise QueryError(f"date_on must be one of {', '.join(DATE_ON)}")
        if self.has_contact is not None and not isinstance(self.has_contact, bool):
            raise QueryError("has_contact must be true or false")
        if self.bbox is not None:
            west, south, east, north = _numbers("bbox", self.bbox, 4)
            if not (-180 <= west <= east <= 180 and -90 <= south <= north <= 90):
                raise QueryError("bbox must be west,south,east,north with -180 <= west <= east <= 180 and "
                                 "-90 <= south <= north <= 90")  # fmt: skip
        if self.near is not None:
            lat, lon, km = _numbers("near", self.near, 3)
            if not (-90 <= lat <= 90 and -180 <= lon <= 180 and 0 < km <= MAX_KM):
                raise QueryError(f"near must be lat,lon,km with -90 <= lat <= 90, -180 <= lon <= 180 and "
                                 f"0 < km <= {MAX_KM}")  # fmt: skip
        if self.sort not in SORTS:
            raise QueryError(f"unknown sort {self.sort!r}; known: {', '.join(SORTS)}")
        _check_int("size", self.size, 0, MAX_SIZE, hint="; use the cursor to page further")
        _check_int("offset", self.offset, 0, MAX_WINDOW, hint="; use the cursor to page further")
        if self.offset + self.size > MAX_WINDOW:
            raise QueryError(f"offset + size must be at most {MAX_WINDOW}; use the cursor to page further")
        if not isinstance(self.collapse, bool):
            raise QueryError("collapse must be true or false")
        if self.cursor is not None:
            if self.collapse:
                raise QueryError("one row per cluster pages by offset; to page by cursor, show every posting "
                                 "(collapse=false)")  # fmt: skip
            if self.offset:
                raise QueryError("use either offset (shallow pages) or cursor (deep pagination), not both")
            decode_cursor(self.cursor, self.sort)
        if self.histogram is not None and self.histogram not in INTERVALS:
            raise QueryError(f"unknown histogram interval {self.histogram!r}; known: {', '.join(INTERVALS)}")
        _check_int("geotile zoom", self.geotile, 0, 16, optional=True)
        if not isinstance(self.highlight, bool):
            raise QueryError("highlight must be true or false")

    @property
    def match_all(self) -> bool:
        return self.text.strip() in {"", "*"} or parse(self.text) is None

    def date_bounds_ms(self) -> tuple[int | None, int | None]:
        """The date range as epoch milliseconds: [from 00:00, day after ``date_to`` 00:00); None: unbounded."""
        first, last = _day("date_from", self.date_from), _day("date_to", self.date_to)
        start = _day_ms(first) if first else None
        end = _day_ms(last + timedelta(days=1)) if last and last < date.max else None
        return start, end


DATE_ON = ("posted", "fetched")  # what a date range reads: the posting date, or the day the crawler fetched it


def _values(wanted: Any) -> list[str]:
    """A filter's values as a list of strings (one value may be given alone)."""
    if isinstance(wanted, list | tuple | set | frozenset):
        return [str(v) for v in wanted]
    return [str(wanted)]


def _check_text(name: str, value: Any, limit: int) -> None:
    if not isinstance(value, str):
        raise QueryError(f"{name} must be text")
    if len(value) > limit:
        raise QueryError(f"{name} is {len(value)} characters long; at most {limit}")
    try:
        value.encode("utf-8")
    except UnicodeEncodeError as exc:
        raise QueryError(f"{name} is not valid UTF-8 text (character {exc.start + 1})") from exc


def _check_int(name: str, value: Any, low: int, high: int, optional: bool = False, hint: str = "") -> None:
    if value is None and optional:
        return
    if isinstance(value, bool) or not isinstance(value, int):
        raise QueryError(f"{name} must be a whole number, not {value!r}")
    if not low <= value <= high:
        shown = str(value) if len(str(value)) <= 20 else f"{str(value)[:12]}… ({len(str(value))} digits)"
        raise QueryError(f"{name} must be between {low} and {high}, not {shown}{hint}")


def _numbers(name: str, values: Any, count: int) -> tuple[float, ...]:
    try:
        numbers = tuple(float(v) for v in values)
    except (TypeError, ValueError, OverflowError) as exc:
        raise QueryError(f"{name} must be {count} numbers") from exc
    if len(numbers) != count or not all(math.isfinite(n) for n in numbers):
        raise QueryError(f"{name} must be {count} finite numbers")
    return numbers


def _day(name: str, value: Any) -> date | None:
    """A ``YYYY-MM-DD`` day (an ISO timestamp gives its day); None when not given."""
    if value is None or value == "":
        return None
    if isinstance(value, str) and len(value) <= 40:
        try:
            return date.fromisoformat(value) if len(value) == 10 else datetime.fromisoformat(value).date()
        except ValueError:
            pass
    shown = value[:40] + "…" if isinstance(value, str) and len(value) > 40 else value
    raise QueryError(f"{name} must be a date like 2026-03-01, not {shown!r}")


def _day_ms(day: date) -> int:
    return int(datetime(day.year, day.month, day.day, tzinfo=UTC).timestamp() * 1000)


def utc_timestamp(value: str, name: str = "timestamp") -> str:
    """``value`` as the index writes ``indexed_at`` (ISO 8601 in UTC, ``+00:00``), so strings compare as times."""
    try:
        moment = datetime.fromisoformat(str(value).replace("Z", "+00:00"))
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
    reposts: int = 0  # collapsed results: the other postings of this cluster that match too


@dataclass
class SearchResult:
    total: int  # postings that match
    hits: list[Hit]
    clusters: int | None = None  # collapsed results: near-duplicate clusters (lures) among them
    clusters_exact: bool = True  # False: ``clusters`` is an estimate within a few percent (Elasticsearch, many)
    facets: dict[str, list[tuple[str, int]]] = field(default_factory=dict)
    histogram: list[tuple[str, int]] = field(default_factory=list)  # (YYYY-MM-DD, count)
    geotiles: list[tuple[str, int]] = field(default_factory=list)  # ("z/x/y", count)
    next_cursor: str | None = None


HIGHLIGHT_PRE, HIGHLIGHT_POST = "\x02", "\x03"


def encode_cursor(after: list[Any], pit: str | None = None) -> str:
    """An opaque page token: the last hit's sort values (and the point in time, on Elasticsearch)."""
    payload = json.dumps({"after": after, "pit": pit}, separators=(",", ":"))
    return base64.urlsafe_b64encode(payload.encode()).decode().rstrip("=")


def decode_cursor(cursor: str, sort: str | None = None) -> tuple[list[Any], str | None]:
    """The sort values and point in time of a cursor; checked against ``sort``'s keys when given."""
    invalid = QueryError("the page cursor is not valid; start again from the first page")
    if not isinstance(cursor, str) or len(cursor) > MAX_CURSOR_CHARS:
        raise invalid
    try:
        raw = base64.urlsafe_b64decode(cursor + "=" * (-len(cursor) % 4))
        payload = json.loads(raw)
        after, pit = list(payload["after"]), payload.get("pit")
    except (ValueError, KeyError, TypeError, AttributeError, RecursionError) as exc:
        raise invalid from exc
    if pit is not None and not isinstance(pit, str):
        raise invalid
    if sort is not None:
        kinds = _CURSOR_KINDS[sort]
        if len(after) != len(kinds) or not all(map(_fits, kinds, after)):
            raise QueryError("the page cursor does not fit this sort; start again from the first page")
    return after, pit


def _fits(kind: str, value: Any) -> bool:
    if kind == "text":
        return isinstance(value, str) and len(value) <= MAX_VALUE_CHARS and _utf8(value)
    if value is None:
        return kind == "whole"  # a finding without a date sorts on null (SQLite)
    if isinstance(value, bool) or not isinstance(value, int | float) or not -_LONG <= value < _LONG:
        return False
    return kind == "number" and math.isfinite(value) or isinstance(value, int)


def _utf8(value: str) -> bool:
    try:
        value.encode("utf-8")
    except UnicodeEncodeError:
        return False
    return True


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

# Operators spelt as words, in capitals as in Elasticsearch's query_string ("and" in lower case is a word).
_WORD_OPS = {"AND": "and", "OR": "or", "NOT": "not"}
_TOKEN = re.compile(r'\s*(?:(?P<phrase>"[^"]*"?)|(?P<op>[|+()-])|(?P<word>[^\s|+()"]+))')


def parse(text: str) -> Node | None:
    """Parse simple_query_string text into a tree; None for a query that matches everything.

    Raises ``QueryError`` for unbalanced brackets, brackets nested deeper than ``MAX_DEPTH``, more than
    ``MAX_WORDS`` words or more than ``MAX_TEXT_CHARS`` characters: never anything else.
    """
    if len(text) > MAX_TEXT_CHARS:
        raise QueryError(f"the query text is {len(text)} characters long; at most {MAX_TEXT_CHARS}")
    tokens = [m for m in _TOKEN.finditer(text) if m.group(0).strip()]
    pos = 0
    words = 0

    def group(depth: int) -> Node | None:
        nonlocal pos, words
        result: Node | None = None
        op = "and"
        negate = False
        while pos < len(tokens):
            tok = tokens[pos]
            pos += 1
            if tok.group("op") == ")":
                if depth == 0:
                    raise QueryError(f"unbalanced ')' at character {tok.start('op') + 1}: remove it, or add a "
                                     "'(' before it (quote it to search for it)")  # fmt: skip
                return result
            word_op = _WORD_OPS.get(tok.group("word") or "")
            if tok.group("op") == "|" or word_op == "or":
                op = "or"
                continue
            if tok.group("op") == "+" or word_op == "and":
                op = "and"
                continue
            if tok.group("op") == "-" or word_op == "not":
                negate = True
                continue
            if tok.group("op") == "(":
                if depth >= MAX_DEPTH:
                    raise QueryError(f"brackets nest deeper than {MAX_DEPTH} levels; simplify the query")
                node = group(depth + 1)
            elif tok.group("phrase") is not None:
                phrase = tok.group("phrase")
                if len(phrase) < 2 or not phrase.endswith('"'):
                    raise QueryError(f"unbalanced quote at character {tok.start('phrase') + 1}: close the phrase "
                                     "with another \" (or remove the quote)")  # fmt: skip
                node = Term(phrase[1:-1], "phrase")
            else:
                word = tok.group("word")
                node = Term(word[:-1], "prefix") if word.endswith("*") and len(word) > 1 else Term(word)
                if word == "*":
                    node = None
            if isinstance(node, Term):
                words += max(1, len(query_words(node.text)[0]))
                if words > MAX_WORDS:
                    raise QueryError(f"the query has more than {MAX_WORDS} words; narrow it with filters, "
                                     "or split it into several searches")  # fmt: skip
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
        if depth > 0:
            raise QueryError("a '(' is never closed: add a ')' (quote it to search for it)")
        return result

    return group(0)


def term_words(term: Term) -> list[tuple[list[str], bool]]:
    """What a term matches, split as the index is: alternatives of (words, whether they form a phrase).

    A word of an unspaced script segments into a phrase; it also matches as typed, whole, where a page
    wrote it standing alone (a document segmented by hand, or by an older segmenter, still matches).
    """
    words, together = query_words(term.text)
    if not together:
        return [(words, term.kind == "phrase")]
    alternatives = [(words, term.kind != "prefix")]
    whole = tokens(term.text)
    if term.kind == "word" and whole != words:
        alternatives.append((whole, False))
    return alternatives


def highlight_words(query: Query) -> list[tuple[str, bool]]:
    """The words a match may show, as ``(word, is_prefix)``: every word of the terms not under a NOT.

    A word of a script without spaces that was segmented into several comes whole (the highlight covers
    ``คีย์ข้อมูล``, not each of its pieces wherever they stand).
    """
    tree = None if query.match_all else parse(query.text)
    shown: list[tuple[str, bool]] = []

    def walk(n: Node | None, negated: bool) -> None:
        if isinstance(n, Term):
            if not negated:
                found, together = query_words(n.text)
                prefix = n.kind == "prefix"
                if together:
                    shown.append(("".join(found), prefix))
                else:
                    shown.extend((t, prefix and i == len(found) - 1) for i, t in enumerate(found))
        elif isinstance(n, Not):
            walk(n.node, not negated)
        elif n is not None:
            for child in n.nodes:
                walk(child, negated)

    walk(tree, False)
    return shown
