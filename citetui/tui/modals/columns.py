"""Choosing the explorer's columns (kept for the hub, and with a view saved from it)."""

from __future__ import annotations

from typing import ClassVar

from rich.text import Text
from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import Vertical
from textual.screen import ModalScreen
from textual.widgets import SelectionList, Static
from textual.widgets.selection_list import Selection

from citetui.core.vocab import COLUMNS

DESCRIPTIONS = {
    "year": "year",
    "venue": "venue",
    "citations": "citation count",
    "influential": "influential citation (*)",
    "role": "citation role",
    "polarity": "citation polarity",
}


class ColumnsModal(ModalScreen[tuple[str, ...] | bool | None]):
    """Space toggles a column; ctrl+s keeps the choice, ``a`` goes back to the columns the
    rows fill, escape cancels. Columns no citing paper has a value for cannot be chosen.

    Dismissed with the chosen columns, True for automatic, False for cancelled."""

    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("ctrl+s", "save", "Save", id="columns.save"),
        Binding("a", "automatic", "Automatic", id="columns.automatic"),
        Binding("escape", "cancel", "Cancel", id="columns.cancel"),
    ]

    def __init__(
        self,
        shown: tuple[str, ...],
        counts: dict[str, int],
        chosen: tuple[str, ...] | None,
    ) -> None:
        super().__init__()
        self.shown = shown
        self.counts = counts
        self.chosen = chosen

    def compose(self) -> ComposeResult:
        rows = self.counts.get("rows", 0)
        with Vertical(id="personal-dialog", classes="-columns"):
            how = "chosen by you" if self.chosen is not None else "those the rows fill"
            yield Static(Text(f"Explorer columns (now: {how})"))
            yield Static(
                Text(
                    "space toggles · ctrl+s keeps them for this hub · a: those the rows fill · "
                    "esc cancels",
                    style="dim",
                )
            )
            options = []
            for name in COLUMNS:
                n = self.counts.get(name, 0)
                if name in ("venue", "citations"):
                    have = "some citing papers have one" if n else "no citing paper has one"
                else:
                    have = f"{n:,} of {rows:,} citing papers" if n else "no citing paper has one"
                options.append(
                    Selection(
                        f"{DESCRIPTIONS[name]}  ({have})",
                        name,
                        name in self.shown,
                        disabled=not n,
                    )
                )
            yield SelectionList[str](*options, id="columns-list")

    def on_mount(self) -> None:
        self.query_one("#columns-list", SelectionList).focus()

    def action_save(self) -> None:
        picked = set(self.query_one("#columns-list", SelectionList).selected)
        self.dismiss(tuple(c for c in COLUMNS if c in picked))

    def action_automatic(self) -> None:
        self.dismiss(True)

    def action_cancel(self) -> None:
        self.dismiss(False)
