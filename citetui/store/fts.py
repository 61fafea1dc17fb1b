"""The full-text index behind search: FTS5 tables, their upkeep, the term list, the queries.

Two external-content FTS5 tables index what search matches, without a second
copy of the text: ``papers_fts`` (title, summary) over ``papers`` and
``contexts_fts`` (text) over ``contexts``. Triggers keep them in step with
every write, whoever makes it (imports, merges, deletes). ``search_terms``
holds the index's vocabulary with document counts, for typo expansion and
query planning; triggers note changed papers in ``search_dirty`` and
:func:`refresh_terms` (run at the end of every import and fetched page) folds
them in, from the FTS vocabulary when much changed, else by tokenising the
changed records.

``pairs_fts`` (schema v4) indexes every two neighbouring words of a title as
one token (``policy_optimization``), so a phrase of common words is found
from short doclists instead of intersecting the huge doclists of its words.
It is contentless (no second copy of the titles); triggers note new, retitled
and deleted papers in ``search_pairs_dirty`` (with the title that was indexed,
which FTS5 needs to take a row out) and :func:`refresh_pairs` (part of
:func:`refresh_terms`) brings the index up to date; a bulk insert of new papers
writes their pairs itself (see :mod:`citetui.store.bulk`). Between a write outside an
import and the next refresh the pairs of the changed papers are stale: search
only uses them to find candidates, which it then checks against the real
text, so a stale pair costs a candidate slot, never a wrong result.

A big import suspends the FTS triggers (:func:`suspend`): its bulk inserts index
their own rows, a batch at a time on the insert thread, and temporary triggers
note what else it changes, which :func:`resume` indexes at the end; a rebuild
of both tables after a million-record import took ~15 s on its own.
"""

from __future__ import annotations

import contextlib
import re
import sqlite3
import unicodedata
from collections.abc import Iterable, Iterator, Sequence
from typing import Any

from citetui.core.query import RowFilter
from citetui.store.filters import filter_sql

TOKENIZE = "unicode61 remove_diacritics 2"
PAIRS_TOKENIZE = "unicode61 remove_diacritics 2 tokenchars '_'"

# The v2 index (schema.py's _v2 creates exactly this; later versions add to it).
CREATE = [
    f"""CREATE VIRTUAL TABLE papers_fts USING fts5(
        title, summary, content='papers', content_rowid='id', tokenize='{TOKENIZE}',
        detail=column)""",
    f"""CREATE VIRTUAL TABLE contexts_fts USING fts5(
        text, content='contexts', content_rowid='id', tokenize='{TOKENIZE}', detail=none)""",
    "CREATE VIRTUAL TABLE papers_fts_terms USING fts5vocab(papers_fts, 'row')",
    "CREATE VIRTUAL TABLE contexts_fts_terms USING fts5vocab(contexts_fts, 'row')",
    "CREATE TABLE search_terms (term TEXT PRIMARY KEY, docs INTEGER NOT NULL) WITHOUT ROWID",
    "CREATE TABLE search_dirty (paper_id INTEGER PRIMARY KEY)",
    "CREATE TABLE search_state (key TEXT PRIMARY KEY, value INTEGER NOT NULL)",
    "INSERT INTO search_state(key, value) VALUES ('terms', 0)",
    # papers -> papers_fts
    """CREATE TRIGGER papers_fts_ai AFTER INSERT ON papers BEGIN
        INSERT INTO papers_fts(rowid, title, summary) VALUES (new.id, new.title, new.summary);
        INSERT OR IGNORE INTO search_dirty(paper_id) VALUES (new.id);
    END""",
    """CREATE TRIGGER papers_fts_ad AFTER DELETE ON papers BEGIN
        INSERT INTO papers_fts(papers_fts, rowid, title, summary)
            VALUES ('delete', old.id, old.title, old.summary);
    END""",
    """CREATE TRIGGER papers_fts_au AFTER UPDATE OF title, summary ON papers BEGIN
        INSERT INTO papers_fts(papers_fts, rowid, title, summary)
            VALUES ('delete', old.id, old.title, old.summary);
        INSERT INTO papers_fts(rowid, title, summary) VALUES (new.id, new.title, new.summary);
        INSERT OR IGNORE INTO search_dirty(paper_id) VALUES (new.id);
    END""",
    # contexts -> contexts_fts
    """CREATE TRIGGER contexts_fts_ai AFTER INSERT ON contexts BEGIN
        INSERT INTO contexts_fts(rowid, text) VALUES (new.id, new.text);
        INSERT OR IGNORE INTO search_dirty(paper_id) VALUES (new.citing_id);
    END""",
    """CREATE TRIGGER contexts_fts_ad AFTER DELETE ON contexts BEGIN
        INSERT INTO contexts_fts(contexts_fts, rowid, text) VALUES ('delete', old.id, old.text);
    END""",
    """CREATE TRIGGER contexts_fts_au AFTER UPDATE OF text ON contexts BEGIN
        INSERT INTO contexts_fts(contexts_fts, rowid, text) VALUES ('delete', old.id, old.text);
        INSERT INTO contexts_fts(rowid, text) VALUES (new.id, new.text);
        INSERT OR IGNORE INTO search_dirty(paper_id) VALUES (new.citing_id);
    END""",
]

# The title-pairs index (schema v4).
CREATE_PAIRS = [
    f"""CREATE VIRTUAL TABLE pairs_fts USING fts5(
        pairs, content='', tokenize="{PAIRS_TOKENIZE}", detail=none, columnsize=0)""",
    # paper -> the title its pairs were made from (indexed = 1), or NULL, 0 when none were
    "CREATE TABLE search_pairs_dirty (paper_id INTEGER PRIMARY KEY, title TEXT, "
    "indexed INTEGER NOT NULL)",
    # a bulk insert that writes the pairs itself turns this off for its batch (pairs_direct)
    "INSERT INTO search_state(key, value) VALUES ('pairs_direct', 0)",
    """CREATE TRIGGER pairs_ai AFTER INSERT ON papers
    WHEN (SELECT value FROM search_state WHERE key = 'pairs_direct') IS NOT 1 BEGIN
        INSERT OR IGNORE INTO search_pairs_dirty(paper_id, title, indexed) VALUES (new.id, NULL, 0);
    END""",
    """CREATE TRIGGER pairs_au AFTER UPDATE OF title ON papers WHEN old.title IS NOT new.title BEGIN
        INSERT OR IGNORE INTO search_pairs_dirty(paper_id, title, indexed)
            VALUES (old.id, old.title, 1);
    END""",
    """CREATE TRIGGER pairs_ad AFTER DELETE ON papers BEGIN
        INSERT OR IGNORE INTO search_pairs_dirty(paper_id, title, indexed)
            VALUES (old.id, old.title, 1);
    END""",
]

_TOKEN = re.compile(r"[^\W_]+", re.UNICODE)


def fold(text: str) -> str:
    """Lower case without accents, as the FTS tokenizer (unicode61, remove_diacritics 2) sees it."""
    if text.isascii():
        return text.lower()
    text = unicodedata.normalize("NFKD", text)
    return "".join(c for c in text if not unicodedata.combining(c)).lower()


def tokens(text: str | None) -> list[str]:
    """The index terms of a text, in order."""
    return _TOKEN.findall(fold(text)) if text else []


def title_pairs(title: str | None) -> str:
    """The pairs_fts document of a title: each two neighbouring words joined by '_'."""
    toks = tokens(title)
    return " ".join([a + "_" + b for a, b in zip(toks, toks[1:], strict=False)])


def create(conn: Any) -> None:
    """Create the v2 index tables and triggers and index what the library already holds."""
    for sql in CREATE:
        conn.execute(sql)
    conn.execute("INSERT INTO papers_fts(papers_fts) VALUES ('rebuild')")
    conn.execute("INSERT INTO contexts_fts(contexts_fts) VALUES ('rebuild')")
    rebuild_terms(conn)


def create_pairs(conn: Any) -> None:
    """Create the title-pairs index (v4) and index every title the library holds."""
    for sql in CREATE_PAIRS:
        conn.execute(sql)
    conn.execute(
        "INSERT INTO search_pairs_dirty(paper_id, title, indexed) SELECT id, NULL, 0 FROM papers"
    )
    refresh_pairs(conn)


_TRIGGERS = (
    "papers_fts_ai",
    "papers_fts_ad",
    "papers_fts_au",
    "contexts_fts_ai",
    "contexts_fts_ad",
    "contexts_fts_au",
)

# While a big import runs, the FTS triggers are off. A bulk insert of new papers indexes
# its own rows (with 'fts_direct' on, see citetui.store.bulk); these temporary triggers
# note every other change (the records that went through the Writer) with the values the
# index holds for the row (indexed = 1), or NULL, 0 for a row it does not hold, so
# resume() brings the index up to date from the notes instead of rebuilding it.
_NOTE_TABLES = {
    "papers": ("fts_papers_dirty", "papers_fts", ("title", "summary"), "id"),
    "contexts": ("fts_contexts_dirty", "contexts_fts", ("text",), "id"),
}


def _note_sql() -> list[str]:
    out = ["INSERT OR IGNORE INTO search_state(key, value) VALUES ('fts_direct', 0)"]
    for table, (notes, _fts, cols, _key) in _NOTE_TABLES.items():
        names = ", ".join(cols)
        old = ", ".join(f"old.{c}" for c in cols)
        nulls = ", ".join("NULL" for _ in cols)
        out += [
            f"CREATE TEMP TABLE {notes} (id INTEGER PRIMARY KEY, {names}, indexed INTEGER NOT "
            "NULL)",
            f"""CREATE TEMP TRIGGER {notes}_ai AFTER INSERT ON main.{table}
            WHEN (SELECT value FROM main.search_state WHERE key = 'fts_direct') IS NOT 1 BEGIN
                INSERT OR IGNORE INTO {notes} VALUES (new.id, {nulls}, 0);
            END""",
            f"""CREATE TEMP TRIGGER {notes}_au AFTER UPDATE OF {names} ON main.{table} BEGIN
                INSERT OR IGNORE INTO {notes} VALUES (old.id, {old}, 1);
            END""",
            f"""CREATE TEMP TRIGGER {notes}_ad AFTER DELETE ON main.{table} BEGIN
                INSERT OR IGNORE INTO {notes} VALUES (old.id, {old}, 1);
            END""",
        ]
    return out


def suspend(conn: Any) -> None:
    """Stop keeping the FTS index in step, for a big import (call :func:`resume` in the same
    transaction). Row by row, FTS5 flushes its pending terms at every statement of a
    trigger, which makes a million-row import ten times slower than one rebuild."""
    for name in _TRIGGERS:
        conn.execute(f"DROP TRIGGER IF EXISTS {name}")
    for sql in _note_sql():
        conn.execute(sql)
    # Random-order index inserts want their b-trees in memory, not evicted to the WAL; a
    # bigger cache than 64 MB made a big import's memory grow with the file for little
    # speed (sorts for the index and FTS rebuilds spill to temp files, not to memory).
    conn.execute("PRAGMA cache_size = -64000")


@contextlib.contextmanager
def writing_directly(conn: Any, *, pairs: bool, index: bool) -> Iterator[None]:
    """Around a bulk insert of new papers (and contexts) that writes their title pairs
    (``pairs``) or search index rows (``index``, the index suspended) itself: the triggers
    do not note those rows for a refresh."""
    keys = (["pairs_direct"] if pairs else []) + (["fts_direct"] if index else [])
    if not keys:
        yield
        return
    marks = ", ".join(f"'{k}'" for k in keys)
    conn.execute(f"UPDATE search_state SET value = 1 WHERE key IN ({marks})")
    try:
        yield
    finally:
        conn.execute(f"UPDATE search_state SET value = 0 WHERE key IN ({marks})")


def index_new_papers(conn: Any, after: int) -> None:
    """Index the papers with ids above ``after``, which a big import wrote while the index
    was suspended (see :func:`writing_directly`). The one statement to change when
    ``papers_fts`` gains columns."""
    conn.execute(
        "INSERT INTO papers_fts(rowid, title, summary) "
        "SELECT id, title, summary FROM papers WHERE id > ?",
        (after,),
    )


def index_new_contexts(conn: Any, after: int) -> None:
    """Index the citation contexts with ids above ``after`` (as :func:`index_new_papers`)."""
    conn.execute(
        "INSERT INTO contexts_fts(rowid, text) SELECT id, text FROM contexts WHERE id > ?",
        (after,),
    )


def suspended(conn: Any) -> bool:
    """Whether the index is suspended (a big import): new rows are indexed by their writer."""
    return (
        conn.execute(
            "SELECT 1 FROM temp.sqlite_master WHERE type = 'trigger' "
            "AND name = 'fts_papers_dirty_ai'"
        ).fetchone()
        is not None
    )


def _catch_up(conn: Any, *, rebuild_share: float) -> None:
    """Index the noted changes of a suspended import (or rebuild, when most rows changed)."""
    for table, (notes, fts, cols, _key) in _NOTE_TABLES.items():
        for suffix in ("ai", "au", "ad"):
            conn.execute(f"DROP TRIGGER temp.{notes}_{suffix}")
        noted = conn.execute(f"SELECT count(*) FROM temp.{notes}").fetchone()[0]
        rows = conn.execute(f"SELECT max(id) FROM {table}").fetchone()[0] or 0
        names = ", ".join(cols)
        if noted > rebuild_share * rows:
            conn.execute(f"INSERT INTO {fts}({fts}) VALUES ('rebuild')")
        elif noted:
            conn.execute(
                f"INSERT INTO {fts}({fts}, rowid, {names}) "
                f"SELECT 'delete', id, {names} FROM temp.{notes} WHERE indexed"
            )
            picked = ", ".join(f"t.{c}" for c in cols)
            conn.execute(
                f"INSERT INTO {fts}(rowid, {names}) SELECT t.id, {picked} "
                f"FROM temp.{notes} d JOIN {table} t ON t.id = d.id"
            )
        conn.execute(f"DROP TABLE temp.{notes}")
    conn.execute("DELETE FROM search_state WHERE key = 'fts_direct'")


def resume(conn: Any, *, rebuild_share: float = 0.5) -> None:
    """Recreate the triggers, bring the index up to date and recount the term list."""
    _catch_up(conn, rebuild_share=rebuild_share)
    for sql in CREATE:
        if sql.startswith("CREATE TRIGGER"):
            conn.execute(sql)
    rebuild_terms(conn)
    refresh_pairs(conn)
    conn.execute("PRAGMA cache_size = -2000")


def worth_suspending(conn: Any, input_bytes: int) -> bool:
    """Whether an import of this many bytes is big enough, against the library, to index
    in one rebuild at the end rather than row by row (about 500 bytes a record)."""
    if input_bytes < 8_000_000:
        return False
    papers = conn.execute("SELECT max(id) FROM papers").fetchone()[0] or 0
    return input_bytes / 500 > 0.1 * papers


def rebuild_terms(conn: Any) -> None:
    """Recount every term of the index into ``search_terms``."""
    conn.execute("DELETE FROM search_terms")
    conn.execute("INSERT INTO search_terms(term, docs) SELECT term, doc FROM papers_fts_terms")
    conn.execute(
        "INSERT INTO search_terms(term, docs) SELECT term, doc FROM contexts_fts_terms WHERE true "
        "ON CONFLICT(term) DO UPDATE SET docs = docs + excluded.docs"
    )
    conn.execute("DELETE FROM search_dirty")
    _bump(conn)


def _bump(conn: Any) -> None:
    conn.execute("UPDATE search_state SET value = value + 1 WHERE key = 'terms'")


def has_pairs(conn: Any) -> bool:
    return (
        conn.execute("SELECT 1 FROM sqlite_master WHERE name = 'search_pairs_dirty'").fetchone()
        is not None
    )


def refresh_pairs(conn: Any, *, batch: int = 20000) -> int:
    """Bring ``pairs_fts`` up to date with the titles noted in ``search_pairs_dirty``."""
    if not has_pairs(conn):
        return 0
    done = 0
    last = -(2**63)
    while True:
        rows = conn.execute(
            "SELECT d.paper_id, d.title, d.indexed, p.title FROM search_pairs_dirty d "
            "LEFT JOIN papers p ON p.id = d.paper_id WHERE d.paper_id > ? ORDER BY d.paper_id "
            "LIMIT ?",
            (last, batch),
        ).fetchall()
        if not rows:
            break
        last = rows[-1][0]
        gone, new = [], []
        for pid, old, indexed, title in rows:
            if indexed and old:
                text = title_pairs(old)
                if text:
                    gone.append((pid, text))
            if title:
                text = title_pairs(title)
                if text:
                    new.append((pid, text))
        conn.executemany(
            "INSERT INTO pairs_fts(pairs_fts, rowid, pairs) VALUES ('delete', ?, ?)", gone
        )
        conn.executemany("INSERT INTO pairs_fts(rowid, pairs) VALUES (?, ?)", new)
        done += len(rows)
    if done:
        conn.execute("DELETE FROM search_pairs_dirty")
    return done


def refresh_terms(conn: Any, *, full_share: float = 0.05) -> int:
    """Fold the papers changed since the last refresh into ``search_terms`` (and their title
    pairs into ``pairs_fts``); return how many papers changed.

    When more than ``full_share`` of the library changed (a bulk import), the
    whole vocabulary is recounted from the index; otherwise the changed papers
    are tokenised here and terms new to the library added (the counts of terms
    already there are left as they were: they only guide query planning, and a
    re-import that changes nothing leaves the table as it was).
    """
    refresh_pairs(conn)
    dirty = int(conn.execute("SELECT count(*) FROM search_dirty").fetchone()[0])
    if not dirty:
        return 0
    papers = conn.execute("SELECT max(id) FROM papers").fetchone()[0] or 0
    if dirty > max(2000, full_share * papers):
        rebuild_terms(conn)
        return dirty
    counts: dict[str, int] = {}
    rows = conn.execute(
        "SELECT p.title, p.summary, (SELECT group_concat(x.text, ' ') FROM contexts x "
        "WHERE x.citing_id = p.id) FROM search_dirty d JOIN papers p ON p.id = d.paper_id"
    )
    for row in rows:
        for term in set(tokens(" ".join(t for t in row if t))):
            counts[term] = counts.get(term, 0) + 1
    before = conn.total_changes
    conn.executemany("INSERT OR IGNORE INTO search_terms(term, docs) VALUES (?, ?)", counts.items())
    added = conn.total_changes - before
    conn.execute("DELETE FROM search_dirty")
    if added:
        _bump(conn)
    return dirty


def quote(term: str) -> str:
    """A term as an FTS5 string."""
    return '"' + term.replace('"', '""') + '"'


def _in(ids: Sequence[int]) -> str:
    return ",".join("?" * len(ids))


class IndexReads:
    """The read queries of search, over one library connection (holding its lock).

    ``hub_id`` restricts a query to the hub's citing papers; ``where``/``params``
    are then the hub's filter over ``c`` (its citations rows).
    """

    def __init__(self, conn: sqlite3.Connection, lock: Any):
        self.conn = conn
        self.lock = lock

    def _rows(self, sql: str, params: Sequence[Any] = ()) -> list[tuple[Any, ...]]:
        with self.lock:
            return self.conn.execute(sql, params).fetchall()

    def stamp(self) -> tuple[int, bool]:
        """The term list's generation, and whether papers changed since it was counted."""
        with self.lock:
            gen = self.conn.execute("SELECT value FROM search_state WHERE key = 'terms'").fetchone()
            dirty = self.conn.execute("SELECT EXISTS (SELECT 1 FROM search_dirty)").fetchone()[0]
        return (gen[0] if gen else 0), bool(dirty)

    def terms(self) -> list[tuple[str, int]]:
        """Every (term, document count)."""
        return self._rows("SELECT term, docs FROM search_terms")

    def n_papers(self) -> int:
        """About how many papers the library holds (the largest id: no table scan)."""
        return self._rows("SELECT max(id) FROM papers")[0][0] or 0

    def hub_size(self, hub_id: int) -> int:
        """How many citing papers the hub has."""
        return int(self._rows("SELECT count(*) FROM citations WHERE cited_id = ?", (hub_id,))[0][0])

    def has_pairs(self) -> bool:
        """Whether the library has the title-pairs index (schema v4)."""
        with self.lock:
            return has_pairs(self.conn)

    def dirty_terms(self) -> dict[str, int]:
        """Terms of papers changed since the last refresh (a read-only library may have some)."""
        counts: dict[str, int] = {}
        rows = self._rows(
            "SELECT p.title, p.summary, (SELECT group_concat(x.text, ' ') FROM contexts x "
            "WHERE x.citing_id = p.id) FROM search_dirty d JOIN papers p ON p.id = d.paper_id"
        )
        for row in rows:
            for term in set(tokens(" ".join(t for t in row if t))):
                counts[term] = counts.get(term, 0) + 1
        return counts

    @staticmethod
    def _where(hub_id: int | None, flt: RowFilter | None) -> tuple[str, list[Any]]:
        """The hub's filter as SQL over ``c`` (citations), or nothing library-wide."""
        if hub_id is None:
            return "", []
        return filter_sql(flt or RowFilter(), hub_id)

    def _scope(
        self, table: str, hub_id: int | None, flt: RowFilter | None
    ) -> tuple[str, list[Any]]:
        """SELECT of matching rowids of an FTS table, within the hub when given."""
        if hub_id is None:
            return f"SELECT rowid AS id FROM {table} WHERE {table} MATCH ?", []
        where, params = self._where(hub_id, flt)
        return (
            f"SELECT f.rowid AS id FROM {table} f CROSS JOIN citations c "
            f"ON c.citing_id = f.rowid WHERE {table} MATCH ? AND {where}"
        ), params

    def match_papers(
        self,
        match: str,
        *,
        hub_id: int | None = None,
        flt: RowFilter | None = None,
        limit: int | None = None,
    ) -> list[int]:
        """Ids of papers whose title/summary match an FTS5 expression (in id order)."""
        sql, params = self._scope("papers_fts", hub_id, flt)
        if limit is not None:
            sql += f" LIMIT {int(limit)}"
        return [r[0] for r in self._rows(sql, (match, *params))]

    def match_pairs(
        self,
        match: str,
        *,
        hub_id: int | None = None,
        flt: RowFilter | None = None,
        limit: int,
        pool: int,
    ) -> list[int]:
        """Papers whose title holds these word pairs: of the first ``pool`` matches, the
        ``limit`` with the shortest titles (papers_fts_docsize keeps each paper's title and
        summary lengths as varints, so its blobs sort by title length)."""
        scope, params = self._scope("pairs_fts", hub_id, flt)
        sql = (
            f"SELECT m.id FROM ({scope} LIMIT {int(pool)}) m "
            f"CROSS JOIN papers_fts_docsize d ON d.id = m.id ORDER BY d.sz, m.id "
            f"LIMIT {int(limit)}"
        )
        return [r[0] for r in self._rows(sql, (match, *params))]

    def match_contexts(
        self,
        match: str,
        *,
        hub_id: int | None = None,
        flt: RowFilter | None = None,
        limit: int | None = None,
    ) -> list[int]:
        """Ids of papers one of whose citation contexts matches the expression."""
        lim = f" LIMIT {int(limit)}" if limit is not None else ""
        if hub_id is None:
            sql = (
                "SELECT DISTINCT x.citing_id FROM contexts_fts f CROSS JOIN contexts x "
                f"ON x.id = f.rowid WHERE contexts_fts MATCH ?{lim}"
            )
            return [r[0] for r in self._rows(sql, (match,))]
        where, params = self._where(hub_id, flt)
        sql = (
            "SELECT DISTINCT x.citing_id FROM contexts_fts f CROSS JOIN contexts x "
            f"ON x.id = f.rowid CROSS JOIN citations c ON c.citing_id = x.citing_id "
            f"AND c.cited_id = x.cited_id WHERE contexts_fts MATCH ? AND {where}{lim}"
        )
        return [r[0] for r in self._rows(sql, (match, *params))]

    def count_papers(self, match: str) -> int:
        """How many papers' title/summary match the expression."""
        sql = "SELECT count(*) FROM papers_fts WHERE papers_fts MATCH ?"
        return int(self._rows(sql, (match,))[0][0])

    def texts(self, ids: Iterable[int]) -> dict[int, tuple[Any, ...]]:
        """(title, summary, citation_count) of these papers, by id."""
        out: dict[int, tuple[Any, ...]] = {}
        ids = list(ids)
        for i in range(0, len(ids), 500):
            chunk = ids[i : i + 500]
            rows = self._rows(
                f"SELECT id, title, summary, citation_count FROM papers WHERE id IN ({_in(chunk)})",
                chunk,
            )
            for r in rows:
                out[r[0]] = r[1:]
        return out

    def contexts(self, ids: Iterable[int]) -> dict[int, str]:
        """Every citation context of these papers, joined, by paper id."""
        out: dict[int, str] = {}
        ids = list(ids)
        for i in range(0, len(ids), 500):
            chunk = ids[i : i + 500]
            out.update(
                self._rows(
                    "SELECT citing_id, group_concat(text, ' ') FROM contexts "
                    f"WHERE citing_id IN ({_in(chunk)}) GROUP BY citing_id",
                    chunk,
                )
            )
        return out

    def scan_ids(self, hub_id: int | None = None, flt: RowFilter | None = None) -> list[int]:
        """Every paper id, or the hub's filtered citing paper ids."""
        if hub_id is None:
            return [r[0] for r in self._rows("SELECT id FROM papers")]
        where, params = self._where(hub_id, flt)
        return [
            r[0] for r in self._rows(f"SELECT c.citing_id FROM citations c WHERE {where}", params)
        ]
