"""Importing citetui records: JSON Lines of bundle-like papers, streamed (docs/records-format.md).

Built for big imports (a million citing papers): the file is read one line at a time and
each record is handed to the store's one writer, which writes a batch at a time, in the
import's one transaction, so a bad line still leaves the library as it was. A record
whose fields all have the plain types and values of the common case takes a short path;
anything unusual goes through the bundle importer's checks, which name the bad field.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from citetui.core import ids as idn
from citetui.core.models import CiteRecord, PaperRecord
from citetui.core.vocab import POLARITIES, ROLES
from citetui.ingest.errors import InputError
from citetui.ingest.fields import Fields
from citetui.ingest.formats.bundle import (
    ID_KEYS,
    INT_FIELDS,
    labels_from_citetui,
    paper_from_citetui,
)
from citetui.ingest.jsonio import iter_jsonl
from citetui.ingest.reader import Mapped
from citetui.store.bulk import BulkWriter
from citetui.store.prepared import ahead
from citetui.store.write import Writer

FORMAT = "records"
MAGIC = '"citetui-records"'


def detect(head: str) -> bool:
    """Whether the start of a file looks like a records file."""
    first = head.lstrip("\ufeff").lstrip().split("\n", 1)[0]
    return MAGIC in first


_STR = ("title", "venue", "abstract", "summary", "summary_source", "url")
_ID_STR = tuple((k, c) for k, c in ID_KEYS.items() if k != "corpus_id")
_YEAR = INT_FIELDS["year"]
_COUNT = INT_FIELDS["citation_count"]
_ROLES = frozenset(ROLES)
_POLARITIES = frozenset(POLARITIES)


def fast_paper(raw: dict[str, Any]) -> PaperRecord | None:
    """The paper of a record whose fields all have plain, valid types, else None (then
    :func:`~citetui.ingest.formats.bundle.paper_from_citetui` accepts or names the field)."""
    get = raw.get
    title, venue, abstract, summary, summary_source, url = vals = [get(f) for f in _STR]
    for v in vals:
        if v is not None and type(v) is not str:
            return None
    if not ((title and title.strip()) or (summary and summary.strip())):
        return None
    year, count = get("year"), get("citation_count")
    if year is not None and (type(year) is not int or not _YEAR[0] <= year <= _YEAR[1]):
        return None
    if count is not None and (type(count) is not int or not _COUNT[0] <= count <= _COUNT[1]):
        return None
    ids = get("ids")
    doi = arxiv = s2_id = openalex = corpus = None
    if ids:
        if type(ids) is not dict:
            return None
        doi, arxiv, s2_id, openalex = idv = [ids.get(k) for k, _ in _ID_STR]
        for v in idv:
            if v is not None and type(v) is not str:
                return None
        corpus = ids.get("corpus_id")
        if corpus is not None and (type(corpus) is not int or not 0 <= corpus <= idn.MAX_ID):
            return None
    authors = get("authors") or []
    if type(authors) is not list or any(type(a) is not str for a in authors):
        return None
    return PaperRecord(
        title,
        year,
        venue,
        abstract,
        summary,
        summary_source,
        url,
        count,
        doi,
        arxiv,
        s2_id,
        corpus,
        openalex,
        authors,
    )


def fast_line(raw: Any) -> tuple[dict[str, Any], PaperRecord] | None:
    """The fast path of a line, for the reader process: the paper of a record of plain
    values, with the fields the writer's side still reads (the rest stays behind)."""
    if type(raw) is not dict:
        return None
    paper = fast_paper(raw)
    if paper is None:
        return None
    return {k: raw[k] for k in ("key", "hub", "cites") if k in raw}, ahead(paper)


# The fast path of JSON Lines: citetui.ingest.import_files reads an import's files ahead
# with it, in one process (citetui.ingest.reader).
LINES_FAST = fast_line


def _vocab(roles: Any) -> bool:
    """Whether ``roles`` is a list of known roles."""
    return type(roles) is list and all(type(r) is str and r in _ROLES for r in roles)


def fast_cite(raw: Any, bulk: BulkWriter) -> CiteRecord | None:
    """A citation of plain types to a paper key of the file, else None."""
    if type(raw) is not dict:
        return None
    get = raw.get
    target = get("paper")
    if type(target) is not str or not bulk.known(target):
        return None
    roles = get("roles") or ()
    if roles and not _vocab(roles):
        return None
    pol, infl, source = get("polarity"), get("influential"), get("source")
    if pol is not None and (type(pol) is not str or pol not in _POLARITIES):
        return None
    if infl is not None and type(infl) is not bool:
        return None
    if source is not None and (type(source) is not str or not source.strip()):
        return None
    contexts = get("contexts")
    ctx: list[tuple[str, list[str]]] = []
    if contexts:
        if type(contexts) is not list:
            return None
        for c in contexts:
            if type(c) is not dict:
                return None
            text, croles = c.get("text"), c.get("roles") or []
            if text is not None and type(text) is not str:
                return None
            if croles and not _vocab(croles):
                return None
            if text and text.strip():
                ctx.append((text, croles))
    return CiteRecord(target, roles, pol, infl, ctx, source)


def _cite(f: Fields, raw: Any, bulk: BulkWriter) -> CiteRecord:
    raw = f.record_obj(raw, "cites")
    target = raw.get("paper")
    if not isinstance(target, str) or not bulk.known(target):
        raise f.fail(
            "cites.paper",
            f"refers to unknown paper key {target!r} (a cited paper must come earlier in the file)",
        )
    roles, pol, infl, contexts, source = labels_from_citetui(f, raw, "cites.")
    return CiteRecord(target, roles, pol, infl, contexts, source)


def load(path: Path, writer: Writer, **_: Any) -> None:
    """Stream the records into ``writer``; an InputError names the line and field."""
    bulk = writer.bulk
    header_seen = False
    for lineno, raw in iter_jsonl(path, writer.bad_record, fast=fast_line):
        try:
            if not header_seen:
                head = raw.value[0] if type(raw) is Mapped else raw  # (a record: no header)
                _header(Fields(path, "header", lineno), head, writer)
                header_seen = True
                continue
            _record(path, lineno, raw, bulk)
        except InputError as exc:
            writer.bad_record(exc)
        except ValueError as exc:  # a value the store refuses
            writer.bad_record(InputError(str(path), str(exc), line=lineno))
    bulk.flush()
    if not header_seen:
        raise InputError(str(path), "the file is empty")


def _header(f: Fields, raw: Any, writer: Writer) -> None:
    doc = f.record_obj(raw)
    if doc.get("format") != "citetui-records":
        raise f.fail("format", 'not a citetui records file (expected "citetui-records")')
    if doc.get("version") != 1:
        raise f.fail("version", f"unsupported records version {doc.get('version')!r}")
    source = f.record_obj(doc.get("source"), "source")
    name = f.str(source.get("name"), "source.name")
    if not name:
        raise f.fail("source.name", "a records file must name its source")
    writer.source = name


def _record(path: Path, lineno: int, raw: Any, bulk: BulkWriter) -> None:
    paper = None
    if type(raw) is Mapped:  # its paper read by the reader process (citetui.ingest.reader)
        raw, paper = raw.value
    if type(raw) is not dict:
        raw = Fields(path, "record", lineno).record_obj(raw)
    key = raw.get("key")
    if type(key) is not str or not key.strip():
        key = Fields(path, "record", lineno).str(key, "key")
        if not key:
            raise Fields(path, "record", lineno).fail("key", "every record needs a key")
    f = Fields(path, key, lineno)
    if bulk.known(key):
        raise f.fail("key", f"duplicate key {key!r}")
    paper = paper or fast_paper(raw) or paper_from_citetui(f, raw)
    hub = raw.get("hub")
    marks = None
    if hub is not None:
        hub = f.record_obj(hub, "hub")
        marks = (f.str(hub.get("tier"), "hub.tier"), f.str(hub.get("verdict"), "hub.verdict"))
    cites: list[CiteRecord] = []
    raw_cites = raw.get("cites")
    if raw_cites:
        for c in f.list(raw_cites, "cites"):
            cite = fast_cite(c, bulk) or _cite(f, c, bulk)
            cites.append(cite)
    # a hub's key stays in memory for the whole file: the records after it cite it
    bulk.add(paper, key=key, cites=cites, hub=marks, pin=marks is not None)
