"""The closest papers: the second tier, for queries no paper (or too few) holds in full.

Pasted references, titles with a word missing, added or merged, "surname year"
and exploratory queries. Each query word becomes a *slot* with alternatives,
each with a quality: the word (1.0); its typo neighbours (0.8, 0.7; 0.6 for
neighbours of a word the index holds, only in short queries); its join with the
next word when that is an index word (``optimiza tion``; 0.9); its split into
words of titles and names (``withpier``; 0.85); the last word of a short query
also completes (0.9). A slot weighs the idf of its best alternative.

Candidates (OR semantics, bounded): each alternative's papers (title, authors,
venue, year: ``meta_fts``; summary, abstract: ``papers_fts``, x :data:`W_TEXT`),
each neighbouring word pair of the query (the title pairs) and each (rare word,
year of the query) are read rarest first, until :data:`A_BUDGET` ids; each adds
its idf x quality to the papers it holds; the next :data:`B_BUDGET` ids only add
to papers already found. The best :data:`CANDIDATES` are re-ranked on their
records: the share of the query they explain, the share of their title the query
holds, neighbouring query words side by side in the title, the year and the
first author's surname, and rapidfuzz's similarity of the whole query to the
title (with authors and year), spaces ignored (merged and split words cost
nothing). Ties go by a fixed hash of the id, never by import order.
"""

from __future__ import annotations

import heapq
import json
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from rapidfuzz import fuzz, utils

from citetui.core.ids import author_key
from citetui.core.vocab import STOPWORDS
from citetui.search.vocab import Vocabulary, fuzzy
from citetui.store.fts import tokens
from citetui.store.search_reads import quote

if TYPE_CHECKING:
    from citetui.store.search_reads import IndexReads

STOP = STOPWORDS | frozenset(
    [
        "its",
        "this",
        "that",
        "their",
        "our",
        "we",
        "using",
        "de",
        "la",
        "le",
        "et",
        "der",
        "die",
        "und",
    ]
)
CANDIDATES = 60  # records re-ranked
FUZZ_TOP = 30  # of those, how many get the whole-string similarity
A_BUDGET = 8000  # ids read to make candidates (rarest terms first)
B_BUDGET = 12000  # more ids read only to score those candidates (commoner words)
MIN_TERMS = 4  # always read at least this many of the rarest terms
LONG_QUERY = 12  # more words than this: pasted text, whose known words are taken as typed
MAX_ALTS = 8  # typo neighbours kept per word
PREFIX_ALTS = 40  # completions of a short query's last word (it may be being typed)
LONG_EXPAND = 6  # in a query of 13+ words, the unknown words given typo neighbours
MAX_PAIRS = 40  # neighbouring word pairs looked up
MAX_YEAR_TERMS = 6  # (word, year) pairs read
MAX_READS = 24  # doclists read at most (the rarest)
W_TEXT = 0.35  # a word found only in the summary or abstract
W_PAIR = 0.5  # a title word pair, on top of its two words
W_NUM = 0.3  # a number that is not a year (volume, pages)
W_TCOV = 0.6  # share of the title's words found in the query
W_ADJ = 0.4  # share of neighbouring query words found side by side in the title
W_YEAR = 0.15
W_FIRST = 0.1
W_FUZZ = 0.5


def mix(pid: int) -> int:
    """A fixed pseudo-random order for equal scores (ids follow import order, which must
    not decide between equally good papers)."""
    return (pid * 2654435761) & 0xFFFFFFFF


def is_year(t: str) -> bool:
    return len(t) == 4 and t.isdigit() and 1800 <= int(t) <= 2035


class Slot:
    """One distinct word of the query and what it may stand for in the index."""

    __slots__ = ("text", "stop", "num", "year", "alts", "parts", "weight", "prefix")

    def __init__(self, text: str):
        self.text = text
        self.stop = text in STOP or len(text) == 1
        self.num = text.isdigit()
        self.year = is_year(text)
        self.alts: dict[str, float] = {}  # index word -> quality
        self.parts: list[str] | None = None
        self.weight = 0.0
        self.prefix = False


def make_slots(
    vocab: Vocabulary,
    raw: list[str],
    cache: dict[Any, Any],
    near_of: dict[str, dict[str, float]] | None = None,
) -> list[Slot]:
    """The query's distinct words as slots (see the module docstring). ``near_of``: the
    typo neighbours the first tier found for each word (index term -> its quality there,
    0.8 - 0.1 x edits), so that no word is expanded twice."""
    short = len(raw) <= 8
    has = vocab.docs.__contains__
    expand: set[str] | None = None
    if len(raw) > LONG_QUERY:  # a pasted reference says everything twice: fix its odd words
        odd = {t for t in raw if not has(t) and len(t) >= 6 and not t.isdigit()}
        expand = set(sorted(odd, key=len, reverse=True)[:LONG_EXPAND])
    slots: list[Slot] = []
    seen: set[str] = set()
    for t in raw:
        if t in seen:
            continue
        seen.add(t)
        s = Slot(t)
        known = has(t)
        if known:
            s.alts[t] = 1.0
        if not s.num and not s.stop and (not known or short) and (expand is None or t in expand):
            near = cache.get(("n", t))
            if near is None:
                if near_of is not None and t in near_of:
                    near = {u: round((0.8 - q) * 10) for u, q in near_of[t].items() if u != t}
                else:
                    near = fuzzy(vocab, t)
                if len(near) > MAX_ALTS:
                    near = dict(
                        sorted(near.items(), key=lambda x: (x[1], -vocab.docs[x[0]]))[:MAX_ALTS]
                    )
                cache[("n", t)] = near
            q = 0.6 if known else 0.8
            for u, d in near.items():
                s.alts.setdefault(u, q - 0.1 * (d - 1))
        if not s.num and len(t) >= 6 and (not known or vocab.docs[t] <= 2):
            seg = cache.get(("s", t), 0)
            if seg == 0:
                seg = cache[("s", t)] = vocab.segment(t)
            s.parts = seg
        slots.append(s)
    if raw and short and slots and slots[-1].text == raw[-1]:
        s = slots[-1]  # the last word may still be being typed
        if len(s.text) >= 2 and not s.num:
            comp = cache.get(("p", s.text))
            if comp is None:
                comp = cache[("p", s.text)] = vocab.completions(s.text, PREFIX_ALTS, strict=True)
            for u in comp:
                s.alts.setdefault(u, 0.9)
            if s.stop and comp:
                s.stop = False  # 'th' is not the stop word 'the' yet
            s.prefix = True
    by_text = {s.text: s for s in slots}
    for a, b in zip(raw, raw[1:], strict=False):  # 'optimiza tion' -> optimization
        j = a + b
        if len(j) >= 4 and has(j):
            for x in (a, b):
                sl = by_text.get(x)
                if sl is not None:
                    sl.alts.setdefault(j, 0.9)
    for s in slots:
        if s.stop:
            s.weight = 0.05
        elif s.prefix:
            s.weight = vocab.idf(sum(vocab.docs.get(u, 0) for u in s.alts))
        elif s.alts:
            best = max(s.alts, key=s.alts.__getitem__)
            s.weight = vocab.idf(vocab.meta.get(best) or vocab.docs.get(best, 0))
            if s.num and not s.year:
                s.weight *= W_NUM
        elif s.parts:
            s.weight = sum(vocab.idf(vocab.meta[p]) for p in s.parts) / len(s.parts)
    return slots


def candidates(
    reads: IndexReads,
    vocab: Vocabulary,
    slots: list[Slot],
    raw: list[str],
    *,
    stop_too: bool = False,
    budget: float = 1.0,
) -> dict[int, float]:
    """Papers holding some alternative of some slot, with their summed weights; ``budget``
    scales the ids read (:data:`A_BUDGET`, :data:`B_BUDGET`)."""
    a_budget, b_budget = int(A_BUDGET * budget), int(B_BUDGET * budget)
    want: dict[tuple[str, str], float] = {}  # (table, FTS expression) -> weight
    df: dict[tuple[str, str], int] = {}
    for s in slots:
        if s.stop and not stop_too:
            continue
        num = W_NUM if s.num and not s.year else 1.0
        for u, q in s.alts.items():
            m = vocab.meta.get(u, 0)
            if m:
                key = ("meta_fts", quote(u))
                w = q * vocab.idf(m) * num
                if w > want.get(key, 0.0):
                    want[key], df[key] = w, m
            d = vocab.docs.get(u, 0)
            if d and d != m:
                key = ("papers_fts", quote(u))
                w = W_TEXT * q * vocab.idf(d) * num
                if w > want.get(key, 0.0):
                    want[key], df[key] = w, d
        for p in s.parts or ():
            key = ("meta_fts", quote(p))
            w = 0.5 * vocab.idf(vocab.meta.get(p, 0))
            if w > want.get(key, 0.0):
                want[key], df[key] = w, vocab.meta.get(p, 0)
    pairs = list(dict.fromkeys(a + "_" + b for a, b in zip(raw, raw[1:], strict=False)))
    for term, n in reads.pair_docs(pairs[:MAX_PAIRS]).items():
        key = ("pairs_fts", quote(term))
        want[key], df[key] = W_PAIR * vocab.idf(n), n
    years = [t for t in dict.fromkeys(raw) if is_year(t)]
    if years:
        rare = sorted(
            (s for s in slots if not s.stop and not s.num and s.text in vocab.meta),
            key=lambda s: vocab.meta[s.text],
        )[:MAX_YEAR_TERMS]
        for s in rare:
            for y in years:
                key = ("meta_fts", f"{quote(s.text)} AND {quote(y)}")
                n = max(1, min(vocab.meta[s.text], vocab.meta.get(y, 1)) // 20)
                want[key], df[key] = vocab.idf(n), n
    order = sorted(want, key=lambda k: (df[k], -want[k]))[:MAX_READS]
    acc: dict[int, float] = {}
    total = 0
    first = 0
    for key in order:
        n = df[key]
        if first < MIN_TERMS or total + n <= a_budget:
            first += 1
            total += n
            w = want[key]
            for d in reads.doclist(key[0], key[1], a_budget + 1):
                acc[d] = acc.get(d, 0.0) + w
        elif total + n <= a_budget + b_budget and len(acc) > CANDIDATES:
            total += n
            w = want[key]
            for d in acc.keys() & set(reads.doclist(key[0], key[1], b_budget)):
                acc[d] += w
    return acc


def best(acc: dict[int, float], k: int, allowed: set[int] | None = None) -> list[int]:
    """The ``k`` best-scored papers (ties: a fixed hash of the id), within ``allowed``."""
    if allowed is not None:
        acc = {d: s for d, s in acc.items() if d in allowed}
    if len(acc) <= k:
        return sorted(acc, key=lambda d: (-acc[d], mix(d)))
    cut = heapq.nlargest(k, acc.values())[-1]  # floats: C speed, no key function
    top = sorted((d for d, s in acc.items() if s > cut), key=lambda d: (-acc[d], mix(d)))
    tied = sorted((d for d, s in acc.items() if s == cut), key=mix)
    return top + tied[: k - len(top)]


@dataclass(frozen=True)
class Scored:
    """One re-ranked paper: its score and whether it holds every word of the query."""

    paper_id: int
    score: float
    all_words: bool


def rerank(
    vocab: Vocabulary,
    text: str,
    slots: list[Slot],
    recs: Mapping[int, Sequence[Any]],
    *,
    fuzz_top: int = FUZZ_TOP,
) -> list[Scored]:
    """Score each record (a row of ``IndexReads.texts``) against the query, best first;
    the best ``fuzz_top`` also by the whole-string similarity."""
    n = len(slots)
    weight = [s.weight for s in slots]
    total_w = sum(weight) or 1.0
    term_slots: dict[str, list[tuple[int, float]]] = {}
    for i, s in enumerate(slots):
        for u, q in s.alts.items():
            term_slots.setdefault(u, []).append((i, q))
    parted = [(i, s.parts) for i, s in enumerate(slots) if s.parts]
    slot_of = {u: tuple(i for i, _ in v) for u, v in term_slots.items()}
    n_pairs = max(0, n - 1)
    n_content = sum(1 for s in slots if not s.stop)
    qset = set(term_slots) | {s.text for s in slots}
    for _, parts in parted:
        qset.update(parts)
    years = {int(s.text) for s in slots if s.year}
    long_q = n > 12
    stop_idx = {i for i, s in enumerate(slots) if s.stop}
    idf: dict[str, float] = {}
    rows: list[list[Any]] = []
    for pid, (title, summary, _cites, authors, venue, year, abstract) in recs.items():
        if not title:  # an untitled paper is known by its summary
            title, summary = summary, None
        tt = tokens(title)
        meta = set(tt)
        meta.update(tokens(authors))
        meta.update(tokens(venue))
        if year:
            meta.add(str(year))
        got: dict[int, float] = {}
        for t in meta:
            for i, q in term_slots.get(t, ()):
                if q > got.get(i, 0.0):
                    got[i] = q
        for i, parts in parted:
            if got.get(i, 0.0) < 0.85 and all(p in meta for p in parts):
                got[i] = 0.85
        if len(got) < n and not long_q and (abstract or summary):
            for t in set(tokens(summary)) | set(tokens(abstract)):
                for i, q in term_slots.get(t, ()):
                    if i not in got:
                        got[i] = W_TEXT * q
        matched = sum(1 for i in got if i not in stop_idx)
        qcov = sum(weight[i] * q for i, q in got.items()) / total_w
        tw = tm = 0.0
        for t in set(tt):
            w = idf.get(t)
            if w is None:
                w = idf[t] = vocab.idf(vocab.meta.get(t, 0) or 1)
            tw += w
            if t in qset:
                tm += w
        tcov = tm / tw if tw else 0.0
        adj = 0
        if n_pairs:
            prev: tuple[int, ...] = ()
            for t in tt:
                cur = slot_of.get(t, ())
                if prev and cur and any(i - 1 in prev for i in cur):
                    adj += 1
                prev = cur
        sc = (
            qcov
            + W_TCOV * tcov * min(1.0, n_content / max(1, len(tt)))
            + W_ADJ * min(adj, n_pairs) / max(1, n_pairs)
        )
        if years and year in years:
            sc += W_YEAR
        names = _names(authors) if authors else []
        if names and author_key(names) in qset:
            sc += W_FIRST
        rows.append([sc, pid, matched == n_content and n_content > 0, title or "", names, year])
    rows.sort(key=lambda x: (-x[0], mix(x[1])))
    qp = utils.default_process(text)
    qp_ns = qp.replace(" ", "")
    for row in rows[:fuzz_top]:
        title = utils.default_process(row[3])
        if long_q and len(title) >= 10:
            fz = fuzz.partial_ratio(title.replace(" ", ""), qp_ns) / 100.0
            fz *= min(1.0, len(title) / 30.0)
        else:
            full = utils.default_process(f"{row[3]} {' '.join(row[4])} {row[5] or ''}")
            fz = max(fuzz.token_set_ratio(qp, full), fuzz.ratio(qp_ns, title.replace(" ", "")))
            fz /= 100.0
        row[0] += W_FUZZ * fz
    rows.sort(key=lambda x: (not x[2], -x[0], mix(x[1])))
    return [Scored(r[1], r[0], r[2]) for r in rows]


def _names(authors: str | None) -> list[str]:
    if not authors:
        return []
    try:
        names = json.loads(authors)
    except ValueError:
        return []
    return [a for a in names if isinstance(a, str)] if isinstance(names, list) else []
