"""The field filters of the query syntax (a :class:`~citetui.core.query.RowFilter`) as SQL
over ``citations c``: the only place that turns a filter into a WHERE clause."""

from __future__ import annotations

from typing import Any

from citetui.core.query import RowFilter


def filter_sql(flt: RowFilter, hub_id: int) -> tuple[str, list[Any]]:
    """WHERE clauses (joined with AND) over c (citations) alone: no papers join needed."""
    where: list[str] = ["c.cited_id = ?"]
    params: list[Any] = [hub_id]
    if flt.roles:
        where.append("(" + " OR ".join("c.roles LIKE ?" for _ in flt.roles) + ")")
        params += [f"%,{r},%" for r in flt.roles]
    if flt.polarities:
        where.append(f"c.polarity IN ({','.join('?' * len(flt.polarities))})")
        params += list(flt.polarities)
    if flt.year_min is not None:
        where.append("c.citing_year >= ?")
        params.append(flt.year_min)
    if flt.year_max is not None:
        where.append("c.citing_year <= ?")
        params.append(flt.year_max)
    if flt.claims:
        where.append(
            "c.citing_id IN (SELECT e.paper_id FROM claim_engagements e "
            "JOIN claims k ON k.id = e.claim_id "
            f"WHERE k.hub_id = ? AND k.position IN ({','.join('?' * len(flt.claims))}))"
        )
        params += [hub_id, *[c - 1 for c in flt.claims]]
    return " AND ".join(where), params
