"""The one entry point: :func:`search`, for the CLI, the explorer, exports, the palette
and the PAPER/HUB arguments of every command (through :mod:`citetui.search.resolver`).

A query is read (:func:`citetui.core.query.parse`), its identifiers looked up
exactly (:mod:`citetui.search.identifiers`: they come first), then two tiers:
papers holding every word (:mod:`citetui.search.allwords`), and, when fewer of
them than the page holds, the closest papers (:mod:`citetui.search.closest`).
Every read is a method of the store's :class:`~citetui.store.search_reads.IndexReads`.
"""

from __future__ import annotations

import threading
import time
import weakref
from collections.abc import Sequence
from dataclasses import dataclass, replace
from typing import Any

from citetui.core.models import CitingRow
from citetui.core.query import Query, QueryError, RowFilter, parse
from citetui.core.vocab import POLARITIES, ROLES, parse_sort
from citetui.search import allwords, closest
from citetui.search.identifiers import find_ids
from citetui.search.vocab import Vocabulary
from citetui.store import Library
from citetui.store.fts import tokens

SMALL_SCOPE = 500  # a user filter this small: each of its papers is scored


@dataclass(frozen=True)
class SearchResult:
    """Ranked rows, in two tiers, and how many matched in all.

    ``ids`` holds every paper found, in order: those holding every word (``total``
    of them; or found by an identifier), then ``n_close`` closest matches; ``match``
    says which for each ("all" or "close")."""

    rows: tuple[CitingRow, ...]  # the first `limit` rows, in order
    total: int  # papers holding every word (at least, when not complete)
    seconds: float
    ids: tuple[int, ...] = ()  # every paper id found, in order (for paging the rest)
    complete: bool = True  # False when more papers may match than were scored
    match: tuple[str, ...] = ()  # "all" | "close", for each of ids
    n_close: int = 0
    identifiers: tuple[int, ...] = ()  # papers an identifier in the query named
    notice: str | None = None  # something the caller should tell the user

    def tier(self, paper_id: int) -> str:
        """'all' or 'close' for a paper of the result."""
        try:
            return self.match[self.ids.index(paper_id)]
        except (ValueError, IndexError):
            return "all"


class Engine:
    """The search engine of one open library (its term list stays loaded)."""

    def __init__(self, lib: Library):
        self.lib = lib
        self.reads = lib.index_reads()
        self._vocab: Vocabulary | None = None
        self._stamp: tuple[Any, ...] | None = None
        self._load_lock = threading.Lock()
        self._words: dict[tuple[str, bool, bool, bool], allwords.Word] = {}
        self._hubs: dict[int, float] = {}
        self.cache: dict[Any, Any] = {}  # the closest tier's per-word expansions

    def vocabulary(self) -> Vocabulary:
        """The term list, reloaded when an import changed it."""
        stamp = self.reads.stamp()
        if self._vocab is None or stamp != self._stamp:
            with self._load_lock:
                if self._vocab is None or stamp != self._stamp:
                    rows = {t: (d, m) for t, d, m in self.reads.terms()}
                    if stamp[1]:  # changes not yet counted (a write outside an import)
                        for t, (d, m) in self.reads.dirty_terms().items():
                            d0, m0 = rows.get(t, (0, 0))
                            rows[t] = (d0 + d, m0 + m)
                    self._vocab = Vocabulary(
                        ((t, d, m) for t, (d, m) in rows.items()), self.reads.n_papers()
                    )
                    self._stamp = stamp
                    self._words = {}
                    self._hubs = {}
                    self.cache = {}
        return self._vocab

    def hub_share(self, hub_id: int) -> float:
        """The share of the library's papers that cite the hub (for planning)."""
        vocab = self.vocabulary()
        share = self._hubs.get(hub_id)
        if share is None:
            share = self._hubs[hub_id] = min(
                1.0, (self.reads.hub_size(hub_id) + 1) / vocab.n_papers
            )
        return share

    def words(self, raw: Sequence[str], *, complete: bool = False) -> list[allwords.Word]:
        """The query's words expanded against the index (remembered while typing)."""
        vocab = self.vocabulary()
        # pasted text (a reference) says most things twice: a word the index holds is taken
        # as typed, only the others get typo neighbours (as the closest tier does)
        pasted = len(raw) > closest.LONG_QUERY
        out = []
        for i, w in enumerate(raw):
            key = (w, i == len(raw) - 1, complete, pasted)
            word = self._words.get(key)
            if word is None:
                if len(self._words) > 4096:
                    self._words.clear()
                word = self._words[key] = allwords.Word(
                    vocab, w, last=key[1], complete=complete, pasted=pasted
                )
            out.append(word)
        if len(self.cache) > 20000:
            self.cache.clear()
        return out


_ENGINES: weakref.WeakKeyDictionary[Library, Engine] = weakref.WeakKeyDictionary()
_ENGINES_LOCK = threading.Lock()


def engine(lib: Library) -> Engine:
    """The engine of this open library (made once, shared by threads)."""
    with _ENGINES_LOCK:
        eng = _ENGINES.get(lib)
        if eng is None:
            eng = _ENGINES[lib] = Engine(lib)
        return eng


def _fits(rec: Sequence[Any] | None, q: Query, hub_id: int | None) -> bool:
    """Whether a record passes the field filters checked on the record itself."""
    if rec is None:
        return False
    _title, _summary, _cites, authors, venue, year, _abstract = rec
    f = q.filter
    if hub_id is None and (f.year_min is not None or f.year_max is not None):
        if year is None:
            return False
        if f.year_min is not None and year < f.year_min:
            return False
        if f.year_max is not None and year > f.year_max:
            return False
    if q.authors:
        have = set(tokens(authors))
        if not all(set(tokens(a)) <= have for a in q.authors):
            return False
    if q.venues:
        have = set(tokens(venue))
        if not all(set(tokens(v)) <= have for v in q.venues):
            return False
    return True


def search(
    lib: Library,
    query: str | Query,
    *,
    hub_id: int | None = None,
    limit: int | None = 20,
    sort: str = "relevance",
    among: Sequence[int] | None = None,
) -> SearchResult:
    """Search the library (or one hub's citing papers, or the papers ``among``) and rank.

    With a ``limit``, at most :data:`allwords.CANDIDATES` papers are scored for the
    first tier (``complete`` says whether that was every match) and the closest papers
    fill the page; ``limit=None`` scores every paper holding every word (exports).
    """
    started = time.perf_counter()
    q = parse(query) if isinstance(query, str) else query
    flt: RowFilter = q.filter
    if hub_id is None and flt.needs_hub:
        raise QueryError("role:, pol: and claim: filters need a hub (--hub)")
    notice = "the query was cut to its first 1,000 characters" if q.cut else None
    eng = engine(lib)
    reads = eng.reads
    found, rest = find_ids(" ".join(q.words))
    raw = tokens(rest) + [t for a in (*q.authors, *q.venues) for t in tokens(a)]
    qw = replace(q, words=tuple(raw))
    scope: set[int] | None = None
    if not q.user.empty:
        scope = reads.user_ids(q.user)
    if among is not None:
        scope = set(among) if scope is None else scope & set(among)
    id_hits: list[int] = []
    for kind, value in found:
        id_hits += [i for i in reads.by_identifier(kind, value) if i not in id_hits]
    if id_hits and (hub_id is not None or scope is not None):
        keep = reads.in_scope(id_hits, hub_id, flt) if hub_id is not None else set(id_hits)
        id_hits = [i for i in id_hits if i in keep and (scope is None or i in scope)]
    if hub_id is not None and not qw.has_text and not q.exclude and scope is None and not found:
        total = lib.count_citing(hub_id, flt)
        rows = lib.citing_rows(
            hub_id,
            flt,
            sort="year" if sort == "relevance" else sort,
            limit=limit if limit is not None else total,
        )
        return SearchResult(
            tuple(rows), total, time.perf_counter() - started, notice=notice, match=()
        )
    if not raw and not q.exact and not q.exclude and scope is None:
        rows = _rows(lib, hub_id, flt, id_hits, {i: 1.0 for i in id_hits})
        return SearchResult(
            tuple(rows[:limit] if limit is not None else rows),
            len(rows),
            time.perf_counter() - started,
            tuple(r.paper_id for r in rows),
            match=("all",) * len(rows),
            identifiers=tuple(id_hits),
            notice=notice,
        )
    words = eng.words(raw, complete=limit is None)
    vocab = eng.vocabulary()
    scorer = allwords.Scorer(qw, words, vocab.total_docs)
    cap = None if limit is None else max(allwords.CANDIDATES, limit)
    pool = sorted(scope) if scope is not None else among
    ids, by_context, complete = allwords.candidates(
        eng, qw, words, scorer, hub_id, flt, cap, limit, pool
    )
    texts = reads.texts(ids)
    contexts = reads.contexts(by_context) if by_context else {}
    scored = []
    for pid in ids:
        t = texts.get(pid)
        if t is not None and _fits(t, q, hub_id):
            s = scorer.score(t, contexts.get(pid))
            if s is not None:
                scored.append((s, pid))
    scored.sort(key=lambda x: (-x[0], x[1]))
    if raw and scored:
        scored = allwords.tiebreak(qw, scored, texts)
    ranked = [pid for _, pid in scored]
    scores = {pid: s for s, pid in scored}
    n_all = len(ranked)
    close: list[int] = []
    if limit is not None and raw and len(ranked) + len(id_hits) < limit:
        near = {w.text: w.terms for w in words}
        taken = set(ranked) | set(id_hits)
        # a page that already holds papers with every word needs fewer closest candidates
        k = closest.CANDIDATES if not ranked else closest.CANDIDATES // 2
        close = _closest(eng, vocab, q, raw, rest, hub_id, flt, scope, taken, near, k)
        close = close[: limit - len(ranked) - len(id_hits)]
        for rank, pid in enumerate(close):
            scores[pid] = -1.0 - rank  # below every paper holding every word
    head = list(id_hits)  # a paper an identifier names comes first, whatever its words
    close = [i for i in close if i not in head]
    n_all += sum(1 for pid in head if pid not in ranked)
    for pid in head:
        scores[pid] = float("inf")
    ranked = head + [i for i in ranked if i not in head]
    order = ranked + close
    show = order if limit is None or sort != "relevance" else order[:limit]
    rows = _sorted(_rows(lib, hub_id, flt, show, scores), sort, n_first=len(ranked))
    if sort != "relevance":
        order = [r.paper_id for r in rows]
    if limit is not None:
        rows = rows[:limit]
    close_set = set(close)
    return SearchResult(
        tuple(rows),
        n_all,
        time.perf_counter() - started,
        tuple(order),
        complete,
        tuple("close" if i in close_set else "all" for i in order),
        len(close),
        tuple(id_hits),
        notice,
    )


def _closest(
    eng: Engine,
    vocab: Vocabulary,
    q: Query,
    raw: list[str],
    text: str,
    hub_id: int | None,
    flt: RowFilter,
    scope: set[int] | None,
    taken: set[int],
    near: dict[str, dict[str, float]],
    k: int,
) -> list[int]:
    """The closest papers (the second tier), best first, none of ``taken``; ``near``: each
    word's typo neighbours, as the first tier found them."""
    reads = eng.reads
    slots = closest.make_slots(vocab, raw, eng.cache, near)
    if scope is not None and len(scope) <= SMALL_SCOPE:
        ids = [i for i in scope if i not in taken]
    else:
        acc = closest.candidates(reads, vocab, slots, raw, budget=k / closest.CANDIDATES)
        if not acc and any(s.stop for s in slots):
            # nothing but little words matched: read those rather than answer nothing
            acc = closest.candidates(reads, vocab, slots, raw, stop_too=True)
        for i in taken:
            acc.pop(i, None)
        if scope is not None:
            acc = {i: s for i, s in acc.items() if i in scope}
        ids = closest.best(acc, k * (20 if hub_id is not None else 1))
        if hub_id is not None:
            inside = reads.in_scope(ids, hub_id, flt)
            ids = [i for i in ids if i in inside][:k]
    recs = {i: r for i, r in reads.texts(ids).items() if _fits(r, q, hub_id)}
    if q.exclude or q.exact:
        scorer = allwords.Scorer(replace(q, words=()), [], vocab.total_docs)
        recs = {i: r for i, r in recs.items() if scorer.score(r, None) is not None}
    ranked = closest.rerank(vocab, text, slots, recs, fuzz_top=k // 2)
    return [s.paper_id for s in ranked]


def _rows(
    lib: Library, hub_id: int | None, flt: RowFilter, ids: list[int], scores: dict[int, float]
) -> list[CitingRow]:
    if hub_id is not None:
        by_id = lib.citing_rows_for(hub_id, ids, flt)
        return [replace(by_id[i], score=scores[i]) for i in ids if i in by_id]
    papers = lib.papers(ids)
    return [CitingRow.of_paper(papers[i], scores[i]) for i in ids if i in papers]


def _sorted(rows: Sequence[CitingRow], sort: str, *, n_first: int) -> list[CitingRow]:
    """Rows in the order of ``sort`` ("year", "citations:asc"...; see vocab.parse_sort),
    missing values last both ways; the first tier's before the closest matches'."""
    key, desc = parse_sort(sort)
    if key == "relevance":
        return list(rows)
    first, rest = list(rows[:n_first]), list(rows[n_first:])
    sign = -1 if desc else 1
    if key == "year":
        first.sort(key=lambda r: (r.year is None, sign * (r.year or 0), -(r.score or 0)))
    elif key == "citations":
        first.sort(key=lambda r: (r.citation_count is None, sign * (r.citation_count or 0)))
    elif key == "title":
        first.sort(key=lambda r: r.label.casefold(), reverse=desc)
    elif key in SORT_KEYS:
        have = [r for r in first if SORT_KEYS[key](r) is not None]
        none = [r for r in first if SORT_KEYS[key](r) is None]
        first = sorted(have, key=SORT_KEYS[key], reverse=desc) + none
    return first + rest


# How the other sorts order rows in memory (None: the row has no value, and goes last).
SORT_KEYS: dict[str, Any] = {
    "venue": lambda r: r.venue.casefold() if r.venue else None,
    "influential": lambda r: int(bool(r.influential)),
    "role": lambda r: (
        (ROLES.index(r.roles[0]) if r.roles[0] in ROLES else 99, r.roles) if r.roles else None
    ),
    "polarity": lambda r: POLARITIES.index(r.polarity) if r.polarity in POLARITIES else None,
}
