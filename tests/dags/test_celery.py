"""The production shape on one machine: a DAG run executed by a real Celery worker process through a real Redis.

Started by the test on 127.0.0.1 (free ports) and stopped after it: ``redis-server`` (the broker), Airflow's
execution API (``airflow api-server --apps execution``: Airflow 3 workers report to it) and ``airflow celery worker``.
``dag.test(use_executor=True)`` plays the scheduler: it queues each task on the CeleryExecutor, whose worker runs it.
The metadata DB is SQLite (Celery's result backend too); production uses PostgreSQL (deploy/compose.yaml).
"""

from __future__ import annotations

import json
import os
import re
import shutil
import signal
import subprocess
import sys
import textwrap
import time
import urllib.request
from collections.abc import Iterator
from contextlib import ExitStack, contextmanager
from pathlib import Path

import pytest

from lurewatch.exports.verify import verify_export
from lurewatch.index.base import open_index
from lurewatch.settings import Settings
from tests.support import IN_CI
from tests.support.airflow import airflow_env, dag_folder
from tests.support.receivers import free_port
from tests.support.samples import sample_findings

pytestmark = [pytest.mark.airflow, pytest.mark.slow]
START_TIMEOUT = 120.0  # seconds for a server to answer on its port (the test machine is small and shared)

RUN = textwrap.dedent(
    """
    import json, os
    from datetime import datetime, timezone
    from airflow.dag_processing.dagbag import DagBag

    dag = DagBag(dag_folder=__import__("sys").argv[1]).get_dag("lurewatch_exports")
    for task in dag.tasks:
        task.retries = 0
    run = dag.test(logical_date=datetime(2026, 3, 2, tzinfo=timezone.utc), use_executor=True)
    from airflow.models.taskinstance import TaskInstance
    from airflow.utils.session import create_session
    from sqlalchemy import select

    with create_session() as session:  # read afresh: the worker and the executor events wrote to it
        ti = session.scalar(select(TaskInstance).where(TaskInstance.run_id == run.run_id))
        print("RESULT " + json.dumps({"state": str(run.state), "task": ti.task_id, "task_state": str(ti.state),
                                      "pid": ti.pid, "here": os.getpid()}))
    """
)


@contextmanager
def _process(cmd: list[str], env: dict[str, str], log: Path) -> Iterator[subprocess.Popen[bytes]]:
    """A server process in its own session, its output in ``log``; stopped (TERM, then KILL) when the block ends."""
    with log.open("wb") as out:
        proc = subprocess.Popen(cmd, env=env, stdout=out, stderr=subprocess.STDOUT, start_new_session=True)
        try:
            yield proc
        finally:
            for sig, wait in ((signal.SIGTERM, 20), (signal.SIGKILL, 10)):
                if proc.poll() is not None:
                    break
                os.killpg(proc.pid, sig)  # the whole group: Celery's pool and uvicorn's workers too
                try:
                    proc.wait(wait)
                except subprocess.TimeoutExpired:
                    continue


def _wait_until(ready: object, what: str, proc: subprocess.Popen[bytes], log: Path) -> None:
    deadline = time.monotonic() + START_TIMEOUT
    while time.monotonic() < deadline:
        if proc.poll() is not None:
            pytest.fail(f"{what} exited with {proc.returncode}: {log.read_text(errors='replace')[-3000:]}")
        if ready():  # type: ignore[operator]
            return
        time.sleep(0.5)
    pytest.fail(f"{what} not ready after {START_TIMEOUT} s: {log.read_text(errors='replace')[-3000:]}")


def _answers(url: str) -> bool:
    try:
        with urllib.request.urlopen(url, timeout=2):
            return True
    except OSError as exc:
        return getattr(exc, "code", None) is not None  # any HTTP answer: the server is up


def test_a_dag_run_is_executed_by_a_celery_worker_through_redis(tmp_path: Path, settings: Settings) -> None:
    redis_server = shutil.which("redis-server")
    if redis_server is None:
        message = "redis-server is not installed (apt-get install redis-server)"
        pytest.fail(message) if IN_CI else pytest.skip(message)
    findings = list(sample_findings(40))
    index = open_index(settings)
    index.upsert(findings)
    index.close()
    redis_port, api_port = free_port(), free_port()
    folder = dag_folder(tmp_path, settings.sources_dir)
    home = tmp_path / "airflow"
    env = airflow_env(
        tmp_path, folder,
        AIRFLOW__CORE__EXECUTOR="CeleryExecutor",
        AIRFLOW__CELERY__BROKER_URL=f"redis://127.0.0.1:{redis_port}/0",
        AIRFLOW__CELERY__RESULT_BACKEND=f"db+sqlite:///{home}/celery-results.db",
        AIRFLOW__CELERY__WORKER_CONCURRENCY="1",
        AIRFLOW__CORE__EXECUTION_API_SERVER_URL=f"http://127.0.0.1:{api_port}/execution/",
        AIRFLOW__API_AUTH__JWT_SECRET="celery-test-secret",  # the executor signs, the execution API checks
        AIRFLOW__LOGGING__WORKER_LOG_SERVER_PORT=str(free_port()),
    )  # fmt: skip
    logs = tmp_path / "logs"
    logs.mkdir()
    with ExitStack() as stack:
        redis = stack.enter_context(_process(
            [redis_server, "--bind", "127.0.0.1", "--port", str(redis_port), "--save", "", "--appendonly", "no"],
            env, logs / "redis.log"))  # fmt: skip
        _wait_until(lambda: b"Ready to accept" in (logs / "redis.log").read_bytes(), "redis-server", redis,
                    logs / "redis.log")  # fmt: skip
        api = stack.enter_context(_process(
            [sys.executable, "-m", "airflow", "api-server", "--apps", "execution", "--host", "127.0.0.1",
             "--port", str(api_port), "--workers", "1"], env, logs / "api.log"))  # fmt: skip
        worker = stack.enter_context(_process(
            [sys.executable, "-m", "airflow", "celery", "worker", "--concurrency", "1", "--without-gossip",
             "--without-mingle", "--skip-serve-logs"], env, logs / "worker.log"))  # fmt: skip
        _wait_until(lambda: _answers(f"http://127.0.0.1:{api_port}/execution/health"), "api-server", api,
                    logs / "api.log")  # fmt: skip
        _wait_until(lambda: b"ready." in (logs / "worker.log").read_bytes(), "celery worker", worker,
                    logs / "worker.log")  # fmt: skip
        result = subprocess.run([sys.executable, "-c", RUN, str(folder)], env=env, capture_output=True, text=True,
                                timeout=300)  # fmt: skip
    worker_log = (logs / "worker.log").read_text(errors="replace")
    assert result.returncode == 0, (result.stdout[-3000:], result.stderr[-3000:], worker_log[-3000:])
    run = json.loads(result.stdout.split("RESULT ", 1)[1])
    assert (run["state"], run["task"], run["task_state"]) == ("success", "snapshot", "success")
    # The Celery worker, not the process that queued it, ran the task: the worker received it and it succeeded.
    assert run["pid"] and run["pid"] != run["here"], (run, worker_log[-3000:])
    (received,) = re.findall(r"execute_workload\[([0-9a-f-]{36})\] received", worker_log)
    assert re.search(rf"execute_workload\[{received}\] succeeded", worker_log), worker_log[-3000:]
    (snapshot,) = (settings.exports_path / "snapshots").iterdir()
    assert snapshot.name == "2026-02-23_2026-03-02" and verify_export(snapshot).ok
