"""Building Rich ``Text`` from data: always literal, cleaned of terminal escapes, cell-aware."""

from __future__ import annotations

from rich.cells import cell_len
from rich.style import Style
from rich.text import Text
from textual.content import Content

from citetui.core.query import Query
from citetui.core.textsafe import clean


def literal(value: object, style: Style | str = "", *, multiline: bool = False) -> Text:
    """Data as a Text that is never read as markup and holds no terminal escapes."""
    return Text(clean(value, multiline=multiline), style=style)


def lit(value: object, style: str = "", *, multiline: bool = False) -> Content:
    """Data as Textual Content: literal, cleaned, styled with theme variables (``$text-muted``)."""
    text = clean(value, multiline=multiline)
    return Content.styled(text, style) if style else Content(text)


def txt(text: str, style: str = "") -> Content:
    """Our own words (never data) as Content, spaces kept."""
    return Content.styled(text, style) if style else Content(text)


def lines(*parts: Content) -> Content:
    """Content parts one per line."""
    return Content("\n").join(parts)


def highlighted(value: object, query: Query | None, match: Style, style: Style | str = "") -> Text:
    """Data as literal Text with the characters the query matches in ``match`` style."""
    text = literal(value, style)
    if query is not None and text.plain and (query.words or query.exact):
        from citetui.search import match_spans  # not needed at start-up

        for start, end in match_spans(text.plain, query):
            text.stylize(match, start, end)
    return text


def fit(text: Text | str, width: int, *, right: bool = False) -> Text:
    """Text cut to ``width`` cells with an ellipsis, padded to exactly ``width`` cells."""
    t = Text(text) if isinstance(text, str) else text.copy()
    t.no_wrap = True
    if width <= 0:
        return Text("")
    if cell_len(t.plain) > width:
        t.truncate(width, overflow="ellipsis")
    pad = width - cell_len(t.plain)
    if pad > 0:
        if right:
            t = Text(" " * pad) + t
        else:
            t.append(" " * pad)
    return t


def join(*parts: Text | str, sep: str = " ") -> Text:
    """Parts joined with a separator into one Text."""
    return Text(sep).join(Text(p) if isinstance(p, str) else p for p in parts)
