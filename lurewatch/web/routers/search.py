"""Search: ``/api/search``, ``/api/facets``, ``/api/indicators`` and the web UI's search page ``/``."""

from __future__ import annotations

import json
from dataclasses import asdict
from datetime import date, timedelta
from typing import Annotated, Any

from fastapi import APIRouter, Depends, Request
from fastapi import Query as QueryParam
from fastapi.responses import JSONResponse, RedirectResponse, Response

from lurewatch.enrichment.score import rule_catalogue
from lurewatch.index.geo import tile_bounds, tile_center, zoom_for
from lurewatch.index.query import FILTER_FIELDS, MAX_WINDOW, Query, QueryError, SearchResult
from lurewatch.web.deps import ApiAudit, IndexDep, Reader, WebAudit
from lurewatch.web.pages import DEFAULT_VIEW, render, started_here
from lurewatch.web.params import (
    UI_FACETS,
    SearchParams,
    multi_params,
    query_from_params,
    to_query,
    toggled,
    url_with,
    without,
)

router = APIRouter(prefix="/api", tags=["search"])
pages = APIRouter(include_in_schema=False)
ALL_FACETS = ("source", "source_kind", "language", "country", "compound", "indicator", "network")
RANGE_PARAMS = ("risk_min", "risk_max", "date_from", "date_to", "has_contact", "bbox", "near")
Params = Annotated[SearchParams, QueryParam()]


class FastJSON(JSONResponse):
    """JSON straight from ``json.dumps``: the results are plain dicts and lists, FastAPI's encoder walk is not needed."""

    def render(self, content: Any) -> bytes:
        return json.dumps(content, ensure_ascii=False, separators=(",", ":")).encode("utf-8")


def result_json(result: SearchResult) -> dict[str, Any]:
    """A search result as JSON; in ``highlights`` the matched words sit between U+0002 and U+0003."""
    return {
        "total": result.total,
        "clusters": result.clusters,  # with collapse: the near-duplicate clusters (lures) among the total postings
        "clusters_exact": result.clusters_exact,  # false: an estimate within a few percent (many clusters, ES)
        "hits": [asdict(h) for h in result.hits],
        "facets": {name: [{"value": v, "count": n} for v, n in b] for name, b in result.facets.items()},
        "histogram": [{"date": d, "count": n} for d, n in result.histogram],
        "geotiles": [{"tile": t, "count": n} for t, n in result.geotiles],
        "next_cursor": result.next_cursor,
    }


def _asked(request: Request) -> dict[str, list[str]]:
    return multi_params(request.query_params.multi_items())


@router.get("/search", summary="Search findings", response_class=FastJSON)
def search(request: Request, params: Params, audit: ApiAudit, index: IndexDep) -> FastJSON:
    """Full-text search with filters (repeat one to OR its values), ranges, geo, sort, pages and aggregations."""
    query = to_query(params)
    audit.record("search", params=_asked(request))
    return FastJSON(result_json(index.search(query)))


@router.get("/facets", summary="Facet counts of a search")
def facets(request: Request, params: Params, audit: ApiAudit, index: IndexDep) -> dict[str, Any]:
    """The same parameters as ``/api/search``; returns only the facet counts (``facets`` picks them)."""
    query = to_query(params, facets=ALL_FACETS)
    query.size = 0
    audit.record("facets", params=_asked(request))
    return result_json(index.search(query))["facets"]  # type: ignore[no-any-return]


@router.get("/indicators", summary="The risk indicators: label, description, weight, cited reports")
def indicators(key: Reader) -> list[dict[str, Any]]:
    return [asdict(info) for info in rule_catalogue().values()]


def _map_points(result: SearchResult, params: dict[str, list[str]]) -> list[dict[str, Any]]:
    points = []
    for tile, count in result.geotiles:
        lat, lon = tile_center(tile)
        west, south, east, north = tile_bounds(tile)
        bbox = f"{west:.4f},{south:.4f},{east:.4f},{north:.4f}"
        points.append({"lat": lat, "lon": lon, "count": count, "href": url_with("/", params, bbox=bbox)})
    return points


RANGE_LABELS = {"risk_min": "risk at least", "risk_max": "risk at most", "date_from": "posted from",
                "date_to": "posted until", "has_contact": "with a contact", "bbox": "map area", "near": "near"}  # fmt: skip


def _chips(params: dict[str, list[str]]) -> list[tuple[str, str, str]]:
    """(filter name, value, drop token) of each active filter: one form of buttons, so the page grows linearly.

    A filter without a value shows no chip (a chip must say what it removes)."""
    chips = [(name, v, f"{name}={v}") for name in FILTER_FIELDS for v in params.get(name, []) if v.strip()]
    for name in RANGE_PARAMS:
        value = params.get(name, [""])[-1].strip()
        if name == "has_contact" and value:
            value = "yes" if value.lower() in ("1", "true", "yes", "on") else "no"
        if value:
            chips.append((RANGE_LABELS[name], value, name))
    return chips


def _interval(query: Query, asked: str | None) -> str:
    """The histogram's bars: as asked, else days for a range of two months or less, months beyond three years."""
    if asked in ("day", "week", "month"):
        return asked
    if query.date_from and query.date_to:
        days = (date.fromisoformat(query.date_to) - date.fromisoformat(query.date_from)).days
        return "day" if days <= 62 else "month" if days > 3 * 366 else "week"
    return "week"


def _bucket_end(start: date, interval: str) -> date:
    if interval == "day":
        return start
    if interval == "week":
        return start + timedelta(days=6)
    following = date(start.year + start.month // 12, start.month % 12 + 1, 1)
    return following - timedelta(days=1)


def _bars(result: SearchResult, params: dict[str, list[str]], interval: str) -> list[dict[str, Any]]:
    """The histogram's bars, each a link to the same search narrowed to its day, week or month."""
    bars = []
    for day, count in result.histogram:
        start = date.fromisoformat(day)
        end = _bucket_end(start, interval)
        label = {"day": f"{day}", "week": f"week of {day}", "month": start.strftime("%B %Y")}[interval]
        href = url_with("/", params, date_from=start.isoformat(), date_to=end.isoformat(), histogram=None)
        bars.append({"day": day, "count": count, "label": label, "href": href})
    return bars


def _pages(query: Query, result: SearchResult, params: dict[str, list[str]]) -> dict[str, Any]:
    """"21–40 of 97": where this page stands, and the links to the previous and next ones (by offset)."""
    of = result.clusters if query.collapse and result.clusters is not None else result.total
    first, last = query.offset + 1, query.offset + len(result.hits)
    before = max(0, query.offset - query.size)
    after = query.offset + query.size
    return {
        "first": first, "last": last, "of": of,
        "previous": url_with("/", params, offset=str(before) if before else None) if query.offset else None,
        "next": url_with("/", params, offset=str(after)) if last < of and after + query.size <= MAX_WINDOW else None,
    }  # fmt: skip


@pages.get("/", dependencies=[Depends(started_here)])
def search_page(request: Request, audit: WebAudit, index: IndexDep) -> Response:
    params = _asked(request)
    if "drop" in params:  # a chip's button: the same search less one filter
        name, _, value = params.pop("drop")[-1].partition("=")
        return RedirectResponse(url_with("/", without(params, name, value if name in FILTER_FIELDS else None)), 303)
    context: dict[str, Any] = {"params": params, "url_with": url_with, "toggled": toggled, "error": None,
                               "filter_names": [n for n in FILTER_FIELDS if params.get(n)], "chips": _chips(params),
                               "range_params": RANGE_PARAMS}  # fmt: skip
    try:
        query = query_from_params(params, facets=UI_FACETS)
    except QueryError as exc:
        message = str(exc)
        request.state.refusal = {"reason": message}
        context.update(error=message, chips=[], filter_names=[], params={})
        return render(request, "search.html", {**context, "query": Query(), "result": None, "points": [],
                                               "view": DEFAULT_VIEW}, status_code=400)  # fmt: skip
    view = query.bbox or DEFAULT_VIEW
    # Tiles 8× finer than the view needs, so that each circle sits at its places (a tile's centre is within
    # half a tile of them); map.js merges the ones that touch on screen into clusters.
    query.geotile = min(zoom_for(view[2] - view[0]) + 3, 16)
    query.histogram = _interval(query, query.histogram)
    query.highlight = True
    audit.record("search", params=params)
    result = index.search(query)
    context.update(query=query, result=result, points=_map_points(result, params), view=view,
                   bars=_bars(result, params, query.histogram), pages=_pages(query, result, params))  # fmt: skip
    return render(request, "search.html", context)
