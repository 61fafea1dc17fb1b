"""One paper (or hub) for a command's PAPER/HUB argument, or a refusal; never a guess.

1. An argument shaped like an identifier (digits: a library id, then a corpus id;
   DOI, arXiv id, CorpusID, S2 paperId, OpenAlex W-id, their URLs) matches that
   identifier exactly or fails.
2. An acronym matches a paper whose title defines it (``BERT: Pre-training...``;
   for hubs also the initials of its first words: ``ppo``), and an exact title
   beats an acronym.
3. Otherwise :func:`citetui.search.search` and each of its best 10 gets a
   *closeness* (0-100): the title (or summary) against the argument, spaces
   ignored; or the title found inside a longer argument (a pasted reference),
   in full only when the argument also names the first author (or, without
   authors, the year), and not when words just before it say it is part of a
   longer title.
4. A write takes the best only when it is a clear winner: closeness ≥
   :data:`ACCEPT`, :data:`MARGIN` points over the runner-up, the runner-up under
   :data:`AMBIG`, no year in the argument contradicting it, and no other paper
   holding every word put first by the engine. Otherwise
   :class:`Unresolved` lists up to 10 candidates. A read takes the best match.

Thresholds tuned on one half of the shared query sets, checked on the other.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from rapidfuzz import fuzz, utils

from citetui.core.bibpaste import bibtex_reference
from citetui.core.ids import author_key, norm_title
from citetui.core.models import Hub, Paper
from citetui.search.engine import search
from citetui.search.identifiers import find_ids, id_only, looks_like_id
from citetui.store import Library, NotFound
from citetui.store.fts import fold, tokens

ACCEPT = 90.0
MARGIN = 8.0
AMBIG = 85.0  # a runner-up this close makes the argument ambiguous
INSIDE_ALONE = 90.0  # the most a title inside the argument scores uncorroborated
BIB = frozenset(
    [
        "in",
        "proc",
        "proceedings",
        "of",
        "the",
        "journal",
        "j",
        "vol",
        "volume",
        "pp",
        "pages",
        "no",
        "eds",
        "ed",
        "and",
        "et",
        "al",
        "editors",
        "editor",
        "conference",
        "conf",
        "int",
        "international",
        "press",
        "by",
    ]
)


@dataclass(frozen=True)
class Candidate:
    """A paper an argument may mean, and how close it is (0-100)."""

    paper: Paper
    closeness: float
    holds_every_word: bool = False  # the engine's first tier: the paper holds every word
    rank: int = 0  # its place in the engine's order (0: the engine's first)


class Unresolved(NotFound):
    """An argument that names no paper for certain; ``candidates`` lists the nearest."""

    exit_code = 2

    def __init__(self, message: str, candidates: list[Candidate]):
        super().__init__(message)
        self.candidates = candidates


def _ns(s: str | None) -> str:
    return utils.default_process(fold(s or "")).replace(" ", "")


def _longer_title(query: str, start: int, known: set[str]) -> bool:
    """Whether 2+ of the 4 words just before the title's place in the argument are neither
    the record's (authors, venue, year) nor bibliographic filler: it holds a longer title."""
    pos, before = 0, []
    for w in utils.default_process(fold(query)).split():
        if pos >= start:
            break
        before.append(w)
        pos += len(w)
    odd = [
        w for w in before[-4:] if len(w) > 2 and not w.isdigit() and w not in BIB and w not in known
    ]
    return len(odd) >= 2


def closeness(text: str, p: Paper) -> float:
    """How close the argument is to the paper's title or summary (0-100)."""
    q = _ns(text)
    t = _ns(p.title)
    if not q:
        return 0.0
    best = fuzz.ratio(q, t) if t else 0.0
    if t and len(q) > len(t) * 1.2:
        al = fuzz.partial_ratio_alignment(t, q)
        inside = al.score if al else 0.0
        if al is not None and inside >= 95:
            words = set(tokens(text))
            if p.authors:
                corroborated = author_key(list(p.authors)) in words
            else:
                corroborated = p.year is not None and str(p.year) in words
            known = set(tokens(" ".join(p.authors))) | set(tokens(p.venue)) | {str(p.year)}
            longer = _longer_title(text, al.dest_start, known)
            scale = 1.0 if corroborated and not longer else INSIDE_ALONE / 100
            if not corroborated or longer:
                scale *= min(1.0, len(t) / 30.0)
            if longer:
                scale *= 0.8
            best = max(best, inside * scale)
    if p.summary:
        best = max(best, fuzz.ratio(q, _ns(p.summary)))
    return float(best)


def _by_identifier(lib: Library, text: str) -> Paper:
    reads = lib.index_reads()
    for kind, value in id_only(text) or []:
        hits = reads.by_identifier(kind, value)
        if len(hits) == 1:
            return lib.paper(hits[0])
    found = lib.find_paper_by_id(text)  # any other spelling the store knows
    if found is not None:
        return found
    raise NotFound(f"no paper has the identifier {text.strip()!r}")


def _acronym(text: str) -> str | None:
    t = text.strip()
    return t.casefold() if 2 <= len(t) <= 12 and re.fullmatch(r"[A-Za-z][\w-]*", t) else None


def defines(title: str | None, acronym: str, *, initials: bool) -> bool:
    """Whether a title defines the acronym: ``BERT: ...``, ``... (BERT)``, or (``initials``)
    the initials of its first words (``ppo``: Proximal Policy Optimization ...)."""
    if not title:
        return False
    low = title.casefold()
    head = low.split(":", 1)[0].strip() if ":" in low else None
    if head == acronym or f"({acronym})" in low:
        return True
    if initials and acronym.isalpha():
        words = [w for w in re.findall(r"[^\W\d_]+", title)]
        return "".join(w[0] for w in words[: len(acronym)]).casefold() == acronym
    return False


def candidates(lib: Library, text: str, *, among: list[int] | None = None) -> list[Candidate]:
    """The engine's best 10 for the argument, closest first."""
    result = search(lib, text, limit=10, among=among)
    papers = lib.papers(list(result.ids[:10]))
    _, rest = find_ids(text)
    out = [
        Candidate(papers[i], closeness(rest, papers[i]), result.tier(i) == "all", rank)
        for rank, i in enumerate(result.ids[:10])
        if i in papers
    ]
    out.sort(key=lambda c: -c.closeness)
    return out


def _decide(text: str, cands: list[Candidate], *, write: bool, what: str) -> Paper:
    if not cands:
        raise NotFound(f"no {what} matches {text!r}")
    if not write:
        return cands[0].paper
    best = cands[0]
    second = cands[1].closeness if len(cands) > 1 else 0.0
    years = {int(y) for y in re.findall(r"(?<!\d)(1[89]\d\d|20[0-3]\d)(?!\d)", text)}
    if best.closeness < ACCEPT:
        why = f"no {what} is a close match of {text!r}"
    elif (
        best.closeness - second < MARGIN
        or second >= AMBIG
        or _same_title(best, cands, years)
        or _engine_disagrees(best, cands)
    ):
        why = f"{text!r} is ambiguous: several {what}s match it"
    elif years and best.paper.year and best.paper.year not in years:
        why = f"the year in {text!r} contradicts the closest {what}"
    else:
        return best.paper
    raise Unresolved(why + " (give its id, or more of its title)", cands[:10])


@dataclass(frozen=True)
class Resolution:
    """What an argument resolved to, and how: "identifier", "title" (exact), "acronym" or
    "closest" (the best match of a search)."""

    paper: Paper
    how: str


def _engine_disagrees(best: Candidate, cands: list[Candidate]) -> bool:
    """Whether the engine put first another paper that holds every word of the argument:
    the two measures name different papers, so neither is a clear winner. (A title cut
    short, "... Mitchell & Co", is closest by its letters to another title that differs
    in its last word, "... Mitchell & data"; words in another order, "tree pattern
    queries minimization", to a title of other words, "tree pattern query
    minimization": the engine's first held every word each time, and was the one.)"""
    top = min(cands, key=lambda c: c.rank)
    return top is not best and top.holds_every_word


def _same_title(best: Candidate, cands: list[Candidate], years: set[int]) -> bool:
    """Whether another candidate has the best's title (or starts with it, or it with the
    other's): two versions of one title (a conference and a journal paper) that no year in
    the argument tells apart."""
    mine = norm_title(best.paper.title) or ""
    for c in cands[1:]:
        other = norm_title(c.paper.title) or ""
        if not (mine and other):
            continue
        if other == mine or other.startswith(mine + " ") or mine.startswith(other + " "):
            told = years and best.paper.year in years and c.paper.year not in years
            if not told:
                return True
    return False


def resolve(lib: Library, text: str, *, write: bool = False, hub: bool = False) -> Resolution:
    """The paper (``hub``: the hub) an argument names (see the module docstring); ``write``:
    only a clear winner, else :class:`Unresolved` with the candidates."""
    text = bibtex_reference(text) or text  # a pasted BibTeX entry: the reference it is
    if looks_like_id(text):
        paper = _by_identifier(lib, text)
        if hub:
            lib.hub(paper.id)  # NotFound when it is no hub
        return Resolution(paper, "identifier")
    hub_ids = sorted(lib.hub_ids())
    if hub and not hub_ids:
        raise NotFound("the library has no hubs")
    exact = _exact_or_acronym(lib, text, hub_ids if hub else None)
    if exact is None and not hub and hub_ids and _acronym(text):  # a hub's acronym: "ppo"
        exact = _exact_or_acronym(lib, text, hub_ids)
    if exact is not None:
        how = "title" if norm_title(exact.title) == norm_title(text) else "acronym"
        return Resolution(exact, how)
    ids, _rest = find_ids(text)
    if len(ids) == 1 and not hub:  # an identifier inside a longer argument decides alone
        hits = lib.index_reads().by_identifier(*ids[0])
        if len(hits) == 1:
            return Resolution(lib.paper(hits[0]), "identifier")
    cands = candidates(lib, text, among=hub_ids if hub else None)
    if hub and not write:  # a read takes a hub holding every word, or a close title
        cands = [c for c in cands if c.closeness >= 60 or c.holds_every_word]
    what = "hub" if hub else "paper"
    return Resolution(_decide(text, cands, write=write, what=what), "closest")


def resolve_paper(lib: Library, text: str, *, write: bool = False) -> Paper:
    """The paper an argument names (see :func:`resolve`)."""
    return resolve(lib, text, write=write).paper


def resolve_hub(lib: Library, text: str, *, write: bool = False) -> Hub:
    """The hub an argument names: an identifier exactly, an exact title before an acronym
    its title defines, else a close title (a read takes the closest)."""
    return lib.hub(resolve(lib, text, write=write, hub=True).paper.id)


def _exact_or_acronym(lib: Library, text: str, hub_ids: list[int] | None) -> Paper | None:
    """A paper whose title is exactly the argument, else one whose title defines it as an
    acronym; None when there is none, or several."""
    result = search(lib, text, limit=10, among=hub_ids)
    papers = lib.papers(list(result.ids[:10]))
    key = norm_title(text)
    exact = [p for p in papers.values() if key and norm_title(p.title) == key]
    if len(exact) == 1:
        return exact[0]
    acronym = _acronym(text)
    if acronym is None or exact:
        return None
    pool = list(papers.values())
    if hub_ids is not None:
        pool = list(lib.papers(hub_ids).values())
    defined = [p for p in pool if defines(p.title, acronym, initials=False)]
    if not defined and hub_ids is not None:  # a hub's initials, when no title spells it out
        defined = [p for p in pool if defines(p.title, acronym, initials=True)]
    return defined[0] if len(defined) == 1 else None


def describe(c: Candidate) -> str:
    """One line for a candidate: id, year, title, first author."""
    p = c.paper
    first = p.authors[0] if p.authors else ""
    return f"{p.id:>7}  {p.year or '----'}  {p.display_title}" + (f"  ({first})" if first else "")


__all__ = [
    "Candidate",
    "Resolution",
    "resolve",
    "Unresolved",
    "candidates",
    "closeness",
    "describe",
    "resolve_hub",
    "resolve_paper",
]
