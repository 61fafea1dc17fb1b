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
from textual.widget import Widget
from textual.widgets import Static
from textual.worker import Worker, WorkerState

from citetui.core.models import Annotation, HubPage, SavedView
from citetui.core.textsafe import clean
from citetui.store import Library
from citetui.tui.messages import OpenHub, OpenPaper
from citetui.tui.modals.saved_views import SaveViewModal, ViewsModal
from citetui.tui.support.appref import citetui_app
from citetui.tui.support.drill import drill
from citetui.tui.support.paging import Pager
from citetui.tui.support.personal import PERSONAL_BINDINGS, PersonalActions
from citetui.tui.support.rendering import lines, lit
from citetui.tui.widgets.explorer import Explorer
from citetui.tui.widgets.footer import Footer
from citetui.tui.widgets.lists import BarList, ClaimList, PaperList
from citetui.tui.widgets.panes import Caption, Column, Section, TextPane, authors_line, hub_header
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
)


def summary_caption(page: HubPage, kind: str) -> str:
    """Where the bars come from, and what a source recorded besides."""
    summaries = page.summaries(kind)
    if not summaries:
        return ""
    primary = summaries[0]
    caption = primary.caption
    if primary.provenance == "recorded":
        caption += " · other labels not given"
    for other in summaries[1:]:
        shares = ", ".join(
            f"{b.label} {round(b.share * 100)}%" for b in other.bars if b.share is not None
        )
        caption += f" · {other.caption}: {shares or 'no shares'}"
    return caption


class HubScreen(PersonalActions, Screen):
    """Everything about one hub; the explorer pages its citing papers from the library."""

    # focused as the screen first shows (Textual's auto focus), not one step later:
    # each focus move rebuilds the footer
    AUTO_FOCUS = "#explorer-list"

    BINDINGS: ClassVar[list[BindingType]] = [
        # A priority binding, so that keys typed right after / already reach the box.
        Binding("slash", "search", "Search", id="hub.search", priority=True),
        Binding("s", "sort", "Sort", id="hub.sort"),
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
        Binding("a", "controls", "Hub controls", show=False, id="hub.controls"),
        *(
            Binding(
                str(n), f"pane('{pane}')", f"Go to {title.lower()}", show=False, id=f"hub.pane-{n}"
            )
            for n, (pane, title) in enumerate(PANES, start=1)
        ),
    ]
    HELP = (
        "The hub page. Choose a bar or a claim to filter the citing papers. "
        "In the explorer, * marks an influential citation; ★ a paper you starred, and "
        "s, r, K one you marked skimmed, read or key. u, *, t, n and e act on the paper "
        "under the cursor (on the hub itself outside the lists)."
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

    @staticmethod
    def side_panes() -> list[Widget]:
        """The panes of the side column, empty until the page is read."""
        return [
            Section("Abstract", TextPane("", id="abstract"), id="abstract-section"),
            Section(
                "Citation roles",
                Caption(id="roles-caption"),
                BarList("roles", id="roles"),
                id="roles-section",
            ),
            Section(
                "Citation polarity",
                Caption(id="polarity-caption"),
                BarList("polarity", id="polarity"),
                id="polarity-section",
            ),
            Section("Claims ledger", ClaimList(id="claims"), id="claims-section"),
            Section(
                "Co-cited works",
                PaperList("no co-cited works recorded for this hub", id="cocited"),
                id="cocited-section",
            ),
            Section(
                "Representative citing papers",
                Caption(id="representative-caption"),
                PaperList("no representative citing papers for this hub", id="representative"),
                id="representative-section",
            ),
        ]

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
            abstract = lines(authors_line(p), Content(""), abstract)
        for pane in self.query("#abstract").results(TextPane):  # none while panes remount
            pane.show(abstract)

    # -- loading ------------------------------------------------------------

    @work(thread=True, exclusive=True, exit_on_error=False, group="hub-page")
    def _load(self) -> None:
        page = self.lib.hub_page(self.hub_id)
        counts = self.lib.status_counts(self.hub_id)
        self.post_message(self.PageReady(page, self.lib.hub_ids(), counts))

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
        await side.mount_all(self.side_panes())
        self._counts = message.counts
        self._show_header()
        for kind, summary in (("roles", page.role_summary), ("polarity", page.polarity_summary)):
            self.query_one(f"#{kind}-caption", Caption).say(
                summary_caption(page, "role" if kind == "roles" else "polarity")
            )
            self.query_one(f"#{kind}", BarList).set_pager(Pager.of(summary.bars if summary else ()))
        self.query_one("#claims", ClaimList).set_pager(Pager.of(page.claims))
        self.query_one("#cocited", PaperList).set_pager(Pager.of(page.cocited))
        rule = page.representative_rule
        if page.representative:
            caption = f"chosen by citetui: {rule}" if rule else "as listed by the source"
        else:
            caption = ""
        self.query_one("#representative-caption", Caption).say(caption)
        self.query_one("#representative", PaperList).set_pager(Pager.of(page.representative))
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
        sort = self._explorer.cycle_sort()
        self.notify(f"sorted by {sort}", timeout=1.5)

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
        """Save the explorer's query and sort under a name (and a number key)."""
        query, sort = self._explorer.query_text, self._explorer.sort

        def done(choice: tuple[str, int | None] | None) -> None:
            if choice is not None:
                self._save_view(choice[0], query, sort, choice[1])

        self.app.push_screen(SaveViewModal(query, sort), done)

    @work(thread=True, exit_on_error=False, group="hub-views")
    def _save_view(self, name: str, query: str, sort: str, slot: int | None) -> None:
        try:
            view = self.lib.save_view(name, query, hub_id=self.hub_id, sort=sort, slot=slot)
        except Exception as exc:  # noqa: BLE001 - shown to the user, never a traceback
            self.app.call_from_thread(
                self.notify,
                f"could not save the view: {clean(str(exc))}",
                severity="error",
                markup=False,
            )
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

    def apply_view(self, query: str, sort: str) -> None:
        """Show ``query`` sorted by ``sort`` in the explorer."""
        explorer = self._explorer
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
