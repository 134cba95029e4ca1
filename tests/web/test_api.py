"""The HTTP API as a client sees it: keys and roles, search, findings, pivots, audit, security headers."""

from __future__ import annotations

import json
import subprocess
import sys

import pytest
from fastapi.testclient import TestClient

from lurewatch.settings import Settings
from lurewatch.web.deps import Exporter
from lurewatch.web.keys import KeyStore
from tests.support.samples import sample_findings
from tests.web.conftest import N, log_in


@pytest.mark.parametrize("path", ["/api/search?q=visa", "/api/findings/x", "/api/pivots/phone?value=1", "/api/facets"])
def test_without_a_key_the_api_answers_401(client: TestClient, path: str) -> None:
    assert client.get(path).status_code == 401
    assert client.get(path, headers={"X-API-Key": "lw_not-a-key"}).status_code == 401


def test_a_reader_cannot_use_an_exporter_route_an_exporter_can(client: TestClient, reader: dict, exporter: dict) -> None:
    @client.app.post("/api/export-probe")  # type: ignore[attr-defined]
    def probe(key: Exporter) -> dict[str, str]:
        return {"key": key.name}

    assert client.post("/api/export-probe", headers=reader).status_code == 403
    assert client.post("/api/export-probe", headers=exporter).json() == {"key": "research"}


def test_search_filters_sorts_and_pages(client: TestClient, reader: dict) -> None:
    page = client.get("/api/search?q=*&country=KH&sort=risk&size=7&facets=indicator&collapse=false",
                      headers=reader).json()  # every posting: the cursor pages postings
    assert page["total"] > 7 and len(page["hits"]) == 7
    assert all(h["country"] == "KH" for h in page["hits"])
    risks = [h["risk_score"] for h in page["hits"]]
    assert risks == sorted(risks, reverse=True)
    assert set(page["facets"]) == {"indicator"}
    following = client.get(f"/api/search?q=*&country=KH&sort=risk&size=7&collapse=false&cursor={page['next_cursor']}",
                           headers=reader)  # fmt: skip
    seen = {h["posting_id"] for h in page["hits"]}
    assert following.status_code == 200 and not seen & {h["posting_id"] for h in following.json()["hits"]}


def test_bad_parameters_get_a_readable_400(client: TestClient, reader: dict) -> None:
    response = client.get("/api/search?q=visa&bbox=1,2", headers=reader)
    assert response.status_code == 400 and "bbox" in response.json()["detail"]
    assert client.get("/api/search?q=visa&colour=red&sort=colour", headers=reader).status_code == 400


def test_finding_detail_and_phone_pivot(client: TestClient, reader: dict) -> None:
    finding = next(f for f in sample_findings(N) if f.contacts.phones)
    phone = finding.contacts.phones[0]
    detail = client.get(f"/api/findings/{finding.posting_id}", headers=reader).json()
    assert detail["contacts"]["phones"] == finding.contacts.phones and detail["evidence"]["sha256"]
    pivot = client.get("/api/pivots/phone", params={"value": phone}, headers=reader).json()
    carriers = [f for f in sample_findings(N) if phone in f.contacts.phones]
    assert pivot["entity"]["postings"] == pivot["total"] == len(carriers) >= 2
    assert pivot["entity"]["first_seen"] == min(f.fetched_at for f in carriers)
    assert pivot["entity"]["clusters"] == len({f.cluster_id for f in carriers})
    assert {h["posting_id"] for h in pivot["hits"]} == {f.posting_id for f in carriers}
    assert client.get("/api/findings/nope", headers=reader).status_code == 404
    assert client.get("/api/pivots/colour?value=red", headers=reader).status_code == 400


def test_every_read_is_audited(client: TestClient, reader: dict, settings: Settings) -> None:
    client.get("/api/search?q=telegram&country=TH", headers=reader)
    client.get("/api/pivots/telegram?value=@x", headers=reader)
    entries = [json.loads(line) for line in settings.audit_path.read_text().splitlines()]
    assert [(e["key"], e["action"], e["via"]) for e in entries] == [("analyst", "search", "api"), ("analyst", "pivot", "api")]
    assert entries[0]["params"] == {"q": ["telegram"], "country": ["TH"]} and entries[0]["time"]


def test_keys_are_stored_hashed(settings: Settings, reader: dict) -> None:
    stored = settings.keys_path.read_text()
    assert reader["X-API-Key"] not in stored and "analyst" in stored


def test_pages_carry_a_content_security_policy(client: TestClient) -> None:
    response = client.get("/login")
    assert "script-src 'self'" in response.headers["content-security-policy"]
    assert response.headers["x-content-type-options"] == "nosniff"


def test_web_ui_needs_login_and_sets_an_httponly_cookie(client: TestClient, reader: dict) -> None:
    assert client.get("/?q=visa", follow_redirects=False).headers["location"].startswith("/login?next=")
    log_in(client, reader["X-API-Key"], "/?q=visa")
    assert client.get("/?q=visa").status_code == 200


def test_openapi_documents_the_endpoints_and_the_key_schemes(client: TestClient, reader: dict) -> None:
    document = client.get("/api/openapi.json", headers=reader).json()
    assert {"/api/search", "/api/findings/{posting_id}", "/api/pivots/{field}", "/api/facets"} <= set(document["paths"])
    schemes = document["components"]["securitySchemes"]
    assert schemes["APIKeyHeader"] == {"type": "apiKey", "in": "header", "name": "X-API-Key",
                                       "description": schemes["APIKeyHeader"]["description"]}  # fmt: skip
    search = document["paths"]["/api/search"]["get"]
    declared = {p["name"] for p in search["parameters"]}
    assert {"q", "country", "phone", "risk_min", "date_from", "bbox", "sort", "size", "cursor", "facets"} <= declared
    assert {"APIKeyHeader": []} in search["security"]


def test_keys_add_prints_the_key_once(settings: Settings) -> None:
    env = {"LUREWATCH_DATA_DIR": str(settings.data_dir), "PATH": "/usr/bin:/bin"}
    made = subprocess.run([sys.executable, "-m", "lurewatch", "keys", "add", "bob", "--role", "exporter"],
                          capture_output=True, text=True, env=env, check=True)  # fmt: skip
    key = made.stdout.strip()
    assert key.startswith("lw_") and KeyStore(settings.keys_path).check(key).role == "exporter"
    listed = subprocess.run([sys.executable, "-m", "lurewatch", "keys", "list"], capture_output=True, text=True,
                            env=env, check=True).stdout  # fmt: skip
    assert listed.split()[:2] == ["bob", "exporter"] and key not in listed


def test_highlight_markers_become_balanced_marks_around_escaped_text() -> None:
    from lurewatch.web.templating import highlighted

    assert highlighted("a \x02<b>\x03 c") == "a <mark>&lt;b&gt;</mark> c"
    assert highlighted("高\x03\x02薪\x03 x") == "<mark>高</mark><mark>薪</mark> x"
    assert highlighted("cut \x02off") == "cut <mark>off</mark>"
