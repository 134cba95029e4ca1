"""``lurewatch export``: a search's findings as a dataset, and the check of one."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

from lurewatch.cli._ui import console, out, parse_filters, progress_bar
from lurewatch.exports.writers import FORMATS
from lurewatch.index.query import FILTER_FIELDS, SORTS
from lurewatch.settings import get_settings

group = typer.Typer(no_args_is_help=True, help="Export search results as a dataset, and verify exports.")


@group.command("run")
def export_run(
    query: Annotated[str, typer.Argument(help="simple_query_string text, as for `lurewatch search`; * for all")],
    out_dir: Annotated[Path, typer.Argument(help="folder to write (created; never overwritten unless --overwrite)")],
    format: Annotated[str, typer.Option("--format", help=f"one of: {', '.join(FORMATS)}")] = "csv",
    filter: Annotated[
        list[str],
        typer.Option("--filter", "-f", help=f"FIELD=VALUE ({', '.join(FILTER_FIELDS)}); repeatable"),
    ] = [],  # noqa: B006
    risk_min: Annotated[int | None, typer.Option(help="only findings with at least this risk score")] = None,
    date_from: Annotated[str | None, typer.Option(help="fetched on or after YYYY-MM-DD")] = None,
    date_to: Annotated[str | None, typer.Option(help="fetched on or before YYYY-MM-DD")] = None,
    sort: Annotated[str, typer.Option(help=f"row order: {', '.join(SORTS)}")] = "newest",
    redact: Annotated[
        bool | None,
        typer.Option(
            "--redact/--no-redact",
            help="pseudonymise contacts and wallets (default: on for the researcher profile, LUREWATCH_PROFILE)",
            show_default=False,
        ),
    ] = None,  # fmt: skip
    evidence: Annotated[
        bool, typer.Option("--evidence", help="add the findings' WARC records and screenshots as evidence.wacz")
    ] = False,
    overwrite: Annotated[bool, typer.Option("--overwrite", help="replace OUT_DIR if it holds files")] = False,
) -> None:
    """Export every finding of a search (streamed) with a datapackage.json; --redact pseudonymises contacts."""
    from lurewatch.exports.run import ExportRequest, check_request, run_export
    from lurewatch.index.query import Query

    settings = get_settings()
    try:
        q = Query(text=query, filters=parse_filters(filter), risk_min=risk_min, date_from=date_from,
                  date_to=date_to, sort=sort)  # fmt: skip
    except ValueError as exc:
        raise typer.BadParameter(str(exc)) from exc
    redacted = settings.profile == "researcher" if redact is None else redact
    request = ExportRequest(q, format, out_dir, redact=redacted, evidence=evidence, overwrite=overwrite)
    check_request(request)  # before the progress bar: a refusal is one line
    with progress_bar(f"export {format}") as update:
        report = run_export(settings, request, progress=lambda done, total: update(done, total=total))
    console.print(report.summary(), markup=False, soft_wrap=True)
    out.print(str(report.out_dir), markup=False, highlight=False)


@group.command("verify")
def export_verify(out_dir: Annotated[Path, typer.Argument(help="an export folder (holds datapackage.json)")]) -> None:
    """Re-hash every file of an export, validate its datapackage.json and WACZ (exit code 1 on a problem)."""
    from lurewatch.exports.verify import verify_export

    check = verify_export(out_dir)
    for problem in check.problems:
        out.print(f"PROBLEM {problem}", markup=False, highlight=False, soft_wrap=True)
    console.print(check.summary(), markup=False, soft_wrap=True)
    if not check.ok:
        raise typer.Exit(1)
