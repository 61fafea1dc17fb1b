"""The paper page, and going back and forward between hubs and papers."""

from __future__ import annotations

import json

from citetui.ingest import import_files
from citetui.store import Library
from citetui.tui.screens.hub import HubScreen
from citetui.tui.screens.library import LibraryScreen
from citetui.tui.screens.paper import PaperScreen
from citetui.tui.widgets.lists import HubList, PaperList
from tests.conftest import SAMPLE
from tests.tui.helpers import hub_id, list_text, paper_id, screen_text, settle
from tests.tui.synthetic import HUB, HUB2, widgets_bundle


async def test_paper_page_shows_details_contexts_and_claims(tui_lib, make_app):
    app = make_app(tui_lib)
    async with app.run_test(size=(160, 45)) as pilot:
        await settle(pilot)
        app.open_paper(paper_id(tui_lib, "Widget Scaling Revisited"), hub_id(tui_lib, HUB))
        await settle(pilot)
        assert isinstance(app.screen, PaperScreen)
        text = screen_text(app)
        for expected in (
            "Widget Scaling Revisited",
            "no authors recorded",
            "2024",
            "40 citations",
            "DOI: 10.9999/w1",
            "link: https://doi.org/10.9999/w1",
            "Finds that widget loss bends away from a power law",
            "source: synthetic",
            "no abstract recorded",
            "role: comparison, method · polarity: critical",
            "“As shown by the widget laws [w1], loss falls.”  [method]",
            "engages claim 1 (critical): Widget loss follows a power law in model size.",
            "“We find the power law breaks down.”",
        ):
            assert expected in text, expected
        cites = list_text(app.screen.query_one("#cites", PaperList))
        first, second = cites.splitlines()[:2]
        assert HUB in first and "hub" in first  # the hub it was opened from comes first
        assert HUB2 in second and "background" in second


async def test_enter_on_a_cited_hub_and_back_and_forward(tui_lib, make_app):
    app = make_app(tui_lib)
    async with app.run_test(size=(160, 45)) as pilot:
        await settle(pilot)
        await pilot.press("down", "enter")  # the widgets hub
        await settle(pilot)
        hub_screen = app.screen
        assert isinstance(hub_screen, HubScreen) and hub_screen.hub_id == hub_id(tui_lib, HUB)
        await pilot.press("slash", *"revisited", "enter")
        await settle(pilot)
        await pilot.press("enter")  # open the paper
        await settle(pilot)
        assert isinstance(app.screen, PaperScreen)
        await pilot.press("j", "enter")  # the second cited hub: gizmo
        await settle(pilot)
        assert isinstance(app.screen, HubScreen) and app.screen.hub_id == hub_id(tui_lib, HUB2)
        # Back twice: the paper, then the hub with its search as it was left.
        await pilot.press("escape")
        await settle(pilot)
        assert isinstance(app.screen, PaperScreen)
        assert app.screen.query_one("#cites", PaperList).cursor == 1
        await pilot.press("left_square_bracket")
        await settle(pilot)
        assert app.screen is hub_screen
        assert hub_screen.explorer.search_box.value == "revisited"
        # Forward twice: the paper, then gizmo again.
        await pilot.press("right_square_bracket")
        await settle(pilot)
        assert isinstance(app.screen, PaperScreen)
        assert app.screen.query_one("#cites", PaperList).cursor == 1
        await pilot.press("right_square_bracket")
        await settle(pilot)
        assert isinstance(app.screen, HubScreen) and app.screen.hub_id == hub_id(tui_lib, HUB2)
        await pilot.press("right_square_bracket")  # nothing further: stays
        await settle(pilot)
        assert app.screen.hub_id == hub_id(tui_lib, HUB2)
        # Back to the start, and no further.
        for _ in range(5):
            await pilot.press("escape")
            await settle(pilot)
        assert isinstance(app.screen, LibraryScreen)
        assert app.history.index == -1


async def test_going_somewhere_new_drops_the_forward_history(tui_lib, make_app):
    app = make_app(tui_lib)
    async with app.run_test(size=(120, 30)) as pilot:
        await settle(pilot)
        app.open_hub(hub_id(tui_lib, HUB))
        await settle(pilot)
        app.open_hub(hub_id(tui_lib, HUB2))
        await settle(pilot)
        await pilot.press("escape")
        await settle(pilot)
        assert app.history.can_forward
        await pilot.press("7", "enter")  # a citing paper: a new place
        await settle(pilot)
        assert isinstance(app.screen, PaperScreen)
        assert not app.history.can_forward
        assert [loc.kind for loc in app.history.entries] == ["hub", "paper"]


async def test_h_opens_a_paper_that_is_a_hub_as_its_hub_page(tui_lib, make_app):
    app = make_app(tui_lib)
    async with app.run_test(size=(120, 30)) as pilot:
        await settle(pilot)
        app.open_paper(hub_id(tui_lib, HUB2))
        await settle(pilot)
        assert "a hub in this library: press h for its page" in screen_text(app)
        await pilot.press("h")
        await settle(pilot)
        assert isinstance(app.screen, HubScreen) and app.screen.hub_id == hub_id(tui_lib, HUB2)
        app.open_paper(paper_id(tui_lib, "Sprocket Dynamics"))
        await settle(pilot)
        assert "cites nothing else in this library" in screen_text(app)
        await pilot.press("h")  # not a hub: h does nothing
        await settle(pilot)
        assert isinstance(app.screen, PaperScreen)


async def test_cocited_hub_opens_its_hub_page_and_paper_copy(tui_lib, make_app):
    app = make_app(tui_lib)
    async with app.run_test(size=(160, 45)) as pilot:
        await settle(pilot)
        app.open_hub(hub_id(tui_lib, HUB))
        await settle(pilot)
        await pilot.press("5", "enter")  # co-cited: the gizmo survey is a hub
        await settle(pilot)
        assert isinstance(app.screen, HubScreen) and app.screen.hub_id == hub_id(tui_lib, HUB2)
        await pilot.press("escape", "5", "j", "enter")  # Sprocket Dynamics is not
        await settle(pilot)
        assert isinstance(app.screen, PaperScreen)
        await pilot.press("y")
        await settle(pilot)
        assert app.clipboard == "Sprocket Dynamics"
        await pilot.press("Y")  # no DOI or arXiv id: nothing copied, a warning instead
        await settle(pilot)
        assert app.clipboard == "Sprocket Dynamics"


async def test_a_paper_that_is_gone_says_so(tui_lib, make_app):
    app = make_app(tui_lib)
    async with app.run_test(size=(100, 30)) as pilot:
        await settle(pilot)
        app.open_paper(999_999)
        await settle(pilot)
        assert "cannot show this paper: no paper with id 999999" in screen_text(app)
        app.open_hub(paper_id(tui_lib, "Sprocket Dynamics"))  # a paper, not a hub
        await settle(pilot)
        assert "cannot show this hub" in screen_text(app)


async def test_r_reloads_after_an_import_elsewhere(tui_lib, make_app, tmp_path):
    lib_path = tmp_path / "grow.db"
    lib = Library(lib_path, create=True)
    import_files(lib, [SAMPLE])
    app = make_app(lib)
    async with app.run_test(size=(120, 30)) as pilot:
        await settle(pilot)
        assert isinstance(app.screen, LibraryScreen)
        assert app.screen.query_one(HubList).total == 1
        other = Library(lib_path)  # as another process would
        bundle = tmp_path / "widgets.json"
        bundle.write_text(json.dumps(widgets_bundle()))
        import_files(other, [bundle])
        other.close()
        await pilot.press("r")
        await settle(pilot)
        assert app.screen.query_one(HubList).total == 2  # PPO and the widgets hub
        assert "2 hubs" in screen_text(app)
    lib.close()


async def test_the_paper_page_shows_the_other_ids_it_was_imported_under(
    tui_lib, make_app, tmp_path
):
    """Two OpenAlex works of one DOI are one paper: its page names both W-ids."""
    pid = paper_id(tui_lib, "Widget Scaling Revisited")
    work = {
        "title": "Widget Scaling Revisited",
        "doi": "https://doi.org/10.9999/w1",
        "authorships": [],
        "referenced_works": [],
    }
    dups = tmp_path / "dups.jsonl"
    dups.write_text(
        "".join(
            json.dumps({**work, "id": f"https://openalex.org/{w}"}) + "\n"
            for w in ("W3000000002", "W3000000001")
        )
    )
    import_files(tui_lib, [dups])
    app = make_app(tui_lib)
    async with app.run_test(size=(160, 45)) as pilot:
        await settle(pilot)
        app.open_paper(pid, hub_id(tui_lib, HUB))
        await settle(pilot)
        assert "OpenAlex: W3000000001, also W3000000002" in screen_text(app)
