"""LureWatch: crawl job ads, enrich them, index them and search the findings."""

from __future__ import annotations

import sys

import typer
from rich.logging import RichHandler
from rich.markup import escape

from lurewatch.cli import alerts, candidates, dags, evidence, exports, geo, index_admin, pipeline, search, web
from lurewatch.cli._ui import console
from lurewatch.errors import LureWatchError
from lurewatch.logs import configure_logging

app = typer.Typer(add_completion=False, no_args_is_help=True, help=__doc__, pretty_exceptions_enable=False)
for module in (pipeline, search, web, geo):
    app.registered_commands.extend(module.commands.registered_commands)
app.add_typer(evidence.group, name="evidence")
app.add_typer(exports.group, name="export")
app.add_typer(web.keys_group, name="keys")
app.add_typer(index_admin.group, name="index-admin")
app.add_typer(alerts.group, name="alerts")
app.add_typer(alerts.watch_group, name="watch")
app.add_typer(candidates.group, name="candidates")
app.add_typer(dags.group, name="dags")


def main() -> None:
    """Entry point: click reports usage errors; LureWatch errors become one line plus a hint."""
    try:
        # Log records go through the progress console, so they never tear a progress bar.
        configure_logging(handler=RichHandler(console=console, show_path=False, log_time_format="[%X]"))
        app()
    except LureWatchError as exc:
        # soft_wrap: the error and the hint stay one line each, whatever the terminal's width
        console.print(f"[red]error:[/] {escape(str(exc))}", highlight=False, soft_wrap=True)
        if exc.hint:
            console.print(f"[dim]hint:[/] {escape(exc.hint)}", highlight=False, soft_wrap=True)
        sys.exit(2)
    except KeyboardInterrupt:
        console.print("interrupted")
        sys.exit(130)


if __name__ == "__main__":
    main()
