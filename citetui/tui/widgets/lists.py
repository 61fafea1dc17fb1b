"""The lists of the browser: hubs, citing papers, summary bars, claims and papers."""

from __future__ import annotations

from typing import Any, ClassVar

from rich.style import Style
from rich.text import Text

from citetui.core.models import Bar, CitingRow, Claim, CoCited, Hub, Paper
from citetui.core.query import Query
from citetui.render.bars import bar, pct, plural
from citetui.tui.support.rendering import fit, highlighted, join, literal
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
        year, tier, citing = 4, 10, 8
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
        parts = [
            fit(highlighted(p.display_title, self.highlight, self.match_style()), title_w),
            fit(str(p.year) if p.year else "", year_w),
            fit(literal(row.tier or "hub"), tier_w),
            fit(f"{row.n_citing:,}", citing_w, right=True),
        ]
        if verdict_w:
            parts.append(fit(literal(row.verdict or "", self.dim_style()), verdict_w))
        return Text(" ") + join(*parts)


class CitingList(LabelledList):
    """The citing-papers explorer rows: year, title, roles, polarity; the summary below."""

    row_height = 2

    def __init__(self, **kwargs: Any) -> None:
        super().__init__(empty="no citing papers", **kwargs)
        self.highlight: Query | None = None
        self.show_labels = True  # role and polarity columns (off when no citation has labels)
        # paper id -> (starred, status) for the papers the user annotated; the mark
        # column shows only once there is one
        self.marks: dict[int, tuple[bool, str | None]] = {}
        # the index of the first closest match (a search's second tier), if any: the row
        # before it is underlined, a line between the tiers
        self.first_close: int | None = None

    def render_row(self, row: CitingRow, index: int, line: int, width: int) -> Text:
        if line == 1 and self.first_close and index == self.first_close - 1:
            text = self._summary_line(row, width)
            text.stylize("underline")
            return text
        if line == 1:
            summary = row.summary or "no summary recorded"
            text = highlighted(
                summary,
                self.highlight if row.summary else None,
                self.match_style(),
                self.dim_style(),
            )
            indent = 7 + (4 if self.marks else 0)
            return Text(" " * indent) + fit(text, max(1, width - indent - 1))
        return self._title_line(row, width)

    def _summary_line(self, row: CitingRow, width: int) -> Text:
        first = self.first_close
        self.first_close = None
        try:
            return fit(self.render_row(row, 0, 1, width), width)
        finally:
            self.first_close = first

    def _title_line(self, row: CitingRow, width: int) -> Text:
        labels = self.show_labels
        roles_w = (20 if width >= 86 else 12 if width >= 64 else 0) if labels else 0
        pol_w = 10 if labels and width >= 52 else 0
        gaps = 2 * (1 + bool(roles_w) + bool(pol_w))
        mark_w = 4 if self.marks else 0  # two marks and a gap
        title_w = max(8, width - 2 - 4 - roles_w - pol_w - gaps - mark_w)
        year = fit(str(row.year) if row.year else "", 4)
        title = highlighted(row.title, self.highlight, self.match_style())
        if row.influential:
            title = Text("* ") + title
        parts = [year, fit(title, title_w)]
        if mark_w:
            starred, status = self.marks.get(row.paper_id, (False, None))
            mark = ("★" if starred else " ") + {"skimmed": "s", "read": "r", "key": "K"}.get(
                status or "", " "
            )
            style = self.get_component_rich_style("vlist--role", partial=True)
            parts.insert(0, Text(mark, style=style))
        if roles_w:
            roles = ", ".join(row.roles) if row.roles else ""
            parts.append(
                fit(
                    literal(roles, self.get_component_rich_style("vlist--role", partial=True)),
                    roles_w,
                )
            )
        if pol_w:
            parts.append(self.stance(row.polarity, pol_w))
        return Text(" ") + join(*parts, sep="  ")


class BarList(LabelledList):
    """The bars of a role or polarity summary; choosing one drills the explorer down."""

    def __init__(self, kind: str, **kwargs: Any) -> None:
        super().__init__(empty=f"no {kind} recorded for this hub", **kwargs)
        self.kind = kind

    def render_row(self, row: Bar, index: int, line: int, width: int) -> Text:
        label_w, pct_w, count_w = 11, 4, 7
        bar_w = max(4, width - 1 - label_w - pct_w - count_w - 3)
        if self.kind == "polarity":
            style_class = STANCE_CLASSES.get(row.label, "vlist--bar")
        else:
            style_class = "vlist--bar"
        bar_style = self.get_component_rich_style(style_class, partial=True)
        count = f"{row.count:,}" if row.count is not None else ""
        return Text(" ") + join(
            fit(literal(row.label), label_w),
            Text(bar(row.share, bar_w, unknown="·"), style=bar_style),
            fit(pct(row.share), pct_w, right=True),
            fit(count, count_w, right=True),
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
            extra = " (computed)" if row.provenance == "computed" else ""
            return literal(f"{row.count}× co-cited{extra}", self.dim_style())
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
        parts = [
            fit(str(paper.year) if paper.year else "", 4),
            fit(literal(paper.display_title), title_w),
        ]
        if note_w:
            parts.append(Text(" ") + fit(note, note_w))
        return Text(" ") + join(*parts)
