"""The Airflow DAGs: generated from source YAML, import cleanly, and run crawl → enrich → index for real."""

from __future__ import annotations

import os
import subprocess
import sys
import textwrap
from pathlib import Path

import pytest

from lurewatch.index.base import open_index
from lurewatch.runner import demo_source_path
from lurewatch.settings import Settings
from tests.support import ROOT

pytestmark = pytest.mark.airflow
DAGS = ROOT / "dags"

SCRIPT = textwrap.dedent(
    """
    import sys
    from airflow.dag_processing.dagbag import DagBag

    bag = DagBag(dag_folder=sys.argv[1])
    assert not bag.import_errors, bag.import_errors
    print("DAGS", sorted(bag.dag_ids))
    dag = bag.get_dag("lurewatch_demo")
    for task in dag.tasks:
        task.retries = 0  # a failure shows at once instead of after the retry delays
    run = dag.test()
    print("STATE", run.state)
    """
)


def _airflow_env(tmp_path: Path, settings: Settings) -> dict[str, str]:
    env = dict(os.environ)
    home = tmp_path / "airflow"
    env.update(
        {
            "AIRFLOW_HOME": str(home),
            "AIRFLOW__CORE__LOAD_EXAMPLES": "False",
            "AIRFLOW__CORE__DAGS_FOLDER": str(DAGS),
            "AIRFLOW__DATABASE__SQL_ALCHEMY_CONN": f"sqlite:///{home}/airflow.db",
            "AIRFLOW__CORE__UNIT_TEST_MODE": "False",
            "LUREWATCH_DATA_DIR": str(settings.data_dir),
            "LUREWATCH_SOURCES_DIR": str(settings.sources_dir),
            "LUREWATCH_INDEX": "sqlite",
        }
    )
    return env


def test_demo_dag_runs_crawl_enrich_index(tmp_path: Path, settings: Settings, demo_site: object) -> None:
    source = demo_source_path().read_text(encoding="utf-8")
    base_url = demo_site.base_url  # type: ignore[attr-defined]
    (settings.sources_dir / "demo.yml").write_text(source.replace("http://127.0.0.1:8765", base_url))
    (settings.sources_dir / "broken.yml").write_text("name: broken\nkind: board\nstart_urlz: [x]\n")
    env = _airflow_env(tmp_path, settings)
    airflow = Path(sys.executable).parent / "airflow"
    migrate = subprocess.run([str(airflow), "db", "migrate"], env=env, capture_output=True, text=True, timeout=300)
    assert migrate.returncode == 0, migrate.stderr[-3000:]
    result = subprocess.run(
        [sys.executable, "-c", SCRIPT, str(DAGS)], env=env, capture_output=True, text=True, timeout=300
    )
    assert result.returncode == 0, (result.stdout[-3000:], result.stderr[-3000:])
    assert "DAGS ['lurewatch_alerts', 'lurewatch_demo', 'lurewatch_exports']" in result.stdout  # the broken YAML is skipped, not fatal
    assert "STATE success" in result.stdout
    store = open_index(settings)
    try:
        assert store.count() >= 170
    finally:
        store.close()
    runs = list(settings.runs_dir.iterdir())
    assert len(runs) == 1 and runs[0].name.startswith("demo-manual__")


DOWN_SCRIPT = textwrap.dedent(
    """
    import sys
    from airflow.dag_processing.dagbag import DagBag

    bag = DagBag(dag_folder=sys.argv[1])
    dag = bag.get_dag("lurewatch_down")
    for task in dag.tasks:
        task.retries = 0
    run = dag.test()
    print("STATE", run.state)
    for ti in run.get_task_instances():
        print("TASK", ti.task_id, ti.state)
    """
)


def test_dag_of_a_site_that_is_down_fails_its_crawl_task(tmp_path: Path, settings: Settings) -> None:
    import socket

    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port = sock.getsockname()[1]  # closed once the block ends: every connection is refused
    from tests.support.sites.hostile import write_source

    write_source(settings.sources_dir, name="down", retries=0)
    yml = settings.sources_dir / "down.yml"
    yml.write_text(yml.read_text().replace('start_urls: ["/jobs/1"]', f'start_urls: ["http://127.0.0.1:{port}/jobs/1"]'))
    env = _airflow_env(tmp_path, settings)
    airflow = Path(sys.executable).parent / "airflow"
    migrate = subprocess.run([str(airflow), "db", "migrate"], env=env, capture_output=True, text=True, timeout=300)
    assert migrate.returncode == 0, migrate.stderr[-3000:]
    result = subprocess.run(
        [sys.executable, "-c", DOWN_SCRIPT, str(DAGS)], env=env, capture_output=True, text=True, timeout=300
    )
    assert "STATE failed" in result.stdout, (result.stdout[-3000:], result.stderr[-3000:])
    assert "TASK crawl failed" in result.stdout and "TASK index success" not in result.stdout
    assert "fetched nothing" in result.stdout + result.stderr
    (run,) = list(settings.runs_dir.iterdir())
    assert (run / "rejects.jsonl").read_text().strip()  # the refused start URL is kept with its URL
