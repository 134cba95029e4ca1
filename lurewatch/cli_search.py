"""Commands of the search side: ``serve`` (HTTP API + web UI), ``keys`` (API keys), ``index-admin`` (Elasticsearch)."""

from __future__ import annotations

from typing import Annotated

import typer
from rich.console import Console

from lurewatch.settings import get_settings

console = Console(stderr=True)
out = Console()
keys_app = typer.Typer(no_args_is_help=True, help="API keys of the HTTP API and web UI (stored hashed).")
admin_app = typer.Typer(no_args_is_help=True, help="Elasticsearch index administration: setup, status, migrate.")


def serve(
    host: Annotated[str | None, typer.Option(help="address to listen on (default LUREWATCH_SERVE_HOST)")] = None,
    port: Annotated[int | None, typer.Option(help="port (default LUREWATCH_SERVE_PORT)")] = None,
) -> None:
    """Serve the HTTP API (/api, docs at /api/docs) and the web UI."""
    import uvicorn

    from index.app import create_app

    settings = get_settings()
    app = create_app(settings)
    if not app.state.keys.list():
        console.print("[yellow]no API key yet:[/] make one with `lurewatch keys add NAME --role reader`")
    host, port = host or settings.serve_host, port or settings.serve_port
    console.print(f"LureWatch on http://{host}:{port}/ ({settings.index} index)")
    uvicorn.run(app, host=host, port=port, log_level="warning")


@keys_app.command("add")
def keys_add(
    name: Annotated[str, typer.Argument(help="who or what the key is for")],
    role: Annotated[str, typer.Option(help="reader (search) or exporter (search + export)")] = "reader",
) -> None:
    """Make a key and print it once; only its hash is stored."""
    from index.keys import KeyStore

    clear = KeyStore(get_settings().keys_path).add(name, role)
    console.print(f"key [bold]{name}[/] ({role}); store it now, it is not shown again:")
    out.print(clear, soft_wrap=True)


@keys_app.command("list")
def keys_list() -> None:
    """List keys by name and role."""
    from index.keys import KeyStore

    for key in KeyStore(get_settings().keys_path).list():
        out.print(f"{key.name}\t{key.role}\t{key.created}")


@keys_app.command("revoke")
def keys_revoke(name: Annotated[str, typer.Argument(help="the key's name")]) -> None:
    """Revoke a key."""
    from index.keys import KeyStore

    KeyStore(get_settings().keys_path).revoke(name)
    console.print(f"revoked {name}")


def _es_index():  # type: ignore[no-untyped-def]
    from index.elasticsearch import ElasticsearchIndex

    return ElasticsearchIndex.from_settings(get_settings())


@admin_app.command("setup")
def admin_setup() -> None:
    """Create the versioned index and its alias (safe to run at every deploy)."""
    from index.es_admin import status

    index = _es_index()
    index.setup()
    out.print_json(data=status(index))


@admin_app.command("status")
def admin_status() -> None:
    """Show where the alias points and how many findings it holds."""
    from index.es_admin import status

    out.print_json(data=status(_es_index()))


@admin_app.command("migrate")
def admin_migrate() -> None:
    """Copy the findings into a new index with the current mapping and move the alias there."""
    from index.es_admin import migrate
    from lurewatch.cli import progress_bar

    index = _es_index()
    with progress_bar("migrate", total=index.count()) as update:
        report = migrate(index, progress=update)
    console.print(f"copied [bold]{report['copied']}[/] findings from {report['from']} to {report['to']}; "
                  f"the alias now points at {report['to']} (delete the old index when satisfied)")  # fmt: skip
