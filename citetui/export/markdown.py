"""Markdown: a readable report of the hub and its citing papers, for notes and writing.

Layout: ``#`` the hub's title with its figures, abstract, role and polarity
summaries (with their provenance), claims; ``## Citing papers``; one ``###``
section per citing paper with its year, venue, authors, links, labels,
summary and citation contexts (as quotes, each with its roles).

Data is written literally: CommonMark's inline specials (``\\ ` * _ [ ] < > &
# | ~ $``) are backslash-escaped and so are block markers at the start of a
line (``- + > =``, ``1.``), so a title like ``*Deep* <b>nets</b>`` renders as
typed and never as emphasis, HTML or a list.
"""

from __future__ import annotations

import re
from urllib.parse import quote

from citetui.core.models import Summary
from citetui.core.summary import MIN_LABELLED, HubSummary, plural, share_text
from citetui.core.textsafe import clean
from citetui.export.text import Sanitizer
from citetui.export.view import Item, View

FORMAT = "markdown"
SUFFIX = ".md"

_INLINE = re.compile(r"([\\`*_\[\]<>&#|~$])")
_MARKER = re.compile(r"(^|\n)([ \t]*)([-+>=]|\d+[.)])")  # bullet, quote, underline, "1."


def md_text(text: str, *, line_start: bool = False) -> str:
    """Text escaped so CommonMark renders it literally.

    Inline specials are always escaped; block markers (``- + > =``, ``1.``) only
    where the text starts a line: after its own line breaks, and at its start
    when ``line_start``.
    """
    if _INLINE.search(text):
        text = _INLINE.sub(r"\\\1", text)
    if not line_start and "\n" not in text:
        return text  # block markers only matter at the start of a line

    def mark(m: re.Match) -> str:
        if not m.group(1) and (m.start() != 0 or not line_start):
            return m.group()
        marker = m.group(3)
        return m.group(1) + m.group(2) + marker[:-1] + "\\" + marker[-1]

    return _MARKER.sub(mark, text)


def _summary(summary: Summary | None, kind: str) -> list[str]:
    if summary is None or not summary.bars:
        return [f"No {kind} recorded for this hub.", ""]
    lines = [f"_{md_text(summary.caption)}_", ""]
    for b in summary.bars:
        share = f"{round(b.share * 100)}%" if b.share is not None else "share unknown"
        count = f" ({b.count})" if b.count is not None else ""
        lines.append(f"- {md_text(b.label)}: {share}{count}")
    return [*lines, ""]


def _sides(summary: HubSummary, kind: str, s: Sanitizer) -> list[str]:
    """The computed summary with its coverage, then the recorded one with its source."""
    cov = summary.coverage(kind)
    lines = [f"_{md_text(cov.line(kind))}_", ""]
    computed = summary.computed(kind)
    for b in computed.bars if computed else ():
        count = b.count or 0
        figure = share_text(count, cov.labelled) if cov.enough else f"{count:,}"
        lines.append(f"- {md_text(b.label)}: {figure}")
    if computed is not None and computed.bars and not cov.enough:
        lines.append(f"- (too few for shares: they start at {MIN_LABELLED} labelled)")
    recorded = summary.recorded(kind)
    if recorded is not None and recorded.bars:
        by = f" by {md_text(s.line(recorded.source))}" if recorded.source else ""
        lines += ["", f"_recorded{by} (n not given)_", ""]
        for b in recorded.bars:
            share = f"{round(b.share * 100)}%" if b.share is not None else "share unknown"
            lines.append(f"- {md_text(b.label)}: {share}")
    return [*lines, ""]


def _url(text: str) -> str:
    """A link destination: characters a Markdown link cannot hold are percent-encoded."""
    return quote(text, safe="/:;()?&=#%+,@!$'*~-._[]")


def _links(item: Item) -> list[str]:
    p = item.paper
    out = []
    # identifiers are data too (a library written before ids were cleaned may hold escapes)
    doi, arxiv, s2, openalex = (
        clean(v) if v else None for v in (p.doi, p.arxiv, p.s2_id, p.openalex_id)
    )
    if doi:
        out.append(f"DOI [{md_text(doi)}](<{_url('https://doi.org/' + doi)}>)")
    if arxiv:
        out.append(f"arXiv [{md_text(arxiv)}](<{_url('https://arxiv.org/abs/' + arxiv)}>)")
    if s2:
        out.append(f"[Semantic Scholar](<{_url('https://www.semanticscholar.org/paper/' + s2)}>)")
    if openalex:
        out.append(f"[OpenAlex](<{_url('https://openalex.org/' + openalex)}>)")
    if p.url and not out:
        out.append(f"[link](<{_url(p.url.strip())}>)")
    return out


def _meta(item: Item, s: Sanitizer) -> list[str]:
    p = item.paper
    lines = [f"- Key: `{item.key}`"]
    facts = [str(p.year) if p.year else None, md_text(s.line(p.venue)) or None]
    if p.citation_count is not None:
        facts.append(plural(p.citation_count, "citation"))
    shown = [f for f in facts if f]
    if shown:
        lines.append("- " + " · ".join(shown))
    authors = [md_text(s.line(a)) for a in p.authors if s.line(a)]
    if authors:
        lines.append("- Authors: " + ", ".join(authors))
    links = _links(item)
    if links:
        lines.append("- " + " · ".join(links))
    return lines


def _citing(n: int, item: Item, s: Sanitizer) -> list[str]:
    p = item.paper
    lines = [f"### {n}. {md_text(s.line(p.display_title))}", "", *_meta(item, s)]
    labels = []
    if item.roles:
        labels.append("role " + ", ".join(item.roles))
    if item.polarity:
        labels.append(f"polarity {item.polarity}")
    if item.influential:
        labels.append("influential")
    if labels:
        lines.append("- Citation: " + " · ".join(labels))
    if item.claims:
        lines.append("- Claims: " + ", ".join(f"{k} ({stance})" for k, stance, _ in item.claims))
    if p.summary and p.title_kind != "summary":
        source = f" ({md_text(s.line(p.summary_source))})" if p.summary_source else ""
        lines.append(f"- Summary{source}: {md_text(s.line(p.summary))}")
    contexts = []
    for c in item.edge.contexts if item.edge else ():
        text = md_text(s.line(c.text))
        if text:
            roles = f"**[{', '.join(c.roles)}]** " if c.roles else ""
            contexts.append(f"> {roles}{text}")
    if contexts:
        lines += ["", "Contexts:", ""]
        for i, quote in enumerate(contexts):
            lines += [quote, ""] if i < len(contexts) - 1 else [quote]
    return [*lines, ""]


def render(view: View, *, terminal: bool = False) -> str:
    """The view as a Markdown document."""
    s = Sanitizer(terminal)
    hub = view.items[0]
    h = view.hub
    lines = [f"# {md_text(s.line(h.paper.display_title))}", "", *_meta(hub, s)]
    summary = view.summary
    tier = md_text(s.line(summary.tier.text())) if summary else md_text(s.line(h.tier or "hub"))
    figures = [tier, plural(view.total_citing, "citing paper") + " in the library"]
    lines += ["- " + " · ".join(figures)]
    if summary is not None:
        lines += [f"- Verdict: {md_text(s.line(summary.verdict.line()))}"]
        lines += [f"- Roles: {md_text(s.line(summary.role_line()))}"]
    lines += [""]
    if view.query:
        query = s.line(view.query).replace("`", "'")
        n = len(view.citing)
        lines += [f"Filtered view: {n} of {view.total_citing} citing papers match `{query}`.", ""]
    if h.paper.abstract:
        paras = [" ".join(line.split()) for line in s.multi(h.paper.abstract).split("\n")]
        abstract = "\n".join(md_text(x, line_start=True) for x in paras).strip("\n")
        lines += ["## Abstract", "", abstract, ""]
    for kind, title in (("role", "Citation roles"), ("polarity", "Citation polarity")):
        if summary is not None:
            lines += [f"## {title}", "", *_sides(summary, kind, s)]
        else:
            shown = view.role_summary if kind == "role" else view.polarity_summary
            lines += [f"## {title}", "", *_summary(shown, kind)]
    if view.claims:
        lines += ["## Claims", ""]
        for c in view.claims:
            stances = c.stance_counts()
            engaged = f" ({len(c.engagements)} citing papers engage it"
            engaged += (
                ": " + ", ".join(f"{n} {k}" for k, n in sorted(stances.items())) if stances else ""
            ) + ")"
            lines.append(f"{c.position + 1}. {md_text(s.line(c.text))}{engaged}")
        lines.append("")
    lines += [f"## Citing papers ({len(view.citing)})", ""]
    for n, item in enumerate(view.citing, 1):
        lines += _citing(n, item, s)
    return "\n".join(lines).rstrip("\n") + "\n"
