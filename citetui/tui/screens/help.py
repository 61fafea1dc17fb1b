"""The help screen: every key of the screen it was opened on, and the query syntax."""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from typing import ClassVar

from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import Vertical
from textual.content import Content
from textual.screen import ModalScreen, Screen
from textual.widgets import Static

from citetui.tui.support.rendering import lines, lit, txt
from citetui.tui.widgets.panes import TextPane

QUERY_SYNTAX = (
    (
        "words",
        (
            "fuzzy words over title, authors, year, venue, summary, abstract, contexts "
            "(typos forgiven); papers holding every word first, then the closest matches "
            "below a line"
        ),
    ),
    ("reference", "a pasted reference, DOI, arXiv id, CorpusID or URL finds its paper"),
    ("'word", "exact: the text must contain word (in a typed query; pasted text keeps its quotes)"),
    ('"text"', 'literal words (never a field): "In:P"'),
    ("!word", "exclude: the text must not contain word"),
    (
        "role:method",
        (
            "citation role (background, method, comparison, extension, critique, "
            "unknown); role:method,comparison for either"
        ),
    ),
    ("pol:critical", "citation polarity (supportive, neutral, critical, unknown)"),
    ("year:2020..2024", "year range; also year:2020, year:2020.., year:..2019"),
    ("claim:2", "papers engaging the hub's second claim"),
    ("author:schulman venue:icml", "an author's name / the venue must hold these words"),
    ("tag:toread status:read", "your tags and reading status (unread, skimmed, read, key)"),
    ("is:starred has:note has:context", "starred, with a note, with a citation context"),
)
EXTRA_KEYS = (
    ("ctrl+p", "Command palette: open a hub or paper by title, sort, theme, back/forward"),
    ("tab / shift+tab", "Next / previous pane"),
    ("ctrl+q", "Quit"),
)


def _as_binding(b: BindingType) -> Binding:
    return b if isinstance(b, Binding) else Binding(*b)


def key_rows(
    bindings: Iterable[BindingType], keymap: Mapping[str, str], display
) -> list[tuple[str, str, str]]:
    """(keys, description, binding id) for bindings, aliases of one action merged."""
    rows: dict[tuple[str, str], list] = {}
    for raw in bindings:
        b = _as_binding(raw)
        if b.system or not b.description:
            continue
        keys = keymap.get(b.id, b.key) if b.id else b.key
        entry = rows.setdefault((b.action, b.description), [[], ""])
        for k in keys.split(","):
            shown = display(Binding(k.strip(), b.action))
            if shown not in entry[0]:
                entry[0].append(shown)
        if b.id and not entry[1]:
            entry[1] = b.id
    return [(" ".join(keys), desc, bid) for (_, desc), (keys, bid) in rows.items()]


class HelpScreen(ModalScreen[None]):
    """Keys of the current screen, and the search syntax."""

    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("escape,q,question_mark,f1", "dismiss", "Close help", id="help.close"),
    ]

    def __init__(self, screen: Screen, sections: list[tuple[str, list[tuple[str, str, str]]]]):
        super().__init__()
        self.for_screen = screen
        self.sections = sections

    def compose(self) -> ComposeResult:
        with Vertical(id="help-box"):
            yield Static(lit("Keys · Esc or ? closes", "bold"), id="help-title")
            yield TextPane(self.body(), id="help-body")

    def on_mount(self) -> None:
        self.query_one("#help-body").focus()

    def body(self) -> Content:
        """The keys by section, then the query syntax."""
        parts: list[Content] = []
        intro = getattr(self.for_screen, "HELP", "")
        if intro:
            parts += [lit(intro, "italic", multiline=True), Content("")]
        width = max((len(k) for _, rows in self.sections for k, _, _ in rows), default=8) + 2
        width = max(width, max(len(example) for example, _ in QUERY_SYNTAX) + 2)
        for title, rows in self.sections:
            if not rows:
                continue
            parts.append(lit(title, "bold $text-accent"))
            for keys, desc, bid in rows:
                line = txt(f"  {keys:<{width}}", "bold") + txt(desc)
                if bid:
                    line += txt(f"  [{bid}]", "$text-muted")
                parts.append(line)
            parts.append(Content(""))
        parts.append(lit("Search syntax (explorer and hub filter)", "bold $text-accent"))
        for example, meaning in QUERY_SYNTAX:
            parts.append(txt(f"  {example:<{width}}", "bold") + txt(meaning))
        parts += [
            txt("  Sort by relevance, year, citations or title with s.", "$text-muted"),
            Content(""),
            lit(
                'Your own keys: {"keymap": {"<binding id>": "<keys>"}} in tui.json in the citetui '
                "config directory (e.g. ~/.config/citetui/tui.json).",
                "$text-muted",
            ),
        ]
        return lines(*parts)
