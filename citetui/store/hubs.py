"""Reading hubs: the hub list, one hub, its claims and its whole page."""

from __future__ import annotations

import sqlite3
from collections.abc import Sequence
from typing import Any

from citetui.core.models import Claim, CoCited, Engagement, Hub, HubPage, Paper
from citetui.core.summary import Coverage, HubSummary
from citetui.store.errors import NotFound
from citetui.store.panes import (
    REPRESENTATIVE_RULE,
    STABLE_TIES,
    PaneReads,
    _summary_from,
    kept_panes,
)
from citetui.store.papers import PAPER_COLUMNS, paper_from_row


class HubReads(PaneReads):
    """Hubs and their pages (a layer of :class:`Library`)."""

    def hubs(self, *, verdicts: str = "cached") -> list[Hub]:
        """Every hub, most-cited in the library first, with the polarity counts its verdict
        is decided from: ``verdicts`` "all" reads them for every hub, "cached" only those
        kept with the hub's panes (the others' ``polarity_counts`` is None: reading them
        takes a pass over a big hub's citations, ~0.2 s at 175k; see
        :meth:`polarity_counts`)."""
        rows = self._rows(
            f"SELECT h.tier, h.verdict, h.source, "
            f"(SELECT count(*) FROM citations c WHERE c.cited_id = h.paper_id), "
            f"{', '.join('p.' + c.strip() for c in PAPER_COLUMNS.split(','))} "
            f"FROM hubs h JOIN papers p ON p.id = h.paper_id"
        )
        counts = self.polarity_counts([r[4] for r in rows], cached_only=verdicts != "all")
        hubs = [Hub(paper_from_row(r[4:]), r[0], r[1], r[3], r[2], counts.get(r[4])) for r in rows]
        hubs.sort(key=lambda h: (-h.n_citing, h.paper.display_title.casefold()))
        return hubs

    def polarity_counts(
        self, hub_ids: Sequence[int], *, cached_only: bool = False
    ) -> dict[int, dict[str, int]]:
        """The effective polarity labels of each hub's citations, counted: from the panes
        kept in hub_cache when they are there (the big hubs' are: see
        :meth:`compute_panes_ahead`), else read (unless ``cached_only``)."""
        out: dict[int, dict[str, int]] = {}
        ids = list(hub_ids)
        for i in range(0, len(ids), 500):
            chunk = ids[i : i + 500]
            marks = ",".join("?" * len(chunk))
            try:
                cached = self._rows(
                    f"SELECT hub_id, payload FROM hub_cache WHERE hub_id IN ({marks})", chunk
                )
            except sqlite3.OperationalError:  # no such table: a library opened before v5
                cached = []
            for hub_id, payload in cached:
                panes = kept_panes(payload)
                if panes is not None:
                    pol = _summary_from(panes["polarity"])
                    out[hub_id] = {b.label: b.count or 0 for b in pol.bars} if pol else {}
            rest = [h for h in chunk if h not in out]
            if rest and not cached_only:
                rows = self._rows(
                    "SELECT cited_id, polarity, count(*) FROM citations WHERE cited_id IN "
                    f"({','.join('?' * len(rest))}) AND polarity IS NOT NULL "
                    "GROUP BY cited_id, polarity",
                    rest,
                )
                out |= {h: {} for h in rest}
                for hub_id, polarity, n in rows:
                    out[hub_id][polarity] = n
        return out

    def hub(self, hub_id: int) -> Hub:
        """One hub by its paper id."""
        for h in self.hubs_by_id([hub_id]):
            return h
        raise NotFound(f"paper {hub_id} is not a hub in this library")

    def hubs_by_id(self, hub_ids: Sequence[int]) -> list[Hub]:
        """The hubs among these paper ids."""
        ids = list(hub_ids)
        if not ids:
            return []
        rows = self._rows(
            f"SELECT paper_id, tier, verdict, source, "
            f"(SELECT count(*) FROM citations c WHERE c.cited_id = hubs.paper_id) "
            f"FROM hubs WHERE paper_id IN ({','.join('?' * len(ids))})",
            ids,
        )
        papers = self.papers([r[0] for r in rows])
        counts = self.polarity_counts([r[0] for r in rows])
        return [
            Hub(papers[r[0]], r[1], r[2], r[4], r[3], counts.get(r[0], {}))
            for r in rows
            if r[0] in papers
        ]

    def hub_summary(self, hub_id: int, hub: Hub | None = None) -> HubSummary:
        """The hub's figures, recorded and computed, with the verdict and the tier (the
        computed ones from the cache, see :meth:`computed_panes`)."""
        return self._summary(hub or self.hub(hub_id), self.computed_panes(hub_id))

    def _summary(self, hub: Hub, panes: dict[str, Any]) -> HubSummary:
        hub_id = hub.paper.id
        role = _summary_from(panes["role"])
        polarity = _summary_from(panes["polarity"])
        recorded_role = self.recorded_summary(hub_id, "role")
        recorded_polarity = self.recorded_summary(hub_id, "polarity")
        yours = panes.get("yours", {})
        known = hub.paper.citation_count
        source = hub.source if hub.verdict else None
        source = source or next(
            (s.source for s in (recorded_role, recorded_polarity) if s is not None), None
        )
        return HubSummary(
            recorded_role=recorded_role,
            recorded_polarity=recorded_polarity,
            recorded_verdict=hub.verdict,
            source=source,
            computed_role=role,
            computed_polarity=polarity,
            roles=Coverage(role.n or 0 if role else 0, hub.n_citing, known, yours.get("role", 0)),
            polarity=Coverage(
                polarity.n or 0 if polarity else 0, hub.n_citing, known, yours.get("polarity", 0)
            ),
            tier=hub.tier_info,
        )

    def hub_page(self, hub_id: int) -> HubPage:
        """Everything the hub page shows (the computed panes from the cache, see
        :meth:`computed_panes`)."""
        hub = self.hub(hub_id)
        panes = self.computed_panes(hub_id)
        papers = self.papers([r[0] for r in panes["cocited"]] + list(panes["representative"]))
        return HubPage(
            hub=hub,
            summary=self._summary(hub, panes),
            claims=tuple(self.claims(hub_id)),
            cocited=tuple(
                CoCited(papers[pid], n, prov) for pid, n, prov in panes["cocited"] if pid in papers
            ),
            representative=tuple(papers[i] for i in panes["representative"] if i in papers),
            representative_rule=None if panes["recorded_representatives"] else REPRESENTATIVE_RULE,
            cocited_basis=panes.get("cocited_basis", ""),
        )

    def claims(self, hub_id: int) -> list[Claim]:
        """The hub's claims in order, each with the papers that engage it."""
        claims = self._rows(
            "SELECT id, position, text FROM claims WHERE hub_id = ? ORDER BY position, id",
            (hub_id,),
        )
        eng = self._rows(
            "SELECT e.claim_id, e.paper_id, p.title, e.stance, e.context FROM claim_engagements e "
            "JOIN claims k ON k.id = e.claim_id JOIN papers p ON p.id = e.paper_id "
            f"WHERE k.hub_id = ? ORDER BY p.year DESC, {STABLE_TIES}",
            (hub_id,),
        )
        by_claim: dict[int, list[Engagement]] = {}
        for cid, pid, title, stance, ctx in eng:
            by_claim.setdefault(cid, []).append(Engagement(pid, title, stance, ctx))
        return [Claim(c[0], c[1], c[2], tuple(by_claim.get(c[0], ()))) for c in claims]

    def hub_candidates(self, limit: int = 3) -> list[tuple[Paper, int]]:
        """The papers that are not hubs with the most citing papers in the library, each
        with that count: what an import that named no hub could make one of."""
        rows = self._rows(
            "SELECT cited_id, count(*) AS n FROM citations "
            "WHERE cited_id NOT IN (SELECT paper_id FROM hubs) "
            "GROUP BY cited_id ORDER BY n DESC, cited_id LIMIT ?",
            (limit,),
        )
        papers = self.papers([r[0] for r in rows])
        return [(papers[r[0]], r[1]) for r in rows if r[0] in papers]

    def hub_ids(self) -> set[int]:
        """The paper ids that are hubs."""
        return {r[0] for r in self._rows("SELECT paper_id FROM hubs")}
