"""The reads of the search engine (:mod:`citetui.search`), over one library connection.

Every query the engine makes is here, so the engine holds no SQL: the term list,
the FTS5 matches (every word, each word's papers, title pairs), the texts it
scores, exact identifier look-ups, the user's own layer as a set of ids, and
whether papers are within a hub's filtered citing papers.
"""

from __future__ import annotations

import sqlite3
from collections.abc import Iterable, Sequence
from typing import Any

from citetui.core.query import RowFilter, UserFilter
from citetui.store.filters import filter_sql
from citetui.store.fts import DIRTY_TERMS_SQL, dirty_counts, has_pairs

# The unique identifier columns a query may name, by kind.
ID_KINDS = {
    "id": "id",
    "doi": "doi",
    "arxiv": "arxiv",
    "corpus_id": "corpus_id",
    "s2_id": "s2_id",
    "openalex_id": "openalex_id",
}
TEXT_COLUMNS = "id, title, summary, citation_count, authors, venue, year, abstract"


def quote(term: str) -> str:
    """A term as an FTS5 string."""
    return '"' + term.replace('"', '""') + '"'


def _in(ids: Sequence[Any]) -> str:
    return ",".join("?" * len(ids))


class IndexReads:
    """The read queries of search, over one library connection (holding its lock).

    ``hub_id`` restricts a query to the hub's citing papers; ``flt`` is then the
    hub's filter over ``c`` (its citations rows).
    """

    def __init__(self, conn: sqlite3.Connection, lock: Any):
        self.conn = conn
        self.lock = lock

    def _rows(self, sql: str, params: Sequence[Any] = ()) -> list[tuple[Any, ...]]:
        with self.lock:
            return self.conn.execute(sql, params).fetchall()

    # -- the term list ------------------------------------------------------------

    def stamp(self) -> tuple[int, bool]:
        """The term list's generation, and whether papers changed since it was counted."""
        with self.lock:
            gen = self.conn.execute("SELECT value FROM search_state WHERE key = 'terms'").fetchone()
            dirty = self.conn.execute("SELECT EXISTS (SELECT 1 FROM search_dirty)").fetchone()[0]
        return (gen[0] if gen else 0), bool(dirty)

    def terms(self) -> list[tuple[str, int, int]]:
        """Every (term, documents in papers_fts and contexts, documents in meta_fts)."""
        return self._rows("SELECT term, docs, meta FROM search_terms")

    def dirty_terms(self) -> dict[str, tuple[int, int]]:
        """(docs, meta) counts of the terms of papers changed since the last refresh (a
        read-only library may have some)."""
        return dirty_counts(self._rows(DIRTY_TERMS_SQL))

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

    # -- every word ---------------------------------------------------------------

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
        meta: bool = False,
    ) -> list[int]:
        """Ids of papers whose title, summary and abstract (``meta``: title, authors, venue
        and year) match an FTS5 expression, in id order."""
        sql, params = self._scope("meta_fts" if meta else "papers_fts", hub_id, flt)
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
        ``limit`` with the shortest titles (meta_fts_docsize keeps each paper's column
        lengths as varints, the title's first, so its blobs sort by title length)."""
        scope, params = self._scope("pairs_fts", hub_id, flt)
        sql = (
            f"SELECT m.id FROM ({scope} LIMIT {int(pool)}) m "
            f"CROSS JOIN meta_fts_docsize d ON d.id = m.id ORDER BY d.sz, m.id "
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

    # -- each word's papers (the closest matches) ---------------------------------

    def doclist(self, table: str, match: str, limit: int) -> list[int]:
        """The papers of one FTS5 expression over ``meta_fts``, ``papers_fts`` or
        ``pairs_fts``, at most ``limit`` (one packed row: a row per id costs 6x more)."""
        if table not in ("meta_fts", "papers_fts", "pairs_fts"):
            raise ValueError(table)
        sql = (
            f"SELECT group_concat(rowid) FROM (SELECT rowid FROM {table} "
            f"WHERE {table} MATCH ? LIMIT {int(limit)})"
        )
        packed = self._rows(sql, (match,))[0][0]
        return list(map(int, packed.split(","))) if packed else []

    def pair_docs(self, pairs: Sequence[str]) -> dict[str, int]:
        """How many titles hold each of these word pairs (``policy_optimization``)."""
        if not pairs:
            return {}
        sql = f"SELECT term, doc FROM pairs_fts_terms WHERE term IN ({_in(pairs)})"
        return dict(self._rows(sql, list(pairs)))

    # -- records ------------------------------------------------------------------

    def texts(self, ids: Iterable[int]) -> dict[int, tuple[Any, ...]]:
        """(title, summary, citation_count, authors JSON, venue, year, abstract) by id."""
        out: dict[int, tuple[Any, ...]] = {}
        ids = list(ids)
        for i in range(0, len(ids), 500):
            chunk = ids[i : i + 500]
            rows = self._rows(
                f"SELECT {TEXT_COLUMNS} FROM papers WHERE id IN ({_in(chunk)})", chunk
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

    def in_scope(self, ids: Sequence[int], hub_id: int, flt: RowFilter | None) -> set[int]:
        """Those of ``ids`` that are citing papers of the hub passing the filter."""
        where, params = self._where(hub_id, flt)
        out: set[int] = set()
        ids = list(ids)
        for i in range(0, len(ids), 500):
            chunk = ids[i : i + 500]
            sql = (
                f"SELECT c.citing_id FROM citations c WHERE {where} "
                f"AND c.citing_id IN ({_in(chunk)})"
            )
            out.update(r[0] for r in self._rows(sql, [*params, *chunk]))
        return out

    # -- identifiers and the user's layer ----------------------------------------

    def by_identifier(self, kind: str, value: object) -> list[int]:
        """Papers whose identifier column ``kind`` equals ``value`` exactly, or that are
        known by it as an alias (a second OpenAlex work of one DOI: see schema._v9)."""
        col = ID_KINDS[kind]
        if isinstance(value, int) and not -(2**63) <= value < 2**63:
            return []
        if col == "id":
            return [r[0] for r in self._rows("SELECT id FROM papers WHERE id = ?", (value,))]
        sql = (
            f"SELECT id FROM papers WHERE {col} = ? "
            "UNION SELECT paper_id FROM paper_aliases WHERE kind = ? AND value = ?"
        )
        return [r[0] for r in self._rows(sql, (value, col, value))]

    def user_ids(self, u: UserFilter) -> set[int]:
        """The papers passing the filters over the user's own layer."""
        where: list[str] = []
        params: list[Any] = []
        if u.starred:
            where.append("starred = 1")
        if u.has_note:
            where.append("note IS NOT NULL AND note != ''")
        for t in u.tags:
            where.append("EXISTS (SELECT 1 FROM json_each(tags) WHERE lower(value) = ?)")
            params.append(t.casefold())
        if u.statuses:
            where.append(f"coalesce(status, 'unread') IN ({_in(u.statuses)})")
            params += list(u.statuses)
        ids: set[int] | None = None
        if where:
            sql = "SELECT paper_id FROM user_annotations WHERE " + " AND ".join(where)
            if "unread" in u.statuses and len(where) == 1:  # unread: no annotation at all too
                sql = (
                    "SELECT id FROM papers WHERE id NOT IN (SELECT paper_id FROM "
                    "user_annotations WHERE status IS NOT NULL AND status NOT IN "
                    f"({_in(u.statuses)}))"
                )
                params = list(u.statuses)
            ids = {r[0] for r in self._rows(sql, params)}
        if u.has_context:
            ctx = {r[0] for r in self._rows("SELECT DISTINCT citing_id FROM contexts")}
            ids = ctx if ids is None else ids & ctx
        return ids if ids is not None else set()
