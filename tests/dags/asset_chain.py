"""Run the asset chain under ``dag.test()``: crawl → (asset event) → process → alerts; run by tests/dags/test_asset_chain.py.

``dag.test()`` makes manual runs, so this script lets Airflow's own scheduler code turn the crawl's queued asset
event into the process DAG's run (``SchedulerJobRunner._create_dag_runs_asset_triggered``, as a scheduler loop
does), and has ``dag.test()`` execute that run: the process tasks read their run ids from the real triggering
asset events. Each round prints its states, the events the process run consumed and the index's count and id hash; then the
first crawl's processing is re-run by hand (``run_conf={"run_id": ...}``) and the alerts once more.
Usage: python -m tests.dags.asset_chain DAG_FOLDER SOURCE_NAME ROUNDS
"""

from __future__ import annotations

import json
import sys
from typing import Any


def asset_triggered_run(dag_id: str) -> tuple[str, list[str]]:
    """Create the asset-triggered run the scheduler would create for ``dag_id`` from its queued asset events."""
    from airflow.jobs.job import Job
    from airflow.jobs.scheduler_job_runner import SchedulerJobRunner
    from airflow.models.dag import DagModel
    from airflow.models.dagrun import DagRun
    from airflow.utils.session import create_session
    from airflow.utils.state import DagRunState
    from airflow.utils.types import DagRunType
    from sqlalchemy import select

    with create_session() as session:
        model = session.scalar(select(DagModel).where(DagModel.dag_id == dag_id))
        SchedulerJobRunner(job=Job())._create_dag_runs_asset_triggered(dag_models=[model], session=session)
        session.commit()
        run = session.scalars(
            select(DagRun)
            .where(DagRun.dag_id == dag_id, DagRun.run_type == DagRunType.ASSET_TRIGGERED)
            .order_by(DagRun.id.desc())
        ).first()
        assert run is not None, f"no asset-triggered run of {dag_id}: the crawl's asset event did not queue one"
        run.state = DagRunState.RUNNING
        session.commit()
        events = [event.extra for event in run.consumed_asset_events]
        print("EVENTS", json.dumps(events), flush=True)
        return run.run_id, [event["run_id"] for event in events]


def main(folder: str, name: str, rounds: int) -> None:
    import airflow.models.dagrun as dagrun_module
    from airflow.dag_processing.dagbag import DagBag
    from airflow.models.dagrun import DagRun
    from airflow.utils.session import create_session
    from sqlalchemy import select

    bag = DagBag(dag_folder=folder)
    assert not bag.import_errors, bag.import_errors
    crawl, process, alerts = (bag.get_dag(i) for i in (f"lurewatch_{name}", f"lurewatch_{name}_process", "lurewatch_alerts"))
    for dag in (crawl, process, alerts):
        for task in dag.tasks:
            task.retries = 0  # a failure shows at once, not after the retry delays
    processed: list[str] = []
    for _ in range(rounds):
        print("CRAWL", crawl.test().state, flush=True)
        run_id, crawled = asset_triggered_run(process.dag_id)
        processed.extend(crawled)
        original = dagrun_module.get_or_create_dagrun

        def the_scheduled_run(*, dag: Any, session: Any, scheduled: str = run_id, **_: Any) -> Any:
            run = session.scalar(select(DagRun).where(DagRun.dag_id == dag.dag_id, DagRun.run_id == scheduled))
            run.dag = dag
            return run

        dagrun_module.get_or_create_dagrun = the_scheduled_run  # type: ignore[assignment]
        try:
            result = process.test(logical_date=None)
        finally:
            dagrun_module.get_or_create_dagrun = original
        with create_session() as session:
            states = {ti.task_id: str(ti.state) for ti in result.get_task_instances(session=session)}
        print("PROCESS", result.state, result.run_type, json.dumps(states), flush=True)
        print("ALERTS", alerts.test().state, flush=True)
        print("INDEX", json.dumps(index_state()), flush=True)
    # Re-run the processing of the first crawl by hand (its run id in the DAG run's conf), then the alerts again.
    rerun = process.test(run_conf={"run_id": processed[0]})
    print("RERUN", rerun.state, flush=True)
    print("ALERTS", alerts.test().state, flush=True)
    print("INDEX", json.dumps(index_state()), flush=True)


def index_state() -> dict[str, Any]:
    """The index's count and the sha256 of its sorted posting ids (LUREWATCH_* say which index)."""
    import hashlib

    from lurewatch.index.base import open_index
    from lurewatch.index.query import Query
    from lurewatch.settings import get_settings

    index = open_index(get_settings())
    try:
        ids = sorted(hit.posting_id for hit in index.iterate(Query("*")))
        return {"count": index.count(), "ids": len(ids), "sha256": hashlib.sha256("\n".join(ids).encode()).hexdigest()}
    finally:
        index.close()


if __name__ == "__main__":
    main(sys.argv[1], sys.argv[2], int(sys.argv[3]))
