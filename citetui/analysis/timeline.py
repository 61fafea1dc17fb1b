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
    title: str | None  # as recorded
    year: int | None
    contexts_a: tuple[str, ...]
    contexts_b: tuple[str, ...]
    label: str = ""  # what stands for the paper on screen (Paper.display_title)


def compare(lib: Library, hub_a: int, hub_b: int) -> list[SharedCiter]:
    """The papers that cite both hubs, with both citation contexts side by side."""
    out = []
    rows = lib.common_citers(hub_a, hub_b)
    papers = lib.papers([r[0] for r in rows])
    for pid, title, year in rows:
        ca, cb = lib.citation(pid, hub_a), lib.citation(pid, hub_b)
        out.append(
            SharedCiter(
                pid,
                title,
                year,
                tuple(x.text for x in (ca.contexts if ca else ())),
                tuple(x.text for x in (cb.contexts if cb else ())),
                papers[pid].display_title if pid in papers else f"paper {pid}",
            )
        )
    return out
