"""Commands for the user's own layer: notes, tags, reading status, stars, label overrides."""

from __future__ import annotations

import click

from citetui.cli.common import Ctx, emit_json, friendly_errors, hub_arg, json_option, paper_arg
from citetui.core.models import Annotation
from citetui.core.textsafe import clean
from citetui.core.vocab import STATUSES
from citetui.render.page import disagreement_lines


def _paper(lib, text: str):
    return paper_arg(lib, text, write=True)


def _echo_annotation(lib, a: Annotation, as_json: bool) -> None:
    if as_json:
        emit_json(a.to_dict())
        return
    p = lib.paper(a.paper_id)
    bits = [f"status {a.status or 'unset'}"]
    if a.starred:
        bits.append("starred")
    if a.tags:
        bits.append("tags " + ", ".join(clean(t) for t in a.tags))
    click.echo(f"{p.id}  {clean(p.display_title, limit=80)}")
    click.echo("  " + " · ".join(bits))
    if a.note:
        for line in clean(a.note, multiline=True).splitlines():
            click.echo(f"  | {line}")


def _value_error(fn):
    """Turn ValueError (bad status, unknown label) into the usual one-line error."""
    import functools

    @functools.wraps(fn)
    def wrapper(*args, **kwargs):
        try:
            return fn(*args, **kwargs)
        except ValueError as exc:
            raise click.UsageError(str(exc)) from None

    return wrapper


@click.command("note")
@click.argument("paper")
@click.argument("text", nargs=-1)
@click.option("--append", is_flag=True, help="Add to the existing note instead of replacing it.")
@click.option("--clear", is_flag=True, help="Remove the note.")
@json_option
@click.pass_obj
@friendly_errors
def note_cmd(
    c: Ctx, paper: str, text: tuple[str, ...], append: bool, clear: bool, as_json: bool
) -> None:
    """Write a note on PAPER (an id or identifier, a title or a pasted reference)."""
    body = " ".join(text)
    if clear and body:
        raise click.UsageError("give the note's TEXT or --clear, not both")
    if not clear and not body.strip():
        raise click.UsageError("the note is empty; to remove the note, use --clear")
    lib = c.open()
    p = _paper(lib, paper)
    a = lib.set_note(p.id, None if clear else body, append=append)
    _echo_annotation(lib, a, as_json)


@click.command("tag")
@click.argument("paper")
@click.argument("tag")
@click.option("--remove", is_flag=True, help="Remove the tag instead.")
@json_option
@click.pass_obj
@friendly_errors
@_value_error
def tag_cmd(c: Ctx, paper: str, tag: str, remove: bool, as_json: bool) -> None:
    """Tag PAPER."""
    lib = c.open()
    a = lib.add_tag(_paper(lib, paper).id, tag, remove=remove)
    _echo_annotation(lib, a, as_json)


@click.command("status")
@click.argument("paper")
@click.argument("status", type=click.Choice([*STATUSES, "none"]))
@json_option
@click.pass_obj
@friendly_errors
def status_cmd(c: Ctx, paper: str, status: str, as_json: bool) -> None:
    """Set the reading status of PAPER: unread, skimmed, read, key (or none)."""
    lib = c.open()
    a = lib.set_status(_paper(lib, paper).id, None if status == "none" else status)
    _echo_annotation(lib, a, as_json)


@click.command("star")
@click.argument("paper")
@click.option("--off", is_flag=True, help="Unstar.")
@json_option
@click.pass_obj
@friendly_errors
def star_cmd(c: Ctx, paper: str, off: bool, as_json: bool) -> None:
    """Star PAPER."""
    lib = c.open()
    a = lib.set_star(_paper(lib, paper).id, not off)
    _echo_annotation(lib, a, as_json)


@click.command("label")
@click.argument("citing")
@click.argument("cited")
@click.option("--role", "roles", multiple=True, help="A role (repeat for several).")
@click.option("--polarity", help="supportive, neutral, critical or unknown.")
@click.option("--clear", is_flag=True, help="Remove your labels on this citation.")
@click.pass_obj
@friendly_errors
@_value_error
def label_cmd(
    c: Ctx, citing: str, cited: str, roles: tuple[str, ...], polarity: str | None, clear: bool
) -> None:
    """Override the role(s) or polarity of the citation CITING -> CITED (ids or titles)."""
    lib = c.open()
    a, b = _paper(lib, citing), _paper(lib, cited)
    if not (roles or polarity or clear):
        raise click.UsageError("give --role, --polarity or --clear")
    if clear:
        lib.override_label(a.id, b.id, "role", [])
        lib.override_label(a.id, b.id, "polarity", [])
    if roles:
        lib.override_label(a.id, b.id, "role", list(roles))
    if polarity:
        lib.override_label(a.id, b.id, "polarity", [polarity])
    cit = lib.citation(a.id, b.id)
    click.echo(
        f"{a.id} {clean(a.display_title, limit=60)} -> {b.id} {clean(b.display_title, limit=60)}: "
        f"roles {', '.join(cit.roles) or 'none'} · polarity {cit.polarity or 'none'}"
    )


@click.command("notes")
@json_option
@click.pass_obj
@friendly_errors
def notes_cmd(c: Ctx, as_json: bool) -> None:
    """List everything you wrote: notes, tags, statuses, stars and label overrides."""
    lib = c.open()
    items = lib.annotations()
    labels = lib.label_overrides()
    if as_json:
        emit_json(
            {
                "annotations": [a.to_dict() for a in items],
                "label_overrides": [
                    {
                        "citing_id": o.citing_id,
                        "cited_id": o.cited_id,
                        "kind": o.kind,
                        "value": o.value.split(",") if o.kind == "role" else o.value,
                        "updated_at": o.updated_at,
                    }
                    for o in labels
                ],
            }
        )
        return
    if not items and not labels:
        click.echo("you have written nothing yet (see citetui note / tag / status / label)")
    for a in items:
        _echo_annotation(lib, a, False)
    for o in labels:
        click.echo(f"label {o.citing_id} -> {o.cited_id}: {o.kind} {clean(o.value)}")


@click.command("disagreements")
@click.argument("hub", required=False)
@json_option
@click.pass_obj
@friendly_errors
def disagreements_cmd(c: Ctx, hub: str | None, as_json: bool) -> None:
    """Citations whose role or polarity differs between sources, you included (of HUB, or
    of every hub)."""
    lib = c.open()
    hub_id = hub_arg(lib, hub).paper.id if hub else None
    rows = lib.disagreements(hub_id)
    if as_json:
        emit_json(rows)
        return
    if not rows:
        click.echo("no citation has labels that disagree")
    for line in disagreement_lines(lib, rows):
        click.echo(line)


@click.group("view", invoke_without_command=True)
@json_option
@click.pass_context
@friendly_errors
def view_group(ctx: click.Context, as_json: bool) -> None:
    """Saved views: list them, or save / delete one (number keys 1-9 recall them in the browser)."""
    if ctx.invoked_subcommand is not None:
        return
    lib = ctx.obj.open()
    items = lib.saved_views()
    if as_json:
        emit_json(
            [
                {
                    "name": x.name,
                    "hub_id": x.hub_id,
                    "query": x.query,
                    "sort": x.sort,
                    "slot": x.slot,
                    "columns": list(x.columns) if x.columns is not None else None,
                }
                for x in items
            ]
        )
        return
    if not items:
        click.echo("no saved views (citetui view save NAME QUERY --hub HUB)")
    for x in items:
        slot = f"[{x.slot}]" if x.slot else "   "
        hub = f" on hub {x.hub_id}" if x.hub_id else ""
        click.echo(f"{slot} {clean(x.name)}: {clean(x.query)} (sort {x.sort}){hub}")


@view_group.command("save")
@click.argument("name")
@click.argument("query", nargs=-1)
@click.option("--hub", help="The hub whose citing papers the view searches.")
@click.option(
    "--sort",
    default="relevance",
    show_default=True,
    help="relevance, year, citations, title, venue, influential, role or polarity, "
    "optionally :asc or :desc (year:asc).",
)
@click.option(
    "--columns",
    help="The explorer's columns, e.g. year,citations,role (default: those the rows fill). "
    "Columns: year, venue, citations, influential, role, polarity.",
)
@click.option("--slot", type=click.IntRange(1, 9), help="Number key that recalls it.")
@click.pass_obj
@friendly_errors
@_value_error
def view_save(
    c: Ctx,
    name: str,
    query: tuple[str, ...],
    hub: str | None,
    sort: str,
    columns: str | None,
    slot: int | None,
) -> None:
    """Save QUERY as view NAME."""
    from citetui.core.query import parse
    from citetui.core.vocab import parse_columns

    text = " ".join(query)
    parse(text)  # refuse a query that does not parse
    lib = c.open()
    hub_id = hub_arg(lib, hub, write=True).paper.id if hub else None
    view = lib.save_view(
        name, text, hub_id=hub_id, sort=sort, slot=slot, columns=parse_columns(columns)
    )
    click.echo(f"saved view {clean(view.name)}" + (f" on key {view.slot}" if view.slot else ""))


@view_group.command("delete")
@click.argument("name")
@click.pass_obj
@friendly_errors
def view_delete(c: Ctx, name: str) -> None:
    """Delete saved view NAME."""
    from citetui.store import NotFound

    if not c.open().delete_view(name):
        raise NotFound(f"no saved view named {name!r}")
    click.echo(f"deleted view {clean(name)}")


@click.command("history")
@click.argument("search", nargs=-1)
@click.option("--limit", default=50, show_default=True, type=click.IntRange(1, 1000))
@json_option
@click.pass_obj
@friendly_errors
def history_cmd(c: Ctx, search: tuple[str, ...], limit: int, as_json: bool) -> None:
    """Your past searches in the browser, newest first (fuzzy-filtered by SEARCH)."""
    items = c.open().query_history(" ".join(search) or None, limit=limit)
    if as_json:
        emit_json(
            [
                {"hub_id": h.hub_id, "query": h.query, "uses": h.uses, "used_at": h.used_at}
                for h in items
            ]
        )
        return
    for h in items:
        click.echo(f"{h.used_at}  {h.uses:>3}×  {clean(h.query)}")


@click.group("hub")
def hub_group() -> None:
    """Make a paper with citing papers in the library a hub, or undo that."""


@hub_group.command("add")
@click.argument("paper")
@json_option
@click.pass_obj
@friendly_errors
@_value_error
def hub_add(c: Ctx, paper: str, as_json: bool) -> None:
    """Make PAPER (an id, DOI, arXiv id, W..., CorpusID:N or fuzzy title) a hub."""
    from citetui.render.bars import plural

    lib = c.open()
    hub = lib.make_hub(_paper(lib, paper).id)
    if as_json:
        emit_json({"id": hub.paper.id, "title": hub.paper.title, "citing_papers": hub.n_citing})
        return
    click.echo(
        f"made a hub: {clean(hub.paper.display_title, limit=90)} "
        f"({plural(hub.n_citing, 'citing paper')} in the library); citetui show {hub.paper.id}"
    )


@hub_group.command("remove")
@click.argument("paper")
@click.pass_obj
@friendly_errors
@_value_error
def hub_remove(c: Ctx, paper: str) -> None:
    """Undo `citetui hub add PAPER` (hubs an import marked stay)."""
    lib = c.open()
    p = _paper(lib, paper)
    lib.unmake_hub(p.id)
    click.echo(f"no longer a hub: {clean(p.display_title, limit=90)}")


COMMANDS = (
    hub_group,
    note_cmd,
    tag_cmd,
    status_cmd,
    star_cmd,
    label_cmd,
    notes_cmd,
    disagreements_cmd,
    view_group,
    history_cmd,
)
