"""Hub controls: alignment per claim, ablation per slice and the timeline, one key away;
choosing a year or a claim filters the explorer."""

from __future__ import annotations

from textual.widgets import OptionList

from citetui.analysis import ablation, alignment, timeline
from citetui.tui.screens.controls import ControlsScreen
from citetui.tui.screens.hub import HubScreen
from tests.tui.helpers import hub_id, screen_text, settle, show_hub
from tests.tui.synthetic import HUB


async def test_controls_show_alignment_ablation_and_timeline(tui_lib, make_app):
    app = make_app(tui_lib)
    hub = hub_id(tui_lib, HUB)
    aligned = alignment.align(tui_lib, hub)
    years = list(timeline.timeline(tui_lib, hub))
    slices = ablation.ablate(tui_lib, hub, ablation.standard_slices(tui_lib, hub))
    async with app.run_test(size=(160, 45)) as pilot:
        hub_screen = await show_hub(pilot, hub)
        await pilot.press("a")
        await settle(pilot)
        assert isinstance(app.screen, ControlsScreen)
        text = screen_text(app)
        first = aligned[0]
        assert f"{round(first.share * 100)}% ({len(first.recognitions)} of {first.n_citing}" in text
        assert str(years[0]) in text
        controls = app.screen
        listed = "\n".join(
            str(o.prompt) for o in controls.query_one("#controls-slices", OptionList).options
        )
        for a in slices:  # the standard slices, each with what it removes alone
            assert f"[ ] {a.slice.name}  alone: removes {a.removed:,} of " in listed
            assert a.brief in listed and "holds" not in a.status  # 7 labels: no verdict
        assert "every slice is off" in str(controls.query_one("#controls-ablation").render())
        # Toggling a slice on shows the hub without it; a second one combines with it.
        controls.query_one("#controls-slices", OptionList).focus()
        await pilot.press("enter")
        await settle(pilot)
        rendered = str(controls.query_one("#controls-ablation").render())
        a = slices[0]
        assert a.slice.name in rendered
        assert f"removes {a.removed:,} of {a.removed + a.kept:,}" in rendered
        assert a.status in rendered
        await pilot.press("down", "enter")
        await settle(pilot)
        both = ablation.ablate(
            tui_lib, hub, [ablation.combined([slices[0].slice, slices[1].slice])]
        )[0]
        rendered = str(controls.query_one("#controls-ablation").render())
        assert f"{slices[0].slice.name} + {slices[1].slice.name}" in rendered
        assert f"removes {both.removed:,} of {both.removed + both.kept:,}" in rendered
        await pilot.press("up", "enter", "down", "enter")  # both off again
        await settle(pilot)
        assert "every slice is off" in str(controls.query_one("#controls-ablation").render())
        # Choosing the first year filters the explorer to it.
        app.screen.query_one("#controls-years", OptionList).focus()
        await pilot.press("enter")
        await settle(pilot)
        assert app.screen is hub_screen and isinstance(hub_screen, HubScreen)
        assert hub_screen.explorer.query_text == f"year:{years[0]}"
        pager = hub_screen.explorer.rows.pager
        assert pager.total >= 1
        assert all(pager.get(i).year == years[0] for i in range(pager.total))
        # Choosing a claim filters to the papers engaging it.
        await pilot.press("a")
        await settle(pilot)
        await pilot.press("enter")
        await settle(pilot)
        assert hub_screen.explorer.query_text == f"claim:{first.position + 1}"
        await pilot.press("a", "escape")
        await settle(pilot)
        assert app.screen is hub_screen


async def test_controls_list_label_disagreements_and_open_the_paper(tui_lib, make_app):
    from citetui.tui.screens.paper import PaperScreen
    from tests.tui.helpers import paper_id

    hub = hub_id(tui_lib, HUB)
    citing = paper_id(tui_lib, "Widget Scaling Revisited")
    source_pol = tui_lib.citation(citing, hub).polarity
    other = "supportive" if source_pol != "supportive" else "critical"
    tui_lib.override_label(citing, hub, "polarity", [other])
    app = make_app(tui_lib)
    async with app.run_test(size=(160, 45)) as pilot:
        await show_hub(pilot, hub)
        await pilot.press("a")
        await settle(pilot)
        text = screen_text(app)
        assert "Widget Scaling Revisited" in text and f"you {other}" in text
        assert f"{source_pol} · you {other}" in text or f"you {other}" in text
        app.screen.query_one("#controls-disagreements", OptionList).focus()
        await pilot.press("enter")
        await settle(pilot)
        assert isinstance(app.screen, PaperScreen) and app.screen.paper_id == citing


async def test_compare_two_hubs_from_the_palette(tui_lib, make_app):
    from citetui.tui.screens.compare import CompareScreen
    from citetui.tui.screens.paper import PaperScreen
    from tests.tui.synthetic import HUB2

    a, b = hub_id(tui_lib, HUB), hub_id(tui_lib, HUB2)
    shared = timeline.compare(tui_lib, a, b)
    assert shared, "the synthetic hubs share citing papers"
    app = make_app(tui_lib)
    async with app.run_test(size=(160, 45)) as pilot:
        hub_screen = await show_hub(pilot, a)
        await pilot.press("ctrl+p")
        await settle(pilot)
        await pilot.press(*"compare with gizmo")
        await settle(pilot)
        await pilot.pause(0.3)
        assert "Compare with:" in screen_text(app)
        await pilot.press("enter")
        await settle(pilot)
        assert isinstance(app.screen, CompareScreen)
        text = screen_text(app)
        n = len(shared)
        assert f"{n} paper{'s' if n != 1 else ''} cite both" in text
        first = shared[0]
        assert (first.title or "(untitled)")[:30] in text
        for ctx in first.contexts_a[:1] + first.contexts_b[:1]:
            assert ctx[:30] in text
        await pilot.press("enter")
        await settle(pilot)
        assert isinstance(app.screen, PaperScreen) and app.screen.paper_id == first.paper_id
        await pilot.press("escape")
        await settle(pilot)
        assert isinstance(app.screen, CompareScreen)
        await pilot.press("escape")
        await settle(pilot)
        assert app.screen is hub_screen


async def test_help_over_the_hub_controls_lists_their_keys(tui_lib, make_app):
    from citetui.tui.screens.help import HelpScreen

    app = make_app(tui_lib)
    async with app.run_test(size=(160, 45)) as pilot:
        await show_hub(pilot, hub_id(tui_lib, HUB))
        await pilot.press("a")
        await settle(pilot)
        await pilot.press("question_mark")
        await settle(pilot)
        assert isinstance(app.screen, HelpScreen)
        text = screen_text(app)
        assert "Hub controls. Enter on a claim" in text and "Back to the hub" in text
        assert "Go to citing papers" not in text  # the hub page's own keys are not listed
        await pilot.press("escape")
        await settle(pilot)
        assert isinstance(app.screen, ControlsScreen)
