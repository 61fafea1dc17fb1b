"""Bulk reads for exports: a hub's edges with labels and contexts, and its recorded panes.

:meth:`Library.citation` reads one edge with three queries; an export of a hub
with tens of thousands of citing papers reads them here in chunks instead.
Every function returns the dataclasses of :mod:`citetui.core.models` or plain tuples.
"""

from __future__ import annotations

import json
from collections.abc import Iterator, Sequence
from typing import Any

from citetui.core.models import Bar, Citation, Context, ExportEdge, Label, SourcedContext
from citetui.store.views import SavedViews

CHUNK = 400  # ids per IN (...) list, well under SQLite's variable limit


def _chunks(ids: Sequence[int]) -> Iterator[list[int]]:
    ids = list(ids)
    for i in range(0, len(ids), CHUNK):
        yield ids[i : i + CHUNK]


def _marks(n: int) -> str:
    return ",".join("?" * n)


class ExportReads(SavedViews):
    """What an export reads in bulk (a layer of :class:`Library`)."""

    def export_edges_from(self, citing: Sequence[int]) -> list[ExportEdge]:
        """Every edge whose citing end is one of these papers, with labels and contexts."""
        out: list[ExportEdge] = []
        for chunk in _chunks(citing):
            out += self._edges(f"citing_id IN ({_marks(len(chunk))})", chunk)
        return out

    def export_edges_to(self, hub_id: int, citing: Sequence[int]) -> dict[int, ExportEdge]:
        """The edges citing -> hub for these citing papers, by citing id."""
        out: dict[int, ExportEdge] = {}
        for chunk in _chunks(sorted(set(citing))):
            where = f"cited_id = ? AND citing_id IN ({_marks(len(chunk))})"
            for edge in self._edges(where, [hub_id, *chunk]):
                out[edge.citation.citing_id] = edge
        return out

    def _edges(self, where: str, params: list[Any]) -> list[ExportEdge]:
        """The edges ``where`` selects (over citing_id and cited_id, which the citations,
        contexts and labels tables share), each with its contexts and labels by source."""
        rows = self._rows(
            "SELECT citing_id, cited_id, roles, polarity, influential, source FROM citations "
            f"WHERE {where} ORDER BY citing_id, cited_id",
            params,
        )
        ctx: dict[tuple[int, int], list[SourcedContext]] = {}
        for c_from, c_to, text, roles, source, pos in self._rows(
            "SELECT citing_id, cited_id, text, roles, source, position FROM contexts "
            f"WHERE {where} ORDER BY citing_id, cited_id, source, position, id",
            params,
        ):
            ctx.setdefault((c_from, c_to), []).append(
                SourcedContext(text, tuple(json.loads(roles or "[]")), source, pos)
            )
        labels: dict[tuple[int, int], list[Label]] = {}
        for c_from, c_to, kind, value, source in self._rows(
            "SELECT citing_id, cited_id, kind, value, source FROM labels "
            f"WHERE {where} ORDER BY citing_id, cited_id, kind, source, value",
            params,
        ):
            labels.setdefault((c_from, c_to), []).append(Label(kind, value, source))
        out = []
        for c_from, c_to, roles, polarity, infl, source in rows:
            sc = tuple(ctx.get((c_from, c_to), ()))
            citation = Citation(
                c_from,
                c_to,
                tuple(r for r in (roles or "").split(",") if r),
                polarity,
                None if infl is None else bool(infl),
                tuple(Context(c.text, c.roles, c.source) for c in sc),
                tuple(labels.get((c_from, c_to), ())),
                source,
            )
            out.append(ExportEdge(citation, sc))
        return out

    def engagements_by_paper(self, hub_id: int) -> dict[int, list[tuple[int, str, str | None]]]:
        """Claim engagements of the hub by paper id: (claim position 1-based, stance, context)."""
        out: dict[int, list[tuple[int, str, str | None]]] = {}
        for pid, pos, stance, ctx in self._rows(
            "SELECT e.paper_id, k.position, e.stance, e.context FROM claim_engagements e "
            "JOIN claims k ON k.id = e.claim_id WHERE k.hub_id = ? ORDER BY e.paper_id, k.position",
            (hub_id,),
        ):
            out.setdefault(pid, []).append((pos + 1, stance, ctx))
        return out

    def recorded_hub(self, hub_id: int) -> tuple[str | None, str | None, str | None]:
        """The hub's tier, verdict and source as stored (never a computed tier)."""
        rows = self._rows("SELECT tier, verdict, source FROM hubs WHERE paper_id = ?", (hub_id,))
        return tuple(rows[0]) if rows else (None, None, None)

    def recorded_summaries(self, hub_id: int) -> dict[str, list[Bar]]:
        """The role and polarity summaries a source recorded for the hub (first source's only)."""
        out: dict[str, list[Bar]] = {}
        for kind in ("role", "polarity"):
            s = self.recorded_summary(hub_id, kind)
            if s is not None and s.bars:
                out[kind] = list(s.bars)
        return out

    def recorded_cocited(self, hub_id: int) -> list[tuple[int, int | None]]:
        """Works recorded as co-cited with the hub, with their counts (never computed ones)."""
        return [
            (r[0], r[1])
            for r in self._rows(
                "SELECT paper_id, count FROM cocited WHERE hub_id = ? "
                "ORDER BY count IS NULL, count DESC, paper_id",
                (hub_id,),
            )
        ]

    def recorded_representatives(self, hub_id: int) -> list[int]:
        """Representative citing papers as a source listed them (never the computed rule's)."""
        seen: list[int] = []
        for (pid,) in self._rows(
            "SELECT paper_id FROM representatives WHERE hub_id = ? ORDER BY source, position",
            (hub_id,),
        ):
            if pid not in seen:
                seen.append(pid)
        return seen
