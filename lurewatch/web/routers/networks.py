"""Networks: ``/api/networks`` (list, one, its graph, the network of a finding) and the web UI's networks list
and network page with its graph view (Cytoscape.js, vendored; the graph is a JSON data block, no inline script)."""

from __future__ import annotations

import threading
from collections.abc import Callable
from typing import Annotated, Any, Literal, TypeVar

from fastapi import APIRouter, Depends, HTTPException, Path, Query, Request
from fastapi.responses import RedirectResponse, Response

from lurewatch.errors import NetworkNotFound
from lurewatch.index.networks import NetworkStore, open_network_store
from lurewatch.networks.view import find_network, graph, network_of
from lurewatch.web.deps import ApiAudit, IndexDep, WebAudit
from lurewatch.web.pages import render, started_here
from lurewatch.web.routers.search import FastJSON

T = TypeVar("T")
router = APIRouter(prefix="/api", tags=["networks"])
pages = APIRouter(include_in_schema=False)
_LOCK = threading.Lock()  # one store connection, shared by the worker threads
Sort = Literal["size", "growth", "risk", "recent"]
NetworkId = Annotated[str, Path(pattern=r"^[A-Za-z0-9_-]{1,64}$", description="a network id (a merged id leads on)")]
PostingId = Annotated[str, Path(pattern=r"^[A-Za-z0-9_-]{1,100}$", description="the finding's posting_id")]
PAGE = 50


def with_networks(request: Request, fn: Callable[[NetworkStore], T]) -> T:
    """Run ``fn`` on the app's network store (opened on first use); an unknown network is a 404."""
    with _LOCK:
        state = request.app.state
        if getattr(state, "network_store", None) is None:
            state.network_store = open_network_store(state.settings)
        try:
            return fn(state.network_store)
        except NetworkNotFound as exc:
            raise HTTPException(404, str(exc)) from exc


def _listing(store: NetworkStore, sort: str, size: int, offset: int, min_postings: int) -> dict[str, Any]:
    total, networks = store.list(sort, size, offset, min_postings)
    return {"total": total, "networks": networks}


@router.get("/networks", summary="Networks by size, growth, risk or most recent", response_class=FastJSON)
def networks_api(request: Request, audit: ApiAudit, sort: Sort = "size",
                 size: Annotated[int, Query(ge=1, le=500)] = PAGE, offset: Annotated[int, Query(ge=0, le=100_000)] = 0,
                 min_postings: Annotated[int, Query(ge=1, le=1_000_000)] = 2) -> FastJSON:  # fmt: skip
    """Each network's summary: postings, clusters, entities by kind, sources, languages, countries, compounds,
    first and last seen, highest risk, growth (entities first seen per week; ``growth``: in the last 28 days)."""
    audit.record("networks", sort=sort, offset=offset)
    return FastJSON(with_networks(request, lambda s: _listing(s, sort, size, offset, min_postings)))


def _one(store: NetworkStore, network_id: str) -> dict[str, Any]:
    network = find_network(store, network_id)
    network["top_entities"] = [{"key": e.key, "findings": e.findings} for e in store.entities_of(network["network_id"], 50)]
    return network


@router.get("/networks/{network_id}", summary="One network: summary, main entities, merges", response_class=FastJSON)
def network_api(request: Request, network_id: NetworkId, audit: ApiAudit) -> FastJSON:
    audit.record("network", network_id=network_id)
    return FastJSON(with_networks(request, lambda s: _one(s, network_id)))


@router.get("/networks/{network_id}/graph", summary="A network's findings and shared entities as nodes and edges",
            response_class=FastJSON)  # fmt: skip
def graph_api(request: Request, network_id: NetworkId, audit: ApiAudit, index: IndexDep) -> FastJSON:
    audit.record("network graph", network_id=network_id)
    return FastJSON(with_networks(request, lambda s: graph(s, index, find_network(s, network_id)["network_id"])))


@router.get("/findings/{posting_id}/network", summary="The network of a finding", response_class=FastJSON)
def finding_network_api(request: Request, posting_id: PostingId, audit: ApiAudit) -> FastJSON:
    audit.record("finding network", posting_id=posting_id)
    found = with_networks(request, lambda s: network_of(s, posting_id))
    if found is None:
        raise HTTPException(404, f"finding {posting_id!r} is in no network yet (`lurewatch networks build`)")
    return FastJSON(with_networks(request, lambda s: _one(s, found)))


@pages.get("/networks", dependencies=[Depends(started_here)])
def networks_page(request: Request, audit: WebAudit, sort: Sort = "size",
                  offset: Annotated[int, Query(ge=0, le=100_000)] = 0) -> Response:  # fmt: skip
    audit.record("networks", sort=sort, offset=offset)
    listing = with_networks(request, lambda s: _listing(s, sort, PAGE, offset, 2))
    return render(request, "networks.html", {**listing, "sort": sort, "offset": offset, "page": PAGE})


@pages.get("/networks/{network_id}", dependencies=[Depends(started_here)])
def network_page(request: Request, network_id: NetworkId, audit: WebAudit, index: IndexDep) -> Response:
    audit.record("network", network_id=network_id)
    network = with_networks(request, lambda s: _one(s, network_id))
    if network["network_id"] != network_id:  # merged into another: its page is the other's
        return RedirectResponse(f"/networks/{network['network_id']}?merged={network_id}", 303)
    drawn = with_networks(request, lambda s: graph(s, index, network_id))
    peak = max((n for _, n in network["growth_weeks"]), default=1)
    return render(request, "network.html", {"n": network, "graph": drawn, "peak": peak,
                                            "merged": request.query_params.get("merged")})  # fmt: skip
