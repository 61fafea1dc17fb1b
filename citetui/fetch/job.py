"""One fetch: pages written through the importers' code, committed one transaction each.

Each page is written by the same importer functions ``citetui import`` uses,
inside its own transaction, together with a row in the import log that says
what to fetch next (see :mod:`citetui.store.fetchlog`). So an interrupted
fetch keeps every page it finished (the hub is browsable at once) and the next
run of the same command resumes at the first page it did not finish. A page
is all or nothing, like an import.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from citetui.core.models import PaperRecord
from citetui.fetch.http import Client, FetchError
from citetui.store import Library, Writer
from citetui.store.fetchlog import FORMAT_PREFIX


@dataclass
class Progress:
    """What a fetch is doing, for a progress bar."""

    stage: str  # "paper" | "citations" | "tldrs" | "citing" | "done"
    done: int  # items (papers) of this stage so far
    total: int | None  # expected items of this stage, when the source says
    page: int  # pages committed in this run


@dataclass
class FetchReport:
    """What a fetch did; filled in as it goes, so it is meaningful after a failure too."""

    source: str
    key: str
    hub_id: int | None = None
    pages: int = 0  # pages committed in this run
    requests: int = 0
    resumed: dict[str, Any] | None = None  # the bookmark this run started from
    finished: bool = False
    added: Counter[str] = field(default_factory=Counter)
    updated: Counter[str] = field(default_factory=Counter)
    unchanged: Counter[str] = field(default_factory=Counter)
    skipped: list[str] = field(default_factory=list)

    def to_dict(self) -> dict[str, Any]:
        """A JSON-ready dict."""
        return {
            "source": self.source,
            "key": self.key,
            "hub": self.hub_id,
            "pages": self.pages,
            "requests": self.requests,
            "resumed": self.resumed,
            "finished": self.finished,
            "added": dict(self.added),
            "updated": dict(self.updated),
            "unchanged": dict(self.unchanged),
            "skipped": list(self.skipped),
        }


class Job:
    """Commits pages with their bookmarks and keeps the report."""

    def __init__(
        self,
        lib: Library,
        source: str,
        key: str,
        client: Client,
        report: FetchReport | None = None,
        progress: Callable[[Progress], None] | None = None,
    ):
        self.lib, self.source, self.key, self.client = lib, source, key, client
        self.report = report or FetchReport(source, key)
        self.report.key = key
        self.progress = progress

    def bookmark(self) -> dict[str, Any] | None:
        """Where the last run of this fetch stopped (None: never ran, or it finished)."""
        state = self.lib.fetch_state(self.source, self.key)
        if state is None or state.get("stage") == "done":
            return None
        return state

    def begin(
        self, restart: bool, start: Callable[[], dict[str, Any]]
    ) -> tuple[dict[str, Any], PaperRecord]:
        """The state to go on from (the bookmark, or ``start()`` for a new or restarted
        fetch) and the hub it fetches; the report says whether it resumed."""
        state = None if restart else self.bookmark()
        self.report.resumed = state
        if state is None:
            state = start()
        self.report.hub_id = self.lib.paper_by_ids(state["hub"])
        return state, PaperRecord(**state["hub"])

    def commit(
        self,
        url: str,
        write: Callable[[Writer], Any],
        bookmark: dict[str, Any],
        writer_source: str,
        *,
        page: bool = True,
    ) -> Any:
        """Write one page and its bookmark in one transaction; return what ``write`` returned.

        ``page=False`` for a bookmark alone (the one that says a fetch finished).
        """
        with self.lib.importing(panes_ahead=False) as session:
            # A record the importer cannot read is reported and skipped: failing would
            # stop the fetch at the same page on every resume.
            writer = session.writer(writer_source, skip_invalid=True)
            try:
                result = write(writer)
            except ValueError as exc:  # a value the store refuses (unknown label, ...)
                raise FetchError(f"{self.client.scrub(url)}: {exc}") from None
            writer.finish()
            report = {
                "source": url,
                "format": FORMAT_PREFIX + self.source,
                "added": dict(writer.added),
                "updated": dict(writer.updated),
                "unchanged": dict(writer.unchanged),
                "skipped": list(writer.skipped),
                "hubs": list(writer.hub_ids),
                "fetch": {"key": self.key, **bookmark},
            }
            session.record(
                writer, self.client.scrub(url), FORMAT_PREFIX + self.source, None, report
            )
        r = self.report
        r.pages += page
        r.added.update(writer.added)
        r.updated.update(writer.updated)
        r.unchanged.update(writer.unchanged)
        r.skipped += writer.skipped
        r.requests = self.client.requests
        return result

    def tell(self, stage: str, done: int, total: int | None) -> None:
        """Report progress."""
        self.report.requests = self.client.requests
        if self.progress:
            self.progress(Progress(stage, done, total, self.report.pages))
