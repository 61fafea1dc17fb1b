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
# The explorer's columns beside the title, in their order on screen.
COLUMNS: tuple[str, ...] = ("year", "venue", "citations", "influential", "role", "polarity")
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
SORTS: tuple[str, ...] = (
    "relevance",
    "year",
    "citations",
    "title",
    "venue",
    "influential",
    "role",
    "polarity",
)
# Each sort's first direction: newest, most cited, best, influential first; titles and
# venues A to Z; roles in their vocabulary's order, polarities supportive to critical. A
# sort is written "year" (its first direction) or "year:asc" / "title:desc" (the other).
DESCENDING_FIRST = {
    "relevance": True,
    "year": True,
    "citations": True,
    "title": False,
    "venue": False,
    "influential": True,
    "role": False,
    "polarity": False,
}


def parse_sort(spec: str) -> tuple[str, bool]:
    """'year' -> ('year', True); 'year:asc' -> ('year', False). ValueError if unknown."""
    key, _, direction = (spec or "").partition(":")
    if key not in SORTS or direction not in ("", "asc", "desc"):
        raise ValueError(
            f"unknown sort {spec!r} (expected one of {', '.join(SORTS)}, optionally :asc or :desc)"
        )
    if key == "relevance" and direction == "asc":
        raise ValueError("relevance sorts best first only")
    return key, DESCENDING_FIRST[key] if not direction else direction == "desc"


def sort_spec(key: str, descending: bool) -> str:
    """The sort written as :func:`parse_sort` reads it, its first direction unmarked."""
    if key == "relevance" or descending == DESCENDING_FIRST[key]:
        return key
    return f"{key}:{'desc' if descending else 'asc'}"


def next_status(status: str | None) -> str:
    """The status after ``status`` in unread -> skimmed -> read -> key -> unread."""
    current = status or "unread"
    return STATUSES[(STATUSES.index(current) + 1) % len(STATUSES)]


def parse_columns(text: str | None) -> tuple[str, ...] | None:
    """'year,citations' -> ('year', 'citations') in COLUMNS order; None for None (the
    columns chosen by what the rows hold). ValueError for an unknown column."""
    if text is None:
        return None
    names = [c.strip() for c in text.split(",") if c.strip()]
    for c in names:
        if c not in COLUMNS:
            raise ValueError(f"unknown column {c!r} (columns: {', '.join(COLUMNS)})")
    return tuple(c for c in COLUMNS if c in names)
