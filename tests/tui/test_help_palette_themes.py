"""Help for the keys of each screen, the command palette, themes and user key overrides."""

from __future__ import annotations

import json
import re

from citetui.tui.app import CitetuiApp
from citetui.tui.screens.help import HelpScreen
from citetui.tui.screens.hub import HubScreen
from citetui.tui.screens.library import LibraryScreen
from citetui.tui.screens.paper import PaperScreen
from tests.tui.helpers import hub_id, screen_text, settle
from tests.tui.synthetic import HUB, HUB2


async def test_help_lists_the_keys_of_the_current_screen(tui_lib, make_app):
    app = make_app(tui_lib)
    async with app.run_test(size=(120, 40)) as pilot:
        await settle(pilot)
        await pilot.press("question_mark")
        await settle(pilot)
        assert isinstance(app.screen, HelpScreen)
        assert "Filter  [library.search]" in screen_text(app)
        text = app.screen.body().plain
        assert "[hub.sort]" not in text  # the hub screen's keys are not the library's
        assert "Search syntax" in text and "year:2020..2024" in text and "'word" in text
        await pilot.press("escape")
        await settle(pilot)
        assert isinstance(app.screen, LibraryScreen)

        app.open_hub(hub_id(tui_lib, HUB))
        await settle(pilot)
        await pilot.press("f1")
        await settle(pilot)
        assert "Sort  [hub.sort]" in screen_text(app)
        text = app.screen.body().plain
        for expected in (
            "Sort  [hub.sort]",
            "Search  [hub.search]",
            "Copy title",
            "Open link",
            "Go to claims ledger",
            "j",
            "Down",
            "Back",
            "Forward",
            "Command palette",
            "claim:2",
            "pol:critical",
            "role:method",
            "!word",
        ):
            assert expected in text, expected
        await pilot.press("question_mark")
        await settle(pilot)
        assert isinstance(app.screen, HubScreen)


async def test_palette_opens_a_hub_by_title(tui_lib, make_app):
    app = make_app(tui_lib)
    async with app.run_test(size=(120, 40)) as pilot:
        await settle(pilot)
        await pilot.press("ctrl+p")
        await settle(pilot)
        await pilot.press(*"open hub gizmo")
        await settle(pilot)
        await pilot.press("enter")
        await settle(pilot)
        assert isinstance(app.screen, HubScreen)
        assert app.screen.hub_id == hub_id(tui_lib, HUB2)
        assert app.history.current.id == hub_id(tui_lib, HUB2)


async def test_palette_opens_a_paper_and_sorts_the_explorer(tui_lib, make_app):
    app = make_app(tui_lib)
    async with app.run_test(size=(120, 40)) as pilot:
        await settle(pilot)
        app.open_hub(hub_id(tui_lib, HUB))
        await settle(pilot)
        hub_screen = app.screen
        await pilot.press("ctrl+p", *"sort explorer by citations")
        await settle(pilot)
        await pilot.press("enter")
        await settle(pilot)
        assert app.screen is hub_screen
        assert hub_screen.explorer.sort == "citations"
        await pilot.press("ctrl+p", *"Compute-Optimal Widget")
        await settle(pilot)
        await pilot.press("enter")
        await settle(pilot)
        assert isinstance(app.screen, PaperScreen)
        assert app.screen.paper.title == "Compute-Optimal Widget Training"


async def test_theme_from_the_palette_is_remembered(tui_lib, make_app, tmp_path):
    app = make_app(tui_lib)
    async with app.run_test(size=(120, 40)) as pilot:
        await settle(pilot)
        await pilot.press("ctrl+p", *"theme: nord")
        await settle(pilot)
        await pilot.press("enter")
        await settle(pilot)
        assert app.theme == "nord"
    saved = json.loads((tmp_path / "config" / "tui.json").read_text())
    assert saved["theme"] == "nord"
    again = make_app(tui_lib)
    async with again.run_test(size=(80, 24)) as pilot:
        await settle(pilot)
        assert again.theme == "nord"


async def test_user_keymap_and_a_broken_settings_file(tui_lib, tmp_path):
    settings = tmp_path / "tui.json"
    settings.write_text(json.dumps({"keymap": {"hub.sort": "z"}}))
    app = CitetuiApp(tui_lib, settings_path=settings)
    async with app.run_test(size=(120, 40)) as pilot:
        await settle(pilot)
        app.open_hub(hub_id(tui_lib, HUB))
        await settle(pilot)
        await pilot.press("z")
        await settle(pilot)
        # the rows came newest first (relevance needs words): the next sort is citations
        assert app.screen.explorer.sort == "citations"
        await pilot.press("f1")
        await settle(pilot)
        assert re.search(r"^ +z +Sort  \[hub\.sort\]$", app.screen.body().plain, re.MULTILINE)

    settings.write_text("{not json")
    app = CitetuiApp(tui_lib, settings_path=settings)
    async with app.run_test(size=(120, 40)) as pilot:
        await settle(pilot)
        assert app.theme == "textual-dark"
        assert any("ignored" in str(n.message) for n in app._notifications)


async def test_palette_exports_the_current_view(tui_lib, make_app, tmp_path):
    app = make_app(tui_lib)
    app.export_dir = tmp_path
    async with app.run_test(size=(120, 40)) as pilot:
        await settle(pilot)
        app.open_hub(hub_id(tui_lib, HUB))
        await settle(pilot)
        await pilot.press("slash", *"role:method", "escape")
        await settle(pilot)
        await pilot.press("ctrl+p", *"export current view as csv")
        await settle(pilot)
        await pilot.press("enter")
        await settle(pilot)
        written = tmp_path / "scaling-laws-for-synthetic-widgets.csv"
        assert written.exists()
        text = written.read_text()
        assert "Widget Scaling Revisited" in text and "Click" in text
        assert "Compute-Optimal Widget Training" not in text  # not role:method
        assert any("wrote 2 citing papers to" in str(n.message) for n in app._notifications)
        # A second export does not overwrite the first.
        await pilot.press("ctrl+p", *"export current view as csv")
        await settle(pilot)
        await pilot.press("enter")
        await settle(pilot)
        assert (tmp_path / "scaling-laws-for-synthetic-widgets-2.csv").exists()


def _themes() -> list[str]:
    from textual.theme import BUILTIN_THEMES

    return sorted(BUILTIN_THEMES)


async def test_every_theme_draws_every_screen(tui_lib, tmp_path):
    """Each theme the palette lists opens the library, a hub, its controls, a paper and
    the help without a CSS error (ansi-dark had no $surface-active and quit the app)."""
    hub = hub_id(tui_lib, HUB)
    for theme in _themes():
        settings = tmp_path / f"{theme}.json"
        settings.write_text(json.dumps({"theme": theme}))
        app = CitetuiApp(tui_lib, settings_path=settings)
        async with app.run_test(size=(100, 30)) as pilot:
            await settle(pilot)
            assert app.theme == theme
            app.open_hub(hub)
            await settle(pilot)
            await pilot.press("slash")  # the search box's focused style
            await settle(pilot)
            await pilot.press("escape", "a")
            await settle(pilot)
            await pilot.press("escape")
            await settle(pilot)
            app.open_paper(app.screen.explorer.rows.current.paper_id, hub)
            await settle(pilot)
            await pilot.press("question_mark")
            await settle(pilot)
            assert isinstance(app.screen, HelpScreen), theme
            assert app.return_code is None and app._exit_renderables == [], theme


async def test_a_broken_settings_file_is_never_overwritten(tui_lib, tmp_path):
    settings = tmp_path / "tui.json"
    broken = '{"keymap": {"hub.sort": "z"}, "theme": "nord",'  # half edited
    settings.write_text(broken)
    app = CitetuiApp(tui_lib, settings_path=settings)
    async with app.run_test(size=(120, 40)) as pilot:
        await settle(pilot)
        await pilot.press("ctrl+p", *"theme: dracula")
        await settle(pilot)
        await pilot.press("enter")
        await settle(pilot)
        assert app.theme == "dracula"
        said = [str(n.message) for n in app._notifications]
    assert settings.read_text() == broken
    assert any("left as it is" in m for m in said), said
