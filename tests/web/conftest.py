"""Fixtures of the web tests: an app over 300 synthetic findings, keys, and a logged-in browser-like client."""

from __future__ import annotations

import re
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest
from fastapi.testclient import TestClient

from lurewatch.index.sqlite.backend import SqliteIndex
from lurewatch.records import Finding
from lurewatch.settings import Settings
from lurewatch.web.app import create_app
from lurewatch.web.keys import KeyStore
from tests.support.samples import sample_findings

N = 300


@pytest.fixture
def store(settings: Settings) -> Iterator[SqliteIndex]:
    index = SqliteIndex(settings.sqlite_file)
    index.setup()
    index.upsert(sample_findings(N))
    yield index
    index.close()


@pytest.fixture
def client(settings: Settings, store: SqliteIndex) -> Iterator[TestClient]:
    with TestClient(create_app(settings, store), base_url="http://127.0.0.1:8765") as test_client:
        yield test_client


@pytest.fixture
def reader(settings: Settings) -> dict[str, str]:
    return {"X-API-Key": KeyStore(settings.keys_path).add("analyst", "reader")}


@pytest.fixture
def exporter(settings: Settings) -> dict[str, str]:
    return {"Authorization": "Bearer " + KeyStore(settings.keys_path).add("research", "exporter")}


def csrf_of(html: str) -> str:
    found = re.search(r'name="csrf" value="([^"]+)"', html)
    assert found, "the form carries no CSRF token"
    return found.group(1)


def log_in(client: TestClient, key: str, next_url: str = "/") -> None:
    token = csrf_of(client.get("/login").text)
    response = client.post("/login", data={"key": key, "next": next_url, "csrf": token}, follow_redirects=False)
    assert response.status_code == 303, response.text


@dataclass
class DemoWeb:
    """The web UI on a free 127.0.0.1 port over the crawled demo board, its WARC evidence and all."""

    base: str
    key: str
    settings: Settings
    findings: list[Finding]


@contextmanager
def served(app: Any) -> Iterator[str]:
    """``app`` served by uvicorn on a free 127.0.0.1 port, in a thread; yields its base URL."""
    import socket
    import threading
    import time

    import uvicorn

    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    web = uvicorn.Server(uvicorn.Config(app, host="127.0.0.1", port=port, log_level="warning"))
    thread = threading.Thread(target=web.run, daemon=True)
    thread.start()
    deadline = time.monotonic() + 30
    while not web.started and time.monotonic() < deadline:
        time.sleep(0.05)
    assert web.started, "the web server did not start"
    try:
        yield f"http://127.0.0.1:{port}"
    finally:
        web.should_exit = True
        thread.join(timeout=15)


@pytest.fixture
def demo_web(backend_settings: Settings, demo_run: str) -> Iterator[DemoWeb]:
    """The demo run enriched and indexed into this test's backend (SQLite or Elasticsearch), served by uvicorn."""
    from lurewatch import runner
    from lurewatch.records import read_jsonl

    run = runner.enrich(demo_run, settings=backend_settings)
    runner.index(demo_run, settings=backend_settings)
    key = KeyStore(backend_settings.keys_path).add("analyst", "reader")
    with served(create_app(backend_settings)) as base:
        yield DemoWeb(base, key, backend_settings, list(read_jsonl(run.findings, Finding)))


def chromium_or_skip() -> str:
    """Debian's Chromium; a skip on a laptop without it, a failure in CI (CI=true), where it must run."""
    import os
    import shutil

    from tests.support import IN_CI

    path = os.environ.get("LUREWATCH_CHROMIUM", "/usr/bin/chromium")
    found = path if Path(path).exists() else shutil.which("chromium")
    if not found:
        if IN_CI:
            pytest.fail("Chromium is missing; CI=true needs it for the browser tests")
        pytest.skip("no Chromium here; install Debian's chromium package")
    return found


CHROMIUM_ARGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
                 "--disable-background-networking", "--disable-component-update", "--disable-sync"]  # fmt: skip


def browser_login(page: Any, base: str, key: str, then: str = "/", screenshot: Path | None = None) -> None:
    """Open ``then``, get sent to the login page (``screenshot``: a picture of it), log in with ``key``."""
    page.goto(base + then)
    assert "/login" in page.url
    if screenshot is not None:
        page.screenshot(path=screenshot)
    page.fill("#key", key)
    page.click("form.login-card button[type=submit]")
    page.wait_for_load_state()
