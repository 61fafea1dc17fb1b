"""The closed vocabularies every layer shares: citation roles and polarities, reading
statuses, identifier fields and the explorer's sort keys.

They are data the user and the importers are checked against, so they live in one
place; adding a role means adding it here (and to the bundle schema)."""

from __future__ import annotations

ROLES: tuple[str, ...] = ("background", "method", "comparison", "extension", "critique", "unknown")
POLARITIES: tuple[str, ...] = ("supportive", "neutral", "critical", "unknown")
STANCES = POLARITIES  # a claim engagement's stance takes the polarity vocabulary
STATUSES: tuple[str, ...] = ("unread", "skimmed", "read", "key")
ID_FIELDS: tuple[str, ...] = ("doi", "arxiv", "s2_id", "corpus_id", "openalex_id")
# Words too common to carry meaning in a query or a citation key: a query's may be missing
# from a paper that holds every other word.
STOPWORDS = frozenset(
    [
        "a",
        "an",
        "and",
        "are",
        "as",
        "at",
        "be",
        "by",
        "for",
        "from",
        "in",
        "into",
        "is",
        "it",
        "of",
        "on",
        "or",
        "the",
        "to",
        "with",
        "via",
        "vs",
    ]
)
# How the explorer and saved views may order citing papers; "relevance" needs a query.
SORTS: tuple[str, ...] = ("relevance", "year", "citations", "title")


def next_status(status: str | None) -> str:
    """The status after ``status`` in unread -> skimmed -> read -> key -> unread."""
    current = status or "unread"
    return STATUSES[(STATUSES.index(current) + 1) % len(STATUSES)]
