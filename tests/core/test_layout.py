"""The house: one installed name, the declared packages match the folders, the steps never import each other."""

from __future__ import annotations

import ast
import tomllib

from tests.support import ROOT

MAPPED = {"crawlers": "lurewatch.crawlers", "enrichment": "lurewatch.enrichment", "index": "lurewatch.index"}
STEPS = ("crawlers", "enrichment", "index")


def _package_folders() -> set[str]:
    names = set()
    for top in ("lurewatch", *MAPPED):
        for init in (ROOT / top).rglob("__init__.py"):
            parts = init.parent.relative_to(ROOT).parts
            prefix = MAPPED.get(parts[0], parts[0])
            names.add(".".join((prefix, *parts[1:])))
    return names


def test_every_package_folder_is_installed_under_lurewatch() -> None:
    config = tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))["tool"]["setuptools"]
    assert set(config["packages"]) == _package_folders()
    assert config["package-dir"] == {installed: folder for folder, installed in MAPPED.items()}


def _imports(path: object) -> set[str]:
    tree = ast.parse(path.read_text(encoding="utf-8"))  # type: ignore[attr-defined]
    found: set[str] = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            found.update(alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            found.add(node.module)
    return found


def test_no_module_imports_the_old_top_level_names() -> None:
    offenders = []
    for path in ROOT.glob("**/*.py"):
        if ".venv" in path.parts or "build" in path.parts:
            continue
        for name in _imports(path):
            if name.split(".")[0] in (*STEPS, "dags"):
                offenders.append(f"{path.relative_to(ROOT)}: {name}")
    assert offenders == []


def test_steps_never_import_each_other() -> None:
    offenders = []
    for step in STEPS:
        for path in (ROOT / step).rglob("*.py"):
            for name in _imports(path):
                other = [s for s in STEPS if s != step and name.startswith(f"lurewatch.{s}")]
                roof = name.startswith(("lurewatch.web", "lurewatch.cli", "lurewatch.runner", "lurewatch.alerts",
                                         "lurewatch.exports", "lurewatch.networks"))
                if other or roof:
                    offenders.append(f"{path.relative_to(ROOT)}: {name}")
    assert offenders == []
