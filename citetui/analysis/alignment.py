"""Recognition alignment: which citing papers engage each claim of a hub.

A citing paper *recognises* a claim when one of its citation contexts or its
one-sentence summary is similar to the claim, or when a source recorded that it
engages the claim. Similarity is the share of the claim's content words
(stop-words dropped) that occur in the sentence, each word matched fuzzily
(rapidfuzz ratio >= 85, so "optimisation" matches "optimization"), scaled 0-100.
``ALIGNMENT_THRESHOLD`` (40) is the score from which a sentence counts; the
score is shown next to every match.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from rapidfuzz import fuzz

from citetui.search import STOPWORDS, fold
from citetui.store import Library

ALIGNMENT_THRESHOLD = 40.0
WORD_MATCH = 85.0
_WORD = re.compile(r"\w+", re.UNICODE)
_SENTENCE = re.compile(r"(?<=[.!?])\s+")


def content_words(text: str) -> list[str]:
    """The folded words of a text without stop-words and one-letter words."""
    return [w for w in _WORD.findall(fold(text)) if w not in STOPWORDS and len(w) > 1]


def claim_similarity(claim: str, sentence: str) -> float:
    """0-100: the share of the claim's content words found (fuzzily) in the sentence."""
    words = list(dict.fromkeys(content_words(claim)))
    if not words:
        return 0.0
    have = set(content_words(sentence))
    if not have:
        return 0.0
    hit = 0
    for w in words:
        if w in have or any(
            fuzz.ratio(w, h) >= WORD_MATCH for h in have if abs(len(h) - len(w)) <= 2
        ):
            hit += 1
    return 100.0 * hit / len(words)


@dataclass(frozen=True)
class Recognition:
    """One citing paper recognising a claim."""

    paper_id: int
    score: float
    sentence: str | None
    kind: str  # "context", "summary" or "recorded"
    stance: str | None = None


@dataclass(frozen=True)
class ClaimAlignment:
    """A claim with the citing papers that recognise it."""

    position: int
    text: str
    recognitions: tuple[Recognition, ...]
    n_citing: int

    @property
    def share(self) -> float:
        """The share of the hub's citing papers that recognise the claim."""
        return len(self.recognitions) / self.n_citing if self.n_citing else 0.0


def align(
    lib: Library, hub_id: int, threshold: float = ALIGNMENT_THRESHOLD
) -> list[ClaimAlignment]:
    """For each claim of the hub: which citing papers recognise it, with score and sentence."""
    claims = lib.claims(hub_id)
    n_citing = lib.count_citing(hub_id)
    sentences = []
    for pid, kind, text in lib.hub_sentences(hub_id):
        for sent in _SENTENCE.split(text or ""):
            if sent.strip():
                sentences.append((pid, kind, sent.strip()))
    out = []
    for c in claims:
        best: dict[int, Recognition] = {}
        for e in c.engagements:
            best[e.paper_id] = Recognition(e.paper_id, 100.0, e.context, "recorded", e.stance)
        for pid, kind, sent in sentences:
            if pid in best and best[pid].kind == "recorded":
                continue
            score = claim_similarity(c.text, sent)
            if score >= threshold and (pid not in best or score > best[pid].score):
                best[pid] = Recognition(pid, round(score, 1), sent, kind)
        recs = tuple(sorted(best.values(), key=lambda r: (-r.score, r.paper_id)))
        out.append(ClaimAlignment(c.position, c.text, recs, n_citing))
    return out
