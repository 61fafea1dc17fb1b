"""Property-based tests (hypothesis): the sanitiser, the query parser, the importers.

Whatever text comes in, the sanitiser returns text with nothing terminal-active in
it; the query parser either parses or raises QueryError; a valid bundle imports
exactly and idempotently, and a bundle broken in any one place is refused with the
library left exactly as it was.
"""

from __future__ import annotations

import json
import re
import tempfile
from pathlib import Path

import pytest
from hypothesis import HealthCheck, assume, given, settings
from hypothesis import strategies as st

from bench import reliability as rel
from citetui.importers import InputError, import_files
from citetui.query import Query, QueryError, parse, unparse
from citetui.store import Library
from citetui.textsafe import clean, is_clean, json_safe

SETTINGS = settings(max_examples=60, deadline=None,
                    suppress_health_check=[HealthCheck.too_slow,
                                           HealthCheck.function_scoped_fixture])

# Every code point, lone surrogates included.
ANY_CHAR = st.characters(codec=None, exclude_categories=())
# Fragments that exercise the sanitiser's patterns, mixed with arbitrary text.
FRAGMENTS = st.sampled_from([
    "\x1b", "\x1b[", "\x1b]", "\x1bP", "\x1b\\", "\x07", "\x9b", "\x9c", "\x9d", "\x90",
    "[", "]", ";", "0", "2J", "8;;", "52;c;", "m", "\r", "\n", "\t", " ", "\u202e",
    "\u2066", "\u200b", "\ufeff", "\u0301", "\ud800", "\U000e0041", "\u2028", "[bold]", "[/]",
])
HOSTILE_TEXT = st.lists(st.one_of(FRAGMENTS, st.text(ANY_CHAR, max_size=5)),
                        max_size=40).map("".join)
TEXT = st.one_of(st.text(ANY_CHAR, max_size=200), HOSTILE_TEXT)


# -- the sanitiser ---------------------------------------------------------------

@SETTINGS
@given(TEXT, st.booleans())
def test_clean_leaves_nothing_terminal_active(text, multiline):
    out = clean(text, multiline=multiline)
    assert is_clean(out, multiline=multiline)
    assert rel.UNSAFE.search(out.replace("\n", " ")) is None
    out.encode("utf-8")  # always printable on a UTF-8 terminal


@SETTINGS
@given(TEXT, st.booleans())
def test_clean_is_idempotent(text, multiline):
    once = clean(text, multiline=multiline)
    assert clean(once, multiline=multiline) == once


@SETTINGS
@given(TEXT, st.integers(min_value=1, max_value=300))
def test_clean_respects_its_limit(text, limit):
    out = clean(text, limit=limit)
    assert len(out) <= limit
    full = clean(text)
    assert out == full or (out.endswith("…") and full.startswith(out[:-1]))


@SETTINGS
@given(st.text(st.characters(categories=["L", "N", "P", "S", "Zs"],
                             exclude_characters="\xa0\u3000\u1680\u2000\u2001\u2002\u2003"
                                                "\u2004\u2005\u2006\u2007\u2008\u2009\u200a"
                                                "\u202f\u205f\xad"), max_size=200))
def test_clean_keeps_ordinary_text(text):
    assume(not re.search("[\u0300-\u036f\u0483-\u0489\u1ab0-\u1aff\u1dc0-\u1dff\u20d0-\u20ff"
                         "\ufe20-\ufe2f\u061c\u180e\u200b-\u200f\u202a-\u202e\u2060-\u206f"
                         "\ufeff\ufff9-\uffff]", text))
    assert clean(text) == " ".join(text.split(" ")).strip() or clean(text) == text.strip()
    assert clean(text).replace(" ", "") == text.replace(" ", "")


JSON_VALUES = st.recursive(
    st.none() | st.booleans() | st.integers() | st.text(ANY_CHAR, max_size=30) | TEXT,
    lambda kids: st.lists(kids, max_size=4) | st.dictionaries(st.text(ANY_CHAR, max_size=8),
                                                             kids, max_size=4),
    max_leaves=20,
)


@SETTINGS
@given(JSON_VALUES)
def test_json_safe_keeps_the_data_and_hides_nothing(value):
    text = json_safe(json.dumps(value, ensure_ascii=False))
    assert json.loads(text) == value
    assert rel.UNSAFE.search(text.replace("\n", " ")) is None
    text.encode("utf-8")


# -- the query parser ---------------------------------------------------------------

@SETTINGS
@given(st.one_of(st.text(ANY_CHAR, max_size=80), HOSTILE_TEXT,
                 st.lists(st.sampled_from(["role:", "pol:", "year:", "claim:", "'", "!", '"',
                                           "..", ",", "2020", "²", "١٢", "9" * 30, "meth", "x",
                                           " ", "crit", "sup", "role:m", "year:..", ":"]),
                          max_size=12).map("".join)))
def test_query_parse_either_parses_or_says_why(text):
    try:
        q = parse(text)
    except QueryError as exc:
        assert str(exc)
    else:
        assert isinstance(q, Query)


WORD = st.text(st.characters(categories=["Ll", "Nd"]), min_size=1, max_size=8).filter(
    lambda w: ":" not in w)
QUERY_TOKENS = st.lists(st.one_of(
    WORD,
    WORD.map(lambda w: "'" + w),
    WORD.map(lambda w: "!" + w),
    st.lists(st.sampled_from(["background", "method", "comparison", "critique"]), min_size=1,
             max_size=2).map(lambda v: "role:" + ",".join(v)),
    st.sampled_from(["supportive", "neutral", "critical"]).map(lambda v: "pol:" + v),
    st.tuples(st.integers(1900, 2100), st.integers(0, 30)).map(
        lambda t: f"year:{t[0]}..{t[0] + t[1]}"),
    st.integers(1, 9).map(lambda n: f"claim:{n}"),
), max_size=8)


@SETTINGS
@given(QUERY_TOKENS)
def test_query_unparse_round_trips(tokens):
    q = parse(" ".join(tokens))
    assert parse(unparse(q)) == q


@pytest.fixture(scope="module")
def sample_library(tmp_path_factory):
    db = tmp_path_factory.mktemp("props") / "lib.db"
    lib = Library(db, create=True)
    import_files(lib, [rel.SAMPLE])
    yield lib
    lib.close()


@SETTINGS
@given(st.one_of(st.text(ANY_CHAR, max_size=60), HOSTILE_TEXT, QUERY_TOKENS.map(" ".join)),
       st.sampled_from(["relevance", "year", "citations", "title"]), st.booleans())
def test_search_never_fails_on_any_query(sample_library, text, sort, in_hub):
    from citetui.search import search

    hub = sample_library.resolve_hub("1707.06347").paper.id if in_hub else None
    try:
        result = search(sample_library, text, hub_id=hub, limit=20, sort=sort)
    except QueryError:
        return
    assert len(result.rows) <= 20


# -- the bundle importer ------------------------------------------------------------

TITLE = st.one_of(st.text(ANY_CHAR, min_size=1, max_size=60), HOSTILE_TEXT).filter(
    lambda t: t.strip())
ROLES = st.lists(st.sampled_from(["background", "method", "comparison", "extension",
                                  "critique", "unknown"]), max_size=3, unique=True)
POLARITY = st.sampled_from([None, "supportive", "neutral", "critical", "unknown"])


@st.composite
def bundles(draw):
    """A valid bundle: unique keys and DOIs, citations between distinct papers."""
    n = draw(st.integers(2, 12))
    keys = draw(st.lists(st.text(ANY_CHAR, min_size=1, max_size=6).filter(str.strip),
                         min_size=n, max_size=n, unique=True))
    papers = []
    for i, key in enumerate(keys):
        paper = {"key": key, "title": draw(TITLE), "ids": {"doi": f"10.5555/prop.{i}"}}
        if draw(st.booleans()):
            paper["year"] = draw(st.integers(1, 9999))
        if draw(st.booleans()):
            paper["summary"] = draw(TEXT)
        if draw(st.booleans()):
            paper["authors"] = draw(st.lists(TITLE, max_size=3))
        papers.append(paper)
    pairs = draw(st.lists(st.tuples(st.sampled_from(keys), st.sampled_from(keys)).filter(
        lambda p: p[0] != p[1]), max_size=20, unique=True))
    citations = [{"citing": a, "cited": b, "roles": draw(ROLES), "polarity": draw(POLARITY),
                  "influential": draw(st.sampled_from([None, True, False])),
                  "contexts": [{"text": draw(TITLE), "roles": draw(ROLES)}]}
                 for a, b in pairs]
    doc = {"format": "citetui-bundle", "version": 1, "source": {"name": draw(TITLE)},
           "papers": papers, "citations": citations}
    if draw(st.booleans()):
        doc["hub"] = {"paper": keys[0], "tier": draw(st.none() | TITLE),
                      "claims": [{"text": draw(TITLE),
                                  "engaged_by": [{"paper": keys[1], "stance": "critical"}]}]}
    return doc


def _fix(text: str) -> str:
    return re.sub("[\ud800-\udfff]", "\ufffd", text)


@SETTINGS
@given(bundles())
def test_a_valid_bundle_imports_exactly_and_idempotently(doc):
    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp) / "b.json"
        path.write_text(json.dumps(doc))  # ensure_ascii: lone surrogates as \ud800 escapes
        lib = Library(Path(tmp) / "lib.db", create=True)
        try:
            (report,) = import_files(lib, [path])
            assert report.added.get("papers") == len(doc["papers"])
            assert report.added.get("citations", 0) == len(doc["citations"])
            ids = {p["key"]: lib.find_paper_by_id(p["ids"]["doi"]) for p in doc["papers"]}
            for p in doc["papers"]:
                assert ids[p["key"]].title == _fix(p["title"])
            for c in doc["citations"]:
                edge = lib.citation(ids[c["citing"]].id, ids[c["cited"]].id)
                assert edge is not None
            (again,) = import_files(lib, [path])
            assert not again.added and not again.updated
        finally:
            lib.close()


def _break(doc: dict, how: str, data) -> None:
    papers, keys = doc["papers"], [p["key"] for p in doc["papers"]]
    i = data.draw(st.integers(0, len(papers) - 1))
    if how == "year":
        papers[i]["year"] = data.draw(st.one_of(st.text(max_size=4), st.floats(),
                                                st.integers(10_000, 2**80)))
    elif how == "title":
        papers[i]["title"] = data.draw(st.one_of(st.integers(), st.lists(st.text(), max_size=2)))
    elif how == "key":
        papers[i]["key"] = papers[(i + 1) % len(papers)]["key"]
    elif how == "role":
        doc["citations"].append({"citing": keys[0], "cited": keys[1],
                                 "roles": [data.draw(st.text().filter(
                                     lambda r: r not in ("background", "method", "comparison",
                                                         "extension", "critique", "unknown")))]})
    elif how == "polarity":
        doc["citations"].append({"citing": keys[0], "cited": keys[1],
                                 "polarity": data.draw(st.text(min_size=1).filter(
                                     lambda r: r not in ("supportive", "neutral", "critical",
                                                         "unknown")))})
    elif how == "self":
        doc["citations"].append({"citing": keys[i], "cited": keys[i]})
    elif how == "dangling":
        doc["citations"].append({"citing": keys[i], "cited": data.draw(
            st.text().filter(lambda k: k not in keys))})
    elif how == "missing-key":
        del papers[i]["key"]


@SETTINGS
@given(bundles(), st.sampled_from(["year", "title", "key", "role", "polarity", "self",
                                   "dangling", "missing-key"]), st.data())
def test_a_broken_bundle_is_refused_and_changes_nothing(doc, how, data):
    with tempfile.TemporaryDirectory() as tmp:
        db = Path(tmp) / "lib.db"
        lib = Library(db, create=True)
        try:
            import_files(lib, [rel.SAMPLE])
            before = rel.library_digest(db)
            _break(doc, how, data)
            path = Path(tmp) / "b.json"
            path.write_text(json.dumps(doc))
            with pytest.raises(InputError) as err:
                import_files(lib, [path])
            assert str(path) in str(err.value)
            assert rel.library_digest(db) == before
        finally:
            lib.close()
