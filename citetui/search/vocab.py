"""The index's vocabulary in memory, and what a typed word may stand for in it.

Edits are counted as OSA (optimal string alignment): an insert, a delete, a
substitute or a transposition of two neighbouring letters is one edit, so
``chatgtp`` is one edit from ``chatgpt`` wherever it sits in the query. A word
of 5+ letters forgives one edit (a transposition from 4), of 9+ two; a word
longer than :data:`MAX_FUZZY_WORD` is matched exactly (its expansions would grow
with its square). Neighbours are found in the sorted term list by the
pigeonhole rule (one half of the word is intact for one edit; for two, one half
intact or the head one edit away), then checked with rapidfuzz's OSA distance.
"""

from __future__ import annotations

import bisect
import heapq
import itertools
import math
from collections.abc import Iterable

from rapidfuzz import process
from rapidfuzz.distance import OSA

MAX_FUZZY_WORD = 40
_ALPHABET = "abcdefghijklmnopqrstuvwxyz0123456789"


def edit_budget(word: str) -> int:
    """Edits forgiven in a word: 0 below 5 letters, 1 from 5, 2 from 9, 0 past
    MAX_FUZZY_WORD."""
    n = len(word)
    if n > MAX_FUZZY_WORD:
        return 0
    return 2 if n >= 9 else 1 if n >= 5 else 0


def budget(a: str, b: str) -> int:
    """Edits forgiven between a query word and a word of the text (the longer one counts)."""
    n = max(len(a), len(b))
    if n > MAX_FUZZY_WORD:
        return 0
    return 2 if n >= 9 else 1 if n >= 5 else 0


def is_transposition(a: str, b: str) -> bool:
    """Whether ``b`` is ``a`` with two neighbouring letters swapped."""
    if len(a) != len(b):
        return False
    diff = [i for i in range(len(a)) if a[i] != b[i]]
    return (
        len(diff) == 2
        and diff[1] == diff[0] + 1
        and a[diff[0]] == b[diff[1]]
        and a[diff[1]] == b[diff[0]]
    )


def word_score(q: str, token: str, *, prefix: bool) -> float:
    """How well query word ``q`` matches a document token: 1.0 exact, 0 no match."""
    if q == token:
        return 1.0
    if prefix and token.startswith(q):
        return 0.9
    k = budget(q, token)
    if len(q) == 4 and is_transposition(q, token):
        return 0.7
    if k and abs(len(q) - len(token)) <= k:
        d = OSA.distance(q, token, score_cutoff=k)
        if d <= k:
            return 0.8 - 0.1 * d
    k = edit_budget(q)
    if prefix and k and len(token) > len(q):
        d = min(
            OSA.distance(q, token[:j], score_cutoff=k)
            for j in range(max(1, len(q) - k), min(len(token), len(q) + k) + 1)
        )
        if d <= k:
            return 0.6
    return 0.0


def edits1(s: str) -> set[str]:
    """Every string one edit away from ``s`` (over letters and digits)."""
    out = {s[:i] + s[i + 1 :] for i in range(len(s))}
    for i in range(len(s) + 1):
        head, tail = s[:i], s[i:]
        for c in _ALPHABET:
            out.add(head + c + tail)
            if tail and c != tail[0]:
                out.add(head + c + tail[1:])
    out.update(s[:i] + s[i + 1] + s[i] + s[i + 2 :] for i in range(len(s) - 1))
    out.discard(s)
    return out


class Vocabulary:
    """The index's terms, sorted, with document counts; forwards and reversed for bisecting.

    ``docs``: papers (title, summary, abstract) and contexts holding the term, or its
    ``meta`` count when larger; ``meta``: papers whose title, authors, venue or year hold
    it (what a reference names).
    """

    def __init__(self, rows: Iterable[tuple[str, int, int]], n_papers: int = 0):
        rows = sorted(rows)
        self.terms = [t for t, _, _ in rows]
        self.docs = {t: max(d, m) for t, d, m in rows}
        self.meta = {t: m for t, _, m in rows if m}
        self.cum = [0, *itertools.accumulate(self.docs[t] for t in self.terms)]
        rev = sorted((t[::-1], t) for t in self.terms)
        self.rev = [r for r, _ in rev]
        self.rev_terms = [t for _, t in rev]
        self.total_docs = max(self.docs.values(), default=1)
        self.n_papers = max(n_papers, self.total_docs, 1)
        self.log_n = math.log(self.n_papers + 1)

    def idf(self, df: int) -> float:
        """The weight of a term held by ``df`` papers (0 for none)."""
        return max(0.0, self.log_n - math.log(df + 1)) if df else 0.0

    def prefix_range(self, prefix: str) -> tuple[int, int]:
        """Indexes [lo, hi) of the terms starting with ``prefix``."""
        lo = bisect.bisect_left(self.terms, prefix)
        hi = bisect.bisect_left(self.terms, prefix + "\U0010ffff", lo)
        return lo, hi

    def with_prefix(self, prefix: str, cap: int | None = None) -> list[str]:
        lo, hi = self.prefix_range(prefix)
        return self.terms[lo : hi if cap is None else min(hi, lo + cap)]

    def is_prefix(self, prefix: str) -> bool:
        """Whether some term starts with ``prefix``."""
        i = bisect.bisect_left(self.terms, prefix)
        return i < len(self.terms) and self.terms[i].startswith(prefix)

    def with_suffix(self, suffix: str, cap: int | None = None) -> list[str]:
        r = suffix[::-1]
        lo = bisect.bisect_left(self.rev, r)
        hi = bisect.bisect_left(self.rev, r + "\U0010ffff", lo)
        return self.rev_terms[lo : hi if cap is None else min(hi, lo + cap)]

    def prefix_docs(self, prefix: str) -> int:
        """Documents holding some term with this prefix (an upper bound: a sum)."""
        lo, hi = self.prefix_range(prefix)
        return self.cum[hi] - self.cum[lo]

    def completions(self, prefix: str, n: int, *, strict: bool = False) -> list[str]:
        """The ``n`` most frequent terms starting with ``prefix`` (``strict``: not itself)."""
        lo, hi = self.prefix_range(prefix)
        span = self.terms[lo:hi]
        if strict and span and span[0] == prefix:
            span = span[1:]
        if len(span) <= n:
            return span
        return heapq.nlargest(n, span[:20000], key=self.docs.__getitem__)

    def segment(self, w: str) -> list[str] | None:
        """A merged word split into 2-6 words of titles and names, the likeliest split
        (``withpier`` -> with, pier), or None."""
        n = len(w)
        if n < 6 or n > 60:
            return None
        best: list[tuple[float, list[str]] | None] = [None] * (n + 1)
        best[0] = (0.0, [])
        meta = self.meta
        for i in range(n):
            here = best[i]
            if here is None or len(here[1]) >= 6:
                continue
            for j in range(i + 2 if i + 1 < n else i + 1, min(n, i + 25) + 1):
                part = w[i:j]
                df = meta.get(part, 0)
                if not df or (len(part) < 2 and part != "a"):
                    continue
                s = here[0] + math.log(df + 1) - 4.0
                there = best[j]
                if there is None or s > there[0]:
                    best[j] = (s, [*here[1], part])
        end = best[n]
        if end is None or len(end[1]) < 2:
            return None
        return end[1]


def fuzzy(vocab: Vocabulary, w: str) -> dict[str, int]:
    """Index terms within the edit budget of ``w`` (not ``w`` itself), with their distance."""
    n = len(w)
    if n > MAX_FUZZY_WORD or n < 4 or w.isdigit():
        return {}
    if n == 4:  # a transposition, or a 5-letter word with a letter dropped
        return {
            v: 1 for v in edits1(w) if v in vocab.docs and (len(v) == 5 or is_transposition(w, v))
        }
    k = 2 if n >= 7 else 1
    mid = n // 2
    cands = set(vocab.with_prefix(w[:mid]))
    cands.update(vocab.with_suffix(w[mid:]))
    # a transposition across the middle breaks both halves: shorter halves keep one intact
    if mid - 1 >= 2:
        cands.update(vocab.with_prefix(w[: mid - 1], 3000))
    if n - mid - 1 >= 2:
        cands.update(vocab.with_suffix(w[mid + 1 :], 3000))
    if k == 2:  # one edit in each half: the head is one edit from w's
        for v in edits1(w[:mid]):
            if len(v) >= 3:
                cands.update(vocab.with_prefix(v))
    near = [c for c in cands if abs(len(c) - n) <= k and c != w]
    hits = process.extract(w, near, scorer=OSA.distance, score_cutoff=k, limit=None)
    return {t: int(d) for t, d, _ in hits if d <= budget(w, t)}


def fuzzy_prefixes(vocab: Vocabulary, w: str) -> set[str]:
    """Prefixes of index terms within the edit budget of ``w`` (one edit at most in its first
    half), not extending ``w`` itself; the shortest of each family."""
    k = edit_budget(w)
    if not k:
        return set()
    if k == 1:
        out = {v for v in edits1(w) if len(v) >= 3 and vocab.is_prefix(v)}
    else:
        mid = max(3, len(w) // 2)
        cuts: set[str] = set()
        for head in {w[:mid]} | {v for v in edits1(w[:mid]) if len(v) >= 3}:
            lo, hi = vocab.prefix_range(head)
            if hi - lo > 2000:
                continue
            for t in vocab.terms[lo:hi]:
                cuts.update(t[:j] for j in range(len(w) - k, len(w) + k + 1) if len(t) >= j)
        out = {
            p
            for p, _, _ in process.extract(
                w, list(cuts), scorer=OSA.distance, score_cutoff=k, limit=None
            )
        }
    out = {p for p in out if not p.startswith(w)}
    return {p for p in out if not any(p != o and p.startswith(o) for o in out)}
