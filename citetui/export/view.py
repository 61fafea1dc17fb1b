"""What an export holds: a hub and its citing papers (all, or those a query selects).

Order: the hub first, then the citing papers - by relevance when the query has
words to match, else newest first, then by title and key. The order depends
only on the papers' fields, so exporting the same library twice, or a library
rebuilt from a JSON export, gives the same document.
"""

from __future__ import annotations

from dataclasses import dataclass

from citetui.core.models import Claim, ExportEdge, Hub, Paper, Summary
from citetui.core.summary import HubSummary
from citetui.export.keys import assign_keys
from citetui.store import Library


@dataclass(frozen=True)
class Item:
    """One paper of an export with its edge to the hub and the claims it engages."""

    key: str
    paper: Paper
    relation: str  # "hub" | "citing"
    edge: ExportEdge | None = None
    claims: tuple[tuple[int, str, str | None], ...] = ()  # (claim number, stance, context)

    @property
    def roles(self) -> tuple[str, ...]:
        """The effective roles of the edge to the hub."""
        return self.edge.citation.roles if self.edge else ()

    @property
    def polarity(self) -> str | None:
        """The effective polarity of the edge to the hub."""
        return self.edge.citation.polarity if self.edge else None

    @property
    def influential(self) -> bool | None:
        """Whether the source marked the citation influential."""
        return self.edge.citation.influential if self.edge else None


@dataclass(frozen=True)
class View:
    """A hub and the citing papers an export writes."""

    hub: Hub
    query: str | None
    items: tuple[Item, ...]  # the hub first
    claims: tuple[Claim, ...]
    role_summary: Summary | None
    polarity_summary: Summary | None
    total_citing: int  # citing papers of the hub in the library, before the query
    summary: HubSummary | None = None  # every figure, the verdict and the tier

    @property
    def citing(self) -> tuple[Item, ...]:
        """The citing papers, in export order."""
        return self.items[1:]


def content_order(papers: dict[int, Paper], keys: dict[int, str], ids: list[int]) -> list[int]:
    """Newest first, then by title, then by key (library ids play no part)."""
    return sorted(
        ids,
        key=lambda i: (
            papers[i].year is None,
            -(papers[i].year or 0),
            (papers[i].title or papers[i].summary or "").casefold(),
            keys[i],
        ),
    )


def select_citing(lib: Library, hub_id: int, query: str | None) -> tuple[list[int], bool]:
    """The ids of the hub's citing papers the query selects, and whether they are ranked."""
    if not query or not query.strip():
        return lib.citing_ids(hub_id, sort="added"), False
    from citetui.core.query import parse
    from citetui.search import search

    q = parse(query)
    result = search(lib, q, hub_id=hub_id, limit=None, sort="relevance")
    return [r.paper_id for r in result.rows], q.has_text


def build_view(lib: Library, hub_id: int, query: str | None = None) -> View:
    """The hub and the citing papers the query selects, with edges, keys and claims."""
    hub = lib.hub(hub_id)
    ids, ranked = select_citing(lib, hub_id, query)
    ids = [i for i in dict.fromkeys(ids) if i != hub_id]
    papers = lib.papers(ids)
    papers[hub_id] = hub.paper
    ids = [i for i in ids if i in papers]
    keys = assign_keys(papers[i] for i in [hub_id, *ids])
    if not ranked:
        ids = content_order(papers, keys, ids)
    edges = lib.export_edges_to(hub_id, ids)
    engaged = lib.engagements_by_paper(hub_id)
    items = [Item(keys[hub_id], hub.paper, "hub")]
    items += [
        Item(keys[i], papers[i], "citing", edges.get(i), tuple(engaged.get(i, ()))) for i in ids
    ]
    return View(
        hub=hub,
        query=query.strip() if query and query.strip() else None,
        items=tuple(items),
        claims=tuple(lib.claims(hub_id)),
        role_summary=lib.summary(hub_id, "role"),
        polarity_summary=lib.summary(hub_id, "polarity"),
        total_citing=hub.n_citing,
        summary=lib.hub_summary(hub_id, hub),
    )
