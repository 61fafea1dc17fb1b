"""A paper record made ready for the bulk writer ahead of it, by the import's reader.

For a big JSON Lines file a second process reads and maps the records while the writer's
thread writes (:mod:`citetui.ingest.reader`). A record's normal form, its identity text
and its title's word pairs (the ``pairs_fts`` document) depend on the record alone, and
took ~9 s of the writer's ~95 s at a million OpenAlex works (py-spy). A format's fast
path returns :func:`prepare`'s record, so the reader works them out on its own core; the
writer (:class:`~citetui.store.bulk.BulkWriter`) takes them from a :class:`Prepared`
record and works them out itself for any other.

Only the reader prepares (:func:`ahead`): in the writer's own thread it would cost the
title pairs of every record the library turns out to hold (a re-import's nine in ten).
"""

from __future__ import annotations

from dataclasses import dataclass

from citetui.core import records as rec
from citetui.core.models import PaperRecord
from citetui.store import fts

# Whether this process is an import's reader (set by citetui.ingest.reader.main).
IN_READER = False


@dataclass(slots=True)
class Prepared(PaperRecord):
    """A record in normal form. ``text`` and ``pairs`` are its identity text and title
    pairs; None: not worked out (a record joined from two, which keeps this type)."""

    text: str | None = None
    pairs: str | None = None


def ahead(p: PaperRecord) -> PaperRecord:
    """What a format's fast path returns for the paper it mapped: :func:`prepare`'s
    record in a reader process, ``p`` itself elsewhere."""
    return prepare(p) if IN_READER else p


def prepare(p: PaperRecord) -> Prepared:
    """``p`` in normal form, with its identity text and title pairs."""
    n = rec.normalised(p)
    return Prepared(
        n.title,
        n.year,
        n.venue,
        n.abstract,
        n.summary,
        n.summary_source,
        n.url,
        n.citation_count,
        n.doi,
        n.arxiv,
        n.s2_id,
        n.corpus_id,
        n.openalex_id,
        n.authors,
        text=rec.identity_text(n.title, n.summary),
        pairs=fts.title_pairs(n.title) if n.title else None,
    )
