"""The HTTP application: the JSON API under ``/api``, the web UI, static files, keys and security headers."""

from __future__ import annotations

import threading
from collections.abc import Callable
from pathlib import Path
from typing import Any, TypeVar

from fastapi import FastAPI, HTTPException, Request
from fastapi.responses import JSONResponse
from fastapi.staticfiles import StaticFiles

from lurewatch.index.base import Index, open_index
from lurewatch.index.query import QueryError
from lurewatch.logs import configure_logging
from lurewatch.settings import Settings
from lurewatch.web.keys import ApiKey, AuditLog, KeyStore

T = TypeVar("T")
STATIC = Path(__file__).parent / "ui" / "static"
COOKIE = "lurewatch_key"
CSP = ("default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; connect-src 'self'; "
       "object-src 'none'; base-uri 'none'; frame-ancestors 'none'; form-action 'self'")  # fmt: skip
# The API docs page loads Swagger UI from its CDN (it is only a reader of /api/openapi.json).
DOCS_CSP = ("default-src 'self'; script-src 'self' https://cdn.jsdelivr.net 'unsafe-inline'; "
            "style-src 'self' https://cdn.jsdelivr.net; img-src 'self' data: https://fastapi.tiangolo.com")  # fmt: skip


class Backend:
    """The index the app reads, behind a lock: one SQLite connection is shared by the worker threads."""

    def __init__(self, store: Index) -> None:
        self.store = store
        self._lock = threading.Lock()

    def __call__(self, fn: Callable[[Index], T]) -> T:
        with self._lock:
            return fn(self.store)


def presented_key(request: Request) -> str | None:
    """The API key of a request: ``X-API-Key``, ``Authorization: Bearer``, or the web UI's cookie."""
    header = request.headers.get("x-api-key")
    if header:
        return header
    auth = request.headers.get("authorization", "")
    if auth.lower().startswith("bearer "):
        return auth[7:].strip()
    return request.cookies.get(COOKIE)


def authenticate(request: Request, role: str = "reader") -> ApiKey:
    """The caller's key; 401 without a valid key, 403 when its role is too small."""
    key: ApiKey | None = request.app.state.keys.check(presented_key(request))
    if key is None:
        raise HTTPException(401, "an API key is required (header X-API-Key)", headers={"WWW-Authenticate": "Bearer"})
    if not key.can(role):
        raise HTTPException(403, f"the key {key.name!r} has role {key.role!r}; this needs {role!r}")
    return key


def create_app(settings: Settings, store: Index | None = None) -> FastAPI:
    """The app for ``lurewatch serve`` (tests pass their own ``store``)."""
    from lurewatch.web.routers.api import router as api_router
    from lurewatch.web.routers.ui import router as web_router

    configure_logging(settings.log_level)
    app = FastAPI(
        title="LureWatch",
        summary="Search findings of deceptive recruitment, pivot on contacts, open the preserved evidence.",
        docs_url="/api/docs",
        redoc_url=None,
        openapi_url="/api/openapi.json",
    )
    app.state.settings = settings
    app.state.backend = Backend(store or open_index(settings))
    app.state.keys = KeyStore(settings.keys_path)
    app.state.audit = AuditLog(settings.audit_path)

    @app.middleware("http")
    async def security_headers(request: Request, call_next: Callable[[Request], Any]) -> Any:
        response = await call_next(request)
        response.headers["Content-Security-Policy"] = DOCS_CSP if request.url.path == "/api/docs" else CSP
        response.headers["X-Content-Type-Options"] = "nosniff"
        response.headers["Referrer-Policy"] = "no-referrer"
        response.headers["X-Frame-Options"] = "DENY"
        return response

    @app.exception_handler(QueryError)
    async def bad_query(request: Request, exc: QueryError) -> JSONResponse:
        return JSONResponse({"detail": str(exc)}, status_code=400)

    app.include_router(api_router)
    app.include_router(web_router)
    app.mount("/static", StaticFiles(directory=STATIC), name="static")
    return app
