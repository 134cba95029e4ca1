"""A throwaway Airflow for the DAG tests: its own AIRFLOW_HOME, SQLite metadata DB and DAG folder under tmp_path."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from pathlib import Path

from lurewatch.airflow.dag_files import sync_dag_files
from tests.support import ROOT

SHIPPED_DAGS = ("lurewatch_alerts.py", "lurewatch_exports.py")


def dag_folder(tmp_path: Path, sources_dir: Path) -> Path:
    """A DAG folder as an operator has it: the shipped DAG files (linked) and one generated file per source."""
    folder = tmp_path / "dags"
    folder.mkdir()
    for name in SHIPPED_DAGS:
        (folder / name).symlink_to(ROOT / "dags" / name)
    sync_dag_files(sources_dir, folder / "sources")
    return folder


def airflow_env(tmp_path: Path, folder: Path, **extra: str) -> dict[str, str]:
    """The environment of Airflow commands on a fresh metadata DB (made with ``airflow db migrate``)."""
    home = tmp_path / "airflow"
    home.mkdir(exist_ok=True)
    env = {
        **os.environ,
        "AIRFLOW_HOME": str(home),
        "AIRFLOW__CORE__LOAD_EXAMPLES": "False",
        "AIRFLOW__CORE__DAGS_FOLDER": str(folder),
        "AIRFLOW__CORE__DAGS_ARE_PAUSED_AT_CREATION": "False",  # a paused DAG would queue no asset-triggered run
        "AIRFLOW__CORE__UNIT_TEST_MODE": "False",
        "AIRFLOW__DATABASE__SQL_ALCHEMY_CONN": f"sqlite:///{home}/airflow.db",
        "PYTHONPATH": str(ROOT),
        "TLDEXTRACT_PUBLIC_SUFFIX_LIST_URLS": "",
        **extra,
    }
    # `airflow db migrate` takes 10-20 s: the session's first test migrates, the others copy its fresh database.
    template = tmp_path.parent / "airflow-migrated.db"  # tmp_path's parent is the session's base folder
    if template.exists():
        shutil.copyfile(template, home / "airflow.db")
    else:
        migrate = airflow(env, "db", "migrate", timeout=300)
        assert migrate.returncode == 0, migrate.stderr[-3000:]
        shutil.copyfile(home / "airflow.db", template)
    return env


def airflow(env: dict[str, str], *args: str, timeout: float = 300, cwd: Path | None = None) -> subprocess.CompletedProcess[str]:
    """An ``airflow`` command (the venv's, as ``python -m airflow``)."""
    return subprocess.run([sys.executable, "-m", "airflow", *args], env=env, capture_output=True, text=True,
                          timeout=timeout, cwd=cwd)  # fmt: skip
