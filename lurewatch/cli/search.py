"""``lurewatch search``: the query model from the command line."""

from __future__ import annotations

import json
from dataclasses import asdict
from typing import Annotated, Any

import typer
from rich.table import Table

from lurewatch.cli._ui import out, parse_filters
from lurewatch.index.query import FILTER_FIELDS
from lurewatch.settings import get_settings

commands = typer.Typer()


@commands.command()
def search(
    query: Annotated[
        str, typer.Argument(help='simple_query_string text: words, "phrases", -not, a | b, pre*; * for all')
    ],
    filter: Annotated[
        list[str],
        typer.Option("--filter", "-f", help=f"FIELD=VALUE ({', '.join(FILTER_FIELDS)}); repeatable"),
    ] = [],  # noqa: B006
    size: Annotated[int, typer.Option(help="hits per page")] = 10,
    offset: Annotated[int, typer.Option(help="hits to skip")] = 0,
    sort: Annotated[
        str, typer.Option(help="relevance | newest | oldest | risk (a query of * lists the newest first)")
    ] = "relevance",
    lures: Annotated[
        bool,
        typer.Option(
            "--lures/--postings",
            help="one row per lure (near-duplicate cluster, with its repost count), "
            "as the web UI shows them, or every posting",
        ),
    ] = True,  # fmt: skip
    as_json: Annotated[bool, typer.Option("--json", help="print one JSON object")] = False,
) -> None:
    """Search the index (read-only: a read-only index file can be searched)."""
    from lurewatch.index.base import open_index
    from lurewatch.index.query import Query

    # A query out of bounds raises QueryError, which main() prints as one line with a hint (exit 2).
    q = Query(text=query, filters=parse_filters(filter), size=size, offset=offset, sort=sort, collapse=lures)
    store = open_index(get_settings(), read_only=True)
    try:
        result = store.search(q)
    finally:
        store.close()
    if as_json:
        facets = {name: [{"value": v, "count": n} for v, n in buckets] for name, buckets in result.facets.items()}
        payload = {"total": result.total, "clusters": result.clusters, "clusters_exact": result.clusters_exact,
                   "hits": [asdict(h) for h in result.hits], "facets": facets}  # fmt: skip
        out.print_json(json.dumps(payload, ensure_ascii=False))
        return
    _print_result(result)


def _print_result(result: Any) -> None:
    title = f"{result.total} findings"
    if result.clusters is not None:
        title = f"{'about ' if not result.clusters_exact else ''}{result.clusters} lures, {result.total} postings"
    table = Table(title=title, show_lines=False)
    columns = ("score", "lang", "title", "url") + (("reposts",) if result.clusters is not None else ())
    for column in columns:
        table.add_column(column, overflow="fold")
    for hit in result.hits:
        row = [f"{hit.score:.2f}", hit.language, hit.title, hit.url]
        table.add_row(*row, *([str(hit.reposts)] if result.clusters is not None else []))
    out.print(table)
    for name, buckets in result.facets.items():
        if buckets:
            out.print(f"[bold]{name}[/]: " + ", ".join(f"{value} ({n})" for value, n in buckets[:8]))
