"""What a route needs, as FastAPI dependencies: the caller's key, an index to read, the audit trail.

API clients authenticate with ``X-API-Key`` or ``Authorization: Bearer`` (``fastapi.security`` schemes, so the
OpenAPI document declares them); the web UI with its login session (see ``sessions.py``). The API never
accepts the session cookie: a browser cannot be made to send a header, so it cannot be made to search in
someone's name through the API.
"""

from __future__ import annotations

import queue
import threading
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Annotated, Any

from fastapi import Depends, HTTPException, Request, Security
from fastapi.security import APIKeyHeader, HTTPAuthorizationCredentials, HTTPBearer

from lurewatch.index.base import Index
from lurewatch.web.keys import ApiKey, AuditLog

api_key_header = APIKeyHeader(name="X-API-Key", auto_error=False, description="an API key (`lurewatch keys add`)")
bearer = HTTPBearer(auto_error=False, description="the same API key as a bearer token")


class LoginRequired(Exception):
    """A web UI page was asked for without a live login: the app sends the browser to /login."""


class IndexPool:
    """Indexes for concurrent requests without a global lock.

    Elasticsearch's client is thread-safe, and so is a SqliteIndex that keeps one connection per thread
    (``connections``): every request shares those. An index on one shared SQLite connection must not serve
    two requests at once (a search fills a temp table), so each request then borrows an index of its own,
    opened on the same file, and gives it back; the pool keeps them for reuse.
    """

    def __init__(self, store: Index, size: int = 64) -> None:
        self.store = store
        self._shared = store.backend != "sqlite" or hasattr(store, "connections")
        self._idle: queue.LifoQueue[Index] = queue.LifoQueue()
        self._lock = threading.Lock()
        self._opened: list[Index] = []
        self.size = size

    def _open(self) -> Index:
        from lurewatch.index.sqlite.backend import SqliteIndex

        index = SqliteIndex(getattr(self.store, "path"))  # noqa: B009 - only SQLite stores have a path
        with self._lock:
            self._opened.append(index)
        return index

    def borrow(self) -> Index:
        if self._shared:
            return self.store
        try:
            return self._idle.get_nowait()
        except queue.Empty:
            return self._open()

    def give_back(self, index: Index) -> None:
        if index is not self.store and self._idle.qsize() < self.size:
            self._idle.put(index)
        elif index is not self.store:
            index.close()

    def close(self) -> None:
        with self._lock:
            opened, self._opened = self._opened, []
        for index in opened:
            try:
                index.close()
            except Exception:  # noqa: BLE001 - closing at shutdown; a connection of another thread may refuse
                pass


def get_index(request: Request) -> Iterator[Index]:
    """An index for this request alone (SQLite) or the shared one (Elasticsearch)."""
    pool: IndexPool = request.app.state.pool
    index = pool.borrow()
    try:
        yield index
    finally:
        pool.give_back(index)


@dataclass
class Audit:
    """The audit trail of one request: who (the key), how (api or web), and what was read."""

    log: AuditLog
    key: ApiKey
    via: str

    def record(self, action: str, **detail: Any) -> None:
        self.log.record(self.key, action, {**detail, "via": self.via})


def _refuse(request: Request, status: int, message: str, key: ApiKey | None = None) -> HTTPException:
    request.state.refusal = {"reason": message, **({"key": key.name} if key else {})}
    headers = {"WWW-Authenticate": 'Bearer realm="lurewatch"'} if status == 401 else None
    return HTTPException(status, message, headers=headers)


def _api_key(
    request: Request,
    header: Annotated[str | None, Security(api_key_header)],
    token: Annotated[HTTPAuthorizationCredentials | None, Security(bearer)],
) -> ApiKey:
    presented = header or (token.credentials if token else None)
    key: ApiKey | None = request.app.state.keys.check(presented)
    if key is None:
        message = "this API key is not valid" if presented else "an API key is required (header X-API-Key)"
        raise _refuse(request, 401, message)
    request.state.key = key
    return key


def _role(request: Request, key: ApiKey, role: str) -> ApiKey:
    if not key.can(role):
        raise _refuse(request, 403, f"the key {key.name!r} has role {key.role!r}; this needs {role!r}", key)
    return key


def reader(request: Request, key: Annotated[ApiKey, Depends(_api_key)]) -> ApiKey:
    return _role(request, key, "reader")


def exporter(request: Request, key: Annotated[ApiKey, Depends(_api_key)]) -> ApiKey:
    return _role(request, key, "exporter")


def session_key(request: Request) -> ApiKey | None:
    """The key of the web UI's live login, if any."""
    login = request.app.state.sessions.get(request.session.get("sid"))
    if login is None:
        return None
    key: ApiKey | None = request.app.state.keys.named(login.key, login.key_sha256)
    if key is not None:
        request.state.key = key
    return key


def web_reader(request: Request) -> ApiKey:
    key = session_key(request)
    if key is None:
        raise LoginRequired()
    return _role(request, key, "reader")


def web_exporter(request: Request, key: Annotated[ApiKey, Depends(web_reader)]) -> ApiKey:
    return _role(request, key, "exporter")


def api_audit(request: Request, key: Annotated[ApiKey, Depends(reader)]) -> Audit:
    return Audit(request.app.state.audit, key, "api")


def web_audit(request: Request, key: Annotated[ApiKey, Depends(web_reader)]) -> Audit:
    return Audit(request.app.state.audit, key, "web")


Reader = Annotated[ApiKey, Depends(reader)]
Exporter = Annotated[ApiKey, Depends(exporter)]
WebReader = Annotated[ApiKey, Depends(web_reader)]
WebExporter = Annotated[ApiKey, Depends(web_exporter)]
ApiAudit = Annotated[Audit, Depends(api_audit)]
WebAudit = Annotated[Audit, Depends(web_audit)]
IndexDep = Annotated[Index, Depends(get_index)]
