"""The records that cross step boundaries: a crawled ``Posting`` and an indexed ``Finding``.

Both are plain dataclasses serialised as one JSON object per line (by msgspec, below). ``schema_version`` is bumped
whenever a field changes meaning; readers accept older lines and fill missing fields with defaults.
"""

from __future__ import annotations

import hashlib
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import IO, Any, TypeVar

import msgspec

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
    network_id: str = ""  # the recruiter network (lurewatch.networks), written by the index's network step
    minhash_bands: list[str] = field(default_factory=list)
    images: list[Image] = field(default_factory=list)
    evidence: Evidence = field(default_factory=Evidence)
    indexed_at: str | None = None
    schema_version: int = SCHEMA_VERSION


# One serialiser for every record, msgspec (it reads the dataclasses' own type hints). It replaced three
# hand-written ones (asdict + a type-hint walker here, generated converters in index/documents.py, a copy-free
# asdict in the enrichment pipeline). Per finding, two runs on the shared 2-core machine under load 5-9
# (old code and msgspec in the same process): to a JSON line 14-20 us against 34-119 us; from a JSON line
# 149-255 us against 423-477 us; from a dict 156-176 us against 236-267 us; to a dict 16-28 us against
# 15-30 us, and nothing needs those dicts any more: both backends store the JSON msgspec writes.
# pydantic's TypeAdapter was within 30 % of msgspec but slower to write. bench/records.py measures it again.
_ENCODER = msgspec.json.Encoder()


_DECODERS: dict[type, msgspec.json.Decoder[Any]] = {}


def _decoder(cls: type[T]) -> msgspec.json.Decoder[T]:
    decoder = _DECODERS.get(cls)
    if decoder is None:
        # Not strict: a number written as a string (an older or hand-made line) is read as the number.
        decoder = _DECODERS[cls] = msgspec.json.Decoder(cls, strict=False)
    return decoder


def to_dict(record: Any) -> dict[str, Any]:
    """The record as plain JSON types (nested records as dicts)."""
    return msgspec.to_builtins(record)  # type: ignore[no-any-return]


def to_json_bytes(record: Any) -> bytes:
    """The record as one line of compact JSON, UTF-8 (non-ASCII characters not escaped)."""
    return _ENCODER.encode(record)


def to_json(record: Any) -> str:
    return _ENCODER.encode(record).decode("utf-8")


def from_dict(cls: type[T], data: dict[str, Any]) -> T:
    """Build ``cls`` from a dict, ignoring unknown keys (newer writers) and filling missing ones.

    Raises ``msgspec.ValidationError`` when a required field is missing or a value has the wrong type.
    """
    return msgspec.convert(data, cls, strict=False)


def from_json(cls: type[T], line: str | bytes) -> T:
    """Build ``cls`` from one JSON line; ``msgspec.DecodeError`` (a subclass of ValueError) on bad JSON."""
    return _decoder(cls).decode(line)


def read_jsonl(path: Path, cls: type[T]) -> Iterator[T]:
    decoder = _decoder(cls)
    with path.open("rb") as fh:
        for line in fh:
            if line.strip():
                yield decoder.decode(line)


def write_jsonl(fh: IO[str], records: Any) -> int:
    n = 0
    for record in records:
        fh.write(to_json(record) + "\n")
        n += 1
    return n
