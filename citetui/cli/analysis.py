"""Commands for the hub controls: recognition alignment, ablation, timeline, comparison."""

from __future__ import annotations

import math
import re

import click

from citetui.cli.common import Ctx, emit_json, friendly_errors, hub_arg, json_option
from citetui.core.textsafe import clean


def _summary_text(s) -> str:
    if s is None:
        return "no labels"
    return ", ".join(f"{b.label} {round((b.share or 0) * 100)}%" for b in s.bars)


def _a_number(value: float | None, param: click.Parameter) -> float | None:
    """click's FloatRange lets NaN through (every comparison with it is false)."""
    if value is not None and math.isnan(value):
        raise click.BadParameter("not a number", param=param)
    return value


@click.command("align")
@click.argument("hub")
@click.option(
    "--threshold",
    type=click.FloatRange(0, 100),
    default=None,
    callback=lambda ctx, param, value: _a_number(value, param),
    help="Similarity (0-100) from which a sentence counts (default 40).",
)
@json_option
@click.pass_obj
@friendly_errors
def align_cmd(c: Ctx, hub: str, threshold: float | None, as_json: bool) -> None:
    """Recognition alignment: which citing papers engage each claim of HUB."""
    from citetui.analysis.alignment import ALIGNMENT_THRESHOLD, align

    lib = c.open()
    h = hub_arg(lib, hub)
    result = align(lib, h.paper.id, ALIGNMENT_THRESHOLD if threshold is None else threshold)
    if as_json:
        emit_json(
            [
                {
                    "claim": a.position + 1,
                    "text": a.text,
                    "share": round(a.share, 4),
                    "recognised_by": [
                        {
                            "paper_id": r.paper_id,
                            "score": r.score,
                            "kind": r.kind,
                            "sentence": r.sentence,
                            "stance": r.stance,
                        }
                        for r in a.recognitions
                    ],
                }
                for a in result
            ]
        )
        return
    if not result:
        click.echo("no claims recorded for this hub")
    for a in result:
        click.echo(f"{a.position + 1}. {clean(a.text, limit=100)}")
        if not a.recognitions:
            click.echo("   no citing paper engages this claim")
            continue
        click.echo(
            f"   recognised by {len(a.recognitions)} of {a.n_citing} citing papers "
            f"({round(a.share * 100)}%)"
        )
        for r in a.recognitions[:10]:
            title = lib.paper(r.paper_id).display_title
            click.echo(f"   {r.score:5.1f}  {clean(title, limit=70)}  [{r.kind}]")


@click.command("ablate")
@click.argument("hub")
@click.option("--years", help="Also leave out a year range, e.g. 2019..2021.")
@click.option("--venue", help="Also leave out citing papers from venues matching this.")
@click.option("--source", help="Also leave out citations labelled by this source.")
@click.option(
    "-k",
    "k",
    default=10,
    show_default=True,
    type=click.IntRange(1, 100_000),
    help="How many most-cited citers.",
)
@json_option
@click.pass_obj
@friendly_errors
def ablate_cmd(
    c: Ctx,
    hub: str,
    years: str | None,
    venue: str | None,
    source: str | None,
    k: int,
    as_json: bool,
) -> None:
    """Counterfactual ablation: HUB's summaries and verdict with one slice removed."""
    from citetui.analysis.ablation import ablate, standard_slices

    span = None
    if years:
        m = re.fullmatch(r"(\d{4})\.\.(\d{4})", years.strip())
        if not m:
            raise click.UsageError("--years takes FROM..TO, e.g. 2019..2021")
        span = (int(m.group(1)), int(m.group(2)))
    lib = c.open()
    h = hub_arg(lib, hub)
    rows = ablate(
        lib,
        h.paper.id,
        standard_slices(lib, h.paper.id, k=k, years=span, venue=venue, source=source),
    )
    if as_json:

        def s(x):
            return None if x is None else {"n": x.n, "bars": {b.label: b.count for b in x.bars}}

        emit_json(
            [
                {
                    "slice": a.slice.name,
                    "description": a.slice.description,
                    "removed": a.removed,
                    "kept": a.kept,
                    "role_full": s(a.role_full),
                    "role_without": s(a.role_without),
                    "polarity_full": s(a.polarity_full),
                    "polarity_without": s(a.polarity_without),
                    "verdict_full": a.verdict_full,
                    "verdict_without": a.verdict_without,
                }
                for a in rows
            ]
        )
        return
    if rows:
        a0 = rows[0]
        click.echo(
            f"all citations: roles {_summary_text(a0.role_full)} · polarity "
            f"{_summary_text(a0.polarity_full)} · {a0.verdict_full}"
        )
    for a in rows:
        click.echo(
            f"without {a.slice.name} ({a.removed} removed): roles "
            f"{_summary_text(a.role_without)} · polarity {_summary_text(a.polarity_without)}"
            f" · {a.verdict_without}{'  (verdict changes)' if a.verdict_changed else ''}"
        )


@click.command("timeline")
@click.argument("hub")
@json_option
@click.pass_obj
@friendly_errors
def timeline_cmd(c: Ctx, hub: str, as_json: bool) -> None:
    """Citations of HUB per year, split by role."""
    from citetui.analysis.timeline import timeline
    from citetui.render.bars import stdout_blocks

    blocks = stdout_blocks()
    lib = c.open()
    t = timeline(lib, hub_arg(lib, hub).paper.id)
    if as_json:
        emit_json({str(y): dict(counts) for y, counts in t.items()})
        return
    if not t:
        click.echo("no dated citations for this hub")
    peak = max((sum(v.values()) for v in t.values()), default=1)
    for year, counts in t.items():
        n = sum(counts.values())
        roles = ", ".join(f"{r} {k}" for r, k in counts.most_common())
        drawn = blocks[0] * max(1, round(40 * n / peak))
        click.echo(f"{year}  {drawn:<40} {n:>5}  {roles}")


@click.command("compare")
@click.argument("hub_a")
@click.argument("hub_b")
@json_option
@click.pass_obj
@friendly_errors
def compare_cmd(c: Ctx, hub_a: str, hub_b: str, as_json: bool) -> None:
    """The papers that cite both HUB_A and HUB_B, with both citation contexts."""
    from citetui.analysis.timeline import compare

    lib = c.open()
    a, b = hub_arg(lib, hub_a), hub_arg(lib, hub_b)
    shared = compare(lib, a.paper.id, b.paper.id)
    if as_json:
        emit_json(
            [
                {
                    "paper_id": s.paper_id,
                    "title": s.title,
                    "year": s.year,
                    "contexts_a": list(s.contexts_a),
                    "contexts_b": list(s.contexts_b),
                }
                for s in shared
            ]
        )
        return
    click.echo(f"{len(shared)} papers cite both")
    for s in shared:
        click.echo(f"{s.year or '----'}  {clean(s.title, limit=90)}")
        for label, ctxs in (("A", s.contexts_a), ("B", s.contexts_b)):
            for x in ctxs[:2]:
                click.echo(f"   {label}: {clean(x, limit=110)}")


COMMANDS = (align_cmd, ablate_cmd, timeline_cmd, compare_cmd)
