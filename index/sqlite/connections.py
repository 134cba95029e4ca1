"""SQLite connections for the index: one per thread, autocommit, read-write (WAL) or read-only.

SQLite connections must not be shared between threads, so each thread that touches the index gets its
own (a web server's worker threads search at once; WAL lets them read while another process writes).
Every connection is in autocommit mode: a read starts a fresh snapshot and so sees every committed
write; whoever needs one snapshot across several statements opens a ``transaction`` and ends it.
Read-only connections use ``mode=ro`` and never write, not even a PRAGMA.
"""

from __future__ import annotations

import os
import sqlite3
import threading
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

from lurewatch.errors import IndexUnavailable

BUSY_TIMEOUT_MS = 10_000  # how long a writer waits for another writer's transaction


class ThreadConnections:
    """The calling thread's connection to one SQLite file, opened on first use."""

    def __init__(self, path: Path, read_only: bool, functions: list[tuple[str, int, Callable[..., Any]]]) -> None:
        self.path, self.read_only, self.functions = path, read_only, functions
        self._connections: dict[threading.Thread, sqlite3.Connection] = {}
        self._lock = threading.Lock()
        if read_only:
            if not path.is_file():
                raise IndexUnavailable(
                    f"there is no SQLite index at {path}" + (" (it is a folder)" if path.is_dir() else ""),
                    hint=path_hint(path) if blocking_file(path) or path.is_dir() else "index a run first "
                    "(`lurewatch index RUN` or `lurewatch run SOURCE`), or point LUREWATCH_SQLITE_PATH at the index file",
                )  # fmt: skip
        else:
            try:
                path.parent.mkdir(parents=True, exist_ok=True)
            except OSError as exc:
                raise IndexUnavailable(f"cannot create the folder of the SQLite index {path}: {exc}",
                                       hint=path_hint(path)) from exc  # fmt: skip
        self.get()  # open now, so a bad path fails here rather than at the first search

    def get(self) -> sqlite3.Connection:
        db = self._connections.get(threading.current_thread())
        return db if db is not None else self._open()

    def _open(self) -> sqlite3.Connection:
        try:
            db = self._open_read_only() if self.read_only else self._open_read_write()
            db.execute(f"PRAGMA busy_timeout={BUSY_TIMEOUT_MS}")
            db.execute("PRAGMA temp_store=MEMORY")
        except (OSError, sqlite3.Error) as exc:
            raise IndexUnavailable(f"cannot open the SQLite index {self.path}: {exc}",
                                   hint=path_hint(self.path)) from exc  # fmt: skip
        for name, arity, function in self.functions:
            db.create_function(name, arity, function, deterministic=True)
        with self._lock:
            for thread in [t for t in self._connections if not t.is_alive()]:
                self._connections.pop(thread).close()  # threads that ended leave no open files behind
            self._connections[threading.current_thread()] = db
        return db

    def _open_read_write(self) -> sqlite3.Connection:
        # isolation_level=None: no implicit transactions (one left open would pin an old snapshot).
        db = sqlite3.connect(self.path, check_same_thread=False, isolation_level=None)
        db.execute("PRAGMA journal_mode=WAL")
        db.execute("PRAGMA synchronous=NORMAL")
        return db

    def _open_read_only(self) -> sqlite3.Connection:
        uri = f"{self.path.resolve().as_uri()}?mode=ro"
        db = sqlite3.connect(uri, uri=True, check_same_thread=False, isolation_level=None)
        try:
            db.execute("SELECT COUNT(*) FROM sqlite_master").fetchone()
        except sqlite3.OperationalError:
            db.close()
            if Path(f"{self.path}-wal").exists() or os.access(self.path.parent, os.W_OK):
                raise
            # A WAL file in a folder nobody may write: SQLite cannot create its shared-memory file there. With
            # no -wal file every committed write is in the main file, and nobody can add one: read it as is.
            db = sqlite3.connect(f"{uri}&immutable=1", uri=True, check_same_thread=False, isolation_level=None)
        return db

    def close(self) -> None:
        with self._lock:
            connections, self._connections = list(self._connections.values()), {}
        for db in connections:
            db.close()


@contextmanager
def transaction(db: sqlite3.Connection, begin: str, keep: bool = True) -> Iterator[None]:
    """A transaction on an autocommit connection: committed (``keep``) or rolled back on leaving."""
    db.execute(begin)
    try:
        yield
    except BaseException:
        if db.in_transaction:
            db.execute("ROLLBACK")
        raise
    db.execute("COMMIT" if keep else "ROLLBACK")


def blocking_file(path: Path) -> Path | None:
    """The first folder on the way to ``path`` that is a regular file, if any."""
    return next((parent for parent in path.parents if parent.exists() and not parent.is_dir()), None)


def path_hint(path: Path) -> str:
    """What to do about an index path that cannot be opened."""
    blocked = blocking_file(path)
    if blocked is not None:
        return f"{blocked} is a file, not a folder: point LUREWATCH_DATA_DIR or LUREWATCH_SQLITE_PATH elsewhere"
    if path.is_dir():
        return f"{path} is a folder: LUREWATCH_SQLITE_PATH must name a file"
    return f"check that {path} is readable (and its folder writable, to index), or set LUREWATCH_SQLITE_PATH"
