"""The flat columns of a finding (CSV), each with its Frictionless type and a description.

One column per field; a list becomes one cell with its values joined by ``"; "`` (``LIST_SEPARATOR``);
nested records give one column per part (``salary_min``, ``evidence_sha256``) or a list of their
identifying part (``indicators``: the codes, ``image_phashes``). README's Exports section prints this table.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from lurewatch.records import Finding

LIST_SEPARATOR = "; "


@dataclass(frozen=True)
class Column:
    name: str
    type: str  # Frictionless field type: string, integer, number
    description: str
    value: Callable[[Finding], Any]


def _join(values: list[Any]) -> str:
    return LIST_SEPARATOR.join(str(v) for v in values if v not in (None, ""))


def _geo(f: Finding, axis: str) -> float | None:
    return f.geo.get(axis) if f.geo else None


def _salary(f: Finding, part: str) -> Any:
    return getattr(f.salary, part) if f.salary else None


COLUMNS: list[Column] = [
    Column("posting_id", "string", "stable id: hash of the canonical URL (or source + native post id)",
           lambda f: f.posting_id),
    Column("source", "string", "source name (sources/<name>.yml)", lambda f: f.source),
    Column("source_kind", "string", "board, social, channel, feed or forum", lambda f: f.source_kind),
    Column("url", "string", "where the posting was fetched", lambda f: f.url),
    Column("canonical_url", "string", "the URL without tracking parameters", lambda f: f.canonical_url),
    Column("fetched_at", "string", "when it was fetched (ISO 8601, UTC)", lambda f: f.fetched_at),
    Column("posted_at", "string", "when the source says it was posted (ISO 8601)", lambda f: f.posted_at),
    Column("first_seen", "string", "first crawl that saw it (ISO 8601)", lambda f: f.first_seen),
    Column("last_seen", "string", "last crawl that saw it (ISO 8601)", lambda f: f.last_seen),
    Column("seen_count", "integer", "crawls that saw it", lambda f: f.seen_count),
    Column("title", "string", "title (scrubbed of contacts when redacted)", lambda f: f.title),
    Column("text", "string", "full text (scrubbed of contacts when redacted)", lambda f: f.text),
    Column("language", "string", "ISO 639-1 language of the text", lambda f: f.language),
    Column("author", "string", "poster's name or handle (a pseudonym when redacted)", lambda f: f.author),
    Column("phones", "string", "phone numbers, E.164 (pseudonyms when redacted)", lambda f: _join(f.contacts.phones)),
    Column("emails", "string", "email addresses (pseudonyms when redacted)", lambda f: _join(f.contacts.emails)),
    Column("telegram", "string", "Telegram handles (pseudonyms when redacted)", lambda f: _join(f.contacts.telegram)),
    Column("whatsapp", "string", "WhatsApp numbers, E.164 (pseudonyms when redacted)",
           lambda f: _join(f.contacts.whatsapp)),
    Column("line", "string", "LINE ids (pseudonyms when redacted)", lambda f: _join(f.contacts.line)),
    Column("wechat", "string", "WeChat ids (pseudonyms when redacted)", lambda f: _join(f.contacts.wechat)),
    Column("signal", "string", "Signal numbers or groups (pseudonyms when redacted)",
           lambda f: _join(f.contacts.signal)),
    Column("urls", "string", "links in the text (scrubbed when redacted)", lambda f: _join(f.contacts.urls)),
    Column("domains", "string", "registered domains of the links and emails", lambda f: _join(f.contacts.domains)),
    Column("wallets", "string", "crypto wallets as chain:address (pseudonyms when redacted)",
           lambda f: _join([f"{w.chain}:{w.address}" for w in f.wallets])),
    Column("salary_min", "number", "lowest salary offered", lambda f: _salary(f, "min")),
    Column("salary_max", "number", "highest salary offered", lambda f: _salary(f, "max")),
    Column("salary_currency", "string", "ISO 4217 currency of the salary", lambda f: _salary(f, "currency")),
    Column("salary_period", "string", "hour, day, week, month or year", lambda f: _salary(f, "period")),
    Column("locations", "string", "places named or inferred (name)", lambda f: _join([loc.name for loc in f.locations])),
    Column("geo_lat", "number", "latitude of the primary location (WGS 84)", lambda f: _geo(f, "lat")),
    Column("geo_lon", "number", "longitude of the primary location (WGS 84)", lambda f: _geo(f, "lon")),
    Column("country", "string", "ISO 3166 alpha-2 country of the primary location", lambda f: f.country),
    Column("compound", "string", "known scam compound it points to", lambda f: f.compound),
    Column("indicators", "string", "risk indicator codes", lambda f: _join([i.code for i in f.indicators])),
    Column("risk_score", "integer", "risk 0-100 (sum of indicator weights)", lambda f: f.risk_score),
    Column("cluster_id", "string", "near-duplicate cluster (reposts share it)", lambda f: f.cluster_id),
    Column("duplicate_of", "string", "posting it repeats, if any", lambda f: f.duplicate_of),
    Column("network_id", "string", "recruiter network (`lurewatch networks`)", lambda f: f.network_id),
    Column("content_sha256", "string", "hash of title and text as fetched", lambda f: f.content_sha256),
    Column("image_sha256s", "string", "sha256 of each image", lambda f: _join([i.sha256 for i in f.images])),
    Column("image_phashes", "string", "perceptual hash of each image", lambda f: _join([i.phash for i in f.images])),
    Column("evidence_warc_file", "string", "WARC file holding the response", lambda f: f.evidence.warc_file),
    Column("evidence_warc_offset", "integer", "offset of its record in the WARC", lambda f: f.evidence.warc_offset),
    Column("evidence_sha256", "string", "sha256 of the response payload", lambda f: f.evidence.sha256),
    Column("evidence_screenshot", "string", "screenshot file, if captured", lambda f: f.evidence.screenshot),
    Column("run_id", "string", "crawl run that produced it", lambda f: f.run_id),
    Column("indexed_at", "string", "when it was indexed (ISO 8601)", lambda f: f.indexed_at),
    Column("schema_version", "integer", "version of the Finding record", lambda f: f.schema_version),
]  # fmt: skip


def frictionless_fields(columns: list[Column]) -> list[dict[str, str]]:
    return [{"name": c.name, "type": c.type, "description": c.description} for c in columns]
