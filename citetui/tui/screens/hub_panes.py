"""The side panes of the hub page: what each shows of a HubPage, and how it says where
its figures come from."""

from __future__ import annotations

from textual.dom import DOMNode
from textual.widget import Widget

from citetui.core.models import Bar, HubPage, Statement
from citetui.core.summary import MIN_LABELLED, HubSummary
from citetui.render.bars import plural
from citetui.tui.support.paging import Pager
from citetui.tui.widgets.lists import BarList, ClaimList, PaperList
from citetui.tui.widgets.panes import Caption, Section, TextPane
from citetui.tui.widgets.statements import StatementList


def summary_bars(summary: HubSummary, kind: str) -> tuple[tuple[Bar, ...], bool]:
    """The bars a role or polarity pane shows, and whether with shares: the computed ones
    when some citation is labelled (shares from MIN_LABELLED on), else the recorded ones."""
    computed = summary.computed(kind)
    if computed is not None and computed.bars:
        return computed.bars, summary.coverage(kind).enough
    recorded = summary.recorded(kind)
    return (recorded.bars if recorded else ()), True


def summary_caption(summary: HubSummary, kind: str) -> str:
    """What the bars are, side by side with the other figures: the computed summary's
    coverage and the recorded one's source, whichever the bars do not show."""
    cov = summary.coverage(kind)
    computed = summary.computed(kind)
    parts = [cov.line(kind)]
    if computed is not None and computed.bars and not cov.enough:
        parts.append(f"counts only: shares start at {MIN_LABELLED} labelled")
    recorded = summary.recorded_text(kind)
    if recorded:
        rec = summary.recorded(kind)
        by = f"recorded by {rec.source}" if rec and rec.source else "recorded"
        if computed is not None and computed.bars:
            parts.append(f"{by}: {recorded} (n not given)")
        else:
            parts.append(f"bars {by} (n not given; other labels not given)")
    return " · ".join(parts)


def side_panes() -> list[Widget]:
    """The panes of the side column, empty until the page is read."""

    def captioned(title: str, pane: str, body: Widget) -> Section:
        return Section(title, Caption(id=f"{pane}-caption"), body, id=f"{pane}-section")

    return [
        Section("Abstract", TextPane("", id="abstract"), id="abstract-section"),
        captioned("Citation roles", "roles", BarList("roles", id="roles")),
        captioned("Citation polarity", "polarity", BarList("polarity", id="polarity")),
        Section("Claims ledger", ClaimList(id="claims"), id="claims-section"),
        captioned(
            "Co-cited works", "cocited", PaperList("no co-cited works in the library", id="cocited")
        ),
        captioned(
            "Representative citing papers",
            "representative",
            PaperList("no representative citing papers for this hub", id="representative"),
        ),
        captioned(
            "Citation statements",
            "statements",
            StatementList(id="statements", empty="no citation contexts in the library"),
        ),
    ]


def show_panes(side: DOMNode, page: HubPage) -> None:
    """Fill the panes of :func:`side_panes` with the page."""
    for pane, kind in (("roles", "role"), ("polarity", "polarity")):
        side.query_one(f"#{pane}-caption", Caption).say(summary_caption(page.summary, kind))
        bars, shares = summary_bars(page.summary, kind)
        bar_list = side.query_one(f"#{pane}", BarList)
        bar_list.shares = shares
        bar_list.set_pager(Pager.of(bars))
    side.query_one("#claims", ClaimList).set_pager(Pager.of(page.claims))
    side.query_one("#cocited-caption", Caption).say(page.cocited_basis)
    side.query_one("#cocited", PaperList).set_pager(Pager.of(page.cocited))
    rule = page.representative_rule
    if page.representative:
        caption = f"chosen by citetui: {rule} (? for more)" if rule else "as listed by the source"
    else:
        caption = ""
    side.query_one("#representative-caption", Caption).say(caption)
    side.query_one("#representative", PaperList).set_pager(Pager.of(page.representative))


def show_statements(node: DOMNode, first: list[Statement], counted: tuple[int, int]) -> None:
    """The citation statements pane: how many, and the first ones (none while the panes
    are being mounted again)."""
    n, papers = counted
    caption = (
        f"{plural(n, 'statement')} from {plural(papers, 'citing paper')}: "
        "i shows them all, filtered like the explorer"
        if n
        else ""
    )
    for cap in node.query("#statements-caption").results(Caption):
        cap.say(caption)
    for rows in node.query("#statements").results(StatementList):
        rows.set_pager(Pager.of(first))
