"""The web app loads the SQLite index's columns while it starts, so the first search does not pay for them."""

from __future__ import annotations

import threading

from fastapi.testclient import TestClient

from lurewatch.index.query import Query
from lurewatch.index.sqlite.backend import SqliteIndex
from lurewatch.settings import Settings
from lurewatch.web.app import create_app
from tests.web.conftest import N


def test_the_columns_are_loaded_at_start_before_any_search(settings: Settings, store: SqliteIndex) -> None:
    assert store.columns.reloads == 0
    with TestClient(create_app(settings, store)):
        for thread in [t for t in threading.enumerate() if t.name == "lurewatch-warm"]:
            thread.join(timeout=60)
        assert store.columns.reloads == 1  # loaded at start, with no request made
        assert store.search(Query("*")).total == N
        assert store.columns.reloads == 1  # the first search used them as they were


def test_the_loading_thread_has_ended_when_the_app_has_shut_down(settings: Settings, store: SqliteIndex) -> None:
    """The index may be closed as soon as the app stops: no thread may still be reading it then (a SQLite
    connection closed under a running statement crashes the process)."""
    with TestClient(create_app(settings, store)):
        pass  # stop at once, while the columns may still be loading
    assert not [t for t in threading.enumerate() if t.name == "lurewatch-warm" and t.is_alive()]
    store.close()
