"""The citing-papers explorer: a search box, a result count and the paged list of rows."""

from __future__ import annotations

import time
from typing import Any, ClassVar

from rich.text import Text
from textual import on, work
from textual.app import ComposeResult
from textual.message import Message
from textual.timer import Timer
from textual.widgets import Input, Static
from textual.worker import Worker, WorkerState, get_current_worker

from citetui.core.models import CitingRow
from citetui.core.query import Query, QueryError, RowFilter, parse
from citetui.core.textsafe import clean
from citetui.core.vocab import parse_sort
from citetui.search import search
from citetui.store import Library
from citetui.tui.support.appref import citetui_app
from citetui.tui.support.paging import PAGE_SIZE, Pager
from citetui.tui.widgets import columns as cols
from citetui.tui.widgets.explorer_columns import NO_DATA, ColumnsAndSorts, valid_sort
from citetui.tui.widgets.lists import CitingList
from citetui.tui.widgets.panes import Section
from citetui.tui.widgets.search_box import TYPING_PAUSE, SearchBox

SETTLE_SECONDS = 1.0  # a query is kept in the history once it stayed this long
PLACEHOLDER = (
    "search: words  'exact  !exclude  author:  venue:  year:2020..2024  role:method  "
    "pol:critical  claim:2  tag:  status:  is:starred  has:note"
)


def _rows_in_order(
    lib: Library, hub_id: int, ids: tuple[int, ...], flt: RowFilter, offset: int, limit: int
) -> list[CitingRow]:
    chunk = ids[offset : offset + limit]
    by_id = lib.citing_rows_for(hub_id, chunk, flt)
    return [by_id[i] for i in chunk if i in by_id]


class Explorer(ColumnsAndSorts, Section):
    """Search and browse one hub's citing papers; only the rows on screen are read.

    It is its own bordered section: every container around the list is one more
    layer Textual's compositor draws and cuts for each line a page key repaints.
    """

    DEFAULT_CSS = """
    Explorer { height: 1fr; }
    Explorer > #explorer-status { height: 1; padding: 0 1; color: $text-muted; }
    Explorer > #explorer-columns { height: 1; color: $text-muted; text-style: bold; }
    """

    class Results(Message):
        """A query's first rows and how many matched (posted by the query worker)."""

        def __init__(
            self,
            generation: int,
            pager: Pager,
            query: Query,
            of_total: int | None,
            sort: str,
            note: str | None,
            counts: dict[str, int],
            counting: bool,
            chosen: tuple[str, ...] | None = None,
            n_close: int = 0,
            notice: str | None = None,
        ) -> None:
            super().__init__()
            self.n_close = n_close  # closest matches after the papers holding every word
            self.notice = notice
            self.counts = counts  # what the columns hold (of the first page while counting)
            self.chosen = chosen  # the columns the user chose for this hub (None: none)
            self.counting = counting
            self.generation = generation
            self.pager = pager
            self.query = query
            self.of_total = of_total
            self.sort = sort
            self.note = note

    class Counted(Message):
        """How many rows a query has, counted after its first page was shown (and, the
        first time, what the hub's citing papers hold for each column)."""

        def __init__(self, generation: int, total: int, counts: dict[str, int] | None) -> None:
            super().__init__()
            self.generation = generation
            self.total = total
            self.counts = counts

    class Failed(Message):
        """A query could not be run (a syntax error, a library error)."""

        def __init__(self, generation: int, message: str) -> None:
            super().__init__()
            self.generation = generation
            self.message = message

    class Updated(Message):
        """The list shows the results of a new query."""

        def __init__(self, explorer: Explorer, total: int) -> None:
            super().__init__()
            self.explorer = explorer
            self.total = total

        @property
        def control(self) -> Explorer:
            return self.explorer

    class Marks(Message):
        """The star and reading status of every paper the user annotated."""

        def __init__(self, marks: dict[int, tuple[bool, str | None]]) -> None:
            super().__init__()
            self.marks = marks

    class Found(Message):
        """Where the next row of a kind is (``index`` None: none after the cursor)."""

        def __init__(self, generation: int, kind: str, index: int | None) -> None:
            super().__init__()
            self.generation = generation
            self.kind = kind
            self.index = index

    def __init__(
        self,
        lib: Library,
        hub_id: int,
        *,
        query: str = "",
        sort: str = "relevance",
        cursor: int = 0,
        columns: tuple[str, ...] | None = None,
        **kwargs: Any,
    ) -> None:
        super().__init__("Citing papers", **kwargs)
        self.lib = lib
        self.hub_id = hub_id
        self.sort = valid_sort(sort)
        self._initial_query = query
        self._restore_cursor = cursor
        self._generation = 0
        self.total = 0
        self.query_text = query
        # what the hub's citing papers hold per column (Library.column_counts): None until
        # read, then kept (reload forgets it: an import or a label may change it)
        self._counts: dict[str, int] | None = None
        self._seen: dict[str, int] = {}  # the counts shown: of a first page until read
        self.chosen: tuple[str, ...] | None = columns  # the user's columns (None: automatic)
        self._chosen_read = columns is not None
        self._of_total: int | None = None
        self._sort_used = self.sort
        self._settle_timer: Timer | None = None
        self._n_close = 0  # closest matches after the papers holding every word
        self._notice: str | None = None

    def compose(self) -> ComposeResult:
        yield SearchBox(value=self._initial_query, placeholder=PLACEHOLDER, id="explorer-search")
        yield Static("searching…", id="explorer-status", markup=False)
        yield Static("", id="explorer-columns", markup=False)
        yield CitingList(id="explorer-list")

    @property
    def search_box(self) -> SearchBox:
        return self.query_one("#explorer-search", SearchBox)

    @property
    def heading_box(self) -> Static:
        """The heading line over the rows."""
        return self.query_one("#explorer-columns", Static)

    @property
    def rows(self) -> CitingList:
        return self.query_one("#explorer-list", CitingList)

    def on_mount(self) -> None:
        self.search_box.target = self.rows
        self.run_query()
        self.load_marks()

    # -- queries ------------------------------------------------------------

    @on(Input.Changed, "#explorer-search")
    def _typed(self, event: Input.Changed) -> None:
        event.stop()
        if event.value != self.query_text:
            self.query_text = event.value
            self._restore_cursor = 0
            self.run_query()

    def set_query(self, text: str) -> None:
        """Replace the query (it shows in the search box, where it can be edited)."""
        self.search_box.value = text
        self.search_box.cursor_position = len(text)
        if text != self.query_text:
            self.query_text = text
            self._restore_cursor = 0
            self.run_query()

    def cycle_sort(self) -> str:
        """Sort by the next key that can order the rows (each in its first direction)."""
        keys = self.usable_sorts() or ["title"]
        key, _ = parse_sort(self._sort_used)  # relevance without words is shown by year
        nxt = keys[(keys.index(key) + 1) % len(keys)] if key in keys else keys[0]
        self.set_sort(nxt)
        return self.sort

    def set_sort(self, sort: str) -> None:
        """Sort by ``sort`` ("year", "citations:asc"...)."""
        self.sort = valid_sort(sort)
        self._restore_cursor = 0
        self.run_query()

    def reload(self) -> None:
        """Read everything again: rows, counts and what the columns hold (a label override
        or an import may have added the first labels)."""
        self._counts = None
        self.run_query()

    def run_query(self) -> None:
        """Run the current query in a worker; a newer query cancels this one."""
        self._generation += 1
        self._set_status(Text("searching…"))
        self._query(self.query_text, self.sort, self._generation)

    @work(thread=True, exclusive=True, exit_on_error=False, group="explorer-query")
    def _query(self, text: str, sort: str, generation: int) -> None:
        worker = get_current_worker()
        try:
            q = parse(text)
        except QueryError as exc:
            self.post_message(self.Failed(generation, f"bad query: {exc}"))
            return
        lib, hub, flt = self.lib, self.hub_id, q.filter
        count_later = False
        chosen = self.chosen if self._chosen_read else lib.hub_columns(hub)
        n_close = 0
        notice = "query cut to its first 1,000 characters" if q.cut else None
        if q.only_filters and q.user.empty:
            used = "year" if sort == "relevance" else sort
            # The first page first: a short one tells the total; a full one is shown
            # at once and counted after (a count of 100k rows takes a while).
            first = lib.citing_rows(hub, flt, sort=used, limit=PAGE_SIZE)
            total = len(first)
            count_later = len(first) == PAGE_SIZE
            order: list[tuple[int, ...]] = []  # every id in order, once read (see below)

            def fetch(offset: int, limit: int) -> list[CitingRow]:
                if order:  # read a page by position: no re-sort, however deep
                    return _rows_in_order(lib, hub, order[0], flt, offset, limit)
                return lib.citing_rows(hub, flt, sort=used, offset=offset, limit=limit)
        else:
            used = sort
            # While the user is still typing, a newer query cancels this one within
            # this pause, before the search starts (a thread cannot be stopped midway).
            time.sleep(TYPING_PAUSE)
            if worker.is_cancelled:
                return
            result = search(lib, q, hub_id=hub, limit=PAGE_SIZE, sort=sort)
            first, ids = list(result.rows), tuple(result.ids)
            if not ids and result.total <= len(first):
                ids = tuple(r.paper_id for r in first)
            total, n_close = len(ids), result.n_close

            def fetch(offset: int, limit: int) -> list[CitingRow]:
                return _rows_in_order(lib, hub, ids, flt, offset, limit)

        if worker.is_cancelled:
            return
        of_total = (
            None
            if (q.filter.empty and q.only_filters and q.user.empty)
            else lib.count_citing(hub, RowFilter())
        )
        note = self._why_empty(q) if total == 0 else None
        counts = self._counts
        whole = q.filter.empty and q.only_filters and q.user.empty and not count_later
        if counts is None and whole:  # the first page is every citing paper
            counts = self._counts = cols.counts_of_rows(first)
        if worker.is_cancelled:
            return
        self.post_message(
            self.Results(
                generation,
                Pager(total, fetch, first),
                q,
                of_total,
                used,
                note,
                counts if counts is not None else cols.counts_of_rows(first),
                count_later,
                chosen,
                n_close,
                notice,
            )
        )
        read_counts = self._counts is None
        if count_later:
            # Sorting every id once both counts them and lets later pages be read by
            # position (OFFSET would sort the whole hub again for each page).
            ids = tuple(lib.citing_ids(hub, flt, sort=used))
            order.append(ids)
            total = len(ids)
        if read_counts:  # after the rows are on screen: a pass over a big hub's citations
            self._counts = lib.column_counts(hub)
        if (count_later or read_counts) and not worker.is_cancelled:
            self.post_message(self.Counted(generation, total, self._counts))

    def _why_empty(self, q: Query) -> str | None:
        """A hint when a filter matches nothing because no citation carries that label."""
        f = q.filter
        counts = self._counts or self.lib.column_counts(self.hub_id)
        if f.roles and not counts.get("role"):
            return (
                "no citation of this hub carries a role label: the source recorded only the summary"
            )
        if f.polarities and not counts.get("polarity"):
            return "no citation of this hub carries a polarity label"
        return None

    def on_explorer_results(self, message: Explorer.Results) -> None:
        message.stop()
        if message.generation != self._generation:
            return
        self.total = message.pager.total - message.n_close  # papers holding every word
        rows = self.rows
        rows.highlight = message.query
        self._n_close, self._notice = message.n_close, message.notice
        rows.first_close = message.pager.total - message.n_close if message.n_close else None
        if not self._chosen_read:
            self.chosen, self._chosen_read = message.chosen, True
        self._seen = message.counts
        self._sort_used = message.sort
        self._apply_columns(refresh=False)
        empty = message.note or (
            "no citing papers match this search"
            if self.query_text.strip()
            else "no citing papers of this hub are in the library"
        )
        rows.set_pager(message.pager, cursor=self._restore_cursor, message=empty)
        self._restore_cursor = 0
        self._of_total = message.of_total
        self._show_count(counting=message.counting)
        self.post_message(self.Updated(self, self.total))
        self._remember_when_settled()

    def _remember_when_settled(self) -> None:
        """Keep a typed query in the history once it stayed a moment (not per keystroke)."""
        if self._settle_timer is not None:
            self._settle_timer.stop()
            self._settle_timer = None
        text = self.query_text.strip()
        if not text:
            return
        generation = self._generation

        def settled() -> None:
            self._settle_timer = None
            if generation == self._generation and text == self.query_text.strip():
                self._remember(text)

        self._settle_timer = self.set_timer(SETTLE_SECONDS, settled)

    @work(thread=True, exit_on_error=False, group="explorer-history")
    def _remember(self, text: str) -> None:
        citetui_app(self).lib.remember_query(text, self.hub_id)  # the writer, not the reader

    def on_explorer_counted(self, message: Explorer.Counted) -> None:
        message.stop()
        if message.generation != self._generation:
            return
        self.total = message.total
        self.rows.set_total(message.total)
        if message.counts is not None and message.counts != self._seen:
            self._seen = message.counts
            self._apply_columns()
        self._show_count(counting=False)

    def _show_count(self, *, counting: bool) -> None:
        total = f"{self.total:,}+ (counting…)" if counting else f"{self.total:,}"
        if self._of_total is None:
            count = f"{total} citing paper{'' if self.total == 1 and not counting else 's'}"
        else:
            count = f"{total} of {self._of_total:,} citing papers match"
        if self._n_close and self.total:
            count += f" · {self._n_close:,} closest matches below the line"
        elif self._n_close:  # no line to speak of: every row is a closest match
            count += f", {self._n_close:,} closest matches shown"
        key, _ = parse_sort(self._sort_used)
        if key in NO_DATA and self._seen.get("rows") and not self._seen.get(key):
            order = f"{NO_DATA[key]}: in library order"
        else:
            order = "sorted by " + self.sort_words()
            if parse_sort(self.sort)[0] == "relevance" and key != "relevance":
                order += " (relevance needs search words)"
        notice = f" · {self._notice}" if self._notice else ""
        self._set_status(Text(f"{count} · {order}{notice}"))

    def on_explorer_failed(self, message: Explorer.Failed) -> None:
        message.stop()
        if message.generation == self._generation:
            self._set_status(Text(clean(message.message)))

    def on_worker_state_changed(self, event: Worker.StateChanged) -> None:
        if event.state == WorkerState.ERROR and event.worker.group == "explorer-query":
            self._set_status(Text(f"search failed: {clean(str(event.worker.error))}"))

    def _set_status(self, text: Text) -> None:
        self.query_one("#explorer-status", Static).update(text)

    # -- the user's marks and jumps -----------------------------------------

    @work(thread=True, exclusive=True, exit_on_error=False, group="explorer-marks")
    def load_marks(self) -> None:
        """Read the stars and reading statuses again (after the user changed one)."""
        marks = {
            a.paper_id: (a.starred, a.status)
            for a in self.lib.annotations()
            if a.starred or a.status
        }
        self.post_message(self.Marks(marks))

    def on_explorer_marks(self, message: Explorer.Marks) -> None:
        message.stop()
        self.rows.marks = message.marks
        self.rows.refresh_rows()

    JUMPS: ClassVar[dict[str, str]] = {
        "critical": "unread critical citation",
        "key": "key paper",
    }

    def find_next(self, kind: str) -> None:
        """Move the cursor to the next row after it that is an unread critical citation
        (``kind`` "critical") or a paper marked key ("key")."""
        self._find(kind, self._generation, self.rows.cursor + 1)

    @work(thread=True, exclusive=True, exit_on_error=False, group="explorer-jump")
    def _find(self, kind: str, generation: int, start: int) -> None:
        pager = self.rows.pager
        if pager is None or start >= pager.total:
            self.post_message(self.Found(generation, kind, None))
            return
        status = {a.paper_id: a.status for a in self.lib.annotations()}
        worker = get_current_worker()
        for page_no in range(pager.page_of(start), pager.page_of(pager.total - 1) + 1):
            if worker.is_cancelled:
                return
            for offset, row in enumerate(pager.fetch(page_no)):
                index = page_no * pager.page_size + offset
                if index < start:
                    continue
                st = status.get(row.paper_id)
                if kind == "critical":
                    hit = row.polarity == "critical" and st in (None, "unread")
                else:
                    hit = st == "key"
                if hit:
                    self.post_message(self.Found(generation, kind, index))
                    return
        self.post_message(self.Found(generation, kind, None))

    def on_explorer_found(self, message: Explorer.Found) -> None:
        message.stop()
        if message.generation != self._generation:
            return
        if message.index is None:
            self.notify(f"no {self.JUMPS[message.kind]} below the cursor", timeout=2)
        else:
            self.rows.move_cursor(message.index)
            self.screen.set_focus(self.rows)

    # -- navigation ---------------------------------------------------------

    @on(SearchBox.Navigate, "#explorer-search")
    def _navigate(self, event: SearchBox.Navigate) -> None:
        event.stop()
        getattr(self.rows, f"action_{event.action}")()

    @on(SearchBox.Leave, "#explorer-search")
    def _leave(self, event: SearchBox.Leave) -> None:
        event.stop()
        self.screen.set_focus(self.rows)

    def state(self) -> dict[str, Any]:
        """What to restore when coming back here: query, sort, columns and cursor."""
        return {
            "query": self.query_text,
            "sort": self.sort,
            "cursor": self.rows.cursor,
            "columns": self.chosen,
        }
