"""Writing a big import fast: new papers and their edges in batches, the rest through the Writer.

:class:`BulkWriter` collects records and, per batch, decides which of them may
already be there: any shared identifier or the same identity text (normalised
title, or summary for an untitled paper) with a paper of the library or an
earlier record of this import. Those, and records that cite the same paper
twice, go through :class:`~citetui.store.write.Writer` one by one, exactly as
a small import would; the others are new for certain and are inserted with
``executemany``, with the rows, labels, counts and title pairs the Writer and
the index triggers would have written for them.

What is already in the library is known from memory unless the library is
huge (its identifiers are read once), else asked per batch through the indexes.
Every identifier and identity of this import is remembered (as 8-byte hashes,
see :class:`MarkSet`), so a record that repeats an earlier one is never
inserted twice. Records that may repeat one wait in a queue and go through the
Writer together, at the end or when the queue is long: each time the Writer
takes the connection, the insert thread must have finished, so doing it per
batch made the reading and the inserting take turns instead of overlapping.

The inserts of a batch run on a second thread while the next batch is read
and checked; the connection is only ever used by one thread at a time: whoever
needs it waits for the batches in flight. Each table's rows go to SQLite as one
JSON array read by ``json_each``, one statement: Python's sqlite3 lets go of
the interpreter lock for each row of an ``executemany`` and must take it back
from the thread reading records, which made the inserts 90 times slower than
alone (without SQLite's JSON functions, the inserts run on the reading thread).
In a big import (the search index suspended, see
:func:`citetui.store.fts.suspend`) the secondary indexes of ``papers``,
``citations`` and ``contexts`` are dropped while new papers stream in and
created again, sorted in one pass, when the import ends or as soon as a record
needs the Writer (which looks papers up through them); each batch is indexed for
search (:func:`citetui.store.fts.index_new`) by the insert thread as it is written.
"""

from __future__ import annotations

import gc
import json
import re
import sys
from array import array
from bisect import bisect_left
from collections import deque
from collections.abc import Callable, Iterable, Sequence
from concurrent.futures import Future, ThreadPoolExecutor
from dataclasses import dataclass
from functools import partial
from heapq import merge
from typing import Any

from citetui.core import ids as idn
from citetui.store.fts import has_pairs, index_new, suspended, title_pairs
from citetui.store.write import (
    ID_COLUMNS,
    PAPER_FIELDS,
    PaperIn,
    Writer,
    identity_text,
    roles_column,
)

_PLAIN_DOI = re.compile(r"10\.[!-~]*")  # printable ASCII: nothing for clean() to remove
_PLAIN_ARXIV = re.compile(r"\d{4}\.\d{4,5}")
_PLAIN_JSON = re.compile(r'[^"\\\x00-\x1f]*')
MEMORY_MARKS = 2_000_000  # a library of up to this many papers is read into memory
# Marks held in memory at most (8 bytes each, plus a 16 MB bitmap): past this, the
# duplicate check goes to the library's indexes for the rest of the import, so memory
# stays bounded.
MAX_MARKS = 16_000_000
# Records that may repeat a paper, queued for the Writer (see the module docstring).
MAX_LATER = 20_000
# Record keys (records format) kept in memory with their paper ids; past this the older
# ones go to a temporary table, with a Bloom filter saying which keys may be there.
MAX_KEYS = 200_000
SWITCH_INTERVAL = 0.0005  # seconds (see BulkWriter.__init__)
IN_FLIGHT = 2  # batches handed to the insert thread and not yet written
_encode = json.JSONEncoder(ensure_ascii=False).encode  # as json.dumps(x, ensure_ascii=False)
# Indexes a big import drops while it streams new papers in (rebuilt sorted afterwards).
_DROPPABLE = (
    "idx_papers_doi",
    "idx_papers_arxiv",
    "idx_papers_s2_id",
    "idx_papers_corpus_id",
    "idx_papers_openalex_id",
    "idx_papers_norm_title",
    "idx_citations_hub_year",
    "idx_contexts_edge",
)
_PAPER_INSERT = (
    f"INSERT INTO papers (id, {', '.join(PAPER_FIELDS)}, norm_title, authors, source) "
    f"VALUES ({', '.join('?' * (len(PAPER_FIELDS) + 4))})"
)
_CITE_INSERT = (
    "INSERT INTO citations (citing_id, cited_id, roles, polarity, influential, source, "
    "citing_year) VALUES (?, ?, ?, ?, ?, ?, ?)"
)
_LABEL_INSERT = (
    "INSERT INTO labels (citing_id, cited_id, kind, value, source) VALUES (?, ?, ?, ?, ?)"
)
_CONTEXT_INSERT = (
    "INSERT INTO contexts (citing_id, cited_id, position, text, roles, source) "
    "VALUES (?, ?, ?, ?, ?, ?)"
)
_PAIRS_INSERT = "INSERT INTO pairs_fts(rowid, pairs) VALUES (?, ?)"


def _from_json(insert: str) -> str:
    """The INSERT ... VALUES (?, ...) statement as INSERT ... SELECT over a JSON array of rows."""
    head, values = insert.split(" VALUES ")
    n = values.count("?")
    cols = ", ".join(f"json_extract(value, '$[{i}]')" for i in range(n))
    return f"{head} SELECT {cols} FROM json_each(?)"


_INSERTS = {
    name: (sql, _from_json(sql))
    for name, sql in (
        ("papers", _PAPER_INSERT),
        ("cites", _CITE_INSERT),
        ("labels", _LABEL_INSERT),
        ("contexts", _CONTEXT_INSERT),
        ("pairs", _PAIRS_INSERT),
        ("keys", "INSERT OR REPLACE INTO temp.bulk_keys (key, id) VALUES (?, ?)"),
    )
}


_identity = identity_text


def _authors_json(authors: list[str]) -> str:
    """json.dumps(authors, ensure_ascii=False), quickly for names that need no escaping."""
    if all(_PLAIN_JSON.fullmatch(a) for a in authors):
        return '["' + '", "'.join(authors) + '"]'
    return _encode(authors)


def normalised(p: PaperIn) -> PaperIn:
    """PaperIn.normalised, with shortcuts for absent fields and identifiers already plain."""
    for k in PAPER_FIELDS:
        v = getattr(p, k)
        if isinstance(v, str) and not v.strip():
            return p.normalised()
    doi, arxiv = p.doi, p.arxiv
    if doi is not None and not (_PLAIN_DOI.fullmatch(doi) and doi == doi.lower()):
        doi = idn.norm_doi(doi)
    if arxiv is not None and not _PLAIN_ARXIV.fullmatch(arxiv):
        arxiv = idn.norm_arxiv(arxiv)
    if arxiv is None and doi is not None:
        arxiv = idn.arxiv_from_doi(doi)
    authors = p.authors
    if authors and not all(
        type(a) is str and a and not a[0].isspace() and not a[-1].isspace() for a in authors
    ):
        authors = [a.strip() for a in authors if isinstance(a, str) and a.strip()]
    corpus = p.corpus_id
    if corpus is not None and type(corpus) is not int:
        corpus = idn.norm_corpus_id(corpus)
    return PaperIn(
        p.title,
        p.year,
        p.venue,
        p.abstract,
        p.summary,
        p.summary_source,
        p.url,
        p.citation_count,
        doi,
        arxiv,
        idn.norm_s2(p.s2_id) if p.s2_id is not None else None,
        corpus,
        idn.norm_openalex(p.openalex_id) if p.openalex_id is not None else None,
        list(authors),
    )


@dataclass
class Cite:
    """An edge from the record's paper to ``cited`` (a paper id), as upsert_citation takes it."""

    cited: int
    roles: Sequence[str] = ()
    polarity: str | None = None
    influential: bool | None = None
    contexts: Sequence[tuple[str, Sequence[str]]] = ()
    source: str | None = None


@dataclass
class _Rec:
    key: str
    paper: PaperIn
    cites: list[Cite]
    ready: bool = False  # paper already normalised
    identity: str | None = None
    marks: tuple[Any, ...] = ()


def _marks(p: PaperIn, identity: str | None) -> tuple[int, ...]:
    """Hashes of what identifies a paper: each identifier (by column) and its identity text."""
    out = [
        hash((i, v))
        for i, v in enumerate((p.doi, p.arxiv, p.s2_id, p.corpus_id, p.openalex_id))
        if v is not None
    ]
    if identity is not None:
        out.append(hash((5, identity)))
    return tuple(out)


def has_json(conn: Any) -> bool:
    """Whether this SQLite has its JSON functions (built in since 3.38, usual before)."""
    try:
        return bool(conn.execute("SELECT json_extract('[7]', '$[0]')").fetchone()[0] == 7)
    except Exception:  # noqa: BLE001 - sqlite3.OperationalError: no such function
        return False


def _rows_sql(conn: Any, name: str, rows: list[Any] | str) -> None:
    """Insert rows (a list of tuples, or them as one JSON array) into table ``name``."""
    plain, as_json = _INSERTS[name]
    if isinstance(rows, str):
        conn.execute(as_json, (rows,))
    elif rows:
        conn.executemany(plain, rows)


def _write(
    conn: Any,
    papers: list[Any] | str,
    cites: list[Any] | str,
    labels: list[Any] | str,
    contexts: list[Any] | str,
    pairs: list[Any] | str | None,
    *,
    fts: bool = False,
) -> None:
    """Insert one batch of new papers and their edges (on the insert thread); with ``fts``
    (the search index suspended), index them too, in one statement a table."""
    # what is written here itself is not noted for a refresh (see citetui.store.fts)
    direct = (["pairs_direct"] if pairs is not None else []) + (["fts_direct"] if fts else [])
    if fts:
        after = [
            conn.execute(f"SELECT coalesce(max(id), 0) FROM {t}").fetchone()[0]
            for t in ("papers", "contexts")
        ]
    if direct:
        conn.execute(f"UPDATE search_state SET value = 1 WHERE key IN ({_in_list(direct)})")
    _rows_sql(conn, "papers", papers)
    _rows_sql(conn, "cites", cites)
    _rows_sql(conn, "labels", labels)
    if contexts:
        _rows_sql(conn, "contexts", contexts)
    if direct:
        conn.execute(f"UPDATE search_state SET value = 0 WHERE key IN ({_in_list(direct)})")
    if pairs is not None:
        _rows_sql(conn, "pairs", pairs)
    if fts:
        index_new(conn, after[0], after[1] if contexts else None)


def _in_list(keys: list[str]) -> str:
    return ", ".join(f"'{k}'" for k in keys)


def _spill(conn: Any, items: list[Any] | str) -> None:
    """Write record keys and paper ids to ``temp.bulk_keys`` (on the insert thread, as JSON)."""
    _rows_sql(conn, "keys", items)


class MarkSet:
    """A set of marks (64-bit hashes) at 8 bytes each, where a Python set takes ~70.

    The newest are in a set; when it fills, they are sorted into an array, and arrays
    of like size are merged (so there are few, found by bisection). A bitmap indexed by
    the mark's low bits answers "not there" for most marks not held, at one lookup.
    """

    RECENT = 1 << 17
    BITS = 1 << 26  # 8 MB: 1 in 27 marks not held passes it at 2.5M held (a 1M import)

    def __init__(self, bits: int | None = None) -> None:
        self.recent: set[int] = set()
        self.runs: list[array[int]] = []
        self.nbits = bits or self.BITS
        self.bits = bytearray(self.nbits >> 3)
        self.size = 0

    def __contains__(self, mark: int) -> bool:
        b = mark & (self.nbits - 1)
        if not self.bits[b >> 3] & (1 << (b & 7)):
            return False
        if mark in self.recent:
            return True
        for run in self.runs:
            i = bisect_left(run, mark)
            if i < len(run) and run[i] == mark:
                return True
        return False

    def update(self, marks: Iterable[int]) -> None:
        bits, mask, recent = self.bits, self.nbits - 1, self.recent
        for m in marks:
            b = m & mask
            bits[b >> 3] |= 1 << (b & 7)
            recent.add(m)
        if len(recent) >= self.RECENT:
            self._seal()

    def _seal(self) -> None:
        run = array("q", sorted(self.recent))
        self.size += len(run)
        self.recent = set()
        while self.runs and len(self.runs[-1]) <= 2 * len(run):
            run = array("q", merge(self.runs.pop(), run))
        self.runs.append(run)

    def count(self) -> int:
        """About how many marks are held (repeats counted again)."""
        return self.size + len(self.recent)


class KeyMap:
    """Record key -> paper id for one import, in bounded memory: the ``MAX_KEYS`` newest in
    a dict (and hubs always, later records cite them), the others in ``temp.bulk_keys``.

    The hashes of the spilled keys (a :class:`MarkSet`) answer "not there" for almost every
    new key at no cost; only a "maybe" (a real repeat, or two keys of one hash) reads the
    temporary table, after the insert thread is done with the connection (``wait``)."""

    def __init__(
        self, conn: Any, wait: Callable[[], None], submit: Callable[..., None] | None = None
    ):
        self.conn = conn
        self.wait = wait
        self.submit = submit  # runs a write on the insert thread, after the batches before it
        self.mem: dict[str, int] = {}
        self.pinned: dict[str, int] = {}
        self.spilled: MarkSet | None = None  # made at the first spill

    def _maybe_spilled(self, key: str) -> bool:
        return self.spilled is not None and hash(key) in self.spilled

    def get(self, key: str) -> int | None:
        pid = self.mem.get(key)
        if pid is None:
            pid = self.pinned.get(key)
        if pid is None and self._maybe_spilled(key):
            self.wait()
            row = self.conn.execute(
                "SELECT id FROM temp.bulk_keys WHERE key = ?", (key,)
            ).fetchone()
            pid = row[0] if row else None
        return pid

    def __contains__(self, key: object) -> bool:
        return isinstance(key, str) and self.get(key) is not None

    def __getitem__(self, key: str) -> int:
        pid = self.get(key)
        if pid is None:
            raise KeyError(key)
        return pid

    def __setitem__(self, key: str, pid: int) -> None:
        self.mem[key] = pid

    def pin(self, key: str, pid: int) -> None:
        """Keep this key in memory for the whole import (a hub)."""
        self.pinned[key] = pid

    def spill_if_full(self) -> None:
        """Move the keys in memory to the temporary table once there are too many."""
        if len(self.mem) <= MAX_KEYS:
            return
        if self.spilled is None:
            self.wait()
            self.spilled = MarkSet(bits=1 << 24)  # 2 MB: keys are looked up less often
            self.conn.execute(
                "CREATE TEMP TABLE IF NOT EXISTS bulk_keys "
                "(key TEXT PRIMARY KEY, id INTEGER NOT NULL) WITHOUT ROWID"
            )
        self.spilled.update(map(hash, self.mem))
        if self.submit is not None:  # a key looked up there waits for the insert thread first
            self.submit(_spill, list(self.mem.items()))
        else:
            _spill(self.conn, list(self.mem.items()))
        self.mem = {}

    def close(self) -> None:
        if self.spilled is not None:
            self.conn.execute("DROP TABLE IF EXISTS temp.bulk_keys")


class BulkWriter:
    """Batches records for a Writer; ``finish()`` writes what is pending and restores indexes;
    ``close()`` (always, also after an error) waits for the insert thread and stops it."""

    def __init__(self, writer: Writer, batch: int = 5000):
        self.writer = writer
        self.conn = conn = writer.conn
        self.batch = batch
        self.pending: list[_Rec] = []
        self.pending_keys: set[str] = set()
        self.ids = KeyMap(conn, self._wait, self._submit_job)
        n = conn.execute("SELECT count(*) FROM papers").fetchone()[0]
        # marks of papers known: the library's (unless huge), this import's
        self.seen: MarkSet | set[int] = MarkSet()
        self.in_memory = n <= MEMORY_MARKS
        if self.in_memory and n:
            cols = ", ".join(ID_COLUMNS)
            cur = conn.execute(f"SELECT {cols}, norm_title FROM papers")
            while rows := cur.fetchmany(10_000):
                marks = []
                for *vals, norm in rows:
                    marks += [hash((i, v)) for i, v in enumerate(vals) if v is not None]
                    if norm is not None:
                        marks.append(hash((5, norm)))
                self.seen.update(marks)
        # records that may repeat a paper, for the Writer (see the module docstring)
        self.later: list[_Rec] = []
        self.later_marks: set[int] = set()
        # a big import (search index suspended) may drop indexes while it inserts
        self.may_drop = self.index_fts = suspended(conn)
        self.dropped: list[str] = []  # CREATE INDEX statements to run again
        self.pairs = has_pairs(conn)
        self.json = has_json(conn)
        self.next_id: int | None = None  # the id of the next fast-path paper
        self._pool: ThreadPoolExecutor | None = None
        self._flight: deque[Future[Any]] = deque()
        # The cyclic garbage collector walked each batch's objects every 700 allocations
        # and found nothing (records make no reference cycles; reference counting frees
        # them): 15 s of a 1M-record import. It is off until close().
        self._gc_was_on = gc.isenabled()
        gc.disable()
        # Each statement of the insert thread hands the interpreter lock back and forth
        # with the reading thread, which holds it until asked and then for up to the
        # switch interval (5 ms): with a dozen statements a batch, the insert thread spent
        # a third of its time waiting (a 1M import: 104 s busy, 70 s of it working).
        self._switch = sys.getswitchinterval()
        sys.setswitchinterval(min(self._switch, SWITCH_INTERVAL))

    # -- records ----------------------------------------------------------

    def add(self, key: str, paper: PaperIn, cites: list[Cite], *, ready: bool = False) -> None:
        """Queue one record (its cites must name papers already written, by id); ``ready``:
        the paper is already normalised."""
        self.pending.append(_Rec(key, paper, cites, ready))
        self.pending_keys.add(key)
        if len(self.pending) >= self.batch:
            self._flush_batch()

    def write_now(self, key: str, paper: PaperIn) -> int:
        """Write one paper through the Writer at once (a hub: later records cite it)."""
        self.flush()
        self._sync()
        p = normalised(paper)
        pid = self.writer.upsert_paper(p)
        self.ids[key] = pid
        self.ids.pin(key, pid)
        self.seen.update(_marks(p, _identity(p.title, p.summary)))
        return pid

    def flush(self) -> None:
        """Write every pending record, also those queued for the Writer (new papers possibly
        still in flight: see _sync)."""
        self._flush_batch()
        self._write_later()

    def _flush_batch(self) -> None:
        """Insert the pending batch's new papers; queue the others for the Writer."""
        recs, self.pending = self.pending, []
        if not recs:
            return
        for r in recs:
            p = r.paper
            if not r.ready:
                p = r.paper = normalised(p)
                if p.title is None and p.summary is None and not p.has_ids():
                    raise ValueError("a paper needs a title, a summary or an identifier")
            r.identity = _identity(p.title, p.summary)
            r.marks = _marks(p, r.identity)
        if self.in_memory and isinstance(self.seen, MarkSet) and self.seen.count() > MAX_MARKS:
            self._sync()  # the papers' indexes back (sorted, once), then ask them
            self.in_memory = False
            self.may_drop = False
        if not self.in_memory:
            self.seen = set()  # this batch's own marks only: earlier ones are in the library
        known = set() if self.in_memory else self._known(recs)
        fast: list[_Rec] = []
        slow: list[_Rec] = []
        seen, queued = self.seen, self.later_marks
        for r in recs:
            if (
                id(r) in known
                or any(m in seen or m in queued for m in r.marks)
                or (len(r.cites) > 1 and len({c.cited for c in r.cites}) != len(r.cites))
            ):
                slow.append(r)
                queued.update(r.marks)  # a later record like it waits behind it
            else:
                fast.append(r)
            seen.update(r.marks)
        self._insert_new(fast)
        self.later += slow
        self.pending_keys = {r.key for r in self.later}
        if len(self.later) >= MAX_LATER:
            self._write_later()
        self.ids.spill_if_full()

    def _write_later(self) -> None:
        """Write the queued records through the Writer, in their order."""
        recs, self.later, self.later_marks = self.later, [], set()
        self.pending_keys = set()
        if not recs:
            return
        self._sync()
        w = self.writer
        for r in recs:
            pid = w.upsert_paper(r.paper)
            self.ids[r.key] = pid
            for c in r.cites:
                w.upsert_citation(
                    pid,
                    c.cited,
                    roles=c.roles,
                    polarity=c.polarity,
                    influential=c.influential,
                    contexts=c.contexts,
                    source=c.source,
                )

    def finish(self) -> None:
        """Write what is pending and create the dropped indexes again."""
        self.flush()
        self._sync()
        self.ids.close()

    def close(self) -> None:
        """Wait for the insert thread and stop it (errors of a failed import are dropped)."""
        try:
            self._wait()
        except Exception:  # noqa: BLE001 - the import already failed; the caller rolls back
            pass
        finally:
            if self._pool is not None:
                self._pool.shutdown(wait=True)
                self._pool = None
            if self._gc_was_on:
                gc.enable()
            sys.setswitchinterval(self._switch)

    # -- the insert thread and the indexes ----------------------------------

    def _wait(self) -> None:
        """Wait for every batch in flight (raising its error, if any)."""
        while self._flight:
            self._flight.popleft().result()

    def _sync(self) -> None:
        """Make the connection ours and the library whole: batches written, indexes back,
        the next id read again (the Writer may add papers)."""
        self._wait()
        self.next_id = None
        if self.dropped:  # once they were needed, keep them
            self.may_drop = False
            for sql in self.dropped:
                self.conn.execute(sql)
            self.dropped = []

    def _submit_job(self, job: Callable[..., None], *batch: Any) -> None:
        """Run ``job(conn, *batch)`` on the insert thread (its lists sent as JSON)."""
        if not IN_FLIGHT or not self.json:
            job(self.conn, *batch)  # executemany on another thread only slows it down
            return
        batch = tuple(b if b is None else _encode(b) for b in batch)
        while len(self._flight) >= IN_FLIGHT:
            self._flight.popleft().result()
        if self._pool is None:
            self._pool = ThreadPoolExecutor(1, thread_name_prefix="citetui-bulk")
        self._flight.append(self._pool.submit(job, self.conn, *batch))

    def _drop_indexes(self) -> None:
        self.may_drop = False
        marks = ",".join("?" * len(_DROPPABLE))
        rows = self.conn.execute(
            f"SELECT name, sql FROM sqlite_master WHERE type = 'index' AND name IN ({marks})",
            _DROPPABLE,
        ).fetchall()
        for name, sql in rows:
            if name.startswith("idx_papers_") and not self.in_memory:
                continue  # the duplicate check reads the library through them
            self.conn.execute(f"DROP INDEX {name}")
            self.dropped.append(sql)

    # -- batches ----------------------------------------------------------

    def _known(self, recs: list[_Rec]) -> set[int]:
        """Records that may match a paper already in the library (by id() of the record)."""
        self._wait()
        out: set[int] = set()
        for col in ID_COLUMNS:
            by_val: dict[str, Any] = {}
            for r in recs:
                v = getattr(r.paper, col)
                if v is not None:
                    by_val.setdefault(v, []).append(r)
            vals = list(by_val)
            for i in range(0, len(vals), 500):
                chunk = vals[i : i + 500]
                sql = f"SELECT {col} FROM papers WHERE {col} IN ({','.join('?' * len(chunk))})"
                for (v,) in self.conn.execute(sql, chunk):
                    out.update(id(r) for r in by_val.get(v, ()))
        by_ident: dict[str, Any] = {}
        for r in recs:
            if r.identity is not None:
                by_ident.setdefault(r.identity, []).append(r)
        vals = list(by_ident)
        for i in range(0, len(vals), 500):
            chunk = vals[i : i + 500]
            sql = (
                f"SELECT norm_title FROM papers WHERE norm_title IN ({','.join('?' * len(chunk))})"
            )
            for (v,) in self.conn.execute(sql, chunk):
                out.update(id(r) for r in by_ident.get(v, ()))
        return out

    def _insert_new(self, recs: list[_Rec]) -> None:
        if not recs:
            return
        if self.next_id is None or self.may_drop:
            self._wait()
            if self.may_drop:
                self._drop_indexes()
            self.next_id = (self.conn.execute("SELECT max(id) FROM papers").fetchone()[0] or 0) + 1
        w = self.writer
        source = w.source
        pid = self.next_id
        papers, cites, labels, contexts = [], [], [], []
        pairs: list[Any] | None = [] if self.pairs else None
        ids = self.ids
        for r in recs:
            p = r.paper
            ids[r.key] = pid
            papers.append(
                (
                    pid,
                    p.title,
                    p.year,
                    p.venue,
                    p.abstract,
                    p.summary,
                    p.summary_source,
                    p.url,
                    p.citation_count,
                    p.doi,
                    p.arxiv,
                    p.s2_id,
                    p.corpus_id,
                    p.openalex_id,
                    r.identity,
                    _authors_json(p.authors) if p.authors else None,
                    source,
                )
            )
            if pairs is not None and p.title:
                text = title_pairs(p.title)
                if text:
                    pairs.append((pid, text))
            for c in r.cites:
                src = c.source or source
                roles = [x for x in c.roles if x] if c.roles else None
                infl = None if c.influential is None else int(bool(c.influential))
                cites.append(
                    (
                        pid,
                        c.cited,
                        roles_column(roles) if roles else None,
                        c.polarity,
                        infl,
                        src,
                        p.year,
                    )
                )
                if roles:
                    labels += [(pid, c.cited, "role", v, src) for v in sorted(set(roles))]
                if c.polarity is not None:
                    labels.append((pid, c.cited, "polarity", c.polarity, src))
                if c.contexts:
                    ctx = [(t, json.dumps(sorted(set(rs)))) for t, rs in c.contexts if t]
                    contexts += [(pid, c.cited, i, t, rs, src) for i, (t, rs) in enumerate(ctx)]
            pid += 1
        self.next_id = pid
        self._submit_job(
            partial(_write, fts=self.index_fts), papers, cites, labels, contexts, pairs
        )
        w.added["papers"] += len(papers)
        if cites:
            w.added["citations"] += len(cites)
        if contexts:
            w.added["contexts"] += len(contexts)


__all__ = ["BulkWriter", "Cite", "normalised"]
