"""A hub's citations over time, and the papers two hubs share."""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass

from citetui.store import Library


def timeline(lib: Library, hub_id: int) -> dict[int, Counter[str]]:
    """Citations per year, split by role ('unlabelled' for none); undated ones are left out."""
    out: dict[int, Counter[str]] = {}
    for e in lib.hub_edges(hub_id):
        if e.year is None:
            continue
        out.setdefault(e.year, Counter()).update(e.roles or ("unlabelled",))
    return dict(sorted(out.items()))


@dataclass(frozen=True)
class SharedCiter:
    """A paper citing both hubs, with its contexts for each."""

    paper_id: int
    title: str | None
    year: int | None
    contexts_a: tuple[str, ...]
    contexts_b: tuple[str, ...]


def compare(lib: Library, hub_a: int, hub_b: int) -> list[SharedCiter]:
    """The papers that cite both hubs, with both citation contexts side by side."""
    out = []
    for pid, title, year in lib.common_citers(hub_a, hub_b):
        ca, cb = lib.citation(pid, hub_a), lib.citation(pid, hub_b)
        out.append(
            SharedCiter(
                pid,
                title,
                year,
                tuple(x.text for x in (ca.contexts if ca else ())),
                tuple(x.text for x in (cb.contexts if cb else ())),
            )
        )
    return out
