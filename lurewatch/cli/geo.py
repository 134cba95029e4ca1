"""``lurewatch geoparse``: find and resolve place names in any text."""

from __future__ import annotations

import json
import sys
from typing import Annotated

import typer

from lurewatch.cli._ui import console, out, progress_bar

commands = typer.Typer()


@commands.command()
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
    from lurewatch.enrichment.geo_batch import geoparse_lines, geoparse_text

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
