"""Pivots: every finding that carries one entity, ``/api/pivots/{field}`` and the web UI's pivot page."""

from __future__ import annotations

from dataclasses import asdict
from typing import Annotated, Literal

from fastapi import APIRouter, Depends, Query, Request
from fastapi.responses import Response

from lurewatch.index.pivots import PIVOT_FIELDS, pivot_query, summarise
from lurewatch.web.deps import ApiAudit, IndexDep, WebAudit
from lurewatch.web.pages import map_view, render, started_here
from lurewatch.web.routers.networks import with_networks
from lurewatch.web.routers.search import FastJSON, result_json

router = APIRouter(prefix="/api", tags=["pivots"])
pages = APIRouter(include_in_schema=False)
Field = Literal[PIVOT_FIELDS]  # type: ignore[valid-type]
Value = Annotated[str, Query(min_length=1, max_length=200, description="the entity as typed (phones in any format)")]
Cursor = Annotated[str | None, Query(max_length=4096, description="next_cursor of the previous page")]


@router.get("/pivots/{field}", summary="Every finding that carries an entity, and a summary of it",
            response_class=FastJSON)
def pivot(field: Field, value: Value, audit: ApiAudit, index: IndexDep,
          size: Annotated[int, Query(ge=1, le=500)] = 50, cursor: Cursor = None) -> FastJSON:  # fmt: skip
    """``field``: an entity kind (phone, telegram, ..., wallet, phash) or ``cluster``; ``value`` as typed:
    phones become E.164, handles lose ``@`` and case, as enrichment stores them."""
    audit.record("pivot", field=field, value=value)
    query = pivot_query(field, value, sort="newest", size=size, cursor=cursor, facets=())
    result, summary = index.search(query), summarise(index, field, value)
    return FastJSON({"entity": asdict(summary), **result_json(result)})


@pages.get("/pivot/{field}", dependencies=[Depends(started_here)])
def pivot_page(request: Request, field: Field, value: Value, audit: WebAudit, index: IndexDep,
               cursor: Cursor = None) -> Response:  # fmt: skip
    audit.record("pivot", field=field, value=value)
    query = pivot_query(field, value, sort="newest", size=50, cursor=cursor, facets=(), geotile=6)
    result, summary = index.search(query), summarise(index, field, value)
    points = [{"lat": h.geo["lat"], "lon": h.geo["lon"], "count": 1, "label": h.title} for h in result.hits if h.geo]
    entity = with_networks(request, lambda store: store.entities([f"{field}:{summary.value}"]))
    network_id = next((row.network_id for row in entity.values() if row.network_id), None)
    context = {"field": field, "value": summary.value, "summary": summary, "result": result, "points": points,
               "view": map_view(points), "network_id": network_id}  # fmt: skip
    return render(request, "pivot.html", context)
