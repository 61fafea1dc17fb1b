"""Saved views and the query history in the browser: w saves, v then a number recalls,
the palette lists both, and a search that settles is remembered once."""

from __future__ import annotations

from citetui.tui.modals.saved_views import SaveViewModal, ViewsModal
from citetui.tui.screens.hub import HubScreen
from tests.tui.helpers import hub_id, screen_text, settle
from tests.tui.synthetic import HUB, HUB2


async def palette(pilot, typed: str) -> str:
    """Open the command palette, type ``typed`` and return the screen once hits are shown."""
    await pilot.press("ctrl+p")
    await settle(pilot)
    await pilot.press(*typed)
    await settle(pilot)
    await pilot.pause(0.3)
    return screen_text(pilot.app)


async def test_save_and_recall_a_view_by_its_number(tui_lib, make_app):
    app = make_app(tui_lib)
    widgets = hub_id(tui_lib, HUB)
    async with app.run_test(size=(160, 45)) as pilot:
        await settle(pilot)
        app.open_hub(widgets)
        await settle(pilot)
        screen = app.screen
        assert isinstance(screen, HubScreen)
        screen.explorer.set_query("pol:critical")
        screen.explorer.set_sort("citations")
        await settle(pilot)
        screen.set_focus(screen.explorer.rows)
        await pilot.press("w")
        await settle(pilot)
        assert isinstance(app.screen, SaveViewModal)
        await pilot.press(*"critics", "tab", "3", "enter")
        await settle(pilot)
        saved = tui_lib.saved_views()
        assert [(v.name, v.hub_id, v.query, v.sort, v.slot) for v in saved] == [
            ("critics", widgets, "pol:critical", "citations", 3)
        ]
        # Elsewhere: clear the search, then v 3 brings the view back.
        screen.explorer.set_query("")
        screen.explorer.set_sort("year")
        await settle(pilot)
        await pilot.press("v")
        await settle(pilot)
        assert isinstance(app.screen, ViewsModal)
        assert "critics" in screen_text(app) and "pol:critical" in screen_text(app)
        await pilot.press("3")
        await settle(pilot)
        assert app.screen is screen
        assert screen.explorer.query_text == "pol:critical"
        assert screen.explorer.search_box.value == "pol:critical"
        assert screen.explorer.sort == "citations"
        assert "sorted by citations" in screen_text(app)
        # From another hub, the view opens its own hub.
        app.open_hub(hub_id(tui_lib, HUB2))
        await settle(pilot)
        await pilot.press("v", "3")
        await settle(pilot)
        assert isinstance(app.screen, HubScreen) and app.screen.hub_id == widgets
        assert app.screen.explorer.query_text == "pol:critical"
        assert app.screen.explorer.sort == "citations"
        # An empty slot says so and stays in the dialog.
        await pilot.press("v", "9")
        await settle(pilot)
        assert isinstance(app.screen, ViewsModal)
        await pilot.press("escape")


async def test_views_and_history_in_the_palette(tui_lib, make_app):
    app = make_app(tui_lib)
    widgets = hub_id(tui_lib, HUB)
    tui_lib.save_view("supporters", "pol:supportive", hub_id=widgets, sort="year", slot=1)
    async with app.run_test(size=(160, 45)) as pilot:
        await settle(pilot)
        app.open_hub(hub_id(tui_lib, HUB2))
        await settle(pilot)
        # A search typed in the explorer is remembered once it settles.
        await pilot.press("slash", *"gizmo")
        await settle(pilot)
        await pilot.pause(1.3)
        await settle(pilot)
        entries = tui_lib.query_history()
        assert [(e.query, e.hub_id, e.uses) for e in entries] == [
            ("gizmo", hub_id(tui_lib, HUB2), 1)
        ]
        await pilot.press("escape")
        assert "View: supporters (v1)" in await palette(pilot, "supporters")
        await pilot.press("enter")
        await settle(pilot)
        assert isinstance(app.screen, HubScreen) and app.screen.hub_id == widgets
        assert app.screen.explorer.query_text == "pol:supportive"
        assert "Search again: gizmo" in await palette(pilot, "gizmo")
