"""What the web UI's pages share: the same-origin gate on reads, the map's view, and rendering."""

from __future__ import annotations

from typing import Any

from fastapi import Request
from fastapi.responses import Response

from lurewatch.web.errors import ForeignNavigation
from lurewatch.web.sessions import foreign_origin
from lurewatch.web.templating import templates

DEFAULT_VIEW = (92.0, -11.0, 127.0, 29.0)  # Southeast Asia: west, south, east, north


def started_here(request: Request) -> None:
    """Dependency of every web UI read: refuse one that a page on another origin started (see sessions.py)."""
    origin = foreign_origin(request)
    if origin:
        raise ForeignNavigation(origin)


def map_view(points: list[dict[str, Any]], pad: float = 3.0) -> tuple[float, float, float, float]:
    """A map view around ``points`` (west, south, east, north), or Southeast Asia when there is none."""
    if not points:
        return DEFAULT_VIEW
    lons, lats = [p["lon"] for p in points], [p["lat"] for p in points]
    return min(lons) - pad, min(lats) - pad, max(lons) + pad, max(lats) + pad


def render(request: Request, template: str, context: dict[str, Any], status_code: int = 200) -> Response:
    return templates.TemplateResponse(request, template, context, status_code=status_code)
