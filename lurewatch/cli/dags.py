"""``lurewatch dags sync``: one Airflow DAG file per source YAML in the DAG folder."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

from lurewatch.cli._ui import console
from lurewatch.settings import get_settings

group = typer.Typer(no_args_is_help=True, help="Airflow DAG files of the sources.")


@group.command()
def sync(
    dags_folder: Annotated[
        Path, typer.Option(help="folder inside Airflow's DAG folder that gets one file per source")
    ] = Path("dags/sources"),
) -> None:
    """Write one DAG file per source YAML (crawl + process DAGs); remove those of deleted sources.

    A broken YAML gets its file too: Airflow lists its error under `airflow dags list-import-errors`, and every
    other source runs on. Run it again whenever a YAML is added or removed (editing one needs nothing).
    """
    from lurewatch.airflow.dag_files import sync_dag_files

    report = sync_dag_files(get_settings().sources_dir, dags_folder)
    for path in report.written:
        console.print(f"wrote {path}")
    for path in report.removed:
        console.print(f"removed {path} (its source YAML is gone)")
    total = len(report.written) + len(report.unchanged)
    console.print(f"{total} source DAG file(s) in {dags_folder.resolve()}; {len(report.unchanged)} unchanged")
