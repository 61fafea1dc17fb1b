"""One import, as the store runs it: the journal, the search index, the panes, the log.

Both the file pipeline (:func:`citetui.ingest.import_files`) and the fetcher
(one page at a time) write through an :class:`ImportSession`, so the policy
lives here once: a big import into an empty library runs under a rollback
journal; a big import suspends the search triggers and indexes in bulk; every
source gets its own :class:`~citetui.store.write.Writer`; what a source changed
empties the computed panes; the log records each source's report; at the end
the search vocabulary is refreshed and the panes of the big hubs it named are
computed, inside the same transaction.
"""

from __future__ import annotations

import contextlib
from collections.abc import Iterator
from typing import TYPE_CHECKING, Any

from citetui.store import fts
from citetui.store.panes import forget_panes
from citetui.store.write import Writer

if TYPE_CHECKING:
    from citetui.store.library import Library


class ImportSession:
    """The writers of one import transaction (see the module docstring)."""

    def __init__(self, lib: Library, db: Any, *, deferred: bool, panes_ahead: bool) -> None:
        self.lib, self.db, self.deferred, self.panes_ahead = lib, db, deferred, panes_ahead
        self.changed_hubs: list[int] = []

    def writer(self, source: str, *, skip_invalid: bool = False) -> Writer:
        """A writer for one source (a file, a fetched page)."""
        return Writer(self.db, source=source, skip_invalid=skip_invalid)

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
        if self.deferred:
            fts.resume(conn)
        fts.refresh_terms(conn)
        if self.panes_ahead:  # the big hubs it changed open at once, their panes committed
            self.lib.compute_panes_ahead(self.changed_hubs)


@contextlib.contextmanager
def import_session(
    lib: Library, input_bytes: int = 0, *, panes_ahead: bool = True
) -> Iterator[ImportSession]:
    """One import transaction: everything commits together, or nothing (Ctrl+C, kill -9,
    a bad record). ``input_bytes`` (the size of what is read) decides whether the search
    index is kept up row by row or in bulk at the end; ``panes_ahead=False`` leaves the
    big hubs' panes to their next opening (a fetch commits hundreds of small pages)."""
    big = fts.worth_suspending(lib.conn, input_bytes)
    with lib.import_journal(big=big), lib.transaction() as db:
        deferred = fts.worth_suspending(db.conn, input_bytes)
        if deferred:
            fts.suspend(db.conn)
        session = ImportSession(lib, db, deferred=deferred, panes_ahead=panes_ahead)
        yield session
        session._finish()
