"""The two DAGs of one source: ``lurewatch_<name>`` crawls on the source's schedule, ``lurewatch_<name>_process``
enriches and indexes each finished crawl, triggered by the crawl's asset event (data-aware scheduling).

A finished crawl updates the asset ``lurewatch_crawl_<name>`` with the run id in the event's extra; the scheduler
then starts the process DAG, whose tasks read the run ids of every event they were triggered by (several crawls
may finish while one processing run is busy). A slow enrichment never delays the next crawl. Owner, retries,
retry delay, execution timeout, pool and tags come from the source YAML's ``airflow:`` section.

Every task is keyed on its run ids: a retried or cleared crawl resumes its run folder, a re-run of enrich or index
rewrites the same files and upserts the same ids. Each task logs its step's figures.
"""

from __future__ import annotations

import json
import logging
import re
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import TYPE_CHECKING, Any

from airflow.sdk import Asset, dag, get_current_context, get_parsing_context, task

from lurewatch.crawlers.source import load_source
from lurewatch.crawlers.source_kinds import duration_seconds
from lurewatch.errors import LureWatchError, SourceConfigError

if TYPE_CHECKING:
    from airflow.sdk import DAG

    from lurewatch.crawlers.source import Source

log = logging.getLogger(__name__)
START = datetime(2026, 1, 1, tzinfo=UTC)


class NothingToProcess(LureWatchError):
    """A process run that was given no crawl run."""

    hint = "it runs on a crawl's asset event; to process a run by hand: airflow dags trigger DAG -c '{\"run_id\": ID}'"


def crawl_asset(name: str) -> Asset:
    """The asset a finished crawl of source ``name`` updates; its events carry ``run_id`` in their extra."""
    return Asset(name=f"lurewatch_crawl_{name}", uri=f"lurewatch://crawls/{name}", group="lurewatch")


def _safe(run_id: str) -> str:
    return re.sub(r"[^A-Za-z0-9_.-]+", "_", run_id).strip("_")


def _default_args(source: Source) -> dict[str, Any]:
    orchestration = source.airflow
    return {
        "owner": orchestration.owner,
        "retries": orchestration.retries,
        "retry_delay": timedelta(seconds=duration_seconds(orchestration.retry_delay)),
        "execution_timeout": timedelta(seconds=duration_seconds(orchestration.execution_timeout)),
        "pool": orchestration.pool,
    }


def crawl_figures(stats: dict[str, Any]) -> str:
    """One log line of a crawl: pages, postings, known pages skipped, and rejects and errors by kind."""
    parts = [f"pages={stats.get('pages', 0)}", f"postings={stats.get('postings', 0)}",
             f"new={stats.get('new_postings', 0)}", f"skipped_known={stats.get('skipped_known', 0)}"]  # fmt: skip
    parts += [f"rejected/{kind}={n}" for kind, n in sorted(stats.get("rejected", {}).items())]
    parts += [f"errors/{kind}={n}" for kind, n in sorted(stats.get("errors", {}).items())]
    parts.append(f"finish_reason={stats.get('finish_reason')}")
    return " ".join(parts)


def broken_source_dag(dag_id: str, task_id: str, error: SourceConfigError) -> DAG:
    """A DAG whose one task (the one a worker was asked to run) fails with the source's config error."""

    @dag(dag_id=dag_id, schedule=None, start_date=START, catchup=False, default_args={"retries": 0})
    def broken() -> None:
        @task(task_id=task_id)
        def fail() -> None:
            raise SourceConfigError(str(error))

        fail()

    return broken()


def source_dags(source_file: str | Path) -> tuple[DAG, DAG | None]:
    """The crawl DAG and the process DAG of one source YAML; a broken YAML raises its one-line error."""
    path = Path(source_file).resolve()
    try:
        source = load_source(path)
    except SourceConfigError as exc:
        parsing = get_parsing_context()
        if parsing.dag_id and parsing.task_id:
            # A worker parses this file to run a task of a run that started before the YAML broke. Without the
            # DAG, Airflow would reschedule the task again and again ("Dag not found"); it fails once, saying why.
            return broken_source_dag(parsing.dag_id, parsing.task_id, exc), None
        raise
    name = source.name
    asset = crawl_asset(name)
    default_args = _default_args(source)
    tags = ["lurewatch", name, *source.airflow.tags]
    doc = f"Source `{name}` ({path}); owner {source.airflow.owner}."

    @dag(dag_id=f"lurewatch_{name}", schedule=source.schedule, start_date=START, catchup=False, max_active_runs=1,
         default_args=default_args, tags=[*tags, "crawl"], doc_md=f"Crawl: {doc} Emits `{asset.name}`.")  # fmt: skip
    def crawl_dag() -> None:
        @task(outlets=[asset])
        def crawl() -> str:
            from lurewatch import runner
            from lurewatch.airflow.connections import task_settings

            context = get_current_context()
            settings = task_settings(path)
            # Keyed on the DAG run: a retried or cleared task resumes the same run folder, appending to its
            # evidence (never truncating it); a crawl that fetched nothing raises, so the task fails.
            run_id = f"{name}-{_safe(context['dag_run'].run_id)}"
            run = runner.crawl(str(path), run_id=run_id, resume=True, settings=settings)
            stats = run.meta().get("steps", {}).get("crawl", {}).get("stats", {})
            log.info("crawl %s: %s", run.run_id, crawl_figures(stats))
            context["outlet_events"][asset].extra = {
                "run_id": run.run_id, "source": name, "pages": stats.get("pages", 0),
                "postings": stats.get("postings", 0),
            }  # fmt: skip
            return run.run_id

        crawl()

    @dag(dag_id=f"lurewatch_{name}_process", schedule=[asset], start_date=START, catchup=False, max_active_runs=1,
         default_args=default_args, tags=[*tags, "process"], doc_md=f"Enrich and index each crawl: {doc}")  # fmt: skip
    def process_dag() -> None:
        @task
        def enrich() -> list[str]:
            from lurewatch import runner
            from lurewatch.airflow.connections import task_settings

            settings = task_settings(path)
            runs = runs_to_process(get_current_context(), asset)
            for run_id in runs:
                step = runner.enrich(run_id, settings=settings).meta()["steps"]["enrich"]
                rejected = " ".join(f"rejected/{k}={v}" for k, v in sorted(step.get("rejected", {}).items()))
                log.info("enrich %s: postings=%s findings=%s %s", run_id, step["postings"], step["findings"],
                         rejected or "rejected=0")  # fmt: skip
            return runs

        @task
        def index(runs: list[str]) -> dict[str, Any]:
            from lurewatch import runner
            from lurewatch.airflow.connections import task_settings

            settings = task_settings(path)
            figures: dict[str, Any] = {}
            for run_id in runs:
                steps = runner.index(run_id, settings=settings).meta()["steps"]
                step = steps["index"]
                figures[run_id] = {k: step.get(k) for k in ("backend", "written", "rejected", "rejected_by_kind")}
                if "discover" in steps:  # candidate sources named by the run's findings (lurewatch candidates)
                    figures[run_id]["discover"] = steps["discover"]
                log.info("index %s: %s", run_id, json.dumps(figures[run_id]))
            return figures

        index(enrich())  # type: ignore[arg-type]  # TaskFlow resolves the XComArg to enrich's list

    return crawl_dag(), process_dag()


def runs_to_process(context: Any, asset: Asset) -> list[str]:
    """The crawl runs a process run was started for: its triggering asset events, or ``run_id`` in its conf."""
    runs: list[str] = []
    for event in context["triggering_asset_events"].get(asset, []):
        run_id = (event.extra or {}).get("run_id")
        if run_id and run_id not in runs:
            runs.append(str(run_id))
    manual = (context["dag_run"].conf or {}).get("run_id")
    if manual and manual not in runs:
        runs.append(str(manual))
    if not runs:
        raise NothingToProcess(f"no crawl run to process (no {asset.name} event carried a run_id, no conf run_id)")
    log.info("processing %d crawl run(s): %s", len(runs), ", ".join(runs))
    return runs
