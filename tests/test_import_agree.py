"""One paper, whichever way it comes in (hypothesis).

- The two ways of writing (the Writer one record at a time, the bulk writer a batch at
  a time, with identity through the indexes or in memory) build the same library.
- The join rule does not depend on order: any two records of one paper, in either
  order, give the same paper, and joining again changes nothing.
- Each format's fast path reads a record exactly as its field-by-field path does, and
  leaves to it every record it cannot read.
"""

from __future__ import annotations

import copy
from typing import Any

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from citetui.core import records as rec
from citetui.core.models import CiteRecord, PaperRecord
from citetui.ingest.errors import InputError
from citetui.ingest.fields import Fields
from citetui.ingest.formats import openalex, s2, s2_bulk
from citetui.store import Library, Writer
from citetui.store import bulk as bulk_module
from tests.libdump import dump

SETTINGS = settings(
    max_examples=int(__import__("os").environ.get("AGREE_EXAMPLES", "60")),
    deadline=None,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.function_scoped_fixture],
)

# Small pools, so that records share identifiers, titles and first authors often.
DOIS = st.sampled_from([None, None, "10.1/a", "10.1/B", "https://doi.org/10.1/c"])
ARXIV = st.sampled_from([None, None, "2101.00001", "arXiv:2101.00002v3"])
S2 = st.sampled_from([None, None, "a" * 40, "B" * 40])
CORPUS = st.sampled_from([None, None, 1, 2, "CorpusID:3"])
OPENALEX = st.sampled_from([None, None, "W1", "https://openalex.org/W2"])
TITLES = st.sampled_from(
    [None, "Deep learning", "Deep Learning!", "C++ for engineers", "C for engineers", " "]
)
AUTHORS = st.sampled_from([[], ["Y. LeCun"], ["Yann LeCun", "G. Hinton"], ["I. Goodfellow"]])
TEXTS = st.sampled_from([None, "", "short", "a longer text", "A longer text"])

PAPERS = st.builds(
    PaperRecord,
    title=TITLES,
    year=st.sampled_from([None, 2013, 2025]),
    venue=TEXTS,
    abstract=TEXTS,
    summary=TEXTS,
    summary_source=st.sampled_from([None, "tldr", "other"]),
    url=TEXTS,
    citation_count=st.sampled_from([None, 0, 7, 40000]),
    doi=DOIS,
    arxiv=ARXIV,
    s2_id=S2,
    corpus_id=CORPUS,
    openalex_id=OPENALEX,
    authors=AUTHORS,
).filter(lambda p: p.normalised().title or p.normalised().summary or p.normalised().has_ids())

CITES = st.builds(
    lambda a, b, roles, pol, infl, ctx, source: (a, b, roles, pol, infl, ctx, source),
    st.integers(0, 7),
    st.integers(0, 7),
    st.lists(st.sampled_from(["background", "method", "comparison"]), max_size=2),
    st.sampled_from([None, "supportive", "critical"]),
    st.sampled_from([None, True, False]),
    st.lists(
        st.tuples(st.sampled_from(["We use it.", "Unlike it."]), st.just(["method"])),
        max_size=2,
    ),
    st.sampled_from([None, "other-source"]),
)


def _one_at_a_time(lib: Library, papers: list[PaperRecord], cites: list[tuple]) -> None:
    with lib.transaction() as db:
        w = Writer(db, "src")
        pids = [w.upsert_paper(copy.deepcopy(p)) for p in papers]
        for a, b, roles, pol, infl, ctx, source in cites:
            a, b = pids[a % len(pids)], pids[b % len(pids)]
            a, b = w.identity.final(a), w.identity.final(b)
            if a != b:
                w.upsert_citation(
                    a, b, roles=roles, polarity=pol, influential=infl, contexts=ctx, source=source
                )
        w.finish()


def _batched(lib: Library, papers: list[PaperRecord], cites: list[tuple], batch: int) -> None:
    with lib.importing(0) as session:
        w = session.writer("src")
        w._bulk = bulk_module.BulkWriter(w, batch)
        for i, p in enumerate(papers):
            w.bulk.add(copy.deepcopy(p), key=f"k{i}")
        w.bulk.flush()
        for a, b, roles, pol, infl, ctx, source in cites:
            a, b = f"k{a % len(papers)}", f"k{b % len(papers)}"
            if w.bulk.pid(a) != w.bulk.pid(b):
                w.bulk.edge(a, CiteRecord(b, roles, pol, infl, ctx, source))
        w.finish()


@SETTINGS
@given(
    papers=st.lists(PAPERS, min_size=1, max_size=8),
    cites=st.lists(CITES, max_size=8),
    batch=st.integers(1, 5),
    big=st.booleans(),
)
def test_one_at_a_time_and_in_batches_build_the_same_library(
    tmp_path_factory, monkeypatch, papers, cites, batch, big
):
    """The slow path (upsert_paper, upsert_citation: batches of one, identity through the
    indexes) and the fast one (batches, identity in memory with the indexes dropped when
    ``big``) agree: papers, identifiers, merges, edges, labels and contexts."""
    from citetui.store import fts

    tmp = tmp_path_factory.mktemp("agree")
    slow = Library(tmp / "slow.db", create=True)
    _one_at_a_time(slow, papers, cites)
    with monkeypatch.context() as m:
        m.setattr(fts, "worth_suspending", lambda conn, size: big)
        fast = Library(tmp / "fast.db", create=True)
        _batched(fast, papers, cites, batch)
    strip = {"imports", "search_terms"}
    assert {k: v for k, v in dump(fast).items() if k not in strip} == {
        k: v for k, v in dump(slow).items() if k not in strip
    }
    slow.close()
    fast.close()


# -- the join rule ----------------------------------------------------------------------


@SETTINGS
@given(a=PAPERS, b=PAPERS, c=PAPERS)
def test_the_join_rule_does_not_depend_on_order(a, b, c):
    a, b, c = a.normalised(), b.normalised(), c.normalised()
    assert a.joined(b) == b.joined(a)
    assert a.joined(b).joined(c) == a.joined(b.joined(c))
    assert a.joined(a) == a
    assert a.joined(b).joined(b) == a.joined(b)


def test_the_join_rule_field_by_field():
    old = PaperRecord(
        title="Attention", year=2025, citation_count=10, summary="s", summary_source="x"
    )
    new = PaperRecord(
        title="Attention!", year=2013, citation_count=3, summary="longer", summary_source="y"
    )
    j = old.joined(new)
    assert (j.title, j.year, j.citation_count) == ("Attention!", 2013, 10)
    assert (j.summary, j.summary_source) == ("longer", "y")  # the source goes with its summary
    assert PaperRecord(doi="10.1/b").joined(PaperRecord(doi="10.1/a")).doi == "10.1/a"
    assert PaperRecord(title="x").joined(PaperRecord()).title == "x"  # a missing value loses
    assert rec.join_authors(["A"], ["B", "C"]) == ["B", "C"]


# -- fast paths read what the checked paths read -----------------------------------------

VALUES = st.one_of(
    st.none(),
    st.text(max_size=8),
    st.sampled_from(["", " ", "10.1/X", "2101.00001", "W12", "a" * 40]),
    st.integers(-3, 3000),
    st.sampled_from([2**70, True, 1.5]),
    st.lists(st.text(max_size=3), max_size=2),
    st.fixed_dictionaries({}, optional={"name": st.text(max_size=5), "x": st.none()}),
)


def _agree(fast: Any, checked: Any, raw: Any) -> None:
    """The fast path's result equals the checked one; where the checked path refuses, the
    fast path has no result."""
    got = fast(copy.deepcopy(raw))
    try:
        want = checked(copy.deepcopy(raw))
    except InputError:
        assert got is None, raw
        return
    if got is not None:
        assert _normal(got) == _normal(want), raw


def _normal(value: Any) -> Any:
    if isinstance(value, PaperRecord):
        return value.normalised()
    if isinstance(value, tuple):
        return tuple(_normal(v) for v in value)
    return value


S2_PAPER = st.fixed_dictionaries(
    {},
    optional={
        k: VALUES
        for k in (
            "paperId",
            "corpusId",
            "title",
            "year",
            "publicationDate",
            "venue",
            "abstract",
            "url",
            "citationCount",
        )
    }
    | {
        "externalIds": st.one_of(
            VALUES, st.fixed_dictionaries({}, optional={"DOI": VALUES, "ArXiv": VALUES})
        ),
        "authors": st.one_of(VALUES, st.lists(VALUES, max_size=3)),
        "tldr": st.one_of(
            VALUES, st.fixed_dictionaries({}, optional={"text": VALUES, "model": VALUES})
        ),
        "journal": st.one_of(VALUES, st.fixed_dictionaries({}, optional={"name": VALUES})),
    },
)


@SETTINGS
@given(raw=S2_PAPER, intents=st.one_of(VALUES, st.lists(VALUES, max_size=2)))
def test_s2_fast_path_reads_what_the_checked_path_reads(raw, intents):
    f = Fields("x.json", "r")
    _agree(s2.fast_paper, lambda r: s2.paper_from_record(r, f), raw)
    edge = {"citingPaper": raw, "intents": intents, "contexts": intents, "isInfluential": None}
    _agree(s2.fast_edge, lambda r: s2.checked_edge(r, f), edge)


OA_WORK = st.fixed_dictionaries(
    {"id": st.sampled_from(["https://openalex.org/W7", "W7", "https://openalex.org/w7", 3])},
    optional={
        "title": VALUES,
        "display_name": VALUES,
        "publication_year": VALUES,
        "cited_by_count": VALUES,
        "doi": VALUES,
        "referenced_works": st.one_of(
            VALUES, st.lists(st.sampled_from(["https://openalex.org/W8", "W9", 4]), max_size=3)
        ),
        "abstract_inverted_index": st.one_of(
            VALUES,
            st.dictionaries(
                st.sampled_from(["a", "b"]), st.lists(st.integers(-1, 5), max_size=2), max_size=2
            ),
        ),
        "authorships": st.one_of(
            VALUES,
            st.lists(
                st.fixed_dictionaries(
                    {},
                    optional={
                        "author": st.one_of(
                            VALUES, st.fixed_dictionaries({}, optional={"display_name": VALUES})
                        ),
                        "raw_author_name": VALUES,
                    },
                ),
                max_size=2,
            ),
        ),
        "locations": st.one_of(
            VALUES,
            st.lists(
                st.fixed_dictionaries(
                    {},
                    optional={
                        "landing_page_url": st.sampled_from(
                            [None, "https://arxiv.org/abs/2101.00001", "x", 5]
                        ),
                        "pdf_url": VALUES,
                    },
                ),
                max_size=2,
            ),
        ),
    },
)


@SETTINGS
@given(raw=OA_WORK)
def test_openalex_fast_path_reads_what_the_checked_path_reads(raw):
    _agree(openalex.fast_work, lambda r: openalex.checked_work(r, Fields("w.json", "r")), raw)


BULK = st.fixed_dictionaries(
    {"corpusid": st.sampled_from([5, "6", " 7", -1, None, 2**70, "x"])},
    optional={
        k: VALUES for k in ("title", "year", "publicationdate", "venue", "url", "citationcount")
    }
    | {
        "authors": st.one_of(VALUES, st.lists(VALUES, max_size=2)),
        "externalids": st.one_of(VALUES, st.fixed_dictionaries({}, optional={"DOI": VALUES})),
        "journal": st.one_of(VALUES, st.fixed_dictionaries({}, optional={"name": VALUES})),
    },
)
BULK_EDGE = st.fixed_dictionaries(
    {
        "citingcorpusid": st.sampled_from([5, "6", -1, None, "x"]),
        "citedcorpusid": st.sampled_from([8, "9", None, "y"]),
    },
    optional={
        "isinfluential": VALUES,
        "contexts": st.one_of(VALUES, st.lists(VALUES, max_size=2)),
        "intents": st.one_of(
            VALUES,
            st.lists(st.one_of(VALUES, st.lists(st.sampled_from(["result", 3]))), max_size=2),
        ),
    },
)


@SETTINGS
@given(paper=BULK, edge=BULK_EDGE)
def test_bulk_fast_paths_read_what_the_checked_paths_read(paper, edge):
    f = Fields("b.jsonl", None, 1)
    _agree(s2_bulk.fast_paper, lambda r: s2_bulk.paper_from_bulk(r, f, "papers"), paper)
    _agree(s2_bulk.fast_edge, lambda r: s2_bulk.edge_from_bulk(r, f), edge)
