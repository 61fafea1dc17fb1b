"""Python's garbage collections moved from the middle of a key to the gaps between keys.

With a hub page on screen the interpreter holds some 150,000 objects the cyclic
collector tracks (Textual's widgets, styles and line caches). A full collection
walks all of them: 40-115 ms on two cores, and Python starts one by itself about
every 30 page keys, in the middle of whichever key allocated last. That key is
then answered 100 ms late. The middle generation has the same problem on a smaller
scale: every tenth young collection Python also collects it, and what a few page
keys drew and kept (strips and their caches, some 5,000-30,000 objects) made that
2-19 ms inside one key in twenty.

While the app runs, :class:`IdleCollector` raises the second and third thresholds
so that Python only ever runs the cheap collections of the youngest generation
itself (under ~1.5 ms: it holds at most ~700 new objects). The app calls
:meth:`IdleCollector.collect_young` a few milliseconds after each input's paint,
in the gap before the next key, and :meth:`IdleCollector.tick` from a timer: that
runs a full collection when no key, click or paste has come for ``idle`` seconds
and objects have aged since its last one, and collects the middle generation
anyway if it has gone ``YOUNG_BOUND`` young collections without (work going on
with no input). Garbage with reference cycles (the widgets of a closed page)
waits at most until the user's next pause.
"""

from __future__ import annotations

import gc
import time
from collections.abc import Callable

# Larger than any count of young collections between two pauses: Python never
# starts a collection of the older generations itself.
NEVER = 1 << 30
# Young collections (each after ~700 new objects) the middle generation may go
# without being collected, when no input comes to collect it after.
YOUNG_BOUND = 100


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
        """Stop Python from collecting the older generations itself."""
        if self._saved is None:
            self._saved = gc.get_threshold()
            gc.set_threshold(self._saved[0], NEVER, NEVER)
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
        return self._young_collections() != self._young_seen or gc.get_count()[1] > 0

    def collect_young(self, after: int = 1) -> bool:
        """Collect the two younger generations if at least ``after`` young collections
        have put objects in the middle one since the last time (the app calls this just
        after an input's paint); whether it ran."""
        if self._saved is None or not gc.isenabled() or gc.get_count()[1] < after:
            return False
        gc.collect(1)
        return True

    def tick(self) -> bool:
        """Run a full collection if one is due (a timer calls this); whether it ran.

        Without one due, the middle generation is collected if it has gone
        ``YOUNG_BOUND`` young collections without."""
        if not self.due():
            self.collect_young(after=YOUNG_BOUND)
            return False
        gc.collect()
        self._young_seen = self._young_collections()
        return True
