"""The hub controls: recognition alignment, counterfactual ablation, timelines, comparison.

All of it is computed from the library on demand (nothing here writes), UI-free.

Recognition alignment: a citing paper *recognises* a claim when one of its
citation contexts or its one-sentence summary is similar to the claim, or when a
source recorded that it engages the claim. Similarity is the share of the
claim's content words (stop-words dropped) that occur in the sentence, each
word matched fuzzily (rapidfuzz ratio >= 85, so "optimisation" matches
"optimization"), scaled 0-100. ``ALIGNMENT_THRESHOLD`` (40) is the score from
which a sentence counts; the score is shown next to every match.

Counterfactual ablation: the role and polarity summaries and the verdict are
recomputed with one slice of the citations removed, next to the full figures.

Computed verdict (used when a source gives none, and for every ablation): over
the labelled polarities, "Contested citations" when critical >= 25%, "Mostly
supportive citations" when supportive >= 60% and critical < 10%, "Mostly neutral
citations" when neutral >= 70%, else "Mixed citations"; with no polarity
labels, "No polarity labels".
"""

from __future__ import annotations

import re
from collections import Counter
from collections.abc import Callable, Sequence
from dataclasses import dataclass

from rapidfuzz import fuzz

from citetui.core.models import Summary, verdict
from citetui.search import STOPWORDS, fold
from citetui.core.models import HubEdge
from citetui.store.library import Library

ALIGNMENT_THRESHOLD = 40.0
WORD_MATCH = 85.0
_WORD = re.compile(r"\w+", re.UNICODE)
_SENTENCE = re.compile(r"(?<=[.!?])\s+")


# -- summaries and verdicts ------------------------------------------------


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


# -- counterfactual ablation -----------------------------------------------


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
    verdict_full: str
    verdict_without: str

    @property
    def verdict_changed(self) -> bool:
        """Whether leaving the slice out changes the verdict."""
        return self.verdict_full != self.verdict_without

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


def standard_slices(lib: Library, hub_id: int, *, k: int = 10,
                    years: tuple[int, int] | None = None, venue: str | None = None,
                    source: str | None = None) -> list[Slice]:
    """The slices the hub page offers: self-citations, a year range, a venue, the k most
    cited citers, citations without contexts, and the labels of one source."""
    hub = lib.paper(hub_id)
    hub_authors = {_norm_author(a) for a in hub.authors} - {""}
    edges = lib.hub_edges(hub_id)
    top_k = {e.citing_id for e in sorted(
        (e for e in edges if e.citation_count is not None),
        key=lambda e: -(e.citation_count or 0))[:k]}
    slices = [
        Slice("self-citations", "citing papers sharing an author with the hub",
              lambda e: bool(hub_authors & {_norm_author(a) for a in e.authors})),
        Slice(f"top-{k} cited", f"the {k} most-cited citing papers", lambda e: e.citing_id in top_k),
        Slice("no context", "citations without a context sentence", lambda e: e.n_contexts == 0),
    ]
    if years:
        lo, hi = years
        slices.append(Slice(f"years {lo}-{hi}", f"citing papers from {lo} to {hi}",
                            lambda e: e.year is not None and lo <= e.year <= hi))
    if venue:
        v = fold(venue)
        slices.append(Slice(f"venue {venue}", f"citing papers in venues matching {venue!r}",
                            lambda e: bool(e.venue) and v in fold(e.venue)))
    if source:
        slices.append(Slice(f"source {source}", f"citations labelled by {source}",
                            lambda e: source in e.label_sources))
    return slices


def ablate(lib: Library, hub_id: int, slices: Sequence[Slice]) -> list[Ablation]:
    """Recompute the summaries and verdict of the hub without each slice."""
    return ablate_edges(lib.hub_edges(hub_id), slices)


def combined(slices: Sequence[Slice]) -> Slice:
    """One slice that leaves out what any of ``slices`` leaves out."""
    drops = [s.drop for s in slices]
    return Slice(" + ".join(s.name for s in slices) or "nothing",
                 "; ".join(s.description for s in slices),
                 lambda e: any(d(e) for d in drops))


def browse_slices(edges: Sequence[HubEdge], k: int = 10) -> list[Slice]:
    """Slices to toggle in the browser beyond the standard ones: the older and the newer
    half of the citing years, the three commonest venues, and each labelling source."""
    out: list[Slice] = []
    years = sorted(e.year for e in edges if e.year is not None)
    if len(set(years)) > 1:
        mid = years[len(years) // 2]
        lo, hi = years[0], years[-1]
        if lo < mid:
            out.append(Slice(f"years {lo}-{mid - 1}", f"citing papers from {lo} to {mid - 1}",
                             lambda e, a=lo, b=mid - 1: e.year is not None and a <= e.year <= b))
        out.append(Slice(f"years {mid}-{hi}", f"citing papers from {mid} to {hi}",
                         lambda e, a=mid, b=hi: e.year is not None and a <= e.year <= b))
    venues = Counter(e.venue for e in edges if e.venue)
    for venue, _ in venues.most_common(3):
        out.append(Slice(f"venue {venue}", f"citing papers in {venue}",
                         lambda e, v=venue: e.venue == v))
    for src in sorted({s for e in edges for s in e.label_sources}):
        out.append(Slice(f"source {src}", f"citations labelled by {src}",
                         lambda e, x=src: x in e.label_sources))
    return out


def ablate_edges(edges: Sequence[HubEdge], slices: Sequence[Slice]) -> list[Ablation]:
    """:func:`ablate` over edges already read."""
    role_full, pol_full = summarise(edges, "role"), summarise(edges, "polarity")
    out = []
    for s in slices:
        kept = [e for e in edges if not s.drop(e)]
        role_wo, pol_wo = summarise(kept, "role"), summarise(kept, "polarity")
        out.append(Ablation(s, len(edges) - len(kept), len(kept), role_full, role_wo, pol_full,
                            pol_wo, verdict(pol_full), verdict(pol_wo)))
    return out


# -- recognition alignment -------------------------------------------------


def content_words(text: str) -> list[str]:
    """The folded words of a text without stop-words and one-letter words."""
    return [w for w in _WORD.findall(fold(text)) if w not in STOPWORDS and len(w) > 1]


def claim_similarity(claim: str, sentence: str) -> float:
    """0-100: the share of the claim's content words found (fuzzily) in the sentence."""
    words = list(dict.fromkeys(content_words(claim)))
    if not words:
        return 0.0
    have = set(content_words(sentence))
    if not have:
        return 0.0
    hit = 0
    for w in words:
        if w in have or any(fuzz.ratio(w, h) >= WORD_MATCH for h in have if abs(len(h) - len(w)) <= 2):
            hit += 1
    return 100.0 * hit / len(words)


@dataclass(frozen=True)
class Recognition:
    """One citing paper recognising a claim."""

    paper_id: int
    score: float
    sentence: str | None
    kind: str  # "context", "summary" or "recorded"
    stance: str | None = None


@dataclass(frozen=True)
class ClaimAlignment:
    """A claim with the citing papers that recognise it."""

    position: int
    text: str
    recognitions: tuple[Recognition, ...]
    n_citing: int

    @property
    def share(self) -> float:
        """The share of the hub's citing papers that recognise the claim."""
        return len(self.recognitions) / self.n_citing if self.n_citing else 0.0


def align(lib: Library, hub_id: int, threshold: float = ALIGNMENT_THRESHOLD) -> list[ClaimAlignment]:
    """For each claim of the hub: which citing papers recognise it, with score and sentence."""
    claims = lib.claims(hub_id)
    n_citing = lib.count_citing(hub_id)
    sentences = []
    for pid, kind, text in lib.hub_sentences(hub_id):
        for sent in _SENTENCE.split(text or ""):
            if sent.strip():
                sentences.append((pid, kind, sent.strip()))
    out = []
    for c in claims:
        best: dict[int, Recognition] = {}
        for e in c.engagements:
            best[e.paper_id] = Recognition(e.paper_id, 100.0, e.context, "recorded", e.stance)
        for pid, kind, sent in sentences:
            if pid in best and best[pid].kind == "recorded":
                continue
            score = claim_similarity(c.text, sent)
            if score >= threshold and (pid not in best or score > best[pid].score):
                best[pid] = Recognition(pid, round(score, 1), sent, kind)
        recs = tuple(sorted(best.values(), key=lambda r: (-r.score, r.paper_id)))
        out.append(ClaimAlignment(c.position, c.text, recs, n_citing))
    return out


# -- time and comparison ---------------------------------------------------


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
        out.append(SharedCiter(pid, title, year,
                               tuple(x.text for x in (ca.contexts if ca else ())),
                               tuple(x.text for x in (cb.contexts if cb else ()))))
    return out
