"""``lurewatch candidates``: places to crawl next that findings name; an analyst approves, rejects or snoozes them."""

from __future__ import annotations

import getpass
import json
from typing import Annotated

import typer
from rich.table import Table

from lurewatch.cli._ui import console, out
from lurewatch.discovery import service
from lurewatch.settings import get_settings

group = typer.Typer(
    no_args_is_help=True,
    help="Candidate sources: Telegram channels, WhatsApp groups, Facebook pages, LINE official accounts and job "
    "boards that findings name. Ranked by the risk of those findings, their networks and their number; never "
    "crawled until an analyst approves one and the operator enables the source YAML it writes.",
)
Key = Annotated[str, typer.Argument(help="the candidate's key, KIND:NAME, e.g. telegram:mekongjobs")]
AsJson = Annotated[bool, typer.Option("--json", help="print JSON")]
Reviewer = Annotated[str | None, typer.Option(help="who reviews (default: the login name)")]


def _reviewer(name: str | None) -> str:
    return name or getpass.getuser()


@group.command("list")
def list_cmd(
    status: Annotated[
        str, typer.Option(help="new, approved, rejected, snoozed, configured (a source crawls it already) or all")
    ] = "new",
    kind: Annotated[str | None, typer.Option(help="telegram, whatsapp, facebook, line or jobboard")] = None,
    limit: Annotated[int, typer.Option(min=1, help="show at most this many")] = 50,
    as_json: AsJson = False,
) -> None:
    """List candidate sources, best first: by the risk of the findings that name them, their networks, their number."""
    found = service.list_candidates(get_settings(), status=status, kind=kind)
    if as_json:
        out.print_json(json.dumps([c.to_dict() for c in found[:limit]], ensure_ascii=False))
        return
    table = Table(title=f"{len(found)} candidate sources ({status})")
    for column in ("score", "key", "findings", "networks", "risk max/mean", "first seen", "seen as", "status"):
        table.add_column(column, overflow="fold")
    for c in found[:limit]:
        table.add_row(
            f"{c.score:.1f}", c.key, str(len(c.findings)), f"{c.networks} {c.network_basis}s",
            f"{c.risk_max} / {c.risk_mean:.0f}", c.first_seen[:10], ", ".join(c.forms), c.status,
        )  # fmt: skip
    out.print(table)


@group.command()
def show(key: Key, as_json: AsJson = False) -> None:
    """One candidate with its evidence: the findings that name it, their sources, risk and networks."""
    c = service.get_candidate(get_settings(), key)
    if as_json:
        out.print_json(json.dumps(c.to_dict(), ensure_ascii=False))
        return
    out.print(f"[bold]{c.key}[/]  {c.url}  (score {c.score:.1f}, {c.status})", highlight=False)
    out.print(
        f"named in {len(c.findings)} findings from {', '.join(c.sources)}; {c.networks} {c.network_basis}s; "
        f"risk max {c.risk_max}, mean {c.risk_mean:.1f}; first seen {c.first_seen}, last seen {c.last_seen}; "
        f"seen as {', '.join(c.forms)}",
        highlight=False,
    )
    if c.reviewed_at:
        detail = c.reason or c.until or c.source_file
        out.print(f"{c.status} by {c.reviewer or '-'} on {c.reviewed_at}: {detail}", highlight=False)
    for posting_id, title in zip(c.findings, c.titles, strict=True):
        out.print(f"  {posting_id}  {title}", highlight=False)


@group.command()
def approve(
    key: Key, reason: Annotated[str, typer.Option(help="why (kept in the YAML)")] = "", by: Reviewer = None
) -> None:
    """Write the candidate's source YAML under SOURCES_DIR/candidates/ (checked like every source; not scheduled)."""
    c = service.approve(get_settings(), key, reviewer=_reviewer(by), reason=reason)
    console.print(f"approved {c.key}: wrote [cyan]{c.source_file}[/]")
    console.print("set its schedule and move it into the sources folder to enable it; `lurewatch sources` checks it")


@group.command()
def reject(key: Key, reason: Annotated[str, typer.Option(help="why (required)")] = "", by: Reviewer = None) -> None:
    """Reject a candidate for good: runs that name it again do not bring it back."""
    c = service.reject(get_settings(), key, reason, reviewer=_reviewer(by))
    console.print(f"rejected {c.key}: {c.reason}")


@group.command()
def snooze(
    key: Key,
    until: Annotated[str, typer.Option(help="YYYY-MM-DD: the day it is new again")],
    reason: Annotated[str, typer.Option(help="why")] = "",
    by: Reviewer = None,
) -> None:
    """Hide a candidate until a date; it comes back as new on that day."""
    c = service.snooze(get_settings(), key, until, reviewer=_reviewer(by), reason=reason)
    console.print(f"snoozed {c.key} until {c.until}")


@group.command()
def update(
    runs: Annotated[list[str] | None, typer.Argument(help="run ids to read (default: every indexed finding)")] = None,
) -> None:
    """Collect candidates from indexed findings (the index step does it for each run it indexes)."""
    from lurewatch import runner
    from lurewatch.index.base import open_index

    settings = get_settings()
    index = open_index(settings, read_only=True)
    try:
        if runs:
            totals: dict[str, int] = {}
            for ref in runs:
                for name, value in service.update_from_run(
                    runner.open_run(ref, settings).path, index, settings
                ).items():
                    totals[name] = totals.get(name, 0) + value if not name.startswith("all_") else value
        else:
            totals = service.update_from_index(index, settings)
    finally:
        index.close()
    console.print(
        f"read {totals.get('findings', 0)} findings: {totals.get('mentions', 0)} mentions; "
        f"{totals.get('all_candidates', 0)} candidates in all"
    )
