"""BibTeX: one entry per paper, written with bibtexparser (v2).

Values are UTF-8 (biber and modern BibTeX read it) with LaTeX's special
characters escaped, so a title is typeset literally and braces always balance:
``& % $ # _`` become ``\\& \\% \\$ \\# \\_``, and ``\\ { } ^ ~`` become
``\\textbackslash{}``, ``\\textbraceleft{}``, ``\\textbraceright{}``,
``\\textasciicircum{}``, ``\\textasciitilde{}``. :func:`unescape` undoes it.
Whitespace runs become one space (BibTeX treats them so anyway).

Entry type: ``@article`` (``journal`` = venue) when the paper has a venue other
than arXiv, else ``@misc``. arXiv papers carry ``eprint`` and
``archiveprefix``. What citetui knows beyond BibTeX's fields is kept in
``citetui-*`` fields (ignored by bibliography styles, kept by reference
managers): ``citetui-roles``, ``citetui-polarity``, ``citetui-influential``,
``citetui-claims`` (``1: supportive, 3: critical``), ``citetui-summary``,
identifiers; the citation contexts go in the standard ``annote`` field, one
paragraph each, prefixed with their roles (``[method] We train with PPO.``).
"""

from __future__ import annotations

import re

import bibtexparser
from bibtexparser.middlewares.parsestack import default_unparse_stack
from bibtexparser.model import Entry, Field, ImplicitComment

from citetui.export.text import Sanitizer
from citetui.export.view import Item, View

FORMAT = "bibtex"
SUFFIX = ".bib"

_ESCAPE = {
    "\\": r"\textbackslash{}",
    "{": r"\textbraceleft{}",
    "}": r"\textbraceright{}",
    "^": r"\textasciicircum{}",
    "~": r"\textasciitilde{}",
    "&": r"\&",
    "%": r"\%",
    "$": r"\$",
    "#": r"\#",
    "_": r"\_",
}
_SPECIAL = re.compile(r"[\\{}^~&%$#_]")
_UNESCAPE = {v: k for k, v in _ESCAPE.items()}
_ESCAPED = re.compile("|".join(re.escape(v) for v in sorted(_UNESCAPE, key=len, reverse=True)))
_AND = re.compile(r"\band\b", re.IGNORECASE)


def escape(text: str) -> str:
    """Text with LaTeX's special characters escaped (typeset literally); a hyphen before
    a hyphen gets an empty group (``-{}-``), so ``--`` stays two hyphens, not an en dash."""
    if _SPECIAL.search(text):
        text = _SPECIAL.sub(lambda m: _ESCAPE[m.group()], text)
    return text.replace("--", "-{}-").replace("--", "-{}-") if "--" in text else text


def unescape(value: str) -> str:
    """The inverse of :func:`escape`."""
    value = value.replace("-{}", "-")
    return _ESCAPED.sub(lambda m: _UNESCAPE[m.group()], value)


def _author(name: str) -> str:
    name = escape(name)
    # "Smith and Sons" would read as two authors: protect it as one.
    return f"{{{name}}}" if _AND.search(name) else name


def _fields(item: Item, view: View, s: Sanitizer) -> tuple[str, list[Field]]:
    p = item.paper
    venue = s.line(p.venue)
    arxiv_only = not venue or venue.casefold() in ("arxiv", "arxiv.org")
    entry_type = "misc" if arxiv_only else "article"
    fields: list[tuple[str, str]] = []

    def add(name: str, value: object) -> None:
        text = s.line(value) if value is not None else ""
        if text:
            fields.append((name, escape(text)))

    add("title", p.title)
    authors = [s.line(a) for a in p.authors]
    if any(authors):
        fields.append(("author", " and ".join(_author(a) for a in authors if a)))
    add("year", p.year)
    if not arxiv_only:
        add("journal", venue)
    add("doi", p.doi)
    if p.arxiv:
        add("eprint", p.arxiv)
        fields.append(("archiveprefix", "arXiv"))
    add("url", p.link)
    add("abstract", p.abstract)
    add("citetui-summary", p.summary)
    add("citetui-summary-source", p.summary_source)
    add("citetui-s2", p.s2_id)
    add("citetui-corpusid", p.corpus_id)
    add("citetui-openalex", p.openalex_id)
    add("citetui-citations", p.citation_count)
    if item.relation == "hub":
        fields.append(("citetui-hub", "true"))
        summary = view.summary
        add("citetui-tier", summary.tier.text() if summary else view.hub.tier)
        add("citetui-verdict", summary.verdict.line() if summary else view.hub.verdict)
        if summary is not None:
            add("citetui-roles-summary", summary.role_line())
        claims = [f"{c.position + 1}. {escape(s.line(c.text))}" for c in view.claims]
        if claims:
            fields.append(("citetui-claims", "\n\n".join(claims)))
    else:
        if item.roles:
            fields.append(("citetui-roles", ", ".join(item.roles)))
        add("citetui-polarity", item.polarity)
        if item.influential is not None:
            fields.append(("citetui-influential", "true" if item.influential else "false"))
        if item.claims:
            fields.append(
                ("citetui-claims", ", ".join(f"{n}: {stance}" for n, stance, _ in item.claims))
            )
        contexts = []
        for c in item.edge.contexts if item.edge else ():
            text = escape(s.line(c.text))
            if text:
                contexts.append(f"[{', '.join(c.roles)}] {text}" if c.roles else text)
        if contexts:
            fields.append(("annote", "\n\n".join(contexts)))
    return entry_type, [Field(k, v) for k, v in fields]


def header(view: View, s: Sanitizer) -> list[str]:
    """Comment lines saying what the export holds.

    BibTeX reads an ``@`` anywhere outside an entry as the start of one, so the
    query (user text) is written with ``@`` spelled ``(at)``.
    """
    lines = [
        f"citetui export of the hub {view.items[0].key}",
        f"{len(view.citing)} of {view.total_citing} citing papers",
    ]
    if view.query:
        lines[-1] += " matching the query: " + s.line(view.query).replace("@", "(at)")
    return lines


def render(view: View, *, terminal: bool = False) -> str:
    """The view as a BibTeX document."""
    s = Sanitizer(terminal)
    lib = bibtexparser.Library()
    lib.add(ImplicitComment("\n".join(f"% {line}" for line in header(view, s))))
    for item in view.items:
        entry_type, fields = _fields(item, view, s)
        lib.add(Entry(entry_type, item.key, fields))
    stack = default_unparse_stack(allow_inplace_modification=True)  # no copy of every entry
    return bibtexparser.write_string(lib, unparse_stack=stack)
