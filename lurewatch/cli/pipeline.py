"""Commands of the pipeline: crawl, enrich, index, run, sources, runs, and the demo."""

from __future__ import annotations

import json
from typing import Annotated

import typer
from rich.table import Table

from lurewatch import runner
from lurewatch.cli._ui import console, out, progress_bar
from lurewatch.errors import LureWatchError
from lurewatch.settings import get_settings

commands = typer.Typer()


def _crawl(
    source: str, run_id: str | None = None, base_url: str | None = None, resume: bool = False,
    workers: int | None = None, frontier: str | None = None,
) -> runner.Run:  # fmt: skip
    name = runner.load_source(runner.resolve_source(source)).name  # a bad file fails before the bar shows
    with progress_bar(f"crawl {name}") as update:
        run = runner.crawl(
            source, run_id=run_id, base_url=base_url, resume=resume, workers=workers, frontier=frontier,
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


@commands.command()
def crawl(
    source: Annotated[str, typer.Argument(help="a source name under the sources folder, or a path to a YAML file")],
    run_id: Annotated[
        str | None, typer.Option(help="run id, a folder name: letters, digits, _ . - (default: SOURCE-TIMESTAMP-RANDOM)")
    ] = None,
    base_url: Annotated[str | None, typer.Option(help="override the source's base_url")] = None,
    resume: Annotated[
        bool, typer.Option("--resume", help="continue the run --run-id names (an existing run is otherwise refused)")
    ] = False,
    workers: Annotated[
        int | None,
        typer.Option(min=1, help="crawler processes sharing the run's Redis frontier (default: LUREWATCH_CRAWL_WORKERS)"),
    ] = None,
    frontier: Annotated[
        str | None, typer.Option(help="Redis URL of the shared frontier, redis://host:6379/0 (default: LUREWATCH_REDIS_URL)")
    ] = None,
) -> None:
    """Crawl one source into a new run: postings.jsonl, a WARC of every response, stats.

    A run's evidence is never overwritten: an existing --run-id is refused unless --resume is given,
    and a resumed run appends to its WARC and postings. Exits 2 when no start URL could be fetched.
    With --workers N (and a Redis --frontier) N crawler processes share one queue: each page is fetched once.
    """
    if resume and not run_id:
        raise LureWatchError("--resume needs the --run-id of the run to continue", hint="`lurewatch runs` lists them")
    _crawl(source, run_id, base_url, resume, workers, frontier)


@commands.command()
def sources() -> None:
    """Check every source YAML in the sources folder and in its candidates/ subfolder and list them; exits 1 if any
    is invalid.

    Files in candidates/ (written by `lurewatch candidates approve`) are never scheduled: move one into the
    sources folder to enable it.
    """
    from lurewatch.crawlers.source import load_source

    table = Table(title=f"sources in {get_settings().sources_dir}")
    for column in ("name", "kind", "schedule", "start URLs", "state", "file"):
        table.add_column(column, overflow="fold")
    errors = []
    files = [(path, "enabled") for path in runner.source_files()]
    files += [(path, "candidate") for path in runner.candidate_source_files()]
    for path, state in files:
        try:
            source = load_source(path)
        except LureWatchError as exc:
            errors.append(str(exc))
            continue
        table.add_row(
            source.name, source.kind, source.schedule or "-", str(len(source.start_urls)), state, str(path)
        )
    out.print(table)
    for error in errors:
        console.print(f"[red]invalid:[/] {error}")
    if errors:
        raise typer.Exit(1)


@commands.command()
def enrich(run: Annotated[str, typer.Argument(help="run id or run folder")]) -> None:
    """Enrich a run's postings into findings.jsonl."""
    _enrich(run)


@commands.command("index")
def index_cmd(run: Annotated[str, typer.Argument(help="run id or run folder")]) -> None:
    """Upsert a run's findings into the index (LUREWATCH_INDEX: sqlite or elasticsearch)."""
    _index(run)


@commands.command("run")
def run_cmd(
    source: Annotated[str, typer.Argument(help="a source name or a path to a YAML file")],
    base_url: Annotated[str | None, typer.Option(help="override the source's base_url")] = None,
) -> None:
    """Crawl, enrich and index one source."""
    run = _crawl(source, base_url=base_url)
    _enrich(run.run_id)
    _index(run.run_id)


@commands.command()
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
    from lurewatch.cli.search import search

    search(query, filter=[], size=10, offset=0, as_json=False)


@commands.command()
def runs(as_json: Annotated[bool, typer.Option("--json", help="print a JSON list")] = False) -> None:
    """List the runs under the data directory, newest first, with their crawl figures."""
    found = runner.list_runs()
    if as_json:
        out.print_json(json.dumps(found, ensure_ascii=False))
        return
    table = Table(title=f"{len(found)} runs")
    for column in ("run", "source", "started", "status", "pages", "postings", "rejected", "skipped", "steps"):
        table.add_column(column, overflow="fold")
    for run in found:
        stats = run["stats"]
        rejected = sum(stats.get("rejected", {}).values())
        table.add_row(
            run["run_id"], run["source"], run["started"], run["status"], str(stats.get("pages", "")),
            str(stats.get("postings", "")),
            str(rejected), str(stats.get("skipped_known", "")), ",".join(run["steps"]),
        )  # fmt: skip
    out.print(table)
