"""Every dataclass of citetui: what a library holds, what goes in and what comes out."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from citetui.core import records
from citetui.core.ids import id_label
from citetui.core.vocab import ID_FIELDS, POLARITIES, ROLES

if TYPE_CHECKING:
    from citetui.core.summary import HubSummary, Tier, Verdict

UNTITLED = "untitled: "  # before the summary of a paper known by neither title nor id


def label_of(paper_id: int, title: str | None, ids: str | None, summary: str | None) -> str:
    """The words that stand for a paper wherever a title goes: its title, else its best
    identifier (:func:`citetui.core.ids.id_label`), else its summary marked as such, else
    its number in this library. Display text only: data (JSON, exports) keeps the title."""
    if title:
        return title
    if ids:
        return ids
    if summary:
        return UNTITLED + summary
    return f"paper {paper_id}"


def kind_of_label(title: str | None, ids: str | None, summary: str | None) -> str:
    """What :func:`label_of` shows: "title", "id", "summary" or "none" (a view dims
    what is not a title)."""
    return "title" if title else "id" if ids else "summary" if summary else "none"


@dataclass(frozen=True)
class Paper:
    """A paper with its identifiers and descriptive fields."""

    id: int
    title: str | None
    year: int | None = None
    venue: str | None = None
    abstract: str | None = None
    summary: str | None = None
    summary_source: str | None = None
    url: str | None = None
    citation_count: int | None = None
    doi: str | None = None
    arxiv: str | None = None
    s2_id: str | None = None
    corpus_id: int | None = None
    openalex_id: str | None = None
    authors: tuple[str, ...] = ()
    # Other identifiers it was imported under, (field, value): a second OpenAlex work of
    # its DOI. Read with one paper (its page), not with lists.
    aliases: tuple[tuple[str, str], ...] = ()

    @property
    def id_label(self) -> str | None:
        """The best identifier as words ("S2 49313245", "DOI 10.1/x", "W2741809807")."""
        return id_label(self.doi, self.arxiv, self.corpus_id, self.openalex_id, self.s2_id)

    @property
    def display_title(self) -> str:
        """What stands for the paper where a title goes (:func:`label_of`)."""
        return label_of(self.id, self.title, self.id_label, self.summary)

    @property
    def title_kind(self) -> str:
        """Whether :attr:`display_title` is the "title", an "id", the "summary" or "none"."""
        return kind_of_label(self.title, self.id_label, self.summary)

    @property
    def link(self) -> str | None:
        """The best link to the paper: its URL, DOI or arXiv page."""
        if self.url:
            return self.url
        if self.doi:
            return f"https://doi.org/{self.doi}"
        if self.arxiv:
            return f"https://arxiv.org/abs/{self.arxiv}"
        if self.openalex_id:
            return f"https://openalex.org/{self.openalex_id}"
        if self.s2_id:
            return f"https://www.semanticscholar.org/paper/{self.s2_id}"
        return None

    def identifiers(self) -> dict[str, str | int]:
        """The identifiers this paper has, by field name."""
        return {f: getattr(self, f) for f in ID_FIELDS if getattr(self, f) is not None}


def _by_fields(self: Any) -> tuple[Any, ...]:
    """``__reduce__`` of a record sent between processes (an import's reader): its
    constructor's arguments. Pickled as slots, by name, a record took twice as long to
    load in the writer's thread (1.56 against 0.78 ms for 1,000 prepared papers)."""
    cls = type(self)
    return cls, tuple(getattr(self, n) for n in cls.__match_args__)  # (the init fields)


@dataclass(slots=True)
class PaperRecord:
    """A paper on its way in, as an importer read it: what both writers of the store take.

    Its normal form, its identity and how two records of one paper combine are in
    :mod:`citetui.core.records`."""

    title: str | None = None
    year: int | None = None
    venue: str | None = None
    abstract: str | None = None
    summary: str | None = None
    summary_source: str | None = None
    url: str | None = None
    citation_count: int | None = None
    doi: str | None = None
    arxiv: str | None = None
    s2_id: str | None = None
    corpus_id: int | None = None
    openalex_id: str | None = None
    authors: list[str] = field(default_factory=list)

    __reduce__ = _by_fields

    def normalised(self) -> PaperRecord:
        """A copy with identifiers in canonical form and blank strings as None."""
        return records.normalised(self)

    def has_ids(self) -> bool:
        """Whether any identifier is known."""
        return records.has_ids(self)

    def joined(self, other: PaperRecord) -> PaperRecord:
        """The paper this record and ``other`` (both normalised) make, in either order."""
        return records.join(self, other)


@dataclass(slots=True)
class CiteRecord:
    """A citation on its way in, between a record's paper and ``target``: a library paper id,
    a record key of the same file (records, bundles) or a paper as a record names it."""

    target: int | str | PaperRecord
    roles: Sequence[str] = ()
    polarity: str | None = None
    influential: bool | None = None
    contexts: Sequence[tuple[str, Sequence[str]]] = ()
    source: str | None = None  # the labels' provenance (default: the import's source)

    __reduce__ = _by_fields


@dataclass(frozen=True)
class Hub:
    """A paper marked as a hub, with the figures a hub page shows in its header (``tier``
    and ``verdict`` as a source recorded them; :func:`citetui.core.summary.tier_of` decides
    the tier shown)."""

    paper: Paper
    tier: str | None
    verdict: str | None
    n_citing: int
    source: str | None = None
    # the effective polarity labels of its citations, counted (None: not read)
    polarity_counts: Mapping[str, int] | None = None

    @property
    def verdict_info(self) -> Verdict:
        """The verdict shown (:func:`citetui.core.summary.verdict_of`)."""
        from citetui.core.summary import verdict_of

        return verdict_of(self.polarity_counts or {}, self.n_citing, self.verdict, self.source)

    @property
    def tier_info(self) -> Tier:
        """The tier shown, with what it was decided from."""
        from citetui.core.summary import tier_of

        return tier_of(self.tier, self.source, self.paper.citation_count, self.n_citing)


@dataclass(frozen=True)
class Bar:
    """One bar of a role or polarity summary."""

    label: str
    share: float | None
    count: int | None = None


@dataclass(frozen=True)
class Summary:
    """A role or polarity summary, either recorded by a source or computed from edges."""

    kind: str  # "role" | "polarity"
    bars: tuple[Bar, ...]
    provenance: str  # "recorded" | "computed"
    n: int | None = None  # citations the computed summary is based on
    source: str | None = None

    @classmethod
    def computed(cls, kind: str, counts: Mapping[str, int], n: int) -> Summary | None:
        """The summary of ``n`` labelled citations whose labels were counted in ``counts``
        (None when ``n`` is 0): a bar per label of the kind's vocabulary that occurs."""
        if n == 0:
            return None
        vocab = ROLES if kind == "role" else POLARITIES
        return cls(
            kind,
            tuple(Bar(v, counts[v] / n, counts[v]) for v in vocab if counts.get(v)),
            "computed",
            n=n,
        )

    @property
    def top(self) -> Bar | None:
        """The most common label, if any."""
        known = [b for b in self.bars if b.share is not None]
        return max(known, key=lambda b: b.share or 0.0) if known else None

    @property
    def caption(self) -> str:
        """'recorded by source' or 'computed from N citations'."""
        if self.provenance == "recorded":
            return f"recorded by source ({self.source})" if self.source else "recorded by source"
        if self.n is None:
            return "computed from the labelled citations"
        return f"computed from {self.n:,} labelled citation{'s' if self.n != 1 else ''}"


@dataclass(frozen=True)
class Engagement:
    """A citing paper engaging one of the hub's claims (``title`` as recorded)."""

    paper_id: int
    title: str | None
    stance: str
    context: str | None = None


@dataclass(frozen=True)
class Claim:
    """One claim of a hub, with the papers that engage it."""

    id: int
    position: int
    text: str
    engagements: tuple[Engagement, ...] = ()

    def stance_counts(self) -> dict[str, int]:
        """How many engaging papers take each stance."""
        out: dict[str, int] = {}
        for e in self.engagements:
            out[e.stance] = out.get(e.stance, 0) + 1
        return out


@dataclass(frozen=True)
class CoCited:
    """A work cited together with the hub."""

    paper: Paper
    count: int | None
    provenance: str  # "recorded" | "computed"


@dataclass(frozen=True)
class Context:
    """One citation sentence with its own roles."""

    text: str
    roles: tuple[str, ...] = ()
    source: str | None = None


@dataclass(frozen=True)
class Label:
    """A role or polarity label with where it came from."""

    kind: str
    value: str
    source: str


@dataclass(frozen=True)
class Citation:
    """An edge citing -> cited with its labels and contexts."""

    citing_id: int
    cited_id: int
    roles: tuple[str, ...] = ()
    polarity: str | None = None
    influential: bool | None = None
    contexts: tuple[Context, ...] = ()
    labels: tuple[Label, ...] = ()
    source: str | None = None


@dataclass(frozen=True)
class CitingRow:
    """One row of the citing-papers explorer (``title`` as recorded: None when the source
    gave none; :attr:`label` is what stands for it on screen)."""

    paper_id: int
    title: str | None
    year: int | None
    roles: tuple[str, ...]
    polarity: str | None
    summary: str | None
    citation_count: int | None
    influential: bool | None = None
    score: float | None = None
    summary_source: str | None = None
    abstract: str | None = None  # its beginning: enough for a first sentence
    venue: str | None = None
    ids_label: str | None = None  # the best identifier as words (core.ids.id_label)

    @classmethod
    def of_paper(cls, p: Paper, score: float | None = None) -> CitingRow:
        """A row for a paper outside any hub (no edge: no roles, polarity or flag)."""
        return cls(
            p.id,
            p.title,
            p.year,
            (),
            None,
            p.summary,
            p.citation_count,
            None,
            score,
            p.summary_source,
            p.abstract[:ABSTRACT_HEAD] if p.abstract else None,
            p.venue,
            p.id_label,
        )

    @property
    def label(self) -> str:
        """What stands for the paper where a title goes (:func:`label_of`)."""
        return label_of(self.paper_id, self.title, self.ids_label, self.summary)

    @property
    def title_kind(self) -> str:
        """ "title", "id", "summary" or "none" (see :func:`kind_of_label`)."""
        return kind_of_label(self.title, self.ids_label, self.summary)


@dataclass(frozen=True)
class Statement:
    """One citation statement: a sentence citing a hub, with its citing paper, year, roles
    (the sentence's own, else its citation's) and polarity (its citation's)."""

    context_id: int
    citing_id: int
    title: str | None
    summary: str | None
    year: int | None
    text: str
    roles: tuple[str, ...]
    polarity: str | None
    influential: bool | None = None
    source: str | None = None
    ids_label: str | None = None

    @property
    def label(self) -> str:
        """What stands for the citing paper where a title goes (:func:`label_of`)."""
        return label_of(self.citing_id, self.title, self.ids_label, self.summary)


ABSTRACT_HEAD = 600  # characters of an abstract an explorer row reads: its first sentence


@dataclass(frozen=True)
class HubPage:
    """Everything the hub page shows."""

    hub: Hub
    summary: HubSummary  # recorded and computed figures, the verdict and the tier
    claims: tuple[Claim, ...]
    cocited: tuple[CoCited, ...]
    representative: tuple[Paper, ...]
    representative_rule: str | None = None  # None: as a source listed them
    cocited_basis: str = ""  # what the co-cited works were computed from, or who recorded them

    @property
    def role_summary(self) -> Summary | None:
        """The role bars shown: computed when a citation is labelled, else recorded."""
        return self.summary.computed_role or self.summary.recorded_role

    @property
    def polarity_summary(self) -> Summary | None:
        """The polarity bars shown: computed when a citation is labelled, else recorded."""
        return self.summary.computed_polarity or self.summary.recorded_polarity


@dataclass(frozen=True)
class ImportReport:
    """What an import added, updated and left unchanged."""

    source: str
    format: str
    added: dict[str, int] = field(default_factory=dict)
    updated: dict[str, int] = field(default_factory=dict)
    unchanged: dict[str, int] = field(default_factory=dict)
    skipped: tuple[str, ...] = ()
    hub_ids: tuple[int, ...] = ()

    def to_dict(self) -> dict[str, Any]:
        """A JSON-ready dict."""
        return {
            "source": self.source,
            "format": self.format,
            "added": dict(self.added),
            "updated": dict(self.updated),
            "unchanged": dict(self.unchanged),
            "skipped": list(self.skipped),
            "hubs": list(self.hub_ids),
        }


@dataclass(frozen=True)
class Stats:
    """Counts of what the library holds."""

    path: str
    schema_version: int
    papers: int
    hubs: int
    citations: int
    contexts: int
    claims: int
    labels: int
    imports: int
    size_bytes: int


# -- the user's layer -----------------------------------------------------------


@dataclass(frozen=True)
class Annotation:
    """What the user wrote about one paper."""

    paper_id: int
    starred: bool = False
    status: str | None = None
    tags: tuple[str, ...] = ()
    note: str | None = None
    updated_at: str | None = None

    def to_dict(self) -> dict[str, Any]:
        """A JSON-ready dict."""
        return {
            "paper_id": self.paper_id,
            "starred": self.starred,
            "status": self.status,
            "tags": list(self.tags),
            "note": self.note,
            "updated_at": self.updated_at,
        }


@dataclass(frozen=True)
class LabelOverride:
    """A role or polarity the user set on one citation."""

    citing_id: int
    cited_id: int
    kind: str
    value: str
    updated_at: str | None = None


@dataclass(frozen=True)
class SavedView:
    """A named query over one hub's citing papers (or the whole library)."""

    name: str
    hub_id: int | None
    query: str
    sort: str  # "year", "citations:asc"... (core.vocab.parse_sort)
    slot: int | None
    created_at: str | None = None
    columns: tuple[str, ...] | None = None  # the explorer's columns; None: chosen by the rows


@dataclass(frozen=True)
class HistoryEntry:
    """A query the user ran."""

    hub_id: int | None
    query: str
    uses: int
    used_at: str


# -- exports and the research instrument -----------------------------------------


@dataclass(frozen=True)
class SourcedContext:
    """A citation context with the source that recorded it, in that source's order."""

    text: str
    roles: tuple[str, ...]
    source: str | None
    position: int


@dataclass(frozen=True)
class ExportEdge:
    """An edge with everything a lossless export needs: labels and contexts by source."""

    citation: Citation
    contexts: tuple[SourcedContext, ...]


@dataclass(frozen=True)
class HubEdge:
    """One citation of a hub with the citing paper's fields that slices are made of."""

    citing_id: int
    title: str | None
    year: int | None
    venue: str | None
    citation_count: int | None
    authors: tuple[str, ...]
    roles: tuple[str, ...]
    polarity: str | None
    n_contexts: int
    label_sources: tuple[str, ...]
