"""The one line that says what a paper is about, under its title in a list: its summary,
else a source's TLDR, else the first sentence of its abstract, each marked for what it is.
"""

from __future__ import annotations

import functools
import re

# A full stop after one of these does not end a sentence.
_ABBREVIATIONS = frozenset(
    {
        "e.g",
        "i.e",
        "et",
        "al",
        "fig",
        "figs",
        "eq",
        "eqs",
        "vs",
        "cf",
        "approx",
        "resp",
        "no",
        "nos",
        "dr",
        "mr",
        "mrs",
        "ms",
        "prof",
        "st",
        "sec",
        "ch",
        "vol",
        "pp",
        "ref",
        "refs",
        "tab",
        "inc",
        "ltd",
        "co",
        "jr",
        "sr",
        "ca",
    }
)
_END = re.compile(r"[.!?](?:[\"'”’)\]]*)\s+(?=[\"“'(\[]?[A-Z0-9])")
_LEAD = re.compile(r"^\s*(?:abstract|summary)\s*[:.\-—]?\s+", re.I)
SENTENCE_LIMIT = 300  # characters of a first sentence that never ends


@functools.lru_cache(maxsize=4096)  # a list redraws a row's line as the cursor passes
def first_sentence(text: str, limit: int = SENTENCE_LIMIT) -> str:
    """The first sentence of ``text`` (an abstract): up to the first full stop, question or
    exclamation mark that ends a sentence (not 'e.g.', 'et al.', 'Fig. 2', '3.5' or an
    initial), at most ``limit`` characters (then cut with '…')."""
    body = " ".join(_LEAD.sub("", text, count=1).split())
    for m in _END.finditer(body):
        before = body[: m.start()]
        word = re.search(r"([A-Za-z.]+)$", before)
        token = word.group(1).lower().rstrip(".") if word else ""
        if token in _ABBREVIATIONS or (len(token) == 1 and token.isalpha()):
            continue
        if m.end() > limit:
            break
        return body[: m.end()].rstrip()
    if len(body) <= limit:
        return body
    return body[: limit - 1].rstrip() + "…"


def is_tldr(source: str | None) -> bool:
    """Whether a summary's source is a TLDR model (Semantic Scholar's ``tldr@v2.0.0``)."""
    return source is not None and source.lower().startswith("tldr")


def blurb(
    summary: str | None,
    summary_source: str | None,
    abstract: str | None,
    *,
    summary_shown: bool = False,
) -> tuple[str | None, str | None]:
    """(mark, text) for the line under a title: (None, summary), ("TLDR", summary),
    ("abstract", first sentence), or (None, None) when there is nothing to say.
    ``summary_shown``: the summary already stands in for a missing title."""
    if summary and not summary_shown:
        return ("TLDR" if is_tldr(summary_source) else None), summary
    if abstract and abstract.strip():
        return "abstract", first_sentence(abstract)
    return None, None
