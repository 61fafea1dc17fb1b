"""A paper on its way into a library: its normal form, its identity, and how two records of
one paper combine.

Both writers of the store (the :class:`~citetui.store.write.Writer`, one record at a
time, and :mod:`citetui.store.bulk`, a batch at a time) use exactly these functions, so
a paper comes out the same whichever path wrote it.

**Identity.** Two records are one paper when they share an identifier (DOI, arXiv id,
Semantic Scholar paperId or corpus id, OpenAlex id), or when neither path finds one and
they agree on the normalised title, the year and the first author's surname, all three,
with no identifier of one kind that differs (:func:`title_key`).

**The join rule** (:func:`join`). When two records of one paper disagree on a field, the
value kept does not depend on which was imported first: each field keeps the greatest of
its values in one fixed order, so importing A then B, or B then A, or either again, gives
the same paper. A missing value (null, blank) always loses.

==============================  ==========================================================
field                           kept
==============================  ==========================================================
year                            the earliest (a preprint's year, not a reprint's)
citation_count                  the largest (a count only grows)
title, venue, abstract, url     the longer; the same length: the smaller in code point order
summary with its source         the longer summary (then as above), with the source it came from
authors                         the longer list; the same length: the smaller, name by name
identifiers                     the smaller value, unless another paper already holds it;
                                the other is an alias of the paper (store: paper_aliases)
==============================  ==========================================================

A later import from the same source cannot correct a value the rule prefers (a year made
later, a title made shorter): that is the price of an order that does not matter.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Sequence
from typing import TYPE_CHECKING, Any

from citetui.core import ids as idn
from citetui.core.vocab import ID_FIELDS

if TYPE_CHECKING:
    from citetui.core.models import PaperRecord

# The stored fields of a paper, in the order of the papers table and of PaperRecord.
PAPER_FIELDS: tuple[str, ...] = (
    "title",
    "year",
    "venue",
    "abstract",
    "summary",
    "summary_source",
    "url",
    "citation_count",
    "doi",
    "arxiv",
    "s2_id",
    "corpus_id",
    "openalex_id",
)
ID_COLUMNS = ID_FIELDS
ID_SLICE = slice(8, 13)  # where the identifiers are in PAPER_FIELDS
SUMMARY = PAPER_FIELDS.index("summary")

_PLAIN_DOI = re.compile(r"10\.[!-~]*")  # printable ASCII: nothing for clean() to remove
_PLAIN_ARXIV = re.compile(r"\d{4}\.\d{4,5}")


def _blank(v: object) -> bool:
    return type(v) is str and (not v or v.isspace())


def normalised(p: PaperRecord) -> PaperRecord:
    """A copy of ``p`` with identifiers in canonical form, blank strings as None and
    author names stripped. Plain values (the common case) take shortcuts that give what
    the full normalisation gives."""
    title, year, venue, abstract, summary, summary_source, url, count = (
        p.title,
        p.year,
        p.venue,
        p.abstract,
        p.summary,
        p.summary_source,
        p.url,
        p.citation_count,
    )
    # (a stub names a paper by one identifier: most of its fields are None, not called for)
    if title is not None and _blank(title):
        title = None
    if venue is not None and _blank(venue):
        venue = None
    if abstract is not None and _blank(abstract):
        abstract = None
    if summary is not None and _blank(summary):
        summary = None
    if summary_source is not None and _blank(summary_source):
        summary_source = None
    if url is not None and _blank(url):
        url = None
    doi: Any = p.doi
    if doi is not None and not (
        type(doi) is str and _PLAIN_DOI.fullmatch(doi) and doi == doi.lower()
    ):
        doi = idn.norm_doi(doi)
    arxiv: Any = p.arxiv
    if arxiv is not None and not (type(arxiv) is str and _PLAIN_ARXIV.fullmatch(arxiv)):
        arxiv = idn.norm_arxiv(arxiv)
    if arxiv is None and doi is not None:
        arxiv = idn.arxiv_from_doi(doi)
    s2: Any = p.s2_id
    if s2 is not None and not (type(s2) is str and s2.isascii() and s2.isalnum() and s2.islower()):
        s2 = idn.norm_s2(s2)
    corpus: Any = p.corpus_id
    if corpus is not None and not (type(corpus) is int and 0 <= corpus <= idn.MAX_ID):
        corpus = idn.norm_corpus_id(corpus)
    oa: Any = p.openalex_id
    if oa is not None and not (type(oa) is str and oa[:1] == "W" and oa[1:].isdigit()):
        oa = idn.norm_openalex(oa)
    authors = p.authors
    if authors and not all(
        type(a) is str and a and not a[0].isspace() and not a[-1].isspace() for a in authors
    ):
        authors = [a.strip() for a in authors if isinstance(a, str) and a.strip()]
    if (
        title is p.title
        and venue is p.venue
        and abstract is p.abstract
        and summary is p.summary
        and summary_source is p.summary_source
        and url is p.url
        and doi is p.doi
        and arxiv is p.arxiv
        and s2 is p.s2_id
        and corpus is p.corpus_id
        and oa is p.openalex_id
        and authors is p.authors
        and type(authors) is list
    ):
        return p  # already in normal form
    return type(p)(
        title,
        year,
        venue,
        abstract,
        summary,
        summary_source,
        url,
        count,
        doi,
        arxiv,
        s2,
        corpus,
        oa,
        list(authors) if authors else [],
    )


def has_ids(p: PaperRecord) -> bool:
    """Whether any identifier is known."""
    return (
        p.doi is not None
        or p.arxiv is not None
        or p.s2_id is not None
        or p.corpus_id is not None
        or p.openalex_id is not None
    )


def identity_text(title: str | None, summary: str | None) -> str | None:
    """The text a paper is known by when no identifier is shared: its normalised title, or
    for an untitled paper (a hub page may give only a summary) '~' + its normalised summary."""
    if title:
        return idn.norm_title(title)
    norm = idn.norm_title(summary)
    return "~" + norm if norm else None


TitleKey = tuple[str, int | None, str | None]


def title_key(text: str | None, year: int | None, authors: object) -> TitleKey | None:
    """What a paper without a shared identifier is matched on: its identity text, year and
    first author's surname (None when it has no identity text)."""
    if text is None:
        return None
    return text, year, idn.author_key(authors)


def conflicts(a: Sequence[Any], b: Sequence[Any]) -> bool:
    """Whether two papers' identifiers (in ID_COLUMNS order) differ for some kind both have."""
    return any(x is not None and y is not None and x != y for x, y in zip(a, b, strict=True))


# -- the join rule ---------------------------------------------------------------------


def _longer(a: Any, b: Any) -> Any:
    """The longer text; the same length: the smaller (None loses)."""
    if a is None:
        return b
    if b is None or a == b:
        return a
    la, lb = len(a), len(b)
    if la != lb:
        return a if la > lb else b
    return a if a < b else b


def _earliest(a: Any, b: Any) -> Any:
    if a is None:
        return b
    return a if b is None or a <= b else b


def _largest(a: Any, b: Any) -> Any:
    if a is None:
        return b
    return a if b is None or a >= b else b


# One rule per field of PAPER_FIELDS (the summary's source goes with its summary).
RULES: tuple[Callable[[Any, Any], Any], ...] = (
    _longer,  # title
    _earliest,  # year
    _longer,  # venue
    _longer,  # abstract
    _longer,  # summary (with its source: see join_values)
    _longer,  # summary_source (alone: when neither has a summary)
    _longer,  # url
    _largest,  # citation_count
    _earliest,  # doi
    _earliest,  # arxiv
    _earliest,  # s2_id
    _earliest,  # corpus_id
    _earliest,  # openalex_id
)


def join_authors(a: Sequence[str], b: Sequence[str]) -> Sequence[str]:
    """The longer author list; the same length: the smaller, name by name (empty loses)."""
    if not a:
        return b
    if not b or len(a) > len(b):
        return a
    if len(b) > len(a):
        return b
    return a if list(a) <= list(b) else b


def join_values(old: Sequence[Any], new: Sequence[Any]) -> list[Any]:
    """The joined fields (PAPER_FIELDS order) of two records of one paper: see the module."""
    out = list(old)
    for i, (a, b) in enumerate(zip(old, new, strict=True)):
        if b is not None and a != b:
            out[i] = RULES[i](a, b)
    s = SUMMARY
    if new[s] is not None and old[s] is not None and out[s] != old[s]:
        out[s + 1] = new[s + 1]  # the summary came from the new record: so does its source
    elif old[s] is not None and new[s] is not None and old[s] == new[s]:
        out[s + 1] = _longer(old[s + 1], new[s + 1])  # one summary, two names for its source
    elif old[s] is not None:
        out[s + 1] = old[s + 1]
    elif new[s] is not None:
        out[s + 1] = new[s + 1]
    return out


def values(p: PaperRecord) -> list[Any]:
    """The fields of a record in PAPER_FIELDS order."""
    return [
        p.title,
        p.year,
        p.venue,
        p.abstract,
        p.summary,
        p.summary_source,
        p.url,
        p.citation_count,
        p.doi,
        p.arxiv,
        p.s2_id,
        p.corpus_id,
        p.openalex_id,
    ]


def join(a: PaperRecord, b: PaperRecord) -> PaperRecord:
    """The paper two normalised records of it make, whichever is given first (see the module)."""
    joined = dict(zip(PAPER_FIELDS, join_values(values(a), values(b)), strict=True))
    return type(a)(**joined, authors=list(join_authors(a.authors, b.authors)))
