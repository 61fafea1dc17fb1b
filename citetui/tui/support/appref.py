"""The app as its own class, for screens and widgets that call its methods.

Textual types ``self.app`` as ``App[Any]``; the screens call citetui's own
methods on it (open a paper, copy, recall a view), which a type checker can then
not see. :func:`citetui_app` says what the app is, once.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, cast

from textual.dom import DOMNode

from citetui.core.textsafe import clean

if TYPE_CHECKING:
    from citetui.tui.app import CitetuiApp


def citetui_app(node: DOMNode) -> CitetuiApp:
    """The running citetui app of a screen or widget."""
    return cast("CitetuiApp", node.app)


def say_failed(node: DOMNode, what: str, error: BaseException) -> None:
    """From a worker thread: tell the user ``what`` failed and why, in one line (a write
    the user asked for never fails silently, nor with a traceback)."""
    node.app.call_from_thread(
        node.app.notify, f"{what}: {clean(str(error))}", severity="error", markup=False
    )
