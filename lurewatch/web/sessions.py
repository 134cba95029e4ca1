"""Web UI logins: server-side sessions behind a signed cookie, CSRF tokens, and same-origin checks.

The browser holds only Starlette's signed session cookie (``SameSite=Strict``, ``HttpOnly``, ``Secure`` when
``LUREWATCH_COOKIE_SECURE`` is set), which carries a random session id and the CSRF token, never the API
key. The server keeps each live session (by the SHA-256 of its id) with the key's name, its hash and an
expiry: logging out, revoking the key or the expiry ends it, whatever the cookie says.

``SameSite`` does not separate ports: a page on another port of the same host is the same *site*. So every
state-changing request must come from this origin (``Origin``/``Referer``/``Sec-Fetch-Site``) and carry the
form's CSRF token, and reads of the index in the web UI are run only for navigations that start here or
from the user (typed, bookmarked): a link or image on another origin gets a page that asks first.
"""

from __future__ import annotations

import hashlib
import hmac
import json
import secrets
import threading
import time
from dataclasses import asdict, dataclass
from pathlib import Path
from typing import TYPE_CHECKING
from urllib.parse import urlsplit

if TYPE_CHECKING:
    from starlette.requests import Request

    from lurewatch.settings import Settings

SESSION_COOKIE = "lurewatch_session"
CSRF_FIELD = "csrf"
UNSAFE_METHODS = frozenset({"POST", "PUT", "PATCH", "DELETE"})


def session_secret(settings: Settings) -> str:
    """The signing key: ``LUREWATCH_SESSION_SECRET``, or one made once and kept in the data folder (0600)."""
    if settings.session_secret is not None:
        return settings.session_secret.get_secret_value()
    path = settings.data_dir / "session_secret"
    if path.exists():
        return path.read_text(encoding="utf-8").strip()
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = path.with_suffix(".tmp")
    tmp.write_text(secrets.token_urlsafe(48), encoding="utf-8")
    tmp.chmod(0o600)
    tmp.replace(path)
    return path.read_text(encoding="utf-8").strip()


@dataclass
class Login:
    key: str  # the API key's name
    key_sha256: str  # its hash at login: a revoked or remade key ends the session
    created: float
    expires: float


def _sid_hash(sid: str) -> str:
    return hashlib.sha256(sid.encode("utf-8")).hexdigest()


class SessionStore:
    """Live logins by the SHA-256 of their session id, in a JSON file (0600) shared by server processes."""

    def __init__(self, path: Path, lifetime_s: float) -> None:
        self.path = path
        self.lifetime_s = lifetime_s
        self._lock = threading.Lock()
        self._cache: tuple[tuple[int, int], dict[str, Login]] | None = None

    def _load(self) -> dict[str, Login]:
        try:
            stat = self.path.stat()
        except FileNotFoundError:
            return {}
        stamp = (stat.st_mtime_ns, stat.st_size)
        if self._cache is None or self._cache[0] != stamp:
            raw = json.loads(self.path.read_text(encoding="utf-8") or "{}")
            self._cache = (stamp, {h: Login(**entry) for h, entry in raw.items()})
        return dict(self._cache[1])

    def _save(self, logins: dict[str, Login]) -> None:
        now = time.time()
        live = {h: login for h, login in logins.items() if login.expires > now}
        self.path.parent.mkdir(parents=True, exist_ok=True)
        tmp = self.path.with_suffix(f".{threading.get_ident()}.tmp")
        tmp.write_text(json.dumps({h: asdict(login) for h, login in live.items()}), encoding="utf-8")
        tmp.chmod(0o600)
        tmp.replace(self.path)

    def start(self, key_name: str, key_sha256: str) -> str:
        """A new session for the key; returns its id (goes only into the signed cookie)."""
        sid = secrets.token_urlsafe(32)
        now = time.time()
        with self._lock:
            logins = self._load()
            logins[_sid_hash(sid)] = Login(key_name, key_sha256, now, now + self.lifetime_s)
            self._save(logins)
        return sid

    def get(self, sid: str | None) -> Login | None:
        if not sid:
            return None
        login = self._load().get(_sid_hash(sid))
        return login if login is not None and login.expires > time.time() else None

    def end(self, sid: str | None) -> None:
        if not sid:
            return
        with self._lock:
            logins = self._load()
            if logins.pop(_sid_hash(sid), None) is not None:
                self._save(logins)


def csrf_token(request: Request) -> str:
    """This browser session's CSRF token (made on first use); every form carries it."""
    token = request.session.get(CSRF_FIELD)
    if not isinstance(token, str) or not token:
        token = secrets.token_urlsafe(32)
        request.session[CSRF_FIELD] = token
    return token


def csrf_ok(request: Request, submitted: str | None) -> bool:
    expected = request.session.get(CSRF_FIELD)
    return bool(expected and submitted) and hmac.compare_digest(str(expected), str(submitted))


def _netloc(url: str) -> str | None:
    try:
        parts = urlsplit(url)
        port = parts.port
    except ValueError:
        return None
    if not parts.hostname:
        return None
    default = {"http": 80, "https": 443}.get(parts.scheme)
    return parts.hostname.lower() + ("" if port in (None, default) else f":{port}")


def own_netloc(request: Request) -> str | None:
    return _netloc(f"{request.url.scheme}://{request.headers.get('host', '')}")


def foreign_origin(request: Request) -> str | None:
    """The other origin a browser says this request comes from, or None when it comes from here (or says nothing).

    ``Sec-Fetch-Site`` first (``same-origin``, or ``none`` for what the user typed), then ``Origin``, then
    ``Referer``. Clients that are not browsers send none of them; they authenticate with a header instead.
    """
    site = request.headers.get("sec-fetch-site")
    origin = request.headers.get("origin")
    referer = request.headers.get("referer")
    here = own_netloc(request)
    if origin and origin != "null" and _netloc(origin) != here:
        return origin
    if origin == "null":
        return "an opaque origin"
    if not origin and referer and _netloc(referer) != here:
        return _netloc(referer) or "another page"
    if site and site not in ("same-origin", "none"):
        return origin or (_netloc(referer) if referer else None) or f"a {site} page"
    return None
