"""The commands that read a library: the hub list, a hub's page, search and counts."""

from __future__ import annotations

import sys
from dataclasses import asdict

import click

from citetui.cli.common import (
    Ctx,
    emit_json,
    fail,
    friendly_errors,
    hub_arg,
    json_option,
)


@click.command()
@json_option
@click.pass_obj
@friendly_errors
def hubs(c: Ctx, as_json: bool) -> None:
    """List the hubs in the library."""
    from citetui.core.textsafe import clean
    from citetui.render.bars import plural

    lib = c.open()
    items = lib.hubs(verdicts="all")
    if as_json:
        emit_json(
            [
                {
                    "id": h.paper.id,
                    "title": h.paper.title,
                    "label": h.paper.display_title,
                    "year": h.paper.year,
                    "tier": h.tier_info.label,
                    "tier_basis": h.tier_info.basis,
                    "verdict": h.verdict_info.label,
                    "recorded_verdict": h.verdict,
                    "source": h.source,
                    "citing_papers": h.n_citing,
                    "citation_count": h.paper.citation_count,
                    "identifiers": h.paper.identifiers(),
                }
                for h in items
            ]
        )
        return
    if not items:
        click.echo(
            "no hubs in the library: import a hub (citetui import FILE --hub ID), or make a "
            "paper with citing papers in the library one (citetui hub add PAPER)"
        )
    for h in items:
        year = h.paper.year or "----"
        tier = f" [{clean(h.tier_info.text())}]" if h.tier_info.label else ""
        click.echo(
            f"{h.paper.id:>6}  {year}  {clean(h.paper.display_title, limit=90)}{tier}  "
            f"({plural(h.n_citing, 'citing paper')} in the library)"
        )


@click.command()
@click.argument("hub")
@json_option
@click.pass_obj
@friendly_errors
def show(c: Ctx, hub: str, as_json: bool) -> None:
    """Print the page of HUB (an id or identifier, a title or a pasted reference)."""
    from citetui.render.page import hub_page_dict, hub_page_text

    lib = c.open()
    h = hub_arg(lib, hub)
    page = lib.hub_page(h.paper.id)
    if as_json:
        emit_json(hub_page_dict(page))
    else:
        click.echo(hub_page_text(page))


@click.command()
@click.argument("query", nargs=-1, required=True)
@click.option("--hub", help="Search only the citing papers of this hub (id, identifier or title).")
@click.option("--limit", default=20, show_default=True, type=click.IntRange(1, 100000))
@click.option(
    "--sort",
    default="relevance",
    show_default=True,
    callback=lambda _ctx, _param, value: _sort(value),
    help="relevance, year, citations, title, venue, influential, role or polarity; :asc or "
    ":desc turns the order "
    "(year:asc is oldest first; missing values come last either way).",
)
@json_option
@click.pass_obj
@friendly_errors
def search(
    c: Ctx, query: tuple[str, ...], hub: str | None, limit: int, sort: str, as_json: bool
) -> None:
    """Fuzzy search titles and summaries (see the query syntax in the README)."""
    from citetui.core.textsafe import clean
    from citetui.render.blurb import blurb
    from citetui.search import search as run_search

    lib = c.open()
    hub_id = hub_arg(lib, hub).paper.id if hub else None
    result = run_search(lib, " ".join(query), hub_id=hub_id, limit=limit, sort=sort)
    if result.notice:
        click.echo(f"citetui: {result.notice}", err=True)
    if as_json:
        emit_json(
            [
                {
                    "id": r.paper_id,
                    "title": r.title,
                    "label": r.label,
                    "summary": r.summary,
                    "summary_source": r.summary_source,
                    "year": r.year,
                    "roles": list(r.roles),
                    "polarity": r.polarity,
                    "citation_count": r.citation_count,
                    "score": round(r.score, 4) if r.score is not None else None,
                    "match": result.tier(r.paper_id),
                }
                for r in result.rows
            ]
        )
        return
    if not result.rows:
        click.echo("no matches", err=True)
        sys.exit(1)
    close = False
    for r in result.rows:
        if result.tier(r.paper_id) == "close" and not close:
            close = True
            click.echo("-- closest matches (not every word) --")
        year = r.year or "----"
        click.echo(f"{r.paper_id:>6}  {year}  {clean(r.label, limit=100)}")
        mark, text = blurb(
            r.summary, r.summary_source, r.abstract, summary_shown=r.title_kind == "summary"
        )
        if text:
            click.echo(f"              {mark + ': ' if mark else ''}{clean(text, limit=140)}")
    n_close = sum(1 for r in result.rows if result.tier(r.paper_id) == "close")
    shown = len(result.rows) - n_close
    line = f"{shown} of {result.total} matches"
    if n_close:
        line += f", then {n_close} closest matches"
    click.echo(line, err=True)


def _sort(value: str) -> str:
    from citetui.core.vocab import parse_sort

    try:
        parse_sort(value)
    except ValueError as exc:
        raise click.BadParameter(str(exc), param_hint="--sort") from None
    return value


@click.command()
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


@click.command()
@click.option("--repair", is_flag=True, help="Rebuild a search index found out of step.")
@json_option
@click.pass_obj
@friendly_errors
def doctor(c: Ctx, repair: bool, as_json: bool) -> None:
    """Check the library for damage (every page and index) and say what to do.

    Exits 0 when the library is sound, 3 when it is damaged."""
    from citetui.core.textsafe import clean
    from citetui.store.doctor import diagnose

    if not c.path.exists():
        fail(f"no library at {c.path}", 3)
    d = diagnose(c.path, repair=repair)
    if as_json:
        emit_json(
            {
                "path": str(d.path),
                "sound": d.sound,
                "schema_version": d.schema_version,
                "papers": d.papers,
                "problems": d.problems,
                "index_problems": d.index_problems,
                "repaired": d.repaired,
                "advice": d.advice(),
            }
        )
    elif d.sound:
        fixed = " (the search index was rebuilt)" if d.repaired else ""
        click.echo(
            f"{clean(d.path)}: sound: {d.papers:,} papers, schema {d.schema_version}, "
            f"every page and index checked{fixed}"
        )
    else:
        click.echo(f"{clean(d.path)}: damaged", err=True)
        for problem in (d.problems + d.index_problems)[:20]:
            click.echo(f"  {clean(problem, limit=200)}", err=True)
        click.echo("what to do:", err=True)
        for step in d.advice():
            click.echo(f"  - {clean(step)}", err=True)
    if not d.sound:
        sys.exit(3)


COMMANDS = (hubs, show, search, stats, doctor)
