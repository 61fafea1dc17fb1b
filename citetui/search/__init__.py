"""Search as you type over titles, summaries and citation contexts, pure of any UI.

Matching rules (shared by every caller): the query's plain words must all match
a word of the title or summary (or all of them one citation context),
forgiving one edit (insert, delete, substitute) for words of 5+ letters and
two for 9+ (the longer of the typed word and the word of the text counts, so
"baed" finds "based": a 5-letter word with one letter dropped); the last word
also matches as a prefix (it may still be being typed; a typo in it is
forgiven when at most one edit falls in its first half); ``'word`` must
appear exactly, from the start of a word (``'polic`` matches "policy",
``'olic`` does not); ``!word`` must not appear; short stop-words are optional;
field filters (``role:``, ``pol:``, ``year:``, ``claim:``, see
:mod:`citetui.core.query`) need a hub. Ranking: title matches weigh more than
summary matches, which weigh more than context matches; closer matches more
than looser ones; rarer words more than common ones; the longer the run of
query words side by side in the title, in the query's order, the more; and a
query that covers more of a title more than one that covers less (a title
word that repeats a query word already matched adds nothing); rapidfuzz's
WRatio of the whole query against the title breaks ties among the best, and
a small boost goes to much-cited papers.

How: the library keeps FTS5 indexes (:mod:`citetui.store.fts`). Each query
word is expanded to the index terms within its edit budget, found in the
sorted term list by the pigeonhole rule (a word split in two halves keeps one
half intact for one edit; for two, one half intact or a one-edit variant of
the first), then checked with rapidfuzz's Levenshtein. With a ``limit``, at
most :data:`CANDIDATES` papers are scored, taken in this order until there are
enough: titles holding the query's neighbouring words side by side (the
title-pairs index, shortest titles first), papers with every word in the
title, then in the title or summary, then in a citation context. A very
common word is left out of a candidate query when rarer ones make it cheap
to check on the candidates instead (FTS5 pays per document for a term held
by most papers). With ``limit=None`` every match is scored (exports).
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
from typing import Any

from rapidfuzz import fuzz, process, utils
from rapidfuzz.distance import Levenshtein

from citetui.core.models import CitingRow
from citetui.core.query import Query, QueryError, RowFilter, parse
from citetui.core.vocab import POLARITIES, ROLES, parse_sort
from citetui.store import Library
from citetui.store.fts import fold, quote, tokens

TITLE_WEIGHT = 3.0
SUMMARY_WEIGHT = 1.0
CONTEXT_WEIGHT = 0.5
PHRASE_WEIGHT = 2.0  # all query words side by side in the title, in order
COVER_WEIGHT = 1.0  # share of the title's words the query matches
CITED_WEIGHT = 0.05  # per power of ten of citations
CANDIDATES = 100  # papers scored per query when a limit is given
PAIR_POOL = 1000  # title-pair matches whose title lengths are compared
MAX_TERMS = 24  # fuzzy expansions kept per word (the closest, then the most frequent)
MAX_COMPLETIONS = 24  # completions of a broad typed prefix that are listed
PREFIX_DOCS = 20000  # a typed prefix read as a prefix query up to this many documents
BUDGET_US = 1500.0  # estimated FTS5 time a candidate query may take
SMALL_DOCS = 25000  # a word held by at most this many papers is always part of the query
SEEK_US = 6.0  # per document, moving through the doclist of a term most papers hold
JOIN_US = 1.5  # per FTS match, the citations lookup of a hub search
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
_ALPHABET = "abcdefghijklmnopqrstuvwxyz0123456789"

__all__ = [
    "SearchResult",
    "edit_budget",
    "engine",
    "fold",
    "match_spans",
    "search",
    "tokens",
    "word_score",
]


# A word longer than this is matched exactly: no real word is, and the typo expansions
# of a pasted 8,000-character "word" took seconds and gigabytes (they grow with its square).
MAX_FUZZY_WORD = 40


def edit_budget(word: str) -> int:
    """Edits forgiven in a word: 0 below 5 letters, 1 from 5, 2 from 9, 0 past
    MAX_FUZZY_WORD."""
    n = len(word)
    if n > MAX_FUZZY_WORD:
        return 0
    return 2 if n >= 9 else 1 if n >= 5 else 0


def _budget(a: str, b: str) -> int:
    """Edits forgiven between a query word and a word of the text (the longer one counts)."""
    n = max(len(a), len(b))
    if n > MAX_FUZZY_WORD:
        return 0
    return 2 if n >= 9 else 1 if n >= 5 else 0


def word_score(q: str, token: str, *, prefix: bool) -> float:
    """How well query word ``q`` matches a document token: 1.0 exact, 0 no match."""
    if q == token:
        return 1.0
    if prefix and token.startswith(q):
        return 0.9
    k = _budget(q, token)
    if k and abs(len(q) - len(token)) <= k:
        d = Levenshtein.distance(q, token, score_cutoff=k)
        if d <= k:
            return 0.8 - 0.1 * d
    k = edit_budget(q)
    if prefix and k and len(token) > len(q):
        d = min(
            Levenshtein.distance(q, token[:j], score_cutoff=k)
            for j in range(max(1, len(q) - k), min(len(token), len(q) + k) + 1)
        )
        if d <= k:
            return 0.6
    return 0.0


@dataclass(frozen=True)
class SearchResult:
    """Ranked rows and how many matched in all."""

    rows: tuple[CitingRow, ...]  # the first `limit` rows, in order
    total: int  # how many records matched in all (at least, when not complete)
    seconds: float
    ids: tuple[int, ...] = ()  # every matching paper id found, in order (for paging the rest)
    complete: bool = True  # False when more papers may match than were scored


# -- the vocabulary -------------------------------------------------------------


class Vocabulary:
    """The index's terms, sorted, with document counts; forwards and reversed for bisecting."""

    def __init__(self, pairs: Iterable[tuple[str, int]], n_papers: int = 0):
        pairs = sorted(pairs)
        self.terms = [t for t, _ in pairs]
        self.docs = dict(pairs)
        self.cum = [0, *itertools.accumulate(d for _, d in pairs)]
        rev = sorted((t[::-1], t) for t, _ in pairs)
        self.rev = [r for r, _ in rev]
        self.rev_terms = [t for _, t in rev]
        self.total_docs = max(self.docs.values(), default=1)
        self.n_papers = max(n_papers, self.total_docs, 1)

    def prefix_range(self, prefix: str) -> tuple[int, int]:
        """Indexes [lo, hi) of the terms starting with ``prefix``."""
        lo = bisect.bisect_left(self.terms, prefix)
        hi = bisect.bisect_left(self.terms, prefix + "\U0010ffff", lo)
        return lo, hi

    def with_prefix(self, prefix: str) -> list[str]:
        lo, hi = self.prefix_range(prefix)
        return self.terms[lo:hi]

    def is_prefix(self, prefix: str) -> bool:
        """Whether some term starts with ``prefix``."""
        i = bisect.bisect_left(self.terms, prefix)
        return i < len(self.terms) and self.terms[i].startswith(prefix)

    def with_suffix(self, suffix: str) -> list[str]:
        r = suffix[::-1]
        lo = bisect.bisect_left(self.rev, r)
        hi = bisect.bisect_left(self.rev, r + "\U0010ffff", lo)
        return self.rev_terms[lo:hi]

    def prefix_docs(self, prefix: str) -> int:
        """Documents holding some term with this prefix (an upper bound: a sum)."""
        lo, hi = self.prefix_range(prefix)
        return self.cum[hi] - self.cum[lo]

    def completions(self, prefix: str, n: int) -> list[str]:
        """The ``n`` most frequent terms starting with ``prefix``."""
        lo, hi = self.prefix_range(prefix)
        if hi - lo <= n:
            return self.terms[lo:hi]
        return sorted(self.terms[lo:hi], key=lambda t: -self.docs[t])[:n]


def _edits1(s: str) -> set[str]:
    """Every string one edit away from ``s`` (over letters and digits)."""
    out = {s[:i] + s[i + 1 :] for i in range(len(s))}
    for i in range(len(s) + 1):
        head, tail = s[:i], s[i:]
        for c in _ALPHABET:
            out.add(head + c + tail)
            if tail and c != tail[0]:
                out.add(head + c + tail[1:])
    out.discard(s)
    return out


def _fuzzy(vocab: Vocabulary, w: str) -> dict[str, int]:
    """Index terms within the edit budget of ``w`` (not ``w`` itself), with their distance."""
    n = len(w)
    if n > MAX_FUZZY_WORD:
        return {}
    if n < 4:
        return {}
    if n == 4:  # a 5-letter word with a letter dropped
        return {v: 1 for v in _edits1(w) if len(v) == 5 and v in vocab.docs}
    k = 2 if n >= 7 else 1
    mid = n // 2
    cands = set(vocab.with_prefix(w[:mid]))
    cands.update(vocab.with_suffix(w[mid:]))
    if k == 2:  # one edit in each half: the head is one edit from w's
        terms, end = vocab.terms, len(vocab.terms)
        for v in _edits1(w[:mid]):
            if len(v) >= 3:
                i = bisect.bisect_left(terms, v)
                while i < end and terms[i].startswith(v):
                    cands.add(terms[i])
                    i += 1
    near = [c for c in cands if abs(len(c) - n) <= k and c != w]
    hits = process.extract(w, near, scorer=Levenshtein.distance, score_cutoff=k, limit=None)
    return {t: d for t, d, _ in hits if d <= _budget(w, t)}


def _fuzzy_prefixes(vocab: Vocabulary, w: str) -> set[str]:
    """Prefixes of index terms within the edit budget of ``w`` (one edit at most in its first
    half), not extending ``w`` itself; the shortest of each family."""
    k = edit_budget(w)
    if not k:
        return set()
    if k == 1:
        out = {v for v in _edits1(w) if len(v) >= 3 and vocab.is_prefix(v)}
    else:
        mid = max(3, len(w) // 2)
        cuts: set[str] = set()
        for head in {w[:mid]} | {v for v in _edits1(w[:mid]) if len(v) >= 3}:
            lo, hi = vocab.prefix_range(head)
            if hi - lo > 2000:
                continue
            for t in vocab.terms[lo:hi]:
                cuts.update(t[:j] for j in range(len(w) - k, len(w) + k + 1) if len(t) >= j)
        out = {
            p
            for p, _, _ in process.extract(
                w, list(cuts), scorer=Levenshtein.distance, score_cutoff=k, limit=None
            )
        }
    out = {p for p in out if not p.startswith(w)}
    return {p for p in out if not any(p != o and p.startswith(o) for o in out)}


class Word:
    """One query word with what it matches in the index."""

    __slots__ = (
        "text",
        "last",
        "stop",
        "terms",
        "prefixes",
        "docs",
        "_high",
        "_low",
        "fts_terms",
        "fts_prefixes",
        "pair_alts",
    )

    def __init__(self, vocab: Vocabulary, text: str, *, last: bool, complete: bool):
        self.text = text
        self.last = last  # the word being typed: also a prefix
        self.stop = text in STOPWORDS
        terms: dict[str, float] = {}  # index term -> quality (1.0 exact, 0.7/0.6 edits)
        if text in vocab.docs:
            terms[text] = 1.0
        near = _fuzzy(vocab, text)
        if len(near) > MAX_TERMS:
            near = dict(sorted(near.items(), key=lambda x: (x[1], -vocab.docs[x[0]]))[:MAX_TERMS])
        for t, d in near.items():
            terms[t] = 0.8 - 0.1 * d
        prefixes: dict[str, float] = {}  # prefix -> quality (0.9 typed, 0.6 with a typo)
        fts_terms, fts_prefixes = set(terms), set()
        if last:
            prefixes[text] = 0.9
            for p in _fuzzy_prefixes(vocab, text):
                prefixes[p] = 0.6
            # FTS5 merges a prefix query's doclists up front: a broad prefix is asked for
            # as its commonest completions instead (except when every match is wanted)
            for p in prefixes:
                if complete or vocab.prefix_docs(p) <= PREFIX_DOCS:
                    fts_prefixes.add(p)
                else:
                    fts_terms.update(vocab.completions(p, MAX_COMPLETIONS))
        self.terms = terms
        self.prefixes = prefixes
        self.docs = sum(vocab.docs.get(t, 0) for t in terms) + sum(
            vocab.prefix_docs(p) for p in prefixes
        )  # documents that may match (upper bound)
        self._high = tuple(p for p, q in prefixes.items() if q >= 0.9)
        self._low = tuple(p for p, q in prefixes.items() if q < 0.9)
        self.fts_terms = sorted(fts_terms)
        self.fts_prefixes = sorted(fts_prefixes)
        # what the title-pairs index is asked for at this word's place: (term, as a prefix)
        alts = [(text, False)] if text in terms else []
        near_terms = sorted(
            (t for t in terms if t != text), key=lambda t: (-terms[t], -vocab.docs[t])
        )
        alts += [(t, False) for t in near_terms[: 4 - len(alts)]]
        if last:
            keep = [a for a in alts if not a[0].startswith(text)]
            lo, hi = vocab.prefix_range(text)
            if hi - lo <= 4:
                alts = [(t, False) for t in vocab.terms[lo:hi]] + keep
            elif vocab.cum[hi] - vocab.cum[lo] <= PREFIX_DOCS:
                alts = [(text, True)] + keep
            else:
                alts = [(t, False) for t in vocab.completions(text, 6)] + keep
        self.pair_alts = list(dict.fromkeys(alts))

    def quality(self, token: str) -> float:
        """How well one index token matches this word (0 when it does not)."""
        q = self.terms.get(token, 0.0)
        if q < 0.9 and self._high and token.startswith(self._high):
            return 0.9
        if q < 0.6 and self._low and token.startswith(self._low):
            return 0.6
        return q

    def fts(self) -> str | None:
        """The FTS5 group of everything this word matches (None: nothing)."""
        parts = [quote(t) for t in self.fts_terms]
        parts += [quote(p) + " *" for p in self.fts_prefixes]
        if not parts:
            return None
        return parts[0] if len(parts) == 1 else "(" + " OR ".join(parts) + ")"


# -- the engine ------------------------------------------------------------------


class Engine:
    """The search engine of one open library (its term list stays loaded)."""

    def __init__(self, lib: Library):
        self.lib = lib
        self.reads = lib.index_reads()
        self._vocab: Vocabulary | None = None
        self._stamp: tuple[Any, ...] | None = None
        self._load_lock = threading.Lock()
        self._words: dict[tuple[str, bool, bool], Word] = {}
        self._hubs: dict[int, float] = {}

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
                    self._vocab = Vocabulary(pairs.items(), self.reads.n_papers())
                    self._stamp = stamp
                    self._words = {}
                    self._hubs = {}
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
                word = self._words[key] = Word(vocab, w, last=key[1], complete=complete)
            out.append(word)
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


# -- scoring ------------------------------------------------------------------


def _exact_ok(phrase: str, text: str) -> bool:
    """Whether ``phrase`` occurs in ``text`` starting at a word start."""
    start = text.find(phrase)
    while start >= 0:
        if start == 0 or not text[start - 1].isalnum():
            return True
        start = text.find(phrase, start + 1)
    return False


def _longest_run(hits: list[Any], n: int) -> int:
    """The most query words matched side by side in the title, in the query's order.

    ``hits`` holds each title token's entry (its mask of matched query words, or None).
    ``ends[k]`` has bit j set when a run of k + 1 words ends at query word j here.
    """
    best = 0
    ends: list[int] = []
    for e in hits:
        if e is None:
            ends = []
            continue
        mask = e[0]
        new = [mask]
        for k, m in enumerate(ends):
            m = (m << 1) & mask
            if not m:
                break
            new.append(m)
            if k + 2 >= n:
                break
        ends = new
        if len(new) > best:
            best = len(new)
    return best


class Scorer:
    """Scores candidate records against the parsed query."""

    def __init__(self, q: Query, words: list[Word], n_docs: int):
        self.words = words
        self.n = n = len(words)
        self.exact = [" ".join(tokens(e)) for e in q.exact if tokens(e)]
        self.exclude = [" ".join(tokens(e)) for e in q.exclude if tokens(e)]
        self.idf = [1.0 + math.log((n_docs + 1) / (w.docs + 1)) / 4 for w in words]
        self.required = [i for i, w in enumerate(words) if not w.stop] or list(range(n))
        self.prefixes = tuple({p for w in words for p in w.prefixes})
        # per query word beyond the first in the longest in-order run of the title
        self.phrase = PHRASE_WEIGHT * sum(self.idf) / n / max(1, n - 1) if n > 1 else 0.0
        # token -> (bit mask of the words it matches, ((word, quality), ...)) or None
        self._memo: dict[str, tuple[int, tuple[Any, ...]] | None] = {}
        for w in words:
            for t in w.terms:
                if t not in self._memo:
                    self._memo[t] = self._entry(t)

    def _entry(self, t: str) -> tuple[int, tuple[Any, ...]] | None:
        mask, hits = 0, []
        for i, w in enumerate(self.words):
            q = w.quality(t)
            if q:
                mask |= 1 << i
                hits.append((i, q))
        return (mask, tuple(hits)) if mask else None

    def _scan(self, toks: list[str], best: list[float]) -> list[Any]:
        """Raise best[i] to word i's best quality over ``toks``; the tokens' entries, in order."""
        memo, pre = self._memo, self.prefixes
        out = []
        for t in toks:
            if t in memo:
                e = memo[t]
            else:
                e = memo[t] = self._entry(t) if pre and t.startswith(pre) else None
            if e is not None:
                for i, q in e[1]:
                    if q > best[i]:
                        best[i] = q
            out.append(e)
        return out

    def score(
        self, title: str | None, summary: str | None, contexts: str | None, citations: int | None
    ) -> float | None:
        """The relevance of one record, or None when it does not match."""
        tt = tokens(title)
        if self.exact or self.exclude:
            flat = " ".join(tt + ["\x00"] + tokens(summary))
            if any(_exact_ok(e, flat) for e in self.exclude):
                return None
            if not all(_exact_ok(e, flat) for e in self.exact):
                return None
        if not self.words:
            total = 1.0
        else:
            n = self.n
            ht = [0.0] * n
            hits = self._scan(tt, ht)
            if all(ht):
                per = [a * TITLE_WEIGHT for a in ht]
            else:
                hs = [0.0] * n
                self._scan(tokens(summary), hs)
                per = [
                    max(a * TITLE_WEIGHT, b * SUMMARY_WEIGHT) for a, b in zip(ht, hs, strict=False)
                ]
                if any(per[i] == 0.0 for i in self.required):
                    # not in the title and summary: then every word in the citation contexts
                    if not contexts:
                        return None
                    hc = [0.0] * n
                    self._scan(tokens(contexts), hc)
                    if any(hc[i] == 0.0 for i in self.required):
                        return None
                    per = [c * CONTEXT_WEIGHT for c in hc]
            total = sum(p * f for p, f in zip(per, self.idf, strict=False))
            if tt:
                run, matched = _longest_run(hits, n), sum(1 for e in hits if e is not None)
                total += self.phrase * max(run - 1, 0) + COVER_WEIGHT * min(matched, n) / len(tt)
        if citations:
            total += CITED_WEIGHT * math.log10(1 + citations)
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

    With a ``limit``, at most :data:`CANDIDATES` papers are scored (``complete``
    says whether that was every match); ``limit=None`` scores every match.
    """
    started = time.perf_counter()
    q = parse(query) if isinstance(query, str) else query
    flt: RowFilter = q.filter
    if hub_id is None and not flt.empty:
        raise QueryError("field filters (role:, pol:, year:, claim:) need a hub (--hub)")
    if hub_id is not None and not q.has_text and not q.exclude:
        total = lib.count_citing(hub_id, flt)
        rows = lib.citing_rows(
            hub_id,
            flt,
            sort="year" if sort == "relevance" else sort,
            limit=limit if limit is not None else total,
        )
        return SearchResult(tuple(rows), total, time.perf_counter() - started)
    eng = engine(lib)
    words = eng.words(q, complete=limit is None)
    vocab = eng.vocabulary()
    scorer = Scorer(q, words, vocab.total_docs)
    cap = None if limit is None else max(CANDIDATES, limit)
    ids, by_context, complete = _candidates(eng, q, words, scorer, hub_id, flt, cap, limit, among)
    texts = eng.reads.texts(ids)
    contexts = eng.reads.contexts(by_context) if by_context else {}
    scored = []
    for pid in ids:
        t = texts.get(pid)
        if t is not None:
            s = scorer.score(t[0], t[1], contexts.get(pid), t[2])
            if s is not None:
                scored.append((s, pid))
    scored.sort(key=lambda x: (-x[0], x[1]))
    if q.words and scored:
        scored = _tiebreak(q, scored, texts)
    ranked = [pid for _, pid in scored]
    scores = {pid: s for s, pid in scored}
    rows = _rows(
        lib, hub_id, flt, ranked if limit is None or sort != "relevance" else ranked[:limit], scores
    )
    rows = _sorted(rows, sort)
    if sort != "relevance":
        ranked = [r.paper_id for r in rows]
    if limit is not None:
        rows = rows[:limit]
    return SearchResult(
        tuple(rows), len(ranked), time.perf_counter() - started, tuple(ranked), complete
    )


def _tiebreak(
    q: Query, scored: list[tuple[float, int]], texts: dict[int, tuple[Any, ...]]
) -> list[tuple[float, int]]:
    """Add WRatio of the query against the title to the best-scored candidates."""
    head, tail = scored[:20], scored[20:]
    text = q.text
    head = [
        (s + fuzz.WRatio(text, texts[pid][0] or "", processor=utils.default_process) / 200.0, pid)
        for s, pid in head
    ]
    head.sort(key=lambda x: (-x[0], x[1]))
    return head + tail


def _pairs(words: list[Word]) -> str | None:
    """The title-pairs query: every two neighbouring query words side by side."""
    if len(words) < 2 or any(not w.pair_alts for w in words):
        return None
    groups = []
    for a, b in zip(words, words[1:], strict=False):
        alts = dict.fromkeys(
            quote(x + "_" + y) + (" *" if pre else "")
            for x, _ in a.pair_alts
            for y, pre in b.pair_alts
        )
        groups.append(next(iter(alts)) if len(alts) == 1 else "(" + " OR ".join(alts) + ")")
    return " AND ".join(dict.fromkeys(groups))


def _plan(groups: list[tuple[str, int]], n_docs: int, share: float, want: int) -> list[str]:
    """The groups worth asking FTS5 for, rarest first, while the estimated time stays within
    :data:`BUDGET_US`; the scorer checks the others on the candidates.

    ``groups`` are (expression, documents); ``share`` is the share of papers in scope.
    """
    order = sorted(groups, key=lambda g: g[1])
    keep, first = [order[0][0]], order[0][1]
    density, seek = 1.0, 0.0
    for expr, docs in order[1:]:
        p = min(1.0, (docs + 1) / (n_docs + 1))
        d, s = density * p, seek + SEEK_US * max(0.05, p)
        visited = min(first, want / max(d * share, 1e-9))
        if (
            visited * s + (visited * d * JOIN_US if share < 1.0 else 0.0) > BUDGET_US
            and docs > SMALL_DOCS
        ):
            break
        # a group held by few papers is always asked for: its doclist is short to merge,
        # and leaving it out fills the candidates with papers the scorer then refuses
        keep.append(expr)
        density, seek = d, s
    return keep


def _candidates(
    eng: Engine,
    q: Query,
    words: list[Word],
    scorer: Scorer,
    hub_id: int | None,
    flt: RowFilter,
    cap: int | None,
    limit: int | None,
    among: Sequence[int] | None,
) -> tuple[list[int], list[int], bool]:
    """Ids of papers that may match, best first; the ids found through a citation context;
    and whether that is every paper that may match."""
    needed = [w for w in words if not w.stop] or words
    exprs = [w.fts() for w in needed]
    if any(x is None for x in exprs):
        return [], [], True  # a word nothing in the index matches
    vocab = eng.vocabulary()
    groups = [(x, w.docs) for x, w in zip(exprs, needed, strict=True) if x is not None]
    for e in scorer.exact:
        toks = e.split()
        groups += [(quote(t), vocab.docs.get(t, 0)) for t in toks[:-1]]
        groups.append((quote(toks[-1]) + " *", vocab.prefix_docs(toks[-1])))
    reads = eng.reads
    if among is not None and len(among) <= 5000:  # few papers: check each
        allowed = set(reads.scan_ids(hub_id, flt)) if hub_id is not None else None
        ids = [i for i in dict.fromkeys(among) if allowed is None or i in allowed]
        return ids, ids if words else [], True
    if not groups:  # only exclusions: every paper is a candidate
        ids = reads.scan_ids(hub_id, flt)
        if among is not None:
            keep = set(among)
            ids = [i for i in ids if i in keep]
        if cap is not None and len(ids) > 20 * cap:
            return ids[: 20 * cap], [], False
        return ids, [], True
    if cap is None or among is not None:  # every match
        match = " AND ".join(g for g, _ in groups)
        ids = reads.match_papers(match, hub_id=hub_id, flt=flt)
        by_context = reads.match_contexts(match, hub_id=hub_id, flt=flt) if words else []
        ids = list(dict.fromkeys(ids + by_context))
        if among is not None:
            keep = set(among)
            ids = [i for i in ids if i in keep]
        complete = cap is None or len(ids) <= cap
        return (ids if cap is None else ids[:cap]), by_context, complete
    share = 1.0 if hub_id is None else eng.hub_share(hub_id)
    found: dict[int, None] = {}
    by_context = []
    cut = False
    if q.words and len(words) >= 2:
        expr = _pairs(words)
        if expr:
            found.update(
                dict.fromkeys(
                    reads.match_pairs(expr, hub_id=hub_id, flt=flt, limit=cap, pool=PAIR_POOL)
                )
            )
    for tier in ("title", "any", "contexts"):
        if tier == "title" and not q.words:
            continue
        if tier == "contexts" and not words:
            break
        if len(found) >= (cap if tier == "title" or limit is None else limit):
            cut = True
            break
        want = cap - len(found) + 1
        if tier == "contexts":
            got = reads.match_contexts(
                " AND ".join(g for g, _ in groups), hub_id=hub_id, flt=flt, limit=want
            )
            by_context = got
        else:
            expr = " AND ".join(_plan(groups, vocab.n_papers, share, want))
            got = reads.match_papers(
                "{title} : (" + expr + ")" if tier == "title" else expr,
                hub_id=hub_id,
                flt=flt,
                limit=want,
            )
        cut |= len(got) >= want
        found.update(dict.fromkeys(got))
    ids = list(found)
    return ids[:cap], by_context, not cut and len(ids) <= cap


def _rows(
    lib: Library, hub_id: int | None, flt: RowFilter, ids: list[int], scores: dict[int, float]
) -> list[CitingRow]:
    if hub_id is not None:
        by_id = lib.citing_rows_for(hub_id, ids, flt)
        return [replace(by_id[i], score=scores[i]) for i in ids if i in by_id]
    papers = lib.papers(ids)
    return [CitingRow.of_paper(papers[i], scores[i]) for i in ids if i in papers]


def _sorted(rows: Sequence[CitingRow], sort: str) -> list[CitingRow]:
    """Rows in the order of ``sort`` ("year", "citations:asc"...; see vocab.parse_sort),
    missing values last both ways."""
    key, desc = parse_sort(sort)
    sign = -1 if desc else 1
    if key == "year":
        return sorted(rows, key=lambda r: (r.year is None, sign * (r.year or 0), -(r.score or 0)))
    if key == "citations":
        return sorted(
            rows, key=lambda r: (r.citation_count is None, sign * (r.citation_count or 0))
        )
    if key == "title":
        return sorted(rows, key=lambda r: r.label.casefold(), reverse=desc)
    if key in SORT_KEYS:
        have = [r for r in rows if SORT_KEYS[key](r) is not None]
        rest = [r for r in rows if SORT_KEYS[key](r) is None]
        return sorted(have, key=SORT_KEYS[key], reverse=desc) + rest
    return list(rows)


# How the other sorts order rows in memory (None: the row has no value, and goes last).
SORT_KEYS: dict[str, Any] = {
    "venue": lambda r: r.venue.casefold() if r.venue else None,
    "influential": lambda r: int(bool(r.influential)),
    "role": lambda r: (
        (ROLES.index(r.roles[0]) if r.roles[0] in ROLES else 99, r.roles) if r.roles else None
    ),
    "polarity": lambda r: POLARITIES.index(r.polarity) if r.polarity in POLARITIES else None,
}


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
