"""The query syntax shared by the browser, ``citetui search`` and exports.

Plain words are fuzzy and all must match; ``'word`` must appear exactly;
``!word`` must not appear; field filters: ``role:method``, ``pol:critical``
(or ``polarity:``), ``year:2020..2024`` (also ``year:2020``, ``year:2020..``,
``year:..2019``), ``claim:2`` (papers engaging the hub's second claim).
A filter may list several values: ``role:method,comparison``.
"""

from __future__ import annotations

import re
import shlex
from dataclasses import dataclass, field

from citetui.core.vocab import POLARITIES, ROLES

_YEAR = re.compile(r"^(\d{4})?(?:(\.\.)(\d{4})?)?$")
_FIELDS = {
    "role": "role",
    "roles": "role",
    "pol": "pol",
    "polarity": "pol",
    "year": "year",
    "claim": "claim",
}


@dataclass(frozen=True)
class RowFilter:
    """Structured filters on a hub's citing papers (the field filters of the query syntax);
    the store turns them into SQL (:func:`citetui.store.filters.filter_sql`)."""

    roles: tuple[str, ...] = ()
    polarities: tuple[str, ...] = ()
    year_min: int | None = None
    year_max: int | None = None
    claims: tuple[int, ...] = ()  # claim positions, 1-based

    @property
    def empty(self) -> bool:
        """Whether no filter is set."""
        return not (self.roles or self.polarities or self.claims) and (
            self.year_min is None and self.year_max is None
        )


class QueryError(ValueError):
    """A query that cannot be parsed; the message says why."""


@dataclass(frozen=True)
class Query:
    """A parsed query."""

    words: tuple[str, ...] = ()
    exact: tuple[str, ...] = ()
    exclude: tuple[str, ...] = ()
    filter: RowFilter = field(default_factory=RowFilter)

    @property
    def has_text(self) -> bool:
        """Whether the query has words to match (not just filters)."""
        return bool(self.words or self.exact)

    @property
    def text(self) -> str:
        """The fuzzy words as one string."""
        return " ".join(self.words)


def _split(text: str) -> list[str]:
    # Only "double quotes" group words: a ' starts an exact word, so it is no quote here
    # (shlex's default made "'policy 'gradient" one fuzzy word "policy gradient").
    if text.count('"') % 2:
        return text.split()
    lex = shlex.shlex(text, posix=True)
    lex.whitespace_split, lex.quotes, lex.escape, lex.commenters = True, '"', "", ""
    try:
        return list(lex)
    except ValueError:
        return text.split()


def parse(text: str) -> Query:
    """Parse the query syntax; unknown field values raise QueryError."""
    words: list[str] = []
    exact: list[str] = []
    exclude: list[str] = []
    roles: list[str] = []
    pols: list[str] = []
    claims: list[int] = []
    ymin = ymax = None
    for tok in _split(text or ""):
        if tok.startswith("'") and len(tok) > 1:
            exact.append(tok[1:].strip("'").casefold())
            continue
        if tok.startswith("!") and len(tok) > 1:
            exclude.append(tok[1:].casefold())
            continue
        name, sep, value = tok.partition(":")
        key = _FIELDS.get(name.casefold()) if sep else None
        if key is None or not value:
            words.append(tok)
            continue
        values = [v for v in value.casefold().split(",") if v]
        if key == "role":
            for v in values:
                match = [r for r in ROLES if r.startswith(v)]
                if len(match) != 1:
                    raise QueryError(f"unknown role {v!r} (roles: {', '.join(ROLES)})")
                roles.append(match[0])
        elif key == "pol":
            for v in values:
                match = [p for p in POLARITIES if p.startswith(v)]
                if len(match) != 1:
                    raise QueryError(
                        f"unknown polarity {v!r} (polarities: {', '.join(POLARITIES)})"
                    )
                pols.append(match[0])
        elif key == "year":
            m = _YEAR.match(value)
            if not m or (m.group(1) is None and m.group(3) is None):
                raise QueryError(f"bad year filter {value!r} (try year:2020..2024)")
            lo, dots, hi = m.group(1), m.group(2), m.group(3)
            ymin = int(lo) if lo else None
            ymax = int(hi) if hi else (ymin if not dots else None)
        elif key == "claim":
            for v in values:
                if not v.isdecimal() or len(v) > 9 or int(v) < 1:  # not isdigit: "²"
                    raise QueryError(f"bad claim number {v!r} (claims are numbered from 1)")
                claims.append(int(v))
    flt = RowFilter(
        tuple(dict.fromkeys(roles)),
        tuple(dict.fromkeys(pols)),
        ymin,
        ymax,
        tuple(dict.fromkeys(claims)),
    )
    return Query(tuple(words), tuple(exact), tuple(exclude), flt)


def unparse(query: Query) -> str:
    """The query back as text (used to show a drill-down filter in the search box)."""
    parts = list(query.words) + [f"'{w}" for w in query.exact] + [f"!{w}" for w in query.exclude]
    f = query.filter
    if f.roles:
        parts.append("role:" + ",".join(f.roles))
    if f.polarities:
        parts.append("pol:" + ",".join(f.polarities))
    if f.year_min is not None or f.year_max is not None:
        if f.year_min == f.year_max:
            parts.append(f"year:{f.year_min}")
        else:
            parts.append(f"year:{f.year_min or ''}..{f.year_max or ''}")
    if f.claims:
        parts.append("claim:" + ",".join(map(str, f.claims)))
    return " ".join(parts)
