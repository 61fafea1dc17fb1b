"""Importing Semantic Scholar Graph API records: papers, /citations and /references pages.

Shapes read (as one JSON document, or JSON Lines of records):

- a ``/paper/{id}`` record, optionally embedding ``citations`` / ``references``
  (paper objects) and a ``tldr`` ``{model, text}``; a list of them (``/paper/batch``);
- a ``/citations`` or ``/references`` page ``{offset, next, data}``, whose edges
  carry the other paper as ``citingPaper`` or ``citedPaper`` with ``contexts``,
  ``intents``, ``contextsWithIntent`` and ``isInfluential``; one such edge record.

A page does not name the paper whose citations or references it lists (its
*focal* paper): it comes from ``--hub`` (for ``/citations``) or from the file
name (``citations_CorpusID14514057_page3.json``, ``references_<paperId>.json``).
:func:`write_page` is the entry point for code that already holds a page (the
fetcher): it writes one page dict through a :class:`Writer`.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from citetui.ingest.errors import InputError
from citetui.ingest.fields import Fields, kind_of, paper_ref, read_document_or_lines
from citetui.store.write import PaperIn, Writer

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
_OPENALEX_WORK = re.compile(r'(?<!\\)"id"\s*:\s*"https://openalex\.org/W\d+"')
_FOCAL_NAME = re.compile(
    r"(?:^|[^a-z])(citations|references)[_\-.]+(?:corpus_?id[:_\-]?(\d+)|([0-9a-f]{40})(?![0-9a-f]))",
    re.IGNORECASE,
)


def detect(head: str) -> bool:
    """Whether the start of a file looks like Semantic Scholar Graph API output."""
    if _CASSETTE.search(head) and "semanticscholar.org" in head:
        return True  # a recorded HTTP cassette: load() explains what to do with it
    if _OPENALEX_WORK.search(head):
        return False  # an OpenAlex work (whose abstract index may hold any word as a key)
    return any(k.search(head) for k in _S2_KEYS)


# -- records -> PaperIn / Edge ------------------------------------------------


def paper_from_record(raw: Any, f: Fields) -> PaperIn:
    """A Semantic Scholar paper object as a PaperIn (raises InputError naming the bad field)."""
    raw = f.obj(raw, None)
    if raw is None:
        raise f.fail(None, "expected a paper object, got null")
    ext = f.obj(raw.get("externalIds"), "externalIds") or {}
    corpus = f.int(raw.get("corpusId"), "corpusId")
    if corpus is None:
        corpus = f.int(ext.get("CorpusId"), "externalIds.CorpusId")
    year = f.int(raw.get("year"), "year")
    date = f.str(raw.get("publicationDate"), "publicationDate")
    if year is None and date and date[:4].isdigit():
        year = int(date[:4])
    venue = f.str(raw.get("venue"), "venue")
    if venue is None:
        pv = f.obj(raw.get("publicationVenue"), "publicationVenue") or {}
        venue = f.str(pv.get("name"), "publicationVenue.name")
    if venue is None:
        journal = f.obj(raw.get("journal"), "journal") or {}
        venue = f.str(journal.get("name"), "journal.name")
    tldr = f.obj(raw.get("tldr"), "tldr") or {}
    summary = f.str(tldr.get("text"), "tldr.text")
    authors = []
    for i, a in enumerate(f.list(raw.get("authors"), "authors")):
        name = f.str(
            a.get("name") if isinstance(a, dict) else a,
            f"authors[{i}].name",
        )
        if name:
            authors.append(name)
    paper = PaperIn(
        title=f.str(raw.get("title"), "title"),
        year=year,
        venue=venue,
        abstract=f.str(raw.get("abstract"), "abstract"),
        summary=summary,
        summary_source=f.str(tldr.get("model"), "tldr.model") if summary else None,
        url=f.str(raw.get("url"), "url"),
        citation_count=f.int(raw.get("citationCount"), "citationCount"),
        doi=f.str(ext.get("DOI"), "externalIds.DOI"),
        arxiv=f.str(ext.get("ArXiv"), "externalIds.ArXiv"),
        s2_id=f.str(raw.get("paperId"), "paperId"),
        corpus_id=corpus,
        authors=authors,
    )
    if paper.citation_count is not None and paper.citation_count < 0:
        raise f.fail(
            "citationCount", f"a citation count cannot be negative ({paper.citation_count})"
        )
    if not (paper.title or paper.normalised().has_ids()):
        raise f.fail(
            None, "a paper needs a title or an identifier (paperId, corpusId, externalIds)"
        )
    return paper


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


@dataclass
class Edge:
    """One citation edge as read; ``citing`` or ``cited`` is None when it is the focal paper."""

    citing: PaperIn | None
    cited: PaperIn | None
    roles: list[str] = field(default_factory=list)
    influential: bool | None = None
    contexts: list[tuple[str, list[str]]] = field(default_factory=list)

    @property
    def kind(self) -> str:
        """'citations' (names the citing paper), 'references' (the cited one) or 'complete'."""
        if self.citing is not None and self.cited is not None:
            return "complete"
        return "citations" if self.citing is not None else "references"


def is_edge(raw: Any) -> bool:
    """Whether a record is a /citations or /references edge (not a paper object)."""
    return isinstance(raw, dict) and ("citingPaper" in raw or "citedPaper" in raw)


def edge_from_record(raw: Any, f: Fields) -> Edge:
    """A /citations or /references edge record as an Edge (raises InputError on bad fields)."""
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


# -- writing ----------------------------------------------------------------


class Focal:
    """The paper a page's edges hang on, upserted the first time an edge needs it."""

    def __init__(self, writer: Writer, paper: PaperIn | int | None, *, hub: bool):
        self.writer, self.paper, self.hub = writer, paper, hub
        self._id: int | None = paper if isinstance(paper, int) else None

    @property
    def known(self) -> bool:
        """Whether the focal paper is known at all."""
        return self.paper is not None

    def id(self) -> int:
        """The focal paper's library id (marked as hub when it is one)."""
        if self._id is None:
            assert isinstance(self.paper, PaperIn)
            self._id = self.writer.upsert_paper(self.paper)
        if self.hub and self._id not in self.writer.hub_ids:
            self.writer.mark_hub(self._id)
        return self._id


def write_edge(
    writer: Writer, edge: Edge, *, citing: Focal | None = None, cited: Focal | None = None
) -> int | None:
    """Write one edge; the missing side is the focal paper. Returns the edge's other paper."""
    citing_id = writer.upsert_paper(edge.citing) if edge.citing else citing.id()  # type: ignore[union-attr]
    cited_id = writer.upsert_paper(edge.cited) if edge.cited else cited.id()  # type: ignore[union-attr]
    if citing_id == cited_id:
        return None  # a paper listed among its own citations: not an edge
    writer.upsert_citation(
        citing_id,
        cited_id,
        roles=edge.roles,
        influential=edge.influential,
        contexts=edge.contexts,
        source=SOURCE,
    )
    return citing_id if edge.citing else cited_id


class _Run:
    """One file (or page) being written: focal papers, notes about edges left out."""

    def __init__(
        self,
        writer: Writer,
        path: str,
        *,
        hub: PaperIn | int | None = None,
        name_focal: tuple[str, PaperIn] | None = None,
        focal: PaperIn | int | None = None,
        focal_kind: str | None = None,
    ):
        self.writer, self.path = writer, path
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
        self.other_ids: list[int] = []
        self.embedded_hubs: list[int] = []  # /paper records that embed their citations

    def edge(self, edge: Edge, f: Fields) -> None:
        """Write an edge, or keep its paper and count the edge when its focal paper is unknown."""
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
            self.other_ids.append(self.writer.upsert_paper(edge.citing or edge.cited))  # type: ignore[arg-type]
            return
        other = write_edge(self.writer, edge, citing=self.citing_focal, cited=self.cited_focal)
        if other is not None:
            self.other_ids.append(other)

    def paper(self, raw: dict, f: Fields) -> int:
        """A /paper record with its embedded citations and references."""
        paper = paper_from_record(raw, f)
        nested: list[tuple[str, PaperIn]] = []
        for key in ("citations", "references"):
            for i, item in enumerate(f.list(raw.get(key), key)):
                fi = f.at(f"{key}[{i}]")
                try:
                    if is_edge(item):
                        e = edge_from_record(item, fi)
                        p = e.citing if key == "citations" else e.cited
                        if p is None:
                            raise fi.fail(None, "the edge names no paper")
                    else:
                        p = paper_from_record(item, fi)
                except InputError as exc:
                    self.writer.bad_record(exc)
                    continue
                nested.append((key, p))
        pid = self.writer.upsert_paper(paper)
        for key, p in nested:
            other = self.writer.upsert_paper(p)
            if other == pid:
                continue
            citing, cited = (other, pid) if key == "citations" else (pid, other)
            self.writer.upsert_citation(citing, cited, source=SOURCE)
        if isinstance(raw.get("citations"), list):
            self.writer.mark_hub(pid)  # the record that embeds its citations is their hub
            self.embedded_hubs.append(pid)
        return pid

    def item(self, raw: Any, f: Fields) -> None:
        """One record of a page, list or JSON Lines file: an edge or a paper (bad: reported)."""
        try:
            if raw is None and f.line is None:
                return  # /paper/batch answers null for ids it does not know
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

    def finish(self) -> None:
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


def write_page(
    writer: Writer,
    page: dict[str, Any] | list[Any],
    *,
    focal: PaperIn | int | None,
    kind: str = "citations",
    path: str = "<page>",
) -> list[int]:
    """Write one /citations or /references page dict; return the library ids of its papers.

    ``focal`` is the paper whose citations (``kind="citations"``: the cited paper,
    marked as hub) or references (``kind="references"``: the citing paper) the page
    lists, as a PaperIn or a library paper id. Bad records go to ``writer.bad_record``.
    """
    writer.source = SOURCE
    f = Fields(path, "page")
    data = f.list(page.get("data") if isinstance(page, dict) else page, "data")
    run = _Run(writer, path, focal=focal, focal_kind=kind)
    for i, raw in enumerate(data):
        run.item(raw, Fields(path, f"data[{i}]"))
    run.finish()
    return run.other_ids


# -- files ------------------------------------------------------------------


def focal_from_filename(path: Path) -> tuple[str, PaperIn] | None:
    """('citations'|'references', paper) when the file name names its focal paper."""
    m = _FOCAL_NAME.search(path.name)
    if not m:
        return None
    kind = m.group(1).lower()
    if m.group(2):
        return kind, PaperIn(corpus_id=int(m.group(2)))
    return kind, PaperIn(s2_id=m.group(3).lower())


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
        keys = ", ".join(list(doc)[:6]) if isinstance(doc, dict) else kind_of(doc)
        message = doc.get("message") or doc.get("error") if isinstance(doc, dict) else None
        hint = f" (the API said: {message})" if isinstance(message, str) else ""
        raise InputError(
            path,
            "not a Semantic Scholar record: expected a /paper record, a "
            f"/citations or /references page or edge records (found {keys}){hint}",
        )


def _looks_like_paper(doc: dict) -> bool:
    return any(k in doc for k in ("paperId", "corpusId", "externalIds", "title"))


def load(
    path: Path,
    writer: Writer,
    hub: str | None = None,
    hubs: Iterable[str] | None = None,
    focal: PaperIn | int | None = None,
    focal_kind: str | None = None,
    **_: Any,
) -> None:
    """Import one Semantic Scholar file (document or JSON Lines) through ``writer``."""
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
    doc, lines = read_document_or_lines(path)
    run = _Run(
        writer, str(path), hub=hub_ref, name_focal=name_focal, focal=focal, focal_kind=focal_kind
    )
    records: Iterable[tuple[Any, Fields]]
    if lines is not None:
        records = _line_records(lines, str(path), writer.bad_record)
    else:
        records = _records(doc, str(path))
    for raw, f in records:
        run.item(raw, f)
    run.finish()
    if hub_ref is not None:
        hid = (
            run.cited_focal.id()
            if run.cited_focal.paper is hub_ref
            else writer.upsert_paper(hub_ref)
        )
        if run.embedded_hubs and hid not in run.embedded_hubs:
            raise InputError(
                str(path),
                f"the paper record embeds its own citations, so it is "
                f"their hub, but --hub names {hub}, another paper: leave out --hub",
            )
        if hid not in writer.hub_ids:
            writer.mark_hub(hid)


def _id_text(p: PaperIn) -> str:
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


def _line_records(
    lines: Iterator[tuple[int, Any]], path: str, bad: Callable[[Exception], None]
) -> Iterator[tuple[Any, Fields]]:
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
