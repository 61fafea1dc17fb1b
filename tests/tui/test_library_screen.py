"""The library screen: every hub with its figures, filtered as you type; Enter opens one."""

from __future__ import annotations

from citetui.store import Library
from citetui.tui.screens.hub import HubScreen
from citetui.tui.screens.library import LibraryScreen
from citetui.tui.widgets.lists import HubList
from tests.tui.helpers import hub_id, list_text, screen_text, settle
from tests.tui.synthetic import HUB, HUB2


async def test_lists_every_hub_with_its_figures(tui_lib, make_app):
    app = make_app(tui_lib)
    async with app.run_test(size=(160, 45)) as pilot:
        await settle(pilot)
        text = screen_text(app)
        assert "3 hubs" in text
        for heading in ("title", "year", "tier", "citing", "verdict"):
            assert heading in text
        rows = list_text(app.screen.query_one(HubList)).splitlines()
        ppo = next(r for r in rows if "Proximal Policy Optimization Algorithms" in r)
        assert "2017" in ppo and "mega hub" in ppo and " 66 " in ppo and "Mixed citations" in ppo
        widgets = next(r for r in rows if HUB in r)
        assert "2020" in widgets and " 8 " in widgets and "Mostly supportive" in widgets
        assert any(HUB2 in r and "Background citations" in r for r in rows)


async def test_filter_as_you_type_highlights_and_counts(tui_lib, make_app):
    app = make_app(tui_lib)
    async with app.run_test(size=(120, 30)) as pilot:
        await settle(pilot)
        await pilot.press("slash", *"gizmo")
        await settle(pilot)
        hubs = app.screen.query_one(HubList)
        # the gizmo survey by its title, and the hub one of whose authors is Bo Gizmo
        assert hubs.total == 2
        assert "2 of 3 hubs match" in screen_text(app)
        assert HUB2 in list_text(hubs)
        # The matched word is drawn in the match style, the rest is not.
        strip = hubs.render_line(0)
        match = hubs.match_style()
        styled = "".join(
            seg.text for seg in strip if seg.style and match.underline and seg.style.underline
        )
        assert styled == "Gizmo"
        # Escape leaves the box, the filter stays; Enter opens the hub.
        await pilot.press("escape")
        assert app.focused is hubs
        await pilot.press("enter")
        await settle(pilot)
        assert isinstance(app.screen, HubScreen)
        assert app.screen.hub_id == hub_id(tui_lib, HUB2)


async def test_filter_with_no_match_and_a_field_filter(tui_lib, make_app):
    app = make_app(tui_lib)
    async with app.run_test(size=(100, 30)) as pilot:
        await settle(pilot)
        await pilot.press("slash", *"xylophone")
        await settle(pilot)
        assert "no hubs match this filter" in screen_text(app)
        await pilot.press("ctrl+u", *"role:method")
        await settle(pilot)
        assert "role:, pol: and claim: filters work in a hub" in screen_text(app)


async def test_enter_opens_and_escape_returns(tui_lib, make_app):
    app = make_app(tui_lib)
    async with app.run_test(size=(100, 30)) as pilot:
        await settle(pilot)
        await pilot.press("down", "enter")
        await settle(pilot)
        assert isinstance(app.screen, HubScreen)
        assert app.screen.hub_id == hub_id(tui_lib, HUB)
        await pilot.press("escape")
        await settle(pilot)
        assert isinstance(app.screen, LibraryScreen)
        assert app.screen.query_one(HubList).cursor == 1


async def test_empty_library_says_so(tmp_path, make_app):
    lib = Library(tmp_path / "empty.db", create=True)
    app = make_app(lib)
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(pilot)
        text = screen_text(app)
        assert "0 hubs" in text
        assert "no hubs yet: citetui import FILE --hub ID, or h on a paper's page" in text
        await pilot.press("enter", "y", "o")  # nothing to open, copy or follow: no crash
        await settle(pilot)
        assert isinstance(app.screen, LibraryScreen)
    lib.close()


async def test_the_other_screens_are_imported_once_the_hub_list_is_shown(
    tui_lib, make_app, monkeypatch
):
    import citetui.tui.app as app_module

    calls = []
    monkeypatch.setattr(app_module, "_preload", lambda: calls.append("preload"))
    app = make_app(tui_lib)
    async with app.run_test(size=(120, 40)) as pilot:
        await settle(pilot)
        assert "hub" in screen_text(app).lower() and calls == ["preload"]
        await pilot.press("slash", "x")  # a filter brings the list again: not a second preload
        await settle(pilot)
        assert calls == ["preload"]
