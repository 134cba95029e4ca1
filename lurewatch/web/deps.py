"""What a route needs, as FastAPI dependencies: the caller's key, an index to read, the audit trail.

API clients authenticate with ``X-API-Key`` or ``Authorization: Bearer`` (``fastapi.security`` schemes, so the
OpenAPI document declares them); the web UI with its login session (see ``sessions.py``). The API never
accepts the session cookie: a browser cannot be made to send a header, so it cannot be made to search in
someone's name through the API.
"""

from __future__ import annotations

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


def get_index(request: Request) -> Index:
    """The app's index: both backends serve concurrent requests (SQLite keeps a connection per thread)."""
    index: Index = request.app.state.index
    return index


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


def analyst(request: Request, key: Annotated[ApiKey, Depends(_api_key)]) -> ApiKey:
    return _role(request, key, "analyst")


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


def web_analyst(request: Request, key: Annotated[ApiKey, Depends(web_reader)]) -> ApiKey:
    return _role(request, key, "analyst")


def api_audit(request: Request, key: Annotated[ApiKey, Depends(reader)]) -> Audit:
    return Audit(request.app.state.audit, key, "api")


def web_audit(request: Request, key: Annotated[ApiKey, Depends(web_reader)]) -> Audit:
    return Audit(request.app.state.audit, key, "web")


Reader = Annotated[ApiKey, Depends(reader)]
Exporter = Annotated[ApiKey, Depends(exporter)]
Analyst = Annotated[ApiKey, Depends(analyst)]
WebAnalyst = Annotated[ApiKey, Depends(web_analyst)]
WebReader = Annotated[ApiKey, Depends(web_reader)]
WebExporter = Annotated[ApiKey, Depends(web_exporter)]
ApiAudit = Annotated[Audit, Depends(api_audit)]
WebAudit = Annotated[Audit, Depends(web_audit)]
IndexDep = Annotated[Index, Depends(get_index)]
