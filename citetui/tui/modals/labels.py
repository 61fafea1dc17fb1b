"""Overriding a citation's role(s) and polarity from the paper page."""

from __future__ import annotations

from typing import ClassVar

from rich.text import Text
from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import Vertical
from textual.screen import ModalScreen
from textual.widgets import RadioButton, RadioSet, SelectionList, Static

from citetui.core.textsafe import clean
from citetui.core.vocab import POLARITIES, ROLES

NO_POLARITY = "(none: the sources decide)"


class LabelModal(ModalScreen[tuple[tuple[str, ...], str | None] | None]):
    """Choose the roles (space toggles) and the polarity; ctrl+s saves, escape cancels.

    No role chosen clears the role override; "(none)" clears the polarity override,
    so the sources' labels apply again."""

    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("ctrl+s", "save", "Save", id="label.save"),
        Binding("escape", "cancel", "Cancel", id="label.cancel"),
    ]

    def __init__(self, title: str, roles: tuple[str, ...], polarity: str | None) -> None:
        super().__init__()
        self.cited_title = title
        self.roles = roles
        self.polarity = polarity

    def compose(self) -> ComposeResult:
        with Vertical(id="personal-dialog", classes="-labels"):
            yield Static(
                Text("Your labels for the citation of " + clean(self.cited_title, limit=60))
            )
            yield Static(
                Text(
                    "space toggles a role · tab moves to the polarity · ctrl+s saves · esc cancels",
                    style="dim",
                )
            )
            yield SelectionList[str](*((r, r, r in self.roles) for r in ROLES), id="label-roles")
            with RadioSet(id="label-polarity"):
                yield RadioButton(NO_POLARITY, value=self.polarity is None)
                for p in POLARITIES:
                    yield RadioButton(p, value=p == self.polarity)

    def on_mount(self) -> None:
        self.query_one("#label-roles", SelectionList).focus()

    def action_save(self) -> None:
        roles = tuple(self.query_one("#label-roles", SelectionList).selected)
        radio = self.query_one("#label-polarity", RadioSet)
        index = radio.pressed_index
        polarity = POLARITIES[index - 1] if index >= 1 else None
        self.dismiss((roles, polarity))

    def action_cancel(self) -> None:
        self.dismiss(None)
