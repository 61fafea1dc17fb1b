"""Normalising paper identifiers and titles, so the same paper is found under any spelling.

An identifier never holds a control, format or bidirectional character, nor an
escape sequence: they are removed (:func:`citetui.core.textsafe.clean`) before the
rest of the normalisation, so ``10.1/a\x1bcb`` is stored as ``10.1/ab``."""

from __future__ import annotations

import re
import unicodedata

from citetui.core.textsafe import clean

_DOI_PREFIX = re.compile(r"^(?:https?://(?:dx\.)?doi\.org/|doi:\s*)", re.I)
_ARXIV_PREFIX = re.compile(r"^(?:https?://arxiv\.org/(?:abs|pdf)/|arxiv:\s*)", re.I)
_ARXIV_VERSION = re.compile(r"v\d+$")
_ARXIV_DOI = re.compile(r"^10\.48550/arxiv\.(.+)$", re.I)
_OPENALEX = re.compile(r"(W\d+)$", re.I)
_NON_WORD = re.compile(r"[\W_]+", re.UNICODE)


def norm_doi(value: object) -> str | None:
    """'https://doi.org/10.1000/ABC' -> '10.1000/abc'."""
    if value is None:
        return None
    text = _DOI_PREFIX.sub("", clean(value)).strip().lower()
    return text or None


def norm_arxiv(value: object) -> str | None:
    """'arXiv:1707.06347v2' -> '1707.06347'."""
    if value is None:
        return None
    text = clean(value)
    m = _ARXIV_DOI.match(text)
    if m:
        text = m.group(1)
    text = _ARXIV_PREFIX.sub("", text).strip()
    if text.endswith(".pdf"):
        text = text[:-4]
    text = _ARXIV_VERSION.sub("", text)
    return text.lower() or None


def arxiv_from_doi(doi: str | None) -> str | None:
    """The arXiv id hidden in an arXiv DOI (10.48550/arXiv.X), if any."""
    if doi and _ARXIV_DOI.match(doi):
        return norm_arxiv(doi)
    return None


def norm_openalex(value: object) -> str | None:
    """'https://openalex.org/W2741809807' -> 'W2741809807'."""
    if value is None:
        return None
    m = _OPENALEX.search(str(value).strip())
    return m.group(1).upper() if m else None


MAX_ID = 2**63 - 1  # the largest integer SQLite stores


def norm_corpus_id(value: object) -> int | None:
    """'CorpusID:14514057', '14514057' or 14514057 -> 14514057."""
    if value is None or isinstance(value, bool):
        return None
    text = str(value).strip()
    if text.lower().startswith("corpusid:"):
        text = text[9:]
    try:
        number = int(text)
    except ValueError:
        return None
    return number if 0 <= number <= MAX_ID else None  # a corpus id is a row number


def norm_s2(value: object) -> str | None:
    """A Semantic Scholar paperId (40 hex digits), lower case."""
    if value is None:
        return None
    text = clean(value).lower()
    return text or None


# A sign glued to the end of a word changes what it names: C, C++ and C# are three
# languages, F# is not F. It is spelled out, so it survives the punctuation folding.
_SIGNS = re.compile(r"(?<=[^\W_])[+#]+")
_SIGN_WORDS = {"+": "plus", "#": "sharp"}


def _spell_signs(m: re.Match[str]) -> str:
    return "".join(_SIGN_WORDS[c] for c in m.group())


def norm_title(title: str | None) -> str | None:
    """Case-folded, accent-stripped title with punctuation and spacing collapsed, except
    a ``+`` or ``#`` ending a word ("c++ for engineers" -> "cplusplus for engineers")."""
    if not title:
        return None
    text = title
    if not text.isascii():
        text = unicodedata.normalize("NFKD", text)
        text = "".join(c for c in text if not unicodedata.combining(c))
    text = text.casefold()
    if "+" in text or "#" in text:
        text = _SIGNS.sub(_spell_signs, text)
    text = _NON_WORD.sub(" ", text).strip()
    return text or None


def author_key(authors: object) -> str | None:
    """The first author's surname, folded: what two records of one paper agree on however
    they spell the given names ("Schulman, J." and "John Schulman" -> "schulman")."""
    if not authors or not isinstance(authors, (list, tuple)):
        return None
    first = authors[0]
    if not isinstance(first, str):
        return None
    name = first.split(",")[0] if "," in first else first
    parts = (norm_title(name) or "").split()
    return parts[-1] if parts else None


def id_label(
    doi: str | None = None,
    arxiv: str | None = None,
    corpus_id: int | None = None,
    openalex_id: str | None = None,
    s2_id: str | None = None,
) -> str | None:
    """The best identifier of a paper as the words that stand for its title when it has
    none: "DOI 10.1162/neco.2006.18.7.1527", "arXiv 1706.03762", "S2 49313245" (the
    Semantic Scholar corpus id), "W2741809807" (OpenAlex), "S2 928f9dcc…" (the paperId)."""
    if doi:
        return f"DOI {doi}"
    if arxiv:
        return f"arXiv {arxiv}"
    if corpus_id is not None:
        return f"S2 {corpus_id}"
    if openalex_id:
        return openalex_id
    if s2_id:
        return f"S2 {s2_id[:8]}…" if len(s2_id) > 12 else f"S2 {s2_id}"
    return None
