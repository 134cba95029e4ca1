"""Findings: ``/api/findings/{id}``, the web UI's finding page and its screenshot (from the run's evidence)."""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Depends, HTTPException, Path, Request
from fastapi.responses import Response

from lurewatch.entities import entities_of
from lurewatch.index.base import Index
from lurewatch.index.query import Query
from lurewatch.networks.view import network_of
from lurewatch.records import Finding, to_dict
from lurewatch.web.deps import ApiAudit, Audit, IndexDep, WebAudit
from lurewatch.web.evidence_files import EvidenceChanged, read_verified, recorded
from lurewatch.web.pages import map_view, render, started_here
from lurewatch.web.routers.networks import with_networks
from lurewatch.web.routers.search import FastJSON

router = APIRouter(prefix="/api", tags=["findings"])
pages = APIRouter(include_in_schema=False)
PostingId = Annotated[str, Path(pattern=r"^[A-Za-z0-9_-]{1,100}$", description="the finding's posting_id")]


def _found(index: Index, posting_id: str) -> Finding:
    finding: Finding | None = index.get(posting_id)
    if finding is None:
        raise HTTPException(404, f"no finding {posting_id!r}")
    return finding


@router.get("/findings/{posting_id}", summary="One finding with its evidence", response_class=FastJSON)
def finding(posting_id: PostingId, audit: ApiAudit, index: IndexDep) -> FastJSON:
    audit.record("finding", posting_id=posting_id)
    return FastJSON(to_dict(_found(index, posting_id)))


def _evidence(request: Request, audit: Audit, index: Index, posting_id: str, sha256: str | None) -> Response:
    """A file of the finding's evidence: its screenshot (``sha256`` None) or any file it names, by hash."""
    audit.record("evidence" if sha256 else "screenshot", posting_id=posting_id, **({"sha256": sha256} if sha256 else {}))
    found = _found(index, posting_id)
    names = [found.evidence.screenshot] if sha256 is None else [found.evidence.screenshot, found.evidence.rendered_html]
    places = [p for p in (recorded(request.app.state.settings.runs_dir, found, name) for name in names if name) if p]
    place = next((p for p in places if sha256 is None or p[1] == sha256), None)
    if place is None:
        raise HTTPException(404, "no screenshot was captured for this finding" if sha256 is None else
                            f"finding {posting_id!r} has no evidence file with sha256 {sha256}")  # fmt: skip
    try:
        data = read_verified(*place)
    except EvidenceChanged as exc:
        raise HTTPException(409, f"the evidence file no longer matches its recorded hash ({exc})") from exc
    headers = {"X-Evidence-SHA256": place[1], "Cache-Control": "private, no-store"}
    if place[0].suffix == ".png":
        return Response(data, media_type="image/png", headers=headers)
    # Captured pages are hostile: downloaded, never rendered here (and sandboxed should a browser try).
    headers["Content-Disposition"] = f'attachment; filename="{place[1]}{place[0].suffix}"'
    headers["Content-Security-Policy"] = "sandbox; default-src 'none'"
    return Response(data, media_type="application/octet-stream", headers=headers)


EvidenceHash = Annotated[str, Path(pattern=r"^[0-9a-f]{64}$", description="sha256 recorded in evidence.json")]


@router.get("/findings/{posting_id}/screenshot", summary="The finding's screenshot, checked against evidence.json",
            response_class=Response, responses={200: {"content": {"image/png": {}}}})  # fmt: skip
def screenshot_api(request: Request, posting_id: PostingId, audit: ApiAudit, index: IndexDep) -> Response:
    return _evidence(request, audit, index, posting_id, None)


@router.get("/findings/{posting_id}/evidence/{sha256}", summary="An evidence file of the finding, by its sha256",
            response_class=Response)  # fmt: skip
def evidence_api(request: Request, posting_id: PostingId, sha256: EvidenceHash, audit: ApiAudit,
                 index: IndexDep) -> Response:  # fmt: skip
    return _evidence(request, audit, index, posting_id, sha256)


@pages.get("/findings/{posting_id}/screenshot", dependencies=[Depends(started_here)])
def screenshot(request: Request, posting_id: PostingId, audit: WebAudit, index: IndexDep) -> Response:
    return _evidence(request, audit, index, posting_id, None)


@pages.get("/findings/{posting_id}/evidence/{sha256}", dependencies=[Depends(started_here)])
def evidence_file(request: Request, posting_id: PostingId, sha256: EvidenceHash, audit: WebAudit,
                  index: IndexDep) -> Response:  # fmt: skip
    return _evidence(request, audit, index, posting_id, sha256)


@pages.get("/findings/{posting_id}", dependencies=[Depends(started_here)])
def finding_page(request: Request, posting_id: PostingId, audit: WebAudit, index: IndexDep) -> Response:
    audit.record("finding", posting_id=posting_id)
    found = _found(index, posting_id)
    members: list[Any] = []
    if found.cluster_id:
        cluster = Query("*", filters={"cluster": [found.cluster_id]}, sort="oldest", size=50, facets=())
        members = [h for h in index.search(cluster).hits if h.posting_id != posting_id]
    points = [{"lat": loc.lat, "lon": loc.lon, "count": 1, "label": loc.name} for loc in found.locations
              if loc.lat is not None and loc.lon is not None]  # fmt: skip
    runs = request.app.state.settings.runs_dir
    shot = recorded(runs, found, found.evidence.screenshot)
    rendered = recorded(runs, found, found.evidence.rendered_html)
    network_id = with_networks(request, lambda store: network_of(store, posting_id))
    context = {"f": found, "members": members, "network_id": network_id, "entities": [(e.kind, v) for e, v in entities_of(found)],
               "points": points, "view": map_view(points), "screenshot_sha256": shot[1] if shot else None,
               "rendered_sha256": rendered[1] if rendered else None}  # fmt: skip
    return render(request, "finding.html", context)
