"""Search parameters of the HTTP API and the web UI: declared one by one, validated, turned into a ``Query``.

Every parameter has a type and bounds, so a bad one is a 400 with a readable message before anything reaches
the index (and the OpenAPI document lists them all). Filters are capped per request: a URL with thousands of
repeated filters is refused instead of building a page the size of its square.
"""

from __future__ import annotations

import math
from collections.abc import Mapping, Sequence
from datetime import date
from typing import Annotated, Any, Literal
from urllib.parse import urlencode

from pydantic import BaseModel, ConfigDict, Field, ValidationError, create_model, field_validator, model_validator

from lurewatch.entities import BY_KIND, stored_forms
from lurewatch.index.query import (
    DEFAULT_FACETS,
    FILTER_FIELDS,
    MAX_FILTER_VALUES,
    MAX_SIZE,
    MAX_TEXT_CHARS,
    MAX_VALUE_CHARS,
    MAX_WINDOW,
    Query,
    QueryError,
)

UI_FACETS = ("country", "compound", "indicator", "language", "source", "source_kind", "network")
FIRST_DAY, LAST_DAY = date(1970, 1, 1), date(2999, 12, 31)
Value = Annotated[str, Field(max_length=MAX_VALUE_CHARS)]

_FILTER_HELP = {
    "source": "source name", "source_kind": "board, social, channel, feed or forum", "language": "ISO 639-1 code",
    "country": "ISO 3166 alpha-2 code", "compound": "known compound name", "cluster": "cluster id",
    "network": "network id (lurewatch networks list)",
    "indicator": "indicator code (see /api/indicators)", "location": "place name",
}  # fmt: skip


def _filter_help(name: str) -> str:
    entity = BY_KIND.get(name)
    what = (f"{entity.label} (as typed: normalised like the stored values; a phone in any national or international "
            "format)" if entity else _FILTER_HELP[name])  # fmt: skip
    return f"filter on {what}; repeat to OR values"


class _Base(BaseModel):
    model_config = ConfigDict(extra="forbid")

    q: str = Field("*", max_length=MAX_TEXT_CHARS, description="text in simple_query_string syntax: words, \"phrase\", "
                   "a | b or a OR b, -not or NOT, a AND b, prefix*, (groups); Thai, Khmer, Lao, Burmese, Chinese and "
                   "Japanese words are segmented as the documents are")  # fmt: skip
    risk_min: int | None = Field(None, ge=0, le=100, description="lowest risk score (0-100)")
    risk_max: int | None = Field(None, ge=0, le=100, description="highest risk score (0-100)")
    date_from: date | None = Field(None, description="first day posted (YYYY-MM-DD, UTC, inclusive; the crawl date "
                                   "when the page gave no posting date)")  # fmt: skip
    date_to: date | None = Field(None, description="last day posted (YYYY-MM-DD, UTC, inclusive; the crawl date "
                                 "when the page gave no posting date)")  # fmt: skip
    has_contact: bool | None = Field(None, description="only findings with (true) or without (false) a contact")
    bbox: str | None = Field(None, max_length=200, description="west,south,east,north in degrees")
    near: str | None = Field(None, max_length=200, description="lat,lon,km: within km of a point")
    sort: Literal["relevance", "newest", "oldest", "risk"] | None = Field(
        None, description="order of the hits; by default relevance when there are words to match, newest without"
    )
    size: int = Field(20, ge=0, le=MAX_SIZE, description="hits per page")
    offset: int = Field(0, ge=0, le=MAX_WINDOW, description="hits to skip (shallow pages; use cursor to go deeper)")
    cursor: str | None = Field(None, max_length=4096, description="next_cursor of the previous page")
    facets: str | None = Field(None, max_length=500, description="comma list of fields to count values of")
    histogram: Literal["day", "week", "month"] | None = Field(None, description="date histogram interval")
    geotile: int | None = Field(None, ge=0, le=16, description="geotile grid zoom")
    highlight: bool = Field(False, description="mark matched words in titles and snippets")
    collapse: bool = Field(True, description="one hit per near-duplicate cluster (its best match, or the first in the "
                           "chosen order), with its number of reposts; false: every posting (needed to page by cursor)")  # fmt: skip

    @field_validator("date_from", "date_to")
    @classmethod
    def _day_in_range(cls, value: date | None) -> date | None:
        if value is not None and not FIRST_DAY <= value <= LAST_DAY:
            raise ValueError(f"must be between {FIRST_DAY} and {LAST_DAY}")
        return value

    @model_validator(mode="after")
    def _bounded(self) -> _Base:
        values = sum(len(getattr(self, name)) for name in FILTER_FIELDS)
        if values > MAX_FILTER_VALUES:
            raise ValueError(f"at most {MAX_FILTER_VALUES} filter values per search, not {values}")
        if self.offset + self.size > MAX_WINDOW:
            raise ValueError(f"offset + size must be at most {MAX_WINDOW}; use the cursor to page deeper")
        if self.risk_min is not None and self.risk_max is not None and self.risk_min > self.risk_max:
            raise ValueError("risk_min must not be above risk_max")
        return self


SearchParams: type[_Base] = create_model(  # type: ignore[call-overload]
    "SearchParams",
    __base__=_Base,
    **{name: (list[Value], Field(default_factory=list, description=_filter_help(name))) for name in FILTER_FIELDS},
)


def _floats(value: str, count: int, name: str, example: str) -> tuple[float, ...]:
    try:
        numbers = tuple(float(x) for x in value.split(","))
    except ValueError:
        numbers = ()
    if len(numbers) != count or not all(math.isfinite(n) for n in numbers):
        raise QueryError(f"{name} must be {count} numbers separated by commas, e.g. {example}")
    return numbers


def _bbox(value: str) -> tuple[float, float, float, float]:
    west, south, east, north = _floats(value, 4, "bbox", "98,16,99,17 (west,south,east,north)")
    if not (-180 <= west <= 180 and -180 <= east <= 180 and -90 <= south <= north <= 90):
        raise QueryError("bbox must be west,south,east,north with longitudes in ±180 and south ≤ north in ±90")
    return west, south, east, north


def _near(value: str) -> tuple[float, float, float]:
    lat, lon, km = _floats(value, 3, "near", "16.7,98.5,25 (lat,lon,km)")
    if not (-90 <= lat <= 90 and -180 <= lon <= 180 and 0 < km <= 20_000):
        raise QueryError("near must be lat,lon,km with lat in ±90, lon in ±180 and 0 < km ≤ 20000")
    return lat, lon, km


def to_query(params: _Base, facets: tuple[str, ...] = DEFAULT_FACETS) -> Query:
    """The ``Query`` that validated parameters ask for (entity filters normalised as stored)."""
    filters = {name: [form for v in getattr(params, name) if v for form in stored_forms(name, v)] for name in FILTER_FIELDS}
    wanted = tuple(f for f in params.facets.split(",") if f) if params.facets is not None else facets
    return Query(
        text=params.q or "*",
        filters={k: v for k, v in filters.items() if v},
        risk_min=params.risk_min,
        risk_max=params.risk_max,
        date_from=params.date_from.isoformat() if params.date_from else None,
        date_to=params.date_to.isoformat() if params.date_to else None,
        has_contact=params.has_contact,
        bbox=_bbox(params.bbox) if params.bbox else None,
        near=_near(params.near) if params.near else None,
        sort=params.sort or "relevance",  # the Query lists newest first when there are no words to rank by
        size=params.size,
        offset=params.offset,
        cursor=params.cursor,
        facets=wanted,
        histogram=params.histogram,
        geotile=params.geotile,
        highlight=params.highlight,
        collapse=params.collapse,
    )


def multi_params(items: Sequence[tuple[str, str]]) -> dict[str, list[str]]:
    """``name -> [values]`` of a query string, in order, empty values dropped."""
    params: dict[str, list[str]] = {}
    for name, value in items:
        if value != "":
            params.setdefault(name, []).append(value)
    return params


def parse_params(params: Mapping[str, Sequence[str]]) -> _Base:
    """Validated parameters from ``name -> [values]`` (the web UI's path; the API lets FastAPI do this)."""
    data: dict[str, Any] = {name: list(values) for name, values in params.items() if name in FILTER_FIELDS}
    data.update({name: values[-1] for name, values in params.items() if name not in FILTER_FIELDS and values})
    return SearchParams.model_validate(data)


def query_from_params(params: Mapping[str, Sequence[str]], facets: tuple[str, ...] = DEFAULT_FACETS) -> Query:
    """The ``Query`` of ``name -> [values]`` (a saved search, a form); a bad value raises ``QueryError``."""
    try:
        return to_query(parse_params(params), facets=facets)
    except ValidationError as exc:
        problems = "; ".join(
            f"{'.'.join(str(p) for p in e['loc']) or 'query'}: {str(e['msg']).removeprefix('Value error, ')}"
            for e in exc.errors()[:5]
        )
        raise QueryError(problems) from exc


def url_with(path: str, params: Mapping[str, Sequence[str]], **changes: Sequence[str] | str | None) -> str:
    """``path`` with ``params`` where each keyword replaces a parameter (None or [] removes it)."""
    merged = {k: list(v) for k, v in params.items() if k not in ("cursor", "offset", "drop")}
    for name, value in changes.items():
        if value is None or value == [] or value == "":
            merged.pop(name, None)
        else:
            merged[name] = [value] if isinstance(value, str) else list(value)
    pairs = [(k, v) for k, vs in merged.items() for v in vs if v != ""]
    return path + ("?" + urlencode(pairs) if pairs else "")


def without(params: Mapping[str, Sequence[str]], name: str, value: str | None) -> dict[str, list[str]]:
    """``params`` less one value of ``name`` (or all of it when ``value`` is None)."""
    left = {k: list(v) for k, v in params.items() if k not in ("cursor", "offset")}
    if value is None or name not in FILTER_FIELDS:
        left.pop(name, None)
    else:
        left[name] = [v for v in left.get(name, []) if v != value]
    return {k: v for k, v in left.items() if v}


def toggled(values: Sequence[str], value: str) -> list[str]:
    """``values`` with ``value`` added, or removed when it is there (a facet click)."""
    return [v for v in values if v != value] if value in values else [*values, value]
