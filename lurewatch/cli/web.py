"""``lurewatch serve`` (HTTP API + web UI) and ``lurewatch keys`` (API keys)."""

from __future__ import annotations

from typing import Annotated

import typer

from lurewatch.cli._ui import console, out
from lurewatch.settings import get_settings

commands = typer.Typer()
keys_group = typer.Typer(no_args_is_help=True, help="API keys of the HTTP API and web UI (stored hashed).")


@commands.command()
def serve(
    host: Annotated[str | None, typer.Option(help="address to listen on (default LUREWATCH_SERVE_HOST)")] = None,
    port: Annotated[int | None, typer.Option(help="port (default LUREWATCH_SERVE_PORT)")] = None,
    workers: Annotated[int | None, typer.Option(help="server processes (default LUREWATCH_SERVE_WORKERS)")] = None,
) -> None:
    """Serve the HTTP API (/api, docs at /api/docs) and the web UI."""
    import uvicorn

    from lurewatch.web.app import create_app
    from lurewatch.web.keys import KeyStore
    from lurewatch.web.sessions import session_secret

    settings = get_settings()
    session_secret(settings)  # made once here, before worker processes would race to make it
    if not KeyStore(settings.keys_path).list():
        console.print("[yellow]no API key yet:[/] make one with `lurewatch keys add NAME --role reader`")
    host, port = host or settings.serve_host, port or settings.serve_port
    workers = workers or settings.serve_workers
    console.print(f"LureWatch on http://{host}:{port}/ ({settings.index} index, {workers} process(es))")
    if workers > 1:
        uvicorn.run("lurewatch.web.app:app_from_environment", factory=True, workers=workers, host=host, port=port,
                    log_level="warning")  # fmt: skip
    else:
        uvicorn.run(create_app(settings), host=host, port=port, log_level="warning")


@keys_group.command("add")
def keys_add(
    name: Annotated[str, typer.Argument(help="who or what the key is for")],
    role: Annotated[str, typer.Option(help="reader (search), exporter (search + export) or analyst (also reviews candidate sources)")] = "reader",
) -> None:
    """Make a key and print it once; only its hash is stored."""
    from lurewatch.web.keys import KeyStore

    clear = KeyStore(get_settings().keys_path).add(name, role)
    console.print(f"key [bold]{name}[/] ({role}); store it now, it is not shown again:")
    out.print(clear, soft_wrap=True)


@keys_group.command("list")
def keys_list() -> None:
    """List keys by name and role."""
    from lurewatch.web.keys import KeyStore

    for key in KeyStore(get_settings().keys_path).list():
        out.print(f"{key.name}\t{key.role}\t{key.created}")


@keys_group.command("revoke")
def keys_revoke(name: Annotated[str, typer.Argument(help="the key's name")]) -> None:
    """Revoke a key."""
    from lurewatch.web.keys import KeyStore

    KeyStore(get_settings().keys_path).revoke(name)
    console.print(f"revoked {name}")
