"""The query syntax shared by the browser, ``citetui search``, exports and PAPER arguments.

Plain words are fuzzy; papers holding every one come first, the closest papers
follow. ``'word`` must appear exactly; ``!word`` must not appear; ``"double
quotes"`` make any text literal words (``"In:P"`` is two words, never a field).
Field filters: ``author:schulman``, ``venue:neurips``, ``year:2020..2024`` (also
``year:2020``, ``year:2020..``, ``year:..2019``), the user's own layer
(``tag:toread``, ``status:read``, ``is:starred``, ``has:note``, ``has:context``)
and, within a hub, ``role:method``, ``pol:critical`` (or ``polarity:``),
``claim:2``. A filter may list several values: ``role:method,comparison``.

An unknown ``name:value`` is an error naming the known fields, except an
identifier scheme (``doi:``, ``arxiv:``, ``pmid:``, ``corpusid:``, a URL...),
which is read as an identifier or as words, a capitalised name (pasted text
such as ``Guards:Verification`` or ``In:Proc``: fields are typed in lower case),
and, in a query of three words or more, a name that is no field's mistyped
(``Carotid stenosis:factors affecting``: a title whose colon lost its space;
``biodiversity autor:rubino`` is still an error). A field with no value is an
error.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

from rapidfuzz.distance import DamerauLevenshtein

from citetui.core.bibpaste import bibtex_reference
from citetui.core.vocab import POLARITIES, ROLES, STATUSES

# A query of this many words or more is pasted text (see parse).
PASTED_WORDS = 6
# A query is cut to this many characters (the caller says so): a pasted reference is a
# few hundred; a 100,000-character paste must still answer at once.
MAX_QUERY_CHARS = 1000

_YEAR = re.compile(r"^(\d{4})?(?:(\.\.)(\d{4})?)?$")
_FIELDS = {
    "role": "role",
    "roles": "role",
    "pol": "pol",
    "polarity": "pol",
    "year": "year",
    "claim": "claim",
    "author": "author",
    "authors": "author",
    "venue": "venue",
    "tag": "tag",
    "tags": "tag",
    "status": "status",
    "is": "is",
    "has": "has",
}
KNOWN_FIELDS = (
    "author:",
    "venue:",
    "year:",
    "tag:",
    "status:",
    "is:starred",
    "has:note",
    "has:context",
    "role:",
    "pol:",
    "claim:",
)
# Identifier schemes and URL schemes: read as identifiers or words, never as fields.
ID_SCHEMES = frozenset(
    [
        "doi",
        "arxiv",
        "pmid",
        "pmcid",
        "corpusid",
        "s2cid",
        "corpus",
        "isbn",
        "issn",
        "http",
        "https",
        "ftp",
        "url",
        "urn",
        "hdl",
        "handle",
        "openalex",
        "s2",
        "w",
        "ark",
        "bibcode",
        "mr",
        "zbl",
    ]
)
_FIELD_TOKEN = re.compile(r"^([A-Za-z][A-Za-z_]*):(.*)$", re.S)
# Fields people try that citetui does not have: always an error, never words.
_TRIED_FIELDS = frozenset(
    ["title", "abstract", "journal", "keyword", "keywords", "type", "summary", "topic", "source"]
)
# A query of this many words or more is text that may hold a title's colon with no space
# after it ("Carotid stenosis:factors affecting symptomatology", as PDFs lose the space):
# there an unknown name:value is words, unless the name is a field's, mistyped.
TEXT_WORDS = 3


def _meant_as_field(name: str, value: str) -> bool:
    """Whether an unknown field name is one a user would type for a field: a field people
    try, or a known field's name mistyped (one edit up to five letters, two for a longer
    name) with a value that field takes ("stauts:read", but not "States:from colony...")."""
    if name in _TRIED_FIELDS:
        return True
    edits = 1 if len(name) <= 5 else 2
    return any(
        DamerauLevenshtein.distance(name, known, score_cutoff=edits) <= edits
        and (known in _TRIED_FIELDS or _takes(_FIELDS[known], value))
        for known in (*_FIELDS, *_TRIED_FIELDS)
    )


def _takes(key: str, value: str) -> bool:
    """Whether field ``key`` takes this value (a free-text field takes any)."""
    values = [v for v in value.casefold().split(",") if v]
    closed = {"role": ROLES, "pol": POLARITIES, "status": STATUSES}.get(key)
    if closed is not None:
        return bool(values) and all(sum(k.startswith(v) for k in closed) == 1 for v in values)
    if key == "year":
        return _YEAR.match(value) is not None
    if key == "claim":
        return bool(values) and all(v.isdecimal() for v in values)
    if key == "is":
        return values == ["starred"]
    if key == "has":
        return bool(values) and all(v in ("note", "context", "contexts") for v in values)
    return True  # author, venue, tag


@dataclass(frozen=True)
class RowFilter:
    """Structured filters on a hub's citing papers (the field filters of the query syntax);
    the store turns them into SQL (:func:`citetui.store.filters.filter_sql`)."""

    roles: tuple[str, ...] = ()
    polarities: tuple[str, ...] = ()
    year_min: int | None = None
    year_max: int | None = None
    claims: tuple[int, ...] = ()  # claim positions, 1-based

    @property
    def empty(self) -> bool:
        """Whether no filter is set."""
        return not (self.roles or self.polarities or self.claims) and (
            self.year_min is None and self.year_max is None
        )

    @property
    def needs_hub(self) -> bool:
        """Whether a filter is about citations of a hub (role, polarity, claim)."""
        return bool(self.roles or self.polarities or self.claims)


@dataclass(frozen=True)
class UserFilter:
    """Filters over the user's own layer: tags, reading status, star, note, contexts."""

    tags: tuple[str, ...] = ()
    statuses: tuple[str, ...] = ()
    starred: bool = False
    has_note: bool = False
    has_context: bool = False

    @property
    def empty(self) -> bool:
        """Whether no filter is set."""
        return not (self.tags or self.statuses or self.starred or self.has_note or self.has_context)


class QueryError(ValueError):
    """A query that cannot be parsed; the message says why."""


@dataclass(frozen=True)
class Query:
    """A parsed query."""

    words: tuple[str, ...] = ()
    exact: tuple[str, ...] = ()
    exclude: tuple[str, ...] = ()
    filter: RowFilter = field(default_factory=RowFilter)
    authors: tuple[str, ...] = ()  # author: values (each must match an author's name)
    venues: tuple[str, ...] = ()  # venue: values
    user: UserFilter = field(default_factory=UserFilter)
    cut: bool = False  # the text was longer than MAX_QUERY_CHARS and was cut

    @property
    def has_text(self) -> bool:
        """Whether the query has words to match (not just filters)."""
        return bool(self.words or self.exact or self.authors or self.venues)

    @property
    def text(self) -> str:
        """The fuzzy words as one string."""
        return " ".join(self.words)

    @property
    def only_filters(self) -> bool:
        """Whether the query is nothing but filters (no words, exact or excluded)."""
        return not self.has_text and not self.exclude


_TOKENS = re.compile(r'([^\s"]*)"([^"]*)"|[^\s"]+')


def _split(text: str) -> list[tuple[str, bool]]:
    """Tokens split on whitespace, each with whether it was inside "double quotes" (a
    quoted run keeps its spaces: it is read as literal words, or as the value of the
    field just before it, ``author:"van der berg"``). Only double quotes group: a ' starts
    an exact word. An unbalanced quote is a plain character."""
    if text.count('"') % 2:
        return [(t, False) for t in text.split()]
    out: list[tuple[str, bool]] = []
    for m in _TOKENS.finditer(text):
        if m.group(2) is None:
            out.append((m.group(0), False))
            continue
        head, inside = m.group(1), m.group(2)
        if head.endswith(":") and _FIELD_TOKEN.match(head):
            out.append((head + inside, False))  # a field with a quoted value
            continue
        if head:
            out.append((head, False))
        if inside.strip():
            out.append((inside, True))
    return out


def _choices(values: list[str], known: tuple[str, ...], what: str) -> list[str]:
    out = []
    for v in values:
        match = [k for k in known if k.startswith(v)]
        if len(match) != 1:
            raise QueryError(f"unknown {what} {v!r} ({what}s: {', '.join(known)})")
        out.append(match[0])
    return out


def cut(text: str) -> tuple[str, bool]:
    """The text cut to :data:`MAX_QUERY_CHARS` (at a space when one is near), and whether
    it was cut."""
    if len(text) <= MAX_QUERY_CHARS:
        return text, False
    head = text[:MAX_QUERY_CHARS]
    space = head.rfind(" ")
    return (head[:space] if space > MAX_QUERY_CHARS // 2 else head), True


def parse(text: str) -> Query:
    """Parse the query syntax; unknown fields and bad field values raise QueryError."""
    text, was_cut = cut(text or "")
    text = bibtex_reference(text) or text  # a pasted BibTeX entry: the reference it is
    words: list[str] = []
    exact: list[str] = []
    exclude: list[str] = []
    roles: list[str] = []
    pols: list[str] = []
    claims: list[int] = []
    authors: list[str] = []
    venues: list[str] = []
    tags: list[str] = []
    statuses: list[str] = []
    starred = has_note = has_context = False
    ymin = ymax = None
    quoted_words: set[int] = set()  # places in ``words`` of "quoted" text (kept as typed)
    # A long query is pasted text (a reference, a title): there "roles: An alternative..."
    # or "questionnaire:An" is a title's colon, not a field typed in lower case, and a
    # leading ' opens a quoted title ('Kritische Bemerkungen...'), a possessive split
    # from its word ("Landauer 'sprinciple") or a year ("ICFDA '14"): in the real
    # reference strings it never asks for an exact word.
    n_words = len(text.split())
    pasted = n_words >= PASTED_WORDS
    for tok, quoted in _split(text):
        if quoted:
            words.append(tok)
            quoted_words.add(len(words) - 1)
            continue
        if tok.startswith("'") and len(tok) > 1 and not pasted:
            exact.append(tok[1:].strip("'").casefold())
            continue
        if tok.startswith("!") and len(tok) > 1:
            exclude.append(tok[1:].casefold())
            continue
        m = _FIELD_TOKEN.match(tok)
        if m is None:
            words.append(tok)
            continue
        name, value = m.group(1).casefold(), m.group(2)
        key = _FIELDS.get(name)
        if key is None:
            if (
                name in ID_SCHEMES
                or not value
                or value.startswith("//")
                or tok[0].isupper()
                or (pasted and value[0].isupper())
                or (n_words >= TEXT_WORDS and not _meant_as_field(name, value))
            ):
                # an identifier, or pasted text ("Guards:Verification", "In:Proc"): fields
                # are typed in lower case; or a title's colon in text ("lungs:a model of");
                # the engine reads it as words
                words.append(tok)
                continue
            raise QueryError(
                f"unknown field {name + ':'!r} (fields: {' '.join(KNOWN_FIELDS)}; "
                'put text in "double quotes" to search it as words)'
            )
        if not value:
            if pasted:
                words.append(tok)
                continue
            raise QueryError(f"{name}: needs a value (e.g. {_EXAMPLES[key]})")
        values = [v for v in value.casefold().split(",") if v]
        if key == "role":
            roles += _choices(values, ROLES, "role")
        elif key == "pol":
            pols += _choices(values, POLARITIES, "polarity")
        elif key == "year":
            ym = _YEAR.match(value)
            if not ym or (ym.group(1) is None and ym.group(3) is None):
                raise QueryError(f"bad year filter {value!r} (try year:2020..2024)")
            lo, dots, hi = ym.group(1), ym.group(2), ym.group(3)
            ymin = int(lo) if lo else None
            ymax = int(hi) if hi else (ymin if not dots else None)
        elif key == "claim":
            for v in values:
                if not v.isdecimal() or len(v) > 9 or int(v) < 1:  # not isdigit: "²"
                    raise QueryError(f"bad claim number {v!r} (claims are numbered from 1)")
                claims.append(int(v))
        elif key == "author":
            authors += values
        elif key == "venue":
            venues += values
        elif key == "tag":
            tags += values
        elif key == "status":
            statuses += _choices(values, STATUSES, "status")
        elif key == "is":
            if values != ["starred"]:
                raise QueryError(f"unknown is:{value} (is:starred)")
            starred = True
        elif key == "has":
            for v in values:
                if v == "note":
                    has_note = True
                elif v in ("context", "contexts"):
                    has_context = True
                else:
                    raise QueryError(f"unknown has:{v} (has:note, has:context)")
    words = _citation_words(words, quoted_words)
    flt = RowFilter(
        tuple(dict.fromkeys(roles)),
        tuple(dict.fromkeys(pols)),
        ymin,
        ymax,
        tuple(dict.fromkeys(claims)),
    )
    user = UserFilter(
        tuple(dict.fromkeys(tags)),
        tuple(dict.fromkeys(statuses)),
        starred,
        has_note,
        has_context,
    )
    return Query(
        tuple(words),
        tuple(exact),
        tuple(exclude),
        flt,
        tuple(dict.fromkeys(authors)),
        tuple(dict.fromkeys(venues)),
        user,
        was_cut,
    )


_EXAMPLES = {
    "role": "role:method",
    "pol": "pol:critical",
    "year": "year:2020..2024",
    "claim": "claim:2",
    "author": "author:schulman",
    "venue": "venue:neurips",
    "tag": "tag:toread",
    "status": "status:read",
    "is": "is:starred",
    "has": "has:note",
}


def _quote(word: str) -> str:
    """A word as the parser reads it back: quoted when it would be read as something else."""
    if _FIELD_TOKEN.match(word) or word[:1] in "'!" or " " in word:
        return f'"{word}"'
    return word


# A citation key or a glued in-text citation: surname, year and maybe a title word
# ("suzuki2000", "carlisle1999homeric", as Google Scholar's BibTeX keys are made).
_GLUED = re.compile(r"^([^\W\d_]{2,})(1[89]\d\d|20\d\d)([^\W\d_]*)$")
_LETTERS_ONLY = re.compile(r"[\W_]+")


def _citation_words(words: list[str], quoted: set[int]) -> list[str]:
    """The words of an in-text citation as the engine wants them: a glued citation key
    split into surname, year and word; "et al." dropped (it names no author, and as a
    word it matched titles holding "Al": "Taylor et al. 1990" put "Central Ejecutivo al
    PRI" first). Quoted text is kept as typed."""
    out: list[str] = []
    plain: list[bool] = []
    for i, w in enumerate(words):
        if i in quoted:
            out.append(w)
            plain.append(False)
            continue
        glued = _GLUED.match(w)
        parts = [p for p in glued.groups() if p] if glued else [w]
        for part in parts:
            key = _LETTERS_ONLY.sub("", part).casefold()
            if (
                key == "al"
                and out
                and plain[-1]
                and _LETTERS_ONLY.sub("", out[-1]).casefold() == "et"
            ):
                out.pop()
                plain.pop()
                continue
            out.append(part)
            plain.append(True)
    return out if out else words


def unparse(query: Query) -> str:
    """The query back as text (used to show a drill-down filter in the search box)."""
    parts = [_quote(w) for w in query.words]
    parts += [f"'{w}" for w in query.exact] + [f"!{w}" for w in query.exclude]
    parts += [f"author:{a}" for a in query.authors] + [f"venue:{v}" for v in query.venues]
    f = query.filter
    if f.roles:
        parts.append("role:" + ",".join(f.roles))
    if f.polarities:
        parts.append("pol:" + ",".join(f.polarities))
    if f.year_min is not None or f.year_max is not None:
        if f.year_min == f.year_max:
            parts.append(f"year:{f.year_min}")
        else:
            parts.append(f"year:{f.year_min or ''}..{f.year_max or ''}")
    if f.claims:
        parts.append("claim:" + ",".join(map(str, f.claims)))
    u = query.user
    parts += [f"tag:{t}" for t in u.tags]
    if u.statuses:
        parts.append("status:" + ",".join(u.statuses))
    if u.starred:
        parts.append("is:starred")
    if u.has_note:
        parts.append("has:note")
    if u.has_context:
        parts.append("has:context")
    return " ".join(parts)
