"""Hub controls: recognition alignment per claim, counterfactual ablation, timeline, and the
citations whose labels disagree between sources (the user counts as one).

One key (``a``) away from the hub page. Choosing a claim filters the explorer to the
papers that recognise it (``claim:N``); choosing a year filters it to ``year:YYYY``;
choosing a disagreement opens the citing paper's page.
"""

from __future__ import annotations

from typing import ClassVar

from rich.text import Text
from textual import on, work
from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import VerticalScroll
from textual.message import Message
from textual.screen import Screen
from textual.widgets import OptionList, Static
from textual.widgets.option_list import Option
from textual.worker import Worker, WorkerState

from citetui.analysis import ablation as abl
from citetui.analysis.ablation import Ablation, Slice
from citetui.analysis.alignment import ClaimAlignment, align
from citetui.analysis.timeline import timeline
from citetui.core.models import Summary
from citetui.core.summary import MIN_LABELLED
from citetui.core.textsafe import clean
from citetui.render.bars import BLOCKS
from citetui.render.page import disagreement_lines
from citetui.store import Library
from citetui.tui.support.appref import citetui_app
from citetui.tui.widgets.footer import Footer

BAR_WIDTH = 30


def summary_text(summary: Summary | None) -> str:
    """The top two bars of a computed summary with their n: ``background 52% · method 20%
    of 241``, or counts below MIN_LABELLED: ``background 1 of 1``."""
    if summary is None or not summary.bars or not summary.n:
        return "none labelled"
    bars = sorted(summary.bars, key=lambda b: -(b.count or 0))[:2]
    if summary.n < MIN_LABELLED:
        return " · ".join(f"{b.label} {b.count or 0:,}" for b in bars) + f" of {summary.n:,}"
    shares = " · ".join(f"{b.label} {round((b.count or 0) / summary.n * 100)}%" for b in bars)
    return f"{shares} of {summary.n:,}"


def ablation_lines(rows: list[Ablation]) -> Text:
    """One block per slice: what it removes, the summaries without it, the verdict."""
    out = Text()
    for i, a in enumerate(rows):
        if i:
            out.append("\n")
        out.append(clean(a.slice.name), style="bold")
        out.append(f"  removes {a.removed:,} of {a.removed + a.kept:,}\n", style="dim")
        out.append(f"  roles    {summary_text(a.role_full)}  →  {summary_text(a.role_without)}\n")
        out.append(
            f"  polarity {summary_text(a.polarity_full)}  →  {summary_text(a.polarity_without)}\n"
        )
        out.append(f"  verdict  {a.status}", style="bold" if a.verdict_changed else "")
    return out


class ControlsScreen(Screen):
    """The hub controls of one hub."""

    AUTO_FOCUS = "#controls-claims"

    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("escape,a", "close", "Back to the hub", id="controls.close"),
    ]
    HELP = (
        "Hub controls. Enter on a claim shows the papers that recognise it; Enter on a year "
        "filters the explorer to that year; Tab moves between the lists."
    )

    class Ready(Message):
        """Alignment, ablation, timeline and disagreements were computed."""

        def __init__(
            self,
            claims: list[ClaimAlignment],
            ablation: list[Ablation],
            years: dict,
            disagreements: list[tuple[int, str]],
            verdict: str = "",
        ) -> None:
            super().__init__()
            self.verdict = verdict  # the hub's verdict, as every view shows it
            self.claims = claims
            self.ablation = ablation
            self.years = years
            self.disagreements = disagreements  # (citing paper id, the line to show)

    def __init__(self, lib: Library, hub_id: int, title: str) -> None:
        super().__init__()
        self.lib = lib
        self.hub_id = hub_id
        self.hub_title = title
        self.claims: list[ClaimAlignment] = []
        self.years: list[int] = []
        self.disagreeing: list[int] = []  # citing paper ids, in the list's order
        self.slices: list[Slice] = []
        self.single: list[Ablation] = []  # each slice alone, in the list's order
        self.on: set[int] = set()  # the slices toggled on
        self._edges: list = []
        self.chosen: str | None = None  # the explorer query to apply when closing

    def compose(self) -> ComposeResult:
        with VerticalScroll(id="controls-body"):
            yield Static(
                Text("Hub controls · ", style="dim")
                + Text(clean(self.hub_title), style="bold")
                + Text("  (Enter on a claim or a year filters the explorer; Esc back)", style="dim")
            )
            yield Static(
                Text("Recognition alignment (share of citing papers, best score)", style="bold")
            )
            yield OptionList(id="controls-claims")
            yield Static(Text("Timeline: citations per year", style="bold"))
            yield OptionList(id="controls-years")
            yield Static(
                Text(
                    "Label disagreements: sources (and you) that label a citation "
                    "differently; Enter opens the citing paper",
                    style="bold",
                )
            )
            yield OptionList(id="controls-disagreements")
            yield Static(
                Text(
                    "Counterfactual ablation: Enter toggles a slice; the figures "
                    "below leave out every slice that is on",
                    style="bold",
                )
            )
            yield Static(Text(""), id="controls-verdict")
            yield OptionList(id="controls-slices")
            yield Static(Text("computing…"), id="controls-ablation")
        yield Footer()

    def on_mount(self) -> None:
        self.sub_title = clean(self.hub_title, limit=60)
        self._compute()

    @work(thread=True, exclusive=True, exit_on_error=False, group="controls")
    def _compute(self) -> None:

        claims = align(self.lib, self.hub_id)
        self._edges = edges = self.lib.hub_edges(self.hub_id)
        slices = abl.standard_slices(self.lib, self.hub_id) + abl.browse_slices(edges)
        ablation = abl.ablate_edges(edges, slices)
        years = timeline(self.lib, self.hub_id)
        rows = self.lib.disagreements(self.hub_id)
        lines = disagreement_lines(self.lib, rows)
        summary = self.lib.hub_summary(self.hub_id)
        self.post_message(
            self.Ready(
                claims,
                ablation,
                years,
                [(r["citing_id"], line) for r, line in zip(rows, lines, strict=False)],
                "\n".join(summary.headline()),
            )
        )

    def on_worker_state_changed(self, event: Worker.StateChanged) -> None:
        if event.state == WorkerState.ERROR and event.worker.group == "controls":
            self.query_one("#controls-ablation", Static).update(
                Text(f"cannot compute the hub controls: {clean(str(event.worker.error))}")
            )

    def on_controls_screen_ready(self, message: Ready) -> None:
        self.claims = message.claims
        claims = self.query_one("#controls-claims", OptionList)
        claims.clear_options()
        for c in message.claims:
            best = max((r.score for r in c.recognitions), default=None)
            line = Text(f"{c.position + 1:>2}. {round(c.share * 100):>3}% ")
            line.append(f"({len(c.recognitions)} of {c.n_citing}", style="dim")
            line.append(f", best {best:.0f})  " if best is not None else ", no one)  ", style="dim")
            line.append(clean(c.text, limit=200))
            claims.add_option(Option(line))
        if not message.claims:
            claims.add_option(Option(Text("no claims recorded for this hub"), disabled=True))
        self.years = list(message.years)
        years = self.query_one("#controls-years", OptionList)
        years.clear_options()
        peak = max((sum(c.values()) for c in message.years.values()), default=0)
        for year, roles in message.years.items():
            n = sum(roles.values())
            bar = BLOCKS[0] * max(1, round(n / peak * BAR_WIDTH)) if peak else ""
            top = ", ".join(f"{r} {k}" for r, k in roles.most_common(3))
            line = Text(f"{year}  ")
            line.append(bar.ljust(BAR_WIDTH), style="bold")
            line.append(f" {n:>5,}  ")
            line.append(clean(top), style="dim")
            years.add_option(Option(line))
        if not message.years:
            years.add_option(Option(Text("no dated citations"), disabled=True))
        self.disagreeing = [pid for pid, _ in message.disagreements]
        dis = self.query_one("#controls-disagreements", OptionList)
        dis.clear_options()
        for _, said in message.disagreements:
            dis.add_option(Option(Text(said)))  # cleaned by disagreement_lines
        if not message.disagreements:
            dis.add_option(
                Option(Text("no citation of this hub has labels that disagree"), disabled=True)
            )
        claims.highlighted = 0 if message.claims else None
        years.highlighted = 0 if message.years else None
        dis.highlighted = 0 if message.disagreements else None
        self.query_one("#controls-verdict", Static).update(
            Text("The hub: ", style="dim") + Text(clean(message.verdict, multiline=True))
        )
        self.single = message.ablation
        self.slices = [a.slice for a in message.ablation]
        self._show_slices()
        self._show_combined(None)

    def _show_slices(self) -> None:
        options = self.query_one("#controls-slices", OptionList)
        keep = options.highlighted
        options.clear_options()
        for i, a in enumerate(self.single):
            line = Text("[x] " if i in self.on else "[ ] ", style="bold")
            line.append(clean(a.slice.name, limit=60))
            line.append(
                f"  alone: removes {a.removed:,} of {a.removed + a.kept:,} · {a.brief}",
                style="dim",
            )
            options.add_option(Option(line))
        if not self.single:
            options.add_option(Option(Text("no slices"), disabled=True))
        options.highlighted = (
            keep if keep is not None and self.single else (0 if self.single else None)
        )

    def _show_combined(self, result: Ablation | None) -> None:
        box = self.query_one("#controls-ablation", Static)
        if result is None:
            box.update(
                Text("every slice is off: toggle one to see the hub without it", style="dim")
                if self.single
                else Text("")
            )
        else:
            box.update(ablation_lines([result]))

    @on(OptionList.OptionSelected, "#controls-slices")
    def _toggle(self, event: OptionList.OptionSelected) -> None:
        if not self.single:
            return
        self.on ^= {event.option_index}
        self._show_slices()
        chosen = [self.slices[i] for i in sorted(self.on)]
        if not chosen:
            self._show_combined(None)
            return
        self._recompute(chosen)

    @work(thread=True, exclusive=True, exit_on_error=False, group="controls-toggle")
    def _recompute(self, chosen: list) -> None:
        (result,) = abl.ablate_edges(self._edges, [abl.combined(chosen)])
        self.app.call_from_thread(self._show_combined, result)

    @on(OptionList.OptionSelected, "#controls-claims")
    def _claim(self, event: OptionList.OptionSelected) -> None:
        if self.claims:
            self._close_with(f"claim:{self.claims[event.option_index].position + 1}")

    @on(OptionList.OptionSelected, "#controls-years")
    def _year(self, event: OptionList.OptionSelected) -> None:
        if self.years:
            self._close_with(f"year:{self.years[event.option_index]}")

    @on(OptionList.OptionSelected, "#controls-disagreements")
    def _disagreement(self, event: OptionList.OptionSelected) -> None:
        if self.disagreeing:
            pid = self.disagreeing[event.option_index]
            self.dismiss(None)
            citetui_app(self).open_paper(pid, self.hub_id)

    def _close_with(self, query: str) -> None:
        self.dismiss(query)

    def action_close(self) -> None:
        self.dismiss(None)
