"""Citation keys: unique within an export and stable across exports.

A key is ``{first author's family name}{year}{first significant title word}``
in lower-case ASCII, e.g. ``schulman2017proximal`` (``nd`` without a year; the
summary's first word without a title, ``untitled`` without either). Without an
author it is ``{title word}{year}``, e.g. ``relibra2025``. It depends only on the
paper's own fields, never on library row ids, so the same paper gets the same
key in every library and every export. When papers of one export share a key,
each of them gets a suffix from a hash of its best identifier (DOI, arXiv,
Semantic Scholar, corpus id, OpenAlex, else title and year): ``smith2020deep-3fa2``.
"""

from __future__ import annotations

import hashlib
import re
import unicodedata
from collections.abc import Iterable

from citetui.core.ids import norm_title
from citetui.core.models import Paper
from citetui.core.textsafe import clean
from citetui.core.vocab import STOPWORDS

# The query stop words and a few more that never make a key's title word.
_STOP = STOPWORDS | frozenset(
    [
        "do",
        "does",
        "how",
        "its",
        "towards",
        "toward",
        "we",
        "what",
        "when",
        "where",
        "which",
        "who",
        "why",
    ]
)
_WORD = re.compile(r"[a-z0-9]+")
_LETTERS = re.compile(r"[a-z]+")


def _ascii(text: str) -> str:
    # NFKD splits accents off their letters; dropping what is not ASCII drops the accents.
    return unicodedata.normalize("NFKD", text).encode("ascii", "ignore").decode().lower()


def family_name(author: str) -> str:
    """The family name of 'First Last' or 'Last, First' as lower-case ASCII letters (an
    escape sequence or a digit in a name is data noise, never part of a key)."""
    author = clean(author)
    if "," in author:
        family = author.split(",", 1)[0]
    else:
        parts = author.split()
        family = parts[-1] if parts else ""
    return "".join(_LETTERS.findall(_ascii(family)))


def base_key(p: Paper) -> str:
    """The key before disambiguation: family name, year, first significant title word."""
    who = next((f for f in (family_name(a) for a in p.authors) if f), "")
    words = _WORD.findall(_ascii(clean(p.title or p.summary or "")))  # ("\x1b[31m": no "31m")
    word = next((w for w in words if w not in _STOP and not w.isdigit()), None)
    word = (word or (words[0] if words else "untitled"))[:24]
    if not who:  # no author: lead with the title word, as reference managers do
        return f"{word}{p.year or ''}"
    return f"{who[:24]}{p.year or 'nd'}{word}"


def identity(p: Paper) -> str:
    """The string a paper is best known by (for disambiguation hashes)."""
    for name in ("doi", "arxiv", "s2_id", "corpus_id", "openalex_id"):
        value = getattr(p, name)
        if value is not None:
            return f"{name}:{value}"
    return f"title:{norm_title(p.title) or norm_title(p.summary) or ''}:{p.year or ''}"


def assign_keys(papers: Iterable[Paper]) -> dict[int, str]:
    """Unique keys for these papers, by paper id."""
    papers = list(papers)
    groups: dict[str, list[Paper]] = {}
    for p in papers:
        groups.setdefault(base_key(p), []).append(p)
    out: dict[int, str] = {}
    used: set[str] = {k for k, g in groups.items() if len(g) == 1}
    for key, group in groups.items():
        if len(group) == 1:
            out[group[0].id] = key
            continue
        for p in sorted(group, key=identity):
            digest = hashlib.sha1(identity(p).encode()).hexdigest()
            candidate = f"{key}-{digest[:4]}"
            n = 2
            while candidate in used:  # same identity twice, or a 16-bit hash collision
                candidate = f"{key}-{digest[:4]}{n}"
                n += 1
            used.add(candidate)
            out[p.id] = candidate
    return out
