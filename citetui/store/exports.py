"""Bulk reads for exports: a hub's edges with labels and contexts, and its recorded panes.

:meth:`Library.citation` reads one edge with three queries; an export of a hub
with tens of thousands of citing papers reads them here in chunks instead.
Every function returns the dataclasses of :mod:`citetui.core.models` or plain tuples.
"""

from __future__ import annotations

import json
from collections.abc import Iterator, Sequence
from dataclasses import dataclass

from citetui.core.models import Bar, Citation, Context, Label
from citetui.store.library import Library

CHUNK = 400  # ids per IN (...) list, well under SQLite's variable limit


@dataclass(frozen=True)
class SourcedContext:
    """A citation context with the source that recorded it, in that source's order."""

    text: str
    roles: tuple[str, ...]
    source: str | None
    position: int


@dataclass(frozen=True)
class Edge:
    """An edge with everything a lossless export needs: labels and contexts by source."""

    citation: Citation
    contexts: tuple[SourcedContext, ...]


def _chunks(ids: Sequence[int]) -> Iterator[list[int]]:
    ids = list(ids)
    for i in range(0, len(ids), CHUNK):
        yield ids[i : i + CHUNK]


def _marks(n: int) -> str:
    return ",".join("?" * n)


def citing_ids(lib: Library, hub_id: int) -> list[int]:
    """The ids of every paper citing the hub, in library order."""
    rows = lib._rows("SELECT citing_id FROM citations WHERE cited_id = ? ORDER BY citing_id",
                     (hub_id,))
    return [r[0] for r in rows]


def edges_from(lib: Library, citing: Sequence[int]) -> list[Edge]:
    """Every edge whose citing end is one of these papers, with labels and contexts."""
    out: list[Edge] = []
    for chunk in _chunks(citing):
        marks = _marks(len(chunk))
        rows = lib._rows(
            "SELECT citing_id, cited_id, roles, polarity, influential, source FROM citations "
            f"WHERE citing_id IN ({marks}) ORDER BY citing_id, cited_id",
            chunk,
        )
        ctx: dict[tuple[int, int], list[SourcedContext]] = {}
        for c_from, c_to, text, roles, source, pos in lib._rows(
            "SELECT citing_id, cited_id, text, roles, source, position FROM contexts "
            f"WHERE citing_id IN ({marks}) ORDER BY citing_id, cited_id, source, position, id",
            chunk,
        ):
            ctx.setdefault((c_from, c_to), []).append(
                SourcedContext(text, tuple(json.loads(roles or "[]")), source, pos)
            )
        labels: dict[tuple[int, int], list[Label]] = {}
        for c_from, c_to, kind, value, source in lib._rows(
            "SELECT citing_id, cited_id, kind, value, source FROM labels "
            f"WHERE citing_id IN ({marks}) ORDER BY citing_id, cited_id, kind, source, value",
            chunk,
        ):
            labels.setdefault((c_from, c_to), []).append(Label(kind, value, source))
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
            out.append(Edge(citation, sc))
    return out


def edges_to(lib: Library, hub_id: int, citing: Sequence[int]) -> dict[int, Edge]:
    """The edges citing -> hub for these citing papers, by citing id."""
    wanted = set(citing)
    out: dict[int, Edge] = {}
    for chunk in _chunks(sorted(wanted)):
        for edge in _edges_between(lib, chunk, hub_id):
            out[edge.citation.citing_id] = edge
    return out


def _edges_between(lib: Library, citing: list[int], cited: int) -> list[Edge]:
    marks = _marks(len(citing))
    rows = lib._rows(
        "SELECT citing_id, roles, polarity, influential, source FROM citations "
        f"WHERE cited_id = ? AND citing_id IN ({marks})",
        [cited, *citing],
    )
    ctx: dict[int, list[SourcedContext]] = {}
    for c_from, text, roles, source, pos in lib._rows(
        "SELECT citing_id, text, roles, source, position FROM contexts "
        f"WHERE cited_id = ? AND citing_id IN ({marks}) ORDER BY citing_id, source, position, id",
        [cited, *citing],
    ):
        ctx.setdefault(c_from, []).append(
            SourcedContext(text, tuple(json.loads(roles or "[]")), source, pos)
        )
    labels: dict[int, list[Label]] = {}
    for c_from, kind, value, source in lib._rows(
        "SELECT citing_id, kind, value, source FROM labels "
        f"WHERE cited_id = ? AND citing_id IN ({marks}) ORDER BY citing_id, kind, source, value",
        [cited, *citing],
    ):
        labels.setdefault(c_from, []).append(Label(kind, value, source))
    out = []
    for c_from, roles, polarity, infl, source in rows:
        sc = tuple(ctx.get(c_from, ()))
        citation = Citation(
            c_from,
            cited,
            tuple(r for r in (roles or "").split(",") if r),
            polarity,
            None if infl is None else bool(infl),
            tuple(Context(c.text, c.roles, c.source) for c in sc),
            tuple(labels.get(c_from, ())),
            source,
        )
        out.append(Edge(citation, sc))
    return out


def engagements_by_paper(lib: Library, hub_id: int) -> dict[int, list[tuple[int, str, str | None]]]:
    """Claim engagements of the hub by paper id: (claim position 1-based, stance, context)."""
    out: dict[int, list[tuple[int, str, str | None]]] = {}
    for pid, pos, stance, ctx in lib._rows(
        "SELECT e.paper_id, k.position, e.stance, e.context FROM claim_engagements e "
        "JOIN claims k ON k.id = e.claim_id WHERE k.hub_id = ? ORDER BY e.paper_id, k.position",
        (hub_id,),
    ):
        out.setdefault(pid, []).append((pos + 1, stance, ctx))
    return out


def recorded_hub(lib: Library, hub_id: int) -> tuple[str | None, str | None, str | None]:
    """The hub's tier, verdict and source as stored (no computed tier in place of a missing one)."""
    rows = lib._rows("SELECT tier, verdict, source FROM hubs WHERE paper_id = ?", (hub_id,))
    return tuple(rows[0]) if rows else (None, None, None)


def recorded_summaries(lib: Library, hub_id: int) -> dict[str, list[Bar]]:
    """The role and polarity summaries a source recorded for the hub (first source's only)."""
    out: dict[str, list[Bar]] = {}
    for kind in ("role", "polarity"):
        s = lib.recorded_summary(hub_id, kind)
        if s is not None and s.bars:
            out[kind] = list(s.bars)
    return out


def recorded_cocited(lib: Library, hub_id: int) -> list[tuple[int, int | None]]:
    """Works recorded as co-cited with the hub, with their counts (never computed ones)."""
    return [
        (r[0], r[1])
        for r in lib._rows(
            "SELECT paper_id, count FROM cocited WHERE hub_id = ? "
            "ORDER BY count IS NULL, count DESC, paper_id",
            (hub_id,),
        )
    ]


def recorded_representatives(lib: Library, hub_id: int) -> list[int]:
    """Representative citing papers as a source listed them (never the computed rule's)."""
    seen: list[int] = []
    for (pid,) in lib._rows(
        "SELECT paper_id FROM representatives WHERE hub_id = ? ORDER BY source, position",
        (hub_id,),
    ):
        if pid not in seen:
            seen.append(pid)
    return seen
