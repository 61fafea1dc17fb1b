"""Textual's footer, recomposed only when the keys it shows change."""

from __future__ import annotations

from textual.screen import Screen
from textual.widgets import Footer as TextualFooter


class Footer(TextualFooter):
    """The key bar at the bottom of each screen.

    Textual's footer builds its keys again on every change of the screen's bindings,
    which every focus move and screen switch announces; opening a hub announced six
    within 200 ms, each rebuild took ~20 ms, and the rows being read waited behind
    them. This one rebuilds once per burst, and only when what it shows changed.
    """

    _shown: tuple | None = None
    _pending = False

    def bindings_changed(self, screen: Screen) -> None:
        self._bindings_ready = True
        if not screen.app.app_focus or not self.is_attached or screen is not self.screen:
            return
        if not self._pending:
            self._pending = True
            self.call_after_refresh(self._rebuild)

    def _signature(self) -> tuple:
        app = self.app
        return (
            self.compact,
            self.show_command_palette,
            tuple(
                (
                    key,
                    b.action,
                    b.description,
                    b.show,
                    b.group,
                    enabled,
                    tooltip,
                    app.get_key_display(b) if b.show else "",
                )
                for key, (_, b, enabled, tooltip) in self.screen.active_bindings.items()
            ),
        )

    async def _rebuild(self) -> None:
        self._pending = False
        if not self.is_attached:
            return
        shown = self._signature()
        if shown != self._shown:
            self._shown = shown
            await self.recompose()
