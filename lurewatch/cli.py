"""LureWatch: crawl job ads, enrich them, index them and search the findings."""

from __future__ import annotations

import json
import sys
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import asdict
from typing import Annotated, Any

import typer
from rich.console import Console
from rich.progress import (
    BarColumn,
    DownloadColumn,
    MofNCompleteColumn,
    Progress,
    SpinnerColumn,
    TextColumn,
    TimeElapsedColumn,
)
from rich.table import Table

from index.query import FILTER_FIELDS
from lurewatch import runner
from lurewatch.errors import LureWatchError
from lurewatch.settings import get_settings

app = typer.Typer(add_completion=False, no_args_is_help=True, help=__doc__, pretty_exceptions_enable=False)
console = Console(stderr=True)
out = Console()


@contextmanager
def progress_bar(description: str, total: int | None = None) -> Iterator[Callable[..., None]]:
    """A rich progress bar on stderr; yields a function that takes the number of items done so far."""
    columns = [SpinnerColumn(), TextColumn("[bold]{task.description}"), BarColumn(), MofNCompleteColumn()]
    with Progress(*columns, TextColumn("{task.fields[extra]}"), TimeElapsedColumn(), console=console) as bar:
        task = bar.add_task(description, total=total, extra="")

        def update(done: int, extra: str = "") -> None:
            bar.update(task, completed=done, extra=extra)

        yield update


def _crawl(source: str, run_id: str | None = None, base_url: str | None = None) -> runner.Run:
    name = runner.load_source(runner.resolve_source(source)).name  # a bad file fails before the bar shows
    with progress_bar(f"crawl {name}") as update:
        run = runner.crawl(
            source, run_id=run_id, base_url=base_url,
            progress=lambda p: update(p["postings"], f"{p['pages']} pages"),
        )  # fmt: skip
    stats = run.meta()["steps"]["crawl"]["stats"]
    rejected = ", ".join(f"{k}={v}" for k, v in sorted(stats["rejected"].items())) or "none"
    console.print(
        f"crawled [bold]{stats['pages']}[/] pages → [bold]{stats['postings']}[/] postings; "
        f"rejected: {rejected}; known pages skipped: {stats.get('skipped_known', 0)}; run [cyan]{run.run_id}[/]"
    )
    return run


def _enrich(run_ref: str) -> runner.Run:
    run = runner.open_run(run_ref)
    with progress_bar("enrich", total=runner.count_lines(run.postings)) as update:
        runner.enrich(run_ref, progress=update)
    step = run.meta()["steps"]["enrich"]
    console.print(f"enriched [bold]{step['findings']}[/] findings; rejected: {step['rejected'] or 'none'}")
    return run


def _index(run_ref: str) -> runner.Run:
    run = runner.open_run(run_ref)
    with progress_bar(f"index ({get_settings().index})", total=runner.count_lines(run.findings)) as update:
        runner.index(run_ref, progress=update)
    step = run.meta()["steps"]["index"]
    console.print(f"indexed [bold]{step['written']}[/] findings into {step['backend']}; rejected: {step['rejected']}")
    return run


@app.command()
def crawl(
    source: Annotated[str, typer.Argument(help="a source name under the sources folder, or a path to a YAML file")],
    run_id: Annotated[str | None, typer.Option(help="run id (default: SOURCE-TIMESTAMP-RANDOM)")] = None,
    base_url: Annotated[str | None, typer.Option(help="override the source's base_url")] = None,
) -> None:
    """Crawl one source into a new run: postings.jsonl, a WARC of every response, stats."""
    _crawl(source, run_id, base_url)


@app.command()
def sources() -> None:
    """Check every source YAML in the sources folder and list them; exits 1 if any is invalid."""
    from crawlers.source import load_source

    table = Table(title=f"sources in {get_settings().sources_dir}")
    for column in ("name", "kind", "schedule", "start URLs", "file"):
        table.add_column(column, overflow="fold")
    errors = []
    for path in runner.source_files():
        try:
            source = load_source(path)
        except LureWatchError as exc:
            errors.append(str(exc))
            continue
        table.add_row(source.name, source.kind, source.schedule or "-", str(len(source.start_urls)), str(path))
    out.print(table)
    for error in errors:
        console.print(f"[red]invalid:[/] {error}")
    if errors:
        raise typer.Exit(1)


@app.command()
def enrich(run: Annotated[str, typer.Argument(help="run id or run folder")]) -> None:
    """Enrich a run's postings into findings.jsonl."""
    _enrich(run)


@app.command("index")
def index_cmd(run: Annotated[str, typer.Argument(help="run id or run folder")]) -> None:
    """Upsert a run's findings into the index (LUREWATCH_INDEX: sqlite or elasticsearch)."""
    _index(run)


@app.command("run")
def run_cmd(
    source: Annotated[str, typer.Argument(help="a source name or a path to a YAML file")],
    base_url: Annotated[str | None, typer.Option(help="override the source's base_url")] = None,
) -> None:
    """Crawl, enrich and index one source."""
    run = _crawl(source, base_url=base_url)
    _enrich(run.run_id)
    _index(run.run_id)


def _parse_filters(values: list[str]) -> dict[str, list[str]]:
    filters: dict[str, list[str]] = {}
    for value in values:
        name, sep, wanted = value.partition("=")
        if not sep or not wanted:
            raise typer.BadParameter(f"{value!r}: expected FIELD=VALUE, e.g. language=th")
        filters.setdefault(name.strip(), []).append(wanted.strip())
    return filters


@app.command()
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
    as_json: Annotated[bool, typer.Option("--json", help="print one JSON object")] = False,
) -> None:
    """Search the index."""
    from index.base import open_index
    from index.query import Query

    try:
        q = Query(text=query, filters=_parse_filters(filter), size=size, offset=offset)
    except ValueError as exc:
        raise typer.BadParameter(str(exc)) from exc
    store = open_index(get_settings())
    try:
        result = store.search(q)
    finally:
        store.close()
    if as_json:
        facets = {name: [{"value": v, "count": n} for v, n in buckets] for name, buckets in result.facets.items()}
        payload = {"total": result.total, "hits": [asdict(h) for h in result.hits], "facets": facets}
        out.print_json(json.dumps(payload, ensure_ascii=False))
        return
    _print_result(result)


def _print_result(result: Any) -> None:
    table = Table(title=f"{result.total} findings", show_lines=False)
    for column in ("score", "lang", "title", "url"):
        table.add_column(column, overflow="fold")
    for hit in result.hits:
        table.add_row(f"{hit.score:.2f}", hit.language, hit.title, hit.url)
    out.print(table)
    for name, buckets in result.facets.items():
        if buckets:
            out.print(f"[bold]{name}[/]: " + ", ".join(f"{value} ({n})" for value, n in buckets[:8]))


@app.command()
def demo(
    query: Annotated[str, typer.Option(help="the sample search to run at the end")] = "telegram | visa",
) -> None:
    """Serve the demo job board on 127.0.0.1, crawl it, enrich, index, and run a sample search."""
    from lurewatch.demo.server import serve_demo_site

    with serve_demo_site() as site:
        console.print(f"demo site at {site.base_url}")
        run = _crawl(str(runner.demo_source_path()), base_url=site.base_url)
    _enrich(run.run_id)
    _index(run.run_id)
    console.print(f"\nsample search: [bold]{query}[/]")
    search(query, filter=[], size=10, offset=0, as_json=False)


@app.command()
def runs(as_json: Annotated[bool, typer.Option("--json", help="print a JSON list")] = False) -> None:
    """List the runs under the data directory, newest first, with their crawl figures."""
    found = runner.list_runs()
    if as_json:
        out.print_json(json.dumps(found, ensure_ascii=False))
        return
    table = Table(title=f"{len(found)} runs")
    for column in ("run", "source", "started", "pages", "postings", "rejected", "skipped", "steps"):
        table.add_column(column, overflow="fold")
    for run in found:
        stats = run["stats"]
        rejected = sum(stats.get("rejected", {}).values())
        table.add_row(
            run["run_id"], run["source"], run["started"], str(stats.get("pages", "")), str(stats.get("postings", "")),
            str(rejected), str(stats.get("skipped_known", "")), ",".join(run["steps"]),
        )  # fmt: skip
    out.print(table)


evidence_app = typer.Typer(no_args_is_help=True, help="Check the preserved evidence.")
app.add_typer(evidence_app, name="evidence")


@evidence_app.command("verify")
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


@app.command()
def geoparse(
    text: Annotated[str | None, typer.Argument(help="text to geoparse (default: read standard input)")] = None,
    jsonl: Annotated[
        bool, typer.Option("--jsonl", help='read one {"id", "text"} per line, print toponyms per line')
    ] = False,
    input: Annotated[
        typer.FileText | None, typer.Option("--input", "-i", help="JSON lines file (default: stdin)")
    ] = None,
    ner: Annotated[bool, typer.Option(help="also use spaCy's English NER (slower, finds more in news text)")] = True,
    phone: Annotated[list[str], typer.Option(help="a phone number in E.164; repeatable")] = [],  # noqa: B006
    domain: Annotated[list[str], typer.Option(help="a domain seen in the text; repeatable")] = [],  # noqa: B006
    rejects: Annotated[typer.FileTextWrite | None, typer.Option(help="keep bad input lines in this file")] = None,
) -> None:
    """Find and resolve place names in text and print JSON (or JSON lines with --jsonl)."""
    from enrichment.geo_batch import geoparse_lines, geoparse_text

    if not jsonl:
        source = text if text is not None else (input or sys.stdin).read()
        out.print_json(json.dumps(geoparse_text(source, ner=ner, phones=phone, domains=domain), ensure_ascii=False))
        return
    bad: list[int] = []

    def reject(number: int, line: str, reason: str) -> None:
        bad.append(number)
        console.print(f"[yellow]line {number} rejected:[/] {reason}")
        if rejects is not None:
            rejects.write(line if line.endswith("\n") else line + "\n")

    done = 0
    with progress_bar("geoparse") as update:
        for record in geoparse_lines(input or sys.stdin, ner=ner, reject=reject):
            sys.stdout.write(json.dumps(record, ensure_ascii=False) + "\n")
            done += 1
            update(done)
    console.print(f"geoparsed [bold]{done}[/] documents; rejected: {len(bad) or 'none'}")


def _add_search_commands() -> None:
    from lurewatch import cli_search

    app.command()(cli_search.serve)
    app.add_typer(cli_search.keys_app, name="keys")
    app.add_typer(cli_search.admin_app, name="index-admin")


_add_search_commands()


def main() -> None:
    """Entry point: click reports usage errors; LureWatch errors become one line plus a hint."""
    try:
        app()
    except LureWatchError as exc:
        console.print(f"[red]error:[/] {exc}", highlight=False)
        if exc.hint:
            console.print(f"[dim]hint:[/] {exc.hint}", highlight=False)
        sys.exit(2)
    except KeyboardInterrupt:
        console.print("interrupted")
        sys.exit(130)


if __name__ == "__main__":
    main()
