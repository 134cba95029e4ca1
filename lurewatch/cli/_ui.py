"""The console side of the CLI: rich consoles, progress bars, and FIELD=VALUE filters."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from contextlib import contextmanager

import typer
from rich.console import Console
from rich.progress import BarColumn, MofNCompleteColumn, Progress, SpinnerColumn, TextColumn, TimeElapsedColumn

console = Console(stderr=True)
"""Progress, summaries and errors: standard error."""
out = Console()
"""Results: standard output."""


@contextmanager
def progress_bar(description: str, total: int | None = None) -> Iterator[Callable[..., None]]:
    """A rich progress bar on stderr; yields a function that takes the number of items done so far."""
    columns = [SpinnerColumn(), TextColumn("[bold]{task.description}"), BarColumn(), MofNCompleteColumn()]
    with Progress(*columns, TextColumn("{task.fields[extra]}"), TimeElapsedColumn(), console=console) as bar:
        task = bar.add_task(description, total=total, extra="")

        def update(done: int, extra: str = "", total: int | None = None) -> None:
            if total is not None:
                bar.update(task, total=total)
            bar.update(task, completed=done, extra=extra)

        yield update


def parse_filters(values: list[str]) -> dict[str, list[str]]:
    filters: dict[str, list[str]] = {}
    for value in values:
        name, sep, wanted = value.partition("=")
        if not sep or not wanted:
            raise typer.BadParameter(f"{value!r}: expected FIELD=VALUE, e.g. language=th")
        filters.setdefault(name.strip(), []).append(wanted.strip())
    return filters
