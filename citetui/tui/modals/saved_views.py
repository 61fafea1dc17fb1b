"""Saved views in the browser: save the explorer's query and sort, recall them by slot."""

from __future__ import annotations

from typing import ClassVar

from rich.text import Text
from textual import on
from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import Vertical
from textual.events import Key
from textual.screen import ModalScreen
from textual.widgets import Input, OptionList, Static
from textual.widgets.option_list import Option

from citetui.core.models import SavedView
from citetui.core.textsafe import clean

SETTLE_SECONDS = 1.0  # a search is remembered once the query stayed this long


def view_label(view: SavedView) -> Text:
    """One line for a view: slot, name, query and sort."""
    slot = f"{view.slot} " if view.slot else "  "
    query = view.query or "(every citing paper)"
    return (
        Text(slot)
        + Text(clean(view.name, limit=40), style="bold")
        + Text(f"  {clean(query, limit=60)} · sorted by {view.sort}", style="dim")
    )


class SaveViewModal(ModalScreen[tuple[str, int | None] | None]):
    """Ask for a view's name and an optional number key 1-9."""

    BINDINGS: ClassVar[list[BindingType]] = [Binding("escape", "cancel", "Cancel")]

    def __init__(self, query: str, sort: str) -> None:
        super().__init__()
        self.query_text = query
        self.sort = sort

    def compose(self) -> ComposeResult:
        with Vertical(id="personal-dialog"):
            yield Static(Text("Save this view (Enter saves, Esc cancels)"))
            yield Static(
                Text(
                    f"{clean(self.query_text or '(every citing paper)', limit=70)} · "
                    f"sorted by {self.sort}",
                    style="dim",
                )
            )
            yield Input(placeholder="name", id="view-name")
            yield Input(
                placeholder="number key 1-9 (optional)",
                id="view-slot",
                max_length=1,
                restrict=r"[1-9]?",
            )

    @on(Input.Submitted)
    def _submitted(self) -> None:
        name = self.query_one("#view-name", Input).value.strip()
        if not name:
            self.query_one("#view-name", Input).focus()
            self.notify("a saved view needs a name", timeout=2)
            return
        slot = self.query_one("#view-slot", Input).value.strip()
        self.dismiss((name, int(slot) if slot else None))

    def action_cancel(self) -> None:
        self.dismiss(None)


class ViewsModal(ModalScreen[SavedView | None]):
    """The saved views: a number key recalls the view in that slot, Enter the highlighted."""

    BINDINGS: ClassVar[list[BindingType]] = [Binding("escape", "cancel", "Cancel")]

    def __init__(self, views: list[SavedView]) -> None:
        super().__init__()
        self.views = views

    def compose(self) -> ComposeResult:
        with Vertical(id="personal-dialog"):
            yield Static(Text("Saved views (1-9 or Enter recalls one, Esc cancels)"))
            if self.views:
                yield OptionList(*(Option(view_label(v)) for v in self.views), id="views")
            else:
                yield Static(Text("no saved views yet: w saves the current one", style="dim"))

    def on_key(self, event: Key) -> None:
        if event.character and event.character in "123456789":
            view = next((v for v in self.views if v.slot == int(event.character)), None)
            event.stop()
            event.prevent_default()
            if view is None:
                self.notify(f"no view on key {event.character}", timeout=2)
            else:
                self.dismiss(view)

    @on(OptionList.OptionSelected)
    def _chosen(self, event: OptionList.OptionSelected) -> None:
        self.dismiss(self.views[event.option_index])

    def action_cancel(self) -> None:
        self.dismiss(None)
