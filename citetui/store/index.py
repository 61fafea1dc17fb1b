"""The full-text index behind search: FTS5 tables, their triggers, the term list, the queries.

Two external-content FTS5 tables index what search matches, without a second
copy of the text: ``papers_fts`` (title, summary) over ``papers`` and
``contexts_fts`` (text) over ``contexts``. Triggers keep them in step with
every write, whoever makes it (imports, merges, deletes). ``search_terms``
holds the index's vocabulary with document counts, for typo expansion and
query planning; triggers note changed papers in ``search_dirty`` and
:func:`refresh_terms` (run at the end of every import) folds them in, from the
FTS vocabulary when much changed, else by tokenising the changed records.
"""

from __future__ import annotations

import re
import sqlite3
import unicodedata
from collections.abc import Iterable, Sequence
from typing import Any

TOKENIZE = "unicode61 remove_diacritics 2"

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


def create(conn: Any) -> None:
    """Create the index tables and triggers and index what the library already holds."""
    for sql in CREATE:
        conn.execute(sql)
    conn.execute("INSERT INTO papers_fts(papers_fts) VALUES ('rebuild')")
    conn.execute("INSERT INTO contexts_fts(contexts_fts) VALUES ('rebuild')")
    rebuild_terms(conn)


_TRIGGERS = ("papers_fts_ai", "papers_fts_ad", "papers_fts_au",
             "contexts_fts_ai", "contexts_fts_ad", "contexts_fts_au")


def suspend(conn: Any) -> None:
    """Stop keeping the index in step, for a big import (call :func:`resume` in the same
    transaction). Row by row, FTS5 flushes its pending terms at every statement of a
    trigger, which makes a million-row import ten times slower than one rebuild."""
    for name in _TRIGGERS:
        conn.execute(f"DROP TRIGGER IF EXISTS {name}")
    # Random-order index inserts need the b-trees in memory, not evicted to the WAL.
    conn.execute("PRAGMA cache_size = -400000")


def resume(conn: Any) -> None:
    """Recreate the triggers and rebuild the index and term list from the tables."""
    for sql in CREATE:
        if sql.startswith("CREATE TRIGGER"):
            conn.execute(sql)
    conn.execute("INSERT INTO papers_fts(papers_fts) VALUES ('rebuild')")
    conn.execute("INSERT INTO contexts_fts(contexts_fts) VALUES ('rebuild')")
    rebuild_terms(conn)
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


def refresh_terms(conn: Any, *, full_share: float = 0.05) -> int:
    """Fold the papers changed since the last refresh into ``search_terms``; return how many.

    When more than ``full_share`` of the library changed (a bulk import), the
    whole vocabulary is recounted from the index; otherwise the changed papers
    are tokenised here and terms new to the library added (the counts of terms
    already there are left as they were: they only guide query planning, and a
    re-import that changes nothing leaves the table as it was).
    """
    dirty = conn.execute("SELECT count(*) FROM search_dirty").fetchone()[0]
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
    conn.executemany("INSERT OR IGNORE INTO search_terms(term, docs) VALUES (?, ?)",
                     counts.items())
    added = conn.total_changes - before
    conn.execute("DELETE FROM search_dirty")
    if added:
        _bump(conn)
    return dirty


def quote(term: str) -> str:
    """A term as an FTS5 string."""
    return '"' + term.replace('"', '""') + '"'


class IndexReads:
    """The read queries of search, over one library connection (holding its lock)."""

    def __init__(self, conn: sqlite3.Connection, lock: Any):
        self.conn = conn
        self.lock = lock

    def _rows(self, sql: str, params: Sequence = ()) -> list[tuple]:
        with self.lock:
            return self.conn.execute(sql, params).fetchall()

    def stamp(self) -> tuple[int, bool]:
        """The term list's generation, and whether papers changed since it was counted."""
        with self.lock:
            gen = self.conn.execute("SELECT value FROM search_state WHERE key = 'terms'").fetchone()
            dirty = self.conn.execute("SELECT EXISTS (SELECT 1 FROM search_dirty)").fetchone()[0]
        return (gen[0] if gen else 0), bool(dirty)

    def terms(self) -> list[tuple[str, int]]:
        """Every (term, document count), in term order."""
        return self._rows("SELECT term, docs FROM search_terms ORDER BY term")

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

    def match_papers(
        self,
        match: str,
        *,
        hub_id: int | None = None,
        where: str = "",
        params: Sequence = (),
        limit: int | None = None,
    ) -> list[int]:
        """Ids of papers whose title/summary match an FTS5 expression (in id order).

        With ``hub_id``, only the hub's citing papers; ``where``/``params`` are
        extra conditions over ``p`` (papers) and ``c`` (citations).
        """
        lim = f" LIMIT {int(limit)}" if limit is not None else ""
        if hub_id is None:
            sql = f"SELECT rowid FROM papers_fts WHERE papers_fts MATCH ?{lim}"
            return [r[0] for r in self._rows(sql, (match,))]
        sql = (
            "SELECT f.rowid FROM papers_fts f CROSS JOIN citations c CROSS JOIN papers p "
            "ON c.citing_id = f.rowid AND p.id = f.rowid "
            f"WHERE papers_fts MATCH ? AND {where}{lim}"
        )
        return [r[0] for r in self._rows(sql, (match, *params))]

    def match_contexts(
        self,
        match: str,
        *,
        hub_id: int | None = None,
        where: str = "",
        params: Sequence = (),
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
        sql = (
            "SELECT DISTINCT x.citing_id FROM contexts_fts f CROSS JOIN contexts x "
            "CROSS JOIN citations c CROSS JOIN papers p ON x.id = f.rowid "
            "AND c.citing_id = x.citing_id AND p.id = x.citing_id "
            f"WHERE contexts_fts MATCH ? AND x.cited_id = c.cited_id AND {where}{lim}"
        )
        return [r[0] for r in self._rows(sql, (match, *params))]

    def count_papers(self, match: str) -> int:
        """How many papers' title/summary match the expression."""
        return self._rows("SELECT count(*) FROM papers_fts WHERE papers_fts MATCH ?", (match,))[0][0]

    def texts(self, ids: Iterable[int]) -> dict[int, tuple]:
        """(title, summary, citation_count, contexts joined) of these papers, by id."""
        out: dict[int, tuple] = {}
        ids = list(ids)
        for i in range(0, len(ids), 500):
            chunk = ids[i : i + 500]
            rows = self._rows(
                "SELECT id, title, summary, citation_count, "
                "(SELECT group_concat(x.text, ' ') FROM contexts x WHERE x.citing_id = papers.id) "
                f"FROM papers WHERE id IN ({','.join('?' * len(chunk))})",
                chunk,
            )
            for r in rows:
                out[r[0]] = r[1:]
        return out

    def scan_texts(
        self, hub_id: int | None = None, where: str = "", params: Sequence = ()
    ) -> list[tuple]:
        """(id, title, summary, citation_count, contexts) of every paper or of the hub's filtered rows."""
        ctx = ("(SELECT group_concat(x.text, ' ') FROM contexts x WHERE x.citing_id = p.id)")
        if hub_id is None:
            return self._rows(f"SELECT p.id, p.title, p.summary, p.citation_count, {ctx} FROM papers p")
        return self._rows(
            f"SELECT p.id, p.title, p.summary, p.citation_count, {ctx} FROM citations c "
            f"JOIN papers p ON p.id = c.citing_id WHERE {where}",
            params,
        )
