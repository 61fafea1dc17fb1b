"""Bars, percentages and counts: one way to draw a figure, in the CLI and in the browser.

A terminal whose encoding cannot show the block characters (``PYTHONIOENCODING=
latin-1``, an old console) gets ASCII bars instead of a UnicodeEncodeError.
"""

from __future__ import annotations

import codecs
import sys

from citetui.core.summary import plural  # one wording of counts, for every layer

BLOCKS = ("█", "░")
ASCII_BLOCKS = ("#", ".")


def can_draw(encoding: str | None) -> bool:
    """Whether text in ``encoding`` can hold the block characters (and the other symbols
    citetui prints: ·, …, ★, →)."""
    if not encoding:
        return False
    try:
        codecs.lookup(encoding)
        "█░·…★→".encode(encoding)
    except (LookupError, UnicodeEncodeError):
        return False
    return True


def stdout_blocks() -> tuple[str, str]:
    """The bar characters standard output can show."""
    return BLOCKS if can_draw(getattr(sys.stdout, "encoding", None)) else ASCII_BLOCKS


def bar(
    share: float | None, width: int, *, unknown: str = " ", blocks: tuple[str, str] = BLOCKS
) -> str:
    """``width`` cells filled to ``share`` (0 to 1); ``unknown`` fills a bar with no share."""
    if width <= 0:
        return ""
    if share is None:
        return unknown * width
    filled = round(max(0.0, min(1.0, share)) * width)
    return blocks[0] * filled + blocks[1] * (width - filled)


def pct(share: float | None, *, width: int = 0) -> str:
    """'52%' (right-aligned in ``width``), or '?' when no share is known."""
    text = f"{round(share * 100)}%" if share is not None else "?"
    return text.rjust(width)


__all__ = ["BLOCKS", "bar", "can_draw", "pct", "plural", "stdout_blocks"]
