"""A weekly research snapshot: the findings fetched each week, exported redacted as Parquet with datapackage.json.

The task is one call into ``lurewatch.exports.scheduled`` and is keyed on its data interval: a retry, a cleared
task or a backfill over a date range (``airflow backfill create --dag-id lurewatch_exports --from-date 2026-01-01 --to-date 2026-03-01``)
writes each week's snapshot once and never overwrites one (``EXPORTS_DIR/snapshots/<start>_<end>/``).
"""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from airflow.sdk import dag, get_current_context, task


@dag(
    dag_id="lurewatch_exports",
    schedule="@weekly",
    start_date=datetime(2026, 1, 5, tzinfo=UTC),
    catchup=False,
    default_args={"owner": "lurewatch", "retries": 1, "retry_delay": timedelta(minutes=10)},
    tags=["lurewatch", "exports"],
    doc_md=__doc__,
)
def lurewatch_exports() -> None:
    @task
    def snapshot() -> dict:  # type: ignore[type-arg]
        from lurewatch.airflow.connections import task_settings
        from lurewatch.exports.scheduled import write_snapshot

        context = get_current_context()
        end = context["data_interval_end"] or context["logical_date"]
        start = context["data_interval_start"]
        if start is None or start >= end:  # a cron trigger's interval is a point: the week that ends there
            start = end - timedelta(weeks=1)
        return write_snapshot(start.date(), end.date(), task_settings(__file__))

    snapshot()


lurewatch_exports()
