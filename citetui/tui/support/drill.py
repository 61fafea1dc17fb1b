"""Drill-down: turning a choice in a summary or the claims ledger into an explorer query."""

from __future__ import annotations

from dataclasses import replace

from citetui.core.query import Query, QueryError, parse, unparse


def drill(text: str, kind: str, value: str | int) -> str:
    """The query ``text`` filtered to one role, polarity or claim (choosing it again unfilters).

    The words of the query are kept, as are filters of the other kinds, so drilling on a
    role and then a polarity narrows to both.
    """
    try:
        q = parse(text)
    except QueryError:
        q = Query()
    f = q.filter
    if kind == "role":
        f = replace(f, roles=() if f.roles == (value,) else (str(value),))
    elif kind == "polarity":
        f = replace(f, polarities=() if f.polarities == (value,) else (str(value),))
    elif kind == "claim":
        f = replace(f, claims=() if f.claims == (value,) else (int(value),))
    else:
        raise ValueError(f"cannot drill down on {kind!r}")
    return unparse(replace(q, filter=f))
