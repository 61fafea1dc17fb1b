"""The command line: bare ``citetui`` opens the browser; subcommands import, show and search."""

from __future__ import annotations

import sys
from dataclasses import asdict
from pathlib import Path
from typing import Any

import click

from citetui import __version__
from citetui.cli.common import Ctx, complete_stdout, emit_json, friendly_errors, json_option
from citetui.core.paths import ENV_DB



class ReadingProgress:
    """A one-line progress display on stderr (a terminal only) for large inputs: how far
    the importer has read the file, updated from a thread four times a second."""

    MIN_SIZE = 8 << 20  # smaller files import before a display would help

    def __init__(self, enabled: bool):
        import threading

        self.enabled = enabled
        self.stop = threading.Event()
        self.thread = threading.Thread(target=self._run, daemon=True)
        self.shown = False

    def __enter__(self) -> ReadingProgress:
        if self.enabled:
            self.thread.start()
        return self

    def __exit__(self, *exc: object) -> None:
        if self.enabled:
            self.stop.set()
            self.thread.join(timeout=1)
            if self.shown:
                click.echo("\r\x1b[2K", nl=False, err=True)

    def _run(self) -> None:
        from citetui.ingest.jsonio import reading_progress
        from citetui.core.textsafe import clean

        while not self.stop.wait(0.25):
            now = reading_progress()
            if now is None or now[2] < self.MIN_SIZE:
                continue
            path, done, size = now
            pct = min(100, round(100 * done / size)) if size else 0
            line = f"reading {clean(path.name, limit=50)}  {pct:>3}%  ({done >> 20} of {size >> 20} MB)"
            click.echo(f"\r\x1b[2K{line}", nl=False, err=True)
            self.shown = True


@click.group(invoke_without_command=True, context_settings={"help_option_names": ["-h", "--help"]})
@click.option(
    "--db",
    type=click.Path(dir_okay=False, path_type=Path),
    help=f"The library file (default: ${ENV_DB}, else the user data directory).",
)
@click.version_option(__version__, prog_name="citetui")
@click.pass_context
def cli(ctx: click.Context, db: Path | None) -> None:
    """citetui: browse citation hubs in the terminal.

    With no command, opens the browser on the library.
    """
    ctx.obj = Ctx(db)
    if ctx.invoked_subcommand is None:
        friendly_errors(_run_tui)(ctx.obj)
    else:
        complete_stdout()


def _run_tui(c: Ctx) -> None:
    lib = c.open()
    from citetui.tui.app import run

    run(lib)


@cli.command("import")
@click.argument("files", nargs=-1, required=True, type=click.Path(path_type=Path))
@click.option("--format", "fmt", help="Force the input format instead of detecting it.")
@click.option("--hub", "hub", metavar="ID",
              help="Mark this paper as the hub (CorpusID:N, DOI:..., ARXIV:..., a Semantic "
                   "Scholar paperId, W...); for a /citations page, the paper they cite.")
@click.option("--hubs", "hubs", metavar="ID,...",
              help="Semantic Scholar bulk datasets: keep only the papers and edges touching "
                   "these hubs (corpus ids).")
@click.option("--skip-invalid", is_flag=True,
              help="Skip records that cannot be imported (each is reported) instead of failing.")
@json_option
@click.pass_obj
@friendly_errors
def import_cmd(c: Ctx, files: tuple[Path, ...], fmt: str | None, hub: str | None,
               hubs: str | None, skip_invalid: bool, as_json: bool) -> None:
    """Import FILES into the library (one transaction: all or nothing).

    Formats are detected (see docs/importers.md): citetui bundles and records,
    Semantic Scholar API records and pages, its bulk datasets, OpenAlex works.
    """
    from citetui.ingest import import_files
    from citetui.core.textsafe import clean

    created = c.explicit and not c.path.exists()
    lib = c.open(create=True)
    options: dict[str, Any] = {}
    if hub:
        options["hub"] = hub
    if hubs is not None:
        options["hubs"] = [h.strip() for h in hubs.split(",") if h.strip()]
        if not options["hubs"]:
            raise click.BadParameter("give at least one corpus id", param_hint="--hubs")

    def progress(path: Path) -> None:
        if not as_json and sys.stderr.isatty():
            click.echo(f"importing {clean(path)}", err=True)  # a file name is data too

    try:
        with ReadingProgress(enabled=not as_json and sys.stderr.isatty()):
            reports = import_files(lib, files, fmt=fmt, progress=progress,
                                   skip_invalid=skip_invalid, **options)
    except BaseException:
        if created:  # a failed first import leaves no empty library behind
            lib.close()
            for suffix in ("", "-wal", "-shm"):
                Path(f"{c.path}{suffix}").unlink(missing_ok=True)
        raise
    if as_json:
        emit_json([r.to_dict() for r in reports])
        return
    for r in reports:
        click.echo(f"{clean(r.source)} ({r.format})")
        for label, counts in (("added", r.added), ("updated", r.updated),
                              ("unchanged", r.unchanged)):
            if counts:
                click.echo(f"  {label}: " + ", ".join(f"{n} {k}" for k, n in sorted(counts.items())))
        if not (r.added or r.updated or r.unchanged):
            click.echo("  nothing to import")
        for note in r.skipped:
            click.echo(f"citetui: skipped: {clean(note)}", err=True)


@cli.command()
@json_option
@click.pass_obj
@friendly_errors
def hubs(c: Ctx, as_json: bool) -> None:
    """List the hubs in the library."""
    from citetui.core.textsafe import clean

    lib = c.open()
    items = lib.hubs()
    if as_json:
        emit_json([
            {"id": h.paper.id, "title": h.paper.title, "year": h.paper.year, "tier": h.tier,
             "verdict": h.verdict, "citing_papers": h.n_citing,
             "citation_count": h.paper.citation_count, "identifiers": h.paper.identifiers()}
            for h in items
        ])
        return
    if not items:
        click.echo("no hubs in the library (import a bundle or a Semantic Scholar page)")
    for h in items:
        year = h.paper.year or "----"
        tier = f" [{clean(h.tier)}]" if h.tier else ""
        click.echo(f"{h.paper.id:>6}  {year}  {clean(h.paper.display_title, limit=90)}{tier}  "
                   f"({h.n_citing} citing in library)")


@cli.command()
@click.argument("hub")
@json_option
@click.pass_obj
@friendly_errors
def show(c: Ctx, hub: str, as_json: bool) -> None:
    """Print the page of HUB (an id, DOI, arXiv id or fuzzy title)."""
    from citetui.render.page import hub_page_dict, hub_page_text

    lib = c.open()
    h = lib.resolve_hub(hub)
    page = lib.hub_page(h.paper.id)
    if as_json:
        emit_json(hub_page_dict(page))
    else:
        click.echo(hub_page_text(page))


@cli.command()
@click.argument("query", nargs=-1, required=True)
@click.option("--hub", help="Search only the citing papers of this hub (id or fuzzy title).")
@click.option("--limit", default=20, show_default=True, type=click.IntRange(1, 100000))
@click.option("--sort", type=click.Choice(["relevance", "year", "citations", "title"]),
              default="relevance", show_default=True)
@json_option
@click.pass_obj
@friendly_errors
def search(c: Ctx, query: tuple[str, ...], hub: str | None, limit: int, sort: str,
           as_json: bool) -> None:
    """Fuzzy search titles and summaries (see the query syntax in the README)."""
    from citetui.search import search as run_search
    from citetui.core.textsafe import clean

    lib = c.open()
    hub_id = lib.resolve_hub(hub).paper.id if hub else None
    result = run_search(lib, " ".join(query), hub_id=hub_id, limit=limit, sort=sort)
    if as_json:
        emit_json([
            {"id": r.paper_id, "title": r.title, "summary": r.summary, "year": r.year,
             "roles": list(r.roles), "polarity": r.polarity,
             "citation_count": r.citation_count,
             "score": round(r.score, 4) if r.score is not None else None}
            for r in result.rows
        ])
        return
    if not result.rows:
        click.echo("no matches", err=True)
        sys.exit(1)
    for r in result.rows:
        year = r.year or "----"
        click.echo(f"{r.paper_id:>6}  {year}  {clean(r.title, limit=100)}")
        if r.summary:
            click.echo(f"              {clean(r.summary, limit=140)}")
    click.echo(f"{len(result.rows)} of {result.total} matches", err=True)


@cli.command()
@json_option
@click.pass_obj
@friendly_errors
def stats(c: Ctx, as_json: bool) -> None:
    """Counts of what the library holds."""
    lib = c.open()
    s = lib.stats()
    if as_json:
        emit_json(asdict(s))
        return
    click.echo(f"library   {s.path}")
    click.echo(f"schema    {s.schema_version}")
    for label in ("hubs", "papers", "citations", "contexts", "claims", "labels", "imports"):
        click.echo(f"{label:<9} {getattr(s, label)}")
    click.echo(f"size      {s.size_bytes / 1e6:.1f} MB")


def _register_commands() -> None:
    from citetui.cli.analysis import COMMANDS as ANALYSIS_COMMANDS
    from citetui.cli.user import COMMANDS as NOTE_COMMANDS

    for command in (*NOTE_COMMANDS, *ANALYSIS_COMMANDS):
        cli.add_command(command)


_register_commands()


def main() -> None:
    """Entry point of the ``citetui`` command."""
    from citetui.cli.common import finish_output

    try:
        cli(prog_name="citetui")
        code: int = 0
    except SystemExit as exc:
        if isinstance(exc.code, str):
            click.echo(exc.code, err=True)
        code = exc.code if isinstance(exc.code, int) else (0 if exc.code is None else 1)
    sys.exit(finish_output(code))


from citetui.cli.io import export_cmd, fetch_cmd  # noqa: E402  (citetui/cli_io.py)

cli.add_command(export_cmd)
cli.add_command(fetch_cmd)
