"""The app's routes, one module per area. Each module has ``router`` (JSON API, in the OpenAPI document) and
may have ``pages`` (web UI). A new area is one more name in ``AREAS``: write ``routers/alerts.py`` with
``router = APIRouter(prefix="/api/alerts", tags=["alerts"])`` (and ``pages`` for its screens), then add
``"alerts"`` below.
"""

from __future__ import annotations

from importlib import import_module

from fastapi import APIRouter, FastAPI

AREAS = ("session", "docs", "search", "findings", "evidence", "clusters", "risk", "pivots", "networks", "alerts",
         "exports", "candidates")


def include_routers(app: FastAPI) -> None:
    for area in AREAS:
        module = import_module(f"{__name__}.{area}")
        for name in ("router", "pages"):
            router = getattr(module, name, None)
            if isinstance(router, APIRouter):
                app.include_router(router)
