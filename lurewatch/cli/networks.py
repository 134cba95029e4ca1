"""``lurewatch networks``: build, list and show the recruiter networks (findings linked by shared entities)."""

from __future__ import annotations

import json
from typing import Annotated

import typer
from rich.table import Table

from lurewatch.cli._ui import console, out, progress_bar
from lurewatch.index.networks import NETWORK_SORTS
from lurewatch.settings import get_settings

group = typer.Typer(no_args_is_help=True, help="Recruiter networks: findings linked by the entities they share.")


@group.command("build")
def build(
    rebuild: Annotated[
        bool, typer.Option("--rebuild", help="recompute every network from every finding (ids kept where they fit)")
    ] = False,
) -> None:
    """Bring the networks up to date with everything indexed since the last update (runs do it when indexed)."""
    from lurewatch.networks import build_networks

    with progress_bar("networks") as update:
        report = build_networks(get_settings(), rebuild=rebuild, progress=update)
    console.print(report.line(), markup=False, soft_wrap=True)


@group.command("list")
def list_networks(
    sort: Annotated[str, typer.Option(help=f"order: {', '.join(NETWORK_SORTS)}")] = "size",
    size: Annotated[int, typer.Option(min=1, max=1000, help="networks to show")] = 20,
    min_postings: Annotated[int, typer.Option(min=1, help="only networks of at least this many postings")] = 2,
    as_json: Annotated[bool, typer.Option("--json", help="print one JSON object")] = False,
) -> None:
    """List networks by size, growth (entities first seen in the last 28 days), risk or most recent."""
    from lurewatch.index.networks import open_network_store

    if sort not in NETWORK_SORTS:
        raise typer.BadParameter(f"unknown sort {sort!r}; known: {', '.join(NETWORK_SORTS)}")
    store = open_network_store(get_settings())
    try:
        total, networks = store.list(sort, size, 0, min_postings)
    finally:
        store.close()
    if as_json:
        out.print_json(json.dumps({"total": total, "networks": networks}, ensure_ascii=False))
        return
    table = Table(title=f"{total} networks of {min_postings}+ postings, by {sort}")
    for column in ("network", "postings", "clusters", "entities", "growth", "risk", "sources", "countries", "last seen"):
        table.add_column(column, overflow="fold")
    for n in networks:
        table.add_row(n["network_id"], str(n["postings"]), str(n["clusters"]), str(n["entity_count"]),
                      str(n["growth"]), str(n["max_risk"]), ", ".join(s for s, _ in n["sources"][:3]),
                      ", ".join(c for c, _ in n["countries"][:3]), (n["last_seen"] or "")[:10])  # fmt: skip
    out.print(table)


@group.command("show")
def show(
    network_id: Annotated[str, typer.Argument(help="a network id (an id merged into another leads there)")],
    as_json: Annotated[bool, typer.Option("--json", help="print one JSON object")] = False,
) -> None:
    """Show a network's summary, its main entities and its merge history."""
    from lurewatch.index.networks import open_network_store
    from lurewatch.networks.view import find_network

    store = open_network_store(get_settings())
    try:
        network = find_network(store, network_id)
        entities = store.entities_of(network["network_id"], 25)
    finally:
        store.close()
    if as_json:
        network["top_entities"] = [{"key": e.key, "findings": e.findings} for e in entities]
        out.print_json(json.dumps(network, ensure_ascii=False))
        return
    if network["asked"] != network["network_id"]:
        console.print(f"{network['asked']} was merged into {network['network_id']}")
    out.print(f"[bold]{network['network_id']}[/]: {network['postings']} postings, {network['clusters']} clusters, "
              f"{network['entity_count']} entities, highest risk {network['max_risk']}, "
              f"{(network['first_seen'] or '')[:10]} – {(network['last_seen'] or '')[:10]}")  # fmt: skip
    for label, name in (("entities", "entities"), ("sources", "sources"), ("languages", "languages"),
                        ("countries", "countries"), ("compounds", "compounds")):  # fmt: skip
        value = network[name]
        shown = ", ".join(f"{k} {v}" for k, v in (value.items() if isinstance(value, dict) else value)) or "—"
        out.print(f"  {label}: {shown}", markup=False, highlight=False)
    out.print("  top entities: " + ", ".join(f"{e.key} ({e.findings})" for e in entities), markup=False,
              highlight=False, soft_wrap=True)  # fmt: skip
    for merge in network["merges"]:
        out.print(f"  {merge['at']}: {merge['kind']} {merge['from_id']} → {merge['into_id']}", markup=False,
                  highlight=False)  # fmt: skip
