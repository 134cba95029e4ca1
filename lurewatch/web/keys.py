"""API keys (stored as SHA-256 hashes, never in clear) with roles, and the audit log of who searched for what.

Keys are 32 random bytes, so an unsalted SHA-256 is enough to make the stored file useless to a reader of
it; the clear key is printed once, when it is made. Roles: ``reader`` searches and reads findings;
``exporter`` can also export; ``analyst`` can also review candidate sources (approve, reject, snooze).
"""

from __future__ import annotations

import hashlib
import hmac
import json
import secrets
import threading
from dataclasses import asdict, dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from lurewatch.errors import LureWatchError

ROLES = ("reader", "exporter", "analyst")
KEY_PREFIX = "lw_"


class ApiKeyError(LureWatchError):
    """An API key cannot be added or removed as asked."""

    hint = "`lurewatch keys list` shows the keys by name"


@dataclass
class ApiKey:
    name: str
    role: str
    sha256: str
    created: str

    def can(self, role: str) -> bool:
        """Whether this key has ``role`` (an analyst is also an exporter, an exporter also a reader)."""
        return ROLES.index(self.role) >= ROLES.index(role)


def _hash(key: str) -> str:
    return hashlib.sha256(key.encode("utf-8")).hexdigest()


class KeyStore:
    """The keys file (JSON, mode 0600): name -> role, hash, creation time."""

    def __init__(self, path: Path) -> None:
        self.path = path
        self._cache: tuple[tuple[int, int], dict[str, ApiKey]] | None = None

    def _load(self) -> dict[str, ApiKey]:
        """The keys, read again only when the file changed (a revoked key stops working at once)."""
        try:
            stat = self.path.stat()
        except FileNotFoundError:
            return {}
        stamp = (stat.st_mtime_ns, stat.st_size)
        cached = self._cache
        if cached is not None and cached[0] == stamp:
            return dict(cached[1])
        raw = json.loads(self.path.read_text(encoding="utf-8"))
        keys = {name: ApiKey(**entry) for name, entry in raw.items()}
        self._cache = (stamp, keys)
        return dict(keys)

    def _save(self, keys: dict[str, ApiKey]) -> None:
        self.path.parent.mkdir(parents=True, exist_ok=True)
        tmp = self.path.with_suffix(".tmp")
        tmp.write_text(json.dumps({n: asdict(k) for n, k in keys.items()}, indent=1), encoding="utf-8")
        tmp.chmod(0o600)
        tmp.replace(self.path)

    def add(self, name: str, role: str) -> str:
        """Make a key; returns the clear key, which is not stored anywhere."""
        if role not in ROLES:
            raise ApiKeyError(f"unknown role {role!r}; roles: {', '.join(ROLES)}")
        keys = self._load()
        if name in keys:
            raise ApiKeyError(f"a key named {name!r} exists already", hint=f"`lurewatch keys revoke {name}` first")
        clear = KEY_PREFIX + secrets.token_urlsafe(32)
        keys[name] = ApiKey(name, role, _hash(clear), datetime.now(UTC).isoformat(timespec="seconds"))
        self._save(keys)
        return clear

    def revoke(self, name: str) -> None:
        keys = self._load()
        if keys.pop(name, None) is None:
            raise ApiKeyError(f"no key named {name!r}")
        self._save(keys)

    def list(self) -> list[ApiKey]:
        return sorted(self._load().values(), key=lambda k: k.name)

    def check(self, clear: str | None) -> ApiKey | None:
        """The key ``clear`` stands for, or None."""
        if not clear:
            return None
        digest = _hash(clear)
        found = None
        for key in self._load().values():
            if hmac.compare_digest(key.sha256, digest):
                found = key
        return found

    def named(self, name: str, sha256: str) -> ApiKey | None:
        """The key called ``name`` if it still has the hash ``sha256`` (not revoked, not remade)."""
        key = self._load().get(name)
        return key if key is not None and hmac.compare_digest(key.sha256, sha256) else None


class AuditLog:
    """One JSON line per read of the index (when, which key, what it asked) and per refused request."""

    def __init__(self, path: Path) -> None:
        self.path = path
        self._lock = threading.Lock()

    def record(self, key: ApiKey, action: str, detail: dict[str, Any]) -> None:
        self._write({"key": key.name, "role": key.role, "action": action, **detail})

    def refusal(self, status: int, detail: dict[str, Any]) -> None:
        """A request answered 400, 401 or 403: who tried what, from where, and why it was refused."""
        self._write({"action": "refused", "status": status, **detail})

    def _write(self, fields: dict[str, Any]) -> None:
        entry = {"time": datetime.now(UTC).isoformat(timespec="milliseconds"), **fields}
        line = json.dumps(entry, ensure_ascii=False) + "\n"
        with self._lock:
            self.path.parent.mkdir(parents=True, exist_ok=True)
            with self.path.open("a", encoding="utf-8") as fh:
                fh.write(line)
