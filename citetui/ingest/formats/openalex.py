"""Importing OpenAlex works: one work, ``{meta, results}`` pages, snapshot JSON Lines (or .gz).

Each work becomes a paper (abstract rebuilt from ``abstract_inverted_index``,
authors in authorship order) and each of its ``referenced_works`` a citation
edge to that work. The hub is ``--hub W...`` or, in a page of at least
:data:`AUTO_HUB_MIN_WORKS` works, every work that all of the page's works cite
(the page of a ``filter=cites:W...`` query). The fetcher writes the works it
fetches through :func:`write_works`, the same mapping.
"""

from __future__ import annotations

import itertools
import re
from collections import Counter
from collections.abc import Iterable, Iterator
from pathlib import Path
from typing import Any

from citetui.core.models import CiteRecord, PaperRecord
from citetui.ingest.errors import InputError
from citetui.ingest.fields import Fields, as_list, as_obj, paper_ref, read_document_or_lines
from citetui.ingest.formats.s2 import line_records, not_a_record
from citetui.ingest.reader import Mapped
from citetui.store.prepared import ahead
from citetui.store.write import Writer

FORMAT = "openalex"
SOURCE = "openalex"
AUTO_HUB_MIN_WORKS = 3
# The most referenced works write_works keeps a citation of, to give each the same one:
# 20,000 took 7.6 MB (tracemalloc), and a batch names no more works than that.
REFS_KEPT = 20_000
MAX_ABSTRACT_POSITION = 100_000  # an inverted index pointing further is not an abstract

_WORK_ID = re.compile(r'(?<!\\)"id"\s*:\s*"https://openalex\.org/W\d+"')
_KEYS = re.compile(r'(?<!\\)"(abstract_inverted_index|referenced_works|authorships)"\s*:')
# A list page with no works (the last page a cursor loop saved): only its ``meta`` says
# OpenAlex (``db_response_time_ms`` is in every page's).
_EMPTY_PAGE = re.compile(r'(?<!\\)"results"\s*:\s*\[\s*\]')
_META = re.compile(r'(?<!\\)"(db_response_time_ms|next_cursor|groups_count)"\s*:')
_ARXIV_URL = re.compile(r"arxiv\.org/(?:abs|pdf)/([^\s?#]+?)(?:\.pdf)?(?:[?#].*)?$", re.IGNORECASE)
# (the API's own URL of a work, api.openalex.org/works/W..., names it too)
_ID = re.compile(r"(?:https?://(?:api\.)?openalex\.org/(?:works/)?)?(W\d+)", re.IGNORECASE)
_PREFIX = "https://openalex.org/"


def detect(head: str) -> bool:
    """Whether the start of a file looks like OpenAlex works."""
    return bool(
        _WORK_ID.search(head)
        or _KEYS.search(head)
        or (_EMPTY_PAGE.search(head) and _META.search(head))
    )


def abstract_from_index(index: Any, f: Fields) -> str | None:
    """The abstract text an ``abstract_inverted_index`` {word: [positions]} encodes."""
    index = f.obj(index, "abstract_inverted_index")
    if not index:
        return None
    placed: dict[int, str] = {}
    for word, positions in index.items():
        for pos in f.list(positions, f"abstract_inverted_index.{word}"):
            if (
                not isinstance(pos, int)
                or isinstance(pos, bool)
                or not 0 <= pos <= MAX_ABSTRACT_POSITION
            ):
                raise f.fail(
                    f"abstract_inverted_index.{word}",
                    f"expected word positions (0..{MAX_ABSTRACT_POSITION}), got {pos!r}"[:200],
                )
            placed[pos] = word
    text = " ".join(placed[p] for p in sorted(placed))
    return f.str(text, "abstract_inverted_index")


def _arxiv_id(work: dict[str, Any], f: Fields) -> str | None:
    for i, loc in enumerate(f.list(work.get("locations"), "locations")):
        loc = f.obj(loc, f"locations[{i}]") or {}
        for key in ("landing_page_url", "pdf_url"):
            url = f.str(loc.get(key), f"locations[{i}].{key}")
            m = _ARXIV_URL.search(url or "")
            if m:
                return m.group(1)
    return None


def _venue(work: dict[str, Any], f: Fields) -> str | None:
    loc = f.obj(work.get("primary_location"), "primary_location") or {}
    source = f.obj(loc.get("source"), "primary_location.source") or {}
    venue = f.str(source.get("display_name"), "primary_location.source.display_name")
    if venue is None:  # the 2023 snapshot schema
        host = f.obj(work.get("host_venue"), "host_venue") or {}
        venue = f.str(host.get("display_name"), "host_venue.display_name")
    return venue


def work_id(value: Any, f: Fields, field: str) -> str:
    """'https://openalex.org/W123' -> 'W123' (an InputError when it is no work id)."""
    text = f.str(value, field)
    m = _ID.fullmatch((text or "").strip())
    if not m:
        raise f.fail(
            field, f"expected an OpenAlex work id (https://openalex.org/W...), got {value!r}"[:200]
        )
    return m.group(1).upper()


def work_from_record(raw: Any, f: Fields) -> tuple[PaperRecord, list[str]]:
    """An OpenAlex work as (PaperRecord, referenced work ids); a line the reader process
    mapped already (:mod:`citetui.ingest.reader`) as it mapped it."""
    if type(raw) is Mapped:
        return raw.value
    return fast_work(raw) or checked_work(raw, f)


def checked_work(raw: Any, f: Fields) -> tuple[PaperRecord, list[str]]:
    """:func:`work_from_record` field by field, naming the bad field (:func:`fast_work` gives
    the same for a work of plain values)."""
    work = f.obj(raw, None)
    if work is None:
        raise f.fail(None, "expected a work object, got null")
    wid = work_id(work.get("id"), f, "id")
    ids = f.obj(work.get("ids"), "ids") or {}
    authors = []
    for i, a in enumerate(f.list(work.get("authorships"), "authorships")):
        a = f.obj(a, f"authorships[{i}]") or {}
        author = f.obj(a.get("author"), f"authorships[{i}].author") or {}
        name = f.str(author.get("display_name"), f"authorships[{i}].author.display_name") or f.str(
            a.get("raw_author_name"), f"authorships[{i}].raw_author_name"
        )
        if name:
            authors.append(name)
    paper = PaperRecord(
        title=f.str(work.get("title"), "title") or f.str(work.get("display_name"), "display_name"),
        year=f.int(work.get("publication_year"), "publication_year"),
        venue=_venue(work, f),
        abstract=abstract_from_index(work.get("abstract_inverted_index"), f),
        citation_count=f.int(work.get("cited_by_count"), "cited_by_count", (0, 2**63 - 1)),
        doi=f.str(work.get("doi"), "doi") or f.str(ids.get("doi"), "ids.doi"),
        arxiv=_arxiv_id(work, f),
        openalex_id=wid,
        authors=authors,
    )
    refs = []
    for i, ref in enumerate(f.list(work.get("referenced_works"), "referenced_works")):
        rid = work_id(ref, f, f"referenced_works[{i}]")
        if rid != wid and rid not in refs:
            refs.append(rid)
    return paper, refs


def _text(v: Any) -> str | None:
    if v is None:
        return None
    if type(v) is not str:
        raise TypeError
    return v if v and not v.isspace() else None


def _wid(v: Any) -> str:
    """A work id in its canonical URL form, as 'W123' (TypeError: let the checked path say)."""
    if type(v) is not str or not v.startswith(_PREFIX) or not v[22:].isdigit() or v[21] != "W":
        raise TypeError
    return v[21:]


def fast_work(raw: Any) -> tuple[PaperRecord, list[str]] | None:
    """:func:`work_from_record` of a work whose fields have plain types and values (None:
    anything else, for the checked path to accept or refuse)."""
    if type(raw) is not dict:
        return None
    get = raw.get
    try:
        wid = _wid(get("id"))
        ids = as_obj(get("ids"))
        authors = []
        for a in as_list(get("authorships")):
            author = as_obj(a.get("author"))
            name = _text(author.get("display_name")) or _text(a.get("raw_author_name"))
            if name:
                authors.append(name)
        year, count = get("publication_year"), get("cited_by_count")
        if year is not None and (type(year) is not int or abs(year) > 2**62):
            return None
        if count is not None and (type(count) is not int or not 0 <= count <= 2**62):
            return None
        loc = as_obj(get("primary_location"))
        venue = _text(as_obj(loc.get("source")).get("display_name"))
        if venue is None:
            venue = _text((as_obj(get("host_venue"))).get("display_name"))
        abstract = None
        index = as_obj(get("abstract_inverted_index"))
        if index:
            placed: dict[int, str] = {}
            for word, positions in index.items():
                for pos in as_list(positions):
                    if type(pos) is not int or not 0 <= pos <= MAX_ABSTRACT_POSITION:
                        return None
                    placed[pos] = word
            abstract = _text(" ".join(placed[p] for p in sorted(placed)))
        arxiv = None
        for loc in as_list(get("locations")):
            if loc is None:
                continue
            for key in ("landing_page_url", "pdf_url"):
                url = _text(loc.get(key))
                if url and "arxiv.org/" in url.lower():
                    m = _ARXIV_URL.search(url)
                    if m:
                        arxiv = m.group(1)
                        break
            if arxiv:
                break
        refs: list[str] = []
        seen = {wid}
        for ref in as_list(get("referenced_works")):
            rid = _wid(ref)
            if rid not in seen:
                seen.add(rid)
                refs.append(rid)
        paper = PaperRecord(
            _text(get("title")) or _text(get("display_name")),
            year,
            venue,
            abstract,
            None,
            None,
            None,
            count,
            _text(get("doi")) or _text(ids.get("doi")),
            arxiv,
            None,
            None,
            wid,
            authors,
        )
    except (TypeError, AttributeError):
        return None
    for key in ("authorships", "locations", "referenced_works"):
        if type(get(key) or []) is not list:
            return None
    return ahead(paper), refs


# The fast path of JSON Lines: citetui.ingest.import_files reads an import's files ahead
# with it, in one process (citetui.ingest.reader).
LINES_FAST = fast_work


def write_works(
    writer: Writer,
    works: Iterable[tuple[Any, Fields]],
    *,
    hub: PaperRecord | int | None = None,
    auto_hub: bool = False,
) -> int:
    """Write OpenAlex works (bad ones go to ``writer.bad_record``); with ``hub``, each also
    cites it (it was listed under cites:W even when its ``referenced_works`` is
    incomplete); with ``auto_hub``, the works all of them cite are hubs. How many works."""
    writer.source = SOURCE
    bulk = writer.bulk
    hub_id = writer.upsert_paper(hub) if isinstance(hub, PaperRecord) else hub
    cited_by_all: Counter[str] | None = Counter() if auto_hub else None
    own: set[str] = set()
    works_read = 0
    # The citation of each referenced work, made once: most works are referenced by many
    # (records are not changed once made). Emptied when it holds REFS_KEPT of them.
    made: dict[str, CiteRecord] = {}

    def make(rid: str) -> CiteRecord:
        if len(made) >= REFS_KEPT:
            made.clear()
        made[rid] = c = CiteRecord(PaperRecord(openalex_id=rid), source=SOURCE)
        return c

    for raw, f in works:
        try:
            paper, refs = work_from_record(raw, f)
        except InputError as exc:
            writer.bad_record(exc)
            continue
        cites = [made.get(rid) or make(rid) for rid in refs]
        if hub_id is not None:
            cites.append(CiteRecord(hub_id, source=SOURCE))
        bulk.add(paper, cites=cites)
        works_read += 1
        if cited_by_all is not None:
            own.add(paper.openalex_id or "")
            cited_by_all.update(refs)
    bulk.flush()
    if cited_by_all is not None and works_read >= AUTO_HUB_MIN_WORKS:
        for rid, n in cited_by_all.items():
            if n == works_read and rid not in own:  # the work every work of the page cites
                writer.mark_hub(writer.upsert_paper(PaperRecord(openalex_id=rid)))
    return works_read


def _is_page(raw: Any) -> bool:
    return type(raw) is dict and type(raw.get("results")) is list and "id" not in raw


def _page_works(page: dict[str, Any], f: Fields) -> Iterator[tuple[Any, Fields]]:
    """The works of a ``{meta, results}`` page that is one line of JSON Lines."""
    for i, work in enumerate(page["results"]):
        yield work, Fields(f.path, f"results[{i}]", line=f.line)


def _records(doc: Any, path: str) -> tuple[Iterator[tuple[Any, Fields]], bool]:
    """(records, is_page)."""
    if isinstance(doc, dict) and isinstance(doc.get("results"), list):
        return ((raw, Fields(path, f"results[{i}]")) for i, raw in enumerate(doc["results"])), True
    if isinstance(doc, list):
        return ((raw, Fields(path, f"[{i}]")) for i, raw in enumerate(doc)), True
    if isinstance(doc, dict) and "id" in doc:
        return iter([(doc, Fields(path, "work"))]), False
    raise not_a_record(
        doc, path, "an OpenAlex record", "a work, a {meta, results} page or works as JSON Lines"
    )


def load(
    path: Path, writer: Writer, hub: str | None = None, hubs: Iterable[str] | None = None, **_: Any
) -> None:
    """Import one OpenAlex file (work, page or JSON Lines) through ``writer``."""
    path = Path(path)
    if hubs:
        raise InputError(
            str(path),
            "--hubs slices the Semantic Scholar bulk datasets; for this file use --hub W...",
        )
    writer.source = SOURCE
    hub_ref = paper_ref(hub) if hub else None
    doc, lines = read_document_or_lines(path, fast_work)
    if lines is None:
        records, is_page = _records(doc, str(path))
        write_works(writer, records, auto_hub=is_page)
    else:
        numbered = line_records(lines, str(path), writer.bad_record)
        first = next(numbered, None)
        records = itertools.chain([first] if first is not None else [], numbered)
        if first is not None and _is_page(first[0]):
            # JSON Lines of whole pages, as a paging loop saves them: each line is a page
            for raw, f in records:
                if _is_page(raw):
                    write_works(writer, _page_works(raw, f), auto_hub=True)
                else:
                    write_works(writer, [(raw, f)])
        else:
            write_works(writer, records)
    if hub_ref is not None:
        hid = writer.upsert_paper(hub_ref)
        if hid not in writer.hub_ids:
            writer.mark_hub(hid)
