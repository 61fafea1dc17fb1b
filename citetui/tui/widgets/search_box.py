"""The search box: an Input whose arrow keys move the list it filters, fzf-style."""

from __future__ import annotations

from typing import Any, ClassVar

from textual.binding import Binding, BindingType
from textual.message import Message
from textual.widget import Widget
from textual.widgets import Input

TYPING_PAUSE = 0.06  # seconds a text search waits for the next keystroke before it starts


class SearchBox(Input):
    """Type to filter; Up/Down/PageUp/PageDown move the list; Enter or Escape go to it."""

    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("down", "navigate('cursor_down')", "Down", show=False),
        Binding("up", "navigate('cursor_up')", "Up", show=False),
        Binding("pagedown", "navigate('page_down')", "Page down", show=False),
        Binding("pageup", "navigate('page_up')", "Page up", show=False),
        Binding("escape", "leave", "To the list", show=False, id="search.leave"),
    ]

    class Navigate(Message):
        """Move the cursor of the list this box filters (``action`` is a list action)."""

        def __init__(self, box: SearchBox, action: str) -> None:
            super().__init__()
            self.box = box
            self.action = action

        @property
        def control(self) -> SearchBox:
            return self.box

    class Leave(Message):
        """The user is done typing (Enter or Escape): focus the list."""

        def __init__(self, box: SearchBox) -> None:
            super().__init__()
            self.box = box

        @property
        def control(self) -> SearchBox:
            return self.box

    def __init__(self, **kwargs: Any) -> None:
        kwargs.setdefault("select_on_focus", False)
        super().__init__(**kwargs)
        self.target: Widget | None = None  # the list this box filters

    def action_navigate(self, action: str) -> None:
        self.post_message(self.Navigate(self, action))

    def action_leave(self) -> None:
        # Focus moves at once, not when a message is handled: a key typed right after
        # (Enter Enter: leave the box, open the row) must already reach the list.
        if self.target is not None:
            self.screen.set_focus(self.target)
        self.post_message(self.Leave(self))

    async def action_submit(self) -> None:
        await super().action_submit()
        self.action_leave()
