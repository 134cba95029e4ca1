"""``lurewatch index-admin``: Elasticsearch index administration."""

from __future__ import annotations

from typing import Any

import typer

from lurewatch.cli._ui import console, out, progress_bar
from lurewatch.settings import get_settings

group = typer.Typer(no_args_is_help=True, help="Elasticsearch index administration: setup, status, migrate.")


def _es_index() -> Any:
    from lurewatch.index.elasticsearch.backend import ElasticsearchIndex

    return ElasticsearchIndex.from_settings(get_settings())


@group.command("setup")
def admin_setup() -> None:
    """Create the versioned index and its alias (safe to run at every deploy)."""
    from lurewatch.index.elasticsearch.admin import status

    index = _es_index()
    index.setup()
    out.print_json(data=status(index))


@group.command("status")
def admin_status() -> None:
    """Show where the alias points and how many findings it holds."""
    from lurewatch.index.elasticsearch.admin import status

    out.print_json(data=status(_es_index()))


@group.command("migrate")
def admin_migrate() -> None:
    """Copy the findings into a new index with the current mapping and move the alias there."""
    from lurewatch.index.elasticsearch.admin import migrate

    index = _es_index()
    with progress_bar("migrate", total=index.count()) as update:
        report = migrate(index, progress=update)
    console.print(f"copied [bold]{report['copied']}[/] findings from {report['from']} to {report['to']}; "
                  f"the alias now points at {report['to']} (delete the old index when satisfied)")  # fmt: skip
