"""The paper page: details, identifiers, summary, abstract, and every citation it makes."""

from __future__ import annotations

from typing import Any, ClassVar

from textual import on, work
from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import Vertical
from textual.content import Content
from textual.message import Message
from textual.screen import Screen
from textual.worker import Worker, WorkerState

from citetui.core.models import Annotation, Citation, Claim, Engagement, Paper
from citetui.core.textsafe import clean
from citetui.render.bars import plural
from citetui.store import Library
from citetui.tui.messages import OpenHub, OpenPaper
from citetui.tui.modals.labels import LabelModal
from citetui.tui.support.appref import citetui_app, say_failed
from citetui.tui.support.paging import Pager
from citetui.tui.support.personal import PERSONAL_BINDINGS, PersonalActions, describe
from citetui.tui.support.rendering import lines, lit, txt
from citetui.tui.widgets.footer import Footer
from citetui.tui.widgets.lists import PaperList
from citetui.tui.widgets.panes import Column, Section, TextPane
from citetui.tui.widgets.virtual_list import VirtualList

NARROW = 120
ID_LABELS = (
    ("doi", "DOI"),
    ("arxiv", "arXiv"),
    ("s2_id", "Semantic Scholar"),
    ("corpus_id", "S2 corpus id"),
    ("openalex_id", "OpenAlex"),
)
MUTED = "$text-muted"


def details(paper: Paper, is_hub: bool, n_citing: int = 0) -> Content:
    """Title, authors, venue and year, identifiers, link, summary and abstract."""
    parts = [
        lit(paper.display_title, "bold" if paper.title_kind == "title" else "bold $text-muted")
    ]
    parts.append(
        lit(", ".join(paper.authors)) if paper.authors else lit("no authors recorded", MUTED)
    )
    where = " · ".join(x for x in (paper.venue, str(paper.year) if paper.year else None) if x)
    parts.append(lit(where or "venue and year not recorded", "" if where else MUTED))
    if paper.citation_count is not None:
        parts.append(lit(plural(paper.citation_count, "citation"), MUTED))
    if n_citing:
        parts.append(lit(f"cited by {plural(n_citing, 'paper')} in this library", MUTED))
    if is_hub:
        parts.append(lit("a hub in this library: press h for its page", "$text-accent"))
    elif n_citing:
        parts.append(lit("press h to make it a hub and browse its citing papers", "$text-accent"))
    parts.append(Content(""))
    shown = False
    for field, label in ID_LABELS:
        held = getattr(paper, field)
        values = [str(held)] if held is not None else []
        values += [v for k, v in paper.aliases if k == field]
        if values:
            shown = True
            line = txt(f"{label}: ", MUTED) + lit(values[0])
            if len(values) > 1:  # the other records of it (two OpenAlex works of one DOI)
                line += txt(", also ", MUTED) + lit(", ".join(values[1:]))
            parts.append(line)
    if not shown:
        parts.append(lit("no identifiers recorded", MUTED))
    link = paper.link
    parts.append(
        txt("link: ", MUTED) + (lit(link, "underline") if link else lit("none recorded", MUTED))
    )
    parts += [Content(""), lit("Summary", "bold")]
    if paper.summary:
        parts.append(lit(paper.summary, multiline=True))
        if paper.summary_source:
            parts.append(txt("source: ", MUTED) + lit(paper.summary_source, MUTED))
    else:
        parts.append(lit("no summary recorded", MUTED))
    parts += [Content(""), lit("Abstract", "bold")]
    parts.append(
        lit(paper.abstract, multiline=True)
        if paper.abstract
        else lit("no abstract recorded", MUTED)
    )
    return lines(*parts)


def citation_details(
    cited: Paper,
    citation: Citation,
    is_hub: bool,
    claims: list[tuple[Claim, Engagement]],
    mine: frozenset[str] = frozenset(),
) -> Content:
    """One citation this paper makes: labels, contexts, the claims of the cited hub it engages."""
    head = txt("→ ", "$text-accent") + lit(cited.display_title, "bold")
    if is_hub:
        head += txt("  (hub)", "$text-accent")
    parts = [head]
    roles = ", ".join(citation.roles) if citation.roles else "no role recorded"
    polarity = citation.polarity or "no polarity recorded"
    you = " (you)"
    facts = (
        f"role: {roles}{you if 'role' in mine else ''} · "
        f"polarity: {polarity}{you if 'polarity' in mine else ''}"
    )
    if citation.influential is not None:
        facts += " · influential" if citation.influential else " · not influential"
    if citation.source:
        facts += f" · source: {citation.source}"
    parts.append(txt("  ") + lit(facts, MUTED))
    if citation.contexts:
        for ctx in citation.contexts:
            line = txt("  “") + lit(ctx.text) + txt("”")
            if ctx.roles:
                line += txt("  ") + lit("[" + ", ".join(ctx.roles) + "]", MUTED)
            parts.append(line)
    else:
        parts.append(txt("  no citation contexts recorded", MUTED))
    for claim, engagement in claims:
        line = (
            txt(f"  engages claim {claim.position + 1} ", MUTED)
            + lit(f"({engagement.stance}):", stance_style(engagement.stance))
            + txt(" ")
            + lit(claim.text)
        )
        parts.append(line)
        if engagement.context:
            parts.append(txt("    “") + lit(engagement.context) + txt("”"))
    return lines(*parts)


def personal_block(ann: Annotation) -> Content:
    """What the user recorded about the paper: status, star, tags and note."""
    parts = [txt("yours: ", MUTED) + lit(describe(ann), "$text-accent")]
    if ann.note:
        parts.append(lit(ann.note, multiline=True))
    parts.append(Content(""))
    return lines(*parts)


def stance_style(stance: str | None) -> str:
    """The theme colour of a stance or polarity."""
    return {"supportive": "$text-success", "critical": "$text-error"}.get(stance or "", MUTED)


class PaperScreen(PersonalActions, Screen):
    """One paper; Enter on a cited hub opens it."""

    AUTO_FOCUS = "#cites"

    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("y", "copy('title')", "Copy title", id="paper.copy-title"),
        Binding("Y", "copy('id')", "Copy DOI/arXiv", show=False, id="paper.copy-id"),
        Binding("o", "open_link", "Open link", id="paper.open-link"),
        Binding("h", "open_as_hub", "Hub page", id="paper.hub"),
        Binding("l", "label", "Label", id="paper.label"),
        *PERSONAL_BINDINGS,
    ]
    HELP = (
        "A paper. Enter on a cited work opens it; h opens this paper's own hub page (a "
        "paper with citing papers in the library that is no hub yet is made one). "
        "u, *, t, n and e set this paper's reading status, star, tags and note."
    )

    class PaperReady(Message):
        """The paper and its citations were read from the library."""

        def __init__(
            self,
            paper: Paper,
            cites: list,
            engagements: list,
            hub_ids: set[int],
            annotation: Annotation | None = None,
            mine: dict[int, frozenset[str]] | None = None,
            n_citing: int = 0,
        ):
            super().__init__()
            self.n_citing = n_citing
            self.mine = mine or {}
            self.annotation = annotation
            self.paper = paper
            self.cites = cites
            self.engagements = engagements
            self.hub_ids = hub_ids

    def __init__(
        self,
        lib: Library,
        paper_id: int,
        hub_id: int | None = None,
        *,
        state: dict[str, Any] | None = None,
    ) -> None:
        super().__init__()
        self.lib = lib
        self.paper_id = paper_id
        self.hub_id = hub_id
        self.paper: Paper | None = None
        self.is_hub = False
        self.n_citing = 0  # papers citing it in the library
        self._state = state or {}

    def compose(self) -> ComposeResult:
        with Column(id="paper-body"):
            yield TextPane("loading paper…", id="paper-details")
            with Vertical(id="paper-main"):
                yield Section(
                    "Cites in this library",
                    PaperList("cites nothing else in this library", id="cites"),
                    id="cites-section",
                )
                yield Section(
                    "Citation contexts and claims",
                    TextPane("loading…", id="contexts"),
                    id="contexts-section",
                )
        yield Footer()

    def on_mount(self) -> None:
        self.query_one("#cites", PaperList).show_message("loading…")
        self._load()

    def on_resize(self) -> None:
        self.set_class(self.size.width < NARROW, "-narrow")

    @work(thread=True, exclusive=True, exit_on_error=False, group="paper-page")
    def _load(self) -> None:
        lib = self.lib
        paper = lib.paper(self.paper_id)
        cites = lib.cited_by(self.paper_id)
        engagements = lib.engagements_of(self.paper_id)
        ann = lib.annotation(self.paper_id)
        mine: dict[int, set[str]] = {}
        for o in lib.label_overrides():
            if o.citing_id == self.paper_id:
                mine.setdefault(o.cited_id, set()).add(o.kind)
        self.post_message(
            self.PaperReady(
                paper,
                cites,
                engagements,
                lib.hub_ids(),
                ann,
                {k: frozenset(v) for k, v in mine.items()},
                lib.count_citing(self.paper_id),
            )
        )

    def on_worker_state_changed(self, event: Worker.StateChanged) -> None:
        if event.state == WorkerState.ERROR and event.worker.group == "paper-page":
            message = clean(str(event.worker.error))
            self.query_one("#paper-details", TextPane).show(
                lit(f"cannot show this paper: {message}")
            )
            self.notify(f"cannot show this paper: {message}", severity="error", markup=False)

    def on_paper_screen_paper_ready(self, message: PaperReady) -> None:
        paper = self.paper = message.paper
        self.is_hub = paper.id in message.hub_ids
        self.n_citing = message.n_citing
        self.sub_title = clean(paper.display_title, limit=60)
        self.annotation = message.annotation
        self._show_details()
        cites = list(message.cites)
        if self.hub_id is not None:  # the hub we came from first
            cites.sort(key=lambda pc: pc[0].id != self.hub_id)
        rows = [(p, c, p.id in message.hub_ids) for p, c in cites]
        self.query_one("#cites", PaperList).set_pager(
            Pager.of(rows), cursor=self._state.get("cursor", 0)
        )
        by_hub: dict[int, list[tuple[Claim, Engagement]]] = {}
        for hub_id, claim, engagement in message.engagements:
            by_hub.setdefault(hub_id, []).append((claim, engagement))
        blocks = [
            citation_details(
                p, c, is_hub, by_hub.pop(p.id, []), message.mine.get(p.id, frozenset())
            )
            for p, c, is_hub in rows
        ]
        for hub_id, claims in by_hub.items():  # claims engaged without a citation edge
            blocks.append(
                lines(
                    txt(f"→ hub {hub_id}", "bold"),
                    *(
                        txt("  ")
                        + lit(f"engages claim {cl.position + 1} ({e.stance}):")
                        + txt(" ")
                        + lit(cl.text)
                        for cl, e in claims
                    ),
                )
            )
        self.query_one("#contexts", TextPane).show(
            Content("\n\n").join(blocks)
            if blocks
            else lit("this paper cites nothing in the library", MUTED)
        )
        self.refresh_bindings()

    def _show_details(self) -> None:
        if self.paper is None:
            return
        content = details(self.paper, self.is_hub, self.n_citing)
        if self.annotation is not None:
            content = lines(personal_block(self.annotation), content)
        self.query_one("#paper-details", TextPane).show(content)

    def personal_target(self) -> int | None:
        return self.paper_id

    def action_label(self) -> None:
        """Set your role(s) and polarity of the citation under the cursor."""
        row = self.query_one("#cites", PaperList).current
        if row is None:
            self.notify("this paper cites nothing in the library to label", timeout=2)
            return
        cited, citation, _is_hub = row
        before = (tuple(citation.roles), citation.polarity)

        def done(choice: tuple[tuple[str, ...], str | None] | None) -> None:
            if choice is not None and choice != before:
                self._relabel(cited.id, before, choice)

        self.app.push_screen(LabelModal(cited.display_title, *before), done)

    @work(thread=True, exit_on_error=False, group="paper-label")
    def _relabel(
        self,
        cited_id: int,
        before: tuple[tuple[str, ...], str | None],
        after: tuple[tuple[str, ...], str | None],
    ) -> None:
        roles, polarity = after
        try:
            if set(roles) != set(before[0]):
                self.lib.override_label(self.paper_id, cited_id, "role", roles)
            if polarity != before[1]:
                self.lib.override_label(
                    self.paper_id, cited_id, "polarity", [polarity] if polarity else []
                )
        except Exception as exc:  # noqa: BLE001 - shown to the user, never a traceback
            say_failed(self, "could not save the labels", exc)
            return
        citetui_app(self).labels_changed += 1
        self.app.call_from_thread(self.notify, "labels saved", timeout=2)
        self.app.call_from_thread(self._reload)

    def _reload(self) -> None:
        self._state = {"cursor": self.query_one("#cites", PaperList).cursor}
        self._load()

    def personal_changed(self, annotation: Annotation) -> None:
        self.annotation = annotation
        self._show_details()

    @on(VirtualList.Selected, "#cites")
    def _cited_chosen(self, event: VirtualList.Selected) -> None:
        if event.row is None:
            return
        paper, _citation, is_hub = event.row
        if is_hub:
            self.post_message(OpenHub(paper.id))
        else:
            self.post_message(OpenPaper(paper.id))

    def check_action(self, action: str, parameters: tuple[object, ...]) -> bool | None:
        if action == "open_as_hub":
            return self.is_hub or self.n_citing > 0
        return True

    def action_open_as_hub(self) -> None:
        """Open this paper's hub page; a paper with citing papers in the library that is no
        hub yet is made one first."""
        if self.is_hub:
            self.post_message(OpenHub(self.paper_id))
        elif self.n_citing:
            self._make_hub()

    @work(thread=True, exit_on_error=False, group="paper-hub")
    def _make_hub(self) -> None:
        try:
            hub = self.lib.make_hub(self.paper_id)
        except Exception as exc:  # noqa: BLE001 - shown to the user, never a traceback
            say_failed(self, "cannot make it a hub", exc)
            return
        said = clean(
            f"made a hub: {hub.paper.display_title} ({plural(hub.n_citing, 'citing paper')} "
            "in the library)",
            limit=120,
        )
        self.app.call_from_thread(self.notify, said, timeout=4, markup=False)
        self.is_hub = True
        self.post_message(OpenHub(self.paper_id))

    def action_copy(self, what: str) -> None:
        citetui_app(self).copy_paper(self.paper_id, what)

    def action_open_link(self) -> None:
        citetui_app(self).open_paper_link(self.paper_id)

    def state(self) -> dict[str, Any]:
        """What to restore when the user comes back here."""
        return {"cursor": self.query_one("#cites", PaperList).cursor}
