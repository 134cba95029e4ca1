"""A ``Query`` from URL parameters, shared by the HTTP API and the web UI; and URLs that change one parameter."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from urllib.parse import urlencode

from lurewatch.index.query import DEFAULT_FACETS, FILTER_FIELDS, Query, QueryError

UI_FACETS = ("country", "compound", "indicator", "language", "source", "source_kind")


def _floats(value: str, count: int, name: str, example: str) -> tuple[float, ...]:
    try:
        numbers = tuple(float(x) for x in value.split(","))
    except ValueError:
        numbers = ()
    if len(numbers) != count:
        raise QueryError(f"{name} must be {count} numbers separated by commas, e.g. {example}")
    return numbers


def _int(value: str | None, name: str) -> int | None:
    if value in (None, ""):
        return None
    try:
        return int(value)
    except ValueError as exc:
        raise QueryError(f"{name} must be a whole number, not {value!r}") from exc


def query_from_params(params: Mapping[str, Sequence[str]], facets: tuple[str, ...] = DEFAULT_FACETS) -> Query:
    """Build a query from ``name -> [values]`` (repeat a filter to OR its values)."""

    def one(name: str) -> str | None:
        values = [v for v in params.get(name, []) if v != ""]
        return values[-1] if values else None

    filters = {name: [v for v in params.get(name, []) if v] for name in FILTER_FIELDS}
    bbox = one("bbox")
    near = one("near")
    has_contact = one("has_contact")
    wanted_facets = one("facets")
    return Query(
        text=one("q") or "*",
        filters={k: v for k, v in filters.items() if v},
        risk_min=_int(one("risk_min"), "risk_min"),
        risk_max=_int(one("risk_max"), "risk_max"),
        date_from=one("date_from"),
        date_to=one("date_to"),
        has_contact=None if has_contact is None else has_contact.lower() in ("1", "true", "yes"),
        bbox=_floats(bbox, 4, "bbox", "98,16,99,17 (west,south,east,north)") if bbox else None,  # type: ignore[arg-type]
        near=_floats(near, 3, "near", "16.7,98.5,25 (lat,lon,km)") if near else None,  # type: ignore[arg-type]
        sort=one("sort") or "relevance",
        size=_int(one("size"), "size") or 20,
        offset=_int(one("offset"), "offset") or 0,
        cursor=one("cursor"),
        facets=tuple(f for f in wanted_facets.split(",") if f) if wanted_facets is not None else facets,
        histogram=one("histogram"),
        geotile=_int(one("geotile"), "geotile"),
        highlight=(one("highlight") or "").lower() in ("1", "true", "yes"),
    )


def url_with(path: str, params: Mapping[str, Sequence[str]], **changes: Sequence[str] | str | None) -> str:
    """``path`` with ``params`` where each keyword replaces a parameter (None or [] removes it)."""
    merged = {k: list(v) for k, v in params.items() if k not in ("cursor", "offset")}
    for name, value in changes.items():
        if value is None or value == [] or value == "":
            merged.pop(name, None)
        else:
            merged[name] = [value] if isinstance(value, str) else list(value)
    pairs = [(k, v) for k, vs in merged.items() for v in vs if v != ""]
    return path + ("?" + urlencode(pairs) if pairs else "")


def toggled(values: Sequence[str], value: str) -> list[str]:
    """``values`` with ``value`` added, or removed when it is there (a facet click)."""
    return [v for v in values if v != value] if value in values else [*values, value]
