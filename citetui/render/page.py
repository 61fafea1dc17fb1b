"""Plain-text and JSON renderings of a hub page (used by ``citetui show``), UI-free."""

from __future__ import annotations

import textwrap
from dataclasses import asdict
from typing import TYPE_CHECKING, Any

from citetui.core.models import HubPage, Paper, Summary
from citetui.core.summary import MIN_LABELLED, HubSummary, share_text
from citetui.core.textsafe import clean
from citetui.render.bars import bar, pct, plural, stdout_blocks

if TYPE_CHECKING:
    from citetui.store import Library

WIDTH = 88
BAR_WIDTH = 24


def summary_lines(summary: HubSummary, kind: str, noun: str) -> list[str]:
    """The computed and the recorded summary of one kind, each with where it comes from
    and its coverage; shares only from MIN_LABELLED labelled citations on."""
    lines: list[str] = []
    computed, cov = summary.computed(kind), summary.coverage(kind)
    blocks = stdout_blocks()
    lines.append(f"  {cov.line(kind)}")
    if computed is not None and computed.bars:
        if not cov.enough:
            lines.append(f"  too few for shares: they start at {MIN_LABELLED} labelled")
        for b in computed.bars:
            count = b.count or 0
            if cov.enough:
                drawn = bar(count / cov.labelled, BAR_WIDTH, blocks=blocks)
                lines.append(f"  {clean(b.label):<11} {drawn} {share_text(count, cov.labelled)}")
            else:
                lines.append(f"  {clean(b.label):<11} {count:,}")
    recorded = summary.recorded(kind)
    if recorded is not None and recorded.bars:
        by = f" by {clean(recorded.source)}" if recorded.source else ""
        lines.append(f"  recorded{by} (n not given; other labels not given by the source)")
        for b in recorded.bars:
            drawn = bar(b.share, BAR_WIDTH, blocks=blocks)
            lines.append(f"  {clean(b.label):<11} {drawn} {pct(b.share, width=4)}")
    elif computed is None or not computed.bars:
        lines.append(f"  no {noun} labels recorded for this hub")
    return lines


def _wrap(text: str | None, indent: str = "  ") -> list[str]:
    body = clean(text, multiline=True)
    out = []
    for para in body.splitlines() or [""]:
        out += textwrap.wrap(para, WIDTH, initial_indent=indent, subsequent_indent=indent) or [""]
    return out


def paper_line(p: Paper, limit: int = 80) -> str:
    """'2021  Title' for a list of papers."""
    year = p.year or "    "
    return f"{year}  {clean(p.display_title, limit=limit)}"


def meta_parts(p: Paper) -> list[str]:
    """Year, venue and every identifier of a paper, as short strings (data: clean them)."""
    parts = [str(p.year) if p.year else None, p.venue or None]
    parts += [f"DOI {p.doi}" if p.doi else None, f"arXiv {p.arxiv}" if p.arxiv else None]
    parts += [f"S2 {p.corpus_id}" if p.corpus_id is not None else None, p.openalex_id]
    standing_in = None if p.title else p.display_title  # already said, in the title's place
    return [x for x in parts if x and x != standing_in]


def figures_line(page: HubPage) -> str:
    """The tier with what it was decided from, the known citation count and the citing
    papers in the library, each said once: 'mega hub (from its 15,204 citations) · 1 citing
    paper in the library'."""
    tier, p = page.summary.tier, page.hub.paper
    here = plural(page.hub.n_citing, "citing paper") + " in the library"
    if tier.basis == "library":
        return f"at least a {tier.label}: {here}, citation count unknown"
    parts = [tier.text()]
    if tier.basis != "citation count" and not (tier.basis == "none" and tier.count is not None):
        known = p.citation_count
        parts.append(plural(known, "citation") if known is not None else "citation count unknown")
    return " · ".join([*parts, here])


def hub_page_text(page: HubPage) -> str:
    """The hub page as plain text."""
    p = page.hub.paper
    meta = " · ".join(clean(m) for m in meta_parts(p))
    lines = [clean(p.display_title), *([meta] if meta else [])]
    if p.authors:
        lines.append(clean(", ".join(p.authors), limit=WIDTH * 2))
    lines.append(clean(figures_line(page)))
    lines += [clean(x) for x in page.summary.headline() if x]
    lines += ["", "Abstract"]
    lines += _wrap(p.abstract) if p.abstract else ["  no abstract recorded"]
    for kind, title, noun in (
        ("role", "Citation roles", "role"),
        ("polarity", "Citation polarity", "polarity"),
    ):
        lines += ["", title, *summary_lines(page.summary, kind, noun)]
    lines += ["", "Claims ledger"]
    if not page.claims:
        lines.append("  no claims recorded for this hub")
    for c in page.claims:
        stances = c.stance_counts()
        n = len(c.engagements)
        engaged = plural(n, "citing paper") + (" engages it" if n == 1 else " engage it")
        if stances:
            engaged += " (" + ", ".join(f"{n} {s}" for s, n in sorted(stances.items())) + ")"
        lines += _wrap(f"{c.position + 1}. {clean(c.text)}")
        lines.append(f"     {engaged}")
    lines += ["", "Co-cited works"]
    if page.cocited_basis:
        lines.append(f"  ({clean(page.cocited_basis)})")
    if not page.cocited:
        lines.append("  no co-cited works in the library")
    for cc in page.cocited:
        times = f"  ({cc.count}×)" if cc.count else ""
        lines.append(f"  {paper_line(cc.paper)}{times}")
    lines += ["", "Representative citing papers"]
    if page.representative_rule and page.representative:
        lines.append(f"  (chosen by citetui: {page.representative_rule})")
    elif page.representative:
        lines.append("  (as listed by the source)")
    if not page.representative:
        lines.append("  no representative citing papers for this hub")
    for rp in page.representative:
        lines.append(f"  {paper_line(rp, limit=WIDTH - 8)}")
    lines += [
        "",
        "Citation statements",
        "  every sentence citing the hub, with its paper, year, role and polarity:",
        "  citetui statements HUB [QUERY]",
    ]
    return "\n".join(lines)


def paper_dict(p: Paper) -> dict[str, Any]:
    """A paper as JSON-ready dict (``title`` null when none was recorded; ``label`` what
    stands for it on screen)."""
    d = asdict(p)
    d["authors"] = list(p.authors)
    d["label"] = p.display_title
    return d


def _summ(s: Summary | None) -> dict[str, Any] | None:
    if s is None:
        return None
    return {
        "provenance": s.provenance,
        "source": s.source,
        "n": s.n,
        "bars": [asdict(b) for b in s.bars],
    }


def hub_page_dict(page: HubPage) -> dict[str, Any]:
    """The hub page as a JSON-ready dict: ``summary`` holds every figure with its coverage
    (the keys before it are kept for scripts written against older versions)."""
    h, summary = page.hub, page.summary
    verdict = summary.verdict
    return {
        "hub": {
            **paper_dict(h.paper),
            "tier": summary.tier.label,
            "tier_basis": summary.tier.basis,
            "verdict": verdict.label,
            "citing_papers": h.n_citing,
            "verdict_line": "\n".join(summary.headline()),
        },
        "summary": summary.to_dict(),
        "role_summary": _summ(page.role_summary),
        "polarity_summary": _summ(page.polarity_summary),
        "recorded_role_summary": _summ(summary.recorded_role),
        "recorded_polarity_summary": _summ(summary.recorded_polarity),
        "claims": [
            {
                "position": c.position + 1,
                "text": c.text,
                "engaged_by": [asdict(e) for e in c.engagements],
                "stances": c.stance_counts(),
            }
            for c in page.claims
        ],
        "cocited_basis": page.cocited_basis,
        "cocited": [
            {"paper": paper_dict(cc.paper), "count": cc.count, "provenance": cc.provenance}
            for cc in page.cocited
        ],
        "representative_rule": page.representative_rule,
        "representative": [paper_dict(rp) for rp in page.representative],
    }


def disagreement_lines(lib: Library, rows: list[dict]) -> list[str]:
    """'2021  Title: role  semantic-scholar method · you background' for each disagreement."""
    papers = lib.papers([r["citing_id"] for r in rows] + [r["cited_id"] for r in rows])
    out = []
    for r in rows:
        p, hub = papers.get(r["citing_id"]), papers.get(r["cited_id"])
        title = clean(p.display_title, limit=70) if p else str(r["citing_id"])
        cited = clean(hub.display_title, limit=40) if hub else str(r["cited_id"])
        by = " · ".join(
            f"{clean(src)} {clean(v.replace(',', ', '))}"
            for src, v in sorted(r["by_source"].items())
        )
        out.append(f"{title} -> {cited}: {r['kind']}: {by}")
    return out
