"""The HTTP application: the JSON API under ``/api``, the web UI, static files, sessions and security headers.

Routes live in ``routers/`` (one module per area); ``deps.py`` gives them the caller's key, an index and the
audit trail; ``errors.py`` turns every refusal into a readable 4xx (JSON in the API, a page in the UI).
"""

from __future__ import annotations

import logging
import threading
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from pathlib import Path

from fastapi import FastAPI
from fastapi.staticfiles import StaticFiles
from starlette.middleware.sessions import SessionMiddleware

from lurewatch.index.base import Index, open_index
from lurewatch.logs import configure_logging
from lurewatch.settings import Settings
from lurewatch.web import errors
from lurewatch.web.guard import Guard
from lurewatch.web.keys import AuditLog, KeyStore
from lurewatch.web.routers import include_routers
from lurewatch.web.sessions import SESSION_COOKIE, SessionStore, session_secret

log = logging.getLogger(__name__)
STATIC = Path(__file__).parent / "ui" / "static"


def docs_assets() -> Path:
    """Swagger UI's files from the ``fastapi-offline`` package: the docs page loads nothing from a CDN."""
    import fastapi_offline

    return Path(fastapi_offline.__file__).parent / "static"


def _warm(index: Index) -> None:
    try:
        index.warm()
    except Exception:  # the first search will meet the same problem and report it to its caller
        log.warning("could not load the index's columns ahead of the first search", exc_info=True)


def create_app(settings: Settings, store: Index | None = None) -> FastAPI:
    """The app for ``lurewatch serve`` (tests pass their own ``store``)."""
    configure_logging(settings.log_level)
    index = store or open_index(settings)

    @asynccontextmanager
    async def lifespan(app: FastAPI) -> AsyncIterator[None]:
        # The first search would load the SQLite backend's columns; a thread does it while the server starts.
        warming = threading.Thread(target=_warm, args=(index,), name="lurewatch-warm", daemon=True)
        warming.start()
        yield
        # Never close the index under the thread's feet (a SQLite connection closed while in use crashes).
        warming.join()
        if getattr(app.state, "network_store", None) is not None:
            app.state.network_store.close()
        if store is None:  # an index the caller passed in is the caller's to close
            index.close()

    app = FastAPI(
        title="LureWatch",
        summary="Search findings of deceptive recruitment, pivot on contacts, open the preserved evidence.",
        docs_url=None,  # routers/docs.py serves them behind a key
        redoc_url=None,
        openapi_url=None,
        lifespan=lifespan,
    )
    app.state.settings = settings
    app.state.index = index
    app.state.keys = KeyStore(settings.keys_path)
    app.state.audit = AuditLog(settings.audit_path)
    app.state.sessions = SessionStore(settings.data_dir / "web_sessions.json", settings.session_hours * 3600)

    app.add_middleware(Guard)
    # Outermost: the session is read before the guard and the routes run.
    app.add_middleware(
        SessionMiddleware,
        secret_key=session_secret(settings),
        session_cookie=SESSION_COOKIE,
        max_age=int(settings.session_hours * 3600),
        same_site="strict",
        https_only=settings.cookie_secure,
    )
    errors.install(app)
    include_routers(app)
    app.mount("/static/docs", StaticFiles(directory=docs_assets()), name="docs-assets")
    app.mount("/static", StaticFiles(directory=STATIC), name="static")
    return app


def app_from_environment() -> FastAPI:
    """The app from the ``LUREWATCH_*`` settings: uvicorn's factory when it runs several worker processes."""
    from lurewatch.settings import get_settings

    return create_app(get_settings())
