"""Alerts over HTTP: each key manages its own saved searches and watches (``/api/alerts``, ``/api/watches``),
and the search page's "Alert me on new results" form (``POST /alerts``).

A key sees and changes only the alerts it owns (owner = the key's name); a reader may do so. File channels
are for the command line only: over HTTP a channel is ``email:ADDRESS`` or ``webhook:URL``.
"""

from __future__ import annotations

import threading
from collections.abc import Callable
from typing import Any, TypeVar
from urllib.parse import parse_qs, urlencode

from fastapi import APIRouter, HTTPException, Request
from fastapi.responses import RedirectResponse, Response
from pydantic import BaseModel, Field

from lurewatch.alerts import service
from lurewatch.alerts.model import DEFAULT_SCHEDULE, Alert, AlertError, query_to_dict
from lurewatch.alerts.store import AlertStore, open_alert_store
from lurewatch.index.query import FILTER_FIELDS, QueryError
from lurewatch.web.deps import Reader, WebReader
from lurewatch.web.keys import ApiKey
from lurewatch.web.params import query_from_params
from lurewatch.web.sessions import csrf_ok

T = TypeVar("T")
router = APIRouter(prefix="/api", tags=["alerts"])
pages = APIRouter(include_in_schema=False)
_LOCK = threading.Lock()  # one store connection, shared by the worker threads


def _with_store(request: Request, fn: Callable[[AlertStore], T]) -> T:
    """Run ``fn`` on the app's alert store (opened on first use); alert errors become 400s."""
    with _LOCK:
        state = request.app.state
        if getattr(state, "alert_store", None) is None:
            state.alert_store = open_alert_store(state.settings)
        try:
            return fn(state.alert_store)
        except (AlertError, QueryError) as exc:
            raise HTTPException(400, str(exc)) from exc


def _own(store: AlertStore, key: ApiKey, alert_id: str, kind: str | None = None) -> Alert:
    found = store.get(alert_id)
    if found is None or found["owner"] != key.name or (kind is not None and found.get("kind") != kind):
        raise HTTPException(404, f"no {kind or 'alert'} {alert_id!r} of yours")
    return Alert.from_dict(found)


class SavedQuery(BaseModel):
    text: str = "*"
    filters: dict[str, list[str]] = Field(default_factory=dict, description=f"any of {', '.join(FILTER_FIELDS)}")
    risk_min: int | None = None
    risk_max: int | None = None
    date_from: str | None = None
    date_to: str | None = None
    has_contact: bool | None = None
    bbox: list[float] | None = None
    near: list[float] | None = None


class AlertIn(BaseModel):
    name: str
    query: SavedQuery
    channels: list[str] = Field(description="email:ADDRESS or webhook:URL")
    schedule: str = DEFAULT_SCHEDULE
    min_risk: int = 0


class AlertChange(BaseModel):
    name: str | None = None
    query: SavedQuery | None = None
    channels: list[str] | None = None
    schedule: str | None = None
    min_risk: int | None = None
    paused: bool | None = None


class WatchIn(BaseModel):
    kind: str = Field(description="phone, telegram, wallet, email, domain or image")
    value: str = Field(description="as written; a local phone number needs ``region``")
    region: str | None = None
    name: str | None = None
    channels: list[str]
    schedule: str = DEFAULT_SCHEDULE
    min_risk: int = 0


def _saved(query: SavedQuery) -> dict[str, Any]:
    return {k: v for k, v in query.model_dump().items() if v not in (None, {}, [])}


@router.get("/alerts", summary="Your saved searches and watches, with each channel's delivery state")
def list_alerts(request: Request, key: Reader) -> list[dict[str, Any]]:
    return [a.to_dict() for a in _with_store(request, lambda s: service.list_alerts(s, key.name))]


@router.post("/alerts", status_code=201, summary="Save a search that alerts on new findings")
def add_alert(request: Request, body: AlertIn, key: Reader) -> dict[str, Any]:
    settings = request.app.state.settings
    alert = _with_store(request, lambda s: service.add_search(
        s, settings, name=body.name, owner=key.name, query=_saved(body.query), channels=body.channels,
        schedule=body.schedule, min_risk=body.min_risk, allow_files=False))  # fmt: skip
    request.app.state.audit.record(key, "alert_add", {"alert_id": alert.id, "query": alert.query})
    return alert.to_dict()


@router.get("/alerts/{alert_id}", summary="One of your alerts")
def get_alert(request: Request, alert_id: str, key: Reader) -> dict[str, Any]:
    return _with_store(request, lambda s: _own(s, key, alert_id)).to_dict()


@router.patch("/alerts/{alert_id}", summary="Change an alert (name, query, channels, schedule, risk, paused)")
def change_alert(request: Request, alert_id: str, body: AlertChange, key: Reader) -> dict[str, Any]:
    settings = request.app.state.settings

    def change(store: AlertStore) -> Alert:
        return service.update(store, settings, _own(store, key, alert_id), name=body.name,
                              query=_saved(body.query) if body.query else None, channels=body.channels,
                              schedule=body.schedule, min_risk=body.min_risk, paused=body.paused,
                              allow_files=False)  # fmt: skip

    return _with_store(request, change).to_dict()


@router.post("/alerts/{alert_id}/pause", summary="Pause an alert")
def pause_alert(request: Request, alert_id: str, key: Reader) -> dict[str, Any]:
    settings = request.app.state.settings
    return _with_store(request, lambda s: service.update(s, settings, _own(s, key, alert_id), paused=True)).to_dict()


@router.post("/alerts/{alert_id}/resume", summary="Resume a paused alert")
def resume_alert(request: Request, alert_id: str, key: Reader) -> dict[str, Any]:
    settings = request.app.state.settings
    return _with_store(request, lambda s: service.update(s, settings, _own(s, key, alert_id), paused=False)).to_dict()


@router.delete("/alerts/{alert_id}", status_code=204, summary="Remove an alert or watch")
def remove_alert(request: Request, alert_id: str, key: Reader) -> Response:
    _with_store(request, lambda s: service.remove(s, _own(s, key, alert_id)))
    return Response(status_code=204)


@router.get("/watches", summary="Your watched entities")
def list_watches(request: Request, key: Reader) -> list[dict[str, Any]]:
    return [a.to_dict() for a in _with_store(request, lambda s: service.list_alerts(s, key.name, kind="watch"))]


@router.post("/watches", status_code=201, summary="Watch a phone, handle, wallet, email, domain or image hash")
def add_watch(request: Request, body: WatchIn, key: Reader) -> dict[str, Any]:
    settings = request.app.state.settings
    watch = _with_store(request, lambda s: service.add_watch(
        s, settings, kind=body.kind, value=body.value, owner=key.name, channels=body.channels, region=body.region,
        name=body.name, schedule=body.schedule, min_risk=body.min_risk, allow_files=False))  # fmt: skip
    request.app.state.audit.record(key, "watch_add", {"alert_id": watch.id, "watch": watch.watch})
    return watch.to_dict()


@router.delete("/watches/{alert_id}", status_code=204, summary="Stop watching an entity")
def remove_watch(request: Request, alert_id: str, key: Reader) -> Response:
    _with_store(request, lambda s: service.remove(s, _own(s, key, alert_id, kind="watch")))
    return Response(status_code=204)


@pages.post("/alerts")
async def alert_from_search_page(request: Request, key: WebReader) -> Response:
    """The search page's form: its hidden fields are the search's own parameters."""
    form = parse_qs((await request.body()).decode("utf-8", "replace"))
    if not csrf_ok(request, (form.get("csrf") or [""])[0]):
        request.state.refusal = {"reason": "alert form without a valid CSRF token"}
        raise HTTPException(403, "the form has expired; reload the page and save the alert again")
    search = {name: values for name, values in form.items() if not name.startswith("alert_") and name != "csrf"}
    back = dict(search)

    def one(name: str) -> str:
        return (form.get(name) or [""])[0].strip()

    try:
        saved = query_to_dict(query_from_params(search))
        min_risk = int(one("alert_min_risk") or 0)
        channel = one("alert_channel")
        # The form takes an address as a person writes it: an email, or a webhook's URL.
        if channel.lower().startswith(("http://", "https://")):
            target = f"webhook:{channel}"
        else:
            target = f"email:{channel}" if "@" in channel and ":" not in channel else channel
        settings = request.app.state.settings
        alert = _with_store(request, lambda s: service.add_search(
            s, settings, name=one("alert_name") or saved.get("text", "*"), owner=key.name, query=saved,
            channels=[target], min_risk=min_risk, allow_files=False))  # fmt: skip
        request.app.state.audit.record(key, "alert_add", {"alert_id": alert.id, "query": alert.query, "via": "web"})
        # Shown once by the search page (the session carries it: the search takes only its own parameters).
        request.session["alert_notice"] = {"saved": True, "text": alert.name}
    except (HTTPException, QueryError, ValueError) as exc:
        request.session["alert_notice"] = {"saved": False, "text": str(getattr(exc, "detail", None) or exc)}
    pairs = [(k, v) for k, vs in back.items() for v in vs]
    return RedirectResponse("/?" + urlencode(pairs), status_code=303)
