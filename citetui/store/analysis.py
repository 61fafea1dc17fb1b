"""Reads for the research instrument: the edges of a hub with what ablation, alignment,
timelines and hub comparison need. Pure computations on them live in citetui.analysis."""

from __future__ import annotations

import json

from citetui.core.models import HubEdge
from citetui.store.exports import ExportReads


class AnalysisReads(ExportReads):
    """The edges the research instrument works on (a layer of :class:`Library`)."""

    def hub_edges(self, hub_id: int) -> list[HubEdge]:
        """Every citation of the hub with its citing paper's fields."""
        rows = self._rows(
            "SELECT p.id, p.title, p.year, p.venue, p.citation_count, p.authors, c.roles, "
            "c.polarity, (SELECT count(*) FROM contexts x "
            "WHERE x.citing_id = c.citing_id AND x.cited_id = c.cited_id), "
            "(SELECT group_concat(DISTINCT l.source) FROM labels l "
            " WHERE l.citing_id = c.citing_id AND l.cited_id = c.cited_id) "
            "FROM citations c JOIN papers p ON p.id = c.citing_id WHERE c.cited_id = ?",
            (hub_id,),
        )
        return [
            HubEdge(
                r[0],
                r[1],
                r[2],
                r[3],
                r[4],
                tuple(json.loads(r[5]) if r[5] else ()),
                tuple(x for x in (r[6] or "").split(",") if x),
                r[7],
                r[8],
                tuple(sorted((r[9] or "").split(","))) if r[9] else (),
            )
            for r in rows
        ]

    def hub_sentences(self, hub_id: int) -> list[tuple[int, str, str]]:
        """(citing paper id, kind, text) of every citation context and citing-paper summary."""
        rows = self._rows(
            "SELECT x.citing_id, 'context', x.text FROM contexts x WHERE x.cited_id = ? "
            "UNION ALL SELECT p.id, 'summary', p.summary FROM citations c "
            "JOIN papers p ON p.id = c.citing_id WHERE c.cited_id = ? AND p.summary IS NOT NULL",
            (hub_id, hub_id),
        )
        return [(r[0], r[1], r[2]) for r in rows]

    def common_citers(self, hub_a: int, hub_b: int) -> list[tuple[int, str | None, int | None]]:
        """(id, title, year) of the papers that cite both hubs."""
        rows = self._rows(
            "SELECT p.id, p.title, p.year FROM citations a "
            "JOIN citations b ON b.citing_id = a.citing_id AND b.cited_id = ? "
            "JOIN papers p ON p.id = a.citing_id WHERE a.cited_id = ? "
            "ORDER BY p.year IS NULL, p.year DESC, p.id",
            (hub_b, hub_a),
        )
        return [(r[0], r[1], r[2]) for r in rows]
