"""Python's full garbage collections moved from the middle of a key to the user's pauses.

With a hub page on screen the interpreter holds some 150,000 objects the cyclic
collector tracks (Textual's widgets, styles and line caches). A full collection
walks all of them: 40-115 ms on two cores, and Python starts one by itself about
every 30 page keys, in the middle of whichever key allocated last. That key is
then answered 100 ms late.

While the app runs, :class:`IdleCollector` raises the third threshold so that
Python never starts a full collection on its own. It runs one itself when no
key, click or paste has come for ``idle`` seconds and the younger generations
have been collected since its last one (so there is something to look at). The
young collections Python still runs take 1-4 ms. Garbage with reference cycles
(the widgets of a closed page) waits at most until the user's next pause.
"""

from __future__ import annotations

import gc
import time
from collections.abc import Callable

# Larger than any count of young collections between two pauses: Python never
# starts a full collection itself.
NEVER = 1 << 30


class IdleCollector:
    """Run full collections when input pauses (``start``/``stop`` around the app's run)."""

    def __init__(self, idle: float = 1.0, clock: Callable[[], float] = time.monotonic) -> None:
        self.idle = idle
        self.clock = clock
        self.last_input = clock()
        self._saved: tuple[int, ...] | None = None
        self._young_seen = 0  # generation-1 collections counted at the last full one

    @property
    def running(self) -> bool:
        return self._saved is not None

    def start(self) -> None:
        """Stop Python from starting full collections itself."""
        if self._saved is None:
            self._saved = gc.get_threshold()
            first, second = self._saved[:2]
            gc.set_threshold(first, second, NEVER)
            self._young_seen = self._young_collections()

    def stop(self) -> None:
        """Give Python its own thresholds back."""
        if self._saved is not None:
            gc.set_threshold(*self._saved)
            self._saved = None

    def input_seen(self) -> None:
        """A key, click or paste came: the user is not pausing."""
        self.last_input = self.clock()

    @staticmethod
    def _young_collections() -> int:
        return gc.get_stats()[1]["collections"]

    def due(self) -> bool:
        """Whether input has paused long enough and objects have aged since the last run."""
        if self._saved is None or not gc.isenabled():
            return False
        if self.clock() - self.last_input < self.idle:
            return False
        return self._young_collections() != self._young_seen

    def tick(self) -> bool:
        """Run a full collection if one is due (a timer calls this); whether it ran."""
        if not self.due():
            return False
        gc.collect()
        self._young_seen = self._young_collections()
        return True
