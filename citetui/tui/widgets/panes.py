"""Building blocks of the hub and paper pages: titled sections, text panes, the hub header."""

from __future__ import annotations

from typing import Any, ClassVar

from textual.binding import Binding, BindingType
from textual.containers import Vertical, VerticalScroll
from textual.content import Content
from textual.widgets import Static

from citetui.core.models import HubPage, Paper
from citetui.render.page import figures_line, meta_parts
from citetui.tui.support.rendering import lines, lit


class Section(Vertical):
    """A bordered pane with a fixed title (never data) that lights up when focus is inside."""

    DEFAULT_CSS = """
    Section {
        height: auto;
        border: round $border-blurred;
        border-title-color: $text-muted;
        padding: 0 0;
        &:focus-within { border: round $border; border-title-color: $text-accent; }
    }
    """

    def __init__(self, title: str, *children: Any, **kwargs: Any) -> None:
        super().__init__(*children, **kwargs)
        self.border_title = title


class Column(VerticalScroll, can_focus=False):
    """A scrolling column of panes; the panes take focus, not the column."""


class Caption(Static):
    """A line under a section title saying where its data comes from."""

    DEFAULT_CSS = """
    Caption { color: $text-muted; padding: 0 1; height: auto; }
    """

    def __init__(self, text: str = "", **kwargs: Any) -> None:
        super().__init__(lit(text), markup=False, **kwargs)

    def say(self, text: str) -> None:
        """Show ``text`` (data allowed: shown literally); hide when empty."""
        self.update(lit(text))
        self.display = bool(text)


class TextPane(VerticalScroll):
    """Scrollable text (an abstract, a paper's details) that j/k/g/G scroll too."""

    DEFAULT_CSS = """
    TextPane { height: auto; padding: 0 1; }
    TextPane > Static { width: 100%; }
    """
    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("j", "scroll_down", "Down", show=False),
        Binding("k", "scroll_up", "Up", show=False),
        Binding("g", "scroll_home", "Top", show=False),
        Binding("G", "scroll_end", "Bottom", show=False),
        Binding("space", "page_down", "Page down", show=False),
    ]

    def __init__(self, text: Content | str = "", **kwargs: Any) -> None:
        super().__init__(**kwargs)
        self._text = text if isinstance(text, Content) else lit(text, multiline=True)

    def compose(self):
        yield Static(self._text, markup=False)

    def show(self, text: Content) -> None:
        """Replace the text."""
        self._text = text
        if self.is_mounted:
            self.query_one(Static).update(text)


def authors_line(p: Paper) -> Content:
    """The authors, or that none are recorded."""
    return lit(", ".join(p.authors)) if p.authors else lit("no authors recorded", "$text-muted")


def reading_line(counts: dict[str, int]) -> Content:
    """'your reading: unread 66 · skimmed 0 · read 0 · key 0'."""
    return lit("your reading: " + " · ".join(f"{k} {v:,}" for k, v in counts.items()))


def hub_header(
    page: HubPage, counts: dict[str, int] | None = None, *, authors: bool = True
) -> Content:
    """The hub page header: title, meta and figures (the tier with what it was decided
    from), the verdict and the roles, recorded and computed (HubSummary.headline), the
    reading status counts of its citing papers (when given) and the authors (a narrow
    screen, ``authors`` false, shows these, the venue and the identifiers in the
    abstract pane instead)."""
    p = page.hub.paper
    verdict, roles = page.summary.headline()
    has_verdict = page.summary.verdict.label is not None
    meta = meta_parts(p) if authors else [str(p.year)] if p.year else []
    return lines(
        lit(p.display_title, "bold" if p.title_kind == "title" else "bold $text-muted"),
        lit(" · ".join([*meta, figures_line(page)]), "$text-muted"),
        lit(verdict, "$text-accent" if has_verdict else "$text-muted"),
        lit(roles, "$text-muted"),
        *([reading_line(counts)] if counts and authors else []),
        *([authors_line(p)] if authors else []),
    )
