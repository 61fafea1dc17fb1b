"""CSV: one row per paper (the hub first), for spreadsheets and scripts.

Columns: ``key, relation`` (``hub`` or ``citing``), the paper's fields and
identifiers, ``authors`` (``; ``-separated), then the edge to the hub:
``roles`` (``;``-separated), ``polarity``, ``influential`` (``true``/``false``
or empty), ``claims`` (``1: supportive, 3: critical``) and ``contexts`` - one
per line, each prefixed with its roles when it has any (``[method] ...``).
Empty cells mean the library has no value. Written with the ``csv`` module
(quoting as needed, ``\\n`` line ends). A cell holds at most ``MAX_CELL``
characters (a longer one is cut and ends in ``…``): Python's csv reader, and
others, refuse a field over 131,072 characters by default; the JSON export is
the lossless one.
"""

from __future__ import annotations

import csv
import io

from citetui.export.text import Sanitizer
from citetui.export.view import Item, View

FORMAT = "csv"
SUFFIX = ".csv"
COLUMNS = (
    "key",
    "relation",
    "title",
    "authors",
    "year",
    "venue",
    "doi",
    "arxiv",
    "s2_id",
    "corpus_id",
    "openalex_id",
    "url",
    "citation_count",
    "summary",
    "summary_source",
    "roles",
    "polarity",
    "influential",
    "claims",
    "contexts",
    "abstract",
)


MAX_CELL = 100_000


def _fit(text: str) -> str:
    return text if len(text) <= MAX_CELL else text[: MAX_CELL - 1] + "…"


def _row(item: Item, s: Sanitizer) -> list[str]:
    p = item.paper

    def cell(value: object) -> str:
        return s.line(value) if value is not None else ""

    contexts = []
    for c in item.edge.contexts if item.edge else ():
        text = s.line(c.text)
        if text:
            contexts.append(f"[{', '.join(c.roles)}] {text}" if c.roles else text)
    influential = "" if item.influential is None else ("true" if item.influential else "false")
    return [
        item.key,
        item.relation,
        cell(p.title),
        "; ".join(a for a in (s.line(a) for a in p.authors) if a),
        cell(p.year),
        cell(p.venue),
        cell(p.doi),
        cell(p.arxiv),
        cell(p.s2_id),
        cell(p.corpus_id),
        cell(p.openalex_id),
        cell(p.link),
        cell(p.citation_count),
        cell(p.summary),
        cell(p.summary_source),
        ";".join(item.roles),
        cell(item.polarity),
        influential,
        ", ".join(f"{n}: {stance}" for n, stance, _ in item.claims),
        "\n".join(contexts),
        s.multi(p.abstract) if p.abstract else "",
    ]


def render(view: View, *, terminal: bool = False) -> str:
    """The view as CSV text."""
    s = Sanitizer(terminal)
    buf = io.StringIO()
    w = csv.writer(buf, lineterminator="\n")
    w.writerow(COLUMNS)
    for item in view.items:
        w.writerow([_fit(c) for c in _row(item, s)])
    return buf.getvalue()
