"""A list that renders only the rows on screen and reads the rest a page at a time.

Textual's DataTable paints every row it holds (seconds for 100k rows); this list
is a Line-API ``ScrollView``: ``render_line`` draws the visible lines from the
pages in a :class:`~citetui.tui.support.paging.Pager`, and asks a thread worker for the
pages it is missing, which arrive as a message and repaint those lines.
"""

from __future__ import annotations

from collections.abc import Sequence
from math import ceil
from typing import Any, ClassVar

from rich.segment import Segment
from rich.style import Style
from rich.text import Text
from textual import events, work
from textual.binding import Binding, BindingType
from textual.cache import LRUCache
from textual.color import Color
from textual.filter import LineFilter
from textual.geometry import Region, Size
from textual.message import Message
from textual.reactive import Reactive
from textual.scroll_view import ScrollView
from textual.scrollbar import ScrollBar
from textual.strip import Strip
from textual.worker import Worker, WorkerState

from citetui.core.textsafe import clean
from citetui.tui.support.paging import Pager

# seconds from a paint to drawing the rows around it (see VirtualList._schedule_warm)
WARM_DELAY = 0.005


class ThumbScrollBar(ScrollBar):
    """A scrollbar that repaints only when its thumb moves on screen.

    Textual's repaints on every change of position; over 100k rows a cursor move
    scrolls by 1/50,000 of the bar, the thumb stays where it was, and that
    repaint was a fifth of the key's cost.
    """

    position: Reactive[float] = Reactive(0, repaint=False)
    _drawn: tuple[int, int, int] | None = None

    def watch_position(self) -> None:
        thumb = self._thumb()
        if thumb != self._drawn:
            self._drawn = thumb
            self.refresh()

    def _thumb(self) -> tuple[int, int, int] | None:
        """Where the thumb is drawn, in eighths of a cell (the arithmetic of ScrollBarRender)."""
        size = self.size.height if self.vertical else self.size.width
        virtual = ceil(self.window_virtual_size)
        window = ceil(self.window_size if self.window_size < self.window_virtual_size else 0)
        if not (window and size and virtual and size != virtual):
            return None
        thumb = max(1, window / (virtual / size))
        position = (size - thumb) * (self.position / (virtual - window))
        return int(position * 8), ceil(thumb * 8), size


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

    row_height: int = 1  # lines per row (a subclass may change it per instance)

    @property
    def vertical_scrollbar(self) -> ScrollBar:
        """The vertical scrollbar (created when first asked for, as Textual does)."""
        if self._vertical_scrollbar is None:
            bar = ThumbScrollBar(
                vertical=True, name="vertical", thickness=self.scrollbar_size_vertical
            )
            bar.display = False
            self._vertical_scrollbar = bar
            self.app._start_widget(self, bar)
        return self._vertical_scrollbar

    class _RowMessage(Message):
        """A message about one row of a list."""

        def __init__(self, vlist: VirtualList, index: int, row: Any) -> None:
            super().__init__()
            self.vlist = vlist
            self.index = index
            self.row = row

        @property
        def control(self) -> VirtualList:
            return self.vlist

    class Highlighted(_RowMessage):
        """The cursor moved to a row."""

    class Selected(_RowMessage):
        """A row was chosen (Enter or a click on the cursor row)."""

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
        self._warm_scheduled = False
        # the widget's style, worked out once per repaint instead of once per line
        # (``rich_style`` walks every ancestor: the most of a scrolled line's cost)
        self._pass: tuple[Style, int, bool] | None = None
        self._bypassed = False  # the last paint skipped Textual's style cache
        self._warmed: tuple | None = None  # (pager, width, focus, lo, hi) drawn ahead
        # component styles (cursor, dim, match...) until the styles change: Textual's own
        # cache of them is emptied by every repaint, so each scrolled paint walked the
        # ancestors again for each of them (not ``_component_styles``: Textual's name for
        # the component rules themselves)
        self._kept_styles: dict[tuple, Style] = {}

    # -- data ---------------------------------------------------------------

    def set_pager(self, pager: Pager, *, cursor: int = 0, message: str | None = None) -> None:
        """Show the rows of ``pager``, the cursor on row ``cursor``."""
        self.pager = pager
        self.message = message if message is not None else self.empty_message
        self._forget_lines()
        self.cursor = max(0, min(cursor, pager.total - 1))
        self._update_virtual_size()
        self.scroll_to(0, max(0, (self.cursor - 2) * self.row_height), animate=False)
        self.refresh()
        self._post_highlight()
        self._schedule_warm()

    def set_total(self, total: int) -> None:
        """The pager turned out to have ``total`` rows (counted after the first page)."""
        if self.pager is not None and self.pager.total != total:
            self.pager.total = total  # the rows drawn so far stay as they are
            self._update_virtual_size()
            self.refresh()
            self._schedule_warm()

    def show_message(self, message: str) -> None:
        """Show a message instead of rows (loading, an error...)."""
        self.pager = None
        self.message = message
        self._forget_lines()
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
        self._forget_lines()
        self._update_virtual_size()

    def notify_style_update(self) -> None:
        super().notify_style_update()
        self._kept_styles.clear()
        self._forget_lines()

    def get_component_rich_style(
        self, *names: str, partial: bool = False, default: Style | None = None
    ) -> Style:
        key = (names, partial, default)
        style = self._kept_styles.get(key)
        if style is None:
            style = super().get_component_rich_style(*names, partial=partial, default=default)
            self._kept_styles[key] = style
        return style

    def refresh_rows(self) -> None:
        """Forget rendered lines and repaint (after a change in how rows look)."""
        self._forget_lines()
        self.refresh()

    # -- rendering ----------------------------------------------------------

    def render_row(self, row: Any, index: int, line: int, width: int) -> Text:
        """Line ``line`` of row ``row`` as text at most ``width`` cells wide."""
        return Text(clean(str(row)) if line == 0 else "")

    def _forget_lines(self) -> None:
        self._line_cache.clear()
        self._warmed = None
        self._schedule_warm()

    def _frame(self) -> tuple[Style, int, bool]:
        """What every line of a paint shares: the style, the width, the focus."""
        return self.rich_style, self.scrollable_content_region.width, self.has_focus

    def render_lines(self, crop: Region) -> list[Strip]:
        # worked out once per paint, not once per line: ``rich_style`` walks every
        # ancestor, and was the most of a scrolled line's cost
        self._pass = self._frame()
        try:
            plain = self._plain_box()
            if plain is None:
                if self._bypassed:  # its lines were not kept up while bypassed
                    self._styles_cache.clear()
                    self._bypassed = False
                return super().render_lines(crop)
            self._bypassed = True
            return self._plain_lines(crop, *plain)
        finally:
            self._pass = None

    def _plain_box(self) -> tuple[int, Style, Color] | None:
        """The full width, fill style and background when the list has nothing for
        Textual's style cache to add around its lines (no border, padding, outline,
        tint, opacity, hatch or border title); None when it has."""
        styles = self.styles
        region = self.region
        if (
            region.size != self.content_region.size
            or any(edge for edge, _ in styles.outline)
            or styles.tint.a
            or self.opacity != 1.0
            or styles.text_opacity != 1.0
            or (styles.has_rule("hatch") and styles.hatch != "none")
            or self._border_title is not None
            or self._border_subtitle is not None
            or (self.auto_links and self.hover_style._link_id)
        ):
            return None
        base_background, background = self.background_colors
        inner, _ = self._styles_cache.get_inner_outer(base_background, background)
        return region.width, inner.rich_style, background

    def _plain_lines(self, crop: Region, width: int, fill: Style, background: Color) -> list[Strip]:
        """The lines of ``crop`` as Textual's style cache would give them for a plain
        box, without its copy of every line on every paint: a line drawn before is
        the same ``Strip`` each time, so its filtered form (the app's colour filters)
        comes from that strip's own cache instead of being worked out again."""
        filters = self.get_line_filters()
        strips = [
            self._painted(self.render_line(y), width, fill, filters, background)
            for y in crop.line_range
        ]
        x1, x2 = crop.column_span
        if (x1, x2) != (0, width):
            strips = [strip.crop(x1, x2) for strip in strips]
        return strips

    @staticmethod
    def _painted(
        strip: Strip, width: int, fill: Style, filters: Sequence[LineFilter], background: Color
    ) -> Strip:
        """A line as the screen gets it: padded to the box, through the app's filters
        (both kept in the strip's own caches, so a line drawn ahead costs nothing here)."""
        strip = strip.adjust_cell_length(width, fill)
        for line_filter in filters:
            strip = strip.apply_filter(line_filter, background)
        return strip

    def render_line(self, y: int) -> Strip:
        base, width, focus = self._pass or self._frame()
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
        strip = self._row_strip(index, line, width, base, focus)
        if strip is None:
            self._want_rows()
            style = self._row_style(index, base)
            dim = style + self.get_component_rich_style("vlist--dim", partial=True)
            text = Text(" …" if line == 0 else "", style=dim)
            return self._strip(text, width, style)
        return strip

    def _row_style(self, index: int, base: Style, cursor: int | None = None) -> Style:
        if index == (self.cursor if cursor is None else cursor):
            return base + self.get_component_rich_style("vlist--cursor")
        return base

    def _row_strip(
        self,
        index: int,
        line: int,
        width: int,
        base: Style,
        focus: bool,
        cursor: int | None = None,
    ) -> Strip | None:
        """Line ``line`` of row ``index``, from the cache or drawn (None: row not read yet);
        ``cursor``: as it looks with the cursor there (default: where it is)."""
        row = self.pager.get(index) if self.pager is not None else None
        if row is None:
            return None
        cursor = self.cursor if cursor is None else cursor
        key = (index, line, width, index == cursor, focus, id(self.pager))
        cached = self._line_cache.get(key)
        if cached is not None:
            return cached
        text = self.render_row(row, index, line, width)
        text.no_wrap = True
        strip = self._strip(text, width, self._row_style(index, base, cursor))
        self._line_cache[key] = strip
        return strip

    def _warm(self) -> None:
        """After a paint: read and draw the screens above and below, so the next
        page key finds them ready (a key's own repaint then only reuses lines)."""
        self._warm_scheduled = False
        if self.pager is None or not self.total or not self.is_attached:
            return
        rows = self.page_rows
        first = self.scroll_offset.y // self.row_height
        lo, hi = max(0, first - rows), min(self.total, first + 2 * rows + 1)
        self._fetch_rows(lo, hi)
        base, width, focus = self._frame()
        done = self._warmed
        self._warmed = (self.pager, width, focus, lo, hi)
        todo: Sequence[int]
        if done is not None and done[:3] == self._warmed[:3]:
            todo = [i for i in range(lo, hi) if not done[3] <= i < done[4]]
        else:
            todo = range(lo, hi)
        # and as the next cursor key shows them: the row the cursor leaves without it, the
        # rows it may go to with it (a cursor position no row has: -1)
        cursor = self.cursor
        moves = [(cursor, -1)] + [
            (i, i)
            for i in (cursor - rows, cursor - 1, cursor + 1, cursor + rows)
            if 0 <= i < self.total
        ]
        plain = self._plain_box()
        filters = self.get_line_filters()
        for index, at in [(i, None) for i in todo] + moves:
            for line in range(self.row_height):
                strip = self._row_strip(index, line, width, base, focus, at)
                if strip is not None and plain is not None:
                    self._painted(strip, plain[0], plain[1], filters, plain[2])

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
        first = self.scroll_offset.y // self.row_height
        self._fetch_rows(first, first + self.size.height // self.row_height + 2)

    def _fetch_rows(self, first: int, last: int) -> None:
        pager = self.pager
        if pager is None:
            return
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
            self._warmed = None  # its rows were skipped while it was missing
            self.refresh()
            self._schedule_warm()
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
        self._schedule_warm()

    def _schedule_warm(self) -> None:
        # After the key's paint, and then on a short timer: the paint's bytes are still
        # on their way to the terminal (Textual's writer thread needs the interpreter to
        # write them), and drawing would hold them up. A timer alone, counted from the
        # key, fired while a slow paint was being written.
        if not self._warm_scheduled and self.pager is not None and self.is_attached:
            self._warm_scheduled = True
            self.call_after_refresh(self.set_timer, WARM_DELAY, self._warm)

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
