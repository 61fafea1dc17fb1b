"""Fetching a hub from OpenAlex: the work, then every work citing it (cursor paging).

1. ``GET /works/{W}``: the work, written as the hub with its references.
2. ``GET /works?filter=cites:{W}&cursor=...``, following ``meta.next_cursor``:
   each citing work is written as ``citetui import`` writes a page of works
   (:func:`citetui.ingest.formats.openalex.work_from_record`: abstract rebuilt,
   authors in order, ``referenced_works`` as edges - the hub among them).

Every page is its own transaction with its bookmark (the cursor), see
:mod:`citetui.fetch.job`. A cursor the server no longer accepts (HTTP 400 on
resume) restarts the citing works from the first page; writing a page twice
changes nothing.
"""

from __future__ import annotations

import os
import re
from collections.abc import Callable

from citetui.fetch.http import Client, FetchError, FetchUsageError, HttpError
from citetui.fetch.job import FetchReport, Job, Progress
from citetui.ingest.errors import InputError
from citetui.ingest.fields import Fields
from citetui.ingest.formats.openalex import SOURCE, work_from_record, write_works
from citetui.store import Library, Writer

NAME = "openalex"
DEFAULT_BASE_URL = "https://api.openalex.org"
ENV_BASE_URL = "CITETUI_OPENALEX_API"
ENV_MAILTO = "OPENALEX_MAILTO"
MIN_INTERVAL = 0.1  # OpenAlex allows 10 requests a second
PER_PAGE = 200  # the API's maximum
_WORK = re.compile(r"^(?:https?://(?:api\.)?openalex\.org/(?:works/)?)?(W\d+)$", re.IGNORECASE)


def base_url(option: str | None = None) -> str:
    """The API's base URL: the option, else $CITETUI_OPENALEX_API, else the public API."""
    return option or os.environ.get(ENV_BASE_URL) or DEFAULT_BASE_URL


def work_id(text: str) -> str:
    """'W2741809807' from an OpenAlex id or URL."""
    m = _WORK.match(text.strip())
    if not m:
        raise FetchUsageError(f"{text!r} is not an OpenAlex work id (W followed by digits)")
    return m.group(1).upper()


def fetch(
    lib: Library,
    ident: str,
    *,
    client: Client,
    per_page: int = PER_PAGE,
    mailto: str | None = None,
    restart: bool = False,
    report: FetchReport | None = None,
    progress: Callable[[Progress], None] | None = None,
) -> FetchReport:
    """Fetch work ``ident`` and the works citing it into the library (resuming)."""
    wid = work_id(ident)
    mailto = mailto or os.environ.get(ENV_MAILTO) or None
    job = Job(lib, NAME, f"{NAME}:{wid}", client, report, progress)
    state, hub = job.begin(restart, lambda: _fetch_work(job, wid, mailto))
    done = state.get("done", 0)
    while state["stage"] == "citing":
        job.tell("citing", done, state.get("total"))
        params = {
            "filter": f"cites:{wid}",
            "per-page": per_page,
            "cursor": state["cursor"],
            "mailto": mailto,
        }
        url = client.url("works", params)
        try:
            page = client.get("works", params)
        except HttpError as exc:
            if exc.status == 400 and state["cursor"] != "*":
                state = {**state, "cursor": "*", "done": 0}  # a stale cursor: start again
                done = 0
                continue
            raise
        if not isinstance(page, dict) or not isinstance(page.get("results"), list):
            raise FetchError(f"{url}: expected a page of works ({{meta, results}})")
        meta = page.get("meta")
        meta = meta if isinstance(meta, dict) else {}
        results = page["results"]
        done += len(results)
        total = meta.get("count") if isinstance(meta.get("count"), int) else state.get("total")
        nxt = meta.get("next_cursor")
        if isinstance(nxt, str) and nxt and results:
            new = {**state, "cursor": nxt, "done": done, "total": total}
        else:
            new = {"stage": "done", "hub": state["hub"]}

        def write(w: Writer, results: list = results, url: str = url) -> None:
            works = [(raw, Fields(url, f"results[{i}]")) for i, raw in enumerate(results)]
            write_works(w, works, hub=hub)

        job.commit(url, write, new, SOURCE)
        job.tell("citing", done, total)
        state = new
    job.tell("done", done, None)
    job.report.finished = True
    return job.report


def _fetch_work(job: Job, wid: str, mailto: str | None) -> dict:
    client = job.client
    params = {"mailto": mailto}
    url = client.url(f"works/{wid}", params)
    job.tell("paper", 0, 1)
    try:
        raw = client.get(f"works/{wid}", params)
    except HttpError as exc:
        if exc.status == 404:
            raise FetchError(f"OpenAlex has no work {wid}") from None
        raise
    try:
        paper, _ = work_from_record(raw, Fields(url, "work"))
    except InputError as exc:
        raise FetchError(f"the work record is not usable: {exc}") from None
    paper = paper.normalised()
    ids = {k: getattr(paper, k) for k in ("openalex_id", "doi") if getattr(paper, k) is not None}
    state = {"stage": "citing", "cursor": "*", "done": 0, "total": paper.citation_count, "hub": ids}

    def write(w: Writer) -> None:
        write_works(w, [(raw, Fields(url, "results[0]"))])
        w.mark_hub(w.upsert_paper(paper))

    job.commit(url, write, state, SOURCE)
    return state
