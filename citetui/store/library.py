"""The library: one object for every read and write the app and the CLI make.

:class:`Library` is the facade. Its methods live with their concern, each a layer
on the one before (so each layer may use what the earlier ones read):

- :mod:`~citetui.store.connection`: opening, schema, transactions;
- :mod:`~citetui.store.papers`: papers and one paper's citations;
- :mod:`~citetui.store.explorer`: a hub's citing papers, filtered, sorted, paged;
- :mod:`~citetui.store.statements`: a hub's citation statements, filtered and paged;
- :mod:`~citetui.store.panes`: computed summaries, co-cited works, representatives;
- :mod:`~citetui.store.hubs`: hubs and their pages;
- :mod:`~citetui.store.user`: the user's notes, tags, statuses, stars and label overrides;
- :mod:`~citetui.store.views`: saved views and the query history;
- :mod:`~citetui.store.exports`: what a lossless export reads in bulk;
- :mod:`~citetui.store.analysis`: the edges the research instrument works on;
- :mod:`~citetui.store.fetchlog`: where an interrupted fetch stopped.

Writing imported records goes through :class:`~citetui.store.write.Writer` (and
:mod:`~citetui.store.bulk`) inside :meth:`Connection.transaction`.
"""

from __future__ import annotations

import contextlib
from collections.abc import Callable

from citetui.core.models import Stats
from citetui.store.fetchlog import FetchLog
from citetui.store.importing import ImportSession, import_session


class Library(FetchLog):
    """A citetui library: the connection plus every read and write the app and CLI need."""

    def importing(
        self,
        input_bytes: int = 0,
        *,
        panes_ahead: bool = True,
        bytes_read: Callable[[], int] | None = None,
    ) -> contextlib.AbstractContextManager[ImportSession]:
        """One import transaction (see :mod:`citetui.store.importing`)."""
        return import_session(self, input_bytes, panes_ahead=panes_ahead, bytes_read=bytes_read)

    def stats(self) -> Stats:
        """Counts of what the library holds."""

        def count(table: str) -> int:
            return int(self._rows(f"SELECT count(*) FROM {table}")[0][0])

        size = self.path.stat().st_size if self.path.exists() else 0
        wal = self.path.with_name(self.path.name + "-wal")
        if wal.exists():
            size += wal.stat().st_size
        return Stats(
            path=str(self.path),
            schema_version=self.schema_version,
            papers=count("papers"),
            hubs=count("hubs"),
            citations=count("citations"),
            contexts=count("contexts"),
            claims=count("claims"),
            labels=count("labels"),
            imports=count("imports"),
            size_bytes=size,
        )
