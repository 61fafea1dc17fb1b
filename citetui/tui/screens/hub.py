"""The hub page: header, abstract, role and polarity summaries, claims, co-cited and
representative papers, and the citing-papers explorer."""

from __future__ import annotations

from typing import Any, ClassVar

from textual import on, work
from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.content import Content
from textual.css.query import NoMatches
from textual.message import Message
from textual.screen import Screen
from textual.widgets import Static
from textual.worker import Worker, WorkerState

from citetui.core.models import Annotation, HubPage, SavedView, Statement
from citetui.core.query import Query, QueryError, parse, unparse
from citetui.core.summary import (
    REPRESENTATIVE_RULE_MORE,
    SUMMARY_RULES,
    VERDICT_RULE,
)
from citetui.core.textsafe import clean
from citetui.core.vocab import parse_sort
from citetui.render.page import meta_parts
from citetui.store import Library
from citetui.tui.messages import OpenHub, OpenPaper
from citetui.tui.modals.columns import ColumnsModal
from citetui.tui.modals.saved_views import SaveViewModal, ViewsModal
from citetui.tui.screens.hub_panes import show_panes, show_statements, side_panes
from citetui.tui.screens.statements import StatementsScreen
from citetui.tui.support.appref import citetui_app, say_failed
from citetui.tui.support.drill import drill
from citetui.tui.support.personal import PERSONAL_BINDINGS, PersonalActions
from citetui.tui.support.rendering import lines, lit
from citetui.tui.widgets.columns import SORT_WORDS
from citetui.tui.widgets.explorer import Explorer
from citetui.tui.widgets.footer import Footer
from citetui.tui.widgets.lists import BarList, PaperList
from citetui.tui.widgets.panes import (
    Column,
    TextPane,
    authors_line,
    hub_header,
    reading_line,
)
from citetui.tui.widgets.virtual_list import VirtualList

NARROW = 120  # below this width the panes stack in one scrolling column

PANES = (
    ("abstract", "Abstract"),
    ("roles", "Citation roles"),
    ("polarity", "Citation polarity"),
    ("claims", "Claims ledger"),
    ("cocited", "Co-cited works"),
    ("representative", "Representative citing papers"),
    ("explorer-list", "Citing papers"),
    ("statements", "Citation statements"),
)
STATEMENTS_SHOWN = 3  # in the hub page's pane; i opens them all


class HubScreen(PersonalActions, Screen):
    """Everything about one hub; the explorer pages its citing papers from the library."""

    # focused as the screen first shows (Textual's auto focus), not one step later:
    # each focus move rebuilds the footer
    AUTO_FOCUS = "#explorer-list"

    BINDINGS: ClassVar[list[BindingType]] = [
        # A priority binding, so that keys typed right after / already reach the box.
        Binding("slash", "search", "Search", id="hub.search", priority=True),
        Binding("s", "sort", "Sort", id="hub.sort"),
        Binding("S", "flip_sort", "Sort the other way", show=False, id="hub.sort-direction"),
        Binding("C", "choose_columns", "Columns", show=False, id="hub.columns"),
        Binding("i", "statements", "Statements", id="hub.statements"),
        Binding("a", "controls", "Controls", id="hub.controls"),
        Binding("c", "clear", "Clear search", show=False, id="hub.clear"),
        Binding("y", "copy('title')", "Copy title", id="hub.copy-title"),
        Binding("Y", "copy('id')", "Copy DOI/arXiv", show=False, id="hub.copy-id"),
        Binding("o", "open_link", "Open link", show=False, id="hub.open-link"),
        Binding("r", "refresh", "Reload", show=False, id="hub.refresh"),
        *PERSONAL_BINDINGS,
        Binding(
            "x", "find_next('critical')", "Next unread critical", show=False, id="hub.next-critical"
        ),
        Binding("K", "find_next('key')", "Next key paper", show=False, id="hub.next-key"),
        Binding("w", "save_view", "Save view", show=False, id="hub.save-view"),
        Binding("v", "views", "Views", show=False, id="hub.views"),
        *(
            Binding(
                str(n), f"pane('{pane}')", f"Go to {title.lower()}", show=False, id=f"hub.pane-{n}"
            )
            for n, (pane, title) in enumerate(PANES, start=1)
        ),
    ]
    HELP = (
        "The hub page. Choose a bar or a claim to filter the citing papers; i on a bar "
        "opens the citation statements with that role or polarity. "
        "In the explorer, * marks an influential citation; ★ a paper you starred, and "
        "s, r, K one you marked skimmed, read or key. u, *, t, n and e act on the paper "
        "under the cursor (on the hub itself outside the lists). s and S sort (S turns the "
        "order round), C chooses the columns.\n\n"
        f"Figures: {SUMMARY_RULES}\n\nVerdict: {VERDICT_RULE}\n\n{REPRESENTATIVE_RULE_MORE}"
    )

    class PageReady(Message):
        """The hub page was read from the library."""

        def __init__(self, page: HubPage, hub_ids: set[int], counts: dict[str, int]) -> None:
            super().__init__()
            self.page = page
            self.hub_ids = hub_ids
            self.counts = counts

    class CountsReady(Message):
        """How many citing papers have each reading status."""

        def __init__(self, counts: dict[str, int]) -> None:
            super().__init__()
            self.counts = counts

    def __init__(
        self,
        lib: Library,
        hub_id: int,
        *,
        state: dict[str, Any] | None = None,
        reader: Library | None = None,
    ) -> None:
        super().__init__()
        self.lib = lib
        self.hub_id = hub_id
        self.page: HubPage | None = None
        self._counts: dict[str, int] | None = None
        self.hub_ids: set[int] = set()
        self._loading = False
        self._labels_seen = 0
        state = state or {}
        self._explorer = Explorer(
            reader or lib,
            hub_id,
            query=state.get("query", ""),
            sort=state.get("sort", "relevance"),
            cursor=state.get("cursor", 0),
            columns=state.get("columns"),
            id="explorer",
        )

    def compose(self) -> ComposeResult:
        yield Static("loading hub…", id="hub-header", markup=False)
        with Column(id="hub-body"):
            # The explorer comes first so that on a small terminal it is what fills the
            # screen; on a wide one the side column is docked on the left.
            yield self._explorer
            # The side panes are mounted when the page has been read, so that opening a
            # hub first builds only what the explorer needs.
            yield Column(Static("reading the hub page…", id="side-loading"), id="hub-side")
        yield Footer()

    def on_mount(self) -> None:
        self._labels_seen = getattr(self.app, "labels_changed", 0)

    def on_screen_resume(self) -> None:
        """Coming back: show what the user changed elsewhere (marks, counts, labels)."""
        if self.page is None:
            return
        changed = getattr(self.app, "labels_changed", 0)
        if changed != self._labels_seen:
            self._labels_seen = changed
            self.action_refresh()  # the summaries recompute with the user's labels
        else:
            self._load_counts()
        self._explorer.load_marks()

    @on(Explorer.Updated)
    def _explorer_updated(self) -> None:
        # The explorer's first rows come first and are painted; then the rest of the page
        # is read (its worker would otherwise hold the interpreter while they are drawn).
        if self.page is None and not self._loading:
            self._loading = True
            self.call_after_refresh(self._load)

    def on_resize(self) -> None:
        narrow = self.size.width < NARROW
        if narrow != self.has_class("-narrow"):
            self.set_class(narrow, "-narrow")
            self._show_header()

    def _show_header(self) -> None:
        """Header and abstract; on a narrow screen the authors move to the abstract pane
        (the header has room for four lines there, and the pane scrolls)."""
        page = self.page
        if page is None:
            return
        narrow = self.has_class("-narrow")
        self.query_one("#hub-header", Static).update(
            hub_header(page, self._counts, authors=not narrow)
        )
        p = page.hub.paper
        abstract = (
            lit(p.abstract, multiline=True)
            if p.abstract
            else lit("no abstract recorded for this hub", "$text-muted")
        )
        if narrow:
            extra = [reading_line(self._counts)] if self._counts else []
            where = [x for x in meta_parts(p) if x != str(p.year)]
            extra += [lit(" · ".join(where), "$text-muted")] if where else []
            abstract = lines(*extra, authors_line(p), Content(""), abstract)
        for pane in self.query("#abstract").results(TextPane):  # none while panes remount
            pane.show(abstract)

    # -- loading ------------------------------------------------------------

    @work(thread=True, exclusive=True, exit_on_error=False, group="hub-page")
    def _load(self) -> None:
        page = self.lib.hub_page(self.hub_id)
        counts = self.lib.status_counts(self.hub_id)
        self.post_message(self.PageReady(page, self.lib.hub_ids(), counts))
        first = self.lib.statements(self.hub_id, limit=STATEMENTS_SHOWN)
        counted = (
            (len(first), len({s.citing_id for s in first}))
            if len(first) < STATEMENTS_SHOWN
            else self.lib.count_statements(self.hub_id)
        )
        self.post_message(self.StatementsReady(first, counted))

    class StatementsReady(Message):
        """The first citation statements of the hub, and how many there are."""

        def __init__(self, first: list[Statement], counted: tuple[int, int]) -> None:
            super().__init__()
            self.first = first
            self.counted = counted

    def on_hub_screen_statements_ready(self, message: StatementsReady) -> None:
        show_statements(self, message.first, message.counted)

    @work(thread=True, exclusive=True, exit_on_error=False, group="hub-counts")
    def _load_counts(self) -> None:
        self.post_message(self.CountsReady(self.lib.status_counts(self.hub_id)))

    def on_hub_screen_counts_ready(self, message: CountsReady) -> None:
        self._counts = message.counts
        self._show_header()

    def on_worker_state_changed(self, event: Worker.StateChanged) -> None:
        if event.state == WorkerState.ERROR and event.worker.group == "hub-page":
            message = clean(str(event.worker.error))
            self.query_one("#hub-header", Static).update(lit(f"cannot show this hub: {message}"))
            self.notify(f"cannot show this hub: {message}", severity="error", markup=False)

    async def on_hub_screen_page_ready(self, message: PageReady) -> None:
        page = self.page = message.page
        self.hub_ids = message.hub_ids
        side = self.query_one("#hub-side", Column)
        await side.remove_children()
        await side.mount_all(side_panes())
        self._counts = message.counts
        self._show_header()
        show_panes(side, page)
        self.sub_title = clean(page.hub.paper.display_title, limit=60)

    # -- drill-down and opening -------------------------------------------

    @on(VirtualList.Selected, "#roles")
    def _role_chosen(self, event: VirtualList.Selected) -> None:
        self._drill("role", event.row.label)

    @on(VirtualList.Selected, "#polarity")
    def _polarity_chosen(self, event: VirtualList.Selected) -> None:
        self._drill("polarity", event.row.label)

    @on(VirtualList.Selected, "#claims")
    def _claim_chosen(self, event: VirtualList.Selected) -> None:
        self._drill("claim", event.row.position + 1)

    def _drill(self, kind: str, value: str | int) -> None:
        self._explorer.set_query(drill(self._explorer.query_text, kind, value))
        self.set_focus(self._explorer.rows)

    @on(VirtualList.Selected, "#explorer-list")
    def _citing_chosen(self, event: VirtualList.Selected) -> None:
        if event.row is not None:
            self.post_message(OpenPaper(event.row.paper_id, self.hub_id))

    @on(VirtualList.Selected, "#representative")
    @on(VirtualList.Selected, "#cocited")
    def _paper_chosen(self, event: VirtualList.Selected) -> None:
        if event.row is None:
            return
        paper = PaperList.paper_of(event.row)
        if event.vlist.id == "cocited" and paper.id in self.hub_ids:
            self.post_message(OpenHub(paper.id))
        else:
            self.post_message(OpenPaper(paper.id, self.hub_id))

    # -- actions ------------------------------------------------------------

    def action_search(self) -> None:
        box = self._explorer.search_box
        if box.has_focus:
            box.insert_text_at_cursor("/")
        else:
            self.set_focus(box)

    def action_sort(self) -> None:
        self._explorer.cycle_sort()
        self.call_after_refresh(self._say_sort)

    def action_flip_sort(self) -> None:
        self._explorer.flip_sort()
        self.call_after_refresh(self._say_sort)

    def _say_sort(self) -> None:
        key = self._explorer.sort.partition(":")[0]
        words = SORT_WORDS[parse_sort(self._explorer.sort)]
        self.notify(f"sorted by {key}, {words}", timeout=1.5)

    def action_choose_columns(self) -> None:
        """Choose the explorer's columns (kept for this hub, and with a saved view)."""
        explorer = self._explorer
        shown = explorer.rows.cols.columns

        def done(choice: tuple[str, ...] | bool | None) -> None:
            if choice is None or choice is False:  # cancelled
                return
            columns = None if choice is True else choice
            explorer.set_columns(columns)
            self._keep_columns(columns)

        self.app.push_screen(ColumnsModal(shown, explorer.column_data(), explorer.chosen), done)

    @work(thread=True, exit_on_error=False, group="hub-views")
    def _keep_columns(self, columns: tuple[str, ...] | None) -> None:
        self.lib.set_hub_columns(self.hub_id, columns)

    def action_statements(self) -> None:
        """The citation statements, filtered by the bar under the cursor (a role or a
        polarity) or else by the explorer's field filters."""
        focused = self.focused
        query = ""
        if isinstance(focused, BarList) and focused.current is not None:
            field = "role" if focused.id == "roles" else "pol"
            query = f"{field}:{focused.current.label}"
        else:
            try:
                query = unparse(Query(filter=parse(self._explorer.query_text).filter))
            except QueryError:
                query = ""
        title = self.page.hub.paper.display_title if self.page else ""
        self.app.push_screen(StatementsScreen(self.lib, self.hub_id, title, query))

    def action_refresh(self) -> None:
        """Read the page and the citing papers again (after an import elsewhere)."""
        self._explorer.reload()
        self._loading = True
        self._load()

    def action_clear(self) -> None:
        self._explorer.set_query("")

    def action_pane(self, pane: str) -> None:
        try:
            self.set_focus(self.query_one(f"#{pane}"))
        except NoMatches:
            self.notify("the hub page is still being read", timeout=2)

    def selected_paper_id(self) -> int | None:
        """The paper under the cursor of the focused list, else the hub."""
        focused = self.focused
        if isinstance(focused, VirtualList) and focused.current is not None:
            row = focused.current
            if focused.id == "explorer-list":
                return row.paper_id
            if isinstance(focused, PaperList):
                return PaperList.paper_of(row).id
        return self.hub_id

    def action_copy(self, what: str) -> None:
        paper_id = self.selected_paper_id()
        if paper_id is not None:
            citetui_app(self).copy_paper(paper_id, what)

    def action_open_link(self) -> None:
        paper_id = self.selected_paper_id()
        if paper_id is not None:
            citetui_app(self).open_paper_link(paper_id)

    def action_find_next(self, kind: str) -> None:
        self._explorer.find_next(kind)

    # -- hub controls -------------------------------------------------------

    def action_controls(self) -> None:
        """Alignment, ablation and timeline; a chosen claim or year filters the explorer."""
        from citetui.tui.screens.controls import ControlsScreen

        title = self.page.hub.paper.display_title if self.page else ""

        def done(query: str | None) -> None:
            if query:
                self._explorer.set_query(query)
                self.set_focus(self._explorer.rows)

        self.app.push_screen(ControlsScreen(self.lib, self.hub_id, title), done)

    # -- saved views --------------------------------------------------------

    def action_save_view(self) -> None:
        """Save the explorer's query, sort and columns under a name (and a number key)."""
        query, sort, columns = self._explorer.query_text, self._explorer.sort, self._explorer.chosen

        def done(choice: tuple[str, int | None] | None) -> None:
            if choice is not None:
                self._save_view(choice[0], query, sort, choice[1], columns)

        self.app.push_screen(SaveViewModal(query, sort), done)

    @work(thread=True, exit_on_error=False, group="hub-views")
    def _save_view(
        self, name: str, query: str, sort: str, slot: int | None, columns: tuple[str, ...] | None
    ) -> None:
        try:
            view = self.lib.save_view(
                name, query, hub_id=self.hub_id, sort=sort, slot=slot, columns=columns
            )
        except Exception as exc:  # noqa: BLE001 - shown to the user, never a traceback
            say_failed(self, "could not save the view", exc)
            return
        key = f" on v{view.slot}" if view.slot else ""
        self.app.call_from_thread(
            self.notify, clean(f"saved view {view.name}{key}"), timeout=2, markup=False
        )

    def action_views(self) -> None:
        """Choose a saved view (v then its number recalls it)."""
        self._list_views()

    @work(thread=True, exit_on_error=False, group="hub-views")
    def _list_views(self) -> None:
        saved = self.lib.saved_views()
        self.app.call_from_thread(self.app.push_screen, ViewsModal(saved), self._view_chosen)

    def _view_chosen(self, view: SavedView | None) -> None:
        if view is not None:
            citetui_app(self).recall_view(view)

    def apply_view(self, query: str, sort: str, columns: tuple[str, ...] | None = None) -> None:
        """Show ``query`` sorted by ``sort`` in the explorer (with the view's columns)."""
        explorer = self._explorer
        if columns is not None:
            explorer.set_columns(columns)
        if query != explorer.query_text:
            explorer.sort = sort
            explorer.set_query(query)
        elif sort != explorer.sort:
            explorer.set_sort(sort)
        self.set_focus(explorer.rows)

    # -- the personal layer -------------------------------------------------

    def personal_target(self) -> int | None:
        return self.selected_paper_id()

    def personal_changed(self, annotation: Annotation) -> None:
        self._explorer.load_marks()
        self._load_counts()

    def state(self) -> dict[str, Any]:
        """What to restore when the user comes back here."""
        return self._explorer.state()

    @property
    def explorer(self) -> Explorer:
        """The citing-papers explorer."""
        return self._explorer
