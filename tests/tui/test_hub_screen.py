"""The hub page: every pane, the explorer's search, sort and drill-down, copy and links."""

from __future__ import annotations

from citetui.tui.screens.hub import HubScreen
from citetui.tui.screens.paper import PaperScreen
from citetui.tui.widgets.lists import BarList, ClaimList, PaperList
from tests.tui.helpers import hub_id, list_text, paper_id, screen_text, settle
from tests.tui.synthetic import ESCAPE_TITLE, HUB, MARKUP_TITLE, WIDE_TITLE

PPO = "Proximal Policy Optimization Algorithms"


async def open_hub(app, pilot, title: str) -> HubScreen:
    app.open_hub(hub_id(app.lib, title))
    await settle(pilot)
    assert isinstance(app.screen, HubScreen)
    return app.screen


async def test_every_pane_of_the_ppo_sample_at_160x45(tui_lib, make_app):
    app = make_app(tui_lib)
    async with app.run_test(size=(160, 45)) as pilot:
        await settle(pilot)
        await open_hub(app, pilot, PPO)
        text = screen_text(app)
        for expected in (
            PPO,
            "2017 · arXiv · arXiv 1707.06347 · mega hub (recorded by hub-page) · citation count "
            "unknown · 66 citing papers in the library",
            "Mixed citations (recorded by hub-page)",
            "top role background 52% (recorded by hub-page, n not given)",
            "John Schulman, Filip Wolski",
            "Abstract",
            "We propose a new family of policy gradient methods",
            "Citation roles",
            "background",
            "52%",
            "Citation polarity",
            "no polarity labels recorded for this hub",
            "Claims ledger",
            "0 citing papers engage it",
            "Co-cited works",
            "computed: no citing paper's references are in the library",
            "no co-cited works in the library",
            "Representative citing papers",
            "as listed by the source",
            "Citing papers",
            "66 citing papers",
            "ReLibra: Routing-Replay-Guided Load Balancing",
        ):
            assert expected in text, expected
        roles = str(app.screen.query_one("#roles-caption").render())
        assert "none of the 66 citing papers has a role label" in roles
        assert "bars recorded by hub-page (n not given; other labels not given)" in roles


async def test_labelled_hub_shows_computed_summaries_claims_and_cocited(tui_lib, make_app):
    app = make_app(tui_lib)
    async with app.run_test(size=(160, 45)) as pilot:
        await settle(pilot)
        screen = await open_hub(app, pilot, HUB)
        text = screen_text(app)
        assert "4,321 citations" in text
        caption = str(screen.query_one("#roles-caption").render())
        assert "computed from 7 labelled of 8 citing papers in the library" in caption
        # 7 labels: counts, no shares (a share needs MIN_LABELLED labels under it)
        assert "counts only: shares start at 20 labelled" in caption
        roles = list_text(screen.query_one("#roles", BarList))
        assert "method" in roles and "%" not in roles and "2" in roles
        polarity = list_text(screen.query_one("#polarity", BarList))
        assert "supportive" in polarity and "3" in polarity and "%" not in polarity
        claims = list_text(screen.query_one("#claims", ClaimList))
        assert "1. Widget loss follows a power law in model size." in claims
        assert "3 citing papers engage it · 2 supportive · 1 critical" in claims
        assert "A Survey of Gizmo Methods" in list_text(screen.query_one("#cocited", PaperList))
        assert "7× co-cited" in text
        rows = list_text(screen.explorer.rows)
        assert "Widget Scaling Revisited" in rows and "comparison, method" in rows
        assert "critical" in rows


async def test_typing_weak_strong_narrows_to_that_paper(tui_lib, make_app):
    app = make_app(tui_lib)
    async with app.run_test(size=(160, 45)) as pilot:
        await settle(pilot)
        screen = await open_hub(app, pilot, PPO)
        await pilot.press("slash", *"weak strong")
        await settle(pilot)
        assert screen.explorer.search_box.value == "weak strong"
        assert screen.explorer.total == 1
        assert "1 of 66 citing papers match" in screen_text(app)
        rows = screen.explorer.rows
        assert rows.current.title.startswith("Weak-to-Strong Generalization is Nearly Inevitable")
        strip = rows.render_line(0)
        matched = [seg.text for seg in strip if seg.style and seg.style.underline]
        assert "Weak" in matched and "Strong" in matched
        # Enter leaves the box for the list; Enter again opens the paper.
        await pilot.press("enter")
        assert app.focused is rows
        await pilot.press("enter")
        await settle(pilot)
        assert isinstance(app.screen, PaperScreen)
        assert app.screen.paper_id == rows.current.paper_id


async def test_role_and_polarity_bars_drill_down(tui_lib, make_app):
    app = make_app(tui_lib)
    async with app.run_test(size=(160, 45)) as pilot:
        await settle(pilot)
        screen = await open_hub(app, pilot, HUB)
        explorer = screen.explorer
        await pilot.press("2")  # the role bars
        assert app.focused is screen.query_one("#roles")
        await pilot.press("j", "enter")  # background, then method
        await settle(pilot)
        assert explorer.search_box.value == "role:method"
        assert app.focused is explorer.rows
        assert explorer.total == 2
        titles = {explorer.rows.pager.get(i).title for i in range(explorer.total)}
        assert titles == {"Widget Scaling Revisited", MARKUP_TITLE}
        await pilot.press("3", "G", "enter")  # polarity: critical
        await settle(pilot)
        assert explorer.search_box.value == "role:method pol:critical"
        assert explorer.total == 1
        assert explorer.rows.current.title == "Widget Scaling Revisited"
        await pilot.press("3", "enter")  # the same bar again: that filter goes
        await settle(pilot)
        assert explorer.search_box.value == "role:method"
        assert explorer.total == 2
        await pilot.press("c")
        await settle(pilot)
        assert explorer.search_box.value == "" and explorer.total == 8


async def test_claim_drill_down_and_editing_the_filter(tui_lib, make_app):
    app = make_app(tui_lib)
    async with app.run_test(size=(160, 45)) as pilot:
        await settle(pilot)
        screen = await open_hub(app, pilot, HUB)
        explorer = screen.explorer
        await pilot.press("4", "enter")
        await settle(pilot)
        assert explorer.search_box.value == "claim:1"
        titles = {explorer.rows.pager.get(i).title for i in range(explorer.total)}
        assert titles == {
            "Widget Scaling Revisited",
            "Compute-Optimal Widget Training",
            "Gizmo Widgets at Scale",
        }
        # The filter is in the box and can be edited: add words to it.
        await pilot.press("slash", "end", *" gizmo")
        await settle(pilot)
        assert explorer.search_box.value == "claim:1 gizmo"
        assert explorer.total == 1
        assert explorer.rows.current.title == "Gizmo Widgets at Scale"


async def test_recorded_summary_drill_down_explains_the_empty_result(tui_lib, make_app):
    app = make_app(tui_lib)
    async with app.run_test(size=(160, 45)) as pilot:
        await settle(pilot)
        screen = await open_hub(app, pilot, PPO)
        await pilot.press("2", "enter")
        await settle(pilot)
        assert screen.explorer.search_box.value == "role:background"
        assert screen.explorer.total == 0
        assert "no citation of this hub carries a role label" in screen_text(app)


async def test_sort_key_cycles_and_reorders(tui_lib, make_app):
    app = make_app(tui_lib)
    async with app.run_test(size=(160, 45)) as pilot:
        await settle(pilot)
        screen = await open_hub(app, pilot, HUB)
        rows = screen.explorer.rows
        text = screen_text(app)
        assert "sorted by year, newest first (relevance needs search words)" in text
        assert "year ↓" in text  # the heading marks the sorted-by column
        assert [rows.pager.get(i).year for i in range(3)] == [2024, 2024, 2023]
        await pilot.press("s")  # the rows came by year: next, citations
        await settle(pilot)
        assert screen.explorer.sort == "citations"
        text = screen_text(app)
        assert "sorted by citations, most cited first" in text and "cited ↓" in text
        assert rows.current.title == "Compute-Optimal Widget Training"  # 120 citations
        assert "120" in list_text(rows)  # the counts it sorts by are on screen
        await pilot.press("S")  # the other way round: least cited first, unknown last
        await settle(pilot)
        assert screen.explorer.sort == "citations:asc"
        assert "least cited first" in screen_text(app) and "cited ↑" in screen_text(app)
        counts = [rows.pager.get(i).citation_count for i in range(rows.total)]
        known = [c for c in counts if c is not None]
        assert known == sorted(known) and counts[: len(known)] == known
        await pilot.press("s")
        await settle(pilot)
        assert screen.explorer.sort == "title"
        titles = [rows.pager.get(i).label for i in range(rows.total)]
        assert titles == sorted(titles, key=str.casefold)
        await pilot.press("S")
        await settle(pilot)
        assert screen.explorer.sort == "title:desc"
        assert [rows.pager.get(i).label for i in range(rows.total)] == sorted(
            titles, key=str.casefold, reverse=True
        )
        seen = []
        for _ in range(6):  # the columns these rows fill, then round to year again
            await pilot.press("s")
            await settle(pilot)
            seen.append(screen.explorer.sort)
            if seen[-1] == "year":
                break
        # no search words: relevance is skipped; no venue recorded: no venue sort
        assert seen == ["influential", "role", "polarity", "year"]
        await pilot.press("s", "s", "s", "s", "s", "S")  # polarity the other way: critical first
        await settle(pilot)
        assert screen.explorer.sort == "polarity:desc"
        assert rows.pager.get(0).polarity == "critical"
        assert "polarity ↓" in str(screen.query_one("#explorer-columns").render())


async def test_bad_query_says_why(tui_lib, make_app):
    app = make_app(tui_lib)
    async with app.run_test(size=(120, 30)) as pilot:
        await settle(pilot)
        screen = await open_hub(app, pilot, HUB)
        await pilot.press("slash", *"role:bogus")
        await settle(pilot)
        assert "bad query: unknown role 'bogus'" in screen_text(app)
        assert screen.explorer.total == 2  # "role:b" (background) results stay


async def test_copy_and_open_link(tui_lib, make_app, monkeypatch):
    app = make_app(tui_lib)
    opened: list[str] = []
    monkeypatch.setattr(type(app), "open_url", lambda self, url, new_tab=True: opened.append(url))
    monkeypatch.setattr(type(app), "browser_available", lambda self: True)
    async with app.run_test(size=(160, 45)) as pilot:
        await settle(pilot)
        await open_hub(app, pilot, HUB)
        await pilot.press("y")
        await settle(pilot)
        assert app.clipboard == "Widget Scaling Revisited"  # the row under the cursor
        await pilot.press("Y")
        await settle(pilot)
        assert app.clipboard == "10.9999/w1"
        await pilot.press("o")
        await settle(pilot)
        assert opened == ["https://doi.org/10.9999/w1"]
        await pilot.press("1", "y")  # focus outside the lists: the hub itself
        await settle(pilot)
        assert app.clipboard == HUB
        await pilot.press("o")
        await settle(pilot)
        assert opened[-1] == "https://example.org/widgets"


async def test_open_link_without_a_browser_copies_it(tui_lib, make_app, monkeypatch):
    app = make_app(tui_lib)
    monkeypatch.setattr(type(app), "browser_available", lambda self: False)
    monkeypatch.setattr(
        type(app),
        "open_url",
        lambda *a, **k: (_ for _ in ()).throw(AssertionError("no browser to open")),
    )
    async with app.run_test(size=(120, 30)) as pilot:
        await settle(pilot)
        await open_hub(app, pilot, HUB)
        await pilot.press("o")
        await settle(pilot)
        assert app.clipboard == "https://doi.org/10.9999/w1"


async def test_data_is_shown_literally(tui_lib, make_app):
    app = make_app(tui_lib)
    async with app.run_test(size=(160, 45)) as pilot:
        await settle(pilot)
        await open_hub(app, pilot, HUB)
        text = screen_text(app)
        assert MARKUP_TITLE[:30] in text  # not turned into a link that quits the app
        assert "A title with markup in it [b]that must stay literal[/b]." in text
        assert "[red]Cy[/] Sprocket" in text
        assert "Clear the screen" in text and "\x1b" not in text
        assert ESCAPE_TITLE not in text
        assert WIDE_TITLE in text
        # Clicking the markup title does not run its [@click] action.
        rows = app.screen.explorer.rows
        index = next(i for i in range(rows.total) if rows.pager.get(i).title == MARKUP_TITLE)
        rows.move_cursor(index)
        await pilot.click(rows, offset=(10, index * rows.row_height - rows.scroll_offset.y))
        await settle(pilot)
        assert app.is_running
        assert isinstance(app.screen, PaperScreen)
        assert app.screen.paper_id == paper_id(tui_lib, "Click me now")


async def test_pane_keys_and_tab_reach_every_pane(tui_lib, make_app):
    app = make_app(tui_lib)
    async with app.run_test(size=(160, 45)) as pilot:
        await settle(pilot)
        screen = await open_hub(app, pilot, HUB)
        for key, pane in zip(
            "1234567",
            (
                "abstract",
                "roles",
                "polarity",
                "claims",
                "cocited",
                "representative",
                "explorer-list",
            ),
            strict=True,
        ):
            await pilot.press(key)
            assert app.focused.id == pane
        await pilot.press("tab")
        assert app.focused.id == "abstract"
        await pilot.press("shift+tab", "shift+tab")
        assert app.focused.id == "explorer-search"
        await pilot.press("escape")
        assert app.focused is screen.explorer.rows
        await pilot.press("6", "enter")
        await settle(pilot)
        assert isinstance(app.screen, PaperScreen)
        assert app.screen.paper_id == paper_id(tui_lib, "Compute-Optimal Widget Training")


async def test_the_explorer_shows_the_closest_matches_below_a_line(tui_lib, make_app, monkeypatch):
    """Papers holding every word first, a line, then the closest; through the one entry
    point the CLI and exports use (citetui.search.engine)."""
    import importlib

    engine = importlib.import_module("citetui.search.engine")
    calls: list[int] = []
    real = engine.engine
    monkeypatch.setattr(engine, "engine", lambda lib: calls.append(1) or real(lib))
    app = make_app(tui_lib)
    async with app.run_test(size=(160, 45)) as pilot:
        await settle(pilot)
        screen = await open_hub(app, pilot, PPO)
        await pilot.press("slash", *"weak strong xylophone")
        await settle(pilot)
        explorer = screen.explorer
        assert calls and explorer.total == 0
        # no paper holds every word: no line, and the status line does not speak of one
        assert "closest matches shown" in screen_text(app)
        assert "below the line" not in screen_text(app)
        assert explorer.rows.current.title.startswith("Weak-to-Strong Generalization")
        await pilot.press("ctrl+u", *"weak strong")
        await settle(pilot)
        assert explorer.total == 1 and explorer.rows.first_close == 1
        assert "closest matches below the line" in screen_text(app)
        line = explorer.rows.render_line(1)  # the summary line of the last full match
        assert all(seg.style.underline for seg in line if seg.text.strip() and seg.style)
