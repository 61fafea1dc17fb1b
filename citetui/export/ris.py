"""RIS: the tagged format EndNote, Zotero and Mendeley import.

Written by hand: RIS is one ``TAG  - value`` line per field and ``ER  - ``
after each record, with no quoting or escaping rules to get wrong, so a
library would add a dependency and a field-name mapping without removing any
difficulty (the tests read the output back with ``rispy``, an independent
parser). Values are single lines (RIS cannot carry line breaks).

Records: ``TY`` ``JOUR`` (venue other than arXiv, in ``T2``) or ``GEN``;
``ID`` the citation key; ``TI``, one ``AU`` per author in order, ``PY``,
``DO``, ``UR``, ``AB``. citetui's labels are keywords (``KW  - citetui-role:
method``, ``citetui-polarity: ...``, ``citetui-influential``) and the rest are
notes (``N1``): the one-sentence summary, other identifiers, claims engaged
(``Claim 1: supportive``; the hub's record lists the claims' texts) and each
citation context (``Context [method]: ...``).
"""

from __future__ import annotations

from citetui.export.text import Sanitizer
from citetui.export.view import Item, View

FORMAT = "ris"
SUFFIX = ".ris"


def _record(item: Item, view: View, s: Sanitizer) -> list[str]:
    p = item.paper
    lines: list[str] = []

    def tag(name: str, value: object) -> None:
        text = s.line(value) if value is not None else ""
        if text:
            lines.append(f"{name}  - {text}")

    venue = s.line(p.venue)
    journal = bool(venue) and venue.casefold() not in ("arxiv", "arxiv.org")
    lines.append(f"TY  - {'JOUR' if journal else 'GEN'}")
    tag("ID", item.key)
    tag("TI", p.title)
    for a in p.authors:
        tag("AU", a)
    tag("PY", p.year)
    if journal:
        tag("T2", venue)
    tag("DO", p.doi)
    tag("UR", p.link)
    tag("AB", p.abstract)
    if item.relation == "hub":
        tag("KW", "citetui-hub")
    for r in item.roles:
        tag("KW", f"citetui-role: {r}")
    if item.polarity:
        tag("KW", f"citetui-polarity: {item.polarity}")
    if item.influential:
        tag("KW", "citetui-influential")
    if p.summary:
        source = f" ({s.line(p.summary_source)})" if p.summary_source else ""
        tag("N1", f"Summary{source}: {s.line(p.summary)}")
    for label, value in (
        ("arXiv", p.arxiv),
        ("Semantic Scholar", p.s2_id),
        ("CorpusID", p.corpus_id),
        ("OpenAlex", p.openalex_id),
        ("Citation count", p.citation_count),
    ):
        if value is not None:
            tag("N1", f"{label}: {value}")
    if item.relation == "hub":
        summary = view.summary
        if summary is not None:
            tag("N1", f"Tier: {s.line(summary.tier.text())}")
            tag("N1", f"Verdict: {s.line(summary.verdict.line())}")
            tag("N1", f"Roles: {s.line(summary.role_line())}")
        else:
            tag("N1", f"Tier: {s.line(view.hub.tier)}" if view.hub.tier else None)
            tag("N1", f"Verdict: {s.line(view.hub.verdict)}" if view.hub.verdict else None)
        for c in view.claims:
            tag("N1", f"Claim {c.position + 1}. {s.line(c.text)}")
    for n, stance, _ in item.claims:
        tag("N1", f"Claim {n}: {stance}")
    for ctx in item.edge.contexts if item.edge else ():
        text = s.line(ctx.text)
        if text:
            roles = f" [{', '.join(ctx.roles)}]" if ctx.roles else ""
            tag("N1", f"Context{roles}: {text}")
    lines.append("ER  - ")
    return lines


def render(view: View, *, terminal: bool = False) -> str:
    """The view as RIS records, the hub first."""
    s = Sanitizer(terminal)
    out: list[str] = []
    for item in view.items:
        out += _record(item, view, s)
        out.append("")
    return "\n".join(out)
