"""Identifiers anywhere in a query: DOI, arXiv id, CorpusID, S2 paperId, OpenAlex W-id.

They are found in pasted references as PDFs print them (``doi: 10.1000/ xyz``,
``arXiv:1707.06347v2``, ``https://doi.org/...``, a bare ``1707.06347``, an old-style
``hep-th/0012041``), normalised as the papers table stores them, and looked up
exactly; the text without them is what the words are read from.
"""

from __future__ import annotations

import re
from urllib.parse import unquote

from citetui.core.ids import arxiv_from_doi
from citetui.store.fts import tokens

_ARXIV_ARCHIVES = (
    r"hep-th|hep-ph|hep-ex|hep-lat|gr-qc|astro-ph|nucl-th|nucl-ex|quant-ph|cond-mat|"
    r"math-ph|math|physics|nlin|cs|q-bio|stat"
)
PATTERNS: list[tuple[str, re.Pattern[str]]] = [
    (
        "doi",
        re.compile(
            r"(?:https?://(?:dx\.)?doi\.org/|\bdoi\s*:?\s*)?\b(10\.\d{4,9}\s?(?:/|%2F)\s?[^\s\"<>\]\[]+)",
            re.I,
        ),
    ),
    (
        "arxiv",
        re.compile(
            r"(?:(?:https?://)?(?:www\.|export\.)?arxiv\.org/(?:abs|pdf)/|\barxiv\s*:?\s*)"
            rf"(\d{{4}}\.\d{{4,5}}|(?:{_ARXIV_ARCHIVES})(?:\.[A-Z]{{2}})?/\d{{7}})"
            r"(?:v\d+)?(?:\.pdf)?",
            re.I,
        ),
    ),
    # a bare new-style id with a real month (0704 on): 1707.06347
    (
        "arxiv",
        re.compile(r"(?<![\w.])((?:0[7-9]|1\d|2\d)(?:0[1-9]|1[0-2])\.\d{4,5})(?:v\d+)?(?![\w.])"),
    ),
    ("arxiv", re.compile(rf"\b((?:{_ARXIV_ARCHIVES})(?:\.[A-Z]{{2}})?/\d{{7}})\b")),
    # (S2CID: Wikipedia's and many reference lists' name for the corpus id)
    ("corpus_id", re.compile(r"\b(?:corpus\s*id|s2cid)\s*:?\s*(\d{1,18})\b", re.I)),
    (
        "s2_id",
        re.compile(r"(?:semanticscholar\.org/paper/(?:[^/\s]+/)?)?\b([0-9a-f]{40})\b", re.I),
    ),
    ("openalex_id", re.compile(r"(?:openalex\.org/)?\b(W\d{4,12})\b", re.I)),
]
_URL = re.compile(r"(?:https?://|www\.)\S*", re.I)
_DOI_TAIL = re.compile(r"\.(?:pmid|pmcid|issn|doi|arxiv|epub)\b.*$", re.I)
# What may surround identifiers in an argument that is nothing but identifiers.
_ONLY_IDS = re.compile(
    r"[\s\[\]()<>:,;.]*(?:(?:doi|arxiv|corpus\s*id|s2cid|pmid|url|https?)[\s:]*)*", re.I
)


def _normal(kind: str, value: str) -> str | int:
    if kind == "doi":
        if "%" in value:  # a DOI copied out of a URL: 10.1093%2Fnar%2Fgkt1059
            value = unquote(value)
        v = re.split(r"[\[\],;]", re.sub(r"\s", "", value))[0]
        v = _DOI_TAIL.sub("", v).rstrip(".:").lower()
        if v.count("(") < v.count(")"):
            v = v.rstrip(")")
        return v
    if kind == "corpus_id":
        return int(value)
    if kind == "openalex_id":
        return value.upper()
    return value.lower()


def find_ids(text: str) -> tuple[list[tuple[str, str | int]], str]:
    """The identifiers anywhere in ``text`` (kind, value as stored), and the text without
    them (nor what is left of a URL)."""
    found: list[tuple[str, str | int]] = []
    spans: list[tuple[int, int]] = []
    for kind, rx in PATTERNS:
        for m in rx.finditer(text):
            if any(a <= m.start() < b for a, b in spans):
                continue
            value = _normal(kind, m.group(1))
            # arXiv's own DOI (10.48550/arXiv.1501.04952) names the arXiv id, which is
            # what a library holds for an arXiv paper; the DOI is looked up after it
            arxiv = arxiv_from_doi(str(value)) if kind == "doi" else None
            if arxiv is not None and ("arxiv", arxiv) not in found:
                found.append(("arxiv", arxiv))
            if (kind, value) not in found:
                found.append((kind, value))
            spans.append((m.start(), m.end()))
    rest = text
    for a, b in sorted(spans, reverse=True):
        rest = rest[:a] + " " + rest[b:]
    return found, _URL.sub(" ", rest)


def id_only(text: str) -> list[tuple[str, str | int]] | None:
    """The identifiers of a text that is nothing but identifiers (a bare number: a library
    id, then a corpus id), else None."""
    t = text.strip()
    if re.fullmatch(r"\d{1,18}", t):
        return [("id", int(t)), ("corpus_id", int(t))]
    ids, rest = find_ids(t)
    if ids and (not tokens(rest) or _ONLY_IDS.fullmatch(rest)):
        return ids
    return None


def looks_like_id(text: str) -> bool:
    """Whether an argument is shaped like an identifier (digits, a DOI, an arXiv id, a
    CorpusID, a 40-hex paperId, a W-id, their URLs): it must then match exactly."""
    return id_only(text) is not None or bool(
        re.fullmatch(
            r"\s*(?:10\.\d{4,9}/\S+|doi:\S+|arxiv:\S+|corpusid:\S*|s2cid:?\s*\d+|W\d+"
            r"|\d{4}\.\d{4,5}(?:v\d+)?)\s*",
            text,
            re.I,
        )
    )
