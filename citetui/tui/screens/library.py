"""The library screen: every hub, filtered as you type; Enter opens one."""

from __future__ import annotations

import time
from dataclasses import replace
from typing import ClassVar

from textual import on, work
from textual.app import ComposeResult, RenderResult
from textual.binding import Binding, BindingType
from textual.message import Message
from textual.screen import Screen
from textual.widgets import Input, Static
from textual.worker import Worker, WorkerState, get_current_worker

from citetui.core.models import Hub
from citetui.core.query import Query, QueryError, parse
from citetui.core.textsafe import clean
from citetui.render.bars import plural
from citetui.store import Library
from citetui.tui.messages import OpenHub
from citetui.tui.support.appref import citetui_app
from citetui.tui.support.paging import Pager
from citetui.tui.support.rendering import lit
from citetui.tui.widgets.footer import Footer
from citetui.tui.widgets.lists import HubList
from citetui.tui.widgets.search_box import TYPING_PAUSE, SearchBox
from citetui.tui.widgets.virtual_list import VirtualList


class ColumnHeader(Static):
    """The column headings of the hub list, laid out for the current width."""

    def render(self) -> RenderResult:
        return HubList.header(self.content_region.width)


class LibraryScreen(Screen):
    """The hubs of the library with their figures."""

    AUTO_FOCUS = "HubList"

    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("slash", "search", "Filter", id="library.search", priority=True),
        Binding("y", "copy('title')", "Copy title", id="library.copy-title"),
        Binding("Y", "copy('id')", "Copy DOI/arXiv", show=False, id="library.copy-id"),
        Binding("o", "open_link", "Open link", show=False, id="library.open-link"),
        Binding("r", "refresh", "Reload", show=False, id="library.refresh"),
    ]
    HELP = "Every hub in the library. Type / to filter, Enter to open a hub."

    class HubsReady(Message):
        """The hubs matching a filter were read (posted by a worker)."""

        def __init__(
            self, generation: int, hubs: list[Hub], total: int, query: Query | None
        ) -> None:
            super().__init__()
            self.generation = generation
            self.hubs = hubs
            self.total = total
            self.query = query

    class FilterFailed(Message):
        """The filter could not be run."""

        def __init__(self, generation: int, message: str) -> None:
            super().__init__()
            self.generation = generation
            self.message = message

    def __init__(self, lib: Library) -> None:
        super().__init__()
        self.lib = lib
        self._generation = 0
        self.filter_text = ""

    def compose(self) -> ComposeResult:
        yield Static(lit("citetui · hubs in your library", "bold"), id="library-title")
        yield SearchBox(
            placeholder="filter hubs: words  'exact  !exclude   (/ to type, Esc to leave)",
            id="library-search",
        )
        yield Static("reading the library…", id="library-status", markup=False)
        yield ColumnHeader(id="library-columns")
        yield HubList(id="hubs")
        yield Footer()

    def on_mount(self) -> None:
        self.query_one("#library-search", SearchBox).target = self.hub_list
        self.query_one(HubList).show_message("reading the library…")
        self.refilter()

    def on_screen_resume(self) -> None:
        self.query_one(ColumnHeader).refresh()

    @property
    def hub_list(self) -> HubList:
        return self.query_one(HubList)

    # -- filtering ----------------------------------------------------------

    @on(Input.Changed, "#library-search")
    def _typed(self, event: Input.Changed) -> None:
        if event.value != self.filter_text:
            self.filter_text = event.value
            self.refilter()

    def refilter(self) -> None:
        """Run the filter in a worker (a newer one cancels this)."""
        self._generation += 1
        if self.filter_text.strip():
            self.query_one("#library-status", Static).update(lit("filtering…"))
        self._filter(self.filter_text, self._generation)

    @work(thread=True, exclusive=True, exit_on_error=False, group="library-filter")
    def _filter(self, text: str, generation: int) -> None:
        worker = get_current_worker()
        hubs = self.lib.hubs()
        if not text.strip():
            self.post_message(self.HubsReady(generation, hubs, len(hubs), None))
            self._count_verdicts(hubs, generation)
            return
        try:
            q = parse(text)
            if q.filter.needs_hub:
                raise QueryError(
                    "role:, pol: and claim: filters work in a hub's explorer, not in the hub list"
                )
        except QueryError as exc:
            self.post_message(self.FilterFailed(generation, f"bad filter: {exc}"))
            return
        time.sleep(TYPING_PAUSE)  # a newer keystroke cancels this before the search starts
        if worker.is_cancelled:
            return
        from citetui.search import search  # imported at the first search, not at start-up

        result = search(self.lib, q, hub_id=None, limit=1)
        if worker.is_cancelled:
            return
        by_id = {h.paper.id: h for h in hubs}
        ids = tuple(i for i, m in zip(result.ids, result.match, strict=False) if m == "all")
        ids = ids or tuple(r.paper_id for r in result.rows if result.tier(r.paper_id) == "all")
        matching = [by_id[i] for i in ids if i in by_id]
        self.post_message(self.HubsReady(generation, matching, len(hubs), q))
        self._count_verdicts(matching, generation)

    def _count_verdicts(self, hubs: list[Hub], generation: int) -> None:
        """Read the polarity counts the hub list's verdicts need that were not kept with
        the hubs' panes (in the filter's worker, after the list is on screen)."""
        missing = [h.paper.id for h in hubs if h.polarity_counts is None]
        if missing:
            counts = self.lib.polarity_counts(missing)
            if not get_current_worker().is_cancelled:
                self.post_message(self.VerdictsCounted(generation, counts))

    class VerdictsCounted(Message):
        """Polarity counts of hubs whose verdict was not known when they were listed."""

        def __init__(self, generation: int, counts: dict[int, dict[str, int]]) -> None:
            super().__init__()
            self.generation = generation
            self.counts = counts

    def on_library_screen_verdicts_counted(self, message: VerdictsCounted) -> None:
        hubs = self.hub_list
        pager = hubs.pager
        if message.generation != self._generation or pager is None:
            return
        rows = [pager.get(i) for i in range(pager.total)]
        updated = [
            replace(h, polarity_counts=message.counts.get(h.paper.id, {}))
            if h is not None and h.polarity_counts is None
            else h
            for h in rows
        ]
        hubs.set_pager(Pager.of(updated), cursor=hubs.cursor, message=hubs.message)

    def on_library_screen_hubs_ready(self, message: HubsReady) -> None:
        if message.generation != self._generation:
            return
        hubs = self.hub_list
        hubs.highlight = message.query
        empty = (
            "no hubs match this filter"
            if message.query
            else "no hubs yet: citetui import FILE --hub ID, or h on a paper's page (Ctrl+P)"
        )
        hubs.set_pager(Pager.of(message.hubs), message=empty)
        if message.query is None:
            status = plural(message.total, "hub")
        else:
            status = f"{len(message.hubs)} of {plural(message.total, 'hub')} match"
        self.query_one("#library-status", Static).update(lit(status))

    def on_library_screen_filter_failed(self, message: FilterFailed) -> None:
        if message.generation == self._generation:
            self.query_one("#library-status", Static).update(lit(message.message))

    def on_worker_state_changed(self, event: Worker.StateChanged) -> None:
        if event.state == WorkerState.ERROR and event.worker.group == "library-filter":
            self.query_one("#library-status", Static).update(
                lit(f"cannot read the library: {clean(str(event.worker.error))}")
            )

    # -- keys ---------------------------------------------------------------

    @on(SearchBox.Navigate, "#library-search")
    def _navigate(self, event: SearchBox.Navigate) -> None:
        getattr(self.hub_list, f"action_{event.action}")()

    @on(SearchBox.Leave, "#library-search")
    def _leave(self) -> None:
        self.set_focus(self.hub_list)

    @on(VirtualList.Selected, "#hubs")
    def _open(self, event: VirtualList.Selected) -> None:
        if event.row is not None:
            self.post_message(OpenHub(event.row.paper.id))

    def action_search(self) -> None:
        box = self.query_one("#library-search", SearchBox)
        if box.has_focus:
            box.insert_text_at_cursor("/")
        else:
            self.set_focus(box)

    def _current_id(self) -> int | None:
        hub = self.hub_list.current
        return hub.paper.id if hub is not None else None

    def action_copy(self, what: str) -> None:
        if (paper_id := self._current_id()) is not None:
            citetui_app(self).copy_paper(paper_id, what)

    def action_refresh(self) -> None:
        """Read the hubs again (after an import in another terminal)."""
        self.refilter()

    def action_open_link(self) -> None:
        if (paper_id := self._current_id()) is not None:
            citetui_app(self).open_paper_link(paper_id)
