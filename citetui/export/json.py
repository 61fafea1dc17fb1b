"""JSON: a hub bundle (docs/bundle-format.md) that imports back into the same library.

What goes in, for the hub and the citing papers of the view:

- the hub with its tier, verdict, recorded role/polarity summaries, claims and
  their engagements, recorded co-cited works and representative papers
  (computed panes and a computed tier are not written: the library computes
  them again);
- every citation *from* the hub and from the view's citing papers, so the
  citing papers' references come along and co-citation counts computed from
  them come out the same after re-import;
- every paper any of these mention.

Labels and contexts keep their provenance: an edge labelled by two sources is
written as one citation record per source (``"source"`` set when it differs
from the bundle's), the edge's first source first. Strings are written exactly
as the library holds them; characters a terminal would act on are written as
``\\uXXXX`` escapes, which JSON reads back as the same characters.
"""

from __future__ import annotations

from typing import Any

from citetui.core.models import ExportEdge, Paper
from citetui.core.records import ID_SLICE, PAPER_FIELDS
from citetui.export.keys import assign_keys
from citetui.export.text import dump_json
from citetui.export.view import content_order, select_citing
from citetui.store import Library
from citetui.store.labels import USER_SOURCE

FORMAT = "json"
SUFFIX = ".json"
DEFAULT_SOURCE = "citetui"


def paper_record(key: str, p: Paper) -> dict[str, Any]:
    """A paper as a bundle record (absent fields are the ones the library does not know)."""
    rec: dict[str, Any] = {"key": key}
    for name in PAPER_FIELDS[: ID_SLICE.start]:  # the fields before the identifiers
        value = getattr(p, name)
        if value is not None:
            rec[name] = value
    ids = {
        name: getattr(p, col)
        for name, col in (
            ("doi", "doi"),
            ("arxiv", "arxiv"),
            ("s2", "s2_id"),
            ("corpus_id", "corpus_id"),
            ("openalex", "openalex_id"),
        )
        if getattr(p, col) is not None
    }
    if ids:
        rec["ids"] = ids
    if p.authors:
        rec["authors"] = list(p.authors)
    return rec


def citation_records(edge: ExportEdge, keys: dict[int, str], bundle_source: str) -> list[dict]:
    """One record per source that labelled the edge or gave it contexts, first source first."""
    c = edge.citation
    first = c.source or bundle_source
    # the user's own labels travel in the bundle's "user" section, not as a source's
    others = ({lab.source for lab in c.labels} | {x.source or first for x in edge.contexts}) - {
        USER_SOURCE
    }
    sources = [first, *sorted(others - {first})]
    records = []
    for i, src in enumerate(sources):
        rec: dict[str, Any] = {"citing": keys[c.citing_id], "cited": keys[c.cited_id]}
        roles = [lab.value for lab in c.labels if lab.kind == "role" and lab.source == src]
        pols = [lab.value for lab in c.labels if lab.kind == "polarity" and lab.source == src]
        if i == 0 and not c.labels:  # labels without a recorded provenance: the edge's own
            roles, pols = list(c.roles), [c.polarity] if c.polarity else []
        if roles:
            rec["roles"] = roles
        if pols:
            rec["polarity"] = pols[0]
        if i == 0 and c.influential is not None:
            rec["influential"] = c.influential
        contexts = [
            {"text": x.text, **({"roles": list(x.roles)} if x.roles else {})}
            for x in edge.contexts
            if (x.source or first) == src
        ]
        if contexts:
            rec["contexts"] = contexts
        if src != bundle_source:
            rec["source"] = src
        records.append(rec)
    return records


def build_bundle(lib: Library, hub_id: int, query: str | None = None) -> dict[str, Any]:
    """The hub (or the part of it the query selects) as a bundle document."""
    lib.hub(hub_id)  # raises NotFound for a paper that is not a hub
    tier, verdict, hub_source = lib.recorded_hub(hub_id)
    source = hub_source or DEFAULT_SOURCE
    view, ranked = select_citing(lib, hub_id, query)
    view = [i for i in dict.fromkeys(view) if i != hub_id]
    filtered = bool(query and query.strip())
    in_view = set(view)

    claims = lib.claims(hub_id)
    if filtered:
        claims = [
            type(c)(
                c.id, c.position, c.text, tuple(e for e in c.engagements if e.paper_id in in_view)
            )
            for c in claims
        ]
    reps = [r for r in lib.recorded_representatives(hub_id) if not filtered or r in in_view]
    cocited = lib.recorded_cocited(hub_id)
    core = [hub_id, *view]
    core += [e.paper_id for c in claims for e in c.engagements] + reps
    core = list(dict.fromkeys(core))
    edges = lib.export_edges_from(core)

    wanted = list(
        dict.fromkeys(
            core
            + [pid for pid, _ in cocited]
            + [e.citation.cited_id for e in edges]
            + [e.citation.citing_id for e in edges]
        )
    )
    papers = lib.papers(wanted)
    keys = assign_keys(papers[i] for i in wanted if i in papers)
    first = [i for i in [hub_id, *view] if i in papers]
    if not ranked:
        first = [hub_id, *content_order(papers, keys, first[1:])]
    placed = set(first)
    rest = content_order(papers, keys, [i for i in wanted if i in papers and i not in placed])
    order = first + rest

    summaries = lib.recorded_summaries(hub_id)
    hub_rec: dict[str, Any] = {"paper": keys[hub_id]}
    if tier is not None:
        hub_rec["tier"] = tier
    if verdict is not None:
        hub_rec["verdict"] = verdict
    if summaries:
        hub_rec["recorded_summaries"] = {
            kind: [{"label": b.label, "share": b.share, "count": b.count} for b in bars]
            for kind, bars in summaries.items()
        }
    if claims:
        hub_rec["claims"] = [
            {
                "text": c.text,
                "engaged_by": [
                    {
                        "paper": keys[e.paper_id],
                        "stance": e.stance,
                        **({"context": e.context} if e.context is not None else {}),
                    }
                    for e in c.engagements
                    if e.paper_id in keys
                ],
            }
            for c in claims
        ]
    if cocited:
        hub_rec["cocited"] = [{"paper": keys[pid], "count": n} for pid, n in cocited if pid in keys]
    if reps:
        hub_rec["representative"] = [keys[r] for r in reps if r in keys]

    position = {pid: i for i, pid in enumerate(order)}
    edges.sort(key=lambda e: (position[e.citation.citing_id], position[e.citation.cited_id]))
    description = "exported from a citetui library"
    if filtered:
        description += f"; citing papers matching the query {(query or '').strip()!r}"
    doc = {
        "format": "citetui-bundle",
        "version": 1,
        "source": {"name": source, "description": description, "url": None, "retrieved": None},
        "hub": hub_rec,
        "papers": [paper_record(keys[i], papers[i]) for i in order],
        "citations": [rec for e in edges for rec in citation_records(e, keys, source)],
    }
    user = user_section(lib, keys, position)
    if user:
        doc["user"] = user
    return doc


def user_section(lib: Library, keys: dict[int, str], order: dict[int, int]) -> dict[str, Any]:
    """What the user wrote about the bundle's papers and citations (notes, tags, statuses,
    stars; label overrides), so that it comes back when the bundle is imported elsewhere."""

    notes = sorted(
        (a for a in lib.annotations() if a.paper_id in keys), key=lambda a: order.get(a.paper_id, 0)
    )
    overrides = sorted(
        (o for o in lib.label_overrides() if o.citing_id in keys and o.cited_id in keys),
        key=lambda o: (order.get(o.citing_id, 0), order.get(o.cited_id, 0), o.kind),
    )
    out: dict[str, Any] = {}
    if notes:
        out["annotations"] = [
            {
                "paper": keys[a.paper_id],
                "starred": a.starred,
                "status": a.status,
                "tags": list(a.tags),
                "note": a.note,
                "updated_at": a.updated_at,
            }
            for a in notes
            if a.starred or a.status or a.tags or a.note
        ]
    if overrides:
        out["labels"] = [
            {
                "citing": keys[o.citing_id],
                "cited": keys[o.cited_id],
                "kind": o.kind,
                "values": o.value.split(","),
                "updated_at": o.updated_at,
            }
            for o in overrides
        ]
    return {k: v for k, v in out.items() if v}


def render_bundle(lib: Library, hub_id: int, query: str | None = None) -> str:
    """The bundle as JSON text (lossless, and safe to print on a terminal)."""
    return dump_json(build_bundle(lib, hub_id, query))
