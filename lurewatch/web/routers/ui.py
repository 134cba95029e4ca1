"""The web UI: login, search with facets and a map, a finding with its evidence, entity pivots.

Every page is rendered server-side by Jinja2 with autoescape on: crawled text is always text. Scripts are
static files only (the CSP forbids inline ones); the map draws vendored Natural Earth outlines, offline.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any
from urllib.parse import parse_qs, quote

from fastapi import APIRouter, HTTPException, Request
from fastapi.responses import FileResponse, HTMLResponse, RedirectResponse, Response

from lurewatch.index.geo import tile_bounds, tile_center, zoom_for
from lurewatch.index.pivots import PIVOT_FIELDS, pivot_query, summarise
from lurewatch.index.query import FILTER_FIELDS, Query, QueryError
from lurewatch.web.app import COOKIE, presented_key
from lurewatch.web.keys import ApiKey
from lurewatch.web.params import UI_FACETS, query_from_params, toggled, url_with
from lurewatch.web.templating import templates

router = APIRouter(include_in_schema=False)
DEFAULT_VIEW = (92.0, -11.0, 127.0, 29.0)  # Southeast Asia: west, south, east, north
CONTACT_PIVOTS = [("phone", "phones"), ("telegram", "telegram"), ("whatsapp", "whatsapp"), ("line", "line"),
                  ("wechat", "wechat"), ("signal", "signal"), ("email", "emails"), ("domain", "domains")]  # fmt: skip


def _view(points: list[dict[str, Any]], pad: float = 3.0) -> tuple[float, float, float, float]:
    """A map view around ``points`` (west, south, east, north), or Southeast Asia when there is none."""
    if not points:
        return DEFAULT_VIEW
    lons, lats = [p["lon"] for p in points], [p["lat"] for p in points]
    return min(lons) - pad, min(lats) - pad, max(lons) + pad, max(lats) + pad


def _key(request: Request) -> ApiKey | None:
    key: ApiKey | None = request.app.state.keys.check(presented_key(request))
    return key


def _to_login(request: Request) -> RedirectResponse:
    target = request.url.path + (f"?{request.url.query}" if request.url.query else "")
    return RedirectResponse(f"/login?next={quote(target, safe='')}", status_code=303)


def _params(request: Request) -> dict[str, list[str]]:
    params: dict[str, list[str]] = {}
    for name, value in request.query_params.multi_items():
        params.setdefault(name, []).append(value)
    return params


def _safe_next(target: str | None) -> str:
    return target if target and target.startswith("/") and not target.startswith("//") else "/"


@router.get("/login", response_class=HTMLResponse)
def login_page(request: Request, next: str = "/", error: str = "") -> Response:
    return templates.TemplateResponse(request, "login.html", {"next": _safe_next(next), "error": error})


@router.post("/login")
async def login(request: Request) -> Response:
    form = parse_qs((await request.body()).decode("utf-8", "replace"))
    key_text = (form.get("key") or [""])[0].strip()
    target = _safe_next((form.get("next") or ["/"])[0])
    key = request.app.state.keys.check(key_text)
    if key is None:
        context = {"next": target, "error": "This key is not valid."}
        return templates.TemplateResponse(request, "login.html", context, status_code=401)
    request.app.state.audit.record(key, "login", {})
    response = RedirectResponse(target, status_code=303)
    secure = request.app.state.settings.cookie_secure
    response.set_cookie(COOKIE, key_text, httponly=True, samesite="strict", secure=secure, max_age=12 * 3600)
    return response


@router.post("/logout")
def logout() -> Response:
    response = RedirectResponse("/login", status_code=303)
    response.delete_cookie(COOKIE)
    return response


def _map_points(result: Any, path: str, params: dict[str, list[str]]) -> list[dict[str, Any]]:
    points = []
    for tile, count in result.geotiles:
        lat, lon = tile_center(tile)
        west, south, east, north = tile_bounds(tile)
        bbox = f"{west:.4f},{south:.4f},{east:.4f},{north:.4f}"
        points.append({"lat": lat, "lon": lon, "count": count, "href": url_with(path, params, bbox=bbox)})
    return points


@router.get("/", response_class=HTMLResponse)
def search_page(request: Request) -> Response:
    key = _key(request)
    if key is None:
        return _to_login(request)
    params = _params(request)
    context: dict[str, Any] = {"params": params, "url_with": url_with, "toggled": toggled, "error": None,
                               "filter_names": [n for n in FILTER_FIELDS if params.get(n)]}  # fmt: skip
    try:
        query = query_from_params(params, facets=UI_FACETS)
        view = query.bbox or DEFAULT_VIEW
        query.geotile = zoom_for(view[2] - view[0])
        query.histogram = query.histogram or "week"
        query.highlight = True
        request.app.state.audit.record(key, "search", {"params": params, "via": "web"})
        result = request.app.state.backend(lambda store: store.search(query))
    except QueryError as exc:
        context.update(error=str(exc), query=Query(), result=None, points=[], view=DEFAULT_VIEW)
        return templates.TemplateResponse(request, "search.html", context, status_code=400)
    context.update(query=query, result=result, points=_map_points(result, "/", params), view=view)
    return templates.TemplateResponse(request, "search.html", context)


@router.get("/findings/{posting_id}", response_class=HTMLResponse)
def finding_page(request: Request, posting_id: str) -> Response:
    key = _key(request)
    if key is None:
        return _to_login(request)
    request.app.state.audit.record(key, "finding", {"posting_id": posting_id, "via": "web"})
    finding = request.app.state.backend(lambda store: store.get(posting_id))
    if finding is None:
        raise HTTPException(404, "no such finding")
    members: list[Any] = []
    if finding.cluster_id:
        cluster = Query("*", filters={"cluster": [finding.cluster_id]}, sort="oldest", size=50, facets=())
        members = [h for h in request.app.state.backend(lambda s: s.search(cluster)).hits if h.posting_id != posting_id]
    entities = [(name, value) for name, attr in CONTACT_PIVOTS for value in getattr(finding.contacts, attr)]
    entities += [("wallet", w.address) for w in finding.wallets]
    entities += [("phash", i.phash) for i in finding.images if i.phash]
    points = [{"lat": loc.lat, "lon": loc.lon, "count": 1, "label": loc.name} for loc in finding.locations
              if loc.lat is not None and loc.lon is not None]  # fmt: skip
    context = {"f": finding, "members": members, "entities": entities, "points": points, "view": _view(points),
               "has_screenshot": _screenshot(request, finding.evidence.screenshot) is not None}  # fmt: skip
    return templates.TemplateResponse(request, "finding.html", context)


def _screenshot(request: Request, relative: str) -> Path | None:
    """The screenshot file under the data folder, if it is there (never a path outside it)."""
    if not relative:
        return None
    root = request.app.state.settings.data_dir.resolve()
    path = (root / relative).resolve()
    return path if path.is_relative_to(root) and path.is_file() else None


@router.get("/findings/{posting_id}/screenshot")
def screenshot(request: Request, posting_id: str) -> Response:
    if _key(request) is None:
        raise HTTPException(401, "log in first")
    finding = request.app.state.backend(lambda store: store.get(posting_id))
    path = _screenshot(request, finding.evidence.screenshot) if finding else None
    if path is None:
        raise HTTPException(404, "no screenshot was captured for this finding")
    return FileResponse(path, media_type="image/png")


@router.get("/pivot/{field}", response_class=HTMLResponse)
def pivot_page(request: Request, field: str, value: str, cursor: str | None = None) -> Response:
    key = _key(request)
    if key is None:
        return _to_login(request)
    if field not in PIVOT_FIELDS:
        raise HTTPException(404, f"cannot pivot on {field}")
    request.app.state.audit.record(key, "pivot", {"field": field, "value": value, "via": "web"})
    query = pivot_query(field, value, sort="newest", size=50, cursor=cursor, facets=(), geotile=6)
    result, summary = request.app.state.backend(lambda store: (store.search(query), summarise(store, field, value)))
    points = [{"lat": h.geo["lat"], "lon": h.geo["lon"], "count": 1, "label": h.title} for h in result.hits if h.geo]
    context = {
        "field": field,
        "value": value,
        "summary": summary,
        "result": result,
        "points": points,
        "view": _view(points),
    }
    return templates.TemplateResponse(request, "pivot.html", context)
