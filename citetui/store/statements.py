"""Citation statements: every sentence that cites a hub, with its citing paper, year, roles
and polarity, filtered by the query syntax and paged (the hub page's "how is it used")."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import replace
from typing import Any

from citetui.core.ids import id_label
from citetui.core.models import Statement
from citetui.core.query import Query
from citetui.store.explorer import ExplorerReads
from citetui.store.filters import filter_sql
from citetui.store.fts import tokens
from citetui.store.search_reads import quote

_COLUMNS = (
    "x.id, p.id, p.title, p.summary, c.citing_year, x.text, x.roles, c.roles, c.polarity, "
    "c.influential, x.source, p.doi, p.arxiv, p.corpus_id, p.openalex_id, p.s2_id"
)
# Newest first, as the explorer; a paper's sentences in the order its source gave them.
_ORDER = "c.citing_year IS NULL, c.citing_year DESC, c.citing_id, x.source, x.position"
# A sentence's roles: its own when its source gave some, else its citation's.
_ROLES_OF = (
    "(CASE WHEN x.roles IS NOT NULL AND x.roles NOT IN ('', '[]') "
    "THEN EXISTS (SELECT 1 FROM json_each(x.roles) j WHERE j.value IN ({marks})) "
    "ELSE ({edge}) END)"
)


def _match(q: Query) -> tuple[str | None, str | None]:
    """FTS5 queries over contexts_fts: what a sentence must match (its words as prefixes,
    exact words as they are), and what it must not."""
    must = [quote(t) + "*" for w in q.words for t in tokens(w)]
    must += [quote(" ".join(tokens(w))) for w in q.exact if tokens(w)]
    out = [quote(" ".join(tokens(w))) for w in q.exclude if tokens(w)]
    return (" AND ".join(must) or None), (" OR ".join(out) or None)


def _row(r: Sequence[Any]) -> Statement:
    import json

    try:
        own = tuple(str(v) for v in json.loads(r[6])) if r[6] else ()
    except ValueError:
        own = ()
    edge = tuple(v for v in (r[7] or "").split(",") if v)
    return Statement(
        context_id=r[0],
        citing_id=r[1],
        title=r[2],
        summary=r[3],
        year=r[4],
        text=r[5],
        roles=own or edge,
        polarity=r[8],
        influential=None if r[9] is None else bool(r[9]),
        source=r[10],
        ids_label=id_label(*r[11:16]),
    )


class StatementReads(ExplorerReads):
    """A hub's citation statements (a layer of :class:`Library`)."""

    def _statements_sql(self, hub_id: int, q: Query) -> tuple[str, list[Any]]:
        """FROM ... WHERE ... of the statements ``q`` selects: the citations of the hub
        (filtered by their year, polarity, claims), then their sentences."""
        flt = q.filter
        where, params = filter_sql(replace(flt, roles=()), hub_id)
        sql = (
            "FROM citations c JOIN contexts x ON x.citing_id = c.citing_id "
            f"AND x.cited_id = c.cited_id JOIN papers p ON p.id = c.citing_id WHERE {where}"
        )
        if flt.roles:
            marks = ",".join("?" * len(flt.roles))
            edge = " OR ".join("c.roles LIKE ?" for _ in flt.roles)
            sql += " AND " + _ROLES_OF.format(marks=marks, edge=edge)
            params += [*flt.roles, *(f"%,{r},%" for r in flt.roles)]
        must, out = _match(q)
        if must:
            sql += " AND x.id IN (SELECT rowid FROM contexts_fts WHERE contexts_fts MATCH ?)"
            params.append(must)
        if out:
            sql += " AND x.id NOT IN (SELECT rowid FROM contexts_fts WHERE contexts_fts MATCH ?)"
            params.append(out)
        return sql, params

    def statements(
        self, hub_id: int, q: Query | None = None, *, offset: int = 0, limit: int = 100
    ) -> list[Statement]:
        """One page of the hub's citation statements that ``q`` selects, newest first."""
        sql, params = self._statements_sql(hub_id, q or Query())
        rows = self._rows(
            f"SELECT {_COLUMNS} {sql} ORDER BY {_ORDER} LIMIT ? OFFSET ?",
            [*params, limit, offset],
        )
        return [_row(r) for r in rows]

    def count_statements(self, hub_id: int, q: Query | None = None) -> tuple[int, int]:
        """How many statements ``q`` selects, and from how many citing papers."""
        sql, params = self._statements_sql(hub_id, q or Query())
        n, papers = self._rows(f"SELECT count(*), count(DISTINCT c.citing_id) {sql}", params)[0]
        return int(n), int(papers)
