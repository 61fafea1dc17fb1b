"""Small terminals, wide characters, and a hub with many citing papers read a page at a time."""

from __future__ import annotations

import pytest
from rich.cells import cell_len

from citetui.store import Library
from citetui.tui.screens.hub import HubScreen
from citetui.tui.support.paging import PAGE_SIZE
from tests.tui.biglib import build
from tests.tui.helpers import hub_id, screen_text, settle
from tests.tui.synthetic import HUB, WIDE_TITLE


async def test_hub_page_at_80x24_is_usable(tui_lib, make_app):
    app = make_app(tui_lib)
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(pilot)
        app.open_hub(hub_id(tui_lib, HUB))
        await settle(pilot)
        screen = app.screen
        assert screen.has_class("-narrow")
        text = screen_text(app)
        assert "Citing papers" in text and "8 citing papers" in text
        assert "Widget Scaling Revisited" in text
        # Every pane is one key away: it gets focus and is scrolled into view.
        for key, pane in (("4", "claims"), ("2", "roles"), ("6", "representative")):
            await pilot.press(key)
            await settle(pilot)
            widget = screen.query_one(f"#{pane}")
            assert app.focused is widget
            assert widget.region.y >= 0 and widget.region.bottom <= 24
            assert widget.region.height > 0
        assert "Claims ledger" in screen_text(app) or "Representative" in screen_text(app)
        await pilot.press("7")
        assert app.focused is screen.explorer.rows


async def test_at_80x24_the_reading_counts_and_the_authors_move_to_the_abstract(tui_lib, make_app):
    from citetui.tui.screens.help import HelpScreen  # noqa: F401 - the app's screens load

    app = make_app(tui_lib)
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(pilot)
        app.open_hub(hub_id(tui_lib, "Proximal Policy Optimization Algorithms"))
        await settle(pilot)
        screen = app.screen
        header = screen.query_one("#hub-header")
        text = screen_text(app)
        # the header keeps the figures, the verdict and the roles, all of each on screen
        assert "Mixed citations (recorded by hub-page)" in text
        assert "(recorded by hub-page, n not given)" in text
        assert header.region.height <= 6
        await pilot.press("1")  # the abstract pane holds the reading counts and authors first
        await settle(pilot)
        shown = screen_text(app)
        assert "your reading: unread" in shown
        assert "John Schulman, Filip Wolski, Prafulla Dhariwal" in shown and "Klimov" in shown
        await pilot.resize_terminal(160, 45)  # wide again: the authors are back in the header
        await settle(pilot)
        assert header.region.height <= 7
        top = "\n".join(screen_text(app).splitlines()[: header.region.height])
        assert "John Schulman" in top


async def test_resizing_switches_layouts(tui_lib, make_app):
    app = make_app(tui_lib)
    async with app.run_test(size=(160, 45)) as pilot:
        await settle(pilot)
        app.open_hub(hub_id(tui_lib, HUB))
        await settle(pilot)
        assert not app.screen.has_class("-narrow")
        side, main = app.screen.query_one("#hub-side"), app.screen.query_one("#explorer")
        assert side.region.right <= main.region.x  # side by side
        await pilot.resize_terminal(80, 24)
        await settle(pilot)
        assert app.screen.has_class("-narrow")
        assert side.region.x == main.region.x  # one column
        await pilot.resize_terminal(160, 45)
        await settle(pilot)
        assert not app.screen.has_class("-narrow")


async def test_wide_characters_keep_the_columns_aligned(tui_lib, make_app):
    app = make_app(tui_lib)
    async with app.run_test(size=(160, 45)) as pilot:
        await settle(pilot)
        app.open_hub(hub_id(tui_lib, HUB))
        await settle(pilot)
        rows = app.screen.explorer.rows
        lines = [rows.render_line(y).text for y in range(rows.size.height)]
        wide = next(line for line in lines if WIDE_TITLE in line)
        plain = next(line for line in lines if "Weak-to-Strong Widget" in line)
        # Both rows are "background": the word starts at the same cell in both.
        assert cell_len(wide[: wide.index("background")]) == cell_len(
            plain[: plain.index("background")]
        )
        assert cell_len(wide) == cell_len(plain) == rows.size.width


@pytest.fixture(scope="module")
def big_lib_path(tmp_path_factory):
    path = tmp_path_factory.mktemp("big") / "big.db"
    build(path, 3000)
    return path


async def test_many_citing_papers_are_read_a_page_at_a_time(big_lib_path, make_app):
    lib = Library(big_lib_path)
    app = make_app(lib)
    async with app.run_test(size=(160, 45)) as pilot:
        await settle(pilot)
        await pilot.press("enter")
        await settle(pilot)
        screen = app.screen
        assert isinstance(screen, HubScreen)
        rows = screen.explorer.rows
        assert screen.explorer.total == 3000 and rows.total == 3000
        assert "3,000 citing papers" in screen_text(app)
        assert len(rows.pager._pages) == 1  # only the first page was read
        first_line = rows.render_line(0).text
        assert rows.pager.get(0).title[:20] in first_line
        await pilot.press("G")
        await settle(pilot)
        assert rows.cursor == 2999
        assert rows.pager.get(2999) is not None
        assert set(rows.pager._pages) == {0, 2999 // PAGE_SIZE}
        visible = "\n".join(rows.render_line(y).text for y in range(rows.size.height))
        assert rows.pager.get(2999).title[:20] in visible
        await pilot.press("pageup", "pageup")
        await settle(pilot)
        assert rows.pager.get(rows.cursor) is not None
        assert len(rows.pager._pages) <= 4
        # A search over them all still works and pages its results.
        await pilot.press("slash", *"weak strong")
        await settle(pilot)
        assert 0 < screen.explorer.total < 3000
    lib.close()
