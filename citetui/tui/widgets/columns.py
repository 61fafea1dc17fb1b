"""The explorer's columns: which it shows, how wide, and the heading line above the rows.

A column is shown when some citing paper of the hub has a value for it (or when the
user chose it); the role and polarity columns only when at least a fifth of the rows
carry one: fewer labels are shown as a tag after the title of the rows that have them,
so one label does not cut every other title short. The sorted-by column is shown
when any row has it, and the heading marks it with an arrow.
"""

from __future__ import annotations

from dataclasses import dataclass

from rich.text import Text

from citetui.core.vocab import COLUMNS, parse_sort
from citetui.tui.support.rendering import fit, join

DENSE_SHARE = 0.2  # the share of rows with a role (polarity) from which it gets a column
MIN_TITLE = 24  # cells the title keeps before a column is dropped
TITLE_SHARE = 0.4  # ... and at least this share of the row
HEADINGS = {
    "year": "year",
    "venue": "venue",
    "citations": "cited",
    "influential": "*",
    "role": "role",
    "polarity": "polarity",
}
# Dropped first when the screen is narrow (the sorted-by column is kept).
DROP_ORDER = ("venue", "influential", "citations", "polarity", "role", "year")
SORT_COLUMN = {
    "year": "year",
    "citations": "citations",
    "venue": "venue",
    "influential": "influential",
    "role": "role",
    "polarity": "polarity",
}


@dataclass(frozen=True)
class Columns:
    """What the explorer shows beside the titles."""

    columns: tuple[str, ...] = ("year",)  # shown as columns, in COLUMNS order
    tags: tuple[str, ...] = ()  # "role"/"polarity" shown after the title where present
    chosen: bool = False  # the user chose them (else decided by the rows)
    sort: str = "year"  # the sort the heading marks (core.vocab.parse_sort)


def automatic(counts: dict[str, int]) -> Columns:
    """The columns the rows fill (``counts``: Library.column_counts)."""
    rows = counts.get("rows", 0)
    columns, tags = [], []
    for name in COLUMNS:
        n = counts.get(name, 0)
        if not n:
            continue
        if name in ("role", "polarity") and n < DENSE_SHARE * rows:
            tags.append(name)
        else:
            columns.append(name)
    return Columns(tuple(columns), tuple(tags))


def counts_of_rows(rows: list) -> dict[str, int]:  # noqa: ANN001 - CitingRow
    """Column counts from rows in memory (a hub's first page, before the whole is counted)."""
    return {
        "rows": len(rows),
        "year": sum(r.year is not None for r in rows),
        "venue": sum(bool(r.venue) for r in rows),
        "citations": sum(r.citation_count is not None for r in rows),
        "influential": sum(bool(r.influential) for r in rows),
        "role": sum(bool(r.roles) for r in rows),
        "polarity": sum(r.polarity is not None for r in rows),
    }


def chosen(names: tuple[str, ...]) -> Columns:
    """The columns the user chose."""
    return Columns(tuple(c for c in COLUMNS if c in names), (), chosen=True)


def with_sort(cols: Columns, sort: str, counts: dict[str, int]) -> Columns:
    """The columns, with the sorted-by one added when some row has it."""
    key, _ = parse_sort(sort)
    need = SORT_COLUMN.get(key)
    if need is None or need in cols.columns or not counts.get(need):
        return Columns(cols.columns, cols.tags, cols.chosen, sort)
    shown = tuple(c for c in COLUMNS if c in cols.columns or c == need)
    return Columns(shown, tuple(t for t in cols.tags if t != need), cols.chosen, sort)


def widths(
    columns: tuple[str, ...], width: int, *, sort: str = "year", counts_w: int = 7
) -> dict[str, int]:
    """Cells per column for a row ``width`` wide (the title takes the rest), dropping
    columns in DROP_ORDER while the title would keep fewer than MIN_TITLE cells; the
    sorted-by column is wide enough for its heading and arrow, and is kept."""
    want = {
        "year": 4,
        "venue": min(24, max(10, width // 7)),
        "citations": counts_w,
        "influential": 1,
        "role": 18 if width >= 90 else 12,
        "polarity": 10,
    }
    sorted_by = SORT_COLUMN.get(parse_sort(sort)[0])
    if sorted_by is not None:
        want[sorted_by] = max(want[sorted_by], len(HEADINGS[sorted_by]) + 2)
    shown = [c for c in columns if c in want]
    while True:
        used = sum(want[c] + 2 for c in shown)
        if width - 2 - used >= max(MIN_TITLE, int(width * TITLE_SHARE)) or not shown:
            break
        drop = next((c for c in DROP_ORDER if c in shown and c != sorted_by), None)
        if drop is None:
            break
        shown.remove(drop)
    out = {c: want[c] for c in shown}
    out["title"] = max(8, width - 2 - sum(w + 2 for w in out.values()))  # a space each end
    return out


def arrow(descending: bool) -> str:
    """↓ for a descending sort, ↑ for an ascending one."""
    return "↓" if descending else "↑"


def heading(cols: Columns, width: int, sort: str, *, marks: bool = False) -> Text:
    """The heading line over the rows, the sorted-by column marked with its direction."""
    key, desc = parse_sort(sort)
    w = widths(cols.columns, width - (4 if marks else 0), sort=sort)
    parts: list[Text] = []
    if marks:
        parts.append(Text("  "))

    def head(name: str, right: bool = False) -> Text:
        label = HEADINGS.get(name, name)
        if SORT_COLUMN.get(key, "title" if key == "title" else None) == name:
            label += " " + arrow(desc)
        return fit(label, w[name], right=right)

    for name in ("year", "influential"):
        if name in w:
            parts.append(head(name))
    parts.append(head("title"))
    for name in ("venue", "citations", "role", "polarity"):
        if name in w:
            parts.append(head(name, right=name == "citations"))
    return Text(" ") + join(*parts, sep="  ")


SORT_WORDS = {
    ("relevance", True): "best match first",
    ("year", True): "newest first",
    ("year", False): "oldest first",
    ("citations", True): "most cited first",
    ("citations", False): "least cited first",
    ("title", False): "A to Z",
    ("title", True): "Z to A",
    ("venue", False): "A to Z",
    ("venue", True): "Z to A",
    ("influential", True): "influential first",
    ("influential", False): "influential last",
    ("role", False): "background to critique",
    ("role", True): "critique to background",
    ("polarity", False): "supportive to critical",
    ("polarity", True): "critical to supportive",
}
