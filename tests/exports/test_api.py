"""Export jobs over HTTP: an exporter creates, polls and downloads; a reader gets 403; bad requests get 400."""

from __future__ import annotations

import hashlib
import json
from collections.abc import Iterator

import pytest
from fastapi.testclient import TestClient

from lurewatch.index.base import open_index
from lurewatch.settings import Settings
from lurewatch.web.app import create_app
from lurewatch.web.keys import KeyStore
from tests.exports.conftest import indexed
from tests.web.conftest import csrf_of, log_in


@pytest.fixture
def client(settings: Settings) -> Iterator[TestClient]:
    with indexed(settings, 120):
        pass
    store = open_index(settings)
    with TestClient(create_app(settings, store), base_url="http://127.0.0.1:8765") as test_client:
        yield test_client
    store.close()


@pytest.fixture
def keys(settings: Settings) -> dict[str, str]:
    store = KeyStore(settings.keys_path)
    return {"reader": store.add("analyst", "reader"), "exporter": store.add("research", "exporter"),
            "other": store.add("other-team", "exporter")}  # fmt: skip


def _wait(client: TestClient, job_id: str) -> None:
    client.app.state.export_jobs.wait(job_id, timeout=120)  # type: ignore[attr-defined]


def test_an_exporter_creates_polls_and_downloads_an_export(client: TestClient, keys: dict[str, str]) -> None:
    headers = {"X-API-Key": keys["exporter"]}
    body = {"query": {"q": "*", "country": ["KH", "MM"], "risk_min": 10}, "format": "parquet", "redact": True}
    created = client.post("/api/exports", json=body, headers=headers)
    assert created.status_code == 202, created.text
    job = created.json()
    assert job["state"] in ("queued", "running", "done") and job["redact"] is True
    _wait(client, job["id"])
    status = client.get(job["status_url"], headers=headers).json()
    assert status["state"] == "done", status
    expected = client.get("/api/search?q=*&country=KH&country=MM&risk_min=10&size=0", headers=headers).json()["total"]
    assert status["rows"] == status["expected"] == expected > 0
    assert set(status["downloads"]) == {"findings.parquet", "datapackage.json"}
    package = client.get(status["downloads"]["datapackage.json"], headers=headers).json()
    data = client.get(status["downloads"]["findings.parquet"], headers=headers)
    assert data.headers["content-type"] == "application/vnd.apache.parquet"
    assert package["resources"][0]["hash"] == "sha256:" + hashlib.sha256(data.content).hexdigest()
    assert package["lurewatch"]["redacted"] is True and package["lurewatch"]["counts"]["findings"] == expected
    listed = client.get("/api/exports", headers=headers).json()
    assert [j["id"] for j in listed] == [job["id"]]


def test_a_reader_gets_403_and_another_key_does_not_see_the_job(client: TestClient, keys: dict[str, str]) -> None:
    reader = {"X-API-Key": keys["reader"]}
    assert client.post("/api/exports", json={"format": "csv"}, headers=reader).status_code == 403
    assert client.get("/api/exports", headers=reader).status_code == 403
    job = client.post("/api/exports", json={"format": "csv"}, headers={"X-API-Key": keys["exporter"]}).json()
    _wait(client, job["id"])
    assert client.get(f"/api/exports/{job['id']}", headers=reader).status_code == 403
    assert client.get(f"/api/exports/{job['id']}/files/findings.csv", headers=reader).status_code == 403
    other = {"X-API-Key": keys["other"]}
    assert client.get(f"/api/exports/{job['id']}", headers=other).status_code == 404
    assert client.get(f"/api/exports/{job['id']}/files/findings.csv", headers=other).status_code == 404
    owner = {"X-API-Key": keys["exporter"]}
    assert client.get(f"/api/exports/{job['id']}/files/..%2Fjob.json", headers=owner).status_code in (400, 404)
    assert client.get(f"/api/exports/{job['id']}/files/job.json", headers=owner).status_code == 404


@pytest.mark.parametrize(
    ("body", "message"),
    [
        ({"format": "xlsx"}, "format"),
        ({"format": "csv", "query": {"colour": "red"}}, "unknown query parameter"),
        ({"format": "csv", "query": {"risk_min": "high"}}, "risk_min: Input should be a valid integer"),
        ({"format": "csv", "redact": True, "evidence": True}, "never redacted"),
        ({"format": "csv", "size": 3}, "size: unknown parameter"),
    ],
)
def test_a_bad_export_request_gets_400_with_a_readable_message(
    client: TestClient, keys: dict[str, str], body: dict, message: str
) -> None:
    answer = client.post("/api/exports", json=body, headers={"X-API-Key": keys["exporter"]})
    assert answer.status_code == 400 and message in answer.json()["detail"]
    assert client.get("/api/exports", headers={"X-API-Key": keys["exporter"]}).json() == []


def test_the_search_page_exports_its_results(client: TestClient, keys: dict[str, str]) -> None:
    log_in(client, keys["exporter"])
    page = client.get("/?q=visa&country=KH")
    assert "Export these results" in page.text and 'action="/exports"' in page.text
    form = {"q": "visa", "country": "KH", "format": "geojson", "csrf": csrf_of(page.text)}
    assert client.post("/exports", data={**form, "csrf": "forged"}, follow_redirects=False).status_code == 403
    answer = client.post("/exports", data=form, follow_redirects=False)
    assert answer.status_code == 303 and answer.headers["location"].startswith("/exports/")
    job_id = answer.headers["location"].rsplit("/", 1)[1]
    _wait(client, job_id)
    status = client.get(f"/exports/{job_id}")
    assert status.status_code == 200 and "done" in status.text and f"/exports/{job_id}/files/" in status.text
    geojson = client.get(f"/exports/{job_id}/files/locations.geojson")
    assert json.loads(geojson.content)["type"] == "FeatureCollection"
    assert client.get(f"/api/exports/{job_id}").status_code == 401  # the API never takes the web login
    client.post("/logout", data={"csrf": csrf_of(client.get("/").text)})
    log_in(client, keys["reader"])
    form["csrf"] = csrf_of(client.get("/").text)
    assert client.post("/exports", data=form, follow_redirects=False).status_code == 403
