"""Each CLI module imports on its own, in a fresh interpreter: no import cycle hides behind the package's order."""

from __future__ import annotations

import subprocess
import sys

import pytest

from tests.support import ROOT

CLI_MODULES = sorted(
    "lurewatch.cli" if path.stem == "__init__" else f"lurewatch.cli.{path.stem}"
    for path in (ROOT / "lurewatch" / "cli").glob("*.py")
)


def test_the_cli_package_has_its_command_modules() -> None:
    assert {"lurewatch.cli", "lurewatch.cli._ui", "lurewatch.cli.search"} <= set(CLI_MODULES)


@pytest.mark.parametrize("module", CLI_MODULES)
def test_cli_module_imports_alone(module: str) -> None:
    done = subprocess.run([sys.executable, "-c", f"import {module}"], capture_output=True, text=True, timeout=120)
    assert done.returncode == 0, done.stderr
