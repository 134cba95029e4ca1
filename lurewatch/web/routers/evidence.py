"""A finding's captured page, from its WARC record: the viewer, the page itself (sandboxed), the record, the check.

The captured page was written by the people under investigation: it is served with a CSP sandbox that runs no
script and loads nothing (``img-src data:`` only), framed only by our own viewer (whose ``frame-src 'self'``
also keeps a link clicked inside it from leaving this site), and the viewer's iframe is sandboxed too.
"""

from __future__ import annotations

from dataclasses import asdict
from typing import Annotated, Any, Literal

from fastapi import APIRouter, Depends, HTTPException, Query, Request
from fastapi.responses import Response

from lurewatch.index.base import Index
from lurewatch.web.captures import Capture, CaptureMissing, CaptureUnreadable, check_capture, read_capture, record_bytes
from lurewatch.web.deps import ApiAudit, IndexDep, WebAudit
from lurewatch.web.evidence_files import recorded
from lurewatch.web.pages import render, started_here
from lurewatch.web.routers.findings import PostingId, _found

router = APIRouter(prefix="/api", tags=["evidence"])
pages = APIRouter(include_in_schema=False)

# No script, no request of any kind but inline images and styles; framed by this site's own viewer only.
CAPTURE_CSP = ("sandbox; default-src 'none'; img-src data:; style-src 'unsafe-inline'; base-uri 'none'; "
               "form-action 'none'; frame-ancestors 'self'")  # fmt: skip
PRIVATE = {"Cache-Control": "private, no-store", "Referrer-Policy": "no-referrer"}


def _capture(request: Request, index: Index, posting_id: str) -> tuple[Any, Capture]:
    found = _found(index, posting_id)
    try:
        return found, read_capture(request.app.state.settings.runs_dir, found)
    except CaptureMissing as exc:
        raise HTTPException(404, str(exc)) from exc
    except CaptureUnreadable as exc:
        raise HTTPException(409, f"the captured page cannot be read back: {exc}") from exc


def _page_response(capture: Capture, as_download: bool) -> Response:
    """The payload as served then; HTML as HTML (sandboxed) for the viewer, anything else as a download."""
    headers = {**PRIVATE, "Content-Security-Policy": CAPTURE_CSP, "X-Frame-Options": "SAMEORIGIN",
               "X-Evidence-SHA256": capture.payload_sha256}  # fmt: skip
    if capture.is_html and not as_download:
        return Response(capture.payload, media_type=f"text/html; charset={capture.charset}", headers=headers)
    headers["Content-Disposition"] = f'attachment; filename="{capture.payload_sha256}.bin"'
    return Response(capture.payload, media_type="application/octet-stream", headers=headers)


def _record_response(request: Request, index: Index, posting_id: str) -> Response:
    found = _found(index, posting_id)
    try:
        data = record_bytes(request.app.state.settings.runs_dir, found)
    except CaptureMissing as exc:
        raise HTTPException(404, str(exc)) from exc
    except CaptureUnreadable as exc:
        raise HTTPException(409, f"the WARC record cannot be read back: {exc}") from exc
    headers = {**PRIVATE, "Content-Disposition": f'attachment; filename="{posting_id}.warc.gz"'}
    return Response(data, media_type="application/warc", headers=headers)


def _check(request: Request, index: Index, posting_id: str) -> dict[str, Any]:
    found = _found(index, posting_id)
    try:
        return asdict(check_capture(request.app.state.settings.runs_dir, found))
    except CaptureMissing as exc:
        raise HTTPException(404, str(exc)) from exc


# --- JSON API -----------------------------------------------------------------------------------------------


@router.get("/findings/{posting_id}/capture", summary="Where the finding's page was captured, and how it was served")
def capture_api(request: Request, posting_id: PostingId, audit: ApiAudit, index: IndexDep) -> dict[str, Any]:
    audit.record("capture", posting_id=posting_id)
    _, capture = _capture(request, index, posting_id)
    return {"url": capture.url, "status": capture.status, "content_type": capture.content_type,
            "charset": capture.charset, "bytes": len(capture.payload), "payload_sha256": capture.payload_sha256,
            "warc_file": capture.warc_file, "warc_offset": capture.offset, "warc_record_id": capture.record_id,
            "warc_date": capture.date, "http_headers": capture.http_headers}  # fmt: skip


@router.get("/findings/{posting_id}/capture/payload", summary="The captured response body, as a download",
            response_class=Response)  # fmt: skip
def capture_payload_api(request: Request, posting_id: PostingId, audit: ApiAudit, index: IndexDep) -> Response:
    audit.record("capture", posting_id=posting_id, part="payload")
    return _page_response(_capture(request, index, posting_id)[1], as_download=True)


@router.get("/findings/{posting_id}/warc", summary="The finding's WARC record (one gzip member, a valid .warc.gz)",
            response_class=Response, responses={200: {"content": {"application/warc": {}}}})  # fmt: skip
def warc_api(request: Request, posting_id: PostingId, audit: ApiAudit, index: IndexDep) -> Response:
    audit.record("warc_record", posting_id=posting_id)
    return _record_response(request, index, posting_id)


@router.get("/findings/{posting_id}/verify", summary="Re-hash the finding's WARC record against its recorded sha256")
def verify_api(request: Request, posting_id: PostingId, audit: ApiAudit, index: IndexDep) -> dict[str, Any]:
    audit.record("verify", posting_id=posting_id)
    return _check(request, index, posting_id)


# --- web UI -------------------------------------------------------------------------------------------------

View = Annotated[Literal["page", "source"], Query(description="the page rendered (sandboxed) or its source")]


@pages.get("/findings/{posting_id}/capture", dependencies=[Depends(started_here)])
def capture_page(request: Request, posting_id: PostingId, audit: WebAudit, index: IndexDep, view: View = "page",
                 check: Annotated[bool, Query()] = False) -> Response:  # fmt: skip
    audit.record("capture", posting_id=posting_id, view=view, **({"check": True} if check else {}))
    found = _found(index, posting_id)
    shot = recorded(request.app.state.settings.runs_dir, found, found.evidence.screenshot)
    context: dict[str, Any] = {"f": found, "view": view, "capture": None, "problem": None, "check": None,
                               "screenshot_sha256": shot[1] if shot else None}  # fmt: skip
    try:
        context["capture"] = read_capture(request.app.state.settings.runs_dir, found)
    except (CaptureMissing, CaptureUnreadable) as exc:
        context["problem"] = str(exc)
    if check and context["capture"] is not None:
        context["check"] = check_capture(request.app.state.settings.runs_dir, found)
    return render(request, "capture.html", context, status_code=200 if context["capture"] else 404)


@pages.get("/findings/{posting_id}/capture/page", dependencies=[Depends(started_here)])
def capture_frame(request: Request, posting_id: PostingId, audit: WebAudit, index: IndexDep) -> Response:
    audit.record("capture", posting_id=posting_id, part="page")
    return _page_response(_capture(request, index, posting_id)[1], as_download=False)


@pages.get("/findings/{posting_id}/warc", dependencies=[Depends(started_here)])
def warc_download(request: Request, posting_id: PostingId, audit: WebAudit, index: IndexDep) -> Response:
    audit.record("warc_record", posting_id=posting_id)
    return _record_response(request, index, posting_id)
