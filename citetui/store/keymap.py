"""Record keys of one file (the records format's and a bundle's ``key``) -> paper ids, exactly,
in bounded memory: the newest in a dict, the older ones in a temporary table."""

from __future__ import annotations

from array import array
from bisect import bisect_left
from collections.abc import Iterable
from heapq import merge
from typing import Any

# Record keys kept in memory with their paper ids; past this the older ones go to a
# temporary table, with a MarkSet of their hashes saying which keys may be there.
MAX_KEYS = 200_000


class MarkSet:
    """A set of marks (64-bit hashes) at 8 bytes each, where a Python set takes ~70.

    The newest are in a set; when it fills, they are sorted into an array, and arrays
    of like size are merged (so there are few, found by bisection). A bitmap indexed by
    the mark's low bits answers "not there" for most marks not held, at one lookup.
    """

    RECENT = 1 << 17
    BITS = 1 << 24  # 2 MB

    def __init__(self, bits: int | None = None) -> None:
        self.recent: set[int] = set()
        self.runs: list[array[int]] = []
        self.nbits = bits or self.BITS
        self.bits = bytearray(self.nbits >> 3)
        self.size = 0

    def __contains__(self, mark: int) -> bool:
        b = mark & (self.nbits - 1)
        if not self.bits[b >> 3] & (1 << (b & 7)):
            return False
        if mark in self.recent:
            return True
        for run in self.runs:
            i = bisect_left(run, mark)
            if i < len(run) and run[i] == mark:
                return True
        return False

    def update(self, marks: Iterable[int]) -> None:
        bits, mask, recent = self.bits, self.nbits - 1, self.recent
        for m in marks:
            b = m & mask
            bits[b >> 3] |= 1 << (b & 7)
            recent.add(m)
        if len(recent) >= self.RECENT:
            self._seal()

    def _seal(self) -> None:
        run = array("q", sorted(self.recent))
        self.size += len(run)
        self.recent = set()
        while self.runs and len(self.runs[-1]) <= 2 * len(run):
            run = array("q", merge(self.runs.pop(), run))
        self.runs.append(run)

    def count(self) -> int:
        """About how many marks are held (repeats counted again)."""
        return self.size + len(self.recent)


class KeyMap:
    """Record key -> paper id for one file: the ``MAX_KEYS`` newest in a dict (and pinned
    ones, a hub that later records cite, always), the others in ``temp.bulk_keys``.

    The hashes of the spilled keys (a :class:`MarkSet`) answer "not there" for almost every
    new key at no cost; only a "maybe" (a real repeat, or two keys of one hash) reads the
    temporary table."""

    def __init__(self, conn: Any) -> None:
        self.conn = conn
        self.mem: dict[str, int] = {}
        self.pinned: dict[str, int] = {}
        self.spilled: MarkSet | None = None  # made at the first spill

    def get(self, key: str) -> int | None:
        pid = self.mem.get(key)
        if pid is None:
            pid = self.pinned.get(key)
        if pid is None and self.spilled is not None and hash(key) in self.spilled:
            row = self.conn.execute(
                "SELECT id FROM temp.bulk_keys WHERE key = ?", (key,)
            ).fetchone()
            pid = row[0] if row else None
        return pid

    def __contains__(self, key: object) -> bool:
        return isinstance(key, str) and self.get(key) is not None

    def __setitem__(self, key: str, pid: int) -> None:
        self.mem[key] = pid

    def pin(self, key: str, pid: int) -> None:
        """Keep this key in memory for the whole file (a hub)."""
        self.pinned[key] = pid

    def spill_if_full(self) -> None:
        """Move the keys in memory to the temporary table once there are too many."""
        if len(self.mem) <= MAX_KEYS:
            return
        if self.spilled is None:
            self.spilled = MarkSet()
            self.conn.execute(
                "CREATE TEMP TABLE IF NOT EXISTS bulk_keys "
                "(key TEXT PRIMARY KEY, id INTEGER NOT NULL) WITHOUT ROWID"
            )
        self.spilled.update(map(hash, self.mem))
        self.conn.executemany(
            "INSERT OR REPLACE INTO temp.bulk_keys (key, id) VALUES (?, ?)", self.mem.items()
        )
        self.mem = {}

    def close(self) -> None:
        if self.spilled is not None:
            self.conn.execute("DROP TABLE IF EXISTS temp.bulk_keys")
            self.spilled = None
