"""``lurewatch evidence``: check the preserved evidence."""

from __future__ import annotations

from typing import Annotated

import typer
from rich.progress import BarColumn, DownloadColumn, Progress, SpinnerColumn, TextColumn, TimeElapsedColumn

from lurewatch import runner
from lurewatch.cli._ui import console, out

group = typer.Typer(no_args_is_help=True, help="Check the preserved evidence.")


@group.command("verify")
def evidence_verify(ref: Annotated[str, typer.Argument(help="run id, run folder, or posting_id")]) -> None:
    """Re-hash WARC records, screenshots and rendered pages; list every mismatch (exit code 1 if any)."""
    columns = [SpinnerColumn(), TextColumn("[bold]verify"), BarColumn(), DownloadColumn(), TimeElapsedColumn()]
    with Progress(*columns, console=console) as bar:
        task = bar.add_task("verify", total=None)
        report = runner.verify_evidence(ref, progress=lambda done, total: bar.update(task, completed=done, total=total))
    for mismatch in report.mismatches:
        out.print(mismatch.line(), markup=False, highlight=False, soft_wrap=True)
    console.print(report.summary(), markup=False, soft_wrap=True)
    if not report.ok:
        raise typer.Exit(1)
