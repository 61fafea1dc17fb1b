"""The explorer's reads: a hub's citing papers, filtered, sorted and paged."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from citetui.core.ids import id_label
from citetui.core.models import ABSTRACT_HEAD, CitingRow
from citetui.core.query import RowFilter
from citetui.core.vocab import POLARITIES, ROLES, parse_sort
from citetui.store.filters import filter_sql
from citetui.store.papers import PaperReads

ROW_COLUMNS = (
    "p.id, p.title, p.year, c.roles, c.polarity, p.summary, p.citation_count, c.influential, "
    f"p.summary_source, substr(p.abstract, 1, {ABSTRACT_HEAD}), p.venue, "
    "p.doi, p.arxiv, p.corpus_id, p.openalex_id, p.s2_id"
)
# A citation's first role, and its polarity, by their place in the vocabulary.
_ROLE_RANK = (
    "CASE "
    + " ".join(f"WHEN c.roles LIKE ',{r},%' THEN {i}" for i, r in enumerate(ROLES))
    + f" ELSE {len(ROLES)} END"
)
_POLARITY_RANK = (
    "CASE c.polarity "
    + " ".join(f"WHEN '{p}' THEN {i}" for i, p in enumerate(POLARITIES))
    + f" ELSE {len(POLARITIES)} END"
)
# (sort, descending) -> ORDER BY. Missing values sort last both ways.
SORTS = {
    # citations.citing_year is the citing paper's year (schema v4); NULLs sort last in DESC,
    # so this is "year IS NULL, year DESC, id", read in order from idx_citations_hub_year
    ("year", True): "c.citing_year DESC, c.citing_id",
    ("year", False): "c.citing_year IS NULL, c.citing_year, c.citing_id",
    ("citations", True): "p.citation_count IS NULL, p.citation_count DESC, p.id",
    ("citations", False): "p.citation_count IS NULL, p.citation_count, p.id",
    ("title", False): "coalesce(p.title, p.summary) IS NULL, "
    "coalesce(p.title, p.summary) COLLATE NOCASE, p.id",
    ("title", True): "coalesce(p.title, p.summary) IS NULL, "
    "coalesce(p.title, p.summary) COLLATE NOCASE DESC, p.id",
    ("venue", False): "p.venue IS NULL, p.venue COLLATE NOCASE, p.id",
    ("venue", True): "p.venue IS NULL, p.venue COLLATE NOCASE DESC, p.id",
    ("influential", True): "coalesce(c.influential, 0) DESC, c.citing_year DESC, c.citing_id",
    ("influential", False): "coalesce(c.influential, 0), c.citing_year DESC, c.citing_id",
    ("role", False): f"c.roles IS NULL, {_ROLE_RANK}, c.roles, c.citing_id",
    ("role", True): f"c.roles IS NULL, {_ROLE_RANK} DESC, c.roles DESC, c.citing_id",
    ("polarity", False): f"c.polarity IS NULL, {_POLARITY_RANK}, c.citing_id",
    ("polarity", True): f"c.polarity IS NULL, {_POLARITY_RANK} DESC, c.citing_id",
    ("added", False): "p.id",
}


def order_by(sort: str) -> str:
    """The ORDER BY of a sort ("year", "citations:asc", ... or "added": library order)."""
    if sort == "added":
        return SORTS["added", False]
    key, descending = parse_sort(sort)
    return SORTS["year" if key == "relevance" else key, descending]


def row_from_tuple(row: Sequence[Any], score: float | None = None) -> CitingRow:
    """A CitingRow from a row of ROW_COLUMNS."""
    roles = tuple(r for r in (row[3] or "").split(",") if r)
    infl = None if row[7] is None else bool(row[7])
    return CitingRow(
        row[0],
        row[1],
        row[2],
        roles,
        row[4],
        row[5],
        row[6],
        infl,
        score,
        row[8],
        row[9] or None,
        row[10],
        id_label(*row[11:16]),
    )


class ExplorerReads(PaperReads):
    """A hub's citing papers as explorer rows (a layer of :class:`Library`)."""

    def count_citing(self, hub_id: int, flt: RowFilter | None = None) -> int:
        """How many citing papers of the hub pass the filter."""
        where, params = filter_sql(flt or RowFilter(), hub_id)
        # citations only (every citation's citing paper exists): the index answers
        sql = f"SELECT count(*) FROM citations c WHERE {where}"
        return int(self._rows(sql, params)[0][0])

    def citing_rows(
        self,
        hub_id: int,
        flt: RowFilter | None = None,
        *,
        sort: str = "year",
        offset: int = 0,
        limit: int = 100,
    ) -> list[CitingRow]:
        """One page of the hub's citing papers, filtered and sorted."""
        where, params = filter_sql(flt or RowFilter(), hub_id)
        sql = (
            f"SELECT {ROW_COLUMNS} FROM citations c JOIN papers p ON p.id = c.citing_id "
            f"WHERE {where} ORDER BY {order_by(sort)} LIMIT ? OFFSET ?"
        )
        return [row_from_tuple(r) for r in self._rows(sql, [*params, limit, offset])]

    def citing_ids(
        self, hub_id: int, flt: RowFilter | None = None, *, sort: str = "year"
    ) -> list[int]:
        """Every citing paper id of the hub passing the filter, in order: sort once, then
        read any page by position with :meth:`citing_rows_for` (OFFSET re-sorts each time)."""
        where, params = filter_sql(flt or RowFilter(), hub_id)
        order = order_by(sort)
        join = " JOIN papers p ON p.id = c.citing_id" if "p." in order else ""
        rest = f"FROM citations c{join} WHERE {where} ORDER BY {order}"
        # One row instead of one per id. Python's sqlite3 lets go of the interpreter lock
        # for each row and takes it back after; with another thread busy in Python (the
        # browser painting, the hub page's worker) each take waited its turn, and 175k ids
        # took 9 s instead of 60 ms. group_concat reads the sorted subquery's rows in the
        # order it streams them, which SQLite documents only from 3.44 on: the query
        # plan is checked for that streaming before the packed ids are trusted.
        sql = f"SELECT count(*), group_concat(id) FROM (SELECT c.citing_id AS id {rest})"
        if self._streams_in_order(sql, params):
            with self.lock:
                n, packed = self.conn.execute(sql, params).fetchone()
            return list(map(int, packed.split(","))) if n else []
        return [r[0] for r in self._rows(f"SELECT c.citing_id {rest}", params)]

    def _streams_in_order(self, sql: str, params: Sequence[Any]) -> bool:
        """Whether the aggregate of ``sql`` reads its subquery as a co-routine, in order."""
        plans = self.__dict__.setdefault("_plans", {})  # per library: plans follow its indexes
        ok = plans.get(sql)
        if ok is None:
            plan = [
                (parent, detail)
                for _, parent, _, detail in self._rows(f"EXPLAIN QUERY PLAN {sql}", params)
            ]
            ok = any(d.startswith("CO-ROUTINE") for _, d in plan) and any(
                parent == 0 and d.startswith("SCAN (subquery") for parent, d in plan
            )
            plans[sql] = ok
        return bool(ok)

    def citing_rows_for(
        self, hub_id: int, paper_ids: Sequence[int], flt: RowFilter | None = None
    ) -> dict[int, CitingRow]:
        """Explorer rows for these citing papers of the hub that pass the filter."""
        where, params = filter_sql(flt or RowFilter(), hub_id)
        out: dict[int, CitingRow] = {}
        ids = list(paper_ids)
        for i in range(0, len(ids), 500):
            chunk = ids[i : i + 500]
            sql = (
                f"SELECT {ROW_COLUMNS} FROM citations c JOIN papers p ON p.id = c.citing_id "
                f"WHERE {where} AND p.id IN ({','.join('?' * len(chunk))})"
            )
            for r in self._rows(sql, [*params, *chunk]):
                out[r[0]] = row_from_tuple(r)
        return out
