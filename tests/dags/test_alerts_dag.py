"""The alerts DAG: imports cleanly, runs every 15 minutes, and under ``dag.test()`` delivers once, not twice."""

from __future__ import annotations

import subprocess
import sys
import textwrap
from pathlib import Path

import pytest

from lurewatch.alerts import service
from lurewatch.alerts.store import open_alert_store
from lurewatch.index.base import open_index
from lurewatch.settings import Settings
from tests.alerts.conftest import finding
from tests.support import ROOT
from tests.support.airflow import airflow_env
from tests.support.receivers import webhook_receiver

pytestmark = pytest.mark.airflow

SCRIPT = textwrap.dedent(
    """
    import sys
    from datetime import timedelta
    from airflow.dag_processing.dagbag import DagBag

    bag = DagBag(dag_folder=sys.argv[1])
    assert not bag.import_errors, bag.import_errors
    dag = bag.get_dag("lurewatch_alerts")
    print("SCHEDULE", dag.schedule)
    for _ in range(2):  # the second run finds nothing new to send
        print("STATE", dag.test().state)
    """
)


def test_alerts_dag_delivers_once_under_dag_test(tmp_path: Path, settings: Settings) -> None:
    env = airflow_env(tmp_path, ROOT / "dags", LUREWATCH_WEBHOOK_ALLOW_PRIVATE="true",
                      LUREWATCH_ALERTS_SETTLE_SECONDS="0")  # fmt: skip
    with webhook_receiver() as receiver:
        allowed = settings.model_copy(update={"webhook_allow_private": True})
        store = open_alert_store(settings)
        service.add_search(store, allowed, name="visa", owner="analyst", query={"text": "visa"},
                           channels=[f"webhook:{receiver.url}"])  # fmt: skip
        store.close()
        index = open_index(settings)
        index.upsert([finding("one", "cluster-1"), finding("two", "cluster-2")])
        index.close()
        result = subprocess.run([sys.executable, "-c", SCRIPT, str(ROOT / "dags")], env=env, capture_output=True,
                                text=True, timeout=300)  # fmt: skip
    assert result.returncode == 0, (result.stdout[-3000:], result.stderr[-3000:])
    assert "SCHEDULE 0:15:00" in result.stdout
    assert result.stdout.count("STATE success") == 2
    (body,) = receiver.bodies
    assert "2 new lures" in body["text"]
    assert '"delivered": 1' in result.stdout + result.stderr  # the task logged its stats
