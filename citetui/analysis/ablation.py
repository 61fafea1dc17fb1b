"""Counterfactual ablation: the role and polarity summaries and the verdict recomputed
with one slice of a hub's citations left out, next to the full figures."""

from __future__ import annotations

from collections import Counter
from collections.abc import Callable, Sequence
from dataclasses import dataclass

from citetui.core.models import HubEdge, Summary
from citetui.core.summary import MIN_LABELLED, computed_verdict, counts_of, decide, known_polarities
from citetui.search import fold
from citetui.store import Library


def summarise(edges: Sequence[HubEdge], kind: str) -> Summary | None:
    """The role or polarity summary computed from these edges (None when none is labelled)."""
    counts: Counter[str] = Counter()
    n = 0
    for e in edges:
        values = e.roles if kind == "role" else ((e.polarity,) if e.polarity else ())
        if values:
            n += 1
            counts.update(values)
    return Summary.computed(kind, counts, n)


@dataclass(frozen=True)
class Slice:
    """A named set of citations to leave out."""

    name: str
    description: str
    drop: Callable[[HubEdge], bool]


@dataclass(frozen=True)
class Ablation:
    """Summaries and verdict with and without one slice."""

    slice: Slice
    removed: int
    kept: int
    role_full: Summary | None
    role_without: Summary | None
    polarity_full: Summary | None
    polarity_without: Summary | None
    verdict_full: str | None  # computed (core.summary.decide); None: too few labels
    verdict_without: str | None
    status: str  # what leaving the slice out does, in words (:func:`status_of`)

    @property
    def verdict_changed(self) -> bool:
        """Whether leaving the slice out changes a verdict there is to test."""
        return self.tested and self.verdict_full != self.verdict_without

    @property
    def brief(self) -> str:
        """The status without its reason: 'no verdict to test', 'verdict holds'."""
        return self.status.split(" (", 1)[0]

    @property
    def tested(self) -> bool:
        """Whether there was a verdict to test, and one left to compare with."""
        return (
            self.verdict_full is not None
            and self.verdict_without is not None
            and self.removed > 0
            and self.kept > 0
        )

    def top_role_shift(self) -> float | None:
        """How far the top role's share moves (percentage points), if both exist."""
        if not (self.role_full and self.role_without and self.role_full.top):
            return None
        label = self.role_full.top.label
        after = next((b.share for b in self.role_without.bars if b.label == label), 0.0) or 0.0
        return round((after - (self.role_full.top.share or 0.0)) * 100, 1)


def _norm_author(name: str) -> str:
    parts = fold(name).replace(".", " ").split()
    return parts[-1] + (parts[0][:1] if len(parts) > 1 else "") if parts else ""


def standard_slices(
    lib: Library,
    hub_id: int,
    *,
    k: int = 10,
    years: tuple[int, int] | None = None,
    venue: str | None = None,
    source: str | None = None,
) -> list[Slice]:
    """The slices the hub page offers: self-citations, a year range, a venue, the k most
    cited citers, citations without contexts, and the labels of one source."""
    hub = lib.paper(hub_id)
    hub_authors = {_norm_author(a) for a in hub.authors} - {""}
    edges = lib.hub_edges(hub_id)
    top_k = {
        e.citing_id
        for e in sorted(
            (e for e in edges if e.citation_count is not None),
            key=lambda e: -(e.citation_count or 0),
        )[:k]
    }
    slices = [
        Slice(
            "self-citations",
            "citing papers sharing an author with the hub",
            lambda e: bool(hub_authors & {_norm_author(a) for a in e.authors}),
        ),
        Slice(
            f"top-{k} cited", f"the {k} most-cited citing papers", lambda e: e.citing_id in top_k
        ),
        Slice(
            "citations without context",
            "citations without a context sentence",
            lambda e: e.n_contexts == 0,
        ),
    ]
    if years:
        slices.append(_years_slice(*years))
    if venue:
        v = fold(venue)
        slices.append(
            Slice(
                f"venue {venue}",
                f"citing papers in venues matching {venue!r}",
                lambda e: bool(e.venue) and v in fold(e.venue or ""),
            )
        )
    if source:
        slices.append(
            Slice(
                f"source {source}",
                f"citations labelled by {source}",
                lambda e: source in e.label_sources,
            )
        )
    return slices


def ablate(lib: Library, hub_id: int, slices: Sequence[Slice]) -> list[Ablation]:
    """Recompute the summaries and verdict of the hub without each slice."""
    return ablate_edges(lib.hub_edges(hub_id), slices)


def combined(slices: Sequence[Slice]) -> Slice:
    """One slice that leaves out what any of ``slices`` leaves out."""
    drops = [s.drop for s in slices]
    return Slice(
        " + ".join(s.name for s in slices) or "nothing",
        "; ".join(s.description for s in slices),
        lambda e: any(d(e) for d in drops),
    )


def browse_slices(edges: Sequence[HubEdge], k: int = 10) -> list[Slice]:
    """Slices to toggle in the browser beyond the standard ones: the older and the newer
    half of the citing years, the three commonest venues, and each labelling source."""
    out: list[Slice] = []
    years = sorted(e.year for e in edges if e.year is not None)
    if len(set(years)) > 1:
        mid = years[len(years) // 2]
        lo, hi = years[0], years[-1]
        if lo < mid:
            out.append(_years_slice(lo, mid - 1))
        out.append(_years_slice(mid, hi))
    venues = Counter(e.venue for e in edges if e.venue)
    for venue, _ in venues.most_common(3):
        out.append(Slice(f"venue {venue}", f"citing papers in {venue}", _in_venue(venue)))
    for src in sorted({s for e in edges for s in e.label_sources}):
        out.append(
            Slice(
                f"source {src}",
                f"citations labelled by {src}",
                _labelled_by(src),
            )
        )
    return out


def _years_slice(lo: int, hi: int) -> Slice:
    """'year 2022' or 'years 2019-2021', in words that read."""
    if lo == hi:
        return Slice(f"year {lo}", f"citing papers from {lo}", _in_years(lo, hi))
    return Slice(f"years {lo}-{hi}", f"citing papers from {lo} to {hi}", _in_years(lo, hi))


def _in_years(lo: int, hi: int) -> Callable[[HubEdge], bool]:
    return lambda e: e.year is not None and lo <= e.year <= hi


def _in_venue(venue: str) -> Callable[[HubEdge], bool]:
    return lambda e: e.venue == venue


def _labelled_by(source: str) -> Callable[[HubEdge], bool]:
    return lambda e: source in e.label_sources


def status_of(
    removed: int, kept: int, polarity_full: Summary | None, polarity_without: Summary | None
) -> str:
    """What leaving a slice out does to the computed verdict, in words. It never says the
    verdict holds where there is none to test, or nothing left to compare."""
    total = removed + kept
    full = decide(counts_of(polarity_full))
    if full is None:
        reason = computed_verdict(polarity_full, total).reason
        return f"no verdict to test ({reason})"
    if removed == 0:
        return "removes none: nothing to compare"
    if kept == 0:
        return f"removes all {total:,}: nothing left to compare"
    without = decide(counts_of(polarity_without))
    if without is None:
        left = known_polarities(polarity_without)
        return f"too few left for a verdict ({left:,} with a polarity label, needs {MIN_LABELLED})"
    if without == full:
        return "verdict holds"
    return f"verdict changes: {full} → {without}"


def ablate_edges(edges: Sequence[HubEdge], slices: Sequence[Slice]) -> list[Ablation]:
    """:func:`ablate` over edges already read."""
    role_full, pol_full = summarise(edges, "role"), summarise(edges, "polarity")
    verdict_full = decide(counts_of(pol_full))
    out = []
    for s in slices:
        kept = [e for e in edges if not s.drop(e)]
        role_wo, pol_wo = summarise(kept, "role"), summarise(kept, "polarity")
        removed = len(edges) - len(kept)
        out.append(
            Ablation(
                s,
                removed,
                len(kept),
                role_full,
                role_wo,
                pol_full,
                pol_wo,
                verdict_full,
                decide(counts_of(pol_wo)),
                status_of(removed, len(kept), pol_full, pol_wo),
            )
        )
    return out
