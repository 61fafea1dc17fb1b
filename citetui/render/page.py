"""Plain-text and JSON renderings of a hub page (used by ``citetui show``), UI-free."""

from __future__ import annotations

import textwrap
from dataclasses import asdict
from typing import TYPE_CHECKING, Any

from citetui.core.models import HubPage, Paper, Summary
from citetui.core.textsafe import clean
from citetui.render.bars import bar, pct, stdout_blocks

if TYPE_CHECKING:
    from citetui.store import Library

WIDTH = 88
BAR_WIDTH = 24


def summary_lines(summary: Summary | None, kind: str) -> list[str]:
    """The lines of a role or polarity summary, or a sentence saying there is none."""
    if summary is None or not summary.bars:
        return [f"  no {kind} recorded for this hub"]
    lines = [f"  ({clean(summary.caption)})"]  # the caption names the source: data
    for b in summary.bars:
        count = f"  {b.count}" if b.count is not None else ""
        drawn = bar(b.share, BAR_WIDTH, blocks=stdout_blocks())
        lines.append(f"  {clean(b.label):<11} {drawn} {pct(b.share, width=4)}{count}")
    if summary.provenance == "recorded":
        lines.append("  (other labels not given by the source)")
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


def hub_page_text(page: HubPage) -> str:
    """The hub page as plain text."""
    h, p = page.hub, page.hub.paper
    lines = [clean(p.display_title)]
    meta = [
        str(p.year) if p.year else None,
        clean(p.venue) or None,
        f"arXiv {clean(p.arxiv)}" if p.arxiv else None,
        f"DOI {clean(p.doi)}" if p.doi else None,
    ]
    lines.append(" · ".join(m for m in meta if m))
    if p.authors:
        lines.append(clean(", ".join(p.authors), limit=WIDTH * 2))
    tier = clean(h.tier) if h.tier else "hub"
    cites = (
        f"{p.citation_count} citations"
        if p.citation_count is not None
        else "citation count unknown"
    )
    lines.append(f"{tier} · {cites} · {h.n_citing} citing papers in library")
    if page.verdict_line:
        lines.append(clean(page.verdict_line))
    lines += ["", "Abstract"]
    lines += _wrap(p.abstract) if p.abstract else ["  no abstract recorded"]
    for kind, title, noun in (
        ("role", "Citation roles", "roles"),
        ("polarity", "Citation polarity", "polarity"),
    ):
        lines += ["", title]
        shown = page.summaries(kind)
        for s in shown or (None,):
            lines += summary_lines(s, noun)
    lines += ["", "Claims ledger"]
    if not page.claims:
        lines.append("  no claims recorded for this hub")
    for c in page.claims:
        stances = c.stance_counts()
        engaged = f"{len(c.engagements)} citing papers engage it"
        if stances:
            engaged += " (" + ", ".join(f"{n} {s}" for s, n in sorted(stances.items())) + ")"
        lines += _wrap(f"{c.position + 1}. {clean(c.text)}")
        lines.append(f"     {engaged}")
    lines += ["", "Co-cited works"]
    if not page.cocited:
        lines.append("  no co-cited works recorded for this hub")
    for cc in page.cocited:
        n = (
            f"  ({cc.count}×{', computed' if cc.provenance == 'computed' else ''})"
            if cc.count
            else ""
        )
        lines.append(f"  {paper_line(cc.paper)}{n}")
    lines += ["", "Representative citing papers"]
    if page.representative_rule and page.representative:
        lines.append(f"  (chosen by citetui: {page.representative_rule})")
    if not page.representative:
        lines.append("  no representative citing papers for this hub")
    for rp in page.representative:
        lines.append(f"  {paper_line(rp, limit=WIDTH - 8)}")
    return "\n".join(lines)


def paper_dict(p: Paper) -> dict[str, Any]:
    """A paper as JSON-ready dict."""
    d = asdict(p)
    d["authors"] = list(p.authors)
    return d


def hub_page_dict(page: HubPage) -> dict[str, Any]:
    """The hub page as a JSON-ready dict."""

    def summ(s: Summary | None) -> dict[str, Any] | None:
        if s is None:
            return None
        return {
            "provenance": s.provenance,
            "source": s.source,
            "n": s.n,
            "bars": [asdict(b) for b in s.bars],
        }

    h = page.hub
    return {
        "hub": {
            **paper_dict(h.paper),
            "tier": h.tier,
            "verdict": h.verdict,
            "citing_papers": h.n_citing,
            "verdict_line": page.verdict_line,
        },
        "role_summary": summ(page.role_summary),
        "polarity_summary": summ(page.polarity_summary),
        "recorded_role_summary": summ(page.recorded_role),
        "recorded_polarity_summary": summ(page.recorded_polarity),
        "claims": [
            {
                "position": c.position + 1,
                "text": c.text,
                "engaged_by": [asdict(e) for e in c.engagements],
                "stances": c.stance_counts(),
            }
            for c in page.claims
        ],
        "cocited": [
            {"paper": paper_dict(cc.paper), "count": cc.count, "provenance": cc.provenance}
            for cc in page.cocited
        ],
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
