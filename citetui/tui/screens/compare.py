"""Compare two hubs: the papers that cite both, each with its citation contexts for the one
hub and for the other side by side. Reached from the command palette on a hub page
("Compare with: ..."); Enter opens the citing paper's page."""

from __future__ import annotations

from typing import ClassVar

from rich.table import Table
from rich.text import Text
from textual import on, work
from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.message import Message
from textual.screen import Screen
from textual.widgets import OptionList, Static
from textual.widgets.option_list import Option
from textual.worker import Worker, WorkerState

from citetui.analysis.timeline import SharedCiter, compare
from citetui.core.textsafe import clean
from citetui.store import Library
from citetui.tui.support.appref import citetui_app
from citetui.tui.widgets.footer import Footer

SHOWN = 500  # shared citers listed at most (the count says how many there are)
CONTEXTS = 3  # contexts shown per hub and paper


def _side(contexts: tuple[str, ...]) -> Text:
    if not contexts:
        return Text("no citation context recorded", style="dim")
    out = Text()
    for i, c in enumerate(contexts[:CONTEXTS]):
        if i:
            out.append("\n")
        out.append("“" + clean(c, limit=300) + "”")
    if len(contexts) > CONTEXTS:
        out.append(f"\n… {len(contexts) - CONTEXTS} more", style="dim")
    return out


def shared_row(s: SharedCiter) -> Table:
    """One paper citing both hubs: its year and title, then the two hubs' contexts."""
    grid = Table.grid(expand=True, padding=(0, 2))
    grid.add_column(ratio=1)
    grid.add_column(ratio=1)
    head = Text(f"{s.year or '----'}  ", style="dim")
    head.append(clean(s.label, limit=150), style="bold")
    grid.add_row(head, "")
    grid.add_row(_side(s.contexts_a), _side(s.contexts_b))
    return grid


class CompareScreen(Screen):
    """The papers citing both of two hubs."""

    AUTO_FOCUS = "#compare-list"

    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("escape", "close", "Back to the hub", id="compare.close"),
    ]
    HELP = "Papers citing both hubs, with both citation contexts; Enter opens the paper."

    class Ready(Message):
        def __init__(self, shared: list[SharedCiter]) -> None:
            super().__init__()
            self.shared = shared

    def __init__(self, lib: Library, hub_a: int, hub_b: int, title_a: str, title_b: str):
        super().__init__()
        self.lib = lib
        self.hub_a, self.hub_b = hub_a, hub_b
        self.title_a, self.title_b = title_a, title_b
        self.shared: list[SharedCiter] = []

    def compose(self) -> ComposeResult:
        head = Table.grid(expand=True, padding=(0, 2))
        head.add_column(ratio=1)
        head.add_column(ratio=1)
        head.add_row(
            Text("A: " + clean(self.title_a, limit=120), style="bold"),
            Text("B: " + clean(self.title_b, limit=120), style="bold"),
        )
        yield Static(head, id="compare-head")
        yield Static(Text("reading the papers that cite both…", style="dim"), id="compare-count")
        yield OptionList(id="compare-list")
        yield Footer()

    def on_mount(self) -> None:
        self.sub_title = "compare hubs"
        self._load()

    @work(thread=True, exclusive=True, exit_on_error=False, group="compare")
    def _load(self) -> None:
        self.post_message(self.Ready(compare(self.lib, self.hub_a, self.hub_b)))

    def on_worker_state_changed(self, event: Worker.StateChanged) -> None:
        if event.state == WorkerState.ERROR and event.worker.group == "compare":
            self.query_one("#compare-count", Static).update(
                Text(f"cannot compare: {clean(str(event.worker.error))}")
            )

    def on_compare_screen_ready(self, message: Ready) -> None:
        self.shared = message.shared[:SHOWN]
        n = len(message.shared)
        count = f"{n:,} paper{'s' if n != 1 else ''} cite both"
        if n > SHOWN:
            count += f" (the first {SHOWN} shown)"
        self.query_one("#compare-count", Static).update(Text(count))
        options = self.query_one("#compare-list", OptionList)
        options.clear_options()
        if not self.shared:
            options.add_option(
                Option(Text("no paper in the library cites both hubs"), disabled=True)
            )
            return
        options.add_options([Option(shared_row(s)) for s in self.shared])
        options.highlighted = 0

    @on(OptionList.OptionSelected, "#compare-list")
    def _open(self, event: OptionList.OptionSelected) -> None:
        if self.shared:
            citetui_app(self).open_paper(self.shared[event.option_index].paper_id, self.hub_a)

    def action_close(self) -> None:
        self.dismiss(None)
