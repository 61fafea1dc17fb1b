"""Importing citetui records: JSON Lines of bundle-like papers, streamed (docs/records-format.md).

Built for big imports (a million citing papers): the file is read one line
at a time and each paper is written as soon as it is read, in the import's
one transaction, so a bad line still leaves the library as it was. A record
whose fields all have the plain types and values of the common case takes a
short path; anything unusual goes through the bundle importer's checks,
which name the bad field.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from citetui.core.vocab import POLARITIES, ROLES
from citetui.ingest.errors import InputError
from citetui.ingest.formats.bundle import _INT_FIELDS, ID_KEYS, _Check, _kind, _paper
from citetui.ingest.jsonio import iter_jsonl
from citetui.store.bulk import BulkWriter, Cite
from citetui.store.write import PaperIn, Writer

FORMAT = "records"
MAGIC = '"citetui-records"'


def detect(head: str) -> bool:
    """Whether the start of a file looks like a records file."""
    first = head.lstrip("\ufeff").lstrip().split("\n", 1)[0]
    return MAGIC in first


_STR = ("title", "venue", "abstract", "summary", "summary_source", "url")
_ID_STR = tuple((k, c) for k, c in ID_KEYS.items() if k != "corpus_id")
_INT_MAX = 2**63 - 1
_YEAR = _INT_FIELDS["year"]
_COUNT = _INT_FIELDS["citation_count"]
_ROLES = frozenset(ROLES)
_POLARITIES = frozenset(POLARITIES)


def _fast_paper(raw: dict) -> PaperIn | None:
    """The paper of a record whose fields all have plain, valid types, else None."""
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
        if corpus is not None and (type(corpus) is not int or not 0 <= corpus <= _INT_MAX):
            return None
    authors = get("authors") or []
    if type(authors) is not list or any(type(a) is not str for a in authors):
        return None
    return PaperIn(
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


def _vocab(roles: Any) -> bool:
    """Whether ``roles`` is a list of known roles."""
    return type(roles) is list and all(type(r) is str and r in _ROLES for r in roles)


def _fast_cite(raw: Any, bulk: BulkWriter) -> Cite | None:
    """A citation of plain types whose cited paper is already written, else None."""
    if type(raw) is not dict:
        return None
    get = raw.get
    target = get("paper")
    cited = bulk.ids.get(target) if type(target) is str else None
    if cited is None:
        return None
    roles = get("roles") or ()
    if roles and not _vocab(roles):
        return None
    pol, infl, source = get("polarity"), get("influential"), get("source")
    if pol is not None and (type(pol) is not str or pol not in _POLARITIES):
        return None
    if infl is not None and type(infl) is not bool:
        return None
    if source is not None and type(source) is not str:
        return None
    contexts = get("contexts")
    ctx: list = []
    if contexts:
        if type(contexts) is not list:
            return None
        for c in contexts:
            if type(c) is not dict:
                return None
            text, croles = c.get("text"), c.get("roles") or ()
            if text is not None and type(text) is not str:
                return None
            if croles and not _vocab(croles):
                return None
            if text:
                ctx.append((text, croles))
    return Cite(cited, roles, pol, infl, ctx, source or None)


def _citation(chk: _Check, raw: Any, rec: str, bulk: BulkWriter) -> Cite:
    raw = chk.obj(raw, rec, "cites")
    target = raw.get("paper")
    if isinstance(target, str) and target in bulk.pending_keys:
        bulk.flush()
    if not isinstance(target, str) or target not in bulk.ids:
        raise chk.fail(
            rec,
            "cites.paper",
            f"refers to unknown paper key {target!r} (a cited paper must come earlier in the file)",
        )
    roles = [
        chk.vocab(r, ROLES, rec, "cites.roles")
        for r in chk.arr(raw.get("roles"), rec, "cites.roles")
    ]
    pol = raw.get("polarity")
    if pol is not None:
        chk.vocab(pol, POLARITIES, rec, "cites.polarity")
    infl = raw.get("influential")
    if infl is not None and not isinstance(infl, bool):
        raise chk.fail(rec, "cites.influential", f"expected true, false or null, got {_kind(infl)}")
    contexts = []
    for j, c in enumerate(chk.arr(raw.get("contexts"), rec, "cites.contexts")):
        c = chk.obj(c, rec, f"cites.contexts[{j}]")
        text = chk.opt_str(c.get("text"), rec, f"cites.contexts[{j}].text")
        croles = [
            chk.vocab(r, ROLES, rec, f"cites.contexts[{j}].roles")
            for r in chk.arr(c.get("roles"), rec, f"cites.contexts[{j}].roles")
        ]
        if text:
            contexts.append((text, croles))
    source = chk.opt_str(raw.get("source"), rec, "cites.source")
    return Cite(bulk.ids[target], roles, pol, infl, contexts, source)


def load(path: Path, writer: Writer, **_: Any) -> None:
    """Stream the records into ``writer``; an InputError names the line and field."""
    chk = _Check(path)
    bulk = BulkWriter(writer)
    header_seen = False
    try:
        for lineno, raw in iter_jsonl(path):
            try:
                if not header_seen:
                    _header(chk, raw, writer)
                    header_seen = True
                    continue
                _record(chk, raw, writer, bulk)
            except InputError as exc:
                if exc.line is None:
                    exc = InputError(
                        exc.path, exc.message, record=exc.record, field=exc.field, line=lineno
                    )
                writer.bad_record(exc)
            except ValueError as exc:  # a value the store refuses
                writer.bad_record(InputError(str(path), str(exc), line=lineno))
        bulk.finish()
    finally:
        bulk.close()  # the insert thread stops before the transaction ends, whatever happened
    if not header_seen:
        raise InputError(str(path), "the file is empty")


def _header(chk: _Check, raw: Any, writer: Writer) -> None:
    doc = chk.obj(raw, "header")
    if doc.get("format") != "citetui-records":
        raise chk.fail(
            "header", "format", 'not a citetui records file (expected "citetui-records")'
        )
    if doc.get("version") != 1:
        raise chk.fail("header", "version", f"unsupported records version {doc.get('version')!r}")
    source = chk.obj(doc.get("source"), "header", "source")
    name = chk.opt_str(source.get("name"), "header", "source.name")
    if not name:
        raise chk.fail("header", "source.name", "a records file must name its source")
    writer.source = name


def _record(chk: _Check, raw: Any, writer: Writer, bulk: BulkWriter) -> None:
    if type(raw) is not dict:
        raw = chk.obj(raw, "record")
    key = raw.get("key")
    if type(key) is not str or not key:
        key = chk.opt_str(key, "record", "key")
        if not key:
            raise chk.fail("record", "key", "every record needs a key")
    rec = key
    if key in bulk.ids or key in bulk.pending_keys:
        raise chk.fail(rec, "key", f"duplicate key {key!r}")
    paper = _fast_paper(raw) or _paper(chk, raw, rec)
    hub = raw.get("hub")
    if hub is not None:
        hub = chk.obj(hub, rec, "hub")
        tier = chk.opt_str(hub.get("tier"), rec, "hub.tier")
        verdict = chk.opt_str(hub.get("verdict"), rec, "hub.verdict")
    raw_cites = raw.get("cites")
    cites: list[Cite] = []
    if raw_cites:
        if type(raw_cites) is list:
            for c in raw_cites:
                cite = _fast_cite(c, bulk)
                if cite is None:
                    cite = _citation(chk, c, rec, bulk)
                cites.append(cite)
        else:
            cites = [_citation(chk, c, rec, bulk) for c in chk.arr(raw_cites, rec, "cites")]
    if hub is None:
        bulk.add(key, paper, cites)
        return
    pid = bulk.write_now(key, paper)  # a hub is written at once: later records cite it
    writer.mark_hub(pid, tier=tier, verdict=verdict)
    for c in cites:
        writer.upsert_citation(
            pid,
            c.cited,
            roles=c.roles,
            polarity=c.polarity,
            influential=c.influential,
            contexts=c.contexts,
            source=c.source,
        )
