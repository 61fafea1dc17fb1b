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
from collections.abc import Callable, Iterable, Sequence
from typing import Any

from citetui.core import ids as idn
from citetui.core.records import ID_COLUMNS, TitleKey

Ids = Sequence[Any]  # the five identifiers, in ID_COLUMNS order (None: absent)
Key = tuple[Any, ...]  # (kind, value) of an identifier, or (TITLE, text, year, surname)
# A record looked up: its identifiers, title key, and their hashes (see keys_of)
Look = tuple[Ids, TitleKey | None, list[int], int]

# The indexes a big import drops while it writes and creates again, sorted, at the end.
# Nothing reads them meanwhile: identity is in memory, the merges of two library papers
# wait for the end (they move every reference of a paper, through idx_citations_hub_year).
# And the trigger that fills a new citation's citing year: the bulk insert gives the year
# itself (citetui.store.edges), and the trigger made every INSERT of citations keep a
# statement journal (see citetui.store.manyrows) and update each row it had just
# written whose year was unknown. Dropped alone, before the inserts went a few hundred
# rows a statement, it took a 1M OpenAlex import from 134.8 to 109.0 s.
DROPPABLE = (
    "idx_papers_doi",
    "idx_papers_arxiv",
    "idx_papers_s2_id",
    "idx_papers_corpus_id",
    "idx_papers_openalex_id",
    "idx_papers_norm_title",
    "idx_citations_hub_year",
    "citations_year_ai",
)
MAX_PID = 2**32 - 1  # what a KeyTable slot holds
EDGE_BITS = 1 << 24  # 2 MB: the bitmap of the citations an import wrote
TITLE = len(ID_COLUMNS)  # the key kind of a title key (after the identifier kinds)


def drop_indexes(conn: Any) -> list[str]:
    """Drop the DROPPABLE indexes and trigger; return the statements that create them again."""
    marks = ",".join("?" * len(DROPPABLE))
    rows = conn.execute(
        "SELECT type, name, sql FROM sqlite_master "
        f"WHERE type IN ('index', 'trigger') AND name IN ({marks})",
        DROPPABLE,
    ).fetchall()
    for kind, name, _ in rows:
        conn.execute(f"DROP {kind.upper()} {name}")
    return [sql for _, _, sql in rows]


def restore_indexes(conn: Any, statements: Iterable[str]) -> None:
    """Create the dropped indexes (each in one sorted pass) and trigger again."""
    for sql in statements:
        conn.execute(sql)


class KeyTable:
    """Key -> paper ids, as a multimap of 64-bit key hashes in flat arrays (hash, paper id),
    open addressing: 12 bytes a slot (a dict of ints took ~100 bytes a key: 400 MB for a
    million papers' keys).

    The slots are in :attr:`SHARDS` parts (by the hash's low bits), each with its own
    arrays, and a part that fills grows alone: growing one table of a 1M re-import's
    keys held the old and new arrays at once, 150 MB, the import's peak. So a table may
    be sized by what is known and grow a part at a time for the rest.

    A key may be held by several papers (a title key); two keys share a hash about once
    in 10**19 lookups per key held, so :meth:`get` answers candidates, which the writer
    checks. A slot whose paper id is 0 is a pair taken away (its probe chain stays whole)."""

    # The most a part is filled; it grows by half then (so a part is 0.53-0.8 full).
    LOAD = 0.8
    # The part is the hash's low 6 bits (h & 63, written out in the hot methods) and the
    # slot comes from the bits left (h >> 6), so a part's slots are all used.
    SHARDS = 64

    def __init__(self, capacity: int | float = 1 << 16) -> None:
        per = max(16, int(capacity) // self.SHARDS + 1)
        # A part: [hashes, paper ids, slots, slots taken] (one lookup gets them all).
        self.parts: list[list[Any]] = [
            [array("q", bytes(8 * per)), array("I", bytes(4 * per)), per, 0]
            for _ in range(self.SHARDS)
        ]

    @property
    def n(self) -> int:
        """The slots taken (pairs held, and pairs taken away whose slot is not reused)."""
        return sum(part[3] for part in self.parts)

    @property
    def cap(self) -> int:
        return sum(part[2] for part in self.parts)

    def get(self, h: int) -> list[int]:
        """The paper ids held for hash ``h`` (never 0)."""
        hashes, pids, cap, _ = self.parts[h & 63]
        i = (h >> 6) % cap
        out: list[int] = []
        while True:
            k = hashes[i]
            if not k:
                return out
            if k == h:
                pid = pids[i]
                if pid:
                    out.append(pid)
            i += 1
            if i == cap:
                i = 0

    def add(self, h: int, pid: int) -> None:
        """Hold ``h`` -> ``pid`` (once)."""
        part = self.parts[h & 63]
        hashes, pids, cap, _ = part
        i = (h >> 6) % cap
        free = -1
        while True:
            k = hashes[i]
            if not k:
                break
            if k == h:
                held = pids[i]
                if held == pid:
                    return
                if not held and free < 0:
                    free = i  # a pair of this hash taken away: its slot is reused
            i += 1
            if i == cap:
                i = 0
        if free >= 0:
            pids[free] = pid
            return
        hashes[i] = h
        pids[i] = pid
        part[3] += 1
        if part[3] > self.LOAD * cap:
            self._resize(part, cap * 3 // 2)

    def load(self, h: int, pid: int) -> None:
        """Hold ``h`` -> ``pid``, a pair not held yet (reading a library: faster than add)."""
        part = self.parts[h & 63]
        hashes, pids, cap, _ = part
        i = (h >> 6) % cap
        while hashes[i]:
            i += 1
            if i == cap:
                i = 0
        hashes[i] = h
        pids[i] = pid
        part[3] += 1
        if part[3] > self.LOAD * cap:
            self._resize(part, cap * 3 // 2)

    def remove(self, h: int, pid: int) -> None:
        """Take ``h`` -> ``pid`` away."""
        hashes, pids, cap, _ = self.parts[h & 63]
        i = (h >> 6) % cap
        while True:
            k = hashes[i]
            if not k:
                return
            if k == h and pids[i] == pid:
                pids[i] = 0
                return
            i += 1
            if i == cap:
                i = 0

    def resize(self, capacity: int) -> None:
        """Hold the same pairs in about ``capacity`` slots (at least what they need), one
        part at a time."""
        per = int(capacity) // self.SHARDS + 1
        for part in self.parts:
            self._resize(part, per)

    def _resize(self, part: list[Any], capacity: int) -> None:
        old_hashes, old_pids = part[0], part[1]
        cap = max(16, capacity, int(part[3] / self.LOAD) + 1)
        hashes, pids = array("q", bytes(8 * cap)), array("I", bytes(4 * cap))
        n = 0
        for h, pid in zip(old_hashes, old_pids, strict=True):
            if pid:
                i = (h >> 6) % cap
                while hashes[i]:
                    i += 1
                    if i == cap:
                        i = 0
                hashes[i] = h
                pids[i] = pid
                n += 1
        part[:] = [hashes, pids, cap, n]


def fingerprint(key: object) -> int:
    """The 64-bit hash of a key (never 0: an empty slot)."""
    return hash(key) or 1


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
        self.first_new = 0  # the first paper id this import made (0: none yet)
        self._edges = bytearray(EDGE_BITS >> 3)  # the citations this import wrote (see may_cite)

    def may_cite(self, citing: int, cited: int) -> bool:
        """Whether the library may hold this citation: always for two papers it had before
        the import; for a paper the import made, only if the import wrote the pair (or one
        of its 64-bit hash's bit: about one in 16 at a million citations). So the writer
        asks the library only about citations that can be there."""
        if citing < self.first_new and cited < self.first_new or not self.first_new:
            return True
        b = hash((citing, cited)) & (EDGE_BITS - 1)
        return bool(self._edges[b >> 3] & (1 << (b & 7)))

    def wrote_citations(self, pairs: Iterable[tuple[int, int]]) -> None:
        """These citations are in the library now."""
        bits, mask = self._edges, EDGE_BITS - 1
        for pair in pairs:
            b = hash(pair) & mask
            bits[b >> 3] |= 1 << (b & 7)

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
        if not self.first_new:
            self.first_new = pid
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

    def batch_done(self) -> None:
        """A batch is written (the next new paper's id is read again outside an import:
        another Writer may share the transaction)."""
        if not self.memory:
            self._next = 0

    def take_merges(self) -> list[tuple[int, int]]:
        """The folds waiting, in the order they were found (the list is emptied)."""
        out, self.merges = self.merges, []
        return out

    def by_ids(self, batch: Sequence[Look]) -> list[list[int]]:
        """Per record of a batch: the papers that may hold one of its identifiers."""
        raise NotImplementedError

    def by_first_id(self, batch: Sequence[Look]) -> list[list[int]]:
        """Per record: the papers that may hold its first identifier, at least (here: any
        of them; one query a kind of identifier finds them all at once)."""
        return self.by_ids(batch)

    def by_other_ids(self, batch: Sequence[Look]) -> list[list[int]]:
        """Per record: the papers that may hold one of its identifiers but the first, which
        :meth:`by_first_id` did not look up."""
        return [[] for _ in batch]

    def by_titles(self, batch: Sequence[Look]) -> list[list[int]]:
        """Per record of a batch (with a title key): the papers that may have its title key."""
        raise NotImplementedError

    def holders(self, key: Key) -> list[int]:
        """The papers that may hold identifier ``key`` ((kind, value))."""
        raise NotImplementedError

    def note(self, pid: int, fps: Iterable[int]) -> None:
        """Paper ``pid`` holds the keys of these hashes now (the writer holds them for the
        rest of the batch too: see :func:`fingerprint`)."""

    def forget(self, pid: int, fps: Iterable[int]) -> None:
        """Paper ``pid`` no longer holds the keys of these hashes."""

    def scan(self, ids: Ids) -> list[int]:
        """The papers holding one of these identifiers, asked of the library exactly."""
        clauses = [f"{c} = ?" for c, v in zip(ID_COLUMNS, ids, strict=True) if v is not None]
        if not clauses:
            return []
        sql = f"SELECT id FROM papers WHERE {' OR '.join(clauses)} ORDER BY id"
        found = [r[0] for r in self.conn.execute(sql, [v for v in ids if v is not None])]
        for k, v in enumerate(ids):
            if v is not None and (pid := self.alias_holder((k, v))) is not None:
                found.append(pid)
        return found

    # -- aliases: the identifiers a paper is also known by (see schema._v9) ------------

    def alias_holder(self, key: Key) -> int | None:
        """The paper known by identifier ``key`` ((kind, value)) as an alias, if one is."""
        row = self.conn.execute(
            "SELECT paper_id FROM paper_aliases WHERE kind = ? AND value = ?",
            (ID_COLUMNS[key[0]], key[1]),
        ).fetchone()
        return None if row is None else self.final(row[0])

    def aliases_of(self, pid: int) -> list[Key]:
        """The aliases paper ``pid`` holds in the library."""
        rows = self.conn.execute(
            "SELECT kind, value FROM paper_aliases WHERE paper_id = ?", (pid,)
        ).fetchall()
        return [(ID_COLUMNS.index(kind), value) for kind, value in rows]

    def add_alias(self, key: Key, pid: int) -> None:
        """Paper ``pid`` is known by ``key`` too (the writer writes it with its batch)."""

    def move_aliases(self, drop: int, keep: int) -> None:
        """Paper ``drop``, folded into ``keep``, gives it its aliases."""

    @staticmethod
    def write_aliases(conn: Any, aliases: dict[Key, int]) -> None:
        """Write aliases ((kind, value) -> paper id) found by a batch."""
        conn.executemany(
            "INSERT OR REPLACE INTO paper_aliases (kind, value, paper_id) VALUES (?, ?, ?)",
            [(ID_COLUMNS[k], v, pid) for (k, v), pid in aliases.items()],
        )


def id_hashes(ids: Ids) -> list[int]:
    """The hashes of a paper's identifier keys, (kind, value) each. Written out: a
    comprehension over ``enumerate`` took twice as long (0.31 against 0.14 us), and a
    million OpenAlex works name six million papers."""
    doi, arxiv, s2, corpus, oa = ids
    out = []
    if doi is not None:
        out.append(hash((0, doi)) or 1)
    if arxiv is not None:
        out.append(hash((1, arxiv)) or 1)
    if s2 is not None:
        out.append(hash((2, s2)) or 1)
    if corpus is not None:
        out.append(hash((3, corpus)) or 1)
    if oa is not None:
        out.append(hash((4, oa)) or 1)
    return out


def keys_of(ids: Ids, tkey: TitleKey | None) -> list[int]:
    """The hashes of a paper's keys: (kind, value) of each identifier, and its title key."""
    out = id_hashes(ids)
    if tkey is not None:
        out.append(hash((TITLE, *tkey)) or 1)
    return out


class IndexIdentity(Identity):
    """Identity through the library's indexes: a batch of records in one query a kind of
    identifier (and one a distinct title). What the batch itself adds, the writer holds."""

    CHUNK = 500  # values a query (SQLite allows 32766 variables; short IN lists plan well)

    def by_ids(self, batch: Sequence[Look]) -> list[list[int]]:
        held: dict[Key, list[int]] = {}
        for k, col in enumerate(ID_COLUMNS):
            vals = sorted({look[0][k] for look in batch if look[0][k] is not None}, key=str)
            for chunk in _chunks(vals, self.CHUNK):
                sql = f"SELECT id, {col} FROM papers WHERE {col} IN ({','.join('?' * len(chunk))})"
                for pid, v in self.conn.execute(sql, chunk):
                    held.setdefault((k, v), []).append(pid)
                sql = (
                    "SELECT paper_id, value FROM paper_aliases WHERE kind = ? "
                    f"AND value IN ({','.join('?' * len(chunk))})"
                )
                for pid, v in self.conn.execute(sql, [col, *chunk]):
                    held.setdefault((k, v), []).append(self.final(pid))
        return [
            [p for k, v in enumerate(look[0]) if v is not None for p in held.get((k, v), ())]
            for look in batch
        ]

    def by_titles(self, batch: Sequence[Look]) -> list[list[int]]:
        held: dict[Key, list[int]] = {}
        for text, year in {(look[1][0], look[1][1]) for look in batch if look[1] is not None}:
            rows = self.conn.execute(
                "SELECT id, authors FROM papers WHERE norm_title = ? AND year IS ? ORDER BY id",
                (text, year),
            ).fetchall()
            for pid, authors in rows:
                first = idn.author_key(json.loads(authors) if authors else None)
                held.setdefault((TITLE, text, year, first), []).append(pid)
        return [held.get((TITLE, *look[1]), []) if look[1] is not None else [] for look in batch]

    def holders(self, key: Key) -> list[int]:
        col = ID_COLUMNS[key[0]]
        return [r[0] for r in self.conn.execute(f"SELECT id FROM papers WHERE {col} = ?", key[1:])]


def _chunks(values: list[Any], n: int) -> Iterable[list[Any]]:
    for i in range(0, len(values), n):
        yield values[i : i + n]


class MemoryIdentity(Identity):
    """Every key of the library and of the import in a :class:`KeyTable` (see the module)."""

    memory = True

    def __init__(self, conn: Any, expected_keys: int = 0, least_new: int = 0) -> None:
        super().__init__(conn)
        held = conn.execute(
            "SELECT count(doi) + count(arxiv) + count(s2_id) + count(corpus_id) "
            "+ count(openalex_id) + count(norm_title) FROM papers"
        ).fetchone()[0]
        # An input about the library's size may be mostly papers it holds (a re-import);
        # a bigger one is mostly new. ``least_new``: room for the new keys of a re-import
        # (growing a table that holds a big library's keys costs seconds and, for a
        # moment, both tables). The table grows by half when it must.
        new = max(expected_keys - held, least_new)
        self.table = KeyTable((held + new) / KeyTable.LOAD + 1024)
        self.aliases: dict[Key, int] = {}  # the library's and the import's aliases
        self.alias_keys: dict[int, list[Key]] = {}  # the same, by paper
        self._load()
        self.held = self.table.n
        # The share of the input read so far (0-1), when the importer can tell: the table
        # is sized once by what the first part held (see batch_done).
        self.read_share: Callable[[], float] | None = None
        self._sized = False

    def _load(self) -> None:
        """Read every paper's keys, in one pass over the table (the first author by SQLite)."""
        add = self.table.load
        surnames: dict[str | None, str | None] = {}
        cur = self.conn.execute(
            "SELECT id, doi, arxiv, s2_id, corpus_id, openalex_id, norm_title, year, "
            "json_extract(authors, '$[0]') FROM papers"
        )
        while rows := cur.fetchmany(10_000):
            for pid, d, a, s2, c, o, norm, year, first in rows:
                if d is not None:
                    add(hash((0, d)) or 1, pid)
                if a is not None:
                    add(hash((1, a)) or 1, pid)
                if s2 is not None:
                    add(hash((2, s2)) or 1, pid)
                if c is not None:
                    add(hash((3, c)) or 1, pid)
                if o is not None:
                    add(hash((4, o)) or 1, pid)
                if norm is not None:
                    if first not in surnames:
                        if len(surnames) > 100_000:
                            surnames.clear()
                        surnames[first] = idn.author_key([first] if first else None)
                    add(hash((TITLE, norm, year, surnames[first])) or 1, pid)
        kinds = {c: k for k, c in enumerate(ID_COLUMNS)}
        for kind, value, pid in self.conn.execute(
            "SELECT kind, value, paper_id FROM paper_aliases"
        ):
            key = (kinds[kind], value)
            self.aliases[key] = pid
            self.alias_keys.setdefault(pid, []).append(key)
            add(fingerprint(key), pid)

    # When this share of the input is written, the table is sized by the keys it brought.
    SIZE_AT = 0.01
    # Room for an input whose later part brings more keys a byte than its first part
    # (a records file: about 4% more); beyond it the table's parts grow one at a time.
    SIZE_MARGIN = 1.1
    # Not made smaller when it holds more keys than this (a re-import into a big library:
    # the rehash costs seconds, and the library's keys fill most of it anyway).
    SHRINK_MAX_KEYS = 2_000_000

    def batch_done(self) -> None:
        """Size the table by what the input brings a byte, once (the estimate from the
        input's size alone is off by 4x either way between formats: 150 bytes of input
        a key in citetui records, 900 in OpenAlex works)."""
        super().batch_done()
        if self._sized or self.read_share is None:
            return
        share = self.read_share()
        if share < self.SIZE_AT:
            return
        self._sized = True
        table = self.table
        coming = (table.n - self.held) * (1 / min(share, 1.0) - 1) * self.SIZE_MARGIN
        want = int((table.n + coming) / KeyTable.LOAD) + 1024
        if want > table.cap or (want < table.cap // 2 and table.n <= self.SHRINK_MAX_KEYS):
            table.resize(want)

    def by_ids(self, batch: Sequence[Look]) -> list[list[int]]:
        get = self.table.get
        out: list[list[int]] = []
        for look in batch:
            fps = look[2]
            if len(fps) == 1:
                out.append(get(fps[0]))
                continue
            found: list[int] = []
            for fp in fps:
                found += get(fp)
            out.append(found)
        return out

    def by_first_id(self, batch: Sequence[Look]) -> list[list[int]]:
        get = self.table.get
        return [get(look[2][0]) if look[2] else [] for look in batch]

    def by_other_ids(self, batch: Sequence[Look]) -> list[list[int]]:
        get = self.table.get
        out: list[list[int]] = []
        for look in batch:
            found: list[int] = []
            for fp in look[2][1:]:
                found += get(fp)
            out.append(found)
        return out

    def by_titles(self, batch: Sequence[Look]) -> list[list[int]]:
        get = self.table.get
        return [get(look[3]) if look[3] else [] for look in batch]

    def holders(self, key: Key) -> list[int]:
        return self.table.get(fingerprint(key))

    def alias_holder(self, key: Key) -> int | None:
        pid = self.aliases.get(key)
        return None if pid is None else self.final(pid)

    def aliases_of(self, pid: int) -> list[Key]:
        return list(self.alias_keys.get(pid, ()))

    def add_alias(self, key: Key, pid: int) -> None:
        old = self.aliases.get(key)
        if old == pid:
            return
        if old is not None:
            self.alias_keys[old].remove(key)
            self.table.remove(fingerprint(key), old)
        self.aliases[key] = pid
        self.alias_keys.setdefault(pid, []).append(key)
        self.table.add(fingerprint(key), pid)

    def move_aliases(self, drop: int, keep: int) -> None:
        for key in self.alias_keys.pop(drop, ()):
            self.aliases[key] = keep
            self.alias_keys.setdefault(keep, []).append(key)
            self.table.remove(fingerprint(key), drop)
            self.table.add(fingerprint(key), keep)

    def note(self, pid: int, fps: Iterable[int]) -> None:
        add = self.table.add
        for fp in fps:
            add(fp, pid)

    def forget(self, pid: int, fps: Iterable[int]) -> None:
        remove = self.table.remove
        for fp in fps:
            remove(fp, pid)
