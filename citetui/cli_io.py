"""The commands that move a library's data out and in over the network: export and fetch."""

from __future__ import annotations

import os
import sys
import tempfile
from pathlib import Path

import click

from citetui.cli_common import Ctx, friendly_errors

EXPORT_FORMATS = ("bibtex", "csv", "json", "markdown", "ris")
SUFFIXES = {".bib": "bibtex", ".bibtex": "bibtex", ".csv": "csv", ".json": "json",
            ".md": "markdown", ".markdown": "markdown", ".ris": "ris"}


def _fail(message: str, code: int = 1) -> None:
    from citetui.textsafe import clean

    click.echo(f"citetui: error: {clean(message)}", err=True)
    sys.exit(code)


def write_atomically(path: Path, text: str) -> None:
    """Write ``text`` to ``path`` through a temporary file, so no half-written file is left."""
    path = path.expanduser()
    directory = path.parent if str(path.parent) else Path(".")
    try:
        fd, tmp = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".tmp", dir=directory)
    except OSError as exc:
        _fail(f"cannot write {path}: {exc.strerror or exc}")
    try:
        with os.fdopen(fd, "w", encoding="utf-8", newline="") as fh:
            fh.write(text)
        os.replace(tmp, path)
    except OSError as exc:
        if os.path.exists(tmp):
            os.unlink(tmp)
        _fail(f"cannot write {path}: {exc.strerror or exc}")


@click.command("export")
@click.argument("hub")
@click.option("--format", "fmt", type=click.Choice(EXPORT_FORMATS),
              help="Output format (default: from the -o file's suffix).")
@click.option("--query", "-q", help="Export only the citing papers this search query selects "
              "(same syntax as search: words, 'exact, !not, role:, pol:, year:, claim:).")
@click.option("--output", "-o", type=click.Path(dir_okay=False, path_type=Path),
              help="Write to FILE (atomically) instead of stdout.")
@click.pass_obj
@friendly_errors
def export_cmd(c: Ctx, hub: str, fmt: str | None, query: str | None, output: Path | None) -> None:
    """Export HUB (an id, DOI, arXiv id or fuzzy title) with its citing papers.

    BibTeX, CSV, Markdown and RIS carry each paper with its citation roles,
    polarity, contexts and the claims it engages; JSON is a hub bundle that
    `citetui import` reads back into the same library. On stdout every data
    string is made terminal-safe; with -o the data is written as it is
    (control characters removed).
    """
    from citetui.exporters import export

    if fmt is None:
        fmt = SUFFIXES.get(output.suffix.lower()) if output is not None else None
        if fmt is None:
            raise click.UsageError("say which format with --format "
                                   f"({'|'.join(EXPORT_FORMATS)})")
    lib = c.open()
    h = lib.resolve_hub(hub)
    text = export(lib, h.paper.id, fmt, query, terminal=output is None)
    if output is None:
        click.echo(text, nl=False)
        return
    write_atomically(output, text)
    click.echo(f"wrote {output} ({fmt})", err=True)
