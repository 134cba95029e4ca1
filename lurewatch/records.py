"""The records that cross step boundaries: a crawled ``Posting`` and an indexed ``Finding``.

Both are plain dataclasses serialised as one JSON object per line. ``schema_version`` is bumped
whenever a field changes meaning; readers accept older lines and fill missing fields with defaults.
"""

from __future__ import annotations

import dataclasses
import hashlib
import json
import types
import typing
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import IO, Any, TypeVar

SCHEMA_VERSION = 1

T = TypeVar("T")


def posting_id_for(canonical_url: str, source: str = "", native_id: str = "") -> str:
    """Stable id: hash of the canonical URL, or of source + native post id for channel posts."""
    key = f"{source}\x1f{native_id}" if native_id else canonical_url
    return hashlib.sha256(key.encode("utf-8")).hexdigest()[:24]


@dataclass
class Evidence:
    """Where the raw response is preserved, and its hash."""

    warc_file: str = ""
    warc_offset: int | None = None
    sha256: str = ""
    screenshot: str = ""
    rendered_html: str = ""


@dataclass
class Contacts:
    phones: list[str] = field(default_factory=list)  # E.164
    emails: list[str] = field(default_factory=list)
    telegram: list[str] = field(default_factory=list)
    whatsapp: list[str] = field(default_factory=list)
    line: list[str] = field(default_factory=list)
    wechat: list[str] = field(default_factory=list)
    signal: list[str] = field(default_factory=list)
    zalo: list[str] = field(default_factory=list)  # E.164: Zalo (Vietnam) identifies people by phone number
    viber: list[str] = field(default_factory=list)  # E.164
    kakaotalk: list[str] = field(default_factory=list)  # KakaoTalk ids and open-chat codes
    messenger: list[str] = field(default_factory=list)  # Facebook Messenger (m.me) page or user names
    urls: list[str] = field(default_factory=list)
    domains: list[str] = field(default_factory=list)


@dataclass
class Wallet:
    chain: str
    address: str


@dataclass
class Salary:
    min: float | None = None
    max: float | None = None
    currency: str | None = None
    period: str | None = None
    text: str = ""


@dataclass
class Location:
    name: str
    country: str | None = None
    admin1: str | None = None
    lat: float | None = None
    lon: float | None = None
    geonameid: int | None = None
    source: str = "text"  # text | phone | exif | compound | tld
    confidence: float = 0.0


@dataclass
class Indicator:
    code: str
    weight: float
    evidence: str = ""


@dataclass
class Image:
    url: str
    sha256: str = ""
    phash: str = ""
    width: int | None = None
    height: int | None = None
    exif_gps: list[float] | None = None


@dataclass
class Posting:
    """What a crawler emits for one posting, before enrichment."""

    posting_id: str
    source: str
    source_kind: str  # board | social | channel | feed | forum
    url: str
    canonical_url: str
    fetched_at: str  # ISO 8601, UTC
    run_id: str
    title: str = ""
    html: str = ""  # the posting's own markup (the detail region), not the whole page
    text: str = ""  # plain text when the source gives text, not markup
    posted_at: str | None = None
    author: str = ""
    native_id: str = ""
    language_hint: str = ""
    fields: dict[str, str] = field(default_factory=dict)  # raw values of the source's field selectors
    image_urls: list[str] = field(default_factory=list)
    images: list[Image] = field(default_factory=list)
    http_status: int = 200
    encoding: str = ""
    first_seen: str | None = None
    last_seen: str | None = None
    seen_count: int = 1
    content_sha256: str = ""  # hash of what the posting says; a new one on a re-crawl means it was edited
    content_changed: bool = False  # seen before with another content_sha256
    evidence: Evidence = field(default_factory=Evidence)
    schema_version: int = SCHEMA_VERSION


@dataclass
class Finding:
    """An enriched posting: what the index stores and every search returns."""

    posting_id: str
    source: str
    source_kind: str
    url: str
    canonical_url: str
    fetched_at: str
    run_id: str
    posted_at: str | None = None  # ISO 8601 UTC, parsed by enrichment; None when the page's date is unreadable
    posted_at_raw: str | None = None  # the posted date as the page wrote it
    first_seen: str | None = None
    last_seen: str | None = None
    seen_count: int = 1
    title: str = ""
    text: str = ""
    text_segmented: str = ""  # words separated by spaces for scripts written without them
    language: str = ""
    author: str = ""
    contacts: Contacts = field(default_factory=Contacts)
    wallets: list[Wallet] = field(default_factory=list)
    salary: Salary | None = None
    locations: list[Location] = field(default_factory=list)
    geo: dict[str, float] | None = None  # {"lat": .., "lon": ..}
    country: str | None = None
    compound: str | None = None
    indicators: list[Indicator] = field(default_factory=list)
    risk_score: int = 0
    content_sha256: str = ""
    cluster_id: str = ""
    duplicate_of: str | None = None
    minhash_bands: list[str] = field(default_factory=list)
    images: list[Image] = field(default_factory=list)
    evidence: Evidence = field(default_factory=Evidence)
    indexed_at: str | None = None
    schema_version: int = SCHEMA_VERSION


def to_dict(record: Any) -> dict[str, Any]:
    return dataclasses.asdict(record)


def to_json(record: Any) -> str:
    return json.dumps(to_dict(record), ensure_ascii=False, separators=(",", ":"))


_BUILDERS: dict[type, Callable[[dict[str, Any]], Any]] = {}


def _converter(tp: Any) -> Callable[[Any], Any] | None:
    """How to turn a JSON value into a value of type ``tp`` (None: keep the value as it is)."""
    origin = typing.get_origin(tp)
    if origin in (typing.Union, types.UnionType):
        inner = [a for a in typing.get_args(tp) if a is not type(None)]
        return _converter(inner[0]) if len(inner) == 1 else None
    if origin is list:
        (item_tp,) = typing.get_args(tp)
        item = _converter(item_tp)
        if item is None:
            return list
        return lambda value: [None if v is None else item(v) for v in value]
    if dataclasses.is_dataclass(tp):
        build = _builder(tp)  # type: ignore[arg-type]
        return lambda value: build(value) if isinstance(value, dict) else value
    return None


def _builder(cls: type[T]) -> Callable[[dict[str, Any]], T]:
    """A function building ``cls`` from a dict, its field converters worked out once per class."""
    if cls not in _BUILDERS:
        fields = [(name, _converter(tp)) for name, tp in typing.get_type_hints(cls).items()]

        def build(data: dict[str, Any]) -> T:
            kwargs = {}
            for name, convert in fields:
                if name in data:
                    value = data[name]
                    kwargs[name] = value if convert is None or value is None else convert(value)
            return cls(**kwargs)

        _BUILDERS[cls] = build
    return _BUILDERS[cls]  # type: ignore[return-value]


def from_dict(cls: type[T], data: dict[str, Any]) -> T:
    """Build ``cls`` from a dict, ignoring unknown keys (newer writers) and filling missing ones."""
    return _builder(cls)(data)


def read_jsonl(path: Path, cls: type[T]) -> Iterator[T]:
    with path.open(encoding="utf-8") as fh:
        for line in fh:
            if line.strip():
                yield from_dict(cls, json.loads(line))


def write_jsonl(fh: IO[str], records: Any) -> int:
    n = 0
    for record in records:
        fh.write(to_json(record) + "\n")
        n += 1
    return n
