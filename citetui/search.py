"""Fuzzy search over titles and summaries, pure of any UI.

Matching rules (shared by every caller): the query's plain words must all match
a word of the title or summary, forgiving one edit for words of 5+ letters and
two for 9+; the last word also matches as a prefix (it may still be being
typed); ``'word`` must appear as a substring, ``!word`` must not; short
stop-words are optional. Ranking: title matches weigh more than summary
matches, closer matches more than looser ones, with rapidfuzz's WRatio of the
whole query against the title as a tie-breaker and a small boost for citation
count.
"""

from __future__ import annotations

import math
import re
import time
import unicodedata
from collections.abc import Iterable, Sequence
from dataclasses import dataclass

from rapidfuzz import fuzz, utils
from rapidfuzz.distance import Levenshtein

from citetui.models import CitingRow
from citetui.query import Query, parse
from citetui.store.reads import Library, RowFilter

TITLE_WEIGHT = 3.0
SUMMARY_WEIGHT = 1.0
STOPWORDS = frozenset(
    "a an and are as at be by for from in into is it of on or the to with via vs".split()
)
_WORD = re.compile(r"\w+", re.UNICODE)


def fold(text: str) -> str:
    """Case-folded text without accents (same length mapping is not guaranteed)."""
    text = unicodedata.normalize("NFKD", text)
    return "".join(c for c in text if not unicodedata.combining(c)).casefold()


def tokens(text: str | None) -> list[str]:
    """The folded words of a text."""
    return _WORD.findall(fold(text)) if text else []


def edit_budget(word: str) -> int:
    """Edits forgiven in a query word: 0 below 5 letters, 1 from 5, 2 from 9."""
    n = len(word)
    return 2 if n >= 9 else 1 if n >= 5 else 0


def word_score(q: str, token: str, *, prefix: bool) -> float:
    """How well query word ``q`` matches a document token: 1.0 exact, 0 no match."""
    if q == token:
        return 1.0
    if prefix and len(q) >= 2 and token.startswith(q):
        return 0.9
    budget = edit_budget(q)
    if budget and abs(len(q) - len(token)) <= budget:
        d = Levenshtein.distance(q, token, score_cutoff=budget)
        if d <= budget:
            return 0.8 - 0.1 * d
    if prefix and budget and len(token) > len(q):
        d = Levenshtein.distance(q, token[: len(q)], score_cutoff=budget)
        if d <= budget:
            return 0.6
    return 0.0


@dataclass(frozen=True)
class SearchResult:
    """Ranked rows and how many matched in all."""

    rows: tuple[CitingRow, ...]  # the first `limit` rows, in order
    total: int  # how many records matched in all
    seconds: float
    ids: tuple[int, ...] = ()  # every matching paper id, in order (for paging the rest)


def _best(q: str, toks: Iterable[str], prefix: bool) -> float:
    best = 0.0
    for t in toks:
        s = word_score(q, t, prefix=prefix)
        if s > best:
            best = s
            if s == 1.0:
                break
    return best


def score_text(query: Query, title: str | None, summary: str | None) -> float | None:
    """The relevance of one record to the query, or None when it does not match."""
    t_title, t_summary = tokens(title), tokens(summary)
    folded = fold(f"{title or ''} {summary or ''}")
    for w in query.exclude:
        if fold(w) in folded:
            return None
    for w in query.exact:
        if fold(w) not in folded:
            return None
    words = [fold(w) for w in query.words]
    words = [w for ws in words for w in _WORD.findall(ws)]
    total = 0.0
    for i, w in enumerate(words):
        prefix = i == len(words) - 1
        s = max(TITLE_WEIGHT * _best(w, t_title, prefix), SUMMARY_WEIGHT * _best(w, t_summary, prefix))
        if s == 0.0:
            if w in STOPWORDS:
                continue
            return None
        total += s
    if words and title:
        total += fuzz.WRatio(query.text, title, processor=utils.default_process) / 100.0
    return total


def match_spans(text: str, query: Query | str) -> list[tuple[int, int]]:
    """Character spans of ``text`` that the query's words match (for highlighting)."""
    if isinstance(query, str):
        query = parse(query)
    words = [w for ws in (fold(x) for x in query.words) for w in _WORD.findall(ws)]
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
        start = low.find(w)
        while w and start >= 0:
            spans.append((start, start + len(w)))
            start = low.find(w, start + 1)
    return sorted(spans)


def rank(
    query: Query,
    records: Iterable[tuple[int, str | None, str | None]],
    citation_counts: dict[int, int | None] | None = None,
) -> list[tuple[int, float]]:
    """(paper id, score) of the matching records, best first."""
    out = []
    for pid, title, summary in records:
        s = score_text(query, title, summary)
        if s is None:
            continue
        cc = (citation_counts or {}).get(pid)
        if cc:
            s += 0.05 * math.log10(1 + cc)
        out.append((pid, s))
    out.sort(key=lambda x: (-x[1], x[0]))
    return out


def search(
    lib: Library,
    query: str | Query,
    *,
    hub_id: int | None = None,
    limit: int | None = 20,
    sort: str = "relevance",
) -> SearchResult:
    """Search the library (or one hub's citing papers) and return ranked rows."""
    started = time.perf_counter()
    q = parse(query) if isinstance(query, str) else query
    flt: RowFilter = q.filter
    if hub_id is None and not flt.empty:
        from citetui.query import QueryError

        raise QueryError("field filters (role:, pol:, year:, claim:) need a hub (--hub)")
    if hub_id is not None and not q.has_text and not q.exclude:
        total = lib.count_citing(hub_id, flt)
        rows = lib.citing_rows(hub_id, flt, sort="year" if sort == "relevance" else sort,
                               limit=limit if limit is not None else total)
        return SearchResult(tuple(rows), total, time.perf_counter() - started)
    ranked = rank(q, lib.all_texts(hub_id))
    ids = [pid for pid, _ in ranked]
    scores = dict(ranked)
    if hub_id is not None:
        by_id = lib.citing_rows_for(hub_id, ids, flt)
        rows = [_with_score(by_id[i], scores[i]) for i in ids if i in by_id]
    else:
        papers = lib.papers(ids)
        rows = [
            CitingRow(p.id, p.display_title, p.year, (), None, p.summary, p.citation_count, None,
                      scores[p.id])
            for p in (papers[i] for i in ids if i in papers)
        ]
    rows = _sorted(rows, sort)
    all_ids = tuple(r.paper_id for r in rows)
    if limit is not None:
        rows = rows[:limit]
    return SearchResult(tuple(rows), len(all_ids), time.perf_counter() - started, all_ids)


def _with_score(row: CitingRow, score: float) -> CitingRow:
    from dataclasses import replace

    return replace(row, score=score)


def _sorted(rows: Sequence[CitingRow], sort: str) -> list[CitingRow]:
    if sort == "year":
        return sorted(rows, key=lambda r: (r.year is None, -(r.year or 0), -(r.score or 0)))
    if sort == "citations":
        return sorted(rows, key=lambda r: (r.citation_count is None, -(r.citation_count or 0)))
    if sort == "title":
        return sorted(rows, key=lambda r: r.title.casefold())
    return list(rows)
