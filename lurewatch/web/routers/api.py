"""The JSON API: search, finding detail, pivots, facets; every read is audited. Auth: header ``X-API-Key``."""

from __future__ import annotations

from dataclasses import asdict
from typing import Annotated, Any

from fastapi import APIRouter, Depends, HTTPException, Request

from lurewatch.index.pivots import pivot_query, summarise
from lurewatch.index.query import SearchResult
from lurewatch.records import to_dict
from lurewatch.web.app import authenticate
from lurewatch.web.keys import ApiKey
from lurewatch.web.params import query_from_params

router = APIRouter(prefix="/api", tags=["api"])


def reader(request: Request) -> ApiKey:
    return authenticate(request, "reader")


def exporter(request: Request) -> ApiKey:
    return authenticate(request, "exporter")


Reader = Annotated[ApiKey, Depends(reader)]
Exporter = Annotated[ApiKey, Depends(exporter)]


def _params(request: Request) -> dict[str, list[str]]:
    params: dict[str, list[str]] = {}
    for name, value in request.query_params.multi_items():
        params.setdefault(name, []).append(value)
    return params


def result_json(result: SearchResult) -> dict[str, Any]:
    """A search result as JSON; in ``highlights`` the matched words sit between U+0002 and U+0003."""
    return {
        "total": result.total,
        "hits": [asdict(h) for h in result.hits],
        "facets": {name: [{"value": v, "count": n} for v, n in b] for name, b in result.facets.items()},
        "histogram": [{"date": d, "count": n} for d, n in result.histogram],
        "geotiles": [{"tile": t, "count": n} for t, n in result.geotiles],
        "next_cursor": result.next_cursor,
    }


@router.get("/search", summary="Search findings")
def search(request: Request, key: Reader) -> dict[str, Any]:
    """Parameters: ``q`` (simple_query_string), filters (``country``, ``compound``, ``indicator``, ``phone``, ...;
    repeat to OR), ``risk_min``/``risk_max``, ``date_from``/``date_to`` (YYYY-MM-DD), ``has_contact``,
    ``bbox`` (west,south,east,north), ``near`` (lat,lon,km), ``sort`` (relevance|newest|oldest|risk), ``size``,
    ``cursor`` (from ``next_cursor``), ``facets`` (comma list), ``histogram`` (day|week|month), ``geotile`` (zoom),
    ``highlight``."""
    params = _params(request)
    query = query_from_params(params)
    request.app.state.audit.record(key, "search", {"params": params})
    return result_json(request.app.state.backend(lambda store: store.search(query)))


@router.get("/facets", summary="Facet counts of a search")
def facets(request: Request, key: Reader) -> dict[str, Any]:
    """The same parameters as ``/api/search``; returns only the facet counts (``facets`` picks them)."""
    params = _params(request)
    query = query_from_params(params, facets=("source", "source_kind", "language", "country", "compound", "indicator"))
    query.size = 0
    request.app.state.audit.record(key, "facets", {"params": params})
    counts: dict[str, Any] = result_json(request.app.state.backend(lambda store: store.search(query)))["facets"]
    return counts


@router.get("/findings/{posting_id}", summary="One finding with its evidence")
def finding(request: Request, posting_id: str, key: Reader) -> dict[str, Any]:
    request.app.state.audit.record(key, "finding", {"posting_id": posting_id})
    found = request.app.state.backend(lambda store: store.get(posting_id))
    if found is None:
        raise HTTPException(404, f"no finding {posting_id!r}")
    return to_dict(found)


@router.get("/pivots/{field}", summary="Every finding that carries an entity, and a summary of it")
def pivot(request: Request, field: str, value: str, key: Reader, size: int = 50, cursor: str | None = None) -> Any:
    """``field``: phone, telegram, whatsapp, line, wechat, signal, email, wallet, domain, phash or cluster;
    ``value`` as stored (phones in E.164)."""
    request.app.state.audit.record(key, "pivot", {"field": field, "value": value})
    query = pivot_query(field, value, sort="newest", size=size, cursor=cursor, facets=())
    result, summary = request.app.state.backend(lambda store: (store.search(query), summarise(store, field, value)))
    return {"entity": asdict(summary), **result_json(result)}


@router.post("/exports", summary="Export a search (needs an exporter key)", status_code=501)
def export(request: Request, key: Exporter) -> dict[str, str]:
    """Exports are not served over HTTP yet; the endpoint exists so that roles are enforced from day one."""
    request.app.state.audit.record(key, "export", {"params": _params(request)})
    raise HTTPException(501, "exports are not available over HTTP yet")
