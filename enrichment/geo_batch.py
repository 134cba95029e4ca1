"""Geoparse texts for the ``lurewatch geoparse`` command: one text, or JSON lines of ``{"id", "text"}``."""

from __future__ import annotations

import json
from collections.abc import Callable, Iterable, Iterator
from dataclasses import asdict
from typing import Any

from lurewatch.enrichment.geo_resolve import Resolved
from lurewatch.enrichment.geolocate import geolocate, geoparse


def toponym_record(mention: Resolved) -> dict[str, Any]:
    """One place mention as the command prints it; offsets are in characters of the given text."""
    country: str | None
    if mention.compound is not None:
        c = mention.compound
        name, lat, lon, country, geonameid = c.name, c.lat, c.lon, c.country, None
    else:
        p = mention.place
        assert p is not None  # a resolved mention is a compound or a place
        name, lat, lon, country, geonameid = p.name, p.lat, p.lon, p.country, p.geonameid
    return {
        "start": mention.start, "end": mention.end, "name": name, "lat": lat, "lon": lon,
        "country": country, "geonameid": geonameid,
    }  # fmt: skip


def geoparse_text(text: str, *, ner: bool, phones: list[str], domains: list[str]) -> dict[str, Any]:
    """Everything known about one text: the posting-level result plus its place mentions."""
    language = "en" if ner else ""
    result = geolocate(text, language, phones, domains, [], ner=ner)
    return {
        "country": result.country,
        "compound": result.compound,
        "geo": result.geo,
        "locations": [asdict(loc) for loc in result.locations],
        "toponyms": [toponym_record(m) for m in geoparse(text, ner=ner)],
    }


class BadLine(ValueError):
    """A JSON line that is not an object with a string ``text``."""


def parse_line(line: str) -> tuple[Any, str]:
    """(id, text) of one input line, or BadLine saying what is wrong with it."""
    try:
        record = json.loads(line)
    except json.JSONDecodeError as exc:
        raise BadLine(f"not JSON ({exc.msg})") from exc
    if not isinstance(record, dict) or not isinstance(record.get("text"), str):
        raise BadLine('expected an object with a string "text"')
    return record.get("id"), record["text"]


def geoparse_lines(
    lines: Iterable[str], *, ner: bool, reject: Callable[[int, str, str], None]
) -> Iterator[dict[str, Any]]:
    """``{"id", "toponyms"}`` per good line; ``reject(line_number, line, reason)`` for each bad one."""
    for number, line in enumerate(lines, start=1):
        if not line.strip():
            continue
        try:
            doc_id, text = parse_line(line)
        except BadLine as exc:
            reject(number, line, str(exc))
            continue
        yield {"id": doc_id, "toponyms": [toponym_record(m) for m in geoparse(text, ner=ner)]}
