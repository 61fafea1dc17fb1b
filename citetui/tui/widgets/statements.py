"""The rows of the citation statements: a citing paper's year, title, role and polarity,
then the sentence itself on two lines."""

from __future__ import annotations

from typing import Any, ClassVar

from rich.text import Text

from citetui.core.models import Statement
from citetui.tui.support.rendering import fit, join, literal
from citetui.tui.widgets.lists import LabelledList


class StatementList(LabelledList):
    """Citation statements, three lines each; Enter opens the citing paper."""

    row_height = 3
    INDENT: ClassVar[int] = 7

    def __init__(self, **kwargs: Any) -> None:
        kwargs.setdefault("empty", "no citation statements")
        super().__init__(**kwargs)
        self._wrapped: dict[tuple[int, int], list[Text]] = {}

    def _text_lines(self, row: Statement, width: int) -> list[Text]:
        """The sentence wrapped to two lines, the second cut with '…' when it goes on."""
        key = (row.context_id, width)
        if key not in self._wrapped:
            body = literal("“" + row.text.strip() + "”")
            room = max(8, width - self.INDENT - 1)
            lines = list(body.wrap(self.app.console, room))
            if len(lines) > 2:  # the second line ends in "…" right after its last word
                second = lines[1].copy()
                second.rstrip()
                if second.cell_len > room - 1:
                    second.truncate(room - 1, overflow="ellipsis")
                if not second.plain.endswith("…"):
                    second.append("…")
                lines = [lines[0], second]
            if len(self._wrapped) > 2000:
                self._wrapped.clear()
            self._wrapped[key] = lines
        return self._wrapped[key]

    def render_row(self, row: Statement, index: int, line: int, width: int) -> Text:
        if line > 0:
            lines = self._text_lines(row, width)
            body = lines[line - 1] if line - 1 < len(lines) else Text("")
            return Text(" " * self.INDENT) + body
        role_style = self.get_component_rich_style("vlist--role", partial=True)
        labels = Text()
        if row.roles:
            labels.append_text(literal(", ".join(row.roles), role_style))
        if row.polarity:
            if labels.plain:
                labels.append(" · ", self.dim_style())
            labels.append_text(self.stance(row.polarity))
        if row.influential:
            labels.append(" *", role_style)
        labels_w = min(labels.cell_len, max(0, width // 3))
        title_w = max(8, width - 1 - 4 - 2 - (labels_w + 2 if labels_w else 0))
        style = "" if row.title or not row.ids_label else self.dim_style()
        parts = [fit(str(row.year) if row.year else "", 4), fit(literal(row.label, style), title_w)]
        if labels_w:
            parts.append(fit(labels, labels_w))
        return Text(" ") + join(*parts, sep="  ")
