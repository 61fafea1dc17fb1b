"""One import, as the store runs it: the journal, identity, indexes, search index, panes, log.

Both the file pipeline (:func:`citetui.ingest.import_files`) and the fetcher (one page
at a time) write through an :class:`ImportSession`, so the policy lives here once.
Every import is one transaction. A *big* import (its input is large against the library,
:func:`citetui.store.fts.worth_suspending`; any format) also:

- runs under a rollback journal instead of the WAL when no other connection has the
  library open (the WAL would take the whole transaction, up to the library's size, and
  copy it into the file again after the commit; the rollback journal holds only the
  pages the library had and the import changed). A kill still rolls it back: the next
  open finds the hot journal. The WAL comes back after;
- finds papers in memory (:class:`~citetui.store.identity.MemoryIdentity`) and drops the
  library's identifier and title indexes and the hub-year index of the citations, to
  build them again, sorted, at the end (they grew superlinearly otherwise: random inserts
  into indexes bigger than the page cache);
- suspends the search triggers: each batch indexes its own new rows, notes catch up the
  rest at the end.

Every source gets its own :class:`~citetui.store.write.Writer`; what a source changed
empties the computed panes; the log records each source's report; at the end the papers
found to be one are folded together, the search vocabulary is refreshed and the panes of
the big hubs the import named are computed, inside the same transaction.
"""

from __future__ import annotations

import contextlib
import gc
from collections.abc import Callable, Iterator
from typing import TYPE_CHECKING, Any

from citetui.store import fts
from citetui.store.edges import drop_stage
from citetui.store.identity import (
    Identity,
    IndexIdentity,
    MemoryIdentity,
    drop_indexes,
    restore_indexes,
)
from citetui.store.merge import merge_papers, release_identifiers
from citetui.store.panes import forget_panes
from citetui.store.write import Writer

if TYPE_CHECKING:
    from citetui.store.library import Library

# The fewest bytes of input that hold one key of a paper (an identifier or a title): what
# a big import's key table is first sized by. Inputs bring 150 (citetui records) to 1,100
# (OpenAlex snapshot works) bytes a key; the table is sized again once 1% of the input is
# written (MemoryIdentity.batch_done), and grows by half when it must meanwhile. Sized
# for the densest input at first, a million OpenAlex works held 180 MB of empty slots
# until then: the import's peak.
BYTES_PER_KEY = 1000
# Room, at least, for the new keys of a re-import: a tenth of the input's records, at the
# 120-150 bytes a key of the input with the most keys for its size (citetui records). A
# re-import's new records may all come at its end, after the table is sized (a snapshot
# sorted by date); with less room, every part of a 1M library's table grew by half.
BYTES_PER_NEW_KEY = 1200
BIG_CACHE_KB = 32_000  # a big import's page cache (the default is 2 MB)
# The page cache while the dropped indexes are built again. SQLite sorts in memory up to
# the cache's size, and that came on top of the cache: at 32 MB a 1M import's peak rose
# by 30 MB there. With 2 MB the sorts spill to temp files and took no longer (2.9 s
# against 3.4 s for a 1M S2 /paper library's indexes).
SORT_CACHE_KB = 2_000
# Helper threads for those sorts (the reader process is done by then: its core is free).
# With a 32 MB cache each took as much again (the peak rose 215 -> 276 MB); with 2 MB,
# two of them built the 1M OpenAlex library's indexes in 4.9-5.2 s against 5.9-6.0 (one:
# 5.5-5.8), and no more memory.
SORT_THREADS = 2


class ImportSession:
    """The writers of one import transaction (see the module docstring)."""

    def __init__(
        self,
        lib: Library,
        db: Any,
        *,
        big: bool,
        panes_ahead: bool,
        input_bytes: int = 0,
        bytes_read: Callable[[], int] | None = None,
    ) -> None:
        self.lib, self.db, self.big, self.panes_ahead = lib, db, big, panes_ahead
        self.changed_hubs: list[int] = []
        conn = db.conn
        self.dropped: list[str] = []
        self.identity: Identity
        if big:
            fts.suspend(conn)
            # Appends need few pages in memory (the indexes that took random inserts are
            # dropped); the sorts that build them again take as much again.
            conn.execute(f"PRAGMA cache_size = -{BIG_CACHE_KB}")
            self.identity = memory = MemoryIdentity(
                conn, input_bytes // BYTES_PER_KEY, input_bytes // BYTES_PER_NEW_KEY
            )
            if bytes_read is not None and input_bytes:
                read = bytes_read  # (bound here: mypy)
                memory.read_share = lambda: read() / input_bytes
            self.dropped = drop_indexes(conn)
        else:
            self.identity = IndexIdentity(conn)

    def writer(self, source: str, *, skip_invalid: bool = False) -> Writer:
        """A writer for one source (a file, a fetched page)."""
        return Writer(self.db, source=source, skip_invalid=skip_invalid, identity=self.identity)

    def record(
        self, writer: Writer, path: str, fmt: str, sha256: str | None, report: dict[str, Any]
    ) -> None:
        """Log what ``writer`` did; forget the panes its changes made stale."""
        writer.record_import(path, fmt, sha256, report)
        if writer.added or writer.updated:
            forget_panes(self.db.conn)
            self.changed_hubs += writer.hub_ids

    def _finish(self) -> None:
        conn = self.db.conn
        drop_stage(conn)
        folds = self.identity.take_merges()
        # The papers folded into others give up their identifiers before the unique
        # indexes come back (the papers they joined hold them already), then go.
        release_identifiers(conn, [drop for _, drop in folds])
        if self.big:
            conn.execute(f"PRAGMA cache_size = -{SORT_CACHE_KB}")
            conn.execute(f"PRAGMA threads = {SORT_THREADS}")
        restore_indexes(conn, self.dropped)
        conn.execute("PRAGMA threads = 0")
        for keep, drop in folds:
            merge_papers(conn, keep, drop)
        if self.big:
            fts.resume(conn)
        fts.refresh_terms(conn)
        if self.panes_ahead:  # the big hubs it changed open at once, their panes committed
            self.lib.compute_panes_ahead(self.changed_hubs)


@contextlib.contextmanager
def import_session(
    lib: Library,
    input_bytes: int = 0,
    *,
    panes_ahead: bool = True,
    bytes_read: Callable[[], int] | None = None,
) -> Iterator[ImportSession]:
    """One import transaction: everything commits together, or nothing (Ctrl+C, kill -9,
    a bad record). ``input_bytes`` (the size of what is read) decides whether it is a big
    import (see the module); ``bytes_read`` says how much of it the writer has had (for
    sizing its key table); ``panes_ahead=False`` leaves the big hubs' panes to their next
    opening (a fetch commits hundreds of small pages)."""
    big = fts.worth_suspending(lib.conn, input_bytes)
    with _no_cyclic_gc(), lib.import_journal(big=big), lib.transaction() as db:
        session = ImportSession(
            lib,
            db,
            big=big,
            panes_ahead=panes_ahead,
            input_bytes=input_bytes,
            bytes_read=bytes_read,
        )
        yield session
        session._finish()


@contextlib.contextmanager
def _no_cyclic_gc() -> Iterator[None]:
    """Python's cycle collector off for the import: it walks the live records of each
    batch every few hundred allocations and finds nothing (records make no cycles;
    reference counting frees them)."""
    was = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if was:
            gc.enable()
