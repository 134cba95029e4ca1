"""``lurewatch alerts`` (saved searches) and ``lurewatch watch`` (watched entities): manage them, run them."""

from __future__ import annotations

import json
from collections.abc import Iterator
from contextlib import contextmanager
from typing import TYPE_CHECKING, Annotated

import typer

from lurewatch.cli._ui import console, out, parse_filters
from lurewatch.index.query import FILTER_FIELDS
from lurewatch.settings import get_settings

if TYPE_CHECKING:
    from lurewatch.alerts.model import Alert
    from lurewatch.alerts.store import AlertStore

group = typer.Typer(no_args_is_help=True, help="Saved searches that alert on new findings (email, webhook, file).")
watch_group = typer.Typer(no_args_is_help=True, help="Watch a phone, handle, wallet, email, domain or image hash.")

Channels = Annotated[
    list[str],
    typer.Option("--channel", "-c", help="email:ADDRESS, webhook:URL or file:PATH (JSON lines); repeatable"),
]
MinRisk = Annotated[int, typer.Option("--min-risk", help="alert only on findings with at least this risk (0-100)")]
Schedule = Annotated[str, typer.Option(help="how often it is due: 15m, 1h, 1d (`alerts run` checks)")]
Owner = Annotated[str, typer.Option(help="owner of the alert (the HTTP API uses the API key's name)")]


@contextmanager
def _store() -> Iterator[AlertStore]:
    from lurewatch.alerts.store import open_alert_store

    store = open_alert_store(get_settings())
    try:
        yield store
    finally:
        store.close()


def _print(alerts: list[Alert], as_json: bool) -> None:
    if as_json:
        out.print_json(json.dumps([a.to_dict() for a in alerts], ensure_ascii=False))
        return
    from rich.table import Table

    table = Table(show_lines=False)
    for column in ("id", "name", "owner", "watching", "channels", "every", "min risk", "state"):
        table.add_column(column, overflow="fold")
    for a in alerts:
        failing = [c for c in a.channels if c.failures]
        state = "paused" if a.paused else (f"[red]{len(failing)} channel(s) failing[/]" if failing else "active")
        channels = "\n".join(f"{c.target} ({c.delivered} sent)" for c in a.channels)
        table.add_row(a.id, a.name, a.owner, a.describe(), channels, a.schedule, str(a.min_risk), state)
    out.print(table)


@group.command("add")
def alerts_add(
    name: Annotated[str, typer.Argument(help="a name for the alert")],
    query: Annotated[str, typer.Argument(help='search text as in `lurewatch search` ("*" for everything)')],
    channel: Channels,
    filter: Annotated[
        list[str], typer.Option("--filter", "-f", help=f"FIELD=VALUE ({', '.join(FILTER_FIELDS)}); repeatable")
    ] = [],  # noqa: B006
    min_risk: MinRisk = 0,
    schedule: Schedule = "15m",
    owner: Owner = "cli",
) -> None:
    """Save a search that alerts on findings indexed from now on, one digest per run and channel."""
    from lurewatch.alerts import service
    from lurewatch.alerts.model import query_to_dict
    from lurewatch.index.query import Query

    try:
        saved = query_to_dict(Query(text=query, filters=parse_filters(filter)))
    except ValueError as exc:
        raise typer.BadParameter(str(exc)) from exc
    with _store() as store:
        alert = service.add_search(store, get_settings(), name=name, owner=owner, query=saved, channels=channel,
                                   schedule=schedule, min_risk=min_risk)  # fmt: skip
    console.print(f"alert [bold]{alert.name}[/] ({alert.id}): {alert.describe()} → {', '.join(channel)}")


@group.command("edit")
def alerts_edit(
    ref: Annotated[str, typer.Argument(help="the alert's name or id")],
    name: Annotated[str | None, typer.Option(help="a new name")] = None,
    query: Annotated[str | None, typer.Option(help="new search text (filters: -f)")] = None,
    filter: Annotated[
        list[str], typer.Option("--filter", "-f", help="FIELD=VALUE, replaces the filters; repeatable")
    ] = [],  # noqa: B006
    channel: Annotated[list[str], typer.Option("--channel", "-c", help="replaces the channels; repeatable")] = [],  # noqa: B006
    min_risk: Annotated[int | None, typer.Option("--min-risk", help="a new minimum risk")] = None,
    schedule: Annotated[str | None, typer.Option(help="a new schedule")] = None,
) -> None:
    """Change an alert; channels kept keep what they were sent, new ones start from now."""
    from lurewatch.alerts import service
    from lurewatch.alerts.model import query_to_dict
    from lurewatch.index.query import Query

    with _store() as store:
        alert = service.find(store, ref)
        saved = None
        if query is not None or filter:
            text = query if query is not None else alert.query.get("text", "*")
            filters = parse_filters(filter) if filter else alert.query.get("filters", {})
            try:
                saved = {**alert.query, **query_to_dict(Query(text=text, filters=filters))}
            except ValueError as exc:
                raise typer.BadParameter(str(exc)) from exc
            saved["filters"] = filters
        service.update(store, get_settings(), alert, name=name, query=saved, channels=channel or None,
                       schedule=schedule, min_risk=min_risk)  # fmt: skip
    console.print(f"changed [bold]{alert.name}[/] ({alert.id}): {alert.describe()}")


@group.command("list")
def alerts_list(
    owner: Annotated[str | None, typer.Option(help="only this owner's")] = None,
    as_json: Annotated[bool, typer.Option("--json", help="print JSON with each channel's state")] = False,
) -> None:
    """List saved searches and watches with their channels and state."""
    from lurewatch.alerts import service

    with _store() as store:
        _print(service.list_alerts(store, owner), as_json)


def _set_paused(ref: str, paused: bool) -> None:
    from lurewatch.alerts import service

    with _store() as store:
        alert = service.update(store, get_settings(), service.find(store, ref), paused=paused)
    console.print(f"{'paused' if paused else 'resumed'} [bold]{alert.name}[/]")


@group.command("pause")
def alerts_pause(ref: Annotated[str, typer.Argument(help="the alert's name or id")]) -> None:
    """Pause an alert: runs skip it; on resume it catches up from where it stopped."""
    _set_paused(ref, True)


@group.command("resume")
def alerts_resume(ref: Annotated[str, typer.Argument(help="the alert's name or id")]) -> None:
    """Resume a paused alert."""
    _set_paused(ref, False)


@group.command("remove")
def alerts_remove(ref: Annotated[str, typer.Argument(help="the alert's name or id")]) -> None:
    """Remove an alert or watch and what it has sent."""
    from lurewatch.alerts import service

    with _store() as store:
        alert = service.find(store, ref)
        service.remove(store, alert)
    console.print(f"removed [bold]{alert.name}[/]")


@group.command("run")
def alerts_run(
    force: Annotated[bool, typer.Option("--all", help="evaluate every alert now, due or not")] = False,
    only: Annotated[list[str], typer.Option("--only", help="evaluate only this alert (name or id); repeatable")] = [],  # noqa: B006
    as_json: Annotated[bool, typer.Option("--json", help="print the run's stats as JSON")] = False,
) -> None:
    """Evaluate every due alert and watch, deliver the digests; exit 1 when a channel failed (retried next run)."""
    from lurewatch.alerts.service import run_alerts

    stats = run_alerts(get_settings(), force=force, only=only or None)
    if as_json:
        out.print_json(json.dumps(stats.as_dict(), ensure_ascii=False))
    else:
        out.print(f"alerts {stats.alerts}, evaluated {stats.evaluated}, not due {stats.not_due}, paused {stats.paused}; "
                  f"matches {stats.matches}, new lures {stats.new_clusters} (+{stats.reposts} reposts); "
                  f"digests delivered {stats.delivered}, failed {stats.failed} ({stats.seconds:.2f} s)")  # fmt: skip
    for failure in stats.failures:
        console.print(f"[red]failed:[/] {failure['alert']} → {failure['channel']}: {failure['error']}", highlight=False)
    if stats.failed:
        console.print("[dim]hint:[/] the failed digests are sent again on the next run", highlight=False)
        raise typer.Exit(1)


@watch_group.command("add")
def watch_add(
    kind: Annotated[str, typer.Argument(help="phone, telegram, wallet, email, domain or image (pHash)")],
    value: Annotated[str, typer.Argument(help="as written: +66 81 234 5678, @handle, t.me/handle, a URL ...")],
    channel: Channels,
    region: Annotated[str | None, typer.Option(help="region of a local phone number, e.g. TH")] = None,
    name: Annotated[str | None, typer.Option(help="a name (default: kind and value)")] = None,
    min_risk: MinRisk = 0,
    schedule: Schedule = "15m",
    owner: Owner = "cli",
) -> None:
    """Watch an entity: alert whenever it appears in a new finding, from any source."""
    from lurewatch.alerts import service

    with _store() as store:
        alert = service.add_watch(store, get_settings(), kind=kind, value=value, owner=owner, channels=channel,
                                  region=region, name=name, schedule=schedule, min_risk=min_risk)  # fmt: skip
    console.print(f"watching [bold]{alert.describe()}[/] ({alert.id}) → {', '.join(channel)}")


@watch_group.command("list")
def watch_list(
    owner: Annotated[str | None, typer.Option(help="only this owner's")] = None,
    as_json: Annotated[bool, typer.Option("--json", help="print JSON")] = False,
) -> None:
    """List watched entities."""
    from lurewatch.alerts import service

    with _store() as store:
        _print(service.list_alerts(store, owner, kind="watch"), as_json)


@watch_group.command("remove")
def watch_remove(ref: Annotated[str, typer.Argument(help="the watch's name or id")]) -> None:
    """Stop watching an entity."""
    from lurewatch.alerts import service

    with _store() as store:
        alert = service.find(store, ref, kind="watch")
        service.remove(store, alert)
    console.print(f"no longer watching [bold]{alert.describe()}[/]")
