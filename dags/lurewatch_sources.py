"""One DAG per source YAML: crawl → enrich → index, each task a short call into ``lurewatch.runner``.

XCom carries run ids only; the data stays in the run folder and the index.
"""

from __future__ import annotations

import logging
import re
from datetime import UTC, datetime
from pathlib import Path

from airflow.sdk import dag, task

from lurewatch.errors import SourceConfigError
from lurewatch.logs import configure_logging
from lurewatch.runner import load_source, source_files

# Airflow's task log handles the records; LureWatch only sets its loggers' level (LUREWATCH_LOG_LEVEL).
configure_logging(attach=False)
log = logging.getLogger(__name__)


def _safe(run_id: str) -> str:
    return re.sub(r"[^A-Za-z0-9_.-]+", "_", run_id).strip("_")


def build_dag(name: str, source_file: Path, schedule: str | None):  # type: ignore[no-untyped-def]
    @dag(
        dag_id=f"lurewatch_{name}",
        schedule=schedule,
        start_date=datetime(2026, 1, 1, tzinfo=UTC),
        catchup=False,
        max_active_runs=1,
        default_args={"retries": 2},
        tags=["lurewatch", name],
        doc_md=f"Crawl, enrich and index the source `{name}` ({source_file.name}).",
    )
    def pipeline() -> None:
        @task
        def crawl(dag_run=None) -> str:  # type: ignore[no-untyped-def]
            from lurewatch import runner

            # Keyed on the DAG run: a retried or cleared task resumes the same run folder, appending to its
            # evidence (never truncating it); a crawl that fetched nothing raises, so the task fails.
            return runner.crawl(str(source_file), run_id=f"{name}-{_safe(dag_run.run_id)}", resume=True).run_id

        # ("run_id" is a reserved name for task arguments: Airflow fills it from the context.)
        @task
        def enrich(run: str) -> str:
            from lurewatch import runner

            return runner.enrich(run).run_id

        @task
        def index(run: str) -> str:
            from lurewatch import runner

            return runner.index(run).run_id

        # TaskFlow hands each task an XComArg that Airflow resolves to the previous task's run id.
        index(enrich(crawl()))  # type: ignore[arg-type]

    return pipeline()


for _file in source_files():
    try:
        _source = load_source(_file)
    except SourceConfigError as _exc:
        # One broken YAML must not hide the other sources' DAGs; its error names the file and line.
        log.error("skipping source: %s", _exc)
        continue
    globals()[f"lurewatch_{_source.name}"] = build_dag(_source.name, _file, _source.schedule)
