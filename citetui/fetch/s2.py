"""Fetching a hub from the Semantic Scholar Graph API.

1. ``GET /paper/{id}``: the paper, written as the hub.
2. ``GET /paper/{id}/citations?offset=N``, following ``next`` to the end: each
   page has the citing papers' fields and the edges' ``contexts``,
   ``contextsWithIntent``, ``intents`` and ``isInfluential``; it is written by
   :func:`citetui.ingest.formats.s2.write_page`, exactly as ``citetui import`` writes
   a saved page.
3. ``POST /paper/batch?fields=tldr`` for the citing papers that have no summary
   yet, in batches: each TLDR becomes the paper's one-sentence summary.

Every page and batch is its own transaction with its bookmark (see
:mod:`citetui.fetch.job`).
"""

from __future__ import annotations

import os
from collections.abc import Callable
from urllib.parse import quote

from citetui.core.models import PaperRecord
from citetui.fetch.http import Client, FetchError, FetchUsageError, HttpError
from citetui.fetch.job import FetchReport, Job, Progress
from citetui.ingest.errors import InputError
from citetui.ingest.fields import Fields, paper_ref
from citetui.ingest.formats.s2 import SOURCE, paper_from_record, write_page
from citetui.store import Library, Writer

NAME = "s2"
DEFAULT_BASE_URL = "https://api.semanticscholar.org/graph/v1"
ENV_BASE_URL = "CITETUI_S2_API"
ENV_API_KEY = "S2_API_KEY"
MIN_INTERVAL = 1.0  # seconds between requests: Semantic Scholar's rate for a key
_PAPER = (
    "paperId,corpusId,externalIds,url,title,abstract,venue,publicationVenue,journal,year,"
    "publicationDate,authors,citationCount"
)
PAPER_FIELDS = _PAPER + ",tldr"
CITATION_FIELDS = "contexts,contextsWithIntent,intents,isInfluential," + _PAPER
TLDR_FIELDS = "tldr"
PAGE_SIZE = 500  # the API allows up to 1000 citations a page
BATCH_SIZE = 500  # the API allows up to 500 ids a batch
# /citations lists at most 9,999 citing papers (offset + limit <= 9,999); beyond that only
# the bulk datasets have them (https://github.com/allenai/s2-folks/issues/27).
CITATIONS_CAP = 9_999
_HUB_IDS = ("s2_id", "corpus_id", "doi", "arxiv")


def base_url(option: str | None = None) -> str:
    """The API's base URL: the option, else $CITETUI_S2_API, else the public API."""
    return option or os.environ.get(ENV_BASE_URL) or DEFAULT_BASE_URL


def api_key() -> str | None:
    """The API key from $S2_API_KEY (sent as a header only), if set."""
    return os.environ.get(ENV_API_KEY) or None


def api_id(text: str) -> str:
    """The paper id in the API's spelling: a paperId, CorpusID:N, DOI:..., ARXIV:..."""
    try:
        ref = paper_ref(text)
    except InputError:
        raise FetchUsageError(
            f"{text!r} is not a Semantic Scholar paper id (use a paperId, "
            "CorpusID:N, DOI:... or ARXIV:...)"
        ) from None
    ref = ref.normalised()
    if ref.s2_id:
        return ref.s2_id
    if ref.corpus_id is not None:
        return f"CorpusID:{ref.corpus_id}"
    if ref.doi:
        return f"DOI:{ref.doi}"
    if ref.arxiv:
        return f"ARXIV:{ref.arxiv}"
    raise FetchUsageError(f"{text!r} is an OpenAlex id: use citetui fetch openalex {text}")


def fetch(
    lib: Library,
    ident: str,
    *,
    client: Client,
    page_size: int = PAGE_SIZE,
    batch_size: int = BATCH_SIZE,
    tldrs: bool = True,
    restart: bool = False,
    report: FetchReport | None = None,
    progress: Callable[[Progress], None] | None = None,
) -> FetchReport:
    """Fetch paper ``ident``, its citations and their TLDRs into the library (resuming)."""
    aid = api_id(ident)
    path = f"paper/{quote(aid, safe=':/')}"
    job = Job(lib, NAME, f"{NAME}:{aid}", client, report, progress)
    state = None if restart else job.bookmark()
    job.report.resumed = state
    if state is None:
        state = _fetch_paper(job, path, ident)
    hub = PaperRecord(**state["hub"])
    job.report.hub_id = lib.paper_by_ids(state["hub"])
    done = state.get("done", 0)
    while state["stage"] == "citations":
        offset = state["next"]
        job.tell("citations", done, state.get("total"))
        if offset >= CITATIONS_CAP:
            job.report.skipped.append(_cap_note(state, done))
            state = {"stage": "tldrs" if tldrs else "done", "after": "", "hub": state["hub"]}
            break
        params = {
            "fields": CITATION_FIELDS,
            "offset": offset,
            "limit": min(page_size, CITATIONS_CAP - offset),
        }
        url = client.url(f"{path}/citations", params)
        page = client.get(f"{path}/citations", params)
        if not isinstance(page, dict) or not isinstance(page.get("data"), list):
            raise FetchError(f"{url}: expected a page of citations ({{offset, next, data}})")
        nxt = page.get("next")
        done += len(page["data"])
        if isinstance(nxt, int) and not isinstance(nxt, bool) and nxt > offset and page["data"]:
            new = {**state, "next": nxt, "done": done}
        else:
            new = {"stage": "tldrs" if tldrs else "done", "after": "", "hub": state["hub"]}

        def write(w: Writer, page: dict = page, url: str = url) -> None:
            write_page(w, page, focal=hub, kind="citations", path=url)

        job.commit(url, write, new, SOURCE)
        job.report.hub_id = lib.paper_by_ids(state["hub"])
        job.tell("citations", done, state.get("total"))
        state = new
    if state["stage"] == "tldrs":
        state = _fetch_tldrs(job, state, batch_size)
    job.tell("done", done, None)
    job.report.finished = state["stage"] == "done"
    return job.report


def _cap_note(state: dict, done: int) -> str:
    total = state.get("total")
    more = f" of {total}" if isinstance(total, int) and total > done else ""
    corpus = state["hub"].get("corpus_id")
    how = f" --hubs {corpus}" if corpus is not None else " --hubs CORPUSID"
    return (
        f"Semantic Scholar's /citations lists at most {CITATIONS_CAP:,} citing papers: "
        f"fetched {done}{more}; for the rest import its bulk datasets (citetui import "
        f"papers*.jsonl.gz citations*.jsonl.gz ...{how})"
    )


def _fetch_paper(job: Job, path: str, ident: str) -> dict:
    client = job.client
    params = {"fields": PAPER_FIELDS}
    url = client.url(path, params)
    job.tell("paper", 0, 1)
    try:
        raw = client.get(path, params)
    except HttpError as exc:
        if exc.status == 404:
            raise FetchError(
                f"Semantic Scholar has no paper {ident!r} ({exc.message or '404'})"
            ) from None
        raise
    try:
        paper = paper_from_record(raw, Fields(url, "paper")).normalised()
    except InputError as exc:
        raise FetchError(f"the paper record is not usable: {exc}") from None
    ids = {k: getattr(paper, k) for k in _HUB_IDS if getattr(paper, k) is not None}
    state = {"stage": "citations", "next": 0, "done": 0, "total": paper.citation_count, "hub": ids}

    def write(w: Writer) -> None:
        w.source = SOURCE
        w.mark_hub(w.upsert_paper(paper))

    job.commit(url, write, state, SOURCE)
    return state


def _fetch_tldrs(job: Job, state: dict, batch_size: int) -> dict:
    lib, client = job.lib, job.client
    hub_id = lib.paper_by_ids(state["hub"])
    if hub_id is None:
        raise FetchError("the hub paper is no longer in the library; run again with --restart")
    total = lib.count_citing_s2_ids_without_summary(hub_id, state["after"])
    done = 0
    while True:
        ids = lib.citing_s2_ids_without_summary(hub_id, state["after"], batch_size)
        params = {"fields": TLDR_FIELDS}
        url = client.url("paper/batch", params)
        if not ids:
            new = {"stage": "done", "hub": state["hub"]}
            job.commit(url, lambda w: None, new, SOURCE, page=False)  # says: finished
            return new
        job.tell("tldrs", done, total)
        answer = client.post("paper/batch", params, {"ids": ids})
        if not isinstance(answer, list) or len(answer) != len(ids):
            raise FetchError(f"{url}: expected a list of {len(ids)} papers")
        new = {"stage": "tldrs", "after": ids[-1], "hub": state["hub"]}

        def write(w: Writer, answer: list = answer, url: str = url) -> None:
            write_page(w, answer, focal=None, kind="citations", path=url)

        job.commit(url, write, new, SOURCE)
        done += len(ids)
        job.tell("tldrs", done, total)
        state = new
