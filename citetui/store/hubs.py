"""Reading hubs: the hub list, one hub, its claims and its whole page."""

from __future__ import annotations

from collections.abc import Sequence

from citetui.core.models import Claim, CoCited, Engagement, Hub, HubPage
from citetui.store.errors import NotFound
from citetui.store.panes import (
    REPRESENTATIVE_RULE,
    STABLE_TIES,
    PaneReads,
    _summary_from,
)
from citetui.store.papers import PAPER_COLUMNS, paper_from_row

# count reaches. The count is the paper's recorded citation count, or the citing papers in
# the library when that is larger or unknown (docs/importers.md).
TIER_THRESHOLDS: tuple[tuple[int, str], ...] = (
    (10_000, "mega hub"),
    (1_000, "major hub"),
    (100, "hub"),
    (0, "minor hub"),
)
COMPUTED_TIER_MARK = " (computed)"


def computed_tier(citation_count: int | None, n_citing: int) -> str:
    """The tier by TIER_THRESHOLDS, marked as computed: 'major hub (computed)'."""
    n = max(citation_count or 0, n_citing)
    label = next(name for threshold, name in TIER_THRESHOLDS if n >= threshold)
    return label + COMPUTED_TIER_MARK


class HubReads(PaneReads):
    """Hubs and their pages (a layer of :class:`Library`)."""

    def hubs(self) -> list[Hub]:
        """Every hub, most-cited in the library first."""
        rows = self._rows(
            f"SELECT h.tier, h.verdict, h.source, "
            f"(SELECT count(*) FROM citations c WHERE c.cited_id = h.paper_id), "
            f"{', '.join('p.' + c.strip() for c in PAPER_COLUMNS.split(','))} "
            f"FROM hubs h JOIN papers p ON p.id = h.paper_id"
        )
        hubs = []
        for r in rows:
            paper = paper_from_row(r[4:])
            tier = r[0] or computed_tier(paper.citation_count, r[3])
            hubs.append(Hub(paper, tier, r[1], r[3], r[2]))
        hubs.sort(key=lambda h: (-h.n_citing, h.paper.display_title.casefold()))
        return hubs

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
        return [
            Hub(
                papers[r[0]],
                r[1] or computed_tier(papers[r[0]].citation_count, r[4]),
                r[2],
                r[4],
                r[3],
            )
            for r in rows
        ]

    def hub_page(self, hub_id: int) -> HubPage:
        """Everything the hub page shows (the computed panes from the cache, see
        :meth:`computed_panes`)."""
        hub = self.hub(hub_id)
        panes = self.computed_panes(hub_id)
        recorded_role = self.recorded_summary(hub_id, "role")
        recorded_polarity = self.recorded_summary(hub_id, "polarity")
        papers = self.papers([r[0] for r in panes["cocited"]] + list(panes["representative"]))
        return HubPage(
            hub=hub,
            role_summary=_summary_from(panes["role"]) or recorded_role,
            polarity_summary=_summary_from(panes["polarity"]) or recorded_polarity,
            claims=tuple(self.claims(hub_id)),
            cocited=tuple(
                CoCited(papers[pid], n, prov) for pid, n, prov in panes["cocited"] if pid in papers
            ),
            representative=tuple(papers[i] for i in panes["representative"] if i in papers),
            representative_rule=None if panes["recorded_representatives"] else REPRESENTATIVE_RULE,
            recorded_role=recorded_role,
            recorded_polarity=recorded_polarity,
        )

    def claims(self, hub_id: int) -> list[Claim]:
        """The hub's claims in order, each with the papers that engage it."""
        claims = self._rows(
            "SELECT id, position, text FROM claims WHERE hub_id = ? ORDER BY position, id",
            (hub_id,),
        )
        eng = self._rows(
            "SELECT e.claim_id, e.paper_id, coalesce(p.title, p.summary, '(untitled)'), e.stance, "
            "e.context FROM claim_engagements e JOIN claims k ON k.id = e.claim_id "
            "JOIN papers p ON p.id = e.paper_id WHERE k.hub_id = ? ORDER BY p.year DESC, "
            f"{STABLE_TIES}",
            (hub_id,),
        )
        by_claim: dict[int, list[Engagement]] = {}
        for cid, pid, title, stance, ctx in eng:
            by_claim.setdefault(cid, []).append(Engagement(pid, title, stance, ctx))
        return [Claim(c[0], c[1], c[2], tuple(by_claim.get(c[0], ()))) for c in claims]

    def hub_ids(self) -> set[int]:
        """The paper ids that are hubs."""
        return {r[0] for r in self._rows("SELECT paper_id FROM hubs")}
