"""Citation statements: how a hub is used, sentence by sentence.

Every citation context of the hub, newest first, each with its citing paper, year,
roles and polarity; the search box takes the query syntax (words match the sentence,
``role:`` the sentence's own roles, else its citation's). Reached with ``i`` from the
hub page, or from a role or polarity bar already filtered to it. Enter opens the
citing paper; Esc goes back to the hub.
"""

from __future__ import annotations

import time
from typing import ClassVar

from rich.text import Text
from textual import on, work
from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.message import Message
from textual.screen import Screen
from textual.widgets import Input, Static
from textual.worker import Worker, WorkerState, get_current_worker

from citetui.core.models import Statement
from citetui.core.query import Query, QueryError, parse
from citetui.core.textsafe import clean
from citetui.render.bars import plural
from citetui.store import Library
from citetui.tui.support.appref import citetui_app
from citetui.tui.support.paging import PAGE_SIZE, Pager
from citetui.tui.widgets.footer import Footer
from citetui.tui.widgets.search_box import TYPING_PAUSE, SearchBox
from citetui.tui.widgets.statements import StatementList
from citetui.tui.widgets.virtual_list import VirtualList

PLACEHOLDER = "filter: words  'exact  !exclude  role:method  pol:critical  year:2020..2024"


class StatementsScreen(Screen):
    """The citation statements of one hub."""

    AUTO_FOCUS = "#statements-list"

    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("escape", "close", "Back to the hub", id="statements.close"),
        Binding("slash", "search", "Filter", id="statements.search", priority=True),
        Binding("c", "clear", "Clear filter", id="statements.clear"),
    ]
    HELP = (
        "Citation statements: every sentence citing the hub, with its citing paper, year, "
        "roles and polarity, newest first. / filters them with the query syntax (words are "
        "matched in the sentence; role: takes the sentence's own roles, else its "
        "citation's); Enter opens the citing paper; Esc goes back to the hub."
    )

    class Results(Message):
        """A filter's first statements, and how many there are (None: still counting)."""

        def __init__(
            self, generation: int, pager: Pager[Statement], counted: tuple[int, int] | None
        ) -> None:
            super().__init__()
            self.generation = generation
            self.pager = pager
            self.counted = counted

    class Counted(Message):
        """How many statements a filter selects, and from how many citing papers."""

        def __init__(self, generation: int, counted: tuple[int, int]) -> None:
            super().__init__()
            self.generation = generation
            self.counted = counted

    def __init__(self, lib: Library, hub_id: int, title: str, query: str = "") -> None:
        super().__init__()
        self.lib = lib
        self.hub_id = hub_id
        self.hub_title = title
        self.query_text = query
        self._generation = 0
        self._all: tuple[int, int] | None = None  # every statement of the hub, counted

    def compose(self) -> ComposeResult:
        yield Static(
            Text("Citation statements · ", style="dim") + Text(clean(self.hub_title), style="bold"),
            id="statements-title",
        )
        yield SearchBox(value=self.query_text, placeholder=PLACEHOLDER, id="statements-search")
        yield Static("reading the statements…", id="statements-status", markup=False)
        yield StatementList(id="statements-list")
        yield Footer()

    def on_mount(self) -> None:
        self.sub_title = "citation statements"
        self.query_one(SearchBox).target = self.rows
        self._run()

    @property
    def rows(self) -> StatementList:
        """The list of statements."""
        return self.query_one("#statements-list", StatementList)

    # -- reading --------------------------------------------------------------

    def _run(self) -> None:
        self._generation += 1
        self._read(self.query_text, self._generation)

    @work(thread=True, exclusive=True, exit_on_error=False, group="statements")
    def _read(self, text: str, generation: int) -> None:
        worker = get_current_worker()
        try:
            q = parse(text)
        except QueryError as exc:
            self.app.call_from_thread(self._say, f"bad filter: {exc}")
            return
        if text.strip():
            time.sleep(TYPING_PAUSE)  # a newer keystroke cancels this one before it reads
            if worker.is_cancelled:
                return
        lib, hub = self.lib, self.hub_id
        first = lib.statements(hub, q, limit=PAGE_SIZE)

        def fetch(offset: int, limit: int) -> list[Statement]:
            return lib.statements(hub, q, offset=offset, limit=limit)

        short = len(first) < PAGE_SIZE
        counted = (len(first), len({s.citing_id for s in first})) if short else None
        if worker.is_cancelled:
            return
        pager: Pager[Statement] = Pager(counted[0] if counted else PAGE_SIZE, fetch, first)
        self.post_message(self.Results(generation, pager, counted))
        everything = q == Query()
        if counted is None:
            counted = lib.count_statements(hub, q)
        if self._all is None:  # what "of N" counts, once
            self._all = counted if everything else lib.count_statements(hub, Query())
        if not worker.is_cancelled and not (short and everything):
            self.post_message(self.Counted(generation, counted))

    def on_statements_screen_results(self, message: Results) -> None:
        if message.generation != self._generation:
            return
        empty = (
            "no statement matches this filter"
            if self.query_text.strip()
            else "no citation contexts of this hub are in the library"
        )
        self.rows.set_pager(message.pager, message=empty)
        self._show(message.counted)

    def on_statements_screen_counted(self, message: Counted) -> None:
        if message.generation != self._generation:
            return
        self.rows.set_total(message.counted[0])
        self._show(message.counted)

    def _show(self, counted: tuple[int, int] | None) -> None:
        if counted is None:
            self._say(f"{PAGE_SIZE:,}+ statements (counting…)")
            return
        n, papers = counted
        text = f"{plural(n, 'statement')} from {plural(papers, 'citing paper')}"
        if self.query_text.strip():
            every = self._all
            of = f" of {every[0]:,}" if every is not None else ""
            text = f"{n:,}{of} statements match {self.query_text.strip()} (from " + (
                f"{plural(papers, 'citing paper')})"
            )
        self._say(text)

    def _say(self, text: str) -> None:
        self.query_one("#statements-status", Static).update(Text(clean(text)))

    def on_worker_state_changed(self, event: Worker.StateChanged) -> None:
        if event.state == WorkerState.ERROR and event.worker.group == "statements":
            self._say(f"cannot read the statements: {clean(str(event.worker.error))}")

    # -- keys -----------------------------------------------------------------

    @on(Input.Changed, "#statements-search")
    def _typed(self, event: Input.Changed) -> None:
        event.stop()
        if event.value != self.query_text:
            self.query_text = event.value
            self._run()

    @on(SearchBox.Navigate, "#statements-search")
    def _navigate(self, event: SearchBox.Navigate) -> None:
        event.stop()
        getattr(self.rows, f"action_{event.action}")()

    @on(SearchBox.Leave, "#statements-search")
    def _leave(self, event: SearchBox.Leave) -> None:
        event.stop()
        self.set_focus(self.rows)

    @on(VirtualList.Selected, "#statements-list")
    def _open(self, event: VirtualList.Selected) -> None:
        if event.row is not None:
            citetui_app(self).open_paper(event.row.citing_id, self.hub_id)

    def action_search(self) -> None:
        box = self.query_one(SearchBox)
        if box.has_focus:
            box.insert_text_at_cursor("/")
        else:
            self.set_focus(box)

    def action_clear(self) -> None:
        box = self.query_one(SearchBox)
        box.value = ""

    def action_close(self) -> None:
        self.dismiss(None)
