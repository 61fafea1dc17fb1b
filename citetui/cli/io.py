"""The commands that move data in and out of a library: import, export and fetch."""

from __future__ import annotations

import functools
import os
import sys
import tempfile
from pathlib import Path
from typing import Any

import click

from citetui.cli.common import (
    Ctx,
    emit_json,
    fail,
    friendly_errors,
    hub_arg,
    json_option,
)
from citetui.cli.progress import Progress

EXPORT_FORMATS = ("bibtex", "csv", "json", "markdown", "ris")
SUFFIXES = {
    ".bib": "bibtex",
    ".bibtex": "bibtex",
    ".csv": "csv",
    ".json": "json",
    ".md": "markdown",
    ".markdown": "markdown",
    ".ris": "ris",
}


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
        fail(f"cannot write {path}: {exc.strerror or exc}")
    try:
        with os.fdopen(fd, "w", encoding="utf-8", newline="") as fh:
            fh.write(text)
        os.chmod(tmp, _file_mode(path))  # mkstemp made it private (0600)
        os.replace(tmp, path)
    except OSError as exc:
        if os.path.exists(tmp):
            os.unlink(tmp)
        fail(f"cannot write {path}: {exc.strerror or exc}")


@click.command("import")
@click.argument("files", nargs=-1, required=True, type=click.Path(path_type=Path))
@click.option("--format", "fmt", help="Force the input format instead of detecting it.")
@click.option(
    "--hub",
    "hub",
    metavar="ID",
    help="Mark this paper as the hub (CorpusID:N, DOI:..., ARXIV:..., a Semantic "
    "Scholar paperId, W...); for a /citations page, the paper they cite.",
)
@click.option(
    "--hubs",
    "hubs",
    metavar="ID,...",
    help="Semantic Scholar bulk datasets: keep only the papers and edges touching "
    "these hubs (corpus ids).",
)
@click.option(
    "--skip-invalid",
    is_flag=True,
    help="Skip records that cannot be imported (each is reported) instead of failing.",
)
@json_option
@click.pass_obj
@friendly_errors
def import_cmd(
    c: Ctx,
    files: tuple[Path, ...],
    fmt: str | None,
    hub: str | None,
    hubs: str | None,
    skip_invalid: bool,
    as_json: bool,
) -> None:
    """Import FILES into the library (one transaction: all or nothing).

    Formats are detected (see docs/importers.md): citetui bundles and records,
    Semantic Scholar API records and pages, its bulk datasets, OpenAlex works.
    """
    from citetui.core.textsafe import clean
    from citetui.ingest import ImportStatus, import_files

    created = c.explicit and not c.path.exists()
    lib = c.open(create=True)
    options: dict[str, Any] = {}
    if hub:
        options["hub"] = hub
    if hubs is not None:
        options["hubs"] = [h.strip() for h in hubs.split(",") if h.strip()]
        if not options["hubs"]:
            raise click.BadParameter("give at least one corpus id", param_hint="--hubs")

    status = ImportStatus()
    seen: list[Path] = []

    def progress(path: Path) -> None:
        seen.append(path)
        if not display.enabled:
            return
        if len(files) <= NOTED_FILES:
            display.note(f"importing {clean(path)}")  # a file name is data too
        elif len(seen) == 1:
            display.note(f"importing {len(files)} files")

    def draw(bar: Progress) -> None:
        if status.total_bytes >= PROGRESS_MIN_SIZE and status.stage != "starting":
            stage = (
                "finishing: indexes, search, hub panes"
                if status.stage == "finishing"
                else ("importing")
            )
            bar.show_import(stage, status.records(), status.bytes_read(), status.total_bytes)

    display = Progress(enabled=not as_json and sys.stderr.isatty())
    try:
        with display.poll_with(draw):
            reports = import_files(
                lib,
                files,
                fmt=fmt,
                progress=progress,
                skip_invalid=skip_invalid,
                status=status,
                **options,
            )
    except BaseException:
        if created:  # a failed first import leaves no empty library behind
            lib.close()
            for suffix in ("", "-wal", "-shm"):
                Path(f"{c.path}{suffix}").unlink(missing_ok=True)
        raise
    candidates = _hub_candidates(lib, reports)
    if as_json:
        out = [r.to_dict() for r in reports]
        if candidates:
            for d in out:
                d["hub_candidates"] = [
                    {"id": p.id, "title": p.title, "label": p.display_title, "citing_papers": n}
                    for p, n in candidates
                ]
        emit_json(out)
        return
    for r in reports:
        click.echo(f"{clean(r.source)} ({r.format})")
        for label, counts in (
            ("added", r.added),
            ("updated", r.updated),
            ("unchanged", r.unchanged),
        ):
            if counts:
                click.echo(
                    f"  {label}: " + ", ".join(_counted(n, k) for k, n in sorted(counts.items()))
                )
        if not (r.added or r.updated or r.unchanged):
            click.echo("  nothing to import")
        for note in r.skipped:
            click.echo(f"citetui: skipped: {clean(note)}", err=True)
    if candidates:
        _say_how_to_make_a_hub(candidates)


def _counted(n: int, noun: str) -> str:
    """'1 hub', '2,680 citations' from a report's plural key ("hubs", "merged papers")."""
    return f"{n:,} {noun[:-1] if n == 1 and noun.endswith('s') else noun}"


def _hub_candidates(lib: Any, reports: list[Any]) -> list[tuple[Any, int]]:
    """When an import added papers or citations but named no hub (none of its records said
    which paper the others cite, and no --hub), the papers most cited in the library that
    are not hubs yet: what the user may want to browse as one."""
    if any(r.hub_ids for r in reports):
        return []
    if not any(r.added.get("citations") or r.added.get("papers") for r in reports):
        return []
    return [(p, n) for p, n in lib.hub_candidates(3) if n > 0]


def _say_how_to_make_a_hub(candidates: list[tuple[Any, int]]) -> None:
    from citetui.core.textsafe import clean
    from citetui.render.bars import plural

    say = functools.partial(click.echo, err=True)
    say("citetui: no hub added: these records name no paper as the one they cite.")
    say("  The most cited here (citing papers in the library):")
    for p, n in candidates:
        say(f"    {_ref(p):<16} {clean(p.display_title, limit=60)}  ({plural(n, 'citing paper')})")
    first = _ref(_titled_first(candidates))
    say(
        f"  Make one a hub: citetui hub add {first}   (or import again with --hub ID; "
        "in the browser, h on a paper's page)"
    )


def _titled_first(candidates: list[tuple[Any, int]]) -> Any:
    """The most cited candidate with a title (one known only by an id says little)."""
    return next((p for p, _ in candidates if p.title), candidates[0][0])


def _ref(p: Any) -> str:
    """How to name a paper on the command line: an identifier, else its library id."""
    from citetui.core.textsafe import clean

    if p.openalex_id:
        return clean(p.openalex_id)
    if p.corpus_id is not None:
        return f"CorpusID:{p.corpus_id}"
    if p.arxiv:
        return clean(p.arxiv)
    if p.doi:
        return "DOI:" + clean(p.doi)
    return str(p.id)


PROGRESS_MIN_SIZE = 8 << 20  # smaller imports end before a progress display would help
NOTED_FILES = 10  # up to this many files, each is named as it starts; past it, one line


@click.command("export")
@click.argument("hub")
@click.option(
    "--format",
    "fmt",
    type=click.Choice(EXPORT_FORMATS),
    help="Output format (default: from the -o file's suffix).",
)
@click.option(
    "--query",
    "-q",
    help="Export only the citing papers this search query selects "
    "(same syntax as search: words, 'exact, !not, role:, pol:, year:, claim:).",
)
@click.option(
    "--output",
    "-o",
    type=click.Path(dir_okay=False, path_type=Path),
    help="Write to FILE (atomically) instead of stdout.",
)
@click.option(
    "--json", "as_json", is_flag=True, help="With -o: print what was written as JSON on stdout."
)
@click.pass_obj
@friendly_errors
def export_cmd(
    c: Ctx, hub: str, fmt: str | None, query: str | None, output: Path | None, as_json: bool
) -> None:
    """Export HUB (an id or identifier, a title or a pasted reference) with its citing papers.

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
            raise click.UsageError(f"say which format with --format ({'|'.join(EXPORT_FORMATS)})")
    if as_json and output is None:
        raise click.UsageError(
            "--json reports on a file written with -o; without -o the export itself goes to stdout"
        )
    lib = c.open()
    h = hub_arg(lib, hub)
    text, n = export_counted(lib, h.paper.id, fmt, query, terminal=output is None)
    if output is None:
        click.echo(text, nl=False)
        return
    write_atomically(output, text)
    if as_json:
        from citetui.cli.common import emit_json

        emit_json(
            {
                "path": str(output),
                "format": fmt,
                "hub": h.paper.id,
                "query": query,
                "citing_papers": n,
                "citing_in_library": h.n_citing,
            }
        )
    else:
        click.echo(
            f"wrote {output} ({fmt}): the hub and {n} of {h.n_citing} citing papers", err=True
        )


# -- fetch ---------------------------------------------------------------------


_STAGE_LABELS = {
    "paper": "paper",
    "citations": "citing papers",
    "tldrs": "TLDRs",
    "citing": "citing works",
}


class _FetchProgress(Progress):
    """The progress display fed by a fetch's stages (citetui.fetch.Progress records)."""

    def __call__(self, p: Any) -> None:
        if p.stage in ("done", "paper"):
            self.close()
            return
        label = _STAGE_LABELS.get(p.stage, p.stage)
        self.show(label, p.done, max(p.total, p.done) if p.total else None)


def _run_fetch(c: Ctx, source: str, ident: str, as_json: bool, run) -> None:
    """Open the library, run a fetch, and report it; failures say what was kept."""
    from citetui.core.textsafe import clean
    from citetui.fetch import FetchError, FetchReport
    from citetui.store import LibraryError

    lib = c.open(create=True)
    report = FetchReport(source, ident)
    bar = _FetchProgress(enabled=sys.stderr.isatty() and not as_json)

    def kept() -> str:
        if not report.pages:
            return "nothing was written"
        return (
            f"the {report.pages} page{'s' if report.pages != 1 else ''} fetched so far "
            "are in the library; run the same command to resume"
        )

    try:
        run(lib, report, bar)
    except (FetchError, LibraryError) as exc:
        bar.close()
        fail(f"{exc}; {kept()}", exc.exit_code)
    except KeyboardInterrupt:
        bar.close()
        fail(f"interrupted; {kept()}", 130)
    bar.close()
    if as_json:
        emit_json(report.to_dict())
        return
    hub = lib.hub(report.hub_id) if report.hub_id is not None else None
    if report.resumed:
        click.echo(f"resumed {source} fetch of {clean(ident)} where it stopped", err=True)
    if hub is not None:
        click.echo(
            f"{hub.paper.id:>6}  {clean(hub.paper.display_title, limit=90)}  "
            f"({hub.n_citing} citing in library)"
        )
    added = ", ".join(f"{n} {k}" for k, n in sorted(report.added.items())) or "nothing new"
    click.echo(f"  {report.pages} pages, {report.requests} requests; added: {added}")
    for note in report.skipped:
        click.echo(f"citetui: skipped: {clean(note)}", err=True)


def _client(base: str, *, api_key: str | None, delay: float, bar: _FetchProgress):
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
    click.option(
        "--delay",
        type=click.FloatRange(0, 60),
        default=None,
        help="Seconds between requests (default: the API's asked-for pace).",
    ),
]


def _with_common(fn):
    for option in reversed(_common):
        fn = option(fn)
    return fn


@fetch_cmd.command("s2")
@click.argument("paper_id", metavar="ID")
@_with_common
@click.option(
    "--page-size",
    type=click.IntRange(1, 1000),
    default=500,
    show_default=True,
    help="Citations per page.",
)
@click.option("--no-tldrs", is_flag=True, help="Skip fetching TLDRs for the citing papers.")
@click.option("--json", "as_json", is_flag=True, help="Print the fetch report as JSON.")
@click.pass_obj
@friendly_errors
def fetch_s2_cmd(
    c: Ctx,
    paper_id: str,
    base_url: str | None,
    restart: bool,
    delay: float | None,
    page_size: int,
    no_tldrs: bool,
    as_json: bool,
) -> None:
    """Fetch paper ID from Semantic Scholar with every citing paper and citation context.

    ID: a paperId, CorpusID:N, DOI:... or ARXIV:.... Set S2_API_KEY to use an API
    key (sent as a header; never stored or printed). Base URL: --base-url, else
    $CITETUI_S2_API.
    """
    from citetui.fetch import s2

    def run(lib, report, bar) -> None:
        client = _client(
            s2.base_url(base_url),
            api_key=s2.api_key(),
            delay=s2.MIN_INTERVAL if delay is None else delay,
            bar=bar,
        )
        s2.fetch(
            lib,
            paper_id,
            client=client,
            page_size=page_size,
            tldrs=not no_tldrs,
            restart=restart,
            report=report,
            progress=bar,
        )

    _run_fetch(c, "s2", paper_id, as_json, run)


@fetch_cmd.command("openalex")
@click.argument("work_id", metavar="W...")
@_with_common
@click.option("--mailto", help="Your e-mail for OpenAlex's polite pool (or $OPENALEX_MAILTO).")
@click.option("--json", "as_json", is_flag=True, help="Print the fetch report as JSON.")
@click.pass_obj
@friendly_errors
def fetch_openalex_cmd(
    c: Ctx,
    work_id: str,
    base_url: str | None,
    restart: bool,
    delay: float | None,
    mailto: str | None,
    as_json: bool,
) -> None:
    """Fetch work W... from OpenAlex with every work citing it.

    Base URL: --base-url, else $CITETUI_OPENALEX_API.
    """
    from citetui.fetch import openalex

    def run(lib, report, bar) -> None:
        client = _client(
            openalex.base_url(base_url),
            api_key=None,
            delay=openalex.MIN_INTERVAL if delay is None else delay,
            bar=bar,
        )
        openalex.fetch(
            lib, work_id, client=client, mailto=mailto, restart=restart, report=report, progress=bar
        )

    _run_fetch(c, "openalex", work_id, as_json, run)


COMMANDS = (import_cmd, export_cmd, fetch_cmd)
