"""The dialogs of the personal layer: a tag to add or remove, a note to edit."""

from __future__ import annotations

from typing import ClassVar

from rich.text import Text
from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import Vertical
from textual.screen import ModalScreen
from textual.widgets import Input, Static, TextArea

from citetui.core.textsafe import clean, visible


class TagModal(ModalScreen[str | None]):
    """Ask for a tag (a leading - removes it)."""

    BINDINGS: ClassVar[list[BindingType]] = [Binding("escape", "cancel", "Cancel")]

    def __init__(self, current: tuple[str, ...], title: str = "") -> None:
        super().__init__()
        self.current = current
        self.paper_title = title

    def compose(self) -> ComposeResult:
        with Vertical(id="personal-dialog"):
            yield Static(Text("Tag ") + Text(clean(self.paper_title, limit=70), style="bold"))
            yield Static(Text("-tag removes one; Enter saves, Esc cancels", style="dim"))
            if self.current:
                yield Static(Text("tags: " + clean(", ".join(self.current)), style="dim"))
            yield Input(placeholder="tag", id="tag-input")

    def on_input_submitted(self, event: Input.Submitted) -> None:
        self.dismiss(event.value.strip() or None)

    def action_cancel(self) -> None:
        self.dismiss(None)


class NoteModal(ModalScreen[str | None]):
    """Edit a paper's note; ctrl+s saves, escape cancels."""

    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("ctrl+s", "save", "Save", id="note.save"),
        Binding("escape", "cancel", "Cancel", id="note.cancel"),
    ]

    def __init__(self, note: str | None, title: str = "") -> None:
        super().__init__()
        # shown with control characters as symbols: a note may come from someone's bundle
        self.note = visible(note)
        self.paper_title = title

    def compose(self) -> ComposeResult:
        with Vertical(id="personal-dialog", classes="-note"):
            yield Static(
                Text("Note on ")
                + Text(clean(self.paper_title, limit=70), style="bold")
                + Text("  (ctrl+s saves, Esc cancels)", style="dim")
            )
            yield TextArea(self.note, id="note-area", soft_wrap=True)

    def action_save(self) -> None:
        self.dismiss(self.query_one("#note-area", TextArea).text)

    def action_cancel(self) -> None:
        self.dismiss(None)
