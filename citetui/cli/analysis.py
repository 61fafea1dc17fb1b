"""Commands for the hub controls: recognition alignment, ablation, timeline, comparison."""

from __future__ import annotations

import math
import re

import click

from citetui.cli.common import Ctx, emit_json, friendly_errors, hub_arg, json_option
from citetui.core.textsafe import clean


def _summary_text(s) -> str:
    """A computed summary's labels with their counts, and shares from MIN_LABELLED on."""
    from citetui.core.summary import MIN_LABELLED, share_text

    if s is None or not s.n:
        return "no labels"
    if s.n < MIN_LABELLED:
        return (
            ", ".join(f"{b.label} {b.count}" for b in s.bars) + f" (of {s.n}: too few for shares)"
        )
    return ", ".join(f"{b.label} {share_text(b.count or 0, s.n)}" for b in s.bars)


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
    verdict = lib.hub_summary(h.paper.id, h).verdict
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
                    "status": a.status,
                    "hub_verdict": verdict.to_dict(),
                }
                for a in rows
            ]
        )
        return
    click.echo(f"the hub's verdict: {clean(verdict.line())}")
    if rows:
        a0 = rows[0]
        click.echo(
            f"all {a0.removed + a0.kept:,} citations: roles {_summary_text(a0.role_full)} · "
            f"polarity {_summary_text(a0.polarity_full)}"
        )
    for a in rows:
        click.echo(
            f"leaving out {clean(a.slice.name)} ({a.removed:,} of {a.removed + a.kept:,}): "
            f"{a.status}"
        )
        if a.tested or (a.removed and a.kept):
            click.echo(
                f"    roles {_summary_text(a.role_without)} · polarity "
                f"{_summary_text(a.polarity_without)}"
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
                    "label": s.label,
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
        click.echo(f"{s.year or '----'}  {clean(s.label, limit=90)}")
        for label, ctxs in (("A", s.contexts_a), ("B", s.contexts_b)):
            for x in ctxs[:2]:
                click.echo(f"   {label}: {clean(x, limit=110)}")


@click.command("statements")
@click.argument("hub")
@click.argument("query", nargs=-1)
@click.option("--limit", default=50, show_default=True, type=click.IntRange(1, 100000))
@json_option
@click.pass_obj
@friendly_errors
def statements_cmd(c: Ctx, hub: str, query: tuple[str, ...], limit: int, as_json: bool) -> None:
    """Citation statements: each sentence citing HUB, with its citing paper, year, role and
    polarity, newest first. QUERY takes the query syntax: words the sentence holds (as
    word beginnings), 'exact, !not, role: (the sentence's roles, else its citation's),
    pol:, year:, claim:."""
    from citetui.core.query import parse
    from citetui.render.bars import plural

    lib = c.open()
    h = hub_arg(lib, hub)
    q = parse(" ".join(query))
    rows = lib.statements(h.paper.id, q, limit=limit)
    total, papers = lib.count_statements(h.paper.id, q)
    if as_json:
        emit_json(
            {
                "hub": h.paper.id,
                "query": " ".join(query),
                "statements": total,
                "citing_papers": papers,
                "rows": [
                    {
                        "citing_id": s.citing_id,
                        "title": s.title,
                        "label": s.label,
                        "year": s.year,
                        "text": s.text,
                        "roles": list(s.roles),
                        "polarity": s.polarity,
                        "influential": s.influential,
                        "source": s.source,
                    }
                    for s in rows
                ],
            }
        )
        return
    click.echo(
        f"{plural(total, 'statement')} from {plural(papers, 'citing paper')}"
        + (f" match {clean(' '.join(query))}" if query else "")
    )
    for s in rows:
        labels = " · ".join(x for x in (", ".join(s.roles), s.polarity or "") if x)
        click.echo(
            f"{s.year or '----'}  {clean(s.label, limit=80)}"
            + (f"  [{clean(labels)}]" if labels else "")
        )
        click.echo(f"      “{clean(s.text, limit=400)}”")


COMMANDS = (align_cmd, ablate_cmd, timeline_cmd, compare_cmd, statements_cmd)
