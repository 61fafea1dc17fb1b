"""Importing Semantic Scholar Graph API records: papers, /citations and /references pages.

Shapes read (as one JSON document, or JSON Lines of records or of whole pages):

- a ``/paper/{id}`` record, optionally embedding ``citations`` / ``references``
  (paper objects) and a ``tldr`` ``{model, text}``; a list of them (``/paper/batch``);
- a ``/citations`` or ``/references`` page ``{offset, next, data}``, whose edges
  carry the other paper as ``citingPaper`` or ``citedPaper`` with ``contexts``,
  ``intents``, ``contextsWithIntent`` and ``isInfluential``; one such edge record.

A page does not name the paper whose citations or references it lists (its
*focal* paper): it comes from ``--hub`` (for ``/citations``) or from the file
name (``citations_CorpusID14514057_page3.json``, ``references_<paperId>.json``).
:func:`write_page` is the entry point for code that already holds a page (the
fetcher). Every record is mapped onto the store's one writer
(:class:`~citetui.store.bulk.BulkWriter`): a paper and its citations.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable, Iterator
from pathlib import Path
from typing import Any, NamedTuple

from citetui.core.models import CiteRecord, PaperRecord
from citetui.ingest.errors import InputError
from citetui.ingest.fields import (
    INT_RANGE,
    Fields,
    as_list,
    kind_of,
    paper_ref,
    read_document_or_lines,
)
from citetui.ingest.reader import DocumentsAhead, Mapped
from citetui.store.prepared import ahead
from citetui.store.write import Writer

FORMAT = "s2"
SOURCE = "semantic-scholar"
# Semantic Scholar citation intents -> citetui roles. Any other intent string is kept as "unknown".
INTENT_ROLES = {"background": "background", "methodology": "method", "result": "comparison"}

_KEY = r'(?<!\\)"{}"\s*:'
_S2_KEYS = [
    re.compile(_KEY.format(k))
    for k in ("paperId", "citingPaper", "citedPaper", "contextsWithIntent", "externalIds")
]
_CASSETTE = re.compile(r"^\s*interactions:\s*$", re.MULTILINE)
# A page with no records (the last page a paging loop saved, a search that found nothing):
# nothing in it names a paper, but its paging keys are the Graph API's.
_EMPTY_PAGE = re.compile(r'(?<!\\)"data"\s*:\s*\[\s*\]')
_PAGING = re.compile(r'(?<!\\)"(offset|next|total|token)"\s*:')
_OPENALEX_WORK = re.compile(r'(?<!\\)"id"\s*:\s*"https://openalex\.org/W\d+"')
_FOCAL_NAME = re.compile(
    r"(?:^|[^a-z])(citations|references)[_\-.]+(?:corpus_?id[:_\-]?(\d+)|([0-9a-f]{40})(?![0-9a-f]))",
    re.IGNORECASE,
)
_LO, _HI = INT_RANGE


def detect(head: str) -> bool:
    """Whether the start of a file looks like Semantic Scholar Graph API output."""
    if _CASSETTE.search(head) and "semanticscholar.org" in head:
        return True  # a recorded HTTP cassette: load() explains what to do with it
    if _OPENALEX_WORK.search(head):
        return False  # an OpenAlex work (whose abstract index may hold any word as a key)
    if any(k.search(head) for k in _S2_KEYS):
        return True
    return bool(_EMPTY_PAGE.search(head) and _PAGING.search(head))


# -- records -> PaperRecord / Edge ---------------------------------------------------


def author_names(values: Any, f: Fields) -> list[str]:
    """The names of an ``authors`` list (objects with a ``name``, or strings), in order."""
    names = []
    for i, a in enumerate(f.list(values, "authors")):
        name = f.str(a.get("name") if isinstance(a, dict) else a, f"authors[{i}].name")
        if name:
            names.append(name)
    return names


def year_of(year: int | None, date: str | None) -> int | None:
    """The year, else the year of the publication date."""
    if year is None and date and date[:4].isdigit():
        return int(date[:4])
    return year


def paper_from_record(raw: Any, f: Fields) -> PaperRecord:
    """A Semantic Scholar paper object as a PaperRecord (raises InputError naming the bad
    field). :func:`fast_paper` gives the same for a record of plain values, faster."""
    raw = f.obj(raw, None)
    if raw is None:
        raise f.fail(None, "expected a paper object, got null")
    ext = f.obj(raw.get("externalIds"), "externalIds") or {}
    corpus = f.int(raw.get("corpusId"), "corpusId")
    if corpus is None:
        corpus = f.int(ext.get("CorpusId"), "externalIds.CorpusId")
    year = year_of(
        f.int(raw.get("year"), "year"), f.str(raw.get("publicationDate"), "publicationDate")
    )
    venue = f.str(raw.get("venue"), "venue")
    if venue is None:
        pv = f.obj(raw.get("publicationVenue"), "publicationVenue") or {}
        venue = f.str(pv.get("name"), "publicationVenue.name")
    if venue is None:
        journal = f.obj(raw.get("journal"), "journal") or {}
        venue = f.str(journal.get("name"), "journal.name")
    tldr = f.obj(raw.get("tldr"), "tldr") or {}
    summary = f.str(tldr.get("text"), "tldr.text")
    paper = PaperRecord(
        title=f.str(raw.get("title"), "title"),
        year=year,
        venue=venue,
        abstract=f.str(raw.get("abstract"), "abstract"),
        summary=summary,
        summary_source=f.str(tldr.get("model"), "tldr.model") if summary else None,
        url=f.str(raw.get("url"), "url"),
        citation_count=f.int(raw.get("citationCount"), "citationCount", (0, _HI)),
        doi=f.str(ext.get("DOI"), "externalIds.DOI"),
        arxiv=f.str(ext.get("ArXiv"), "externalIds.ArXiv"),
        s2_id=f.str(raw.get("paperId"), "paperId"),
        corpus_id=corpus,
        authors=author_names(raw.get("authors"), f),
    )
    if not (paper.title or paper.normalised().has_ids()):
        raise f.fail(
            None, "a paper needs a title or an identifier (paperId, corpusId, externalIds)"
        )
    return paper


def _text(v: Any) -> str | None:
    """A string field of the fast paths: None stays None; blank reads as None (raises
    TypeError for any other type: the checked path then names the field)."""
    if v is None:
        return None
    if type(v) is not str:
        raise TypeError
    return v if v and not v.isspace() else None


def fast_paper(raw: Any) -> PaperRecord | None:
    """:func:`paper_from_record` of a record whose fields all have plain types and values
    (None: anything else, for the checked path to accept or refuse)."""
    if type(raw) is not dict or type(raw.get("authors") or []) is not list:
        return None
    get = raw.get
    try:
        title, venue, date = _text(get("title")), _text(get("venue")), _text(get("publicationDate"))
        ext, year, corpus = get("externalIds"), get("year"), get("corpusId")
        if ext is None:
            ext = {}
        elif type(ext) is not dict:
            return None
        if corpus is None:
            corpus = ext.get("CorpusId")
        count = get("citationCount")
        for n, lo in ((year, _LO), (corpus, _LO), (count, 0)):
            if n is not None and (type(n) is not int or not lo <= n <= _HI):
                return None
        if venue is None:
            for holder in ("publicationVenue", "journal"):
                obj = get(holder)
                if obj is not None:
                    if type(obj) is not dict:
                        return None
                    venue = _text(obj.get("name"))
                    if venue is not None:
                        break
        tldr = get("tldr")
        summary = source = None
        if tldr is not None:
            if type(tldr) is not dict:
                return None
            summary = _text(tldr.get("text"))
            source = _text(tldr.get("model")) if summary else None
        authors = []
        for a in as_list(get("authors")):
            name = _text(a.get("name") if type(a) is dict else a)
            if name:
                authors.append(name)
        paper = PaperRecord(
            title,
            year_of(year, date),
            venue,
            _text(get("abstract")),
            summary,
            source,
            _text(get("url")),
            count,
            _text(ext.get("DOI")),
            _text(ext.get("ArXiv")),
            _text(get("paperId")),
            corpus,
            None,
            authors,
        )
    except (TypeError, AttributeError):
        return None
    normal = paper.normalised()
    if not (title or normal.has_ids()):
        return None
    return ahead(normal)  # (normalised once: the reader's prepare, the writer, take it as is)


def roles_from_intents(values: Any, f: Fields, field_name: str) -> list[str]:
    """Intent strings mapped to roles (background, method, comparison; others 'unknown')."""
    roles = []
    for i, intent in enumerate(f.list(values, field_name)):
        if not isinstance(intent, str):
            raise f.fail(f"{field_name}[{i}]", f"expected an intent string, got {kind_of(intent)}")
        if intent.strip():
            role = INTENT_ROLES.get(intent.strip().lower(), "unknown")
            if role not in roles:
                roles.append(role)
    return roles


class Edge(NamedTuple):
    """One citation edge as read; ``citing`` or ``cited`` is None when it is the focal paper."""

    citing: PaperRecord | None
    cited: PaperRecord | None
    roles: list[str]
    influential: bool | None
    contexts: list[tuple[str, list[str]]]

    @property
    def kind(self) -> str:
        """'citations' (names the citing paper), 'references' (the cited one) or 'complete'."""
        if self.citing is not None and self.cited is not None:
            return "complete"
        return "citations" if self.citing is not None else "references"


def is_edge(raw: Any) -> bool:
    """Whether a record is a /citations or /references edge (not a paper object)."""
    return isinstance(raw, dict) and ("citingPaper" in raw or "citedPaper" in raw)


def _names_nothing(paper: Any) -> bool:
    """Whether a paper object is one Semantic Scholar could not resolve: null, or no id and
    no title (``{"paperId": null}``: a reference it did not match, as a page fetched
    with edge fields only gives it). Anything else, malformed included, is checked."""
    if paper is None:
        return True
    if type(paper) is not dict:
        return False
    ext = paper.get("externalIds")
    if ext is not None and (type(ext) is not dict or any(ext.values())):
        return False
    return not any(paper.get(k) for k in ("paperId", "corpusId", "title"))


def unresolved(raw: Any) -> bool:
    """Whether an edge's other paper is one Semantic Scholar could not resolve: the edge
    cannot be imported, and is counted instead (as the bulk datasets' citations with no
    cited corpus id are)."""
    if type(raw) is not dict:
        return False
    sides = [raw[k] for k in ("citingPaper", "citedPaper") if k in raw]
    return bool(sides) and any(_names_nothing(p) for p in sides)


def edge_from_record(raw: Any, f: Fields) -> Edge:
    """A /citations or /references edge record as an Edge (raises InputError on bad fields)."""
    return fast_edge(raw) or checked_edge(raw, f)


def checked_edge(raw: Any, f: Fields) -> Edge:
    """:func:`edge_from_record` field by field, naming the bad field (the fast path is
    :func:`fast_edge`, which gives the same Edge for an edge of plain values)."""
    raw = f.obj(raw, None)
    citing = (
        paper_from_record(raw["citingPaper"], f.at("citingPaper"))
        if raw.get("citingPaper") is not None
        else None
    )
    cited = (
        paper_from_record(raw["citedPaper"], f.at("citedPaper"))
        if raw.get("citedPaper") is not None
        else None
    )
    if citing is None and cited is None:
        raise f.fail(
            "citingPaper" if "citingPaper" in raw else "citedPaper",
            "the edge names no paper (null)",
        )
    roles = roles_from_intents(raw.get("intents"), f, "intents")
    contexts: list[tuple[str, list[str]]] = []
    seen: set[str] = set()
    for i, c in enumerate(f.list(raw.get("contextsWithIntent"), "contextsWithIntent")):
        c = f.obj(c, f"contextsWithIntent[{i}]") or {}
        text = f.str(c.get("context"), f"contextsWithIntent[{i}].context")
        croles = roles_from_intents(c.get("intents"), f, f"contextsWithIntent[{i}].intents")
        if text and text not in seen:
            seen.add(text)
            contexts.append((text, croles))
        for r in croles:
            if r not in roles:
                roles.append(r)
    for text in f.strings(raw.get("contexts"), "contexts"):
        if text not in seen:
            seen.add(text)
            contexts.append((text, []))
    return Edge(citing, cited, roles, f.bool(raw.get("isInfluential"), "isInfluential"), contexts)


def _roles(intents: Any) -> list[str]:
    roles: list[str] = []
    for intent in intents:
        if type(intent) is not str:
            raise TypeError
        if intent and not intent.isspace():
            role = INTENT_ROLES.get(intent.strip().lower(), "unknown")
            if role not in roles:
                roles.append(role)
    return roles


class PaperWithCites(NamedTuple):
    """A /paper record as the fast path maps it: the paper, the papers it embeds as citing
    it and as cited by it, and whether it embeds its citations (it is their hub then)."""

    paper: PaperRecord
    citations: list[PaperRecord]
    references: list[PaperRecord]
    embeds: bool


def fast_paper_record(raw: Any) -> PaperWithCites | None:
    """:meth:`_Run.paper`'s reading of a /paper record whose paper and embedded papers all
    have plain values (None: anything else, for the checked path to take or report)."""
    if type(raw) is not dict:
        return None
    paper = fast_paper(raw)
    if paper is None:
        return None
    nested: list[list[PaperRecord]] = []
    for key in ("citations", "references"):
        items = raw.get(key)
        if items is None:
            nested.append([])
            continue
        if type(items) is not list:
            return None
        got: list[PaperRecord] = []
        for item in items:
            if is_edge(item):
                e = fast_edge(item)
                p = None if e is None else e.citing if key == "citations" else e.cited
            else:
                p = fast_paper(item)
            if p is None:
                return None
            got.append(p)
        nested.append(got)
    # (an empty list embeds nothing: a paper no one cites is not made a hub of nothing)
    return PaperWithCites(paper, nested[0], nested[1], bool(nested[0]))


def fast_line(raw: Any) -> Edge | PaperWithCites | None:
    """The fast path of a record of JSON Lines or of a document: an edge, or a /paper
    record with its embedded citations, of plain values."""
    return fast_edge(raw) if is_edge(raw) else fast_paper_record(raw)


# The fast path of the records of a JSON document and of JSON Lines: citetui.ingest.import_files
# reads an import's documents, and its JSON Lines files, ahead with it
# (citetui.ingest.reader). A thousand /citations pages are a thousand documents, each
# parsed in the writer's thread otherwise.
DOCUMENT_FAST = LINES_FAST = fast_line


def fast_edge(raw: Any) -> Edge | None:
    """:func:`edge_from_record` of an edge of plain values (None: let the checked path say)."""
    if type(raw) is not dict:
        return None
    get = raw.get
    citing = cited = None
    if get("citingPaper") is not None:
        citing = fast_paper(get("citingPaper"))
        if citing is None:
            return None
    if get("citedPaper") is not None:
        cited = fast_paper(get("citedPaper"))
        if cited is None:
            return None
    if citing is None and cited is None:
        return None
    infl = get("isInfluential")
    if infl is not None and type(infl) is not bool:
        return None
    try:
        roles = _roles(as_list(get("intents")))
        contexts: list[tuple[str, list[str]]] = []
        seen: set[str] = set()
        for c in as_list(get("contextsWithIntent")):
            if c is None:
                continue
            text = _text(c.get("context"))
            croles = _roles(as_list(c.get("intents")))
            if text and text not in seen:
                seen.add(text)
                contexts.append((text, croles))
            for r in croles:
                if r not in roles:
                    roles.append(r)
        for text in as_list(get("contexts")):
            text = _text(text)
            if text and text not in seen:
                seen.add(text)
                contexts.append((text, []))
    except (TypeError, AttributeError):
        return None
    for key in ("intents", "contextsWithIntent", "contexts"):
        if type(get(key) or []) is not list:
            return None
    return Edge(citing, cited, roles, infl, contexts)


# -- writing ----------------------------------------------------------------


class Focal:
    """The paper a page's edges hang on, written the first time an edge needs it."""

    def __init__(self, writer: Writer, paper: PaperRecord | int | None, *, hub: bool):
        self.writer, self.paper, self.hub = writer, paper, hub
        self._id: int | None = paper if isinstance(paper, int) else None

    @property
    def known(self) -> bool:
        """Whether the focal paper is known at all."""
        return self.paper is not None

    def id(self) -> int:
        """The focal paper's library id (marked as hub when it is one)."""
        if self._id is None:
            assert isinstance(self.paper, PaperRecord)
            self._id = self.writer.upsert_paper(self.paper)
        if self.hub and self._id not in self.writer.hub_ids:
            self.writer.mark_hub(self._id)
        return self._id


def _cite(target: int | PaperRecord, edge: Edge) -> CiteRecord:
    return CiteRecord(target, edge.roles, None, edge.influential, edge.contexts, SOURCE)


def write_edge(
    writer: Writer, edge: Edge, *, citing: Focal | None = None, cited: Focal | None = None
) -> Any:
    """Queue one edge; the missing side is the focal paper. Returns the queued record."""
    bulk = writer.bulk
    if edge.citing is not None:
        target = edge.cited if edge.cited is not None else cited.id()  # type: ignore[union-attr]
        return bulk.add(edge.citing, cites=[_cite(target, edge)])
    assert edge.cited is not None
    return bulk.add(edge.cited, cited_by=[_cite(citing.id(), edge)])  # type: ignore[union-attr]


class _Run:
    """One file (or page) being written: focal papers, notes about edges left out."""

    def __init__(
        self,
        writer: Writer,
        path: str,
        *,
        hub: PaperRecord | int | None = None,
        name_focal: tuple[str, PaperRecord] | None = None,
        focal: PaperRecord | int | None = None,
        focal_kind: str | None = None,
        keep: bool = False,
        note_nulls: bool = True,
    ):
        self.writer, self.path, self.keep = writer, path, keep
        self.note_nulls = note_nulls
        self.name_focal = name_focal
        cited_focal = citing_focal = None
        if focal is not None:
            if focal_kind == "references":
                citing_focal = focal
            else:
                cited_focal = focal
        elif name_focal is not None:
            if name_focal[0] == "citations":
                cited_focal = name_focal[1]
            else:
                citing_focal = name_focal[1]
        if hub is not None and focal is None:
            cited_focal = hub  # --hub names the paper a /citations page lists the citations of
        self.cited_focal = Focal(writer, cited_focal, hub=True)
        self.citing_focal = Focal(writer, citing_focal, hub=False)
        self.unlinked: dict[str, int] = {"citations": 0, "references": 0}
        self.nulls = 0  # null records (ids /paper/batch did not know)
        self.unresolved = 0  # edges (and embedded papers) naming no paper (see unresolved())
        self.pages = 0  # pages met as records (JSON Lines of one API page a line)
        self.items: list[Any] = []  # with ``keep``: the queued records, for their ids
        self.embedded: list[Any] = []  # /paper records that embed their citations

    def edge(self, edge: Edge, f: Fields) -> None:
        """Queue an edge, or keep its paper and count the edge when its focal paper is unknown."""
        kind = edge.kind
        focal = self.cited_focal if kind == "citations" else self.citing_focal
        if kind != "complete" and not focal.known:
            if self.name_focal and self.name_focal[0] != kind:
                side = "citingPaper" if kind == "citations" else "citedPaper"
                raise InputError(
                    self.path,
                    f"the file name says /{self.name_focal[0]} but this "
                    f"is a /{kind} edge (it has {side})",
                    record=f.record,
                    line=f.line,
                )
            self.unlinked[kind] += 1
            item = self.writer.bulk.add(edge.citing or edge.cited)
        else:
            item = write_edge(self.writer, edge, citing=self.citing_focal, cited=self.cited_focal)
        if self.keep:
            self.items.append(item)

    def paper(self, raw: dict[str, Any], f: Fields) -> None:
        """A /paper record with its embedded citations and references."""
        paper = fast_paper(raw) or paper_from_record(raw, f)
        nested: dict[str, list[PaperRecord]] = {"citations": [], "references": []}
        for key in ("citations", "references"):
            for i, item in enumerate(f.list(raw.get(key), key)):
                fi = f.at(f"{key}[{i}]")
                if unresolved(item) if is_edge(item) else _names_nothing(item):
                    self.unresolved += 1
                    continue
                try:
                    if is_edge(item):
                        e = edge_from_record(item, fi)
                        p = e.citing if key == "citations" else e.cited
                        if p is None:
                            raise fi.fail(None, "the edge names no paper")
                    else:
                        p = fast_paper(item) or paper_from_record(item, fi)
                except InputError as exc:
                    self.writer.bad_record(exc)
                    continue
                nested[key].append(p)
        embeds = bool(nested["citations"])  # (none: a paper no one cites is no hub)
        self.queue_paper(paper, nested["citations"], nested["references"], embeds)

    def queue_paper(
        self,
        paper: PaperRecord,
        citations: list[PaperRecord],
        references: list[PaperRecord],
        embeds: bool,
    ) -> None:
        """Queue a /paper record's paper with the papers it embeds as citing it and as cited
        by it (``embeds``: its own citations, whose hub it is)."""
        item = self.writer.bulk.add(
            paper,
            cited_by=[CiteRecord(p, source=SOURCE) for p in citations],
            cites=[CiteRecord(p, source=SOURCE) for p in references],
            hub=(None, None) if embeds else None,  # the record that embeds its citations
        )
        if embeds:
            self.embedded.append(item)
        if self.keep:
            self.items.append(item)

    def item(self, raw: Any, f: Fields) -> None:
        """One record of a page, list or JSON Lines file: an edge or a paper (bad: reported)."""
        if type(raw) is Mapped:  # mapped by the fast path (in citetui.ingest.reader)
            value = raw.value
            if type(value) is PaperWithCites:
                self.queue_paper(*value)
            else:
                self.edge(value, f)
            return
        if raw is None:
            self.nulls += 1  # /paper/batch answers null for ids it does not know
            return
        if _is_page(raw):  # JSON Lines of whole pages, as a paging loop saves them
            self.pages += 1
            for i, one in enumerate(raw["data"]):
                self.item(one, Fields(f.path, f"data[{i}]", line=f.line))
            return
        if unresolved(raw):
            self.unresolved += 1
            return
        try:
            if is_edge(raw):
                edge = edge_from_record(raw, f)
            elif isinstance(raw, dict):
                self.paper(raw, f)
                return
            else:
                raise f.fail(None, f"expected an edge or paper object, got {kind_of(raw)}")
        except InputError as exc:
            self.writer.bad_record(exc)
            return
        self.edge(edge, f)

    def finish(self) -> list[int]:
        """Write what is queued; note the edges left out; the ids of the kept records."""
        self.writer.bulk.flush()
        skipped = self.writer.skipped
        if self.unresolved:
            n = self.unresolved
            skipped.append(
                f"{self.path}: {n} citation{'s' if n != 1 else ''} whose other paper Semantic "
                "Scholar did not resolve (no id, no title) not imported"
            )
        if self.nulls and self.note_nulls:
            n = self.nulls
            skipped.append(
                f"{self.path}: {n} null record{'s' if n != 1 else ''} "
                "(ids the API did not know) skipped"
            )
        for kind, n in self.unlinked.items():
            if n:
                side, how = (
                    ("cited", "pass --hub ID")
                    if kind == "citations"
                    else ("citing", "name the file references_CorpusID<N>_....json")
                )
                self.writer.skipped.append(
                    f"{self.path}: {n} /{kind} edge{'s' if n != 1 else ''} without the {side} "
                    f"paper: imported {'its' if n == 1 else 'their'} "
                    f"{'citing' if side == 'cited' else 'cited'} paper{'s' if n != 1 else ''} "
                    f"only ({how} to import the edges)"
                )
        return [it.pid for it in self.items]


def write_page(
    writer: Writer,
    page: dict[str, Any] | list[Any],
    *,
    focal: PaperRecord | int | None,
    kind: str = "citations",
    path: str = "<page>",
) -> list[int]:
    """Write one /citations or /references page dict; return the library ids of its papers.

    ``focal`` is the paper whose citations (``kind="citations"``: the cited paper,
    marked as hub) or references (``kind="references"``: the citing paper) the page
    lists, as a PaperRecord or a library paper id. Bad records go to ``writer.bad_record``.
    """
    writer.source = SOURCE
    f = Fields(path, "page")
    data = f.list(page.get("data") if isinstance(page, dict) else page, "data")
    # (a null in the fetcher's /paper/batch answer is a paper with nothing more to add)
    run = _Run(writer, path, focal=focal, focal_kind=kind, keep=True, note_nulls=False)
    for i, raw in enumerate(data):
        run.item(raw, Fields(path, f"data[{i}]"))
    return run.finish()


# -- files ------------------------------------------------------------------


def focal_from_filename(path: Path) -> tuple[str, PaperRecord] | None:
    """('citations'|'references', paper) when the file name names its focal paper."""
    m = _FOCAL_NAME.search(path.name)
    if not m:
        return None
    kind = m.group(1).lower()
    if m.group(2):
        return kind, PaperRecord(corpus_id=int(m.group(2)))
    return kind, PaperRecord(s2_id=m.group(3).lower())


def _records(doc: Any, path: str) -> Iterator[tuple[Any, Fields]]:
    if isinstance(doc, dict) and isinstance(doc.get("data"), list):
        for i, raw in enumerate(doc["data"]):
            yield raw, Fields(path, f"data[{i}]")
    elif isinstance(doc, list):
        for i, raw in enumerate(doc):
            yield raw, Fields(path, f"[{i}]")
    elif isinstance(doc, dict) and (is_edge(doc) or _looks_like_paper(doc)):
        yield doc, Fields(path, "document")
    else:
        raise not_a_record(
            doc,
            path,
            "a Semantic Scholar record",
            "a /paper record, a /citations or /references page or edge records",
        )


def not_a_record(doc: Any, path: str, what: str, expected: str) -> InputError:
    """The error for a document that is not what the format holds (the API's own message,
    when it sent an error instead)."""
    keys = ", ".join(list(doc)[:6]) if isinstance(doc, dict) else kind_of(doc)
    message = doc.get("message") or doc.get("error") if isinstance(doc, dict) else None
    hint = f" (the API said: {message})" if isinstance(message, str) else ""
    return InputError(path, f"not {what}: expected {expected} (found {keys}){hint}")


def _is_page(raw: Any) -> bool:
    """Whether a record is a whole API page (``{offset, next, data}``, ``{total, data}``)."""
    return type(raw) is dict and type(raw.get("data")) is list and not is_edge(raw)


def _looks_like_paper(doc: dict[str, Any]) -> bool:
    return any(k in doc for k in ("paperId", "corpusId", "externalIds", "title"))


def load(
    path: Path,
    writer: Writer,
    hub: str | None = None,
    hubs: Iterable[str] | None = None,
    focal: PaperRecord | int | None = None,
    focal_kind: str | None = None,
    documents: DocumentsAhead | None = None,
    **_: Any,
) -> None:
    """Import one Semantic Scholar file (document or JSON Lines) through ``writer``
    (``documents``: the import's pages read ahead, see :data:`DOCUMENT_FAST`)."""
    path = Path(path)
    if hubs:
        raise InputError(
            str(path),
            "--hubs slices the Semantic Scholar bulk datasets; for this file use --hub ID",
        )
    writer.source = SOURCE
    hub_ref = paper_ref(hub) if hub else None
    _check_not_cassette(path)
    name_focal = focal_from_filename(path)
    if (
        hub_ref is not None
        and name_focal is not None
        and name_focal[0] == "citations"
        and not writer.same_paper(hub_ref, name_focal[1])
    ):
        raise InputError(
            str(path),
            f"the file name says this page lists the citations of "
            f"{_id_text(name_focal[1])}, but --hub names {hub}: leave out --hub "
            "(or rename the file) to import it",
        )
    doc, lines = read_document_or_lines(path, fast_line, documents)
    run = _Run(
        writer, str(path), hub=hub_ref, name_focal=name_focal, focal=focal, focal_kind=focal_kind
    )
    records: Iterable[tuple[Any, Fields]]
    if lines is not None:
        records = line_records(lines, str(path), writer.bad_record)
    else:
        records = _records(doc, str(path))
    for raw, f in records:
        run.item(raw, f)
    run.finish()
    embedded = [it.pid for it in run.embedded]
    if hub_ref is not None:
        hid = (
            run.cited_focal.id()
            if run.cited_focal.paper is hub_ref
            else writer.upsert_paper(hub_ref)
        )
        if embedded and hid not in embedded:
            raise InputError(
                str(path),
                f"the paper record embeds its own citations, so it is "
                f"their hub, but --hub names {hub}, another paper: leave out --hub",
            )
        if hid not in writer.hub_ids:
            writer.mark_hub(hid)


def _id_text(p: PaperRecord) -> str:
    """How a paper named by one identifier is written on the command line."""
    if p.corpus_id is not None:
        return f"CorpusID:{p.corpus_id}"
    return next(
        (
            str(getattr(p, c))
            for c in ("s2_id", "doi", "arxiv", "openalex_id")
            if getattr(p, c) is not None
        ),
        "?",
    )


def line_records(
    lines: Iterator[tuple[int, Any]], path: str, bad: Callable[[Exception], None]
) -> Iterator[tuple[Any, Fields]]:
    """The records of JSON Lines with their Fields; a bad line goes to ``bad``."""
    for lineno, raw in lines:
        if isinstance(raw, InputError):
            bad(raw)
            continue
        yield raw, Fields(path, None, line=lineno)


def _check_not_cassette(path: Path) -> None:
    from citetui.ingest.jsonio import peek

    head = peek(path)
    if _CASSETTE.search(head):
        raise InputError(
            str(path),
            "a recorded HTTP cassette (VCR YAML) is not importable as is: "
            "extract each response body (a /citations page) to a .json file and "
            "import those (see docs/importers.md)",
        )
