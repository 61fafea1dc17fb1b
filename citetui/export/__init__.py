"""Exports of a hub or a filtered view of it: BibTeX, CSV, JSON (a hub bundle), Markdown, RIS.

:func:`export` is the one entry point (the CLI's ``citetui export`` and the
browser's "export current view" both call it). The query has the syntax of
search (:mod:`citetui.core.query`); without one, every citing paper of the hub is
written. See docs/exports-and-fetch.md for what each format carries.
"""

from __future__ import annotations

from citetui.export import bibtex, csv, json, markdown, ris
from citetui.export.text import dump_json
from citetui.export.view import View, build_view
from citetui.store import Library

FORMATS: dict[str, str] = {
    bibtex.FORMAT: bibtex.SUFFIX,
    csv.FORMAT: csv.SUFFIX,
    json.FORMAT: json.SUFFIX,
    markdown.FORMAT: markdown.SUFFIX,
    ris.FORMAT: ris.SUFFIX,
}
_RENDER = {
    bibtex.FORMAT: bibtex.render,
    csv.FORMAT: csv.render,
    markdown.FORMAT: markdown.render,
    ris.FORMAT: ris.render,
}


def export(
    lib: Library, hub_id: int, fmt: str, query: str | None = None, *, terminal: bool = False
) -> str:
    """The hub ``hub_id`` (or the citing papers ``query`` selects) in format ``fmt``.

    With ``terminal``, every data string is passed through
    :func:`citetui.core.textsafe.clean` (for printing); otherwise data is kept as it
    is except control characters. JSON is lossless either way: characters a
    terminal would act on are written as ``\\uXXXX`` escapes.
    """
    return export_counted(lib, hub_id, fmt, query, terminal=terminal)[0]


def export_counted(
    lib: Library, hub_id: int, fmt: str, query: str | None = None, *, terminal: bool = False
) -> tuple[str, int]:
    """:func:`export` and how many citing papers the export holds."""
    if fmt not in FORMATS:
        raise ValueError(f"unknown export format {fmt!r} (known: {', '.join(FORMATS)})")
    if fmt == json.FORMAT:
        doc = json.build_bundle(lib, hub_id, query)
        hub_key = doc["hub"]["paper"]
        n = len({c["citing"] for c in doc["citations"] if c["cited"] == hub_key})
        return dump_json(doc), n
    view = build_view(lib, hub_id, query)
    return _RENDER[fmt](view, terminal=terminal), len(view.citing)


__all__ = ["FORMATS", "View", "build_view", "export", "export_counted"]
