"""``lurewatch candidates`` as an analyst runs it: update, list, show, approve, reject, snooze; errors in one line."""

from __future__ import annotations

import json

from lurewatch.index.sqlite.backend import SqliteIndex
from lurewatch.settings import Settings
from tests.cli.test_cli import lurewatch
from tests.support.discovery import naming


def _indexed(settings: Settings) -> None:
    index = SqliteIndex(settings.sqlite_file)
    index.setup()
    index.upsert(
        [
            naming(1, "Join our channel t.me/s/kk_jobs_daily", risk=85, cluster="c1"),
            naming(2, "Apply t.me/kk_jobs_daily/9 or https://chat.whatsapp.com/KpX1abcdEFGHijklMNOP12", risk=70),
            naming(3, "Contact Telegram @recruiter_anna, page facebook.com/GoldenBayJobs", risk=30),
        ]
    )
    index.close()


def test_update_list_show_and_review(settings: Settings) -> None:
    _indexed(settings)
    updated = lurewatch("candidates", "update", settings=settings)
    assert updated.returncode == 0, updated.stderr
    assert "read 3 findings: 4 mentions; 3 candidates in all" in updated.stderr

    listed = json.loads(lurewatch("candidates", "list", "--json", settings=settings).stdout)
    assert [c["key"] for c in listed] == [
        "telegram:kk_jobs_daily", "whatsapp:KpX1abcdEFGHijklMNOP12", "facebook:goldenbayjobs",
    ]  # fmt: skip
    assert sorted(listed[0]["findings"]) == sorted([naming(1, "").posting_id, naming(2, "").posting_id])
    table = lurewatch("candidates", "list", settings=settings).stdout
    assert "telegram:kk_jobs_daily" in table and "85 / 78" in table and "2 clusters" in table

    shown = lurewatch("candidates", "show", "telegram:kk_jobs_daily", settings=settings)
    assert (
        shown.returncode == 0
        and naming(2, "").posting_id in shown.stdout
        and "https://t.me/s/kk_jobs_daily" in shown.stdout
    )

    approved = lurewatch("candidates", "approve", "telegram:kk_jobs_daily", "--by", "ana", settings=settings)
    assert approved.returncode == 0, approved.stderr
    written = settings.sources_dir / "candidates" / "telegram-kk_jobs_daily.yml"
    assert written.is_file() and str(written) in approved.stderr.replace("\n", "")

    rejected = lurewatch("candidates", "reject", "facebook:goldenbayjobs", "--reason", "an employer's page",
                         settings=settings)  # fmt: skip
    assert rejected.returncode == 0, rejected.stderr
    snoozed = lurewatch("candidates", "snooze", "whatsapp:KpX1abcdEFGHijklMNOP12", "--until", "2099-01-01",
                        settings=settings)  # fmt: skip
    assert snoozed.returncode == 0, snoozed.stderr

    assert json.loads(lurewatch("candidates", "list", "--json", settings=settings).stdout) == []
    every = json.loads(lurewatch("candidates", "list", "--status", "all", "--json", settings=settings).stdout)
    assert {c["key"]: c["status"] for c in every} == {
        "telegram:kk_jobs_daily": "approved",
        "whatsapp:KpX1abcdEFGHijklMNOP12": "snoozed",
        "facebook:goldenbayjobs": "rejected",
    }
    again = lurewatch("candidates", "update", settings=settings)  # a new pass brings nothing back
    assert again.returncode == 0
    assert json.loads(lurewatch("candidates", "list", "--json", settings=settings).stdout) == []

    checked = lurewatch("sources", settings=settings)
    assert checked.returncode == 0, checked.stdout + checked.stderr
    assert "telegram-kk_jobs_daily" in checked.stdout and "candidate" in checked.stdout


def test_review_errors_are_one_line_with_a_hint(settings: Settings) -> None:
    _indexed(settings)
    assert lurewatch("candidates", "update", settings=settings).returncode == 0
    for args, message in [
        (("approve", "telegram:nobody"), "error: no candidate 'telegram:nobody'"),
        (("reject", "telegram:kk_jobs_daily"), "error: a rejection needs a reason"),
        (("snooze", "telegram:kk_jobs_daily", "--until", "soon"), "error: --until 'soon' is not a date"),
        (("list", "--status", "maybe"), "error: unknown status 'maybe'"),
    ]:
        result = lurewatch("candidates", *args, settings=settings)
        lines = result.stderr.strip().splitlines()
        assert result.returncode == 2 and lines[0].startswith(message) and lines[1].startswith("hint: "), result.stderr
        assert "Traceback" not in result.stderr


def test_a_broken_candidate_file_fails_lurewatch_sources(settings: Settings) -> None:
    folder = settings.sources_dir / "candidates"
    folder.mkdir()
    (folder / "telegram-x.yml").write_text("kind: channel\nstart_urls: [/s/x]\nchanel: {}\n", encoding="utf-8")
    result = lurewatch("sources", settings=settings)
    assert result.returncode == 1 and "telegram-x.yml:3: chanel: unknown key" in result.stderr
