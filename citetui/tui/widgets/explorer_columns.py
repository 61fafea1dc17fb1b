"""The explorer's columns and sorts: which sorts the rows can show, turning the order
round, the columns chosen or filled, the heading line (a mixin of the Explorer)."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from citetui.core.vocab import SORTS, parse_sort, sort_spec
from citetui.tui.widgets import columns as cols

if TYPE_CHECKING:
    from textual.widgets import Static

    from citetui.tui.widgets.lists import CitingList

NO_DATA = {
    "year": "no citing paper has a year",
    "citations": "no citation counts recorded",
    "venue": "no venues recorded",
    "influential": "no citation is marked influential",
    "role": "no citation carries a role label",
    "polarity": "no citation carries a polarity label",
}


class ColumnsAndSorts:
    """What the Explorer shows beside its titles, and in which order."""

    query_text: str
    sort: str
    chosen: tuple[str, ...] | None
    _chosen_read: bool
    _seen: dict[str, int]
    _sort_used: str

    if TYPE_CHECKING:

        @property
        def rows(self) -> CitingList: ...
        @property
        def heading_box(self) -> Static: ...
        def set_sort(self, sort: str) -> None: ...
        def _show_count(self, *, counting: bool) -> None: ...
        def call_after_refresh(self, callback: Any) -> bool: ...

    def usable_sorts(self) -> list[str]:
        """The sort keys that can order these rows: relevance with search words, year and
        citations when some row has them, title."""
        counts = self._seen
        has_words = bool(self.query_text.strip()) and any(
            not t.partition(":")[1] for t in self.query_text.split()
        )
        return [
            key
            for key in SORTS
            if (key != "relevance" or has_words)
            and (key not in cols.SORT_COLUMN or counts.get(key, 1))
        ]

    def flip_sort(self) -> str:
        """Sort the other way round (relevance only goes best first)."""
        key, desc = parse_sort(self._sort_used if self.sort.startswith("relevance") else self.sort)
        self.set_sort(sort_spec(key, not desc))
        return self.sort

    def set_columns(self, columns: tuple[str, ...] | None) -> None:
        """Show these columns (None: those the rows fill)."""
        self.chosen = columns
        self._chosen_read = True
        self._apply_columns()

    def column_data(self) -> dict[str, int]:
        """What the hub's citing papers hold per column (as far as read)."""
        return dict(self._seen)

    def sort_words(self) -> str:
        """The order shown, in words: 'citations, most cited first'."""
        key, desc = parse_sort(self._sort_used)
        return f"{key}, {cols.SORT_WORDS[key, desc]}"

    def _apply_columns(self, *, refresh: bool = True) -> None:
        """Show the chosen columns, or those the rows fill, with the sorted-by one."""
        counts = self._seen
        shown = cols.chosen(self.chosen) if self.chosen is not None else cols.automatic(counts)
        self.rows.cols = cols.with_sort(shown, self._sort_used, counts)
        if refresh:
            self.rows.refresh_rows()
            self._show_count(counting=False)
        self._show_heading()

    def _show_heading(self) -> None:
        width = self.rows.scrollable_content_region.width
        if width > 0:
            self.heading_box.update(self.rows.heading(width))

    def on_resize(self) -> None:
        self.call_after_refresh(self._show_heading)


def valid_sort(sort: str) -> str:
    """``sort`` if it is one (core.vocab.parse_sort), else relevance."""
    try:
        parse_sort(sort)
    except ValueError:
        return "relevance"
    return sort
