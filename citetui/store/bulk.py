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

from citetui.core import ids as idn
from citetui.core import records as rec
from citetui.core.models import CiteRecord, PaperRecord
from citetui.store import fts
from citetui.store.edges import Bare, EdgeOp, check_labels, write_edges
from citetui.store.identity import (
    TITLE,
    Identity,
    Ids,
    Key,
    Look,
    fingerprint,
    id_hashes,
    keys_of,
)
from citetui.store.keymap import KeyMap
from citetui.store.manyrows import insert_rows
from citetui.store.merge import merge_papers
from citetui.store.prepared import Prepared

if TYPE_CHECKING:
    from citetui.store.write import Writer

# Records and citations a batch: an OpenAlex work with 15 references is 16 (its batch
# held 100k objects where an S2 edge's held 20k). 50k-record batches peaked 100 MB
# higher at 1M, for no speed.
BATCH = 20_000
_encode = json.JSONEncoder(ensure_ascii=False).encode  # as json.dumps(x, ensure_ascii=False)
_COLUMNS = (*rec.PAPER_FIELDS, "authors", "norm_title")
_INSERT = f"INSERT INTO papers (id, {', '.join(_COLUMNS)}, source)"
_IDS = rec.ID_SLICE.start
_UNSET: Any = object()  # an identity text not worked out yet


def authors_json(authors: Sequence[str]) -> str | None:
    """The stored form of an author list: json.dumps(authors, ensure_ascii=False), quickly
    when no name needs escaping."""
    if not authors:
        return None
    every = "".join(authors)
    if '"' not in every and "\\" not in every and every.isprintable():
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

    __slots__ = ("pid", "vals", "authors", "norm", "orig", "_key", "dirty", "gone")

    def __init__(
        self, pid: int, vals: list[Any], authors: str | None, norm: str | None, orig: bool
    ) -> None:
        self.pid, self.vals, self.authors, self.norm = pid, vals, authors, norm
        self.orig: tuple[Any, ...] | None = (*vals, authors, norm) if orig else None
        self._key: Any = False
        self.dirty = False  # joined with a record that changed it
        self.gone = False  # folded into another paper (see BulkWriter._fold)

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


def _holds(row: _Row, ids: Ids) -> bool:
    """Whether the paper holds one of these identifiers now."""
    return any(v is not None and v == row.vals[_IDS + k] for k, v in enumerate(ids))


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
        # The identifiers of library papers only a stub of the batch may be (see _read_ids)
        self._ids: dict[int, tuple[Any, ...]] = {}
        self._noted: dict[int, list[int]] = {}  # key hashes this batch gave papers
        self._aliases: dict[Key, int] = {}  # aliases this batch found (see _alias)
        self._surnames: dict[str, str | None] = {}
        # The title pairs of the batch's new papers, worked out ahead: id -> (title, pairs)
        self._pairs: dict[int, tuple[str | None, str]] = {}
        self.records = 0  # records queued so far (for a progress display)
        self.queued = 0  # records and citations queued (a batch is this many)

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
        self.queued += 1 + len(cites) + len(cited_by)
        if key is not None:
            self.queued_keys.add(key)
        if self.queued >= self.batch:
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
        self.queued += 1
        if self.queued >= self.batch:
            self.flush()

    def close(self) -> None:
        """Forget the file's keys (after the last flush). The batches' staging table stays
        for the next file: the import session drops it (see edges.drop_stage)."""
        self.keys.close()

    # -- a batch ----------------------------------------------------------------------

    def flush(self) -> None:
        """Write the queued records: papers, then keys, hubs and citations."""
        items, self.queue = self.queue, []
        self.queued_keys = set()
        self.queued = 0
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
        source = self.w.source
        ops: list[EdgeOp | Bare] = []
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
            if it.cites:
                citing = final(it.pid)
                for c in it.cites:
                    cited = self._target(c.target, pids, slots)
                    if c.roles or c.polarity is not None or c.influential is not None or c.contexts:
                        ops.append(self._op(citing, cited, c))
                    else:  # the pair alone, as most citations come (see edges.Bare)
                        ops.append((citing, final(cited), c.source or source))
            for c in it.cited_by:
                ops.append(self._op(self._target(c.target, pids, slots), it.pid, c))
            # A caller may keep the item for its pid (a /paper record embedding 1,000
            # citations); its citations are written: let them go (1.5 GB at 1M otherwise).
            it.cites = it.cited_by = ()
            it.slots = []
        for it in items:
            if it.hub is not None:
                self.w.mark_hub(final(it.pid), tier=it.hub[0], verdict=it.hub[1])
        years = {pid: row.vals[1] for pid, row in self._rows.items()}
        new = {pid for pid, row in self._rows.items() if row.orig is None}
        self._rows, self._ids = {}, {}
        if ops:
            write_edges(self.w, ops, new, years)
        self._noted = {}
        self.identity.batch_done()
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
        """Fold the papers found to be one (see the module). The citations of the folded
        paper are the kept one's now: the import's record of the citations it wrote
        (Identity.may_cite) learns them, or a citation of the kept paper the batch names
        again is taken for new and its INSERT fails (two files of one import: the first
        wrote B -> C, the second folds B into A and names A -> C)."""
        ident = self.identity
        for keep, drop in ident.take_merges():
            merge_papers(self.conn, keep, drop)
            ident.wrote_citations(
                self.conn.execute(
                    "SELECT citing_id, cited_id FROM citations WHERE citing_id = ? "
                    "UNION ALL SELECT citing_id, cited_id FROM citations WHERE cited_id = ?",
                    (keep, keep),
                )
            )

    # -- papers -----------------------------------------------------------------------

    def _papers(self, records: list[PaperRecord]) -> list[int]:
        """Resolve, join and write a batch of papers; their ids, in order."""
        if not records:
            return []
        ident = self.identity
        looks: list[Look] = []
        texts: list[tuple[PaperRecord, str | None, bool]] = []
        slot: list[int] = []  # each record's place in ``looks`` (a stub named again: the first)
        stubs: dict[int, int] = {}
        # A stub's identifiers as given -> its place: named again (a work cited by many
        # works of the batch), it is not normalised again: 848k of the 1.15M references
        # of 200k OpenAlex works (the benchmark's) named a work named before in the batch.
        given: dict[tuple[Any, ...], int] = {}
        for r in records:
            raw = None
            if type(r) is not Prepared and is_stub(r):
                raw = (r.doi, r.arxiv, r.s2_id, r.corpus_id, r.openalex_id)
                try:
                    first = given.get(raw)
                except TypeError:  # an identifier given as a list: normalised as before
                    raw = first = None
                if first is not None:
                    slot.append(first)
                    continue
            p = r if type(r) is Prepared else rec.normalised(r)
            ids = (p.doi, p.arxiv, p.s2_id, p.corpus_id, p.openalex_id)
            fps = id_hashes(ids)
            stub = len(fps) == 1 and is_stub(p)
            if stub:  # a referenced work, a focal paper: often named many times a batch
                first = stubs.setdefault(fps[0], len(looks))
                slot.append(first)
                if raw is not None:
                    given[raw] = first
                if first != len(looks):
                    continue
            else:
                slot.append(len(looks))
                if p.title is None and p.summary is None and not fps:
                    raise ValueError("a paper needs a title, a summary or an identifier")
            looks.append((ids, None, fps, 0))
            texts.append((p, _UNSET, stub))
        rows = self._rows
        # A paper holding all of a record's identifiers is the only one that may hold any
        # of them (never two papers, one identifier): its other identifiers are not looked
        # up. A re-import of a million S2 records, four identifiers each, spent 5 s on them.
        by_ids = ident.by_first_id(looks)
        wanted = {pid for i, found in enumerate(by_ids) if not texts[i][2] for pid in found}
        self._read(wanted - rows.keys())
        self._read_ids(
            {pid for i, found in enumerate(by_ids) if texts[i][2] for pid in found}
            - wanted
            - rows.keys()
        )
        rest = [
            i
            for i, look in enumerate(looks)
            if len(look[2]) > 1 and not self._one_holds(look[0], by_ids[i])
        ]
        for i, found in zip(rest, ident.by_other_ids([looks[i] for i in rest]), strict=True):
            if found:
                by_ids[i] = by_ids[i] + found
        # The title key only where no identifier may match (it costs a normalised title)
        titled = [i for i, found in enumerate(by_ids) if not found and not texts[i][2]]
        for i in titled:
            looks[i], texts[i] = self._titled(looks[i], texts[i][0])
        by_title: list[list[int]] = [[] for _ in looks]
        for i, found in zip(titled, ident.by_titles([looks[i] for i in titled]), strict=True):
            by_title[i] = found
        self._read(
            {pid for i in rest for pid in by_ids[i] if pid not in rows}
            | {pid for found in by_title for pid in found if pid not in rows}
        )
        added = updated = unchanged = 0
        pids = []
        noted = self._noted
        for i, (look, (p, text, stub)) in enumerate(zip(looks, texts, strict=True)):
            pid = self._resolve(look, by_ids[i], by_title[i], titled=text is not _UNSET, stub=stub)
            if pid < 0:  # no identifier matched after all: by title, then
                look, (p, text, stub) = self._titled(look, p)
                pid = self._resolve(look, [], ident.by_titles([look])[0])
            if pid == 0:
                if text is _UNSET:
                    look, (p, text, stub) = self._titled(look, p)
                pid = ident.next_pid()
                rows[pid] = _Row(pid, rec.values(p), authors_json(p.authors), text, False)
                if type(p) is Prepared and p.pairs is not None:
                    self._pairs[pid] = (p.title, p.pairs)
                fps = look[2] + [look[3]] if look[3] else look[2]
                ident.note(pid, fps)
                for fp in fps:
                    noted.setdefault(fp, []).append(pid)
                added += 1
            elif stub:
                pass  # it names the paper by the one identifier it has: nothing to join
            elif self._join(rows[pid], p):
                updated += 1
            else:
                unchanged += 1
            pids.append(pid)
        self._write_papers()
        self._pairs.clear()
        counts = self.w
        if added:
            counts.added["papers"] += added
        if updated:
            counts.updated["papers"] += updated
        if unchanged:
            counts.unchanged["papers"] += unchanged
        return pids if len(pids) == len(records) else [pids[i] for i in slot]

    def _one_holds(self, ids: Ids, pids: list[int]) -> bool:
        """Whether one of these papers (as read) holds every identifier in ``ids``."""
        doi, arxiv, s2, corpus, oa = ids
        for pid in pids:
            row = self._rows.get(pid)
            if row is None or row.gone:
                continue
            v = row.vals
            if (
                (doi is None or doi == v[_IDS])
                and (arxiv is None or arxiv == v[_IDS + 1])
                and (s2 is None or s2 == v[_IDS + 2])
                and (corpus is None or corpus == v[_IDS + 3])
                and (oa is None or oa == v[_IDS + 4])
            ):
                return True
        return False

    def _titled(self, look: Look, p: PaperRecord) -> tuple[Look, tuple[PaperRecord, Any, bool]]:
        """The record's look-up with its title key, and its identity text."""
        text = p.text if type(p) is Prepared else None
        if text is None:
            text = rec.identity_text(p.title, p.summary)
        if text is None:
            return look, (p, None, False)
        tkey = (text, p.year, self._surname(p.authors))
        return (look[0], tkey, look[2], hash((TITLE, *tkey)) or 1), (p, text, False)

    def _surname(self, authors: Sequence[str]) -> str | None:
        """The first author's surname, as a title key takes it (cached: names repeat)."""
        if not authors:
            return None
        first = authors[0]
        got = self._surnames.get(first, False)
        if got is False:
            if len(self._surnames) > 100_000:
                self._surnames.clear()
            got = self._surnames[first] = idn.author_key([first])
        return got  # type: ignore[return-value]

    def _read(self, pids: Iterable[int]) -> None:
        """Read papers of the library into the batch's rows."""
        for pid, *vals, authors, norm in self._select(_COLUMNS, pids):
            self._rows[pid] = _Row(pid, vals, authors, norm, True)

    def _read_ids(self, pids: Iterable[int]) -> None:
        """Read only the identifiers of papers that only stubs may be: a stub is checked
        against its candidate's identifiers and joins nothing. Whole, 20,000 random rows
        of a 1M OpenAlex library took 160 ms; their identifiers, 106 ms. (In the first
        quarter of a 1M OpenAlex re-import: 116,558 such papers, 250,383 read whole.)"""
        for pid, *vals in self._select(rec.PAPER_FIELDS[rec.ID_SLICE], pids):
            self._ids[pid] = tuple(vals)

    def _select(self, columns: Sequence[str], pids: Iterable[int]) -> Iterator[Any]:
        """(id, *columns) of these papers, in id order, 20,000 a query."""
        wanted = sorted(pids)
        for i in range(0, len(wanted), 20_000):
            yield from self.conn.execute(
                f"SELECT id, {', '.join(columns)} FROM papers "
                "WHERE id IN (SELECT value FROM json_each(?))",
                (_encode(wanted[i : i + 20_000]),),
            )

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
        look, _ = self._titled((ids, None, keys_of(ids, None), 0), p)
        ((by_ids,),) = (self.identity.by_ids([look]),)
        ((by_title,),) = (self.identity.by_titles([look]),)
        pid = self._resolve(look, by_ids, by_title, fold=False)
        self._rows = {}
        return pid if pid > 0 else None

    def _resolve(
        self,
        look: Look,
        by_ids: list[int],
        by_title: list[int],
        *,
        fold: bool = True,
        titled: bool = True,
        stub: bool = False,
    ) -> int:
        """The paper a record is (0: a new one); two or more: the first, the others folded
        into it (see the module). ``by_ids``/``by_title``: what identity found; the papers
        this batch noted are added, and each is checked against its current row. -1: no
        identifier matched, and its title key was not worked out (``titled``): ask again
        with it. ``stub``: a record of one identifier and nothing else, which a paper only
        this batch's stubs name is checked against by its identifiers alone."""
        ident, noted = self.identity, self._noted
        ids, tkey, fps, tfp = look
        cands = set(by_ids)
        for fp in fps:
            if fp in noted:
                cands.update(noted[fp])
        if not cands and not by_title and tfp not in noted:
            return 0 if titled else -1
        found: set[int] = set()
        doubt = False
        for pid in cands:
            if stub and pid not in self._rows and pid in self._ids:
                held = self._ids[pid]  # (nothing in this batch changed it)
                if any(v is not None and v == held[k] for k, v in enumerate(ids)) or self._known_as(
                    pid, ids
                ):
                    found.add(ident.final(pid))
                else:
                    doubt = True
                continue
            row = self._row(pid)
            if row is None or row.gone:
                continue  # (a paper folded into another holds nothing any more)
            if _holds(row, ids) or self._known_as(pid, ids):
                found.add(ident.final(pid))
            elif not row.dirty:  # not a key this batch took from it: two keys, one hash?
                doubt = True
        if doubt and not found and ident.memory:  # ask the library itself, then
            for pid in ident.scan(ids):
                row = self._row(pid)
                if (
                    row is not None
                    and not row.gone
                    and (_holds(row, ids) or self._known_as(pid, ids))
                ):
                    found.add(ident.final(pid))
        if found:
            keep = min(found)
            if fold:
                for other in sorted(found - {keep}):
                    self._fold(keep, other)
            if not stub or len(found) > 1:
                self._row(keep)  # (a paper another was folded into may not be read yet)
            return keep
        if not titled:
            return -1  # the caller looks the title up (it was not needed until now)
        if tkey is not None:
            for pid in sorted({*by_title, *noted.get(tfp, ())}):
                row = self._row(pid)
                if (
                    row is not None
                    and not row.gone
                    and row.key == tkey
                    and not rec.conflicts(row.ids, ids)
                ):
                    keep = ident.final(pid)
                    self._row(keep)
                    return keep
        return 0

    def _join(self, row: _Row, p: PaperRecord) -> bool:
        """Join record ``p`` into ``row`` by the rule; whether it changed anything."""
        lost: list[Key] = []
        changed = self._join_into(row, p, lost)
        for key in lost:  # (after the row's keys are settled: an alias is a key of it too)
            changed = self._alias(key, row.pid) or changed
        return changed

    def _join_into(self, row: _Row, p: PaperRecord, lost: list[Key]) -> bool:
        """_join; ``lost`` gets the identifiers the paper is also known by, of a kind it
        holds another value of."""
        new = rec.values(p)
        old = row.vals
        for n, o in zip(new, old, strict=True):
            if n is not None and n != o:
                break
        else:
            n = None
        if n is None:
            vals = old
        else:
            vals = rec.join_values(old, new)
            for k in range(_IDS, _IDS + 5):
                v, o = vals[k], old[k]
                if v != o and self._taken(k, v, row.pid):
                    vals[k] = o  # another paper holds it: never two papers, one id
                elif o is not None and new[k] is not None and new[k] != o:
                    other = o if v != o else new[k]  # two values of one kind: one is an alias
                    if other is o or not self._taken(k, other, row.pid):
                        lost.append((k - _IDS, other))
        authors = row.authors
        if p.authors:
            mine = authors_json(p.authors)
            if mine != authors:
                stored = json.loads(authors) if authors else []
                authors = authors_json(rec.join_authors(stored, p.authors))
        if authors == row.authors and (vals is old or vals == old):
            return False
        norm = row.norm
        renamed = vals[0] != old[0] or vals[rec.SUMMARY] != old[rec.SUMMARY]
        if renamed:
            norm = rec.identity_text(vals[0], vals[rec.SUMMARY])
        row.dirty = True
        if not (renamed or vals[1] != old[1] or authors != row.authors) and (
            vals[rec.ID_SLICE] == old[rec.ID_SLICE]
        ):  # its keys are what they were (a count grew, an abstract came)
            row.vals = vals
            return True
        before = keys_of(row.ids, row.key)
        row.vals, row.authors, row.norm, row._key = vals, authors, norm, False
        after = keys_of(row.ids, row.key)
        if before != after:
            gone, come = set(before) - set(after), [k for k in after if k not in before]
            self.identity.forget(row.pid, gone)
            self.identity.note(row.pid, come)
            for fp in gone:
                if row.pid in self._noted.get(fp, ()):
                    self._noted[fp].remove(row.pid)
            for fp in come:
                self._noted.setdefault(fp, []).append(row.pid)
        return True

    def _fold(self, keep: int, drop: int) -> None:
        """Paper ``drop`` is paper ``keep``: join it in now, so the rest of the import sees
        one paper (its identifiers, its title key). The library's rows that refer to it
        move later (:func:`~citetui.store.merge.merge_papers`): before this batch writes,
        or, in a big import, at its end; a paper this batch made is simply not written."""
        into, gone = self._row(keep), self._row(drop)
        assert into is not None and gone is not None
        ident, noted = self.identity, self._noted
        before, dropped = keys_of(into.ids, into.key), keys_of(gone.ids, gone.key)
        old = into.vals
        into.vals = rec.join_values(old, gone.vals)
        if gone.authors and gone.authors != into.authors:
            mine = json.loads(into.authors) if into.authors else []
            into.authors = authors_json(rec.join_authors(mine, json.loads(gone.authors)))
        if into.vals[0] != old[0] or into.vals[rec.SUMMARY] != old[rec.SUMMARY]:
            into.norm = rec.identity_text(into.vals[0], into.vals[rec.SUMMARY])
        into._key, into.dirty, gone.gone = False, True, True
        if into.orig is not None:  # the fold changes its row in the library too: write it all
            into.orig = (_UNSET,) * len(into.orig)
        after = keys_of(into.ids, into.key)
        ident.forget(drop, dropped)
        ident.forget(keep, [fp for fp in before if fp not in after])
        ident.note(keep, [fp for fp in after if fp not in before])
        for fp in dropped:
            if drop in noted.get(fp, ()):
                noted[fp].remove(drop)
        for fp in after:
            if fp not in before:
                noted.setdefault(fp, []).append(keep)
        if gone.orig is None:
            ident.redirect[drop] = keep  # made by this batch: never written
        else:
            ident.merge(keep, drop)
        # Its aliases, and the identifiers of a kind the two held two values of, are keep's
        moved = ident.aliases_of(drop) if gone.orig is not None else []
        moved += [key for key, pid in self._aliases.items() if pid == drop]
        ident.move_aliases(drop, keep)
        for k in range(_IDS, _IDS + 5):
            for v in (old[k], gone.vals[k]):
                if v is not None and v != into.vals[k]:
                    moved.append((k - _IDS, v))
        for key in moved:
            self._alias(key, keep)
            # The batch's look-ups were made before the fold and name ``drop`` for these
            # keys, which _resolve skips (gone): the rest of the batch finds keep by them.
            fp = fingerprint(key)
            if keep not in noted.get(fp, ()):
                noted.setdefault(fp, []).append(keep)
        self.w.updated["merged papers"] += 1

    def _alias(self, key: Key, pid: int) -> bool:
        """Paper ``pid`` is known by identifier ``key`` too (for the rest of the import, and
        in the library from this batch on: see schema._v9); whether that is news."""
        ident = self.identity
        if self._aliases.get(key) == pid or ident.alias_holder(key) == ident.final(pid):
            return False
        self._aliases[key] = pid
        ident.add_alias(key, pid)
        self._noted.setdefault(fingerprint(key), []).append(pid)
        return True

    def _known_as(self, pid: int, ids: Ids) -> bool:
        """Whether paper ``pid`` is known by one of these identifiers as an alias."""
        ident = self.identity
        pid = ident.final(pid)
        for k, v in enumerate(ids):
            if v is not None:
                by = self._aliases.get((k, v))
                if by is None:
                    by = ident.alias_holder((k, v))
                if by is not None and ident.final(by) == pid:
                    return True
        return False

    def _taken(self, k: int, value: Any, pid: int) -> bool:
        """Whether a paper other than ``pid`` holds identifier ``value`` (PAPER_FIELDS[k]);
        one folded into ``pid`` still holds it until the fold moves it."""
        key = (k - _IDS, value)
        for other in {*self.identity.holders(key), *self._noted.get(hash(key) or 1, ())}:
            if other != pid:
                row = self._row(other)
                if row is not None and not row.gone and row.vals[k] == value:
                    return True
        return False

    def _title_pairs(self, pid: int, title: str) -> str:
        """A new paper's title pairs: as worked out ahead, if its title is still the one."""
        ahead = self._pairs.get(pid)
        if ahead is not None and ahead[0] == title:
            return ahead[1]
        return fts.title_pairs(title)

    def _write_papers(self) -> None:
        """Write the batch's changed and new papers (changed first: an identifier one paper
        gives up may be another's), and its aliases."""
        if not self.identity.memory:
            self.merge_now()  # the folded papers' identifiers free for the papers they joined
        if self._aliases:
            final = self.identity.final
            self.identity.write_aliases(
                self.conn, {key: final(pid) for key, pid in self._aliases.items()}
            )
            self._aliases = {}
        groups: dict[tuple[int, ...], list[list[Any]]] = {}
        new: list[tuple[Any, ...]] = []
        source = self.w.source
        for pid, row in self._rows.items():
            if row.gone:
                continue
            if row.orig is None:
                new.append((pid, *row.vals, row.authors, row.norm, source))
            elif row.dirty:
                row.dirty = False
                now, orig = (*row.vals, row.authors, row.norm), row.orig
                cols = tuple([i for i in range(len(now)) if now[i] != orig[i]])
                if cols:
                    groups.setdefault(cols, []).append([*(now[i] for i in cols), pid])
                row.orig = now
        for cols, params in groups.items():
            sets = ", ".join(f"{_COLUMNS[i]} = ?" for i in cols)
            params.sort(key=lambda row: row[-1])  # in id order: each page of papers once
            self.conn.executemany(f"UPDATE papers SET {sets} WHERE id = ?", params)
        if not new:
            return
        new.sort()
        first = new[0][0] - 1
        direct = self.identity.memory
        pairs = direct and self.identity.has_pairs()
        with fts.writing_directly(self.conn, pairs=pairs, index=direct):
            insert_rows(self.conn, _INSERT, new)
        for row in (self._rows[n[0]] for n in new):
            row.orig = (*row.vals, row.authors, row.norm)
        if direct:
            fts.index_new_papers(self.conn, first)
            if pairs:
                texts = [(n[0], self._title_pairs(n[0], n[1])) for n in new if n[1]]
                self.conn.executemany(
                    "INSERT INTO pairs_fts(rowid, pairs) VALUES (?, ?)", [x for x in texts if x[1]]
                )
