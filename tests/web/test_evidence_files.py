"""Screenshots come from the finding's own run folder, only as evidence.json recorded them, and are audited."""

from __future__ import annotations

import hashlib
import json
from collections.abc import Iterator

import pytest
from fastapi.testclient import TestClient

from lurewatch.crawlers.evidence import write_manifest
from lurewatch.index.sqlite.backend import SqliteIndex
from lurewatch.records import Evidence, Finding
from lurewatch.settings import Settings
from lurewatch.web.app import create_app
from tests.support.samples import sample_findings
from tests.web.conftest import log_in

PNG = b"\x89PNG\r\n\x1a\n" + b"screenshot bytes"
SHOT = f"screenshots/{hashlib.sha256(PNG).hexdigest()}.png"
HTML = b"<html><script>alert('captured page')</script></html>"
RENDERED = f"rendered/{hashlib.sha256(HTML).hexdigest()}.html"


def _finding(posting_id: str, run_id: str, screenshot: str) -> Finding:
    finding = next(sample_findings(1))
    finding.posting_id, finding.run_id = posting_id, run_id
    finding.evidence = Evidence("evidence.warc.gz", 0, "ab" * 32, screenshot=screenshot, rendered_html=RENDERED)
    return finding


@pytest.fixture
def findings(settings: Settings) -> Iterator[TestClient]:
    """A social run with one screenshot (as the social spider writes it: relative to the run folder), and tricks."""
    run = settings.runs_dir / "social-1"
    (run / "screenshots").mkdir(parents=True)
    (run / SHOT).write_bytes(PNG)
    (run / "rendered").mkdir()
    (run / RENDERED).write_bytes(HTML)
    (run / "unlisted.png").write_bytes(PNG)
    write_manifest(run)
    (run / "unlisted.png").rename(run / "later.png")  # a file that evidence.json does not list
    (settings.runs_dir / "other-run").mkdir()
    (settings.data_dir / "secret.txt").write_text("not evidence")
    store = SqliteIndex(settings.sqlite_file)
    store.setup()
    store.upsert([
        _finding("shot", "social-1", SHOT),
        _finding("escape", "social-1", "../../secret.txt"),
        _finding("unlisted", "social-1", "later.png"),
        _finding("wrongrun", "other-run", SHOT),
        _finding("badrun", "../social-1", SHOT),
    ])  # fmt: skip
    with TestClient(create_app(settings, store)) as client:
        yield client
    store.close()


def test_a_screenshot_is_served_from_the_run_folder(findings: TestClient, reader: dict) -> None:
    image = findings.get("/api/findings/shot/screenshot", headers=reader)
    assert image.status_code == 200 and image.content == PNG and image.headers["content-type"] == "image/png"
    assert image.headers["x-evidence-sha256"] == hashlib.sha256(PNG).hexdigest()
    log_in(findings, reader["X-API-Key"])
    page = findings.get("/findings/shot").text
    assert 'src="/findings/shot/screenshot"' in page and hashlib.sha256(PNG).hexdigest() in page
    assert findings.get("/findings/shot/screenshot").content == PNG


@pytest.mark.parametrize("posting_id", ["escape", "unlisted", "wrongrun", "badrun"])
def test_only_files_that_evidence_json_lists_for_that_run_are_served(findings: TestClient, reader: dict,
                                                                     posting_id: str) -> None:  # fmt: skip
    assert findings.get(f"/api/findings/{posting_id}/screenshot", headers=reader).status_code == 404
    log_in(findings, reader["X-API-Key"])
    assert "No screenshot was captured" in findings.get(f"/findings/{posting_id}").text


def test_a_changed_screenshot_is_not_served(findings: TestClient, reader: dict, settings: Settings) -> None:
    (settings.runs_dir / "social-1" / SHOT).write_bytes(PNG + b"edited")
    response = findings.get("/api/findings/shot/screenshot", headers=reader)
    assert response.status_code == 409 and "recorded hash" in response.json()["detail"]


def test_every_screenshot_read_and_refusal_is_audited(findings: TestClient, reader: dict, settings: Settings) -> None:
    findings.get("/api/findings/shot/screenshot", headers=reader)
    findings.get("/api/findings/shot/screenshot")  # no key: 401
    findings.get("/api/search?risk_min=500", headers=reader)  # 400
    entries = [json.loads(line) for line in settings.audit_path.read_text().splitlines()]
    assert [(e["action"], e.get("status"), e.get("posting_id")) for e in entries] == [
        ("screenshot", None, "shot"), ("refused", 401, None), ("refused", 400, None)]  # fmt: skip
    assert entries[0]["key"] == "analyst" and entries[1]["path"] == "/api/findings/shot/screenshot"
    assert entries[2]["key"] == "analyst" and "risk_min" in entries[2]["reason"]


def test_evidence_files_are_served_by_their_recorded_hash_and_never_rendered(findings: TestClient,
                                                                              reader: dict) -> None:  # fmt: skip
    digest = hashlib.sha256(HTML).hexdigest()
    page = findings.get(f"/api/findings/shot/evidence/{digest}", headers=reader)
    assert page.status_code == 200 and page.content == HTML
    assert page.headers["content-type"] == "application/octet-stream"
    assert page.headers["content-disposition"].startswith("attachment")
    assert page.headers["content-security-policy"].startswith("sandbox")
    assert findings.get(f"/api/findings/shot/evidence/{'0' * 64}", headers=reader).status_code == 404
    assert findings.get(f"/api/findings/wrongrun/evidence/{digest}", headers=reader).status_code == 404
    assert findings.get("/api/findings/shot/evidence/..%2F..%2Fsecret.txt", headers=reader).status_code in (400, 404)
    log_in(findings, reader["X-API-Key"])
    assert f'href="/findings/shot/evidence/{digest}"' in findings.get("/findings/shot").text
