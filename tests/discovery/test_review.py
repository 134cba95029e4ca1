"""Candidates ranked with their evidence, and an analyst's decisions: approve writes a valid source YAML, a
rejection stays, a snooze ends on its date, configured sources are not proposed again."""

from __future__ import annotations

from pathlib import Path

import pytest
import yaml

from lurewatch.crawlers.source import load_source
from lurewatch.discovery import service
from lurewatch.discovery.service import CandidateError
from lurewatch.settings import Settings
from tests.support.discovery import naming


def record(settings: Settings, *findings: object) -> int:
    return service.record_findings(service.open_store(settings), findings)  # type: ignore[arg-type]


def keys(settings: Settings, status: str = "new", today: str | None = None) -> list[str]:
    return [c.key for c in service.list_candidates(settings, status, today=today)]


def test_evidence_counts_findings_networks_first_seen_and_risk(settings: Settings) -> None:
    record(
        settings,
        naming(1, "Join t.me/s/kk_jobs", risk=80, cluster="c1", day=5),
        naming(2, "Join t.me/s/kk_jobs", risk=40, cluster="c1", day=3),
        naming(3, "more on t.me/kk_jobs/77", risk=60, cluster="c2", day=9),
    )
    (found,) = service.list_candidates(settings)
    assert found.key == "telegram:kk_jobs" and found.url == "https://t.me/s/kk_jobs"
    assert len(found.findings) == 3 and found.findings[0] == naming(2, "").posting_id  # first seen first
    assert (found.networks, found.network_basis) == (2, "cluster")  # no network ids yet: near-duplicate clusters
    assert found.first_seen.startswith("2026-11-03") and found.last_seen.startswith("2026-11-09")
    assert (found.risk_max, found.risk_mean) == (80, 60.0)
    assert found.forms == ["post", "preview"]


def test_networks_are_counted_by_network_id_when_findings_carry_one(settings: Settings) -> None:
    findings = [naming(n, "t.me/s/kk_jobs", cluster=f"c{n}") for n in range(4)]
    for finding, network in zip(findings, ["net-a", "net-a", "net-b", "net-a"], strict=True):
        setattr(finding, "network_id", network)  # noqa: B010 - the field the networks step adds to findings
    record(settings, *findings)
    (found,) = service.list_candidates(settings)
    assert (found.networks, found.network_basis) == (2, "network")


def test_ranking_puts_risky_widespread_sure_places_first(settings: Settings) -> None:
    record(
        settings,
        # high risk, three clusters, a preview link
        *[naming(n, "t.me/s/compound_jobs", risk=90, cluster=f"c{n}") for n in range(3)],
        # same risk, one finding, a bare link (channel or account)
        naming(10, "t.me/anna_hr_kh", risk=90),
        # many findings but ordinary jobs
        *[naming(n, "https://jobs.hotel-careers.com/apply", risk=5, cluster=f"h{n}") for n in range(20, 32)],
    )
    ranked = service.list_candidates(settings)
    assert [c.key for c in ranked] == ["telegram:compound_jobs", "telegram:anna_hr_kh", "jobboard:hotel-careers.com"]
    top, bare, board = ranked
    assert top.score == pytest.approx(0.45 * 90 + 0.25 * 90 + 15 * 3 / 5 + 10 * 3 / 10 + 5)
    assert bare.score == pytest.approx(0.45 * 90 + 0.25 * 90 + 15 * 1 / 5 + 10 * 1 / 10)
    assert board.score == pytest.approx(0.45 * 5 + 0.25 * 5 + 15 + 10 + 5)


def test_a_finding_indexed_again_replaces_its_mentions(settings: Settings) -> None:
    record(settings, naming(1, "t.me/s/old_channel"))
    record(settings, naming(1, "now at t.me/s/new_channel"))  # the same posting, edited
    assert keys(settings) == ["telegram:new_channel"]


def test_approve_writes_a_channel_source_that_validates(settings: Settings) -> None:
    record(settings, naming(1, "Join our channel t.me/s/kk_jobs", risk=75))
    approved = service.approve(settings, "telegram:kk_jobs", reviewer="ana", reason="lures for KK Park")
    path = Path(approved.source_file)
    assert path == settings.sources_dir / "candidates" / "telegram-kk_jobs.yml"
    source = load_source(path)
    assert (source.kind, source.base_url, source.start_urls, source.schedule) == (
        "channel", "https://t.me", ["/s/kk_jobs"], None,
    )  # fmt: skip
    text = path.read_text(encoding="utf-8")
    assert "approved by ana" in text and "lures for KK Park" in text and naming(1, "").posting_id in text
    assert approved.status == "approved" and keys(settings) == []
    with pytest.raises(CandidateError, match="approved already"):
        service.approve(settings, "telegram:kk_jobs")


@pytest.mark.parametrize(
    ("text", "kind", "start"),
    [
        ("https://www.facebook.com/GoldenBayJobs", "social", "https://www.facebook.com/goldenbayjobs"),
        ("fb.com/groups/thaijobs2026", "social", "https://www.facebook.com/groups/thaijobs2026"),
        (
            "https://chat.whatsapp.com/KpX1abcdEFGHijklMNOP12",
            "social",
            "https://chat.whatsapp.com/KpX1abcdEFGHijklMNOP12",
        ),
        ("line.me/R/ti/p/@goldbay88", "social", "https://page.line.me/goldbay88"),
        ("https://jobs.mekong-careers.com/apply/1", "board", "https://jobs.mekong-careers.com/"),
    ],
)
def test_every_kind_has_a_template_that_validates(settings: Settings, text: str, kind: str, start: str) -> None:
    record(settings, naming(1, text))
    (candidate,) = service.list_candidates(settings)
    source = load_source(Path(service.approve(settings, candidate.key).source_file))
    assert source.kind == kind and source.absolute_start_urls() == [start] and source.schedule is None


def test_rejected_stays_rejected_when_runs_name_it_again(settings: Settings) -> None:
    record(settings, naming(1, "t.me/s/kk_jobs"))
    with pytest.raises(CandidateError, match="needs a reason"):
        service.reject(settings, "telegram:kk_jobs", "  ")
    service.reject(settings, "telegram:kk_jobs", "a news channel", reviewer="ana")
    record(settings, naming(2, "t.me/s/kk_jobs", risk=99), naming(1, "t.me/s/kk_jobs"))
    assert keys(settings) == [] and keys(settings, "rejected") == ["telegram:kk_jobs"]
    (rejected,) = service.list_candidates(settings, "rejected")
    assert rejected.reason == "a news channel" and rejected.reviewer == "ana" and len(rejected.findings) == 2


def test_a_snoozed_candidate_returns_on_its_date(settings: Settings) -> None:
    record(settings, naming(1, "t.me/s/kk_jobs"))
    with pytest.raises(CandidateError, match="not a date"):
        service.snooze(settings, "telegram:kk_jobs", "next week")
    with pytest.raises(CandidateError, match="not in the future"):
        service.snooze(settings, "telegram:kk_jobs", "2020-01-01")
    service.snooze(settings, "telegram:kk_jobs", "2099-01-31")
    assert keys(settings) == [] and keys(settings, "snoozed") == ["telegram:kk_jobs"]
    assert keys(settings, today="2099-01-30") == []
    assert keys(settings, today="2099-01-31") == ["telegram:kk_jobs"]
    service.approve(settings, "telegram:kk_jobs")  # a snoozed candidate may still be approved
    assert keys(settings, "approved") == ["telegram:kk_jobs"]


def test_candidates_that_a_source_crawls_already_are_not_proposed(settings: Settings) -> None:
    sources = settings.sources_dir
    (sources / "kk.yml").write_text(
        "kind: channel\nbase_url: http://127.0.0.1:8802\nstart_urls: [/s/kk_jobs]\nchannel: {}\n", encoding="utf-8"
    )
    (sources / "board.yml").write_text(
        "kind: board\nbase_url: https://www.jobsdb.com\nstart_urls: [/th/jobs]\n"
        "board: {list: {detail_links: 'a::attr(href)'}, detail: {}}\n",
        encoding="utf-8",
    )
    record(settings, naming(1, "t.me/s/kk_jobs https://www.jobsdb.com/th/job/1 t.me/s/other_jobs"))
    assert keys(settings) == ["telegram:other_jobs"]
    assert sorted(keys(settings, "configured")) == ["jobboard:jobsdb.com", "telegram:kk_jobs"]
    with pytest.raises(CandidateError, match="configured already"):
        service.approve(settings, "telegram:kk_jobs")


def test_unknown_candidates_statuses_and_kinds_are_clear_errors(settings: Settings) -> None:
    with pytest.raises(CandidateError, match="no candidate 'telegram:nobody'"):
        service.approve(settings, "telegram:nobody")
    with pytest.raises(CandidateError, match="unknown status"):
        service.list_candidates(settings, "maybe")
    with pytest.raises(CandidateError, match="unknown kind"):
        service.list_candidates(settings, kind="icq")


def test_an_approved_file_is_never_overwritten(settings: Settings) -> None:
    record(settings, naming(1, "t.me/s/kk_jobs"))
    folder = settings.sources_dir / "candidates"
    folder.mkdir()
    (folder / "telegram-kk_jobs.yml").write_text("# the operator's edits\n", encoding="utf-8")
    with pytest.raises(CandidateError, match="exists already"):
        service.approve(settings, "telegram:kk_jobs")
    assert (folder / "telegram-kk_jobs.yml").read_text(encoding="utf-8") == "# the operator's edits\n"
    assert yaml.safe_load((folder / "telegram-kk_jobs.yml").read_text(encoding="utf-8")) is None
