"""Fixtures of the web tests: an app over 300 synthetic findings, keys, and a logged-in browser-like client."""

from __future__ import annotations

import re
from collections.abc import Iterator

import pytest
from fastapi.testclient import TestClient

from lurewatch.index.sqlite.backend import SqliteIndex
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
