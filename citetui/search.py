"""Search as you type over titles, summaries and citation contexts, pure of any UI.

Matching rules (shared by every caller): the query's plain words must all match
a word of the title or summary (or all of them one citation context),
forgiving one edit (insert, delete, substitute) for words of 5+ letters and
two for 9+; the last word also matches as a prefix (it may still be being
typed; a typo in it is forgiven when at most one edit falls in its first
half); ``'word`` must appear exactly, from the start of a word (``'polic``
matches "policy", ``'olic`` does not); ``!word`` must not appear; short
stop-words are optional; field filters (``role:``, ``pol:``, ``year:``,
``claim:``, see :mod:`citetui.query`) need a hub. Ranking: title matches weigh
more than summary matches, which weigh more than context matches; closer
matches more than looser ones; rarer words more than common ones; rapidfuzz's
WRatio of the whole query against the title breaks ties among the best, and a
small boost goes to much-cited papers.

How: the library keeps an FTS5 index (:mod:`citetui.store.index`). Each query
word is expanded to the index terms within its edit budget, found in the
sorted term list by the pigeonhole rule (a word split in two halves keeps one
half intact for one edit; for two, one half intact or a one-edit variant of
the first), then checked with rapidfuzz's Levenshtein. FTS5 returns the papers
holding every word (title hits first), at most :data:`CANDIDATES` of them
when a ``limit`` is given; those are scored here. With ``limit=None`` every
match is scored (exports).
"""

from __future__ import annotations

import bisect
import itertools
import math
import threading
import time
import weakref
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, replace

from rapidfuzz import fuzz, process, utils
from rapidfuzz.distance import Levenshtein

from citetui.models import CitingRow
from citetui.query import Query, QueryError, parse
from citetui.store.index import IndexReads, fold, quote, tokens
from citetui.store.reads import Library, RowFilter

TITLE_WEIGHT = 3.0
SUMMARY_WEIGHT = 1.0
CONTEXT_WEIGHT = 0.5
CANDIDATES = 200  # papers scored per query when a limit is given
MAX_TERMS = 64  # fuzzy expansions kept per word (the most frequent)
MAX_COMPLETIONS = 48  # completions of the word being typed that are listed, not prefix-read
STOPWORDS = frozenset(
    "a an and are as at be by for from in into is it of on or the to with via vs".split()
)
_ALPHABET = "abcdefghijklmnopqrstuvwxyz0123456789"

__all__ = [
    "SearchResult", "edit_budget", "fold", "match_spans", "search", "tokens", "word_score",
]


def edit_budget(word: str) -> int:
    """Edits forgiven in a query word: 0 below 5 letters, 1 from 5, 2 from 9."""
    n = len(word)
    return 2 if n >= 9 else 1 if n >= 5 else 0


def word_score(q: str, token: str, *, prefix: bool) -> float:
    """How well query word ``q`` matches a document token: 1.0 exact, 0 no match."""
    if q == token:
        return 1.0
    if prefix and token.startswith(q):
        return 0.9
    budget = edit_budget(q)
    if budget and abs(len(q) - len(token)) <= budget:
        d = Levenshtein.distance(q, token, score_cutoff=budget)
        if d <= budget:
            return 0.8 - 0.1 * d
    if prefix and budget and len(token) > len(q):
        d = min(Levenshtein.distance(q, token[:j], score_cutoff=budget)
                for j in range(max(1, len(q) - budget), min(len(token), len(q) + budget) + 1))
        if d <= budget:
            return 0.6
    return 0.0


@dataclass(frozen=True)
class SearchResult:
    """Ranked rows and how many matched in all."""

    rows: tuple[CitingRow, ...]  # the first `limit` rows, in order
    total: int  # how many records matched in all (at least, when not complete)
    seconds: float
    ids: tuple[int, ...] = ()  # every matching paper id found, in order (for paging the rest)
    complete: bool = True  # False when more papers hold every word than were scored


# -- the vocabulary -------------------------------------------------------------


class Vocabulary:
    """The index's terms, sorted, with document counts; forwards and reversed for bisecting."""

    def __init__(self, pairs: Iterable[tuple[str, int]]):
        pairs = sorted(pairs)
        self.terms = [t for t, _ in pairs]
        self.docs = dict(pairs)
        self.cum = [0, *itertools.accumulate(d for _, d in pairs)]
        rev = sorted((t[::-1], t) for t, _ in pairs)
        self.rev = [r for r, _ in rev]
        self.rev_terms = [t for _, t in rev]
        self.total_docs = max(self.docs.values(), default=1)

    def prefix_range(self, prefix: str) -> tuple[int, int]:
        """Indexes [lo, hi) of the terms starting with ``prefix``."""
        lo = bisect.bisect_left(self.terms, prefix)
        hi = bisect.bisect_left(self.terms, prefix + "\U0010ffff", lo)
        return lo, hi

    def with_prefix(self, prefix: str) -> list[str]:
        lo, hi = self.prefix_range(prefix)
        return self.terms[lo:hi]

    def with_suffix(self, suffix: str) -> list[str]:
        r = suffix[::-1]
        lo = bisect.bisect_left(self.rev, r)
        hi = bisect.bisect_left(self.rev, r + "\U0010ffff", lo)
        return self.rev_terms[lo:hi]

    def prefix_docs(self, prefix: str) -> int:
        """Documents holding some term with this prefix (an upper bound: a sum)."""
        lo, hi = self.prefix_range(prefix)
        return self.cum[hi] - self.cum[lo]


def _variants(s: str) -> set[str]:
    """Every string one edit away from ``s`` (over letters and digits)."""
    out = {s[:i] + s[i + 1 :] for i in range(len(s))}
    for i in range(len(s) + 1):
        for c in _ALPHABET:
            out.add(s[:i] + c + s[i:])
            if i < len(s) and c != s[i]:
                out.add(s[:i] + c + s[i + 1 :])
    out.discard(s)
    return out


@dataclass
class Word:
    """One query word with what it matches in the index."""

    text: str
    last: bool  # the word being typed: also a prefix
    stop: bool
    terms: dict[str, float]  # index term -> quality (1.0 exact, 0.8/0.7 edits)
    prefixes: dict[str, float]  # prefix -> quality (0.9 typed prefix, 0.6 typo'd prefix)
    docs: int  # documents that may match (an upper bound)
    fts_terms: list[str] = ()  # what the FTS query asks for: terms...
    fts_prefixes: list[str] = ()  # ... and prefixes

    def __post_init__(self) -> None:
        self._high = tuple(p for p, q in self.prefixes.items() if q >= 0.9)
        self._low = tuple(p for p, q in self.prefixes.items() if q < 0.9)

    def quality(self, token: str) -> float:
        """How well one index token matches this word (0 when it does not)."""
        q = self.terms.get(token, 0.0)
        if q < 0.9 and self._high and token.startswith(self._high):
            return 0.9
        if q < 0.6 and self._low and token.startswith(self._low):
            return 0.6
        return q

    def best(self, toks: Iterable[str]) -> float:
        """The best quality over a set of tokens."""
        hit = self.terms.keys() & toks
        q = max(self.terms[t] for t in hit) if hit else 0.0
        if q < 0.9 and self._high and any(t.startswith(self._high) for t in toks):
            return 0.9
        if q < 0.6 and self._low and any(t.startswith(self._low) for t in toks):
            return 0.6
        return q

    def fts(self) -> str | None:
        parts = [quote(t) for t in self.fts_terms]
        parts += [quote(p) + " *" for p in self.fts_prefixes]
        return "(" + " OR ".join(parts) + ")" if parts else None


def _fuzzy(vocab: Vocabulary, w: str, k: int) -> dict[str, int]:
    """Index terms within ``k`` edits of ``w`` (not ``w`` itself), with their distance."""
    mid = len(w) // 2
    cands = set(vocab.with_prefix(w[:mid])) | set(vocab.with_suffix(w[mid:]))
    if k >= 2:
        for v in _variants(w[:mid]):
            if len(v) >= 3:
                cands.update(vocab.with_prefix(v))
    cands = [c for c in cands if abs(len(c) - len(w)) <= k and c != w]
    hits = process.extract(w, cands, scorer=Levenshtein.distance, score_cutoff=k, limit=None)
    return {t: d for t, d, _ in hits}


def _fuzzy_prefixes(vocab: Vocabulary, w: str, k: int) -> set[str]:
    """Prefixes of index terms within ``k`` edits of ``w`` (at most one edit in its first half)."""
    mid = max(3, len(w) // 2)
    heads = {w[:mid]} | {v for v in _variants(w[:mid]) if len(v) >= 3}
    cuts: set[str] = set()
    for head in heads:
        lo, hi = vocab.prefix_range(head)
        if hi - lo > 5000:
            continue
        for t in vocab.terms[lo:hi]:
            cuts.update(t[:j] for j in (len(w) - 1, len(w), len(w) + 1) if len(t) >= j)
    out = {p for p, _, _ in process.extract(w, list(cuts), scorer=Levenshtein.distance,
                                            score_cutoff=k, limit=None)}
    # keep the shortest: "polic" covers "polici"
    return {p for p in out if not any(p != o and p.startswith(o) for o in out)}


def expand(vocab: Vocabulary, text: str, *, last: bool, complete: bool = False) -> Word:
    """What one query word matches in the index."""
    terms: dict[str, float] = {}
    prefixes: dict[str, float] = {}
    k = edit_budget(text)
    if text in vocab.docs:
        terms[text] = 1.0
    if k:
        near = _fuzzy(vocab, text, k)
        if len(near) > MAX_TERMS:
            near = dict(sorted(near.items(), key=lambda x: -vocab.docs.get(x[0], 0))[:MAX_TERMS])
        for t, d in near.items():
            terms[t] = 0.8 - 0.1 * d
    fts_terms = set(terms)
    fts_prefixes: set[str] = set()
    if last:
        prefixes[text] = 0.9
        if k:
            for p in _fuzzy_prefixes(vocab, text, k):
                if not p.startswith(text):
                    prefixes[p] = 0.6
        # FTS5 reads a prefix query's whole doclist up front; a handful of terms OR-ed
        # are read lazily, so completions are listed when they are few (or the commonest).
        for p in prefixes:
            done = vocab.with_prefix(p)
            if len(done) <= MAX_COMPLETIONS or not complete:
                if len(done) > MAX_COMPLETIONS:
                    done = sorted(done, key=lambda t: -vocab.docs[t])[:MAX_COMPLETIONS]
                fts_terms.update(done)
            else:
                fts_prefixes.add(p)
    docs = sum(vocab.docs.get(t, 0) for t in terms)
    docs += sum(vocab.prefix_docs(p) for p in prefixes)
    return Word(text, last, text in STOPWORDS, terms, prefixes, docs, sorted(fts_terms),
                sorted(fts_prefixes))


# -- the engine ------------------------------------------------------------------


class Engine:
    """The search engine of one open library (its term list stays loaded)."""

    def __init__(self, lib: Library):
        self.lib = lib
        self.reads = IndexReads(lib.conn, lib.lock)
        self._vocab: Vocabulary | None = None
        self._stamp: tuple | None = None
        self._load_lock = threading.Lock()
        self._words: dict[tuple[str, bool, bool], Word] = {}
        lib.conn.execute("PRAGMA cache_size = -32000")  # 32 MB of pages for a big library

    def vocabulary(self) -> Vocabulary:
        """The term list, reloaded when an import changed it."""
        stamp = self.reads.stamp()
        if self._vocab is None or stamp != self._stamp:
            with self._load_lock:
                if self._vocab is None or stamp != self._stamp:
                    pairs = dict(self.reads.terms())
                    if stamp[1]:  # changes not yet counted (a write outside an import)
                        for t, n in self.reads.dirty_terms().items():
                            pairs[t] = pairs.get(t, 0) + n
                    self._vocab = Vocabulary(pairs.items())
                    self._stamp = stamp
                    self._words = {}
        return self._vocab

    def words(self, q: Query, *, complete: bool = False) -> list[Word]:
        """The query's words expanded against the index (remembered while typing)."""
        vocab = self.vocabulary()
        raw = [t for w in q.words for t in tokens(w)]
        out = []
        for i, w in enumerate(raw):
            key = (w, i == len(raw) - 1, complete)
            word = self._words.get(key)
            if word is None:
                if len(self._words) > 4096:
                    self._words.clear()
                word = self._words[key] = expand(vocab, w, last=key[1], complete=complete)
            out.append(word)
        return out


_ENGINES: weakref.WeakKeyDictionary = weakref.WeakKeyDictionary()
_ENGINES_LOCK = threading.Lock()


def engine(lib: Library) -> Engine:
    """The engine of this open library (made once, shared by threads)."""
    with _ENGINES_LOCK:
        eng = _ENGINES.get(lib)
        if eng is None:
            eng = _ENGINES[lib] = Engine(lib)
        return eng


# -- scoring ------------------------------------------------------------------


def _exact_ok(phrase: str, text: str) -> bool:
    """Whether ``phrase`` occurs in ``text`` starting at a word start."""
    start = text.find(phrase)
    while start >= 0:
        if start == 0 or not text[start - 1].isalnum():
            return True
        start = text.find(phrase, start + 1)
    return False


class Scorer:
    """Scores candidate records against the parsed query."""

    def __init__(self, q: Query, words: list[Word], n_docs: int):
        self.q = q
        self.words = words
        self.exact = [" ".join(tokens(e)) for e in q.exact if tokens(e)]
        self.exclude = [" ".join(tokens(e)) for e in q.exclude if tokens(e)]
        self.idf = [1.0 + math.log((n_docs + 1) / (w.docs + 1)) / 4 for w in words]
        self.required = [i for i, w in enumerate(words) if not w.stop]
        self._memo: dict[str, tuple[float, ...] | None] = {}

    def _hits(self, toks: Iterable[str]) -> list[float]:
        """Per query word, its best quality over these tokens."""
        best = [0.0] * len(self.words)
        memo = self._memo
        for t in toks:
            v = memo.get(t, ())
            if v == ():
                v = tuple(w.quality(t) for w in self.words)
                v = memo[t] = v if any(v) else None
            if v is not None:
                best = [a if a >= b else b for a, b in zip(best, v, strict=True)]
        return best

    def score(self, title: str | None, summary: str | None, contexts: str | None,
              citations: int | None) -> float | None:
        """The relevance of one record, or None when it does not match."""
        tt, st = tokens(title), tokens(summary)
        if self.exact or self.exclude:
            flat = " ".join(tt + ["\x00"] + st)
            if any(_exact_ok(e, flat) for e in self.exclude):
                return None
            if not all(_exact_ok(e, flat) for e in self.exact):
                return None
        if not self.words:
            total = 1.0
        else:
            ht = self._hits(set(tt))
            hs = self._hits(set(st))
            per = [max(a * TITLE_WEIGHT, b * SUMMARY_WEIGHT) for a, b in zip(ht, hs, strict=True)]
            if any(per[i] == 0.0 for i in self.required):
                # not in the title and summary: then every word in the citation contexts
                hc = self._hits(set(tokens(contexts))) if contexts else []
                if not hc or any(hc[i] == 0.0 for i in self.required):
                    return None
                per = [c * CONTEXT_WEIGHT for c in hc]
            total = sum(p * f for p, f in zip(per, self.idf, strict=True))
        if citations:
            total += 0.05 * math.log10(1 + citations)
        return total


# -- search -------------------------------------------------------------------


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

    With a ``limit``, at most :data:`CANDIDATES` papers holding every word are
    scored (``complete`` says whether that was all of them); ``limit=None``
    scores every match.
    """
    started = time.perf_counter()
    q = parse(query) if isinstance(query, str) else query
    flt: RowFilter = q.filter
    if hub_id is None and not flt.empty:
        raise QueryError("field filters (role:, pol:, year:, claim:) need a hub (--hub)")
    if hub_id is not None and not q.has_text and not q.exclude:
        total = lib.count_citing(hub_id, flt)
        rows = lib.citing_rows(hub_id, flt, sort="year" if sort == "relevance" else sort,
                               limit=limit if limit is not None else total)
        return SearchResult(tuple(rows), total, time.perf_counter() - started)
    eng = engine(lib)
    words = eng.words(q, complete=limit is None)
    vocab = eng.vocabulary()
    scorer = Scorer(q, words, vocab.total_docs)
    cap = None if limit is None else max(CANDIDATES, limit)
    ids, complete = _candidates(eng, q, words, scorer, hub_id, flt, cap, among)
    texts = eng.reads.texts(ids)
    scored = []
    for pid in ids:
        t = texts.get(pid)
        if t is None:
            continue
        s = scorer.score(t[0], t[1], t[3], t[2])
        if s is not None:
            scored.append((s, pid))
    scored.sort(key=lambda x: (-x[0], x[1]))
    if q.words and scored:
        scored = _tiebreak(q, scored, texts)
    ranked = [pid for _, pid in scored]
    scores = {pid: s for s, pid in scored}
    rows = _rows(lib, hub_id, flt, ranked if limit is None or sort != "relevance"
                 else ranked[:limit], scores)
    rows = _sorted(rows, sort)
    if sort != "relevance":
        ranked = [r.paper_id for r in rows]
    if limit is not None:
        rows = rows[:limit]
    return SearchResult(tuple(rows), len(ranked), time.perf_counter() - started, tuple(ranked),
                        complete)


def _tiebreak(q: Query, scored: list[tuple[float, int]], texts: dict) -> list[tuple[float, int]]:
    """Add WRatio of the query against the title to the best-scored candidates."""
    head, tail = scored[:50], scored[50:]
    text = q.text
    head = [(s + fuzz.WRatio(text, texts[pid][0] or "", processor=utils.default_process) / 100.0,
             pid) for s, pid in head]
    head.sort(key=lambda x: (-x[0], x[1]))
    return head + tail


def _candidates(eng: Engine, q: Query, words: list[Word], scorer: Scorer, hub_id: int | None,
                flt: RowFilter, cap: int | None, among: Sequence[int] | None
                ) -> tuple[list[int], bool]:
    """Ids of papers that may match, title matches first; and whether that is all of them."""
    needed = [w for w in words if not w.stop] or words
    if any(w.fts() is None for w in needed):
        return [], True  # a word nothing in the index matches
    groups = [w.fts() for w in needed]
    for e in scorer.exact:
        toks = e.split()
        groups += [quote(t) for t in toks[:-1]] + [quote(toks[-1]) + " *"]
    where, params = flt.sql(hub_id) if hub_id is not None else ("", [])
    if among is not None:
        allowed = set(among)
    if not groups:  # only exclusions: every paper is a candidate
        rows = eng.reads.scan_texts(hub_id, where, params)
        ids = [r[0] for r in rows]
        if among is not None:
            ids = [i for i in ids if i in allowed]
        return ids, True
    reads = eng.reads
    match = " AND ".join(groups)
    lim = None if cap is None or among is not None else cap + 1
    found: dict[int, None] = {}
    if q.words and lim is not None:
        # papers with every word in the title first
        title = "{title} : (" + " AND ".join(w.fts() for w in needed) + ")"
        if scorer.exact:
            title += " AND " + " AND ".join(groups[len(needed):])
        found.update(dict.fromkeys(reads.match_papers(title, hub_id=hub_id, where=where,
                                                      params=params, limit=lim)))
    if lim is None or len(found) < lim:
        found.update(dict.fromkeys(reads.match_papers(match, hub_id=hub_id, where=where,
                                                      params=params, limit=lim)))
    if words and (lim is None or len(found) < lim):
        found.update(dict.fromkeys(reads.match_contexts(match, hub_id=hub_id, where=where,
                                                        params=params, limit=lim)))
    ids = list(found)
    if among is not None:
        ids = [i for i in ids if i in allowed]
    complete = lim is None or len(ids) <= cap
    return (ids if cap is None else ids[:cap]), complete


def _rows(lib: Library, hub_id: int | None, flt: RowFilter, ids: list[int],
          scores: dict[int, float]) -> list[CitingRow]:
    if hub_id is not None:
        by_id = lib.citing_rows_for(hub_id, ids, flt)
        return [replace(by_id[i], score=scores[i]) for i in ids if i in by_id]
    papers = lib.papers(ids)
    return [
        CitingRow(p.id, p.display_title, p.year, (), None, p.summary, p.citation_count, None,
                  scores[p.id])
        for p in (papers[i] for i in ids if i in papers)
    ]


def _sorted(rows: Sequence[CitingRow], sort: str) -> list[CitingRow]:
    if sort == "year":
        return sorted(rows, key=lambda r: (r.year is None, -(r.year or 0), -(r.score or 0)))
    if sort == "citations":
        return sorted(rows, key=lambda r: (r.citation_count is None, -(r.citation_count or 0)))
    if sort == "title":
        return sorted(rows, key=lambda r: r.title.casefold())
    return list(rows)


# -- highlighting ---------------------------------------------------------------


def match_spans(text: str, query: Query | str) -> list[tuple[int, int]]:
    """Character spans of ``text`` that the query's words match (for highlighting)."""
    if isinstance(query, str):
        query = parse(query)
    words = [t for w in query.words for t in tokens(w)]
    spans: list[tuple[int, int]] = []
    if not text:
        return spans
    import re

    for m in re.finditer(r"[^\W_]+", text):
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
