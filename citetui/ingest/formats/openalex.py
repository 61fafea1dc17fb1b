"""Importing OpenAlex works: one work, ``{meta, results}`` pages, snapshot JSON Lines (or .gz).

Each work becomes a paper (abstract rebuilt from ``abstract_inverted_index``,
authors in authorship order) and each of its ``referenced_works`` a citation
edge to that work. The hub is ``--hub W...`` or, in a page of at least
:data:`AUTO_HUB_MIN_WORKS` works, every work that all of the page's works cite
(the page of a ``filter=cites:W...`` query).
"""

from __future__ import annotations

import re
from collections import Counter
from collections.abc import Iterable, Iterator
from pathlib import Path
from typing import Any

from citetui.ingest.errors import InputError
from citetui.ingest.fields import Fields, kind_of, paper_ref, read_document_or_lines
from citetui.store.write import PaperIn, Writer

FORMAT = "openalex"
SOURCE = "openalex"
AUTO_HUB_MIN_WORKS = 3
MAX_ABSTRACT_POSITION = 100_000  # an inverted index pointing further is not an abstract

_WORK_ID = re.compile(r'(?<!\\)"id"\s*:\s*"https://openalex\.org/W\d+"')
_KEYS = re.compile(r'(?<!\\)"(abstract_inverted_index|referenced_works|authorships)"\s*:')
_ARXIV_URL = re.compile(r"arxiv\.org/(?:abs|pdf)/([^\s?#]+?)(?:\.pdf)?(?:[?#].*)?$", re.IGNORECASE)


def detect(head: str) -> bool:
    """Whether the start of a file looks like OpenAlex works."""
    return bool(_WORK_ID.search(head) or _KEYS.search(head))


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


def _arxiv_id(work: dict, f: Fields) -> str | None:
    for i, loc in enumerate(f.list(work.get("locations"), "locations")):
        loc = f.obj(loc, f"locations[{i}]") or {}
        for key in ("landing_page_url", "pdf_url"):
            url = f.str(loc.get(key), f"locations[{i}].{key}")
            m = _ARXIV_URL.search(url or "")
            if m:
                return m.group(1)
    return None


def _venue(work: dict, f: Fields) -> str | None:
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
    m = re.fullmatch(r"(?:https?://openalex\.org/)?(W\d+)", (text or "").strip(), re.IGNORECASE)
    if not m:
        raise f.fail(
            field, f"expected an OpenAlex work id (https://openalex.org/W...), got {value!r}"[:200]
        )
    return m.group(1).upper()


def work_from_record(raw: Any, f: Fields) -> tuple[PaperIn, list[str]]:
    """An OpenAlex work as (PaperIn, referenced work ids)."""
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
    cited_by = f.int(work.get("cited_by_count"), "cited_by_count")
    if cited_by is not None and cited_by < 0:
        raise f.fail("cited_by_count", f"a citation count cannot be negative ({cited_by})")
    paper = PaperIn(
        title=f.str(work.get("title"), "title") or f.str(work.get("display_name"), "display_name"),
        year=f.int(work.get("publication_year"), "publication_year"),
        venue=_venue(work, f),
        abstract=abstract_from_index(work.get("abstract_inverted_index"), f),
        citation_count=cited_by,
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


def _records(doc: Any, path: str) -> tuple[Iterator[tuple[Any, Fields]], bool]:
    """(records, is_page)."""
    if isinstance(doc, dict) and isinstance(doc.get("results"), list):
        return ((raw, Fields(path, f"results[{i}]")) for i, raw in enumerate(doc["results"])), True
    if isinstance(doc, list):
        return ((raw, Fields(path, f"[{i}]")) for i, raw in enumerate(doc)), True
    if isinstance(doc, dict) and "id" in doc:
        return iter([(doc, Fields(path, "work"))]), False
    keys = ", ".join(list(doc)[:6]) if isinstance(doc, dict) else kind_of(doc)
    message = doc.get("message") or doc.get("error") if isinstance(doc, dict) else None
    hint = f" (the API said: {message})" if isinstance(message, str) else ""
    raise InputError(
        path,
        "not an OpenAlex record: expected a work, a {meta, results} page or "
        f"works as JSON Lines (found {keys}){hint}",
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
    doc, lines = read_document_or_lines(path)
    is_page = False
    if lines is not None:
        records: Iterator[tuple[Any, Fields]] = _line_records(lines, str(path), writer)
    else:
        records, is_page = _records(doc, str(path))
    works = 0
    cited_by_all: Counter[str] | None = Counter() if is_page else None
    ids: dict[str, int] = {}
    for raw, f in records:
        try:
            paper, refs = work_from_record(raw, f)
        except InputError as exc:
            writer.bad_record(exc)
            continue
        works += 1
        pid = writer.upsert_paper(paper)
        ids[paper.openalex_id] = pid  # type: ignore[index]
        for rid in refs:
            cited = writer.upsert_paper(PaperIn(openalex_id=rid))
            if cited != pid:
                writer.upsert_citation(pid, cited, source=SOURCE)
        if cited_by_all is not None:
            cited_by_all.update(refs)
    if cited_by_all is not None and works >= AUTO_HUB_MIN_WORKS:
        for rid, n in cited_by_all.items():
            if n == works and rid not in ids:  # the work every work of the page cites
                writer.mark_hub(writer.upsert_paper(PaperIn(openalex_id=rid)))
    if hub_ref is not None:
        hid = writer.upsert_paper(hub_ref)
        if hid not in writer.hub_ids:
            writer.mark_hub(hid)


def _line_records(
    lines: Iterator[tuple[int, Any]], path: str, writer: Writer
) -> Iterator[tuple[Any, Fields]]:
    for lineno, raw in lines:
        if isinstance(raw, InputError):
            writer.bad_record(raw)
            continue
        yield raw, Fields(path, None, line=lineno)
