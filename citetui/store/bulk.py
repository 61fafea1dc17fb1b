"""The one way imported records reach the library: a batch at a time, in a few statements.

Every format maps its records onto :class:`~citetui.core.models.PaperRecord` (a paper)
and :class:`~citetui.core.models.CiteRecord` (a citation from or to it) and hands them
to a :class:`BulkWriter`. The :class:`~citetui.store.write.Writer`'s one-record calls
(``upsert_paper``, ``upsert_citation``) are a batch of one through the same code, so a
paper and its edges come out the same whichever way they were written.

A batch (``BATCH`` records):

1. **Identity.** Each paper is normalised (:func:`citetui.core.records.normalised`) and
   looked up by :mod:`citetui.store.identity`: the candidates of the whole batch at once,
   then their rows in one read; each candidate is checked against its current row.
2. **Papers.** A record that is a paper already joins it by the rule of
   :mod:`citetui.core.records` (in Python, the one place the rule is written); the
   others become new papers, with ids after the library's. Then one INSERT of the new
   papers and one UPDATE per set of changed columns (only those: a grown citation count
   does not touch the title, which the search index and its title pairs watch).
3. **Edges** (:mod:`citetui.store.edges`): the known ones read in one join, then one
   statement a kind of write.
4. **Search.** In a big import (index suspended) the batch indexes its own new rows
   (:func:`citetui.store.fts.index_new_papers`); otherwise the triggers do.

When one record names two papers of the library (a DOI of one, an arXiv id of the other),
the later is folded into the earlier (:func:`citetui.store.merge.merge_papers`) at the end
of the batch, or, in a big import, at the end of the import, when the library's indexes
are back; meanwhile every reference to it is redirected.
"""

from __future__ import annotations

import json
from collections.abc import Iterable, Iterator, Sequence
from typing import TYPE_CHECKING, Any

from citetui.core import records as rec
from citetui.core.models import CiteRecord, PaperRecord
from citetui.store import fts
from citetui.store.edges import EdgeOp, check_labels, write_edges
from citetui.store.identity import Identity, Ids
from citetui.store.keymap import KeyMap
from citetui.store.merge import merge_papers

if TYPE_CHECKING:
    from citetui.store.write import Writer

BATCH = 10_000  # records a batch (RSS at 1M: 50k batches peaked 100 MB higher, no faster)
_encode = json.JSONEncoder(ensure_ascii=False).encode  # as json.dumps(x, ensure_ascii=False)
_COLUMNS = (*rec.PAPER_FIELDS, "authors", "norm_title")
_INSERT = (
    f"INSERT INTO papers (id, {', '.join(_COLUMNS)}, source) "
    f"VALUES ({', '.join('?' * (len(_COLUMNS) + 2))})"
)
_IDS = rec.ID_SLICE.start


def authors_json(authors: Sequence[str]) -> str | None:
    """The stored form of an author list: json.dumps(authors, ensure_ascii=False), quickly
    when no name needs escaping."""
    if not authors:
        return None
    if not any('"' in a or "\\" in a or not a.isprintable() for a in authors):
        return '["' + '", "'.join(authors) + '"]'
    return _encode(list(authors))


def is_stub(p: PaperRecord) -> bool:
    """Whether a record names a paper by its identifiers only (a referenced work, a focal
    paper): it is counted when it adds or changes a paper, not as a paper left unchanged."""
    return (
        p.title is None
        and p.summary is None
        and p.abstract is None
        and p.venue is None
        and p.year is None
        and p.citation_count is None
        and p.url is None
        and not p.authors
    )


class _Row:
    """A paper as the batch will leave it: its stored values (PAPER_FIELDS), authors (as
    stored: JSON) and identity text; ``orig`` is what the library holds (None: new)."""

    __slots__ = ("pid", "vals", "authors", "norm", "orig", "_key")

    def __init__(
        self, pid: int, vals: list[Any], authors: str | None, norm: str | None, orig: bool
    ) -> None:
        self.pid, self.vals, self.authors, self.norm = pid, vals, authors, norm
        self.orig: tuple[Any, ...] | None = (*vals, authors, norm) if orig else None
        self._key: Any = False

    @property
    def ids(self) -> list[Any]:
        return self.vals[rec.ID_SLICE]

    @property
    def key(self) -> rec.TitleKey | None:
        if self._key is False:
            self._key = rec.title_key(
                self.norm, self.vals[1], json.loads(self.authors) if self.authors else None
            )
        return self._key  # type: ignore[no-any-return]


class _Item:
    """One queued record: its paper, key, citations and hub mark; its paper id once written."""

    __slots__ = ("paper", "key", "cites", "cited_by", "hub", "pid", "pin", "slots", "origin")

    def __init__(
        self,
        paper: PaperRecord | None,
        key: str | None,
        cites: Sequence[CiteRecord],
        cited_by: Sequence[CiteRecord],
        hub: tuple[str | None, str | None] | None,
        pin: bool,
        origin: int | str | PaperRecord | None = None,
    ) -> None:
        self.paper, self.key, self.cites, self.cited_by = paper, key, cites, cited_by
        self.hub, self.pin, self.origin = hub, pin, origin
        self.pid = 0
        self.slots: list[int] = []


class BulkWriter:
    """Batches of records for one :class:`~citetui.store.write.Writer` (its source, counts
    and skipped records); ``flush()`` writes what is queued."""

    def __init__(self, writer: Writer, batch: int = BATCH) -> None:
        self.w = writer
        self.conn = writer.conn
        self.identity: Identity = writer.identity
        self.batch = batch
        self.queue: list[_Item] = []
        self.queued_keys: set[str] = set()
        self.keys = KeyMap(self.conn)
        self._rows: dict[int, _Row] = {}
        self.records = 0  # records queued so far (for a progress display)

    # -- the queue --------------------------------------------------------------------

    def add(
        self,
        paper: PaperRecord | None,
        *,
        key: str | None = None,
        cites: Sequence[CiteRecord] = (),
        cited_by: Sequence[CiteRecord] = (),
        hub: tuple[str | None, str | None] | None = None,
        pin: bool = False,
    ) -> _Item:
        """Queue a record: a paper (None: only the citations, between papers named by their
        targets) with its citations to (``cites``) and from (``cited_by``) other papers;
        ``key`` names it for later citations (``pin``: for the whole file); ``hub`` marks
        it as a hub with (tier, verdict). Its paper id is ``.pid`` once flushed."""
        item = _Item(paper, key, cites, cited_by, hub, pin)
        self.queue.append(item)
        self.records += 1
        if key is not None:
            self.queued_keys.add(key)
        if len(self.queue) >= self.batch:
            self.flush()
        return item

    def known(self, key: str) -> bool:
        """Whether a record of this file (written or queued) has this key."""
        return key in self.queued_keys or key in self.keys

    def pid(self, key: str) -> int | None:
        """The paper id of a written record's key."""
        pid = self.keys.get(key)
        return None if pid is None else self.identity.final(pid)

    def write_one(self, paper: PaperRecord) -> int:
        """Write one paper now (after what is queued); its id."""
        item = self.add(paper)
        self.flush()
        return item.pid

    def edge(self, citing: int | str | PaperRecord, cite: CiteRecord) -> None:
        """Queue a citation from ``citing`` (a paper id, a record key or a paper) to the
        paper ``cite`` names."""
        self.queue.append(_Item(None, None, [cite], (), None, False, citing))
        if len(self.queue) >= self.batch:
            self.flush()

    def close(self) -> None:
        """Forget the file's keys (after the last flush)."""
        self.keys.close()

    # -- a batch ----------------------------------------------------------------------

    def flush(self) -> None:
        """Write the queued records: papers, then keys, hubs and citations."""
        items, self.queue = self.queue, []
        self.queued_keys = set()
        if not items:
            return
        papers: list[PaperRecord] = []
        for it in items:
            it.slots = []
            if it.paper is not None:
                it.slots.append(len(papers))
                papers.append(it.paper)
            if isinstance(it.origin, PaperRecord):
                it.slots.append(len(papers))
                papers.append(it.origin)
            for c in (*it.cites, *it.cited_by):
                if isinstance(c.target, PaperRecord):
                    it.slots.append(len(papers))
                    papers.append(c.target)
        pids = self._papers(papers)
        final = self.identity.final
        ops: list[EdgeOp] = []
        for it in items:
            slots = iter(it.slots)
            if it.paper is not None:
                it.pid = pids[next(slots)]
                if it.key is not None:
                    self.keys[it.key] = it.pid
                    if it.pin:
                        self.keys.pin(it.key, it.pid)
            elif it.origin is not None:
                it.pid = self._target(it.origin, pids, slots)
            for c in it.cites:
                ops.append(self._op(it.pid, self._target(c.target, pids, slots), c))
            for c in it.cited_by:
                ops.append(self._op(self._target(c.target, pids, slots), it.pid, c))
        for it in items:
            if it.hub is not None:
                self.w.mark_hub(final(it.pid), tier=it.hub[0], verdict=it.hub[1])
        years = {pid: row.vals[1] for pid, row in self._rows.items()}
        new = {pid for pid, row in self._rows.items() if row.orig is None}
        self._rows = {}
        if ops:
            write_edges(self.w, [op for op in ops if op is not None], new, years)
        self.identity.end_batch()
        if not self.identity.memory:
            self.merge_now()
        self.keys.spill_if_full()

    def _target(self, t: int | str | PaperRecord, pids: list[int], slots: Iterator[int]) -> int:
        if isinstance(t, PaperRecord):
            return pids[next(slots)]
        if isinstance(t, str):
            known = self.keys.get(t)
            if known is None:
                raise ValueError(f"refers to unknown paper key {t!r}")
            return self.identity.final(known)
        return self.identity.final(int(t))

    def _op(self, citing: int, cited: int, c: CiteRecord) -> EdgeOp:
        check_labels(c.roles, c.polarity, c.contexts)
        citing, cited = self.identity.final(citing), self.identity.final(cited)
        ctx = [(t, json.dumps(sorted(set(r)))) for t, r in c.contexts if t] if c.contexts else []
        return EdgeOp(
            citing,
            cited,
            tuple(r for r in c.roles if r) if c.roles else (),
            c.polarity,
            None if c.influential is None else int(bool(c.influential)),
            ctx,
            c.source or self.w.source,
        )

    def merge_now(self) -> None:
        """Fold the papers found to be one (see the module)."""
        for keep, drop in self.identity.take_merges():
            merge_papers(self.conn, keep, drop)

    # -- papers -----------------------------------------------------------------------

    def _papers(self, records: list[PaperRecord]) -> list[int]:
        """Resolve, join and write a batch of papers; their ids, in order."""
        if not records:
            return []
        ident = self.identity
        looks: list[tuple[PaperRecord, Ids, str | None, rec.TitleKey | None]] = []
        for r in records:
            p = rec.normalised(r)
            if p.title is None and p.summary is None and not rec.has_ids(p):
                raise ValueError("a paper needs a title, a summary or an identifier")
            ids = (p.doi, p.arxiv, p.s2_id, p.corpus_id, p.openalex_id)
            text = rec.identity_text(p.title, p.summary)
            looks.append((p, ids, text, rec.title_key(text, p.year, p.authors)))
        rows = self._rows
        wanted = ident.prefetch([(ids, key) for _, ids, _, key in looks])
        self._read([pid for pid in wanted if pid not in rows])
        added = updated = unchanged = 0
        out = []
        for p, pids, text, key in looks:
            pid = self._resolve(pids, key)
            if pid == 0:
                pid = ident.next_pid()
                rows[pid] = _Row(pid, rec.values(p), authors_json(p.authors), text, False)
                ident.note(pid, pids, key)
                added += 1
            elif self._join(rows[pid], p):
                updated += 1
            elif not is_stub(p):
                unchanged += 1
            out.append(pid)
        self._write_papers()
        counts = self.w
        if added:
            counts.added["papers"] += added
        if updated:
            counts.updated["papers"] += updated
        if unchanged:
            counts.unchanged["papers"] += unchanged
        return out

    def _read(self, pids: Iterable[int]) -> None:
        """Read papers of the library into the batch's rows."""
        wanted = sorted(pids)
        for i in range(0, len(wanted), 20_000):
            chunk = _encode(wanted[i : i + 20_000])
            for pid, *vals, authors, norm in self.conn.execute(
                f"SELECT id, {', '.join(_COLUMNS)} FROM papers "
                "WHERE id IN (SELECT value FROM json_each(?))",
                (chunk,),
            ):
                self._rows[pid] = _Row(pid, vals, authors, norm, True)

    def _row(self, pid: int) -> _Row | None:
        row = self._rows.get(pid)
        if row is None:
            self._read([pid])
            row = self._rows.get(pid)
        return row

    def find(self, paper: PaperRecord) -> int | None:
        """The paper a record is, without writing anything (None: it would be new)."""
        p = rec.normalised(paper)
        ids = (p.doi, p.arxiv, p.s2_id, p.corpus_id, p.openalex_id)
        key = rec.title_key(rec.identity_text(p.title, p.summary), p.year, p.authors)
        self._read(self.identity.prefetch([(ids, key)]))
        pid = self._resolve(ids, key, fold=False)
        self._rows = {}
        self.identity.end_batch()
        return pid or None

    def _resolve(self, ids: Ids, key: rec.TitleKey | None, *, fold: bool = True) -> int:
        """The paper a record is (0: a new one); two or more: the first, the others folded
        into it (see the module)."""
        ident = self.identity
        found: set[int] = set()
        doubt = False
        for pid in ident.by_ids(ids):
            row = self._row(pid)
            if row is not None and any(
                v is not None and v == row.vals[_IDS + k] for k, v in enumerate(ids)
            ):
                found.add(ident.final(pid))
            else:
                doubt = True
        if doubt and not found and ident.memory:  # a 64-bit hash shared by two keys
            found = {ident.final(pid) for pid in ident.scan(ids)}
        if found:
            keep = min(found)
            for other in sorted(found - {keep}) if fold else ():
                ident.merge(keep, other)
                self.w.updated["merged papers"] += 1
            return keep
        if key is not None:
            for pid in ident.by_title(key):
                row = self._row(pid)
                if row is not None and row.key == key and not rec.conflicts(row.ids, ids):
                    return ident.final(pid)
        return 0

    def _join(self, row: _Row, p: PaperRecord) -> bool:
        """Join record ``p`` into ``row`` by the rule; whether it changed anything."""
        new = rec.values(p)
        old = row.vals
        if all(n is None or n == o for n, o in zip(new, old, strict=True)):
            vals = old
        else:
            vals = rec.join_values(old, new)
            for k in range(_IDS, _IDS + 5):
                v = vals[k]
                if v != old[k] and self._taken(k, v, row.pid):
                    vals[k] = old[k]  # another paper holds it: never two papers, one id
        authors = row.authors
        if p.authors:
            mine = authors_json(p.authors)
            if mine != authors:
                stored = json.loads(authors) if authors else []
                authors = authors_json(rec.join_authors(stored, p.authors))
        if authors == row.authors and (vals is old or vals == old):
            return False
        norm = row.norm
        if vals[0] != old[0] or vals[rec.SUMMARY] != old[rec.SUMMARY]:
            norm = rec.identity_text(vals[0], vals[rec.SUMMARY])
        before_ids, before_key = row.ids, row.key
        row.vals, row.authors, row.norm, row._key = vals, authors, norm, False
        after_ids, after_key = row.ids, row.key
        if before_ids != after_ids or before_key != after_key:
            gone = [b if b != a else None for b, a in zip(before_ids, after_ids, strict=True)]
            self.identity.forget(row.pid, gone, before_key if before_key != after_key else None)
            self.identity.note(row.pid, after_ids, after_key)
        return True

    def _taken(self, k: int, value: Any, pid: int) -> bool:
        """Whether a paper other than ``pid`` holds identifier ``value`` (PAPER_FIELDS[k]);
        one folded into ``pid`` still holds it until the fold moves it."""
        for other in self.identity.holders(k - _IDS, value):
            if other != pid:
                row = self._row(other)
                if row is not None and row.vals[k] == value:
                    return True
        return False

    def _write_papers(self) -> None:
        """Write the batch's changed and new papers (changed first: an identifier one paper
        gives up may be another's)."""
        groups: dict[tuple[int, ...], list[list[Any]]] = {}
        new: list[tuple[Any, ...]] = []
        source = self.w.source
        for pid, row in self._rows.items():
            now = (*row.vals, row.authors, row.norm)
            if row.orig is None:
                new.append((pid, *now, source))
            elif now != row.orig:
                cols = tuple(
                    i for i, (a, b) in enumerate(zip(now, row.orig, strict=True)) if a != b
                )
                groups.setdefault(cols, []).append([*(now[i] for i in cols), pid])
                row.orig = now
        for cols, params in groups.items():
            sets = ", ".join(f"{_COLUMNS[i]} = ?" for i in cols)
            self.conn.executemany(f"UPDATE papers SET {sets} WHERE id = ?", params)
        if not new:
            return
        new.sort()
        first = new[0][0] - 1
        direct = self.identity.memory
        pairs = direct and self.identity.has_pairs()
        with fts.writing_directly(self.conn, pairs=pairs, index=direct):
            self.conn.executemany(_INSERT, new)
        for row in (self._rows[n[0]] for n in new):
            row.orig = (*row.vals, row.authors, row.norm)
        if direct:
            fts.index_new_papers(self.conn, first)
            if pairs:
                texts = [(n[0], fts.title_pairs(n[1])) for n in new if n[1]]
                self.conn.executemany(
                    "INSERT INTO pairs_fts(rowid, pairs) VALUES (?, ?)", [x for x in texts if x[1]]
                )
