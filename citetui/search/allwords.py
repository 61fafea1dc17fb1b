"""Papers holding every word of a query: the first tier of every search.

Matching rules: each plain word must match a word of the paper's title, authors,
venue, year, summary or abstract (or all of them one citation context), within
its edit budget (:mod:`citetui.search.vocab`; in pasted text, a query of more than
:data:`~citetui.search.closest.LONG_QUERY` words, a word the index holds matches only
itself); the last word also matches as a
prefix (it may still be being typed; a typo in it is forgiven when at most one
edit falls in its first half); ``'word`` must appear exactly, from the start of a
word; ``!word`` must not appear; short stop-words are optional. Ranking: title
matches weigh more than author, venue and year matches, which weigh more than
summary and abstract matches, then context matches; closer matches more than
looser ones; rarer words more than common ones; the longer the run of query
words side by side in the title, in the query's order, the more; a query that
covers more of a title more than one that covers less; rapidfuzz's WRatio of the
whole query against the title breaks ties among the best, and a small boost goes
to much-cited papers.

Candidates (at most :data:`CANDIDATES` with a limit), in this order until there
are enough: titles holding the query's neighbouring words side by side (the
title-pairs index, shortest titles first), papers with every word in the title,
authors, venue or year (``meta_fts``), then in the title, summary or abstract
(``papers_fts``), then in a citation context. A very common word is left out of
a candidate query when rarer ones make it cheap to check on the candidates
instead (FTS5 pays per document for a term held by most papers). With
``limit=None`` every match is scored (exports).
"""

from __future__ import annotations

import json
import math
from collections.abc import Sequence
from typing import TYPE_CHECKING, Any

from rapidfuzz import fuzz, utils

from citetui.core.ids import author_key
from citetui.core.query import Query, RowFilter
from citetui.core.vocab import STOPWORDS
from citetui.search.vocab import Vocabulary, fuzzy, fuzzy_prefixes
from citetui.store.fts import tokens
from citetui.store.search_reads import quote

if TYPE_CHECKING:
    from citetui.search.engine import Engine

TITLE_WEIGHT = 3.0
META_WEIGHT = 3.0  # authors, venue, year: "surname year" names them as a title would
SUMMARY_WEIGHT = 1.0
CONTEXT_WEIGHT = 0.5
PHRASE_WEIGHT = 2.0  # all query words side by side in the title, in order
COVER_WEIGHT = 1.0  # share of the title's words the query matches
CITED_WEIGHT = 0.05  # per power of ten of citations
FIRST_AUTHOR_WEIGHT = 1.0  # the first author's surname is a query word (how papers are cited)
CANDIDATES = 100  # papers scored per query when a limit is given
PAIR_POOL = 1000  # title-pair matches whose title lengths are compared
MAX_TERMS = 24  # fuzzy expansions kept per word (the closest, then the most frequent)
MAX_COMPLETIONS = 24  # completions of a broad typed prefix that are listed
PREFIX_DOCS = 20000  # a typed prefix read as a prefix query up to this many documents
BUDGET_US = 1500.0  # estimated FTS5 time a candidate query may take
SMALL_DOCS = 25000  # a word held by at most this many papers is always part of the query
SEEK_US = 6.0  # per document, moving through the doclist of a term most papers hold
JOIN_US = 1.5  # per FTS match, the citations lookup of a hub search
FEW_LEFT = 0.01  # papers expected to hold the groups kept (words as if independent)


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

    def __init__(
        self, vocab: Vocabulary, text: str, *, last: bool, complete: bool, pasted: bool = False
    ):
        self.text = text
        self.last = last  # the word being typed: also a prefix
        self.stop = text in STOPWORDS
        terms: dict[str, float] = {}  # index term -> quality (1.0 exact, 0.7/0.6 edits)
        known = text in vocab.docs
        if known:
            terms[text] = 1.0
        near = {} if known and pasted else fuzzy(vocab, text)
        if len(near) > MAX_TERMS:
            near = dict(sorted(near.items(), key=lambda x: (x[1], -vocab.docs[x[0]]))[:MAX_TERMS])
        for t, d in near.items():
            terms[t] = 0.8 - 0.1 * d
        prefixes: dict[str, float] = {}  # prefix -> quality (0.9 typed, 0.6 with a typo)
        fts_terms, fts_prefixes = set(terms), set()
        if last:
            prefixes[text] = 0.9
            for p in fuzzy_prefixes(vocab, text):
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
        self.plain = {w.text for w in words if not w.stop and not w.text.isdigit()}
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

    def score(self, rec: Sequence[Any], contexts: str | None) -> float | None:
        """The relevance of one record (a row of ``IndexReads.texts``: title, summary,
        citation count, authors, venue, year, abstract), or None when it does not match."""
        title, summary, citations, authors, venue, year, abstract = rec
        if not title:  # an untitled paper is known by its summary (its phrase counts)
            title, summary = summary, None
        tt = tokens(title)
        if self.exact or self.exclude:
            flat = " ".join(tt + ["\x00"] + tokens(summary) + ["\x00"] + tokens(abstract))
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
                hm = [0.0] * n
                if authors or venue or year:
                    self._scan(tokens(f"{authors or ''} {venue or ''} {year or ''}"), hm)
                hs = [0.0] * n
                self._scan(tokens(summary), hs)
                per = [
                    max(a * TITLE_WEIGHT, m * META_WEIGHT, b * SUMMARY_WEIGHT)
                    for a, m, b in zip(ht, hm, hs, strict=True)
                ]
                if abstract and any(per[i] == 0.0 for i in self.required):
                    self._scan(tokens(abstract), hs)
                    per = [max(p, b * SUMMARY_WEIGHT) for p, b in zip(per, hs, strict=True)]
                if any(per[i] == 0.0 for i in self.required):
                    # not in the paper's own fields: then every word in the citation contexts
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
            if (
                authors
                and any(w in authors.lower() for w in self.plain)
                and author_key([first_author(authors)]) in self.plain
            ):
                total += FIRST_AUTHOR_WEIGHT
        if citations:
            total += CITED_WEIGHT * math.log10(1 + citations)
        return total


def first_author(authors: str | None) -> str:
    """The first name of an authors column (a JSON list), or ''."""
    if not authors:
        return ""
    try:
        names = json.loads(authors)
    except ValueError:
        return ""
    return names[0] if names and isinstance(names[0], str) else ""


def tiebreak(
    q: Query, scored: list[tuple[float, int]], texts: dict[int, tuple[Any, ...]]
) -> list[tuple[float, int]]:
    """Add WRatio of the query against the title to the best-scored candidates."""
    head, tail = scored[:20], scored[20:]
    text = q.text
    head = [
        (
            s
            + fuzz.WRatio(
                text, texts[pid][0] or texts[pid][1] or "", processor=utils.default_process
            )
            / 200.0,
            pid,
        )
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
        if first * density * share < FEW_LEFT:
            # the groups kept already leave (almost) no paper: each further one would
            # cost FTS5 its lookups (0.02-0.1 ms a term at 1M papers, a pasted title has
            # a hundred) and narrow nothing
            break
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


def candidates(
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
        ids += reads.match_papers(match, hub_id=hub_id, flt=flt, meta=True)
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
    # the words as typed, before their typo neighbours: when more papers may match than
    # are scored, those holding the very words ("chang systems": Chang, not Zhang) go
    # first. Estimated as if words were independent, which names, years and title words
    # are not: hence a tenth of the candidates.
    exact = None
    expect = float(vocab.n_papers) * share
    for w in needed:
        expect *= min(1.0, w.docs / vocab.n_papers)
    if (
        expect > cap / 10
        and all(w.text in vocab.docs for w in needed)
        and any(w.fts() != quote(w.text) for w in needed)
    ):
        exact = " AND ".join(dict.fromkeys(quote(w.text) for w in needed))
    for tier in ("exact", "title", "any", "contexts"):
        if tier == "exact" and (exact is None or not q.words or scorer.exact):
            continue
        if tier == "title" and not q.words:
            continue
        if tier == "contexts" and not words:
            break
        if len(found) >= (cap if tier in ("exact", "title") or limit is None else limit):
            cut = True
            break
        want = cap - len(found) + 1
        if tier == "contexts":
            got = reads.match_contexts(
                " AND ".join(g for g, _ in groups), hub_id=hub_id, flt=flt, limit=want
            )
            by_context = got
        else:
            if tier == "exact" and exact is not None:
                expr = exact
            else:
                expr = " AND ".join(_plan(groups, vocab.n_papers, share, want))
            got = reads.match_papers(
                expr, hub_id=hub_id, flt=flt, limit=want, meta=tier in ("exact", "title")
            )
        cut |= len(got) >= want
        found.update(dict.fromkeys(got))
    ids = list(found)
    return ids[:cap], by_context, not cut and len(ids) <= cap
