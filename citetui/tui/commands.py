"""citetui's commands in Textual's command palette (Ctrl+P), aware of the current screen."""

from __future__ import annotations

import asyncio
from collections.abc import Callable
from functools import partial
from typing import TYPE_CHECKING

from textual.command import DiscoveryHit, Hit, Hits, Matcher, Provider
from textual.content import Content
from textual.markup import escape

from citetui.core.models import Hub, SavedView
from citetui.core.query import QueryError
from citetui.core.textsafe import clean
from citetui.export import FORMATS as EXPORT_FORMATS
from citetui.search import search

if TYPE_CHECKING:
    from citetui.tui.app import CitetuiApp

Command = tuple[str, Callable[[], object], str]
VIEW_PREFIX = "View: "
HISTORY_LABEL = "Search again: history"  # what a past search is found by, besides its words


def highlight(matcher: Matcher, text: str) -> Content:
    """``text`` (literal, never markup) with the characters the palette query matched."""
    content = Content(text)
    _score, offsets = matcher.fuzzy_search.match(matcher.query, text)
    for offset in offsets:
        if not text[offset].isspace():
            content = content.stylize(matcher.match_style, offset, offset + 1)
    return content


class CitetuiCommands(Provider):
    """Open a hub or paper by title, sort the explorer, change theme, go back and forward."""

    async def startup(self) -> None:
        app: CitetuiApp = self.app  # type: ignore[assignment]
        try:
            self._hubs: list[Hub] = await asyncio.to_thread(app.lib.hubs)
        except Exception:  # noqa: BLE001 - a palette without hubs is still useful
            self._hubs = []
        try:
            self._views = await asyncio.to_thread(app.lib.saved_views)
        except Exception:  # noqa: BLE001 - e.g. an old library: no views to list
            self._views = []

    def commands(self) -> list[Command]:
        """Every command for the screen the palette was opened on."""
        from citetui.tui.screens.hub import HubScreen

        app: CitetuiApp = self.app  # type: ignore[assignment]
        screen = self.screen
        cmds: list[Command] = [
            ("Library: every hub", app.action_library, "Go back to the list of hubs"),
            ("Back", app.action_back, "Where you were before"),
            ("Forward", app.action_forward, "Where you went back from"),
            ("Help: keys and search syntax", app.action_help, "Keys of this screen"),
        ]
        if isinstance(screen, HubScreen):
            for sort in screen.explorer.usable_sorts():
                cmds.append(
                    (
                        f"Sort explorer by {sort}",
                        partial(screen.explorer.set_sort, sort),
                        "Order of the explorer rows",
                    )
                )
            cmds += [
                ("Sort explorer the other way", screen.action_flip_sort, "Ascending / descending"),
                ("Explorer columns…", screen.action_choose_columns, "Choose the columns (C)"),
                (
                    "Citation statements",
                    screen.action_statements,
                    "Every sentence citing this hub, with its role and polarity (i)",
                ),
            ]
            cmds.append(
                ("Clear the explorer search", screen.action_clear, "Show every citing paper")
            )
            here = screen.page.hub.paper.display_title if screen.page else ""
            for h in self._hubs:
                if h.paper.id != screen.hub_id:
                    cmds.append(
                        (
                            f"Compare with: {clean(h.paper.display_title, limit=70)}",
                            partial(
                                app.compare_hubs,
                                screen.hub_id,
                                h.paper.id,
                                here,
                                h.paper.display_title,
                            ),
                            "The papers citing both hubs, with both citation contexts",
                        )
                    )
            where = escape(f"The citing papers of the search, to a file in {app.export_dir}")
            for fmt in EXPORT_FORMATS:
                export = partial(
                    app.export_current_view, screen.hub_id, fmt, screen.explorer.query_text
                )
                cmds.append((f"Export current view as {fmt}", export, where))
        hub_titles = {h.paper.id: h.paper.display_title for h in self._hubs}
        for view in self._views:
            key = f" (v{view.slot})" if view.slot else ""
            where = hub_titles.get(view.hub_id, "any hub") if view.hub_id else "any hub"
            cmds.append(
                (
                    f"{VIEW_PREFIX}{clean(view.name, limit=60)}{key}",
                    partial(app.recall_view, view),
                    escape(
                        clean(
                            f"{view.query or '(every citing paper)'} · sorted by "
                            f"{view.sort} · {where}",
                            limit=120,
                        )
                    ),
                )
            )
        for name in sorted(app.available_themes):
            if name != app.theme:
                cmds.append(
                    (
                        f"Theme: {name}",
                        partial(setattr, app, "theme", name),
                        "Change the colours (remembered)",
                    )
                )
        for hub in self._hubs:
            title = clean(hub.paper.display_title, limit=90)
            cmds.append(
                (
                    f"Open hub: {title}",
                    partial(app.open_hub, hub.paper.id),
                    escape(f"{hub.n_citing:,} citing papers in the library"),
                )
            )
        return cmds

    async def discover(self) -> Hits:
        for text, callback, help_text in self.commands():
            if not text.startswith("Theme: "):
                yield DiscoveryHit(Content(text), callback, text=text, help=help_text)

    async def search(self, query: str) -> Hits:
        matcher = self.matcher(query)
        for text, callback, help_text in self.commands():
            score = matcher.match(text)
            if score > 0:
                if text.startswith(VIEW_PREFIX):  # the user's own views before the commands
                    score = score * 1.5 + 1
                yield Hit(score, highlight(matcher, text), callback, text=text, help=help_text)
        if len(query.strip()) < 3:
            return
        app: CitetuiApp = self.app  # type: ignore[assignment]
        try:
            past = await asyncio.to_thread(app.lib.query_history, query, limit=8)
            # found by the words of their label too ("again", "history", "search")
            by_label = matcher.match(HISTORY_LABEL) > 0
            if by_label:
                recent = await asyncio.to_thread(app.lib.query_history, None, limit=8)
                past += [e for e in recent if e not in past]
        except Exception:  # noqa: BLE001 - the history is a convenience
            past, by_label = [], False
        for rank, entry in enumerate(past):
            text = f"Search again: {clean(entry.query, limit=80)}"
            if entry.hub_id is None:
                continue
            score = max(0.05, 0.7 - rank * 0.05)
            if by_label:  # as a command named by the typed words would score, a bit above
                score = max(score, matcher.match(HISTORY_LABEL) * 1.5 + 1 - rank * 0.01)
            yield Hit(
                score,
                Content(text),
                partial(
                    app.recall_view,
                    SavedView("", entry.hub_id, entry.query, "relevance", None),
                ),
                text=text,
                help=escape(clean(f"history · used {entry.uses}× · last {entry.used_at[:16]}")),
            )
        try:
            result = await asyncio.to_thread(search, app.lib, query, limit=8)
        except (QueryError, ValueError):
            return
        for rank, row in enumerate(result.rows):
            text = f"Open paper: {clean(row.label, limit=90)}"
            summary = escape(clean(row.summary, limit=100)) if row.summary else None
            yield Hit(
                max(0.05, 0.6 - rank * 0.05),
                Content(text),
                partial(app.open_paper, row.paper_id),
                text=text,
                help=summary,
            )
