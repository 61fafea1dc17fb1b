"""What to highlight: the characters of a text that a query's words match."""

from __future__ import annotations

import re

from citetui.core.query import Query, QueryError, parse
from citetui.search.vocab import word_score
from citetui.store.fts import fold, tokens

_WORD = re.compile(r"[^\W_]+")


def match_spans(text: str, query: Query | str) -> list[tuple[int, int]]:
    """Character spans of ``text`` that the query's words match (for highlighting)."""
    if isinstance(query, str):
        try:
            query = parse(query)
        except QueryError:
            return []
    words = [t for w in (*query.words, *query.authors, *query.venues) for t in tokens(w)]
    spans: list[tuple[int, int]] = []
    if not text:
        return spans
    for m in _WORD.finditer(text):
        tok = fold(m.group())
        for i, w in enumerate(words):
            if word_score(w, tok, prefix=i == len(words) - 1) > 0:
                spans.append((m.start(), m.end()))
                break
    low = text.casefold()
    for w in query.exact:
        w = w.casefold()
        start = low.find(w)
        while w and start >= 0:
            spans.append((start, start + len(w)))
            start = low.find(w, start + 1)
    return sorted(spans)
