"""Helpers for the browser's tests: finding ids, waiting on workers, reading the screen."""

from __future__ import annotations

from textual.pilot import Pilot

from citetui.search.resolver import resolve_paper
from citetui.store import Library
from citetui.tui.app import CitetuiApp
from citetui.tui.widgets.virtual_list import VirtualList


def hub_id(lib: Library, title: str) -> int:
    """The id of the hub with this exact title."""
    return next(h.paper.id for h in lib.hubs() if h.paper.title == title)


def paper_id(lib: Library, title: str) -> int:
    """The id of a paper by (fuzzy) title."""
    return resolve_paper(lib, title).id


async def settle(pilot: Pilot) -> None:
    """Wait until no worker runs and every message they posted has been handled."""
    app = pilot.app
    for _ in range(100):
        await pilot.pause()
        await app.workers.wait_for_complete()
        await pilot.pause()
        busy = any(not w.is_finished for w in app.workers)
        pending = any(
            v.pager is not None and v.pager.pending for v in app.screen.query(VirtualList)
        )
        if not busy and not pending:
            return
    raise AssertionError("the app did not settle")


def screen_text(app: CitetuiApp) -> str:
    """What the terminal shows, as plain text."""
    return "\n".join(strip.text for strip in app.screen._compositor.render_strips())


def list_text(vlist: VirtualList) -> str:
    """What a list shows, as plain text."""
    return "\n".join(vlist.render_line(y).text for y in range(vlist.size.height))


async def show_hub(pilot: Pilot, hub: int):  # noqa: ANN201 - the HubScreen
    """Open the page of hub ``hub`` once the app has started, and wait for it."""
    await settle(pilot)
    pilot.app.open_hub(hub)
    await settle(pilot)
    return pilot.app.screen
