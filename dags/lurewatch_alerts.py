"""Alerts every 15 minutes: evaluate every due saved search and watch, deliver one digest per alert and channel.

The task is one call into ``lurewatch.alerts`` (the same as ``lurewatch alerts run``). SMTP and Elasticsearch
come from the Airflow connections ``smtp_default`` and ``elasticsearch_default`` when they exist, else from
``LUREWATCH_*`` (``lurewatch.airflow.connections``). Re-running a task sends nothing twice: clusters already
delivered to a channel are skipped. The task logs the run's figures (alerts due, matches, digests delivered).
"""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from airflow.sdk import dag, task


@dag(
    dag_id="lurewatch_alerts",
    schedule=timedelta(minutes=15),
    start_date=datetime(2026, 1, 1, tzinfo=UTC),
    catchup=False,
    max_active_runs=1,  # two overlapping runs could both deliver a digest before either records it
    default_args={"owner": "lurewatch", "retries": 1, "retry_delay": timedelta(minutes=2)},
    tags=["lurewatch", "alerts"],
    doc_md=__doc__,
)
def lurewatch_alerts() -> None:
    @task
    def run_alerts() -> dict:  # type: ignore[type-arg]
        from lurewatch.airflow.connections import task_settings
        from lurewatch.alerts.scheduled import run_scheduled

        return run_scheduled(task_settings(__file__))

    run_alerts()


lurewatch_alerts()
