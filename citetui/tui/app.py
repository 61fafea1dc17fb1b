"""The citetui Textual app (placeholder until the browser lands)."""

from __future__ import annotations

from textual.app import App, ComposeResult
from textual.widgets import Footer, Header, Static

from citetui.store import Library


class CitetuiApp(App):
    """The hub browser."""

    TITLE = "citetui"
    BINDINGS = [("q", "quit", "Quit")]

    def __init__(self, lib: Library):
        super().__init__()
        self.lib = lib

    def compose(self) -> ComposeResult:
        yield Header()
        hubs = self.lib.hubs()
        yield Static("\n".join(h.paper.display_title for h in hubs) or "no hubs", markup=False)
        yield Footer()


def run(lib: Library) -> None:
    """Run the app on a library."""
    CitetuiApp(lib).run()
