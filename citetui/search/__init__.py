"""Search, pure of any UI: one entry point, :func:`search`, for every caller.

- :mod:`~citetui.search.engine`: the entry point and the two tiers;
- :mod:`~citetui.search.identifiers`: DOIs, arXiv ids, CorpusIDs... anywhere in a query;
- :mod:`~citetui.search.vocab`: the term list in memory, typo neighbours, word splits;
- :mod:`~citetui.search.allwords`: papers holding every word (the first tier);
- :mod:`~citetui.search.closest`: the closest papers (the second tier);
- :mod:`~citetui.search.highlight`: what a query matches in a text;
- :mod:`~citetui.search.resolver`: one paper or hub for a command's argument, or a refusal.

The query syntax is :mod:`citetui.core.query`; every read is the store's
(:mod:`citetui.store.search_reads`).
"""

from citetui.core.vocab import STOPWORDS
from citetui.search.engine import Engine, SearchResult, engine, search
from citetui.search.highlight import match_spans
from citetui.search.vocab import edit_budget, word_score
from citetui.store.fts import fold, tokens

__all__ = [
    "STOPWORDS",
    "Engine",
    "SearchResult",
    "edit_budget",
    "engine",
    "fold",
    "match_spans",
    "search",
    "tokens",
    "word_score",
]
