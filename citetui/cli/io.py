"""The commands that move a library's data out and in over the network: export and fetch."""

from __future__ import annotations

import os
import sys
import tempfile
from pathlib import Path

import click

from citetui.cli.common import Ctx, friendly_errors

EXPORT_FORMATS = ("bibtex", "csv", "json", "markdown", "ris")
SUFFIXES = {".bib": "bibtex", ".bibtex": "bibtex", ".csv": "csv", ".json": "json",
            ".md": "markdown", ".markdown": "markdown", ".ris": "ris"}


def _fail(message: str, code: int = 1) -> None:
    from citetui.core.textsafe import clean

    click.echo(f"citetui: error: {clean(message)}", err=True)
    sys.exit(code)


def _file_mode(path: Path) -> int:
    """The mode a new file gets (0666 less the umask), or the mode of the file replaced."""
    try:
        return path.stat().st_mode & 0o7777
    except OSError:
        umask = os.umask(0)
        os.umask(umask)
        return 0o666 & ~umask


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
        os.chmod(tmp, _file_mode(path))  # mkstemp made it private (0600)
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
@click.option("--json", "as_json", is_flag=True,
              help="With -o: print what was written as JSON on stdout.")
@click.pass_obj
@friendly_errors
def export_cmd(c: Ctx, hub: str, fmt: str | None, query: str | None, output: Path | None,
               as_json: bool) -> None:
    """Export HUB (an id, DOI, arXiv id or fuzzy title) with its citing papers.

    BibTeX, CSV, Markdown and RIS carry each paper with its citation roles,
    polarity, contexts and the claims it engages; JSON is a hub bundle that
    `citetui import` reads back into the same library. On stdout every data
    string is made terminal-safe; with -o the data is written as it is
    (control characters removed). See docs/exports-and-fetch.md.
    """
    from citetui.export import export_counted

    if fmt is None:
        fmt = SUFFIXES.get(output.suffix.lower()) if output is not None else None
        if fmt is None:
            raise click.UsageError("say which format with --format "
                                   f"({'|'.join(EXPORT_FORMATS)})")
    if as_json and output is None:
        raise click.UsageError("--json reports on a file written with -o; without -o the "
                               "export itself goes to stdout")
    lib = c.open()
    h = lib.resolve_hub(hub)
    text, n = export_counted(lib, h.paper.id, fmt, query, terminal=output is None)
    if output is None:
        click.echo(text, nl=False)
        return
    write_atomically(output, text)
    if as_json:
        from citetui.cli.common import emit_json

        emit_json({"path": str(output), "format": fmt, "hub": h.paper.id, "query": query,
                   "citing_papers": n, "citing_in_library": h.n_citing})
    else:
        click.echo(f"wrote {output} ({fmt}): the hub and {n} of {h.n_citing} citing papers",
                   err=True)


# -- fetch ---------------------------------------------------------------------


_STAGE_LABELS = {"paper": "paper", "citations": "citing papers", "tldrs": "TLDRs",
                 "citing": "citing works"}


class _ProgressBar:
    """Progress on stderr while a fetch runs (only on a terminal): a bar per stage when the
    source says how many items to expect, else a running count."""

    def __init__(self, enabled: bool):
        self.enabled = enabled
        self.stage: str | None = None
        self.bar = None
        self.shown = 0
        self.counting = False  # a "\r"-rewritten count line is on screen

    def __call__(self, p) -> None:  # p: citetui.fetch.Progress
        if not self.enabled:
            return
        if p.stage != self.stage:
            self.close()
            self.stage = p.stage
            if p.stage in ("done", "paper"):
                return
            if p.total:
                self.bar = click.progressbar(length=max(p.total, p.done), file=sys.stderr,
                                             label=_STAGE_LABELS.get(p.stage, p.stage),
                                             show_pos=True, show_eta=True)
                self.bar.__enter__()
                self.shown = 0
        if self.bar is not None:
            self.bar.length = max(self.bar.length, p.done)
            self.bar.update(p.done - self.shown)
            self.shown = p.done
        elif p.stage not in ("done", "paper"):
            label = _STAGE_LABELS.get(p.stage, p.stage)
            click.echo(f"\r{label}: {p.done} so far", nl=False, err=True)
            self.counting = True

    def note(self, text: str) -> None:
        """A message on its own line, under the bar."""
        if self.enabled and (self.bar is not None or self.counting):
            click.echo("", err=True)
        click.echo(text, err=True)

    def close(self) -> None:
        if self.bar is not None:
            self.bar.__exit__(None, None, None)
            self.bar = None
        if self.counting:
            click.echo("", err=True)
            self.counting = False


def _run_fetch(c: Ctx, source: str, ident: str, as_json: bool, run) -> None:
    """Open the library, run a fetch, and report it; failures say what was kept."""
    from citetui.fetch import FetchError, FetchReport
    from citetui.store import LibraryError
    from citetui.core.textsafe import clean

    lib = c.open(create=True)
    report = FetchReport(source, ident)
    bar = _ProgressBar(sys.stderr.isatty() and not as_json)

    def kept() -> str:
        if not report.pages:
            return "nothing was written"
        return (f"the {report.pages} page{'s' if report.pages != 1 else ''} fetched so far "
                "are in the library; run the same command to resume")

    try:
        run(lib, report, bar)
    except (FetchError, LibraryError) as exc:
        bar.close()
        _fail(f"{exc}; {kept()}", exc.exit_code)
    except KeyboardInterrupt:
        bar.close()
        _fail(f"interrupted; {kept()}", 130)
    bar.close()
    if as_json:
        from citetui.cli.common import emit_json

        emit_json(report.to_dict())
        return
    hub = lib.hub(report.hub_id) if report.hub_id is not None else None
    if report.resumed:
        click.echo(f"resumed {source} fetch of {clean(ident)} where it stopped", err=True)
    if hub is not None:
        click.echo(f"{hub.paper.id:>6}  {clean(hub.paper.display_title, limit=90)}  "
                   f"({hub.n_citing} citing in library)")
    added = ", ".join(f"{n} {k}" for k, n in sorted(report.added.items())) or "nothing new"
    click.echo(f"  {report.pages} pages, {report.requests} requests; added: {added}")
    for note in report.skipped:
        click.echo(f"citetui: skipped: {clean(note)}", err=True)


def _client(base: str, *, api_key: str | None, delay: float, bar: _ProgressBar):
    from citetui.fetch import Client

    def waiting(reason: str, seconds: float) -> None:
        bar.note(f"citetui: {reason}: retrying in {seconds:.1f} s")

    return Client(base, api_key=api_key, min_interval=delay, on_wait=waiting)


@click.group("fetch")
def fetch_cmd() -> None:
    """Fetch a hub online (Semantic Scholar or OpenAlex) into the library.

    Pages are committed one at a time: an interrupted fetch keeps what it
    fetched and the same command resumes it. Rate limits (HTTP 429, 5xx) are
    waited out, honouring Retry-After.
    """


_common = [
    click.option("--base-url", help="The API's base URL (for mirrors and tests)."),
    click.option("--restart", is_flag=True, help="Start over instead of resuming."),
    click.option("--delay", type=click.FloatRange(0, 60), default=None,
                 help="Seconds between requests (default: the API's asked-for pace)."),
]


def _with_common(fn):
    for option in reversed(_common):
        fn = option(fn)
    return fn


@fetch_cmd.command("s2")
@click.argument("paper_id", metavar="ID")
@_with_common
@click.option("--page-size", type=click.IntRange(1, 1000), default=500, show_default=True,
              help="Citations per page.")
@click.option("--no-tldrs", is_flag=True, help="Skip fetching TLDRs for the citing papers.")
@click.option("--json", "as_json", is_flag=True, help="Print the fetch report as JSON.")
@click.pass_obj
@friendly_errors
def fetch_s2_cmd(c: Ctx, paper_id: str, base_url: str | None, restart: bool,
                 delay: float | None, page_size: int, no_tldrs: bool, as_json: bool) -> None:
    """Fetch paper ID from Semantic Scholar with every citing paper and citation context.

    ID: a paperId, CorpusID:N, DOI:... or ARXIV:.... Set S2_API_KEY to use an API
    key (sent as a header; never stored or printed). Base URL: --base-url, else
    $CITETUI_S2_API.
    """
    from citetui.fetch import s2

    def run(lib, report, bar) -> None:
        client = _client(s2.base_url(base_url), api_key=s2.api_key(),
                         delay=s2.MIN_INTERVAL if delay is None else delay, bar=bar)
        s2.fetch(lib, paper_id, client=client, page_size=page_size, tldrs=not no_tldrs,
                 restart=restart, report=report, progress=bar)

    _run_fetch(c, "s2", paper_id, as_json, run)


@fetch_cmd.command("openalex")
@click.argument("work_id", metavar="W...")
@_with_common
@click.option("--mailto", help="Your e-mail for OpenAlex's polite pool (or $OPENALEX_MAILTO).")
@click.option("--json", "as_json", is_flag=True, help="Print the fetch report as JSON.")
@click.pass_obj
@friendly_errors
def fetch_openalex_cmd(c: Ctx, work_id: str, base_url: str | None, restart: bool,
                       delay: float | None, mailto: str | None, as_json: bool) -> None:
    """Fetch work W... from OpenAlex with every work citing it.

    Base URL: --base-url, else $CITETUI_OPENALEX_API.
    """
    from citetui.fetch import openalex

    def run(lib, report, bar) -> None:
        client = _client(openalex.base_url(base_url), api_key=None,
                         delay=openalex.MIN_INTERVAL if delay is None else delay, bar=bar)
        openalex.fetch(lib, work_id, client=client, mailto=mailto, restart=restart,
                       report=report, progress=bar)

    _run_fetch(c, "openalex", work_id, as_json, run)
