"""The app as its own class, for screens and widgets that call its methods.

Textual types ``self.app`` as ``App[Any]``; the screens call citetui's own
methods on it (open a paper, copy, recall a view), which a type checker can then
not see. :func:`citetui_app` says what the app is, once.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, cast

from textual.dom import DOMNode

if TYPE_CHECKING:
    from citetui.tui.app import CitetuiApp


def citetui_app(node: DOMNode) -> CitetuiApp:
    """The running citetui app of a screen or widget."""
    return cast("CitetuiApp", node.app)
