"""A list that renders only the rows on screen and reads the rest a page at a time.

Textual's DataTable paints every row it holds (seconds for 100k rows); this list
is a Line-API ``ScrollView``: ``render_line`` draws the visible lines from the
pages in a :class:`~citetui.tui.paging.Pager`, and asks a thread worker for the
pages it is missing, which arrive as a message and repaint those lines.
"""

from __future__ import annotations

from typing import Any, ClassVar

from rich.segment import Segment
from rich.style import Style
from rich.text import Text
from textual import events, work
from textual.binding import Binding, BindingType
from textual.cache import LRUCache
from textual.geometry import Region, Size
from textual.message import Message
from textual.scroll_view import ScrollView
from textual.strip import Strip
from textual.worker import Worker, WorkerState

from citetui.textsafe import clean
from citetui.tui.paging import Pager


class VirtualList(ScrollView, can_focus=True):
    """A cursor over the rows of a :class:`Pager`; subclasses say how a row looks."""

    COMPONENT_CLASSES: ClassVar[set[str]] = {
        "vlist--cursor",
        "vlist--dim",
        "vlist--match",
        "vlist--message",
    }
    DEFAULT_CSS = """
    VirtualList {
        height: 1fr;
        overflow-x: hidden;
        background: $surface;
        & > .vlist--cursor {
            background: $block-cursor-blurred-background;
            color: $block-cursor-blurred-foreground;
        }
        &:focus > .vlist--cursor {
            background: $block-cursor-background;
            color: $block-cursor-foreground;
            text-style: $block-cursor-text-style;
        }
        & > .vlist--dim { color: $text-muted; }
        & > .vlist--match { color: $text-accent; text-style: bold underline; }
        & > .vlist--message { color: $text-muted; text-style: italic; }
    }
    """
    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("down", "cursor_down", "Down", show=False, id="list.down"),
        Binding("j", "cursor_down", "Down", show=False),
        Binding("up", "cursor_up", "Up", show=False, id="list.up"),
        Binding("k", "cursor_up", "Up", show=False),
        Binding("pagedown", "page_down", "Page down", show=False, id="list.page-down"),
        Binding("ctrl+f", "page_down", "Page down", show=False),
        Binding("pageup", "page_up", "Page up", show=False, id="list.page-up"),
        Binding("ctrl+b", "page_up", "Page up", show=False),
        Binding("home", "first", "First", show=False, id="list.first"),
        Binding("g", "first", "First", show=False),
        Binding("end", "last", "Last", show=False, id="list.last"),
        Binding("G", "last", "Last", show=False),
        Binding("enter", "select", "Open", id="list.open"),
    ]

    row_height: ClassVar[int] = 1

    class Highlighted(Message):
        """The cursor moved to a row."""

        def __init__(self, vlist: VirtualList, index: int, row: Any) -> None:
            super().__init__()
            self.vlist = vlist
            self.index = index
            self.row = row

        @property
        def control(self) -> VirtualList:
            return self.vlist

    class Selected(Message):
        """A row was chosen (Enter or a click on the cursor row)."""

        def __init__(self, vlist: VirtualList, index: int, row: Any) -> None:
            super().__init__()
            self.vlist = vlist
            self.index = index
            self.row = row

        @property
        def control(self) -> VirtualList:
            return self.vlist

    class PageLoaded(Message):
        """A page of rows was read from the library (posted by a worker thread)."""

        def __init__(self, pager: Pager, page_no: int, rows: list) -> None:
            super().__init__()
            self.pager = pager
            self.page_no = page_no
            self.rows = rows

    def __init__(self, *, empty: str = "nothing here", **kwargs: Any) -> None:
        super().__init__(**kwargs)
        self.pager: Pager | None = None
        self.cursor = 0
        self.message = "loading…"
        self.empty_message = empty
        self._line_cache: LRUCache[tuple, Strip] = LRUCache(1024)
        self._fetch_scheduled = False

    # -- data ---------------------------------------------------------------

    def set_pager(self, pager: Pager, *, cursor: int = 0, message: str | None = None) -> None:
        """Show the rows of ``pager``, the cursor on row ``cursor``."""
        self.pager = pager
        self.message = message if message is not None else self.empty_message
        self._line_cache.clear()
        self.cursor = max(0, min(cursor, pager.total - 1))
        self._update_virtual_size()
        self.scroll_to(0, max(0, (self.cursor - 2) * self.row_height), animate=False)
        self.refresh()
        self._post_highlight()

    def set_total(self, total: int) -> None:
        """The pager turned out to have ``total`` rows (counted after the first page)."""
        if self.pager is not None and self.pager.total != total:
            self.pager.total = total
            self._line_cache.clear()
            self._update_virtual_size()
            self.refresh()

    def show_message(self, message: str) -> None:
        """Show a message instead of rows (loading, an error...)."""
        self.pager = None
        self.message = message
        self._line_cache.clear()
        self._update_virtual_size()
        self.refresh()

    @property
    def total(self) -> int:
        """How many rows the list has."""
        return self.pager.total if self.pager is not None else 0

    @property
    def current(self) -> Any | None:
        """The row under the cursor, if it is in memory."""
        return self.pager.get(self.cursor) if self.pager is not None else None

    def _update_virtual_size(self) -> None:
        lines = max(1, self.total * self.row_height)
        self.virtual_size = Size(self.scrollable_content_region.width, lines)

    def on_resize(self, event: events.Resize) -> None:
        self._line_cache.clear()
        self._update_virtual_size()

    def notify_style_update(self) -> None:
        super().notify_style_update()
        self._line_cache.clear()

    def refresh_rows(self) -> None:
        """Forget rendered lines and repaint (after a change in how rows look)."""
        self._line_cache.clear()
        self.refresh()

    # -- rendering ----------------------------------------------------------

    def render_row(self, row: Any, index: int, line: int, width: int) -> Text:
        """Line ``line`` of row ``row`` as text at most ``width`` cells wide."""
        return Text(clean(str(row)) if line == 0 else "")

    def render_line(self, y: int) -> Strip:
        width = self.scrollable_content_region.width
        base = self.rich_style
        line_no = self.scroll_offset.y + y
        if self.pager is None or self.total == 0:
            if line_no == 0:
                style = base + self.get_component_rich_style("vlist--message", partial=True)
                return self._strip(
                    Text(" " + self.message, style=style, no_wrap=True), width, style
                )
            return Strip.blank(width, base)
        index, line = divmod(line_no, self.row_height)
        if index >= self.total:
            return Strip.blank(width, base)
        selected = index == self.cursor
        style = base + self.get_component_rich_style("vlist--cursor") if selected else base
        row = self.pager.get(index)
        if row is None:
            self._want_rows()
            dim = style + self.get_component_rich_style("vlist--dim", partial=True)
            text = Text(" …" if line == 0 else "", style=dim)
            return self._strip(text, width, style)
        key = (index, line, width, selected, self.has_focus, id(self.pager))
        cached = self._line_cache.get(key)
        if cached is not None:
            return cached
        text = self.render_row(row, index, line, width)
        text.no_wrap = True
        strip = self._strip(text, width, style)
        self._line_cache[key] = strip
        return strip

    def _strip(self, text: Text, width: int, style: Style) -> Strip:
        text.truncate(width, overflow="ellipsis")
        segments = [
            Segment(s.text, style + s.style if s.style else style)
            for s in text.render(self.app.console)
            if s.text != "\n"
        ]
        return Strip(segments).crop_extend(0, width, style)

    def match_style(self) -> Style:
        """The style of matched characters."""
        return self.get_component_rich_style("vlist--match", partial=True)

    def dim_style(self) -> Style:
        """The style of secondary text."""
        return self.get_component_rich_style("vlist--dim", partial=True)

    # -- paging -------------------------------------------------------------

    def _want_rows(self) -> None:
        if not self._fetch_scheduled:
            self._fetch_scheduled = True
            self.call_after_refresh(self._fetch_missing)

    def _fetch_missing(self) -> None:
        self._fetch_scheduled = False
        pager = self.pager
        if pager is None:
            return
        first = self.scroll_offset.y // self.row_height
        last = first + self.size.height // self.row_height + 2
        for page_no in pager.missing(first, last):
            pager.pending.add(page_no)
            self._load_page(pager, page_no)

    @work(thread=True, exit_on_error=False, group="vlist-page")
    def _load_page(self, pager: Pager, page_no: int) -> None:
        rows = pager.fetch(page_no)
        self.post_message(self.PageLoaded(pager, page_no, rows))

    def on_virtual_list_page_loaded(self, event: VirtualList.PageLoaded) -> None:
        event.stop()
        event.pager.store(event.page_no, event.rows)
        if event.pager is self.pager:
            self.refresh()
            if self.pager.page_of(self.cursor) == event.page_no:
                self._post_highlight()

    def on_worker_state_changed(self, event: Worker.StateChanged) -> None:
        if event.state == WorkerState.ERROR and event.worker.group == "vlist-page":
            if self.pager is not None:
                self.pager.pending.clear()
            self.notify(
                f"could not read rows: {clean(str(event.worker.error))}",
                severity="error",
                markup=False,
            )

    # -- the cursor ---------------------------------------------------------

    def move_cursor(self, index: int) -> None:
        """Put the cursor on row ``index`` (clamped) and scroll it into view."""
        if self.total == 0:
            return
        index = max(0, min(index, self.total - 1))
        old, self.cursor = self.cursor, index
        if old != index:
            self._refresh_row(old)
            self._refresh_row(index)
            self._post_highlight()
        self.scroll_to_region(
            Region(0, index * self.row_height, max(1, self.size.width), self.row_height),
            animate=False,
            force=True,
            immediate=True,
        )

    def _refresh_row(self, index: int) -> None:
        self.refresh_lines(index * self.row_height, self.row_height)

    def _post_highlight(self) -> None:
        if self.total:
            self.post_message(self.Highlighted(self, self.cursor, self.current))

    def on_focus(self) -> None:
        self._refresh_row(self.cursor)

    def on_blur(self) -> None:
        self._refresh_row(self.cursor)

    @property
    def page_rows(self) -> int:
        """How many rows fit on screen."""
        return max(1, self.size.height // self.row_height)

    def action_cursor_down(self) -> None:
        self.move_cursor(self.cursor + 1)

    def action_cursor_up(self) -> None:
        self.move_cursor(self.cursor - 1)

    def action_page_down(self) -> None:
        self.move_cursor(self.cursor + self.page_rows)

    def action_page_up(self) -> None:
        self.move_cursor(self.cursor - self.page_rows)

    def action_first(self) -> None:
        self.move_cursor(0)

    def action_last(self) -> None:
        self.move_cursor(self.total - 1)

    def action_select(self) -> None:
        if self.total:
            self.post_message(self.Selected(self, self.cursor, self.current))

    async def on_click(self, event: events.Click) -> None:
        offset = event.get_content_offset(self)
        if offset is None or self.total == 0:
            return
        index = (offset.y + self.scroll_offset.y) // self.row_height
        if index >= self.total:
            return
        if index == self.cursor or event.chain > 1:
            self.move_cursor(index)
            self.action_select()
        else:
            self.move_cursor(index)
