"""The lists of the browser: hubs, citing papers, summary bars, claims and papers."""

from __future__ import annotations

from typing import Any, ClassVar

from rich.style import Style
from rich.text import Text

from citetui.core.models import Bar, CitingRow, Claim, CoCited, Hub, Paper
from citetui.core.query import Query
from citetui.render.bars import bar, pct, plural
from citetui.render.blurb import blurb
from citetui.tui.support.rendering import fit, highlighted, join, literal
from citetui.tui.widgets.columns import Columns, heading, widths
from citetui.tui.widgets.virtual_list import VirtualList

STANCE_CLASSES = {
    "supportive": "vlist--supportive",
    "critical": "vlist--critical",
    "neutral": "vlist--neutral",
    "unknown": "vlist--neutral",
}


class LabelledList(VirtualList):
    """A list whose rows show polarity / stance words in their theme colours."""

    COMPONENT_CLASSES: ClassVar[set[str]] = VirtualList.COMPONENT_CLASSES | {
        "vlist--supportive",
        "vlist--critical",
        "vlist--neutral",
        "vlist--role",
        "vlist--bar",
    }
    DEFAULT_CSS = """
    LabelledList {
        & > .vlist--supportive { color: $text-success; }
        & > .vlist--critical { color: $text-error; }
        & > .vlist--neutral { color: $text-muted; }
        & > .vlist--role { color: $text-secondary; }
        & > .vlist--bar { color: $primary; }
    }
    """

    def stance_style(self, word: str | None) -> Style:
        """The colour of a polarity or stance word."""
        cls = STANCE_CLASSES.get(word or "")
        return self.get_component_rich_style(cls, partial=True) if cls else self.dim_style()

    def stance(self, word: str | None, width: int | None = None) -> Text:
        """A polarity or stance word in its colour."""
        t = literal(word or "", self.stance_style(word))
        return fit(t, width) if width is not None else t


class HubList(LabelledList):
    """The hubs of the library, one per line: title, year, tier, citing papers, verdict."""

    def __init__(self, **kwargs: Any) -> None:
        super().__init__(empty="no hubs in the library", **kwargs)
        self.highlight: Query | None = None

    @staticmethod
    def columns(width: int) -> tuple[int, int, int, int, int]:
        """Widths of title, year, tier, citing and verdict columns for a line ``width`` wide."""
        year, tier, citing = 4, 11, 8
        verdict = 0 if width < 70 else min(28, max(12, width // 5))
        title = max(10, width - 1 - year - tier - citing - verdict - 5)
        return title, year, tier, citing, verdict

    @classmethod
    def header(cls, width: int) -> Text:
        """The column headings, aligned with the rows."""
        title, year, tier, citing, verdict = cls.columns(width)
        parts = [
            fit("title", title),
            fit("year", year),
            fit("tier", tier),
            fit("citing", citing, right=True),
        ]
        if verdict:
            parts.append(fit("verdict", verdict))
        return Text(" ") + join(*parts)

    def render_row(self, row: Hub, index: int, line: int, width: int) -> Text:
        title_w, year_w, tier_w, citing_w, verdict_w = self.columns(width)
        p = row.paper
        style = "" if p.title_kind == "title" else self.dim_style()
        parts = [
            fit(highlighted(p.display_title, self.highlight, self.match_style(), style), title_w),
            fit(str(p.year) if p.year else "", year_w),
            fit(literal(row.tier_info.short), tier_w),
            fit(f"{row.n_citing:,}", citing_w, right=True),
        ]
        if verdict_w:  # polarity counts not read yet: "…" (the library screen reads them)
            verdict = row.verdict_info.label or "" if row.polarity_counts is not None else "…"
            parts.append(fit(literal(verdict, self.dim_style()), verdict_w))
        return Text(" ") + join(*parts)


class CitingList(LabelledList):
    """The citing-papers explorer rows: the columns the rows fill beside the title (see
    :mod:`~citetui.tui.widgets.columns`); below, what the paper is about (its summary, a
    TLDR or the first sentence of its abstract, marked)."""

    row_height = 2

    def __init__(self, **kwargs: Any) -> None:
        super().__init__(empty="no citing papers", **kwargs)
        self.highlight: Query | None = None
        self.cols = Columns()
        # paper id -> (starred, status) for the papers the user annotated; the mark
        # column shows only once there is one
        self.marks: dict[int, tuple[bool, str | None]] = {}
        # the index of the first closest match (a search's second tier), if any: the row
        # before it is underlined, a line between the tiers
        self.first_close: int | None = None

    def _widths(self, width: int) -> dict[str, int]:
        return widths(self.cols.columns, width - (4 if self.marks else 0), sort=self.cols.sort)

    def render_row(self, row: CitingRow, index: int, line: int, width: int) -> Text:
        w = self._widths(width)
        if line == 1:
            indent = (
                1
                + (4 if self.marks else 0)
                + sum(w[c] + 2 for c in ("year", "influential") if c in w)
            )
            text = Text(" " * indent) + fit(self._blurb(row), max(1, width - indent - 1))
            if self.first_close and index == self.first_close - 1:
                text = fit(text, width)  # the line between the tiers runs the full width
                text.stylize("underline")
            return text
        parts: list[Text] = []
        if self.marks:
            starred, status = self.marks.get(row.paper_id, (False, None))
            mark = ("★" if starred else " ") + {"skimmed": "s", "read": "r", "key": "K"}.get(
                status or "", " "
            )
            parts.append(Text(mark, style=self._role_style()))
        if "year" in w:
            parts.append(fit(str(row.year) if row.year else "", w["year"]))
        if "influential" in w:
            parts.append(Text("*" if row.influential else " ", style=self._role_style()))
        parts.append(self._title(row, w["title"]))
        if "venue" in w:
            parts.append(fit(literal(row.venue or "", self.dim_style()), w["venue"]))
        if "citations" in w:
            count = f"{row.citation_count:,}" if row.citation_count is not None else ""
            parts.append(fit(count, w["citations"], right=True))
        if "role" in w:
            parts.append(fit(literal(", ".join(row.roles), self._role_style()), w["role"]))
        if "polarity" in w:
            parts.append(self.stance(row.polarity, w["polarity"]))
        return Text(" ") + join(*parts, sep="  ")

    def _role_style(self) -> Style:
        return self.get_component_rich_style("vlist--role", partial=True)

    def _title(self, row: CitingRow, width: int) -> Text:
        """The title (an identifier or summary, dimmed, when there is none), then the role
        and polarity tags of a row that has them when they get no column."""
        style = "" if row.title_kind == "title" else self.dim_style()
        title = highlighted(row.label, self.highlight, self.match_style(), style)
        tag = Text()
        if "role" in self.cols.tags and row.roles:
            tag.append_text(literal(", ".join(row.roles), self._role_style()))
        if "polarity" in self.cols.tags and row.polarity:
            if tag.plain:
                tag.append(" ")
            tag.append_text(self.stance(row.polarity))
        if not tag.plain:
            return fit(title, width)
        tag_w = min(tag.cell_len, max(0, width // 3))
        return join(fit(title, max(1, width - tag_w - 2)), fit(tag, tag_w), sep="  ")

    def _blurb(self, row: CitingRow) -> Text:
        mark, text = blurb(
            row.summary, row.summary_source, row.abstract, summary_shown=row.title_kind == "summary"
        )
        if text is None:
            return literal("no summary, TLDR or abstract recorded", self.dim_style())
        body = highlighted(text, self.highlight, self.match_style())
        return Text(f"{mark}: ", style=self.dim_style()) + body if mark else body

    def heading(self, width: int) -> Text:
        """The heading line over the rows (the explorer shows it above the list)."""
        return heading(self.cols, width, self.cols.sort, marks=bool(self.marks))


class BarList(LabelledList):
    """The bars of a role or polarity summary; choosing one drills the explorer down.

    A computed summary of fewer than MIN_LABELLED labelled citations shows its counts
    only (``shares`` False): no bar, no percentage."""

    def __init__(self, kind: str, **kwargs: Any) -> None:
        noun = "role" if kind == "roles" else kind
        super().__init__(empty=f"no {noun} labels recorded for this hub", **kwargs)
        self.kind = kind
        self.shares = True

    def render_row(self, row: Bar, index: int, line: int, width: int) -> Text:
        label_w, pct_w, count_w = 11, 4, 7
        bar_w = max(4, width - 2 - label_w - pct_w - count_w - 3)
        if self.kind == "polarity":
            style_class = STANCE_CLASSES.get(row.label, "vlist--bar")
        else:
            style_class = "vlist--bar"
        bar_style = self.get_component_rich_style(style_class, partial=True)
        share = row.share if self.shares else None
        count = f"{row.count:,}" if row.count is not None else ""
        return (
            Text(" ")
            + join(
                fit(literal(row.label), label_w),
                Text(bar(share, bar_w, unknown="·"), style=bar_style),
                fit(pct(share) if share is not None else "", pct_w, right=True),
                fit(count, count_w, right=True),
            )
            + Text(" ")
        )


class ClaimList(LabelledList):
    """The claims ledger: each claim, how many citing papers engage it and their stances.

    A claim takes one line of text, or two when some claim is too long for one line,
    then a line of counts.
    """

    row_height = 2
    INDENT: ClassVar[int] = 4

    def __init__(self, **kwargs: Any) -> None:
        super().__init__(empty="no claims recorded for this hub", **kwargs)
        self._wrapped: dict[tuple[int, int], list[Text]] = {}

    def _text_lines(self, claim: Claim, width: int) -> list[Text]:
        key = (claim.id, width)
        if key not in self._wrapped:
            body = literal(claim.text)
            lines = list(body.wrap(self.app.console, max(8, width - self.INDENT - 1)))
            if len(lines) > 2:
                lines = [lines[0], fit(lines[1], max(8, width - self.INDENT - 2))]
                if not lines[1].plain.endswith("…"):
                    lines[1].truncate(max(1, lines[1].cell_len - 1))
                    lines[1].append("…")
            self._wrapped[key] = lines
        return self._wrapped[key]

    def _update_virtual_size(self) -> None:
        width = self.scrollable_content_region.width
        claims = [self.pager.get(i) for i in range(self.total)] if self.pager else []
        wraps = width > 0 and any(len(self._text_lines(c, width)) > 1 for c in claims if c)
        self.row_height = 3 if wraps else 2
        super()._update_virtual_size()

    def render_row(self, row: Claim, index: int, line: int, width: int) -> Text:
        text_lines = self.row_height - 1
        if line < text_lines:
            lines = self._text_lines(row, width)
            prefix = f" {row.position + 1:>2}. " if line == 0 else " " * (self.INDENT + 1)
            body = lines[line] if line < len(lines) else Text("")
            return Text(prefix) + body
        stances = row.stance_counts()
        n = len(row.engagements)
        out = Text(" " * (self.INDENT + 1)) + literal(
            plural(n, "citing paper") + (" engages it" if n == 1 else " engage it"),
            self.dim_style(),
        )
        for stance in ("supportive", "neutral", "critical", "unknown"):
            if stances.get(stance):
                out.append(" · ", self.dim_style())
                out.append(f"{stances[stance]} {stance}", self.stance_style(stance))
        return out


class PaperList(LabelledList):
    """Papers one per line: year, title and a note (co-cited count, roles of a citation...)."""

    def __init__(self, empty: str, **kwargs: Any) -> None:
        super().__init__(empty=empty, **kwargs)

    @staticmethod
    def paper_of(row: Any) -> Paper:
        """The paper a row stands for."""
        if isinstance(row, CoCited):
            return row.paper
        if isinstance(row, tuple):
            return row[0]
        return row

    def note(self, row: Any) -> Text:
        """What is said after the title."""
        if isinstance(row, CoCited) and row.count:
            return literal(f"{row.count:,}× co-cited", self.dim_style())
        if isinstance(row, tuple):
            _paper, citation, is_hub = row
            parts = Text()
            if is_hub:
                parts.append("hub ", self.get_component_rich_style("vlist--bar", partial=True))
            if citation is not None and citation.roles:
                parts.append(
                    ", ".join(citation.roles) + " ",
                    self.get_component_rich_style("vlist--role", partial=True),
                )
            if citation is not None and citation.polarity:
                parts.append_text(self.stance(citation.polarity))
            return parts
        return Text("")

    def render_row(self, row: Any, index: int, line: int, width: int) -> Text:
        paper = self.paper_of(row)
        note = self.note(row)
        note_w = min(len(note.plain), max(0, width // 3)) if note.plain else 0
        title_w = max(8, width - 1 - 4 - 1 - (note_w + 2 if note_w else 0))
        style = "" if paper.title_kind == "title" else self.dim_style()
        parts = [
            fit(str(paper.year) if paper.year else "", 4),
            fit(literal(paper.display_title, style), title_w),
        ]
        if note_w:
            parts.append(Text(" ") + fit(note, note_w))
        return Text(" ") + join(*parts)
