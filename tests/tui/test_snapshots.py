"""SVG snapshots of the main screens (update with: pytest tests/tui --snapshot-update)."""

from __future__ import annotations

from textual.widgets import Input

from tests.tui.helpers import hub_id, paper_id, settle
from tests.tui.synthetic import HUB

PPO = "Proximal Policy Optimization Algorithms"


async def steady(pilot) -> None:
    """Workers done, no blinking cursor, no toasts: the same picture every time."""
    await settle(pilot)
    for box in pilot.app.screen.query(Input):
        box.cursor_blink = False
    pilot.app.clear_notifications()
    await pilot.pause()


def test_library_80x24(snap_compare, tui_lib, make_app):
    async def run_before(pilot):
        await steady(pilot)

    assert snap_compare(make_app(tui_lib), terminal_size=(80, 24), run_before=run_before)


def test_ppo_hub_160x45(snap_compare, tui_lib, make_app):
    async def run_before(pilot):
        await steady(pilot)
        pilot.app.open_hub(hub_id(tui_lib, PPO))
        await steady(pilot)

    assert snap_compare(make_app(tui_lib), terminal_size=(160, 45), run_before=run_before)


def test_widgets_hub_drilled_down_80x24(snap_compare, tui_lib, make_app):
    async def run_before(pilot):
        await steady(pilot)
        pilot.app.open_hub(hub_id(tui_lib, HUB))
        await steady(pilot)
        await pilot.press("3", "G", "enter")  # polarity: critical
        await steady(pilot)

    assert snap_compare(make_app(tui_lib), terminal_size=(80, 24), run_before=run_before)


def test_paper_160x45(snap_compare, tui_lib, make_app):
    async def run_before(pilot):
        await steady(pilot)
        pilot.app.open_paper(paper_id(tui_lib, "Widget Scaling Revisited"), hub_id(tui_lib, HUB))
        await steady(pilot)

    assert snap_compare(make_app(tui_lib), terminal_size=(160, 45), run_before=run_before)


def test_help_over_the_hub_120x40(snap_compare, tui_lib, make_app):
    async def run_before(pilot):
        await steady(pilot)
        pilot.app.open_hub(hub_id(tui_lib, HUB))
        await steady(pilot)
        await pilot.press("question_mark")
        await steady(pilot)

    assert snap_compare(make_app(tui_lib), terminal_size=(120, 40), run_before=run_before)
