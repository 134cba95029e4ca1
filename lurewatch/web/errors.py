"""Every error as its reader expects it: JSON ``{"detail": ...}`` in the API, an HTML page in the web UI.

A bad parameter is a 400 with a message that says what to change, never a 500 or a traceback; a page that
needs a login sends the browser to it; refusals (400, 401, 403) go to the audit log with their reason.
"""

from __future__ import annotations

import logging
from typing import Any
from urllib.parse import quote

from fastapi import FastAPI, Request, Response
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse, RedirectResponse
from pydantic import ValidationError
from starlette.exceptions import HTTPException

from lurewatch.index.query import QueryError
from lurewatch.web.deps import LoginRequired
from lurewatch.web.templating import templates

log = logging.getLogger(__name__)
TITLES = {400: "This search cannot run as asked", 401: "Log in first", 403: "Refused", 404: "Not found",
          405: "Not allowed", 409: "Evidence changed", 500: "Something went wrong"}  # fmt: skip


class ForeignNavigation(Exception):
    """A web UI read that another site started (a link or an image there): asked first, not run."""

    def __init__(self, origin: str) -> None:
        super().__init__(origin)
        self.origin = origin


def wants_json(request: Request) -> bool:
    return request.url.path.startswith("/api/") and request.url.path != "/api/docs"


def refused(request: Request, status: int, message: str, **context: Any) -> Response:
    """The error response for ``request``: JSON for the API, the error page for the web UI."""
    if wants_json(request):
        return JSONResponse({"detail": message}, status_code=status)
    page = {"status": status, "title": TITLES.get(status, "Error"), "message": message, **context}
    return templates.TemplateResponse(request, "error.html", page, status_code=status)


def validation_message(exc: RequestValidationError | ValidationError) -> str:
    """The first few problems, each as ``parameter: what is wrong``."""
    parts = []
    for error in exc.errors()[:5]:
        where = ".".join(str(p) for p in error.get("loc", ()) if p not in ("query", "path", "body", "header"))
        message = str(error.get("msg", "invalid")).removeprefix("Value error, ")
        if error.get("type") == "extra_forbidden":
            message = "unknown parameter"
        parts.append(f"{where}: {message}" if where else message)
    return "; ".join(parts) or "invalid request"


def audit_refusal(request: Request, status: int) -> None:
    query = request.url.query
    detail = {"method": request.method, "path": request.url.path[:300], "query": query[:500] + ("…" if len(query) > 500 else ""),
              "client": request.client.host if request.client else None,
              **getattr(request.state, "refusal", {})}  # fmt: skip
    key = getattr(request.state, "key", None)
    if key is not None and "key" not in detail:
        detail["key"] = key.name
    request.app.state.audit.refusal(status, detail)


def install(app: FastAPI) -> None:
    """Register the handlers on ``app``."""

    @app.exception_handler(QueryError)
    async def bad_query(request: Request, exc: QueryError) -> Response:
        request.state.refusal = {"reason": str(exc)}
        return refused(request, 400, str(exc))

    @app.exception_handler(RequestValidationError)
    async def bad_parameter(request: Request, exc: RequestValidationError) -> Response:
        message = validation_message(exc)
        request.state.refusal = {"reason": message}
        return refused(request, 400, message)

    @app.exception_handler(HTTPException)
    async def http_error(request: Request, exc: HTTPException) -> Response:
        if exc.status_code in (401, 403) and not hasattr(request.state, "refusal"):
            request.state.refusal = {"reason": str(exc.detail)}
        response = refused(request, exc.status_code, str(exc.detail))
        for name, value in (exc.headers or {}).items():
            response.headers[name] = value
        return response

    @app.exception_handler(LoginRequired)
    async def to_login(request: Request, exc: LoginRequired) -> Response:
        target = request.url.path + (f"?{request.url.query}" if request.url.query else "")
        expired = "&error=expired" if request.session.get("sid") else ""
        return RedirectResponse(f"/login?next={quote(target, safe='')}{expired}", status_code=303)

    @app.exception_handler(ForeignNavigation)
    async def ask_first(request: Request, exc: ForeignNavigation) -> Response:
        request.state.refusal = {"reason": f"web UI read started by {exc.origin}"}
        target = request.url.path + (f"?{request.url.query}" if request.url.query else "")
        message = "A page on another site sent you here. Nothing was searched or read in your name."
        return refused(request, 403, message, confirm=target, origin=exc.origin)

    @app.exception_handler(Exception)
    async def crash(request: Request, exc: Exception) -> Response:
        log.exception("unexpected error on %s %s", request.method, request.url.path)
        return refused(request, 500, "the server failed on this request; it is logged")
