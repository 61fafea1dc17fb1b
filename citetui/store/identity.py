"""Which paper of the library a record names: its identifiers, or its title, year and first
author (the rule is :mod:`citetui.core.records`'), for one import transaction.

Two ways to ask, one answer:

- :class:`IndexIdentity` asks the library's indexes, a batch of records at a time. A
  small import into any library, a fetched page, the Writer outside an import.
- :class:`MemoryIdentity` holds every key of the library and of the import in memory
  (:class:`KeyTable`: 12 bytes a key, where a dict takes ~100), read in one pass over
  ``papers`` at the start. A big import drops the library's identifier and title
  indexes while it writes (random inserts into six indexes bigger than the page cache
  made the cost per record grow with the library: 28x more cache spills at 1M than at
  200k) and builds them again, sorted, at the end (:func:`restore_indexes`).

Either may answer a paper that is not the one (a 64-bit hash shared by two keys, a key a
paper no longer has): the writer checks every answer against the paper's current row.
When a check fails and nothing else matched, :meth:`Identity.scan` asks SQLite without
an index, exactly (a collision is about one in a million imports of a million papers).
"""

from __future__ import annotations

import json
from array import array
from collections.abc import Iterable, Sequence
from typing import Any

from citetui.core import ids as idn
from citetui.core.records import ID_COLUMNS, TitleKey

Ids = Sequence[Any]  # the five identifiers, in ID_COLUMNS order (None: absent)

# The indexes a big import drops while it writes and creates again, sorted, at the end.
# Nothing reads them meanwhile: identity is in memory, the merges of two library papers
# wait for the end (they move every reference of a paper, through idx_citations_hub_year).
DROPPABLE = (
    "idx_papers_doi",
    "idx_papers_arxiv",
    "idx_papers_s2_id",
    "idx_papers_corpus_id",
    "idx_papers_openalex_id",
    "idx_papers_norm_title",
    "idx_citations_hub_year",
)
MAX_PID = 2**32 - 1  # what a KeyTable slot holds
_TITLE = len(ID_COLUMNS)  # the key kind of a title key (after the identifier kinds)


def drop_indexes(conn: Any) -> list[str]:
    """Drop the DROPPABLE indexes; return the statements that create them again."""
    marks = ",".join("?" * len(DROPPABLE))
    rows = conn.execute(
        f"SELECT name, sql FROM sqlite_master WHERE type = 'index' AND name IN ({marks})",
        DROPPABLE,
    ).fetchall()
    for name, _ in rows:
        conn.execute(f"DROP INDEX {name}")
    return [sql for _, sql in rows]


def restore_indexes(conn: Any, statements: Iterable[str]) -> None:
    """Create the dropped indexes again (each in one sorted pass)."""
    for sql in statements:
        conn.execute(sql)


class KeyTable:
    """Key -> paper ids, as a multimap of 32-bit key hashes in one flat array of 8-byte slots
    (hash, paper id), open addressing (a dict of ints took ~100 bytes a key: 400 MB for a
    million papers' keys; this takes about 11).

    A key may be held by several papers (a title key), and two keys share their 32 bits
    about once in 4 billion lookups per key held: :meth:`get` answers candidates. A slot
    whose paper id is 0 is a pair taken away (its probe chain stays whole)."""

    LOAD = 0.7

    def __init__(self, capacity: int = 1 << 16) -> None:
        self.cap = max(1024, int(capacity))
        self.slots = array("Q", bytes(8 * self.cap))
        self.n = 0

    def get(self, fp: int) -> list[int]:
        """The paper ids held for hash ``fp``."""
        slots, cap = self.slots, self.cap
        i = fp % cap
        out: list[int] = []
        while True:
            s = slots[i]
            if not s:
                return out
            if s >> 32 == fp and s & 0xFFFFFFFF:
                out.append(s & 0xFFFFFFFF)
            i += 1
            if i == cap:
                i = 0

    def add(self, fp: int, pid: int) -> None:
        """Hold ``fp`` -> ``pid`` (once)."""
        slots, cap = self.slots, self.cap
        i = fp % cap
        free = -1
        want = fp << 32 | pid
        while True:
            s = slots[i]
            if s == want:
                return
            if not s:
                break
            if free < 0 and s == fp << 32:
                free = i  # a pair of this hash taken away: its slot is reused
            i += 1
            if i == cap:
                i = 0
        if free >= 0:
            slots[free] = want
            return
        slots[i] = want
        self.n += 1
        if self.n > self.LOAD * cap:
            self._grow()

    def remove(self, fp: int, pid: int) -> None:
        """Take ``fp`` -> ``pid`` away."""
        slots, cap = self.slots, self.cap
        i = fp % cap
        want = fp << 32 | pid
        while True:
            s = slots[i]
            if not s:
                return
            if s == want:
                slots[i] = fp << 32
                return
            i += 1
            if i == cap:
                i = 0

    def _grow(self) -> None:
        """Half as big again (doubling overshot the memory a big re-import may take)."""
        old = self.slots
        self.__init__(self.cap * 3 // 2)  # type: ignore[misc]
        slots, cap = self.slots, self.cap
        n = 0
        for s in old:
            if s & 0xFFFFFFFF:
                i = (s >> 32) % cap
                while slots[i]:
                    i += 1
                    if i == cap:
                        i = 0
                slots[i] = s
                n += 1
        self.n = n


def fingerprint(key: object) -> int:
    """The 32-bit hash of a key (never 0)."""
    h = hash(key)
    return (h ^ (h >> 32)) & 0xFFFFFFFF or 1


class Identity:
    """The papers a record may be (see the module): candidates, to be checked by the caller
    against the papers' current rows. Also the import's paper ids: the next new one, and
    where the papers folded into others went."""

    conn: Any
    memory = False

    def __init__(self, conn: Any) -> None:
        self.conn = conn
        self.redirect: dict[int, int] = {}  # a paper folded into another -> that one
        self.merges: list[tuple[int, int]] = []  # (keep, drop) waiting to be folded
        self._next = 0
        self._last = 0
        self._user: set[tuple[int, int]] | None = None
        self._pairs: bool | None = None

    def user_edges(self) -> set[tuple[int, int]]:
        """The citations the user labelled (their labels stay in force over an import's)."""
        if self._user is None:
            rows = self.conn.execute("SELECT DISTINCT citing_id, cited_id FROM user_labels")
            self._user = {(a, b) for a, b in rows}
        return self._user

    def user_labels_changed(self) -> None:
        """The import wrote a label override (a bundle's): read them again when asked."""
        self._user = None

    def has_pairs(self) -> bool:
        """Whether the library has the title-pairs index (schema v4 on)."""
        if self._pairs is None:
            from citetui.store.fts import has_pairs

            self._pairs = has_pairs(self.conn)
        return self._pairs

    def next_pid(self) -> int:
        """The id of the next new paper (never one the import used and folded away)."""
        if not self._next:
            top = self.conn.execute("SELECT max(id) FROM papers").fetchone()[0] or 0
            self._next = max(self._last + 1, top + 1)
        pid = self._next
        self._next += 1
        self._last = pid
        return pid

    def next_context(self, top: Any) -> int:
        """The id of the next new citation context: above every id the import has seen
        (``top``: a cursor over the library's largest, or nothing when none are added)."""
        if top:
            biggest = top.fetchone()[0] or 0
            self._contexts = max(self._contexts, biggest + 1)
        return self._contexts

    _contexts = 1

    def took_contexts(self, after: int) -> None:
        """Context ids up to ``after`` - 1 are taken."""
        self._contexts = max(self._contexts, after)

    def final(self, pid: int) -> int:
        """The paper ``pid`` is now (itself, unless it was folded into another)."""
        while pid in self.redirect:
            pid = self.redirect[pid]
        return pid

    def merge(self, keep: int, drop: int) -> None:
        """Paper ``drop`` is paper ``keep``: fold it in at :meth:`take_merges`' caller's time."""
        self.redirect[drop] = keep
        self.merges.append((keep, drop))

    def take_merges(self) -> list[tuple[int, int]]:
        """The folds waiting, in the order they were found (the list is emptied)."""
        out, self.merges = self.merges, []
        return out

    def prefetch(self, records: Sequence[tuple[Ids, TitleKey | None]]) -> set[int]:
        """Look a batch up at once; return the candidate papers (their rows are read next)."""
        raise NotImplementedError

    def by_ids(self, ids: Ids) -> set[int]:
        """Papers that may hold one of these identifiers."""
        raise NotImplementedError

    def by_title(self, key: TitleKey) -> list[int]:
        """Papers that may have this title key, in id order."""
        raise NotImplementedError

    def holders(self, kind: int, value: Any) -> list[int]:
        """The papers that may hold identifier ``value`` of kind ``kind``."""
        raise NotImplementedError

    def note(self, pid: int, ids: Ids, key: TitleKey | None) -> None:
        """Paper ``pid`` holds these identifiers and this title key now."""
        raise NotImplementedError

    def forget(self, pid: int, ids: Ids, key: TitleKey | None) -> None:
        """Paper ``pid`` no longer holds these identifiers or this title key."""

    def end_batch(self) -> None:
        """The batch is written: the library holds what was noted."""

    def scan(self, ids: Ids) -> list[int]:
        """The papers holding one of these identifiers, asked of the library exactly."""
        clauses = [f"{c} = ?" for c, v in zip(ID_COLUMNS, ids, strict=True) if v is not None]
        if not clauses:
            return []
        sql = f"SELECT id FROM papers WHERE {' OR '.join(clauses)} ORDER BY id"
        return [r[0] for r in self.conn.execute(sql, [v for v in ids if v is not None])]


class IndexIdentity(Identity):
    """Identity through the library's indexes, a batch of records in a few queries; what
    the running batch adds is held beside them until it is written."""

    CHUNK = 500  # values a query (SQLite allows 32766 variables; short IN lists plan well)

    def __init__(self, conn: Any) -> None:
        super().__init__(conn)
        self._ids: dict[tuple[int, Any], set[int]] = {}
        self._titles: dict[TitleKey, list[int]] = {}
        self._cached: set[tuple[int, Any]] = set()
        self._cached_titles: set[tuple[str, int | None]] = set()

    def prefetch(self, records: Sequence[tuple[Ids, TitleKey | None]]) -> set[int]:
        found: set[int] = set()
        for k, col in enumerate(ID_COLUMNS):
            vals = {ids[k] for ids, _ in records if ids[k] is not None} - {
                v for kk, v in self._cached if kk == k
            }
            for chunk in _chunks(sorted(vals, key=str), self.CHUNK):
                sql = f"SELECT id, {col} FROM papers WHERE {col} IN ({','.join('?' * len(chunk))})"
                for pid, v in self.conn.execute(sql, chunk):
                    self._ids.setdefault((k, v), set()).add(pid)
                    found.add(pid)
                self._cached.update((k, v) for v in chunk)
        pairs = {(key[0], key[1]) for _, key in records if key is not None} - self._cached_titles
        for text, year in pairs:
            rows = self.conn.execute(
                "SELECT id, authors FROM papers WHERE norm_title = ? AND year IS ? ORDER BY id",
                (text, year),
            ).fetchall()
            for pid, authors in rows:
                found_key = (text, year, idn.author_key(json.loads(authors) if authors else None))
                self._titles.setdefault(found_key, []).append(pid)
                found.add(pid)
            self._cached_titles.add((text, year))
        for ids, key in records:
            found |= self.by_ids(ids)
            if key is not None:
                found.update(self.by_title(key))
        return found

    def by_ids(self, ids: Ids) -> set[int]:
        out: set[int] = set()
        for k, v in enumerate(ids):
            if v is not None:
                out |= self._ids.get((k, v), set())
        return out

    def by_title(self, key: TitleKey) -> list[int]:
        return self._titles.get(key, [])

    def holders(self, kind: int, value: Any) -> list[int]:
        held = self._ids.get((kind, value))
        if held is None and (kind, value) not in self._cached:
            col = ID_COLUMNS[kind]
            row = self.conn.execute(f"SELECT id FROM papers WHERE {col} = ?", (value,)).fetchone()
            held = {row[0]} if row else set()
            self._ids[(kind, value)] = held
            self._cached.add((kind, value))
        return sorted(held or ())

    def note(self, pid: int, ids: Ids, key: TitleKey | None) -> None:
        for k, v in enumerate(ids):
            if v is not None:
                self._ids.setdefault((k, v), set()).add(pid)
                self._cached.add((k, v))
        if key is not None:
            pids = self._titles.setdefault(key, [])
            if pid not in pids:
                pids.append(pid)
                pids.sort()

    def end_batch(self) -> None:
        self._next = 0  # read again: the Writer outside an import may share the transaction
        self._ids.clear()
        self._titles.clear()
        self._cached.clear()
        self._cached_titles.clear()


def _chunks(values: list[Any], n: int) -> Iterable[list[Any]]:
    for i in range(0, len(values), n):
        yield values[i : i + n]


class MemoryIdentity(Identity):
    """Every key of the library and of the import in a :class:`KeyTable` (see the module)."""

    memory = True

    def __init__(self, conn: Any, expected_keys: int = 0) -> None:
        super().__init__(conn)
        held = conn.execute(
            "SELECT count(doi) + count(arxiv) + count(s2_id) + count(corpus_id) "
            "+ count(openalex_id) + count(norm_title) FROM papers"
        ).fetchone()[0]
        self.table = KeyTable((held + expected_keys) / KeyTable.LOAD + 1024)
        self._load()

    def _load(self) -> None:
        """Read every paper's keys, in one pass over the table (the first author by SQLite)."""
        add = self.table.add
        surnames: dict[str | None, str | None] = {}
        cur = self.conn.execute(
            "SELECT id, doi, arxiv, s2_id, corpus_id, openalex_id, norm_title, year, "
            "json_extract(authors, '$[0]') FROM papers"
        )
        while rows := cur.fetchmany(10_000):
            for pid, d, a, s2, c, o, norm, year, first in rows:
                if d is not None:
                    add(fingerprint((0, d)), pid)
                if a is not None:
                    add(fingerprint((1, a)), pid)
                if s2 is not None:
                    add(fingerprint((2, s2)), pid)
                if c is not None:
                    add(fingerprint((3, c)), pid)
                if o is not None:
                    add(fingerprint((4, o)), pid)
                if norm is not None:
                    if first not in surnames:
                        if len(surnames) > 100_000:
                            surnames.clear()
                        surnames[first] = idn.author_key([first] if first else None)
                    add(fingerprint((_TITLE, norm, year, surnames[first])), pid)

    def prefetch(self, records: Sequence[tuple[Ids, TitleKey | None]]) -> set[int]:
        found: set[int] = set()
        for ids, key in records:
            found |= self.by_ids(ids)
            if key is not None:
                found.update(self.by_title(key))
        return found

    def by_ids(self, ids: Ids) -> set[int]:
        get = self.table.get
        out: set[int] = set()
        for k, v in enumerate(ids):
            if v is not None:
                out.update(get(fingerprint((k, v))))
        return out

    def by_title(self, key: TitleKey) -> list[int]:
        return sorted(self.table.get(fingerprint((_TITLE, *key))))

    def holders(self, kind: int, value: Any) -> list[int]:
        return self.table.get(fingerprint((kind, value)))

    def note(self, pid: int, ids: Ids, key: TitleKey | None) -> None:
        add = self.table.add
        for k, v in enumerate(ids):
            if v is not None:
                add(fingerprint((k, v)), pid)
        if key is not None:
            add(fingerprint((_TITLE, *key)), pid)

    def forget(self, pid: int, ids: Ids, key: TitleKey | None) -> None:
        remove = self.table.remove
        for k, v in enumerate(ids):
            if v is not None:
                remove(fingerprint((k, v)), pid)
        if key is not None:
            remove(fingerprint((_TITLE, *key)), pid)
