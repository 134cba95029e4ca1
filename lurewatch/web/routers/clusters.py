"""Clusters of reposts: ``/api/clusters/{id}`` and the web UI's cluster page, with what changed between members."""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Depends, HTTPException, Path, Request
from fastapi.responses import Response

from lurewatch.index.base import Index
from lurewatch.index.query import Query
from lurewatch.records import Finding
from lurewatch.web.clusters import Member, members_of
from lurewatch.web.deps import ApiAudit, IndexDep, WebAudit
from lurewatch.web.pages import render, started_here

router = APIRouter(prefix="/api", tags=["clusters"])
pages = APIRouter(include_in_schema=False)
ClusterId = Annotated[str, Path(pattern=r"^[A-Za-z0-9_-]{1,100}$", description="the cluster_id of its findings")]
MAX_MEMBERS = 200


def _members(index: Index, cluster_id: str) -> tuple[list[Member], int]:
    result = index.search(Query("*", filters={"cluster": [cluster_id]}, sort="oldest", size=MAX_MEMBERS, facets=()))
    if not result.hits:
        raise HTTPException(404, f"no finding is in cluster {cluster_id!r}")
    findings: list[Finding] = index.get_many([h.posting_id for h in result.hits])
    return members_of(findings), result.total


@router.get("/clusters/{cluster_id}", summary="A cluster's members by posting date, the original first, with diffs")
def cluster(cluster_id: ClusterId, audit: ApiAudit, index: IndexDep) -> dict[str, Any]:
    """Each later member's ``diff`` is against the member posted before it; ``added`` / ``dropped`` are
    contacts it has that the original has not, and the original's that it lacks."""
    audit.record("cluster", cluster_id=cluster_id)
    members, total = _members(index, cluster_id)
    return {
        "cluster_id": cluster_id,
        "total": total,
        "original": members[0].finding.posting_id,
        "members": [
            {"posting_id": m.finding.posting_id, "title": m.finding.title, "url": m.finding.url, "when": m.when,
             "when_from": m.when_from, "changed_lines": m.changed_lines,
             "diff": [{"op": d.op, "text": d.text} for d in m.diff if d.op != "same"],
             "added": [{"kind": k, "value": v} for k, v in m.added],
             "dropped": [{"kind": k, "value": v} for k, v in m.dropped]}
            for m in members
        ],
    }  # fmt: skip


@pages.get("/clusters/{cluster_id}", dependencies=[Depends(started_here)])
def cluster_page(request: Request, cluster_id: ClusterId, audit: WebAudit, index: IndexDep) -> Response:
    audit.record("cluster", cluster_id=cluster_id)
    members, total = _members(index, cluster_id)
    return render(request, "cluster.html", {"cluster_id": cluster_id, "members": members, "total": total})
