"""``lurewatch alerts`` and ``lurewatch watch`` as a user types them (the installed command, in a subprocess)."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest
from typer.testing import CliRunner

from lurewatch.cli import app
from lurewatch.index.base import open_index
from lurewatch.settings import Settings
from tests.alerts.conftest import finding


class Result:
    def __init__(self, returncode: int, stdout: str) -> None:
        self.returncode, self.stdout = returncode, stdout


def _in_process(*args: str, cwd: Path, monkeypatch: pytest.MonkeyPatch) -> Result:
    """The command run in this process (the same code as the installed command, without its start-up time)."""
    monkeypatch.chdir(cwd)
    result = CliRunner().invoke(app, list(args), env={"COLUMNS": "200"})
    if result.exception and not isinstance(result.exception, SystemExit):
        raise result.exception
    return Result(result.exit_code, result.stdout)


def _lurewatch(*args: str, cwd: Path) -> subprocess.CompletedProcess[str]:
    env = {**os.environ, "COLUMNS": "200"}
    return subprocess.run([sys.executable, "-m", "lurewatch", *args], cwd=cwd, env=env, capture_output=True,
                          text=True, timeout=120)  # fmt: skip


def test_add_list_run_pause_remove(alert_settings: Settings, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    def _lurewatch(*args: str, cwd: Path) -> Result:
        return _in_process(*args, cwd=cwd, monkeypatch=monkeypatch)

    added = _lurewatch("alerts", "add", "kk visa", "visa", "-f", "compound=KK Park", "--channel", "file:out.jsonl",
                       "--min-risk", "50", cwd=tmp_path)  # fmt: skip
    assert added.returncode == 0, added.stdout
    watched = _lurewatch("watch", "add", "telegram", "https://t.me/HR_KKPark", "-c", "file:watch.jsonl", cwd=tmp_path)
    assert watched.returncode == 0, watched.stdout
    listed = json.loads(_lurewatch("alerts", "list", "--json", cwd=tmp_path).stdout)
    assert [(a["name"], a["kind"], a["min_risk"]) for a in listed] == [("kk visa", "search", 50),
                                                                        ("telegram hr_kkpark", "watch", 0)]  # fmt: skip
    assert listed[0]["query"] == {"text": "visa", "filters": {"compound": ["KK Park"]}}
    assert listed[0]["channels"][0]["target"] == f"file:{tmp_path / 'out.jsonl'}"  # made absolute
    assert [w["name"] for w in json.loads(_lurewatch("watch", "list", "--json", cwd=tmp_path).stdout)] == [
        "telegram hr_kkpark"
    ]

    index = open_index(alert_settings)
    index.upsert([finding("one", "cluster-1")])
    index.close()
    run = _lurewatch("alerts", "run", "--json", cwd=tmp_path)
    assert run.returncode == 0, run.stdout
    stats = json.loads(run.stdout)
    assert (stats["evaluated"], stats["delivered"], stats["failed"]) == (2, 2, 0)
    assert len((tmp_path / "out.jsonl").read_text().splitlines()) == 1
    assert len((tmp_path / "watch.jsonl").read_text().splitlines()) == 1

    assert _lurewatch("alerts", "pause", "kk visa", cwd=tmp_path).returncode == 0
    assert json.loads(_lurewatch("alerts", "list", "--json", cwd=tmp_path).stdout)[0]["paused"] is True
    assert _lurewatch("alerts", "resume", "kk visa", cwd=tmp_path).returncode == 0
    assert _lurewatch("alerts", "edit", "kk visa", "--min-risk", "70", cwd=tmp_path).returncode == 0
    assert json.loads(_lurewatch("alerts", "list", "--json", cwd=tmp_path).stdout)[0]["min_risk"] == 70
    assert _lurewatch("watch", "remove", "telegram hr_kkpark", cwd=tmp_path).returncode == 0
    assert _lurewatch("alerts", "remove", "kk visa", cwd=tmp_path).returncode == 0
    assert json.loads(_lurewatch("alerts", "list", "--json", cwd=tmp_path).stdout) == []


def test_a_failed_channel_makes_run_exit_1(alert_settings: Settings, tmp_path: Path) -> None:
    _lurewatch("alerts", "add", "mail", "visa", "--channel", "email:analyst@example.org", cwd=tmp_path)
    index = open_index(alert_settings)
    index.upsert([finding("one", "cluster-1")])
    index.close()
    run = _lurewatch("alerts", "run", cwd=tmp_path)  # nothing listens on the SMTP port
    assert run.returncode == 1
    assert "failed 1" in run.stdout and "email:analyst@example.org" in run.stderr and "Traceback" not in run.stderr


def test_bad_input_is_one_error_line_and_a_hint(settings: Settings, tmp_path: Path) -> None:
    for args in (["alerts", "add", "x", "visa", "--channel", "sms:+6681"],
                 ["alerts", "add", "x", "visa", "-c", "webhook:http://10.1.2.3/hook"],
                 ["alerts", "add", "x", "visa", "-c", "webhook:ftp://example.org/hook"],
                 ["watch", "add", "phone", "081-234-5678", "-c", "file:w.jsonl"],
                 ["alerts", "pause", "no-such-alert"]):  # fmt: skip
        result = _lurewatch(*args, cwd=tmp_path)
        assert result.returncode == 2, (args, result.stderr)
        assert "error:" in result.stderr and "hint:" in result.stderr and "Traceback" not in result.stderr
