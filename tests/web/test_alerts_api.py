"""Alerts over HTTP: each key manages its own alerts and watches; the search page saves its search as an alert."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from fastapi.testclient import TestClient

from lurewatch.alerts import service
from lurewatch.index.sqlite.backend import SqliteIndex
from lurewatch.settings import Settings, get_settings
from lurewatch.web.app import create_app
from lurewatch.web.keys import KeyStore
from tests.support.receivers import Receiver, webhook_receiver
from tests.support.samples import sample_findings
from tests.web.conftest import csrf_of, log_in


@pytest.fixture
def hook_settings(settings: Settings, monkeypatch: pytest.MonkeyPatch) -> Settings:
    monkeypatch.setenv("LUREWATCH_WEBHOOK_ALLOW_PRIVATE", "true")
    monkeypatch.setenv("LUREWATCH_ALERTS_SETTLE_SECONDS", "0")
    get_settings.cache_clear()
    return get_settings()


@pytest.fixture
def client(hook_settings: Settings) -> Iterator[TestClient]:
    store = SqliteIndex(hook_settings.sqlite_file)
    store.setup()
    with TestClient(create_app(hook_settings, store)) as test_client:
        yield test_client
    store.close()


@pytest.fixture
def receiver() -> Iterator[Receiver]:
    with webhook_receiver() as hook:
        yield hook


def _key(settings: Settings, name: str) -> dict[str, str]:
    return {"X-API-Key": KeyStore(settings.keys_path).add(name, "reader")}


def test_a_reader_manages_its_own_alerts_only(client: TestClient, hook_settings: Settings, receiver: Receiver) -> None:
    alice, bob = _key(hook_settings, "alice"), _key(hook_settings, "bob")
    body = {"name": "kk park", "query": {"text": "visa", "filters": {"compound": ["KK Park"]}},
            "channels": [f"webhook:{receiver.url}"], "min_risk": 40}  # fmt: skip
    assert client.post("/api/alerts", json=body).status_code == 401
    made = client.post("/api/alerts", json=body, headers=alice)
    assert made.status_code == 201, made.text
    alert = made.json()
    assert (alert["owner"], alert["query"], alert["min_risk"]) == ("alice", body["query"], 40)

    assert [a["id"] for a in client.get("/api/alerts", headers=alice).json()] == [alert["id"]]
    assert client.get("/api/alerts", headers=bob).json() == []
    for method, path in [("get", ""), ("patch", ""), ("delete", ""), ("post", "/pause")]:
        kwargs = {"json": {"min_risk": 0}} if method == "patch" else {}
        answer = getattr(client, method)(f"/api/alerts/{alert['id']}{path}", headers=bob, **kwargs)
        assert answer.status_code == 404, (method, path)

    assert client.post(f"/api/alerts/{alert['id']}/pause", headers=alice).json()["paused"] is True
    changed = client.patch(f"/api/alerts/{alert['id']}", json={"min_risk": 70, "paused": False}, headers=alice).json()
    assert (changed["min_risk"], changed["paused"]) == (70, False)
    assert client.delete(f"/api/alerts/{alert['id']}", headers=alice).status_code == 204
    assert client.get("/api/alerts", headers=alice).json() == []


def test_bad_alerts_are_400_with_a_readable_message(client: TestClient, hook_settings: Settings) -> None:
    alice = _key(hook_settings, "alice")
    cases = [
        ({"name": "x", "query": {"text": "visa"}, "channels": ["file:/etc/cron.d/x"]}, "command line only"),
        ({"name": "x", "query": {"text": "visa"}, "channels": ["sms:123"]}, "expected email:ADDRESS"),
        ({"name": "x", "query": {"text": "visa", "filters": {"colour": ["red"]}}, "channels": ["email:a@b.org"]},
         "unknown filter"),
        ({"name": "x", "query": {"text": "visa"}, "channels": ["email:a@b.org"], "schedule": "weekly"}, "schedule"),
    ]  # fmt: skip
    for body, message in cases:
        answer = client.post("/api/alerts", json=body, headers=alice)
        assert answer.status_code == 400 and message in answer.json()["detail"], answer.text
    watch = client.post("/api/watches", headers=alice, json={"kind": "phone", "value": "081 234 5678",
                                                              "channels": ["email:a@b.org"]})  # fmt: skip
    assert watch.status_code == 400 and "is not one valid phone number" in watch.json()["detail"]


def test_a_watch_over_http(client: TestClient, hook_settings: Settings, receiver: Receiver) -> None:
    alice = _key(hook_settings, "alice")
    made = client.post("/api/watches", headers=alice, json={"kind": "phone", "value": "081 234 5678", "region": "TH",
                                                             "channels": [f"webhook:{receiver.url}"]})  # fmt: skip
    assert made.status_code == 201, made.text
    assert made.json()["watch"]["value"] == "+66812345678"
    assert [w["name"] for w in client.get("/api/watches", headers=alice).json()] == ["phone +66812345678"]
    assert client.delete(f"/api/watches/{made.json()['id']}", headers=alice).status_code == 204


def test_the_search_page_saves_its_search_as_an_alert(
    client: TestClient, hook_settings: Settings, receiver: Receiver
) -> None:
    key = KeyStore(hook_settings.keys_path).add("analyst", "reader")
    log_in(client, key)
    page = client.get("/?q=visa&country=KH&risk_min=30&sort=risk")
    assert "Alert me on new results" in page.text and 'name="country" value="KH"' in page.text
    form = {"q": "visa", "country": "KH", "risk_min": "30", "alert_name": "kh visa", "alert_channel": receiver.url,
            "alert_min_risk": "50"}  # fmt: skip
    assert client.post("/alerts", data=form, follow_redirects=False).status_code == 403  # no CSRF token
    saved = client.post("/alerts", data={**form, "csrf": csrf_of(page.text)}, follow_redirects=False)
    assert saved.status_code == 303 and saved.headers["location"] == "/?q=visa&country=KH&risk_min=30"
    assert "Alert “kh visa” saved" in client.get(saved.headers["location"]).text
    assert "Alert “kh visa” saved" not in client.get(saved.headers["location"]).text  # shown once

    (alert,) = client.get("/api/alerts", headers={"X-API-Key": key}).json()
    assert alert["query"] == {"text": "visa", "filters": {"country": ["KH"]}, "risk_min": 30}
    assert alert["min_risk"] == 50 and alert["channels"][0]["target"] == f"webhook:{receiver.url}"

    index = SqliteIndex(hook_settings.sqlite_file)
    index.upsert(sample_findings(400))
    index.close()
    stats = service.run_alerts(hook_settings)
    assert stats.delivered == 1 and stats.new_clusters > 0
    (body,) = receiver.bodies
    assert len(body["attachments"]) == min(stats.new_clusters, 25)
