"""The one summary model of a hub: what a source recorded and what citetui computes from
the labelled citations, each with its coverage; the one verdict; the tier.

Every view (the hub header, ``citetui show``, the hub controls, ``citetui ablate``,
the exports, JSON) reads its figures from a :class:`HubSummary`, so the same question
gets the same answer everywhere. The rules:

- **Computed figures** count the effective labels of the hub's citations in the
  library: the user's overrides, else the sources'. Their coverage says how many
  citations carry a label of that kind, of how many citing papers in the library,
  of how many citations the paper is known to have.
- **Below** :data:`MIN_LABELLED` **labelled citations**, a computed summary gives
  counts ("3 of 1,000 labelled"), never a percentage headline nor a verdict.
  From there on, a share carries its n and its Wilson 95% interval.
- **The verdict** (:data:`VERDICT_RULE`) is computed from the polarity labels when
  at least :data:`MIN_LABELLED` citations carry a known polarity; otherwise it is the
  verdict a source recorded, said to be the source's; otherwise there is none.
- **The tier** is the one a source recorded; else it comes from the paper's known
  citation count; else, marked as a lower bound, from its citing papers in the
  library. Below :data:`TIER_MIN` citations there is no tier.
"""

from __future__ import annotations

import math
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from citetui.core.models import Summary

MIN_LABELLED = 20  # labelled citations below which a computed summary shows counts only
Z95 = 1.96
TIER_MIN = 100
TIER_THRESHOLDS: tuple[tuple[int, str], ...] = (
    (10_000, "mega hub"),
    (1_000, "major hub"),
    (TIER_MIN, "hub"),
)
VERDICT_RULE = (
    f"over the citations with a known polarity (supportive, neutral or critical), once at "
    f"least {MIN_LABELLED} carry one: critical 25% or more: Contested citations; supportive "
    "60% or more with critical under 10%: Mostly supportive citations; neutral 70% or more: "
    "Mostly neutral citations; else Mixed citations. With fewer polarity labels, the verdict "
    "a source recorded, said to be the source's; else none."
)
KNOWN_POLARITIES = ("supportive", "neutral", "critical")
SUMMARY_RULES = (
    "each pane shows what a source recorded (its own figures, n not given) beside what "
    "citetui computes from the labelled citations in the library (the labels you set, else "
    f"the sources'), with how many are labelled of how many citing papers. Below {MIN_LABELLED} "
    "labelled citations a computed summary gives counts, not shares; from there on a share "
    "comes with its 95% (Wilson) interval. The tier is the one a source recorded, else it "
    f"comes from the paper's known citation count (mega hub 10,000+, major hub 1,000+, hub "
    f"{TIER_MIN}+), else from its citing papers in the library, as a lower bound."
)
REPRESENTATIVE_RULE = "influential citations first, then the most cited; one version per paper"
VERSION_TITLE_WORDS = 4  # a title this long names one paper, whatever its venue or year
REPRESENTATIVE_RULE_MORE = (
    "Representative citing papers, when no source listed them, are chosen by citetui: the "
    "citations a source marked influential first, then the most cited citing papers, the newer "
    "first among equals. A paper's versions (a preprint and its publication) count once: two "
    "citing papers are versions of one when they share a DOI, an arXiv id (also as an arXiv "
    f"DOI) or a title of {VERSION_TITLE_WORDS} words or more; the most cited version is listed."
)


def plural(n: int, word: str, many: str | None = None) -> str:
    """'1 paper', '2 papers', '1,204 papers'."""
    return f"{n:,} {word if n == 1 else (many or word + 's')}"


def wilson(k: int, n: int, z: float = Z95) -> tuple[float, float]:
    """The Wilson score interval of ``k`` successes in ``n`` trials (0-1 each end)."""
    if n <= 0:
        return 0.0, 1.0
    p = k / n
    denom = 1 + z * z / n
    centre = (p + z * z / (2 * n)) / denom
    half = z * math.sqrt(p * (1 - p) / n + z * z / (4 * n * n)) / denom
    return max(0.0, centre - half), min(1.0, centre + half)


def pct(share: float) -> str:
    """'52%'."""
    return f"{round(share * 100)}%"


def share_text(count: int, n: int) -> str:
    """A computed share with its n: '71% (65–77%) · 172 of 241', or '3 of 12' below
    :data:`MIN_LABELLED`."""
    if n < MIN_LABELLED:
        return f"{count:,} of {n:,}"
    lo, hi = wilson(count, n)
    return f"{pct(count / n)} ({round(lo * 100)}–{round(hi * 100)}%) · {count:,} of {n:,}"


def decide(counts: Mapping[str, int], *, min_n: int = MIN_LABELLED) -> str | None:
    """The verdict of :data:`VERDICT_RULE` over polarity counts (None: too few labels)."""
    n = sum(counts.get(p, 0) for p in KNOWN_POLARITIES)
    if n == 0 or n < min_n:
        return None
    crit, sup, neu = (counts.get(p, 0) / n for p in ("critical", "supportive", "neutral"))
    if crit >= 0.25:
        return "Contested citations"
    if sup >= 0.6 and crit < 0.1:
        return "Mostly supportive citations"
    if neu >= 0.7:
        return "Mostly neutral citations"
    return "Mixed citations"


def counts_of(summary: Summary | None) -> dict[str, int]:
    """The label counts of a computed summary."""
    if summary is None:
        return {}
    return {b.label: b.count or 0 for b in summary.bars}


def known_polarities(summary: Summary | None) -> int:
    """How many citations of a computed polarity summary have a known polarity."""
    counts = counts_of(summary)
    return sum(counts.get(p, 0) for p in KNOWN_POLARITIES)


def _none_has(citing: int, kind: str) -> str:
    """'none of the 66 citing papers in the library has a role label'."""
    if citing == 0:
        return "no citing papers in the library"
    if citing == 1:
        return f"the one citing paper in the library has no {kind} label"
    return f"none of the {citing:,} citing papers has a {kind} label"


@dataclass(frozen=True)
class Coverage:
    """What a computed summary is computed from."""

    labelled: int  # citations carrying a label of this kind
    citing: int  # citing papers of the hub in the library
    known: int | None  # the citations the paper is known to have (its citation count)
    yours: int = 0  # of ``labelled``, citations the user labelled

    @property
    def enough(self) -> bool:
        """Whether there are enough labels for shares (:data:`MIN_LABELLED`)."""
        return self.labelled >= MIN_LABELLED

    def line(self, kind: str = "role") -> str:
        """'computed from 1 labelled of 66 citing papers in the library (citation count
        unknown; 1 labelled by you)', or that none of them carries a ``kind`` label."""
        known = (
            f"{plural(self.known, 'citation')} known"
            if self.known is not None
            else "citation count unknown"
        )
        if not self.labelled:
            return f"{_none_has(self.citing, kind)} ({known})"
        yours = f"; {self.yours:,} labelled by you" if self.yours else ""
        return (
            f"computed from {self.labelled:,} labelled of {plural(self.citing, 'citing paper')} "
            f"in the library ({known}{yours})"
        )

    def to_dict(self) -> dict[str, Any]:
        """A JSON-ready dict."""
        return {
            "labelled": self.labelled,
            "citing_papers": self.citing,
            "citation_count": self.known,
            "yours": self.yours,
            "enough_for_shares": self.enough,
        }


@dataclass(frozen=True)
class Verdict:
    """The verdict of a hub and where it comes from."""

    label: str | None  # "Contested citations"..., or None: no verdict
    basis: str  # "computed" | "recorded" | "none"
    reason: str  # what it rests on, or why there is none

    def line(self) -> str:
        """'Mixed citations (recorded by hub-page)', 'no verdict: ...'."""
        if self.label is None:
            return f"no verdict: {self.reason}"
        return f"{self.label} ({self.reason})"

    def to_dict(self) -> dict[str, Any]:
        """A JSON-ready dict."""
        return {"label": self.label, "basis": self.basis, "reason": self.reason}


def verdict_of(
    polarity: Mapping[str, int], citing: int, recorded: str | None, source: str | None
) -> Verdict:
    """THE verdict of a hub (:data:`VERDICT_RULE`): computed from its polarity label counts
    when there are enough, else the one a source recorded, else none (with why)."""
    computed = _computed(polarity, citing)
    if computed.label is not None or not recorded:
        return computed
    return Verdict(recorded, "recorded", f"recorded by {source}" if source else "recorded")


def computed_verdict(polarity: Summary | None, citing: int) -> Verdict:
    """The verdict computed from a polarity summary (counts), or why there is none."""
    return _computed(counts_of(polarity), citing)


def _computed(counts: Mapping[str, int], citing: int) -> Verdict:
    n = sum(counts.get(p, 0) for p in KNOWN_POLARITIES)
    label = decide(counts)
    of = plural(citing, "citing paper")
    if label is not None:
        return Verdict(label, "computed", f"computed from {n:,} polarity labels of {of}")
    if n == 0:
        return Verdict(None, "none", _none_has(citing, "polarity"))
    return Verdict(
        None,
        "none",
        f"{n:,} of {of} in the library {'has' if n == 1 else 'have'} a polarity label; "
        f"a verdict needs {MIN_LABELLED}",
    )


@dataclass(frozen=True)
class Tier:
    """A hub's tier and what it was decided from."""

    label: str | None  # "mega hub", "major hub", "hub", or None
    basis: str  # "recorded" | "citation count" | "library" (a lower bound) | "none"
    count: int | None = None  # the count it was decided from
    source: str | None = None  # who recorded it

    def text(self) -> str:
        """The tier with what it was decided from."""
        if self.basis == "recorded":
            by = f" by {self.source}" if self.source else ""
            return f"{self.label} (recorded{by})"
        if self.basis == "citation count":
            return f"{self.label} (from its {plural(self.count or 0, 'citation')})"
        if self.basis == "library":
            return (
                f"at least a {self.label} ({plural(self.count or 0, 'citing paper')} "
                "in the library)"
            )
        if self.count is not None:
            return f"no tier ({plural(self.count, 'citation')} known; tiers start at {TIER_MIN})"
        return f"no tier (citation count unknown; tiers start at {TIER_MIN})"

    @property
    def short(self) -> str:
        """The tier for a column: 'mega hub', '≥ major hub', or ''."""
        if self.label is None:
            return ""
        return f"≥ {self.label}" if self.basis == "library" else self.label

    def to_dict(self) -> dict[str, Any]:
        """A JSON-ready dict."""
        return {"label": self.label, "basis": self.basis, "count": self.count}


def _tier_label(n: int) -> str | None:
    return next((name for threshold, name in TIER_THRESHOLDS if n >= threshold), None)


def tier_of(
    recorded: str | None, source: str | None, citation_count: int | None, n_citing: int
) -> Tier:
    """The tier: recorded by a source, else from the known citation count, else (as a lower
    bound) from the citing papers in the library when that reaches a tier."""
    if recorded:
        return Tier(recorded, "recorded", None, source)
    if citation_count is not None and citation_count >= n_citing:
        label = _tier_label(citation_count)
        return Tier(label, "citation count" if label else "none", citation_count)
    label = _tier_label(n_citing)
    if label is not None:
        return Tier(label, "library", n_citing)
    return Tier(None, "none", citation_count)


@dataclass(frozen=True)
class HubSummary:
    """A hub's figures: recorded and computed, side by side, the one verdict and the tier."""

    recorded_role: Summary | None
    recorded_polarity: Summary | None
    recorded_verdict: str | None
    source: str | None  # who recorded the verdict (or else the summaries)
    computed_role: Summary | None
    computed_polarity: Summary | None
    roles: Coverage
    polarity: Coverage
    tier: Tier

    @property
    def computed_verdict(self) -> Verdict:
        """The verdict computed from the polarity labels (label None: too few)."""
        return computed_verdict(self.computed_polarity, self.polarity.citing)

    @property
    def verdict(self) -> Verdict:
        """The hub's verdict by :data:`VERDICT_RULE`."""
        return verdict_of(
            counts_of(self.computed_polarity),
            self.polarity.citing,
            self.recorded_verdict,
            self.source,
        )

    def computed(self, kind: str) -> Summary | None:
        """The computed role or polarity summary."""
        return self.computed_role if kind == "role" else self.computed_polarity

    def recorded(self, kind: str) -> Summary | None:
        """The recorded role or polarity summary."""
        return self.recorded_role if kind == "role" else self.recorded_polarity

    def coverage(self, kind: str) -> Coverage:
        """The coverage of the computed role or polarity summary."""
        return self.roles if kind == "role" else self.polarity

    def computed_text(self, kind: str, *, top: int | None = None) -> str:
        """The computed summary in words: 'method 71% (65–77%) · 172 of 241, ...' or,
        below MIN_LABELLED, counts: 'method 1'."""
        s = self.computed(kind)
        cov = self.coverage(kind)
        if s is None or not s.bars:
            return "none labelled"
        bars = sorted(s.bars, key=lambda b: -(b.count or 0))[:top]
        if cov.enough:
            return ", ".join(f"{b.label} {share_text(b.count or 0, cov.labelled)}" for b in bars)
        return ", ".join(f"{b.label} {b.count or 0:,}" for b in bars)

    def recorded_text(self, kind: str) -> str | None:
        """The recorded summary in words: 'background 52%' (None when none)."""
        s = self.recorded(kind)
        if s is None or not s.bars:
            return None
        return ", ".join(
            f"{b.label} {pct(b.share) if b.share is not None else '?'}" for b in s.bars
        )

    def role_line(self) -> str:
        """The roles, recorded and computed, each with where it comes from: 'top role
        background 52% (recorded by hub-page, n not given) · computed: 1 of 66 labelled
        (background 1)'."""
        parts = []
        recorded = self.recorded_role
        rec = recorded.top if recorded else None
        if recorded is not None and rec is not None and rec.share is not None:
            src = f"recorded by {recorded.source}" if recorded.source else "recorded"
            parts.append(f"top role {rec.label} {pct(rec.share)} ({src}, n not given)")
        cov = self.roles
        computed = self.computed_role
        top = max(computed.bars, key=lambda b: b.count or 0) if computed and computed.bars else None
        if top is not None and cov.enough:
            lo, hi = wilson(top.count or 0, cov.labelled)
            parts.append(
                f"computed: top role {top.label} {pct((top.count or 0) / cov.labelled)} "
                f"({round(lo * 100)}–{round(hi * 100)}%, {top.count:,} of {cov.labelled:,} "
                "labelled)"
            )
        elif top is not None:
            known = (
                f" ({plural(cov.known, 'citation')} known)"
                if cov.known is not None and cov.known > cov.citing
                else ""
            )
            parts.append(
                f"computed: {cov.labelled:,} of {plural(cov.citing, 'citing paper')} "
                f"labelled{known}: {self.computed_text('role')}"
            )
        elif rec is None:
            parts.append(f"no role labels among {plural(cov.citing, 'citing paper')}")
        return " · ".join(parts)

    def headline(self) -> tuple[str, str]:
        """The verdict line and the roles line: what every view shows of the summary."""
        return self.verdict.line(), self.role_line()

    def to_dict(self) -> dict[str, Any]:
        """A JSON-ready dict: both sides with their coverage, the verdict and the tier."""

        def bars(s: Summary | None) -> list[dict[str, Any]] | None:
            if s is None:
                return None
            return [{"label": b.label, "share": b.share, "count": b.count} for b in s.bars]

        def computed(kind: str) -> dict[str, Any]:
            s, cov = self.computed(kind), self.coverage(kind)
            out: dict[str, Any] = {"coverage": cov.to_dict(), "bars": []}
            for b in s.bars if s else ():
                row: dict[str, Any] = {"label": b.label, "count": b.count}
                if cov.enough and b.count is not None:
                    lo, hi = wilson(b.count, cov.labelled)
                    row |= {"share": b.count / cov.labelled, "low": lo, "high": hi}
                out["bars"].append(row)
            return out

        return {
            "verdict": self.verdict.to_dict(),
            "tier": self.tier.to_dict() | {"text": self.tier.text()},
            "recorded": {
                "source": self.source,
                "verdict": self.recorded_verdict,
                "role": bars(self.recorded_role),
                "polarity": bars(self.recorded_polarity),
            },
            "computed": {
                "verdict": self.computed_verdict.to_dict(),
                "role": computed("role"),
                "polarity": computed("polarity"),
            },
            "min_labelled": MIN_LABELLED,
            "headline": list(self.headline()),
        }
