"""Candidate sources over HTTP (``/api/candidates``) and the review page (``/candidates``); analyst keys only.

Approving writes an unscheduled source YAML under ``SOURCES_DIR/candidates/`` for the operator to enable;
rejecting needs a reason and is for good; a snooze ends on its date. Every decision goes to the audit log.
"""

from __future__ import annotations

from typing import Any
from urllib.parse import urlencode

from fastapi import APIRouter, Depends, HTTPException, Query, Request
from fastapi.responses import RedirectResponse, Response
from pydantic import BaseModel, Field

from lurewatch.discovery import service
from lurewatch.discovery.mentions import KINDS
from lurewatch.web.deps import Analyst, WebAnalyst
from lurewatch.web.keys import ApiKey
from lurewatch.web.pages import render, started_here
from lurewatch.web.sessions import csrf_ok

router = APIRouter(prefix="/api/candidates", tags=["candidates"])
pages = APIRouter(include_in_schema=False)
ACTIONS = ("approve", "reject", "snooze")


class ReviewIn(BaseModel):
    key: str = Field(max_length=300, description="the candidate's key, KIND:NAME")
    reason: str = Field("", max_length=1000, description="why (required to reject)")
    until: str | None = Field(None, max_length=20, description="snooze: YYYY-MM-DD, the day it is new again")


def _list(request: Request, status: str, kind: str | None) -> list[service.Candidate]:
    try:
        return service.list_candidates(request.app.state.settings, status=status, kind=kind or None)
    except service.CandidateError as exc:
        raise HTTPException(400, str(exc)) from exc


def _review(request: Request, key: ApiKey, action: str, body: ReviewIn, via: str) -> service.Candidate:
    settings = request.app.state.settings
    try:
        if action == "approve":
            found = service.approve(settings, body.key, reviewer=key.name, reason=body.reason)
        elif action == "reject":
            found = service.reject(settings, body.key, body.reason, reviewer=key.name)
        else:
            found = service.snooze(settings, body.key, body.until or "", reviewer=key.name, reason=body.reason)
    except service.CandidateError as exc:
        status = 404 if str(exc).startswith("no candidate") else 400
        raise HTTPException(status, str(exc)) from exc
    detail = {"candidate": body.key, "reason": body.reason, "until": body.until, "file": found.source_file, "via": via}
    request.app.state.audit.record(key, f"candidate_{action}", detail)
    return found


@router.get("", summary="Candidate sources, best first (analyst role)")
def list_candidates(
    request: Request,
    key: Analyst,
    status: str = Query("new", description="new, approved, rejected, snoozed, configured or all"),
    kind: str | None = Query(None, description=", ".join(KINDS)),
) -> list[dict[str, Any]]:
    return [c.to_dict() for c in _list(request, status, kind)]


@router.get("/{candidate_key:path}", summary="One candidate with its evidence")
def get_candidate(request: Request, candidate_key: str, key: Analyst) -> dict[str, Any]:
    try:
        return service.get_candidate(request.app.state.settings, candidate_key).to_dict()
    except service.CandidateError as exc:
        raise HTTPException(404, str(exc)) from exc


@router.post("/approve", summary="Approve: write the candidate's source YAML for the operator to enable")
def approve(request: Request, body: ReviewIn, key: Analyst) -> dict[str, Any]:
    return _review(request, key, "approve", body, "api").to_dict()


@router.post("/reject", summary="Reject a candidate for good (reason required)")
def reject(request: Request, body: ReviewIn, key: Analyst) -> dict[str, Any]:
    return _review(request, key, "reject", body, "api").to_dict()


@router.post("/snooze", summary="Hide a candidate until a date")
def snooze(request: Request, body: ReviewIn, key: Analyst) -> dict[str, Any]:
    return _review(request, key, "snooze", body, "api").to_dict()


@pages.get("/candidates", dependencies=[Depends(started_here)])
def candidates_page(request: Request, key: WebAnalyst, status: str = "new", kind: str = "") -> Response:
    found = _list(request, status, kind)
    notice = request.session.pop("candidate_notice", None)
    context = {"candidates": found, "status": status, "kind": kind, "kinds": KINDS, "notice": notice}
    return render(request, "candidates.html", {**context, "statuses": (*service.STATUSES, "all")})


@pages.post("/candidates")
async def review_form(request: Request, key: WebAnalyst) -> Response:
    form = await request.form()
    if not csrf_ok(request, str(form.get("csrf") or "")):
        request.state.refusal = {"reason": "candidate form without a valid CSRF token"}
        raise HTTPException(403, "The form had expired; reload the page and try again.")
    action = str(form.get("action") or "")
    if action not in ACTIONS:
        raise HTTPException(400, f"unknown action {action!r}; one of {', '.join(ACTIONS)}")
    body = ReviewIn(
        key=str(form.get("key") or "")[:300],
        reason=str(form.get("reason") or "")[:1000],
        until=str(form.get("until") or "") or None,
    )
    try:
        found = _review(request, key, action, body, "web")
        done = {"approve": f"wrote {found.source_file}", "reject": "rejected", "snooze": f"snoozed until {found.until}"}
        request.session["candidate_notice"] = {"ok": True, "text": f"{found.key}: {done[action]}"}
    except HTTPException as exc:
        request.session["candidate_notice"] = {"ok": False, "text": f"{body.key}: {exc.detail}"}
    back = {k: str(form.get(k) or "") for k in ("status", "kind") if form.get(k)}
    return RedirectResponse("/candidates" + (f"?{urlencode(back)}" if back else ""), status_code=303)
