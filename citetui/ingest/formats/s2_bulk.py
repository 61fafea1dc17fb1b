"""Importing the Semantic Scholar bulk datasets: papers, abstracts, tldrs, citations, paper-ids.

The datasets are JSON Lines (plain or .gz) in a lower-case schema, one shard
per file, joined by corpus id. Every record is written as soon as it is read
(the library does the join), so memory stays flat whatever the shard size.

With ``--hubs ID,...`` only a slice is kept (see :class:`Slice`): the edges
touching the hubs plus the other references of the hubs' citing papers (which
the co-cited pane needs), and the papers, abstracts and TLDRs of every paper
those edges name. The scan uses DuckDB's JSON reader when the optional
``citetui[bulk]`` extra is installed, and a streaming Python reader otherwise
(or when DuckDB cannot read a file: the Python reader then names the bad line).
"""

from __future__ import annotations

import json
import re
import shutil
import tempfile
import weakref
from collections.abc import Iterable, Iterator
from pathlib import Path
from typing import Any

from citetui.core import ids as idn
from citetui.core.models import PaperRecord
from citetui.ingest.errors import InputError
from citetui.ingest.fields import Fields, as_list, as_obj, iter_lines, kind_of, paper_ref
from citetui.ingest.formats import s2
from citetui.ingest.reader import Mapped, mapped_lines
from citetui.store.prepared import ahead
from citetui.store.write import Writer

FORMAT = "s2-bulk"
SOURCE = s2.SOURCE
KINDS = ("papers", "abstracts", "tldrs", "citations", "paper-ids")
DUCKDB_MEMORY_LIMIT = "1GB"

_LOWER_KEY = re.compile(r'^\s*\{.*?(?<!\\)"(corpusid|citingcorpusid|citedcorpusid)"\s*:', re.DOTALL)
_S2_URL = re.compile(r"semanticscholar\.org/paper/(?:[^/]*/)?([0-9a-f]{40})\b", re.IGNORECASE)


def detect(head: str) -> bool:
    """Whether the start of a file looks like a bulk dataset shard (lower-case keys)."""
    first = head.lstrip("\ufeff").lstrip().split("\n", 1)[0]
    return bool(_LOWER_KEY.match(first))


def record_kind(raw: Any) -> str | None:
    """Which dataset a record belongs to, from its keys."""
    if not isinstance(raw, dict):
        return None
    if "citingcorpusid" in raw or "citedcorpusid" in raw:
        return "citations"
    if "corpusid" not in raw:
        return None
    if "sha" in raw:
        return "paper-ids"
    if "text" in raw and "model" in raw:
        return "tldrs"
    if "title" in raw or "externalids" in raw:
        return "papers"
    if "abstract" in raw:
        return "abstracts"
    return None


def _corpus(raw: dict, f: Fields, key: str, required: bool = True) -> int | None:
    value = f.int(raw.get(key), key)
    if value is None and required:
        raise f.fail(key, "missing corpus id")
    return value


def _ext_ids(ext: dict | None, f: Fields, field: str) -> dict[str, Any]:
    ext = f.obj(ext, field) or {}
    return {
        "doi": f.str(ext.get("DOI"), f"{field}.DOI"),
        "arxiv": f.str(ext.get("ArXiv"), f"{field}.ArXiv"),
    }


def paper_from_bulk(raw: dict, f: Fields, kind: str) -> PaperRecord:
    """A papers / abstracts / tldrs / paper-ids record as a PaperRecord."""
    cid = _corpus(raw, f, "corpusid")
    if kind == "tldrs":
        text = f.str(raw.get("text"), "text")
        return PaperRecord(
            corpus_id=cid,
            summary=text,
            summary_source=f.str(raw.get("model"), "model") if text else None,
        )
    if kind == "abstracts":
        info = f.obj(raw.get("openaccessinfo"), "openaccessinfo") or {}
        return PaperRecord(
            corpus_id=cid,
            abstract=f.str(raw.get("abstract"), "abstract"),
            **_ext_ids(info.get("externalids"), f, "openaccessinfo.externalids"),
        )
    if kind == "paper-ids":
        sha = f.str(raw.get("sha"), "sha")
        primary = f.bool(raw.get("primary"), "primary")
        return PaperRecord(corpus_id=cid, s2_id=sha if primary is not False else None)
    url = f.str(raw.get("url"), "url")
    m = _S2_URL.search(url or "")
    journal = f.obj(raw.get("journal"), "journal") or {}
    return PaperRecord(
        title=f.str(raw.get("title"), "title"),
        year=s2.year_of(
            f.int(raw.get("year"), "year"), f.str(raw.get("publicationdate"), "publicationdate")
        ),
        venue=f.str(raw.get("venue"), "venue") or f.str(journal.get("name"), "journal.name"),
        url=url,
        citation_count=f.int(raw.get("citationcount"), "citationcount", (0, idn.MAX_ID)),
        s2_id=m.group(1).lower() if m else None,
        corpus_id=cid,
        authors=s2.author_names(raw.get("authors"), f),
        **_ext_ids(raw.get("externalids"), f, "externalids"),
    )


def _cid(v: Any) -> int:
    """A corpus id of the fast paths (TypeError: let the checked path say)."""
    if type(v) is int and 0 <= v <= idn.MAX_ID:
        return v
    if type(v) is str and v.isdigit() and v.isascii() and len(v) <= 18:
        return int(v)
    raise TypeError


def fast_paper(raw: dict[str, Any]) -> PaperRecord | None:
    """:func:`paper_from_bulk` of a ``papers`` record of plain values (None: anything else)."""
    get = raw.get
    try:
        cid = _cid(get("corpusid"))
        url = s2._text(get("url"))
        m = _S2_URL.search(url) if url else None
        ext, journal = as_obj(get("externalids")), as_obj(get("journal"))
        venue = s2._text(get("venue")) or s2._text(journal.get("name"))
        year, count = get("year"), get("citationcount")
        if year is not None and (type(year) is not int or abs(year) > 2**62):
            return None
        if count is not None and (type(count) is not int or not 0 <= count <= 2**62):
            return None
        authors = []
        for a in as_list(get("authors")):
            name = s2._text(a.get("name") if type(a) is dict else a)
            if name:
                authors.append(name)
        paper = PaperRecord(
            s2._text(get("title")),
            s2.year_of(year, s2._text(get("publicationdate"))),
            venue,
            None,
            None,
            None,
            url,
            count,
            s2._text(ext.get("DOI")),
            s2._text(ext.get("ArXiv")),
            m.group(1).lower() if m else None,
            cid,
            None,
            authors,
        )
    except (TypeError, AttributeError):
        return None
    return paper


def fast_line(raw: Any) -> tuple[int, int | None, s2.Edge] | PaperRecord | None:
    """The fast path of a line, for the reader process: a ``citations`` record as
    :func:`fast_edge` maps it, a ``papers`` record that adds something as
    :func:`fast_paper` does (prepared for the writer); anything else (abstracts, TLDRs,
    a record of unusual values) is left to :func:`load`."""
    kind = record_kind(raw)
    if kind == "citations":
        return fast_edge(raw)
    if kind == "papers":
        p = fast_paper(raw)
        if p is not None and _adds(p):
            return ahead(p)
    return None


# The fast path of JSON Lines: citetui.ingest.import_files reads an import's shards ahead
# with it, in one process (citetui.ingest.reader); not with --hubs, whose slice reads them.
LINES_FAST = fast_line


def _adds(paper: PaperRecord) -> bool:
    """Whether a record brings more than its corpus id (one that does not adds nothing)."""
    return bool(
        paper.title or paper.abstract or paper.summary or paper.s2_id or paper.doi or paper.arxiv
    )


def fast_edge(raw: dict[str, Any]) -> tuple[int, int | None, s2.Edge] | None:
    """:func:`edge_from_bulk` of a ``citations`` record of plain values (None: anything else)."""
    get = raw.get
    try:
        citing = _cid(get("citingcorpusid"))
        cited_raw = get("citedcorpusid")
        cited = None if cited_raw is None else _cid(cited_raw)
        infl = get("isinfluential")
        if infl is not None and type(infl) is not bool:
            return None
        contexts = [t for t in (s2._text(c) for c in as_list(get("contexts"))) if t]
        intents = as_list(get("intents"))
        roles: list[str] = []
        if intents and all(type(i) is list or i is None for i in intents):
            per = [s2._roles(i or ()) for i in intents]
            ctx = [(t, per[i] if i < len(per) else []) for i, t in enumerate(contexts)]
            for r in (r for p in per for r in p):
                if r not in roles:
                    roles.append(r)
        else:
            roles = s2._roles(intents)
            ctx = [(t, []) for t in contexts]
    except (TypeError, AttributeError):
        return None
    for key in ("contexts", "intents"):
        if type(get(key) or []) is not list:
            return None
    stub = PaperRecord(corpus_id=cited) if cited is not None else None
    return citing, cited, s2.Edge(PaperRecord(corpus_id=citing), stub, roles, infl, ctx)


def edge_from_bulk(raw: dict, f: Fields) -> tuple[int, int | None, s2.Edge]:
    """(citing corpus id, cited corpus id or None, edge) of a citations record."""
    citing = _corpus(raw, f, "citingcorpusid")
    cited = _corpus(raw, f, "citedcorpusid", required=False)
    contexts = f.strings(raw.get("contexts"), "contexts")
    intents = f.list(raw.get("intents"), "intents")
    roles: list[str] = []
    ctx: list[tuple[str, list[str]]] = []
    if intents and all(isinstance(i, list) or i is None for i in intents):
        # one list of intents per context, in the order of the contexts
        per = [s2.roles_from_intents(v, f, f"intents[{i}]") for i, v in enumerate(intents)]
        for i, text in enumerate(contexts):
            ctx.append((text, per[i] if i < len(per) else []))
        for r in (r for p in per for r in p):
            if r not in roles:
                roles.append(r)
    else:
        roles = s2.roles_from_intents(intents, f, "intents")
        ctx = [(text, []) for text in contexts]
    cited_paper = (
        PaperRecord(corpus_id=cited) if cited is not None else None
    )  # corpus id 0 is an id
    edge = s2.Edge(
        PaperRecord(corpus_id=citing),
        cited_paper,
        roles,
        f.bool(raw.get("isinfluential"), "isinfluential"),
        ctx,
    )
    return citing, cited, edge  # type: ignore[return-value]


# -- the slice ----------------------------------------------------------------


def parse_hubs(values: Iterable[str]) -> list[int]:
    """Corpus ids from --hubs ('CorpusID:N' or digits)."""
    out = []
    for v in values:
        ref = paper_ref(str(v), "--hubs") if str(v).strip() else None
        if ref is None or ref.corpus_id is None:
            raise InputError(
                "--hubs",
                f"{v!r} is not a corpus id (the bulk datasets are keyed "
                "by corpus id: give CorpusID:N or N)",
            )
        if ref.corpus_id not in out:
            out.append(ref.corpus_id)
    return out


def _first_kind(path: Path) -> str | None:
    for _, raw in iter_lines(path):
        return record_kind(raw) if not isinstance(raw, InputError) else None
    return None


def _is_gzip(path: Path) -> bool:
    with path.open("rb") as fh:
        return fh.read(2) == b"\x1f\x8b"


def _duckdb() -> Any:
    """The duckdb module, or None when the optional extra is not installed."""
    try:
        import duckdb
    except ImportError:
        return None
    return duckdb


class Slice:
    """The part of the bulk datasets that touches some hubs, found in two scans of the citations.

    Kept: every edge citing a hub or cited by one, and every edge from a paper that
    cites a hub (its other references, for the co-cited pane); then the records
    of every paper these edges name. Kept edges wait in a temporary directory
    (not in memory) until their file is imported; the set of kept corpus ids is
    what stays in memory.
    """

    def __init__(self, hubs: list[int], citation_paths: list[Path], *, skip_invalid: bool):
        self.hubs = hubs
        self.hub_keys = {str(h) for h in hubs}
        self.citation_paths = citation_paths
        self.skip_invalid = skip_invalid
        self.errors: dict[str, list[InputError]] = {}
        self.marked = False
        self._dir = Path(tempfile.mkdtemp(prefix="citetui-slice-"))
        self._cleanup = weakref.finalize(self, shutil.rmtree, self._dir, True)
        self._con: Any = None
        self.kept: set[str] = set(self.hub_keys)
        self.engine = "python"
        duckdb = _duckdb()
        if duckdb is not None:
            try:
                self._scan_duckdb(duckdb)
                self.engine = "duckdb"
                return
            except duckdb.Error:
                self._con = None  # the Python reader names the bad line
        self._scan_python()

    # python: two streaming passes, kept edges to JSON Lines files in the temp dir
    def _valid(self, path: Path) -> Iterator[tuple[int, dict]]:
        for lineno, raw in iter_lines(path):
            if isinstance(raw, InputError):
                if not self.skip_invalid:
                    raise raw
                self.errors.setdefault(str(path), []).append(raw)
                continue
            if isinstance(raw, dict):
                yield lineno, raw

    def _scan_python(self) -> None:
        citing_hubs: set[str] = set()
        for path in self.citation_paths:
            for _, raw in self._valid(path):
                if _key(raw.get("citedcorpusid")) in self.hub_keys:
                    citing_hubs.add(_key(raw.get("citingcorpusid")))
        citing_hubs.discard("")
        for n, path in enumerate(self.citation_paths):
            with (self._dir / f"{n}.jsonl").open("w", encoding="utf-8") as out:
                for lineno, raw in self._valid(path):
                    citing, cited = _key(raw.get("citingcorpusid")), _key(raw.get("citedcorpusid"))
                    if cited in self.hub_keys or citing in self.hub_keys or citing in citing_hubs:
                        out.write(json.dumps([lineno, raw], ensure_ascii=False) + "\n")
                        self.kept.update(k for k in (citing, cited) if k)

    # duckdb: the same two passes as SQL over read_json_objects
    def _scan_duckdb(self, duckdb: Any) -> None:
        con = duckdb.connect(str(self._dir / "slice.duckdb"))
        con.execute(f"SET memory_limit = '{DUCKDB_MEMORY_LIMIT}'")
        con.execute(f"SET temp_directory = '{self._dir / 'spill'}'")
        con.execute("CREATE TABLE hubs (id VARCHAR)")
        con.executemany("INSERT INTO hubs VALUES (?)", [[h] for h in sorted(self.hub_keys)])
        con.execute("CREATE TABLE citing (id VARCHAR)")
        con.execute("CREATE TABLE edges (n INTEGER, json VARCHAR)")
        cit, ced = (
            "json_extract_string(json, '$.citingcorpusid')",
            "json_extract_string(json, '$.citedcorpusid')",
        )
        for path in self.citation_paths:
            con.execute(
                f"INSERT INTO citing SELECT DISTINCT {cit} FROM {_reader(path)} "
                f"WHERE {ced} IN (SELECT id FROM hubs) AND {cit} IS NOT NULL",
                [str(path)],
            )
        for n, path in enumerate(self.citation_paths):
            con.execute(
                f"INSERT INTO edges SELECT ?, json FROM {_reader(path)} WHERE "
                f"{ced} IN (SELECT id FROM hubs) OR {cit} IN (SELECT id FROM hubs) "
                f"OR {cit} IN (SELECT id FROM citing)",
                [n, str(path)],
            )
        con.execute(
            f"CREATE TABLE kept AS SELECT id FROM hubs UNION SELECT {cit} FROM edges "
            f"UNION SELECT {ced} FROM edges WHERE {ced} IS NOT NULL"
        )
        self.kept = {
            r[0] for r in con.execute("SELECT id FROM kept WHERE id IS NOT NULL").fetchall()
        }
        self._con = con

    def edges(self, path: Path) -> Iterator[tuple[Any, Fields]]:
        """The kept citation records of one citations file."""
        n = self.citation_paths.index(path)
        if self._con is not None:
            cur = self._con.execute("SELECT json FROM edges WHERE n = ?", [n])
            while rows := cur.fetchmany(1000):
                for (text,) in rows:
                    raw = json.loads(text)
                    yield raw, Fields(path, _edge_name(raw))
            return
        with (self._dir / f"{n}.jsonl").open(encoding="utf-8") as fh:
            for line in fh:
                lineno, raw = json.loads(line)
                yield raw, Fields(path, None, line=lineno)

    def records(self, path: Path) -> Iterator[tuple[Any, Fields]]:
        """The records of a papers / abstracts / tldrs / paper-ids file whose paper is kept."""
        duckdb = _duckdb() if self.engine == "duckdb" else None
        if duckdb is not None and self._con is not None:
            try:
                cur = self._con.execute(
                    f"SELECT json FROM {_reader(path)} WHERE "
                    "json_extract_string(json, '$.corpusid') IN (SELECT id FROM kept)",
                    [str(path)],
                )
                rows = cur.fetchmany(1000)
            except duckdb.Error:
                rows = None  # fall through to the Python reader
            if rows is not None:
                while rows:
                    for (text,) in rows:
                        raw = json.loads(text)
                        yield raw, Fields(path, f"corpusid {_key(raw.get('corpusid'))}")
                    rows = cur.fetchmany(1000)
                return
        for lineno, raw in iter_lines(path):
            if (
                isinstance(raw, InputError)
                or isinstance(raw, dict)
                and _key(raw.get("corpusid")) in self.kept
            ):
                yield raw, Fields(path, None, line=lineno)

    def close(self) -> None:
        """Remove the temporary files."""
        if self._con is not None:
            self._con.close()
            self._con = None
        self._cleanup()


def _reader(path: Path) -> str:
    comp = "gzip" if _is_gzip(path) else "none"
    return f"read_json_objects(?, format='newline_delimited', compression='{comp}')"


def _key(value: Any) -> str:
    """A corpus id as the slice compares it ('' when absent or not a number)."""
    if isinstance(value, bool) or value is None:
        return ""
    text = str(value).strip()
    return text if text.isdigit() else ""


def _edge_name(raw: Any) -> str:
    if isinstance(raw, dict):
        return (
            f"citation {_key(raw.get('citingcorpusid')) or '?'} -> "
            f"{_key(raw.get('citedcorpusid')) or 'null'}"
        )
    return "citation"


def prepare(
    paths: list[Path], *, hubs: Iterable[str] | None = None, skip_invalid: bool = False, **_: Any
) -> dict[str, Any]:
    """Before the import: with --hubs, scan the citations files for the slice."""
    if not hubs:
        return {}
    hub_ids = parse_hubs(hubs)
    citation_paths = [Path(p) for p in paths if _first_kind(Path(p)) == "citations"]
    return {"bulk_slice": Slice(hub_ids, citation_paths, skip_invalid=skip_invalid)}


# -- loading ------------------------------------------------------------------


def load(
    path: Path,
    writer: Writer,
    hub: str | None = None,
    hubs: Iterable[str] | None = None,
    bulk_slice: Slice | None = None,
    **_: Any,
) -> None:
    """Import one bulk dataset shard (a slice of it with --hubs) through ``writer``."""
    path = Path(path)
    writer.source = SOURCE
    if hubs and bulk_slice is None:  # called without prepare(): scan this file alone
        bulk_slice = prepare([path], hubs=hubs, skip_invalid=writer.skip_invalid)["bulk_slice"]
    if bulk_slice is not None:
        for err in bulk_slice.errors.pop(str(path), []):
            writer.bad_record(err)
        if not bulk_slice.marked:
            for h in bulk_slice.hubs:
                writer.mark_hub(writer.upsert_paper(PaperRecord(corpus_id=h)))
            bulk_slice.marked = True
        records = (
            bulk_slice.edges(path)
            if path in bulk_slice.citation_paths
            else bulk_slice.records(path)
        )
    else:
        lines = mapped_lines(path, fast_line)
        records = ((raw, Fields(path, None, line=n)) for n, raw in lines)
    dangling = 0
    bulk = writer.bulk
    for raw, f in records:
        if type(raw) is Mapped:  # mapped by the fast path (in citetui.ingest.reader)
            value = raw.value
            if type(value) is tuple:
                citing, cited, edge = value
                if cited is None:
                    dangling += 1
                elif citing != cited:
                    s2.write_edge(writer, edge)
            else:
                bulk.add(value)
            continue
        try:
            if isinstance(raw, InputError):
                raise raw
            kind = record_kind(raw)
            if kind is None:
                keys = ", ".join(list(raw)[:6]) if isinstance(raw, dict) else kind_of(raw)
                raise f.fail(
                    None,
                    "not a Semantic Scholar bulk dataset record (expected "
                    f"{', '.join(KINDS)}; found {keys})",
                )
            if kind == "citations":
                citing, cited, edge = fast_edge(raw) or edge_from_bulk(raw, f)
            else:
                paper = (kind == "papers" and fast_paper(raw)) or paper_from_bulk(raw, f, kind)
        except InputError as exc:
            writer.bad_record(exc)
            continue
        if kind != "citations":
            if _adds(paper):
                bulk.add(paper)  # (a record with nothing but its corpus id adds nothing)
        elif cited is None:
            dangling += 1  # the cited work is not in the corpus: there is no edge to keep
        elif citing != cited:
            s2.write_edge(writer, edge)
    bulk.flush()
    if dangling:
        writer.skipped.append(
            f"{path}: {dangling} citation{'s' if dangling != 1 else ''} "
            "with no cited corpus id (the cited work is outside the corpus) "
            "not imported"
        )
    if hub:
        writer.mark_hub(writer.upsert_paper(paper_ref(hub)))
