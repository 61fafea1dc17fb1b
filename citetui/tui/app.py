"""The citetui app: the screens, browser-style history, help, clipboard and links."""

from __future__ import annotations

import os
from pathlib import Path
from typing import TYPE_CHECKING, ClassVar

from textual import events, work
from textual.app import App
from textual.binding import Binding, BindingType
from textual.screen import Screen
from textual.theme import Theme
from textual.worker import Worker, WorkerState

from citetui.core.models import Paper
from citetui.core.textsafe import clean
from citetui.store import Library
from citetui.tui.messages import OpenHub, OpenPaper
from citetui.tui.navigation import History, Location
from citetui.tui.screens.library import LibraryScreen
from citetui.tui.settings import DEFAULT_THEME, Settings
from citetui.tui.support.collector import IdleCollector
from citetui.tui.widgets.panes import TextPane
from citetui.tui.widgets.search_box import SearchBox
from citetui.tui.widgets.virtual_list import WARM_DELAY, VirtualList

if TYPE_CHECKING:
    from citetui.tui.screens.hub import HubScreen
    from citetui.tui.screens.paper import PaperScreen

CONSOLE_BROWSERS = {"www-browser", "links", "elinks", "lynx", "w3m"}
# Seconds after an input's paint to collect the young generations (tui.collector):
# after the list has drawn ahead, which it does WARM_DELAY after the paint.
YOUNG_DELAY = 2 * WARM_DELAY


# The hub, paper and help screens are imported when first needed (and, after the first
# paint, in the background): start-up shows the library screen only.
def _hub() -> type[HubScreen]:
    from citetui.tui.screens.hub import HubScreen

    return HubScreen


def _paper() -> type[PaperScreen]:
    from citetui.tui.screens.paper import PaperScreen

    return PaperScreen


def _help():  # noqa: ANN202 - the help module
    from citetui.tui.screens import help as help_screen

    return help_screen


def _preload() -> None:
    """Import the other screens (a thread, while the user reads the hub list)."""
    _hub(), _paper(), _help(), _citetui_commands()


def _citetui_commands() -> type:
    """The palette's citetui commands, imported when the palette first opens (they bring
    the exporters and the search engine, which start-up does not need)."""
    from citetui.tui.commands import CitetuiCommands

    return CitetuiCommands


class CitetuiApp(App[None]):
    """The hub browser."""

    TITLE = "citetui"
    CSS_PATH = "citetui.tcss"
    COMMANDS: ClassVar = App.COMMANDS | {_citetui_commands}
    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("question_mark,f1", "help", "Help", id="app.help"),
        Binding("escape", "back", "Back", id="app.back"),
        Binding("left_square_bracket,alt+left", "back", "Back", show=False, id="app.history-back"),
        Binding(
            "right_square_bracket,alt+right",
            "forward",
            "Forward",
            show=False,
            id="app.history-forward",
        ),
        Binding("q", "quit", "Quit", id="app.quit"),
    ]

    def __init__(self, lib: Library, *, settings_path: Path | None = None) -> None:
        super().__init__()
        self.lib = lib
        self.export_dir = Path.cwd()  # where "export current view" writes its files
        self._reader: Library | None = None
        self.history = History()
        # full garbage collections wait for a pause in the input (see tui.collector)
        self.collector = IdleCollector()
        self._young_scheduled = False
        self.labels_changed = 0  # bumped by each label override: hub pages read again
        self.settings = Settings.load(settings_path)
        if self.settings.theme in self.available_themes:
            self.theme = self.settings.theme
        else:
            self.theme = DEFAULT_THEME
        if self.settings.keymap:
            self.set_keymap(self.settings.keymap)

    def on_mount(self) -> None:
        self.collector.start()
        self.set_interval(0.5, self.collector.tick, name="idle-collector")
        self.theme_changed_signal.subscribe(self, self._theme_changed)
        self.push_screen(LibraryScreen(self.lib))
        self.call_after_refresh(lambda: self.reader)  # open it before the first hub
        self._preloaded = False
        if self.settings.problem:
            self.notify(self.settings.problem, severity="warning", markup=False)

    def on_library_screen_hubs_ready(self) -> None:
        # Once the hub list is on screen: importing in a thread still takes the
        # interpreter for ~100 ms, which painting the first list then waited behind.
        if not self._preloaded:
            self._preloaded = True
            self.call_after_refresh(self._preload)

    @work(thread=True, exit_on_error=False, group="preload")
    def _preload(self) -> None:
        _preload()

    @property
    def reader(self) -> Library:
        """A second connection for the explorer, so its queries never wait behind the
        hub page's (SQLite lets both read at once; each connection has its own lock)."""
        if self._reader is None:
            try:
                self._reader = Library(self.lib.path, readonly=True)
            except Exception:  # noqa: BLE001 - e.g. an unusual file system: share the one
                self._reader = self.lib
        return self._reader

    async def on_event(self, event: events.Event) -> None:
        if isinstance(event, (events.InputEvent, events.Paste)):
            self.collector.input_seen()
            if not self._young_scheduled:
                # after the input's paint has been made and handed to the writer thread
                self._young_scheduled = True
                self.call_after_refresh(self.set_timer, YOUNG_DELAY, self._collect_young)
        await super().on_event(event)

    def _collect_young(self) -> None:
        self._young_scheduled = False
        self.collector.collect_young()

    def on_unmount(self) -> None:
        self.collector.stop()
        if self._reader is not None and self._reader is not self.lib:
            self._reader.close()

    def _theme_changed(self, theme: Theme) -> None:
        if theme.name != self.settings.theme:
            self.settings.theme = theme.name
            problem = self.settings.save()
            if problem:
                self.notify(problem, severity="warning", markup=False)

    # -- going places -------------------------------------------------------

    def on_open_hub(self, message: OpenHub) -> None:
        self.open_hub(message.hub_id, message.query)

    def on_open_paper(self, message: OpenPaper) -> None:
        self.open_paper(message.paper_id, message.hub_id)

    def open_hub(self, hub_id: int, query: str = "") -> None:
        """Open a hub's page."""
        self._visit(Location("hub", hub_id, state={"query": query} if query else {}))

    def recall_view(self, view) -> None:  # noqa: ANN001 - a citetui.store.views.SavedView
        """Show a saved view: its hub's explorer with its query and sort."""
        screen = self.screen
        if view.hub_id is None or (isinstance(screen, _hub()) and screen.hub_id == view.hub_id):
            if isinstance(screen, _hub()):
                screen.apply_view(view.query, view.sort, view.columns)
            else:
                self.notify("open a hub first: this view is for any hub", timeout=2)
            return
        state = {"query": view.query, "sort": view.sort, "columns": view.columns}
        self._visit(Location("hub", view.hub_id, state=state))

    def compare_hubs(self, hub_a: int, hub_b: int, title_a: str, title_b: str) -> None:
        """The papers citing both hubs, with both contexts (a screen over the hub page)."""
        from citetui.tui.screens.compare import CompareScreen

        self.push_screen(CompareScreen(self.lib, hub_a, hub_b, title_a, title_b))

    def open_paper(self, paper_id: int, hub_id: int | None = None) -> None:
        """Open a paper's page (``hub_id``: the hub it was reached from)."""
        self._visit(Location("paper", paper_id, hub_id))

    def _visit(self, location: Location) -> None:
        self._save_state()
        self.history.visit(location)
        self.push_screen(self._screen_for(location))

    def _screen_for(self, location: Location) -> Screen:
        if location.kind == "hub":
            return _hub()(self.lib, location.id, state=location.state, reader=self.reader)
        return _paper()(self.lib, location.id, location.hub_id, state=location.state)

    def _save_state(self) -> None:
        current = self.history.current
        screen = self._page_screen()
        if current is not None and screen is not None and hasattr(screen, "state"):
            current.state = screen.state()

    def _page_screen(self) -> Screen | None:
        """The topmost hub, paper or library screen (under any help or palette)."""
        for screen in reversed(self.screen_stack):
            if isinstance(screen, (_hub(), _paper(), LibraryScreen)):
                return screen
        return None

    def check_action(self, action: str, parameters: tuple[object, ...]) -> bool | None:
        if action == "back":
            return self.history.can_back
        if action == "forward":
            return self.history.can_forward
        return True

    def action_back(self) -> None:  # type: ignore[override]  # Textual's is async; ours needs not be
        """Go back to where the user was before."""
        if not self.history.can_back or not isinstance(self.screen, (_hub(), _paper())):
            return
        self._save_state()
        self.history.back()
        self.pop_screen()
        self.refresh_bindings()

    def action_forward(self) -> None:
        """Go forward again after going back."""
        if not self.history.can_forward or isinstance(self.screen, _help().HelpScreen):
            return
        self._save_state()
        location = self.history.forward()
        if location is not None:
            self.push_screen(self._screen_for(location))

    def action_library(self) -> None:
        """Back to the list of hubs (the pages left stay in the forward history)."""
        self._save_state()
        for _ in range(self.history.home()):
            if isinstance(self.screen, (_hub(), _paper())):
                self.pop_screen()

    # -- help ---------------------------------------------------------------

    def action_help(self) -> None:
        """Show the keys of the current screen and the query syntax."""
        help_screen = _help()
        if isinstance(self.screen, help_screen.HelpScreen):
            return
        # a screen over the page with help of its own (hub controls, compare), else the page
        screen = self.screen if getattr(self.screen, "HELP", None) else self._page_screen()
        if screen is None:
            return
        keymap = self.settings.keymap
        display = self.get_key_display
        sections = [("This screen", help_screen.key_rows(screen.BINDINGS, keymap, display))]
        if screen.query(VirtualList):
            sections.append(("Lists", help_screen.key_rows(VirtualList.BINDINGS, keymap, display)))
        if screen.query(SearchBox):
            rows = help_screen.key_rows(SearchBox.BINDINGS, keymap, display)
            rows.append((display(Binding("enter", "")), "To the list", ""))
            sections.append(("Search box", rows))
        if screen.query(TextPane):
            sections.append(
                ("Text panes", help_screen.key_rows(TextPane.BINDINGS, keymap, display))
            )
        everywhere = help_screen.key_rows(self.BINDINGS, keymap, display)
        everywhere += [(k, d, "") for k, d in help_screen.EXTRA_KEYS]
        sections.append(("Everywhere", everywhere))
        self.push_screen(help_screen.HelpScreen(screen, sections))

    # -- clipboard and links ------------------------------------------------

    @work(thread=True, exit_on_error=False, group="paper-action")
    def copy_paper(self, paper_id: int, what: str = "title") -> None:
        """Copy a paper's title (``what="title"``) or its DOI / arXiv id (``"id"``)."""
        paper = self.lib.paper(paper_id)
        self.call_from_thread(self._copy, paper, what)

    def _copy(self, paper: Paper, what: str) -> None:
        if what == "title":
            kind = paper.title_kind
            label = {"title": "title", "id": "id", "summary": "summary"}.get(kind, "paper")
            text = clean(paper.summary if kind == "summary" else paper.display_title)
        elif paper.doi:
            label, text = "DOI", clean(paper.doi)
        elif paper.arxiv:
            label, text = "arXiv id", clean(paper.arxiv)
        else:
            self.notify("this paper has no DOI or arXiv id recorded", severity="warning")
            return
        self.copy_to_clipboard(text)
        self.notify(f"copied {label}: {clean(text, limit=80)}", markup=False, timeout=3)

    @work(thread=True, exit_on_error=False, group="paper-action")
    def open_paper_link(self, paper_id: int) -> None:
        """Open a paper's link in the web browser (or copy it when there is no browser)."""
        paper = self.lib.paper(paper_id)
        self.call_from_thread(self._open_link, paper.link, self.browser_available())

    def browser_available(self) -> bool:
        """Whether a graphical web browser can be started from here."""
        import webbrowser  # here, not at the top: importing it costs start-up ~25 ms

        try:
            browser = webbrowser.get()
        except webbrowser.Error:
            return False
        return getattr(browser, "name", "") not in CONSOLE_BROWSERS

    def _open_link(self, link: str | None, browser: bool) -> None:
        if not link:
            self.notify("no link recorded for this paper", severity="warning")
            return
        url = clean(link)
        if not url.lower().startswith(("http://", "https://")):
            self.notify(
                f"not opening {clean(url, limit=60)}: only web links are opened",
                severity="warning",
                markup=False,
            )
            return
        if not browser:
            self.copy_to_clipboard(url)
            self.notify(f"no web browser found; link copied: {clean(url, limit=80)}", markup=False)
            return
        self.open_url(url)
        self.notify(f"opening {clean(url, limit=80)}", markup=False, timeout=3)

    # -- exports --------------------------------------------------------------

    def export_current_view(self, hub_id: int, fmt: str, query: str) -> None:
        """Write the hub's citing papers the query selects to a file in ``export_dir``."""
        self.notify(f"exporting as {fmt}…", timeout=2)
        self._export(hub_id, fmt, query)

    @work(thread=True, exit_on_error=False, group="export")
    def _export(self, hub_id: int, fmt: str, query: str) -> None:
        from citetui.tui.support.exporting import export_view

        hub = self.lib.hub(hub_id)
        path, count = export_view(
            self.lib, hub_id, hub.paper.display_title, fmt, query, self.export_dir
        )
        papers = f"{count:,} citing paper{'' if count == 1 else 's'}"
        self.call_from_thread(
            self.notify, f"wrote {papers} to {clean(str(path))}", markup=False, timeout=6
        )

    def on_worker_state_changed(self, event: Worker.StateChanged) -> None:
        if event.state != WorkerState.ERROR:
            return
        if event.worker.group == "paper-action":
            self.notify(f"{clean(str(event.worker.error))}", severity="error", markup=False)
        elif event.worker.group == "export":
            self.notify(
                f"export failed: {clean(str(event.worker.error))}", severity="error", markup=False
            )


def run(lib: Library) -> None:
    """Run the app on a library."""
    # Textual sizes the screen from COLUMNS/LINES when they are set, even after the
    # terminal is resized; a stale value (exported by a shell or a parent process)
    # would freeze the layout at the wrong size. The terminal knows its own size.
    os.environ.pop("COLUMNS", None)
    os.environ.pop("LINES", None)
    CitetuiApp(lib).run()
