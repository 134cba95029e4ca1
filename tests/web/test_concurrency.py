"""No global lock: concurrent requests to a real server each get their own answer, on each backend."""

from __future__ import annotations

import socket
import threading
import time
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor

import httpx
import pytest

from lurewatch.index.base import Index, open_index
from lurewatch.index.query import Query
from lurewatch.settings import Settings
from lurewatch.web.app import create_app
from lurewatch.web.keys import KeyStore
from tests.support.samples import sample_findings

COUNTRIES = ["KH", "MM", "LA", "TH", "PH", "VN", "ID"]
WORDS = ["visa", "salary", "telegram", "hotel", "typing", "casino"]


@pytest.fixture
def served(backend_settings: Settings) -> Iterator[tuple[str, str, Index]]:
    import uvicorn

    store = open_index(backend_settings)
    store.upsert(sample_findings(600))
    if store.backend == "elasticsearch":
        store.client.indices.refresh(index=store.alias)  # type: ignore[attr-defined]
    key = KeyStore(backend_settings.keys_path).add("load", "reader")
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    web = uvicorn.Server(uvicorn.Config(create_app(backend_settings, store), host="127.0.0.1", port=port,
                                        log_level="warning"))  # fmt: skip
    thread = threading.Thread(target=web.run, daemon=True)
    thread.start()
    deadline = time.monotonic() + 20
    while not web.started and time.monotonic() < deadline:
        time.sleep(0.05)
    assert web.started
    yield f"http://127.0.0.1:{port}", key, store
    web.should_exit = True
    thread.join(timeout=10)
    store.close()


def test_concurrent_searches_each_get_their_own_result(served: tuple[str, str, Index]) -> None:
    base, key, store = served
    asks = [(word, country) for word in WORDS for country in COUNTRIES]
    expected = {(w, c): store.search(Query(w, filters={"country": [c]}, size=5, facets=())).total for w, c in asks}

    def ask(pair: tuple[str, str]) -> tuple[tuple[str, str], int]:
        with httpx.Client(base_url=base, headers={"X-API-Key": key}, timeout=60) as client:
            response = client.get("/api/search", params={"q": pair[0], "country": pair[1], "size": 5})
            assert response.status_code == 200, response.text
            return pair, response.json()["total"]

    with ThreadPoolExecutor(max_workers=16) as pool:
        answers = dict(pool.map(ask, asks * 3))
    assert answers == expected and any(expected.values())
