"""What a key costs the browser: the work each cursor or page key may cause, counted.

The benchmark (bench/tui.py) times keys in a real terminal; these tests pin down the
reasons they are cheap, so that a change which brings back the cost fails here:
the next screen (and the cursor's next row) drawn before the key, the list's lines
not copied by Textual's style cache on every paint, the scrollbar left alone while
its thumb stays put, the footer rebuilt only when its keys change, the ids of a big
hub read in one row.
"""

from __future__ import annotations

import pytest
from textual.strip import Strip
from textual.widgets import Footer as TextualFooter

from citetui.core.query import RowFilter
from citetui.core.vocab import sort_spec
from citetui.store import Library
from citetui.store.explorer import SORTS
from citetui.store.filters import filter_sql
from citetui.tui.screens.hub import HubScreen
from citetui.tui.widgets.lists import CitingList
from citetui.tui.widgets.virtual_list import ThumbScrollBar, VirtualList
from tests.tui.biglib import build
from tests.tui.helpers import settle


@pytest.fixture(scope="module")
def big(tmp_path_factory):
    path = tmp_path_factory.mktemp("keys") / "big.db"
    hub = build(path, 3000)
    return path, hub


def _count_rows_drawn(monkeypatch) -> list[int]:
    """The rows drawn while the screen is painted (not those drawn ahead, after a paint)."""
    drawn: list[int] = []
    original = CitingList.render_row

    def render_row(self, row, index, line, width):
        if self._pass is not None:  # inside render_lines: a paint
            drawn.append(index)
        return original(self, row, index, line, width)

    monkeypatch.setattr(CitingList, "render_row", render_row)
    return drawn


async def _open_explorer(app, pilot):
    await settle(pilot)
    await pilot.press("enter")
    await settle(pilot)
    screen = app.screen
    assert isinstance(screen, HubScreen)
    await pilot.pause(0.05)  # the warm-up runs on a timer after the paint
    await settle(pilot)
    return screen.explorer.rows


def _count_strips_painted(monkeypatch) -> list[int]:
    """Strips made while the list paints (padding, colour filters, crops of its lines)."""
    made: list[int] = []
    original_paint = VirtualList.render_lines
    original_init = Strip.__init__
    painting = [False]

    def render_lines(self, crop):
        painting[0] = True
        try:
            return original_paint(self, crop)
        finally:
            painting[0] = False

    def init(self, *args, **kwargs):
        if painting[0]:
            made.append(1)
        original_init(self, *args, **kwargs)

    monkeypatch.setattr(VirtualList, "render_lines", render_lines)
    monkeypatch.setattr(Strip, "__init__", init)
    return made


@pytest.mark.parametrize("key", ["pagedown", "down", "pageup", "up"])
async def test_a_key_finds_its_screen_already_drawn(big, make_app, monkeypatch, key):
    path, _ = big
    drawn = _count_rows_drawn(monkeypatch)
    made = _count_strips_painted(monkeypatch)
    app = make_app(Library(path))
    async with app.run_test(size=(160, 45)) as pilot:
        rows = await _open_explorer(app, pilot)
        screen_rows = rows.page_rows
        if key in ("pageup", "up"):  # from well down the list
            rows.move_cursor(20 * screen_rows)
            await pilot.pause(0.05)
            await settle(pilot)
        start = rows.cursor
        step = {"pagedown": screen_rows, "down": 1, "pageup": -screen_rows, "up": -1}[key]
        presses = 5 if key.startswith("page") else 3 * screen_rows  # past the screen's edge
        for _ in range(presses):
            drawn.clear()
            made.clear()
            await pilot.press(key)
            await pilot.pause()
            # the new screen, the cursor's row included, was drawn after the previous key,
            # and so were its lines as the screen gets them: the key's paint only reuses
            assert drawn == [], drawn
            assert made == [], f"{len(made)} strips made while painting"
            await pilot.pause(0.05)
            await settle(pilot)
        assert rows.cursor == start + presses * step


def _styled_lines(vlist, crop=None) -> list[list[tuple]]:
    """The list's lines for ``crop`` (all of it by default) as text and style per segment."""
    from textual.geometry import Region

    crop = crop or Region(0, 0, vlist.region.width, vlist.region.height)
    return [[(seg.text, seg.style) for seg in strip] for strip in vlist.render_lines(crop)]


async def test_a_plain_list_paints_what_textuals_style_cache_would(big, make_app):
    """The list skips Textual's style cache when it has nothing to add (no border,
    padding, tint...): the lines must be the same, cell for cell and style for style."""
    from textual.geometry import Region

    from citetui.tui.widgets.virtual_list import VirtualList

    path, _ = big
    app = make_app(Library(path))
    async with app.run_test(size=(160, 45)) as pilot:
        rows = await _open_explorer(app, pilot)
        await pilot.press(*["down"] * (rows.page_rows + 3), "pagedown")  # scrolled
        await settle(pilot)
        assert rows.scroll_offset.y > 0 and rows.vertical_scrollbar.display
        assert rows._plain_box() is not None
        half = Region(3, 2, 40, 7)  # a crop that is not the whole list
        plain = _styled_lines(rows), _styled_lines(rows, half)
        assert rows._bypassed
        rows._plain_box = lambda: None  # the style cache's way
        cached = _styled_lines(rows), _styled_lines(rows, half)
        assert not rows._bypassed
        assert plain == cached
        assert any(text.strip() for line in plain[0] for text, _ in line)
        del rows._plain_box
        # a line drawn before is the same Strip on the next paint, so its filtered and
        # divided forms come from that strip's own caches
        full = Region(0, 0, rows.region.width, rows.region.height)
        assert [id(s) for s in rows.render_lines(full)] == [id(s) for s in rows.render_lines(full)]
        # with a border the style cache draws it
        rows.styles.border = ("round", "red")
        await pilot.pause()
        assert rows._plain_box() is None
        top = "".join(text for text, _ in _styled_lines(rows)[0])
        assert top.startswith("╭") and top.rstrip().endswith("╮")
        assert isinstance(rows, VirtualList)


async def test_the_scrollbar_repaints_only_when_its_thumb_moves(big, make_app):
    path, _ = big
    app = make_app(Library(path))
    async with app.run_test(size=(160, 45)) as pilot:
        rows = await _open_explorer(app, pilot)
        bar = rows.vertical_scrollbar
        assert isinstance(bar, ThumbScrollBar) and bar.display
        refreshed = []
        original = bar.refresh
        bar.refresh = lambda *a, **k: (refreshed.append(bar.position), original(*a, **k))[1]
        for _ in range(rows.page_rows + 2):  # past the bottom: every key scrolls by a row
            await pilot.press("down")
        await settle(pilot)
        assert rows.scroll_offset.y > 0
        # 3000 rows of 2 lines over ~35 cells: a row is 1/170 of a cell, below the
        # eighth of a cell a thumb can show
        assert len(refreshed) <= 1
        thumb = bar._thumb()
        await pilot.press("G")
        await settle(pilot)
        assert bar._thumb() != thumb and bar._drawn == bar._thumb()
        assert refreshed  # the jump to the end moved the thumb, and it was drawn there


async def test_the_footer_is_rebuilt_only_when_its_keys_change(big, make_app, monkeypatch):
    path, _ = big
    rebuilds = []
    original = TextualFooter.recompose

    async def recompose(self):
        rebuilds.append(type(self.screen).__name__)
        return await original(self)

    monkeypatch.setattr(TextualFooter, "recompose", recompose)
    app = make_app(Library(path))
    async with app.run_test(size=(160, 45)) as pilot:
        await _open_explorer(app, pilot)
        # one build for the library screen, one for the hub page: not one per focus
        # move or screen switch
        assert rebuilds.count("HubScreen") == 1, rebuilds
        footer_text = lambda: " ".join(  # noqa: E731
            str(k.render()) for k in app.screen.query("FooterKey")
        )
        before = footer_text()
        rebuilds.clear()
        await pilot.press("down", "down", "up")
        await settle(pilot)
        assert rebuilds == []
        await pilot.press("slash")  # the search box: other keys in the footer
        await settle(pilot)
        assert rebuilds == ["HubScreen"] and footer_text() != before


def test_citing_ids_come_in_one_row_in_every_sort(big):
    path, hub = big
    lib = Library(path, readonly=True)
    try:
        for flt in (
            RowFilter(),
            RowFilter(roles=("method",)),
            RowFilter(year_min=2020),
            RowFilter(polarities=("critical",), year_max=2019),
        ):
            where, params = filter_sql(flt, hub)
            for (key, descending), order in SORTS.items():
                sort = "added" if key == "added" else sort_spec(key, descending)
                join = " JOIN papers p ON p.id = c.citing_id" if "p." in order else ""
                one_per_row = [
                    r[0]
                    for r in lib.conn.execute(
                        f"SELECT c.citing_id FROM citations c{join} WHERE {where} ORDER BY {order}",
                        params,
                    )
                ]
                assert lib.citing_ids(hub, flt, sort=sort) == one_per_row, (sort, flt)
        # the packed read is the one taken on this SQLite (the plan streams in order)
        assert lib._plans and all(lib._plans.values())
    finally:
        lib.close()


def test_citing_ids_are_handed_to_python_in_one_row(big):
    """Python's sqlite3 takes the interpreter lock back for each row it hands over; with
    another thread busy in Python each take waits its turn (175k ids: 9 s instead of
    60 ms). Count the rows handed over rather than timing them."""
    path, hub = big
    lib = Library(path, readonly=True)
    real = lib.conn
    handed = []

    class Counting:
        """The connection, counting the rows its cursors return."""

        def execute(self, sql, params=()):
            cursor = real.execute(sql, params)

            class Rows:
                def fetchone(self):
                    handed.append(sql)
                    return cursor.fetchone()

                def fetchall(self):
                    rows = cursor.fetchall()
                    handed.extend([sql] * len(rows))
                    return rows

            return Rows()

    lib.conn = Counting()
    try:
        ids = lib.citing_ids(hub, RowFilter(), sort="year")
        assert len(ids) == 3000
        # the query plan (a few rows, read once) and then one row of packed ids
        assert len(handed) < 20, len(handed)
        handed.clear()
        assert lib.citing_ids(hub, RowFilter(), sort="year") == ids
        assert len(handed) == 1  # the plan is not read again
    finally:
        lib.conn = real
        lib.close()


async def test_drawing_ahead_waits_until_the_keys_paint_is_written(big, make_app, monkeypatch):
    """The rows around the cursor are drawn WARM_DELAY after the key's paint went to the
    terminal, not on a timer from the key: Textual's writer thread needs the interpreter
    to write a paint, and a slow paint's bytes used to wait behind the drawing."""
    import time

    from textual.app import App

    from citetui.tui.widgets import virtual_list

    events: list[tuple[str, float]] = []
    display, warm = App._display, VirtualList._warm
    slow = [False]

    def timed_display(self, screen, renderable):
        if slow[0]:
            time.sleep(0.03)  # a paint slower than the old timer from the key
        display(self, screen, renderable)
        events.append(("paint", time.perf_counter()))

    def timed_warm(self):
        events.append(("warm", time.perf_counter()))
        warm(self)

    monkeypatch.setattr(App, "_display", timed_display)
    monkeypatch.setattr(VirtualList, "_warm", timed_warm)
    app = make_app(Library(big[0]))
    async with app.run_test(size=(160, 45)) as pilot:
        await _open_explorer(app, pilot)
        for key in ("pagedown", "down", "pagedown"):
            events.clear()
            slow[0] = True
            await pilot.press(key)
            await pilot.pause(0.1)
            slow[0] = False
            await settle(pilot)
            kinds = [k for k, _ in events]
            assert "warm" in kinds and "paint" in kinds, kinds
            first_warm = kinds.index("warm")
            assert "paint" in kinds[:first_warm], kinds
            last_paint = max(t for k, t in events[:first_warm] if k == "paint")
            assert events[first_warm][1] - last_paint >= virtual_list.WARM_DELAY * 0.9


async def test_the_lists_kept_styles_follow_focus_and_theme(big, make_app):
    """The list keeps its component styles between paints; they must still change
    when the focus or the theme does (the cursor's colours depend on both)."""
    from textual.widget import Widget

    def fresh(vlist, name):
        vlist._rich_style_cache.clear()
        return Widget.get_component_rich_style(vlist, name)

    app = make_app(Library(big[0]))
    async with app.run_test(size=(160, 45)) as pilot:
        rows = await _open_explorer(app, pilot)
        seen = set()
        for step in ("focused", "blurred", "theme", "focused again"):
            if step == "blurred":
                app.screen.set_focus(app.screen.explorer.search_box)
            elif step == "theme":
                app.theme = "nord" if app.theme != "nord" else "gruvbox"
            elif step == "focused again":
                app.screen.set_focus(rows)
            await settle(pilot)
            kept = rows.get_component_rich_style("vlist--cursor")
            assert kept == fresh(rows, "vlist--cursor"), step
            seen.add(kept)
        assert len(seen) >= 3  # focus and theme each changed the cursor's colours
