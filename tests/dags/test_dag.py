"""A source's crawl DAG against a site that is down: the crawl task fails with one line, nothing is processed."""

from __future__ import annotations

import subprocess
import sys
import textwrap
from pathlib import Path

import pytest

from lurewatch.settings import Settings
from tests.support.airflow import airflow_env, dag_folder

pytestmark = pytest.mark.airflow

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
    from airflow.models.asset import AssetEvent
    from airflow.utils.session import create_session
    from sqlalchemy import func, select

    with create_session() as session:
        print("ASSET_EVENTS", session.scalar(select(func.count()).select_from(AssetEvent)))
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
    folder = dag_folder(tmp_path, settings.sources_dir)
    env = airflow_env(tmp_path, folder)
    result = subprocess.run(
        [sys.executable, "-c", DOWN_SCRIPT, str(folder)], env=env, capture_output=True, text=True, timeout=300
    )
    assert "STATE failed" in result.stdout, (result.stdout[-3000:], result.stderr[-3000:])
    assert "TASK crawl failed" in result.stdout
    assert "ASSET_EVENTS 0" in result.stdout  # a failed crawl emits no asset event: nothing gets processed
    assert "fetched nothing" in result.stdout + result.stderr
    (run,) = list(settings.runs_dir.iterdir())
    assert (run / "rejects.jsonl").read_text().strip()  # the refused start URL is kept with its URL
