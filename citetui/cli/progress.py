"""The one progress display of the command line: a line on stderr, on a terminal only.

Imports and fetches both report through it: what is being done, how far, how fast
and how long is left. Piped or with ``--json`` it stays silent, so scripts read
clean output.
"""

from __future__ import annotations

import sys
import threading
import time
from collections.abc import Callable
from types import TracebackType

import click

from citetui.core.textsafe import clean

REDRAW_SECONDS = 0.25  # no more redraws than this: a terminal line is not a log


def _eta(seconds: float) -> str:
    if seconds >= 3600:
        return f"{seconds / 3600:.1f} h"
    if seconds >= 60:
        return f"{int(seconds // 60)} min {int(seconds % 60):02d} s"
    return f"{seconds:.0f} s"


def _count(n: float, unit: str) -> str:
    if unit == "MB":
        return f"{n / 1e6:,.0f} MB"
    return f"{n:,.0f}{' ' + unit if unit else ''}"


class Progress:
    """One rewritten line: ``label  done of total  rate/s  ETA``."""

    def __init__(self, enabled: bool | None = None) -> None:
        self.enabled = sys.stderr.isatty() if enabled is None else enabled
        self._label: str | None = None
        self._started = 0.0
        self._drawn = 0.0
        self._shown = False
        self._lock = threading.Lock()

    def show(
        self,
        label: str,
        done: float,
        total: float | None = None,
        unit: str = "",
        *,
        force: bool = False,
    ) -> None:
        """Show ``done`` (of ``total``) for ``label``; the rate counts from its first show."""
        if not self.enabled:
            return
        now = time.monotonic()
        with self._lock:
            if label != self._label:
                self._label, self._started, self._drawn = label, now, 0.0
            if not force and now - self._drawn < REDRAW_SECONDS:
                return
            self._drawn = now
            elapsed = now - self._started
            parts = [clean(label, limit=60), _count(done, unit)]
            if total:
                parts[-1] += f" of {_count(total, unit)} ({min(100, round(100 * done / total))}%)"
            if elapsed > 1 and done:
                rate = done / elapsed
                parts.append(f"{_count(rate, unit)}/s")
                if total and total > done:
                    parts.append(f"ETA {_eta((total - done) / rate)}")
            click.echo("\r\x1b[2K" + "  ".join(parts), nl=False, err=True)
            self._shown = True

    def show_import(self, stage: str, records: int, read: float, size: float) -> None:
        """An import's line: records and records/s, bytes read of ``size``, and an ETA from
        the reading rate (the records of every format are not the same size, the bytes
        left to read are what is known)."""
        if not self.enabled:
            return
        now = time.monotonic()
        with self._lock:
            if self._label != "import":
                self._label, self._started, self._drawn = "import", now, 0.0
            if now - self._drawn < REDRAW_SECONDS:
                return
            self._drawn = now
            elapsed = now - self._started
            parts = [stage, _count(records, "records")]
            if elapsed > 1 and records:
                parts.append(f"{_count(records / elapsed, 'records')}/s")
            if size:
                parts.append(f"{_count(read, 'MB')} of {_count(size, 'MB')}")
                parts[-1] += f" ({min(100, round(100 * read / size))}%)"
                if stage == "importing" and elapsed > 1 and 0 < read < size:
                    parts.append(f"ETA {_eta((size - read) / (read / elapsed))}")
            click.echo("\r\x1b[2K" + "  ".join(parts), nl=False, err=True)
            self._shown = True

    def note(self, text: str) -> None:
        """A message on its own line (the progress line is redrawn under it)."""
        with self._lock:
            if self._shown:
                click.echo("\r\x1b[2K", nl=False, err=True)
                self._shown = False
            self._drawn = 0.0
        click.echo(text, err=True)

    def close(self) -> None:
        """Clear the line."""
        with self._lock:
            if self._shown:
                click.echo("\r\x1b[2K", nl=False, err=True)
                self._shown = False
            self._label = None

    def poll(self, read: Callable[[], tuple[str, float, float | None, str] | None]) -> Polling:
        """Show what ``read()`` returns (label, done, total, unit) four times a second,
        from a thread, until the returned context ends."""
        return Polling(self, read)

    def poll_with(self, draw: Callable[[Progress], None]) -> Polling:
        """Call ``draw(self)`` four times a second, from a thread, until the context ends."""
        return Polling(self, lambda: None, draw)


class Polling:
    """A thread that feeds a :class:`Progress` from a reading function."""

    def __init__(
        self,
        progress: Progress,
        read: Callable[[], tuple[str, float, float | None, str] | None],
        draw: Callable[[Progress], None] | None = None,
    ) -> None:
        self.progress, self.read, self.draw = progress, read, draw
        self.stop = threading.Event()
        self.thread = threading.Thread(target=self._run, daemon=True)

    def __enter__(self) -> Polling:
        if self.progress.enabled:
            self.thread.start()
        return self

    def __exit__(
        self, kind: type[BaseException] | None, exc: BaseException | None, tb: TracebackType | None
    ) -> None:
        if self.thread.is_alive():
            self.stop.set()
            self.thread.join(timeout=1)
        self.progress.close()

    def _run(self) -> None:
        while not self.stop.wait(REDRAW_SECONDS):
            if self.draw is not None:
                self.draw(self.progress)
                continue
            now = self.read()
            if now is not None:
                self.progress.show(*now)
