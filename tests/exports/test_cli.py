"""``lurewatch export run|verify`` as a user types them: a progress bar, a summary, one-line errors with hints."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

from lurewatch.settings import Settings, offline_environment
from tests.exports.conftest import indexed


def _lurewatch(settings: Settings, *args: str, profile: str = "investigator") -> subprocess.CompletedProcess[str]:
    env = offline_environment() | {"LUREWATCH_DATA_DIR": str(settings.data_dir), "LUREWATCH_INDEX": "sqlite",
                                   "LUREWATCH_PROFILE": profile, "COLUMNS": "200"}  # fmt: skip
    return subprocess.run([sys.executable, "-m", "lurewatch", *args], env=env, capture_output=True, text=True,
                          timeout=300, check=False)  # fmt: skip


def test_export_run_then_verify(settings: Settings, tmp_path: Path) -> None:
    with indexed(settings, 60):
        pass
    out = tmp_path / "kh"
    done = _lurewatch(settings, "export", "run", "*", str(out), "--format", "csv", "-f", "country=KH")
    assert done.returncode == 0, done.stderr
    assert "exported" in done.stderr and done.stdout.strip() == str(out.absolute())
    package = json.loads((out / "datapackage.json").read_text())
    assert package["lurewatch"]["query"]["filters"] == {"country": ["KH"]}
    assert package["lurewatch"]["redacted"] is False  # the investigator profile exports in clear
    checked = _lurewatch(settings, "export", "verify", str(out))
    assert checked.returncode == 0 and "OK" in checked.stderr
    (out / "findings.csv").write_text("changed\r\n")
    checked = _lurewatch(settings, "export", "verify", str(out))
    assert checked.returncode == 1 and "PROBLEM findings.csv" in checked.stdout


def test_the_researcher_profile_redacts_by_default(settings: Settings, tmp_path: Path) -> None:
    with indexed(settings, 10):
        pass
    done = _lurewatch(settings, "export", "run", "*", str(tmp_path / "r"), "--format", "jsonl", profile="researcher")
    assert done.returncode == 0, done.stderr
    assert json.loads((tmp_path / "r" / "datapackage.json").read_text())["lurewatch"]["redacted"] is True
    assert "+66812345678" not in (tmp_path / "r" / "findings.jsonl").read_text()


def test_refusals_are_one_line_with_a_hint(settings: Settings, tmp_path: Path) -> None:
    with indexed(settings, 5):
        pass
    (tmp_path / "full").mkdir()
    (tmp_path / "full" / "keep.txt").write_text("mine")
    for args, message in [
        (("export", "run", "*", str(tmp_path / "full")), "is not empty"),
        (("export", "run", "*", str(tmp_path / "x"), "--format", "xlsx"), "unknown format"),
        (("export", "run", "*", str(tmp_path / "x"), "--redact", "--evidence"), "never redacted"),
        (("export", "verify", str(tmp_path / "nowhere")), "has no datapackage.json"),
    ]:
        done = _lurewatch(settings, *args)
        assert done.returncode == 2, (args, done.stderr)
        assert "error: " in done.stderr and message in done.stderr and "hint: " in done.stderr
        assert "Traceback" not in done.stderr
    assert (tmp_path / "full" / "keep.txt").read_text() == "mine" and not (tmp_path / "x").exists()
