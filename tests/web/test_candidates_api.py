"""Candidate sources over HTTP on both backends: the index step collects them, analyst keys review them, readers
cannot; the review page's forms need a login and a CSRF token."""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path

import pytest
from fastapi.testclient import TestClient

from lurewatch import runner
from lurewatch.crawlers.source import load_source
from lurewatch.discovery import service
from lurewatch.index.base import open_index
from lurewatch.records import to_json
from lurewatch.run_folder import RunFolder
from lurewatch.settings import Settings
from lurewatch.web.app import create_app
from lurewatch.web.keys import KeyStore
from tests.support.discovery import naming
from tests.web.conftest import csrf_of, log_in

FINDINGS = [
    naming(1, "Join our channel t.me/s/kk_jobs_daily", risk=85, cluster="c1"),
    naming(2, "Apply t.me/kk_jobs_daily/9 or https://whatsapp.com/channel/0029VaABCDEFghijklmnop12", risk=70),
    naming(3, "Contact Telegram @recruiter_anna, see facebook.com/GoldenBayJobs", risk=30),
]


def _indexed_run(settings: Settings) -> str:
    """A run folder with the findings, indexed by the runner: its index step collects the candidates."""
    run = RunFolder("discovery-run", settings.runs_dir / "discovery-run")
    run.path.mkdir(parents=True)
    run.write_meta({"run_id": run.run_id, "source": "jobboard-kh", "steps": {}})
    run.findings.write_text("".join(to_json(f) + "\n" for f in FINDINGS), encoding="utf-8")
    runner.index(run.run_id, settings=settings)
    return run.run_id


@pytest.fixture
def app_client(backend_settings: Settings) -> Iterator[tuple[TestClient, Settings, str]]:
    settings = backend_settings
    run_id = _indexed_run(settings)
    index = open_index(settings)
    with TestClient(create_app(settings, index), base_url="http://127.0.0.1:8765") as client:
        yield client, settings, run_id
    index.close()


def test_the_index_step_collects_candidates_and_analysts_review_them(
    app_client: tuple[TestClient, Settings, str],
) -> None:
    client, settings, run_id = app_client
    assert runner.open_run(run_id, settings).meta()["steps"]["discover"] == {
        "findings": 3, "mentions": 4, "all_mentions": 4, "all_candidates": 3,
    }  # fmt: skip
    # `lurewatch candidates update` reads every indexed finding again: the same mentions, none twice
    assert service.update_from_index(client.app.state.index, settings) == {
        "findings": 3, "mentions": 4, "all_mentions": 4, "all_candidates": 3,
    }  # fmt: skip
    analyst = {"X-API-Key": KeyStore(settings.keys_path).add("ana", "analyst")}
    reader = {"X-API-Key": KeyStore(settings.keys_path).add("rita", "reader")}

    assert client.get("/api/candidates", headers=reader).status_code == 403
    assert (
        client.post("/api/candidates/approve", json={"key": "telegram:kk_jobs_daily"}, headers=reader).status_code
        == 403
    )
    listed = client.get("/api/candidates", headers=analyst).json()
    assert [c["key"] for c in listed] == [
        "telegram:kk_jobs_daily", "whatsapp:channel/0029VaABCDEFghijklmnop12", "facebook:goldenbayjobs",
    ]  # fmt: skip
    assert listed[0]["risk_max"] == 85 and listed[0]["networks"] == 2 and listed[0]["network_basis"] == "cluster"
    one = client.get("/api/candidates/whatsapp:channel/0029VaABCDEFghijklmnop12", headers=analyst)
    assert one.status_code == 200 and one.json()["findings"] == [naming(2, "").posting_id]
    assert client.get("/api/candidates/telegram:nobody", headers=analyst).status_code == 404

    approved = client.post("/api/candidates/approve", json={"key": "telegram:kk_jobs_daily", "reason": "KK lures"},
                           headers=analyst)  # fmt: skip
    assert approved.status_code == 200, approved.text
    source = load_source(Path(approved.json()["source_file"]))
    assert source.kind == "channel" and source.start_urls == ["/s/kk_jobs_daily"]
    no_reason = client.post("/api/candidates/reject", json={"key": "facebook:goldenbayjobs"}, headers=analyst)
    assert no_reason.status_code == 400 and "needs a reason" in no_reason.json()["detail"]
    rejected = client.post("/api/candidates/reject", json={"key": "facebook:goldenbayjobs", "reason": "employer"},
                           headers=analyst)  # fmt: skip
    assert rejected.json()["status"] == "rejected" and rejected.json()["reviewer"] == "ana"
    snoozed = client.post("/api/candidates/snooze", headers=analyst,
                          json={"key": "whatsapp:channel/0029VaABCDEFghijklmnop12", "until": "2099-03-01"})  # fmt: skip
    assert snoozed.json()["status"] == "snoozed" and snoozed.json()["until"] == "2099-03-01"
    assert client.get("/api/candidates", headers=analyst).json() == []

    runner.index(run_id, settings=settings)  # indexed again: the decisions stand
    every = client.get("/api/candidates", params={"status": "all"}, headers=analyst).json()
    assert [c["status"] for c in every] == ["approved", "snoozed", "rejected"]
    audit = [json.loads(line) for line in settings.audit_path.read_text(encoding="utf-8").splitlines()]
    assert [a["action"] for a in audit if a["action"].startswith("candidate_")] == [
        "candidate_approve", "candidate_reject", "candidate_snooze",
    ]  # fmt: skip


def test_the_review_page_needs_an_analyst_login_and_a_csrf_token(
    app_client: tuple[TestClient, Settings, str],
) -> None:
    client, settings, _ = app_client
    log_in(client, KeyStore(settings.keys_path).add("rita", "reader"))
    assert client.get("/candidates").status_code == 403
    assert 'href="/candidates"' not in client.get("/").text
    client.cookies.clear()
    log_in(client, KeyStore(settings.keys_path).add("ana", "analyst"))
    assert 'href="/candidates"' in client.get("/").text  # the top bar links analysts to their review page
    page = client.get("/candidates")
    assert page.status_code == 200 and page.text.count('class="candidate"') == 3
    assert "t.me/s/kk_jobs_daily" in page.text and "channel or account" not in page.text

    forged = client.post("/candidates", data={"action": "approve", "key": "telegram:kk_jobs_daily"},
                         follow_redirects=False)  # fmt: skip
    assert forged.status_code == 403
    assert not (settings.sources_dir / "candidates").exists()
    form = {"csrf": csrf_of(page.text), "action": "approve", "key": "telegram:kk_jobs_daily", "reason": "KK lures"}
    done = client.post("/candidates", data=form, follow_redirects=False)
    assert done.status_code == 303 and done.headers["location"] == "/candidates"
    after = client.get("/candidates")
    assert "telegram:kk_jobs_daily: wrote" in after.text and after.text.count('class="candidate"') == 2
    assert (settings.sources_dir / "candidates" / "telegram-kk_jobs_daily.yml").is_file()
    failed = client.post(
        "/candidates", data={**form, "action": "reject", "key": "facebook:goldenbayjobs", "reason": ""}
    )
    assert "a rejection needs a reason" in failed.text
