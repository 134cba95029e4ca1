"""The README stays true: it documents every setting and every command, and its two commands exist."""

from __future__ import annotations

import typer.main

from lurewatch.cli import app
from lurewatch.settings import Settings
from tests.support import ROOT

README = (ROOT / "README.md").read_text(encoding="utf-8")


def test_every_setting_is_documented() -> None:
    missing = [name for name in Settings.model_fields if f"`LUREWATCH_{name.upper()}`" not in README]
    assert not missing, f"README lacks settings: {missing}"


def test_every_command_is_documented() -> None:
    commands = typer.main.get_command(app).commands  # type: ignore[attr-defined]
    missing = [name for name in commands if f"`lurewatch {name}" not in README]
    assert not missing, f"README lacks commands: {missing}"


def test_ci_runs_exactly_the_readme_test_command() -> None:
    assert "make test " in README and "make demo " in README
    ci = (ROOT / ".ci" / "run").read_text()
    assert [line for line in ci.splitlines() if line and not line.startswith("#") and "set -" not in line][
        -1
    ] == "make test"
