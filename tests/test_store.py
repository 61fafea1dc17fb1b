"""The library store: identity and dedup, idempotent re-import, atomic failure, migrations."""

from __future__ import annotations

import json
import sqlite3
from dataclasses import replace

import pytest

from citetui.core.models import CiteRecord, PaperRecord
from citetui.core.query import RowFilter
from citetui.ingest import InputError, import_files
from citetui.store import (
    SCHEMA_VERSION,
    Library,
    LibraryNotFound,
    NewerSchema,
    NotALibrary,
    Writer,
)
from tests.conftest import SAMPLE, ppo_id


def dump(lib: Library) -> dict[str, list]:
    """Every row of every table, for before/after comparisons."""
    tables = [
        r[0]
        for r in lib.conn.execute(
            "SELECT name FROM sqlite_master WHERE type='table' AND name NOT LIKE 'sqlite_%' "
            "AND name NOT LIKE '%fts%' AND name != 'imports'"
        )
    ]
    return {t: sorted(map(tuple, lib.conn.execute(f"SELECT * FROM {t}")), key=repr) for t in tables}


def write(lib: Library, *papers: PaperRecord, source: str = "test") -> list[int]:
    with lib.transaction() as db:
        w = Writer(db, source)
        return [w.upsert_paper(p) for p in papers]


def test_new_library_has_current_schema(empty_lib):
    assert empty_lib.schema_version == SCHEMA_VERSION
    assert empty_lib.stats().papers == 0


@pytest.mark.parametrize(
    ("first", "second"),
    [
        (
            PaperRecord(title="A", doi="10.1/X"),
            PaperRecord(title="A b", doi="https://doi.org/10.1/x"),
        ),
        (
            PaperRecord(title="A", arxiv="1707.06347"),
            PaperRecord(title="B", arxiv="arXiv:1707.06347v2"),
        ),
        (PaperRecord(title="A", s2_id="ABC"), PaperRecord(title="B", s2_id="abc")),
        (PaperRecord(title="A", corpus_id=5), PaperRecord(title="B", corpus_id="CorpusID:5")),
        (
            PaperRecord(title="A", openalex_id="W1"),
            PaperRecord(title="B", openalex_id="https://openalex.org/W1"),
        ),
        (
            PaperRecord(title="Deep  Learning!", year=2015),
            PaperRecord(title="deep learning", year=2015),
        ),
        (
            PaperRecord(title="Déjà vu", year=2001, authors=["Émile Zola"]),
            PaperRecord(title="deja VU", year=2001, authors=["E. Zola"]),
        ),
    ],
)
def test_same_paper_by_any_identifier_is_one_paper(empty_lib, first, second):
    a, b = write(empty_lib, first, second)
    assert a == b
    assert empty_lib.stats().papers == 1


def test_different_titles_or_years_without_ids_are_different(empty_lib):
    a, b, c = write(
        empty_lib,
        PaperRecord(title="X", year=2020),
        PaperRecord(title="X", year=2021),
        PaperRecord(title="Y", year=2020),
    )
    assert len({a, b, c}) == 3


@pytest.mark.parametrize(
    "titles",
    [
        ("C++ for Engineers", "C# for Engineers", "C for Engineers"),
        ("F# in Practice", "F in Practice"),
    ],
)
def test_signs_that_change_a_title_never_fold_away(empty_lib, titles):
    ids = write(
        empty_lib,
        *[PaperRecord(title=t, year=2020) for t in titles[:-1]],
        PaperRecord(title=titles[-1], year=2020, doi="10.1/c"),
    )
    assert len(set(ids)) == len(titles)
    assert sorted(empty_lib.paper(i).title for i in ids) == sorted(titles)


@pytest.mark.parametrize(
    ("first", "second"),
    [
        (PaperRecord(title="Déjà vu", year=None), PaperRecord(title="deja VU", year=2001)),
        (
            PaperRecord(title="Deep learning", year=2015, authors=["Y. LeCun"]),
            PaperRecord(title="Deep learning", year=2015, authors=["I. Goodfellow"]),
        ),
        (
            PaperRecord(title="Deep learning", year=2015, authors=["Y. LeCun"]),
            PaperRecord(title="Deep learning", year=2015),
        ),
        (
            PaperRecord(title="Deep learning", year=2015, doi="10.1/a"),
            PaperRecord(title="Deep learning", year=2015, doi="10.1/b"),
        ),
    ],
)
def test_without_a_shared_id_only_title_year_and_first_author_together_merge(
    empty_lib, first, second
):
    a, b = write(empty_lib, first, second)
    assert a != b


def test_fill_in_never_overwrites_with_null(empty_lib):
    (pid,) = write(empty_lib, PaperRecord(title="T", doi="10.1/a", abstract="abs", year=2020))
    write(empty_lib, PaperRecord(title="T", doi="10.1/a", abstract=None, venue="NeurIPS"))
    p = empty_lib.paper(pid)
    assert (p.abstract, p.year, p.venue) == ("abs", 2020, "NeurIPS")


def test_two_records_of_one_paper_merge_with_their_edges(empty_lib):
    a, b, hub = write(
        empty_lib,
        PaperRecord(title="One", doi="10.1/one"),
        PaperRecord(title="One (preprint)", arxiv="2001.00001"),
        PaperRecord(title="Hub", doi="10.9/h"),
    )
    with empty_lib.transaction() as db:
        w = Writer(db, "s")
        w.upsert_citation(b, hub, roles=["method"])
        w.mark_hub(hub)
        # a record carrying both ids reveals that a and b are the same paper
        merged = w.upsert_paper(PaperRecord(title="One", doi="10.1/one", arxiv="2001.00001"))
    assert merged == a
    p = empty_lib.paper(a)
    assert (p.doi, p.arxiv) == ("10.1/one", "2001.00001")
    assert empty_lib.stats().papers == 2
    assert [r.paper_id for r in empty_lib.citing_rows(hub)] == [a]


@pytest.mark.parametrize("big", [False, True])
def test_a_record_naming_two_papers_by_two_identifiers_folds_them(empty_lib, monkeypatch, big):
    """In a big import too, where the key table is asked for a record's first identifier
    and for the others only when no paper holds them all."""
    from citetui.store import fts
    from citetui.store.importing import import_session

    a, _ = write(
        empty_lib,
        PaperRecord(title="One", doi="10.1/one"),
        PaperRecord(title="One (preprint)", arxiv="2001.00001"),
    )
    monkeypatch.setattr(fts, "worth_suspending", lambda conn, size: big)
    with import_session(empty_lib, 1) as session:
        w = session.writer("s")
        w.bulk.add(PaperRecord(title="One", doi="10.1/one", arxiv="2001.00001"))
        w.finish()
    assert empty_lib.stats().papers == 1
    p = empty_lib.paper(a)
    assert (p.doi, p.arxiv) == ("10.1/one", "2001.00001")


def test_stubs_named_again_in_a_batch_are_the_papers_they_name(empty_lib):
    """A stub named again in its batch (a work many works reference) is not normalised
    again: it is the paper its first naming found, whatever form the id was given in."""
    kinds = (
        {"openalex_id": "W1"},
        {"doi": "10.1/x"},
        {"openalex_id": "https://openalex.org/W1"},
        {"doi": "10.1/Y"},
        {"doi": "10.1/x"},
        {"openalex_id": "W2"},
    )
    cites = [CiteRecord(PaperRecord(**kw)) for kw in kinds]
    with empty_lib.transaction() as db:
        w = Writer(db, "s")
        w.bulk.add(PaperRecord(title="Citing", openalex_id="W9"), cites=cites)
        w.bulk.add(PaperRecord(title="Citing too", openalex_id="W8"), cites=cites[::-1])
        w.finish()
    rows = empty_lib.conn.execute(
        "SELECT p.openalex_id, p.doi, count(*) FROM citations c "
        "JOIN papers p ON p.id = c.cited_id GROUP BY c.cited_id ORDER BY 1, 2"
    ).fetchall()
    assert [tuple(r) for r in rows] == [
        (None, "10.1/x", 2),
        (None, "10.1/y", 2),
        ("W1", None, 2),
        ("W2", None, 2),
    ]


def test_sample_import_then_reimport_changes_nothing(sample_lib):
    before = dump(sample_lib)
    (report,) = import_files(sample_lib, [SAMPLE])
    assert dump(sample_lib) == before
    assert not report.added and not report.updated
    assert report.unchanged["papers"] == 67


def test_sample_holds_the_ppo_hub(sample_lib):
    page = sample_lib.hub_page(ppo_id(sample_lib))
    bundle = json.loads(SAMPLE.read_text())
    assert page.hub.paper.authors[0] == "John Schulman" and len(page.hub.paper.authors) == 5
    assert page.hub.tier == "mega hub" and page.hub.paper.year == 2017
    assert page.summary.headline() == (
        "Mixed citations (recorded by hub-page)",
        "top role background 52% (recorded by hub-page, n not given)",
    )
    assert page.role_summary.provenance == "recorded"
    assert page.polarity_summary is None
    assert page.hub.n_citing == len(bundle["citations"])
    assert len(page.claims) == len(bundle["hub"]["claims"]) == 1
    assert len(page.representative) == len(bundle["hub"]["representative"])


def test_failed_import_leaves_library_exactly_as_before(sample_lib, tmp_path):
    before = dump(sample_lib)
    good = json.loads(SAMPLE.read_text())
    good["papers"].append({"key": "new", "title": "A brand new paper"})
    good["citations"].append({"citing": "new", "cited": "hub", "roles": ["method"]})
    bad = json.loads(json.dumps(good))
    bad["citations"].append({"citing": "new", "cited": "hub", "polarity": "furious"})
    good_path, bad_path = tmp_path / "good.json", tmp_path / "bad.json"
    good_path.write_text(json.dumps(good))
    bad_path.write_text(json.dumps(bad))
    with pytest.raises(InputError, match="polarity"):
        import_files(sample_lib, [good_path, bad_path])  # the good file is rolled back too
    assert dump(sample_lib) == before


def test_error_inside_the_transaction_rolls_back(sample_lib):
    before = dump(sample_lib)
    with pytest.raises(RuntimeError), sample_lib.transaction() as db:
        Writer(db, "x").upsert_paper(PaperRecord(title="Doomed"))
        raise RuntimeError("boom")
    assert dump(sample_lib) == before


def test_opening_an_older_library_migrates_it(lib_path):
    conn = sqlite3.connect(lib_path)  # a version-0 file: what an empty new library starts as
    conn.close()
    lib = Library(lib_path)
    assert lib.schema_version == SCHEMA_VERSION
    assert lib.stats().papers == 0


def test_opening_a_newer_library_is_refused(lib_path):
    Library(lib_path, create=True).close()
    conn = sqlite3.connect(lib_path)
    conn.execute(f"PRAGMA user_version = {SCHEMA_VERSION + 1}")
    conn.close()
    with pytest.raises(NewerSchema, match="newer citetui"):
        Library(lib_path)


def test_not_a_library(tmp_path):
    junk = tmp_path / "junk.db"
    junk.write_bytes(b"hello, this is not sqlite at all" * 10)
    with pytest.raises(NotALibrary):
        Library(junk)
    other = tmp_path / "other.db"
    conn = sqlite3.connect(other)
    conn.execute("CREATE TABLE something (x)")
    conn.close()
    with pytest.raises(NotALibrary, match="not a citetui library"):
        Library(other)
    with pytest.raises(LibraryNotFound):
        Library(tmp_path / "missing.db")


def test_row_filters(empty_lib):
    with empty_lib.transaction() as db:
        w = Writer(db, "t")
        hub = w.upsert_paper(PaperRecord(title="Hub"))
        w.mark_hub(hub)
        for i, (role, pol, year) in enumerate(
            [
                ("method", "supportive", 2019),
                ("background", "neutral", 2021),
                ("method", "critical", 2023),
            ]
        ):
            pid = w.upsert_paper(PaperRecord(title=f"P{i}", year=year))
            w.upsert_citation(pid, hub, roles=[role], polarity=pol)
        cid = w.add_claim(hub, 0, "claim one")
        w.engage_claim(cid, pid, "critical", None)
    assert empty_lib.count_citing(hub, RowFilter(roles=("method",))) == 2
    assert empty_lib.count_citing(hub, RowFilter(polarities=("critical",))) == 1
    assert empty_lib.count_citing(hub, RowFilter(year_min=2020, year_max=2022)) == 1
    assert [r.title for r in empty_lib.citing_rows(hub, RowFilter(claims=(1,)))] == ["P2"]
    summary = empty_lib.summary(hub, "role")
    assert summary.provenance == "computed" and summary.n == 3
    assert {b.label: b.count for b in summary.bars} == {"background": 1, "method": 2}


def test_two_sources_join_the_same_whichever_comes_first(tmp_path):
    """Two sources spell the same paper differently (as OpenAlex and Semantic Scholar do for
    word2vec: 2025 against 2013): each field keeps the value of one fixed rule (the earliest
    year, the largest count, the longer text...), so the order of the imports does not
    matter, and importing both again, in either order, changes nothing."""

    def bundle(name: str, **fields):
        path = tmp_path / f"{name}.json"
        path.write_text(
            json.dumps(
                {
                    "format": "citetui-bundle",
                    "version": 1,
                    "source": {"name": name},
                    "papers": [{"key": "w", "ids": {"doi": "10.1/w2v"}, **fields}],
                }
            )
        )
        return path

    a = bundle(
        "openalex-ish",
        title="Distributed representations of words",
        year=2025,
        citation_count=41000,
        authors=["T. Mikolov", "I. Sutskever"],
    )
    b = bundle(
        "s2-ish",
        title="Distributed Representations of Words",
        year=2013,
        venue="NeurIPS",
        abstract="We propose ...",
        citation_count=40000,
        summary="Word vectors.",
        summary_source="tldr@v2",
        authors=["Tomas Mikolov", "Ilya Sutskever"],
    )
    papers = []
    for order in ([a, b], [b, a]):
        lib = Library(tmp_path / f"l{len(papers)}.db", create=True)
        import_files(lib, order)
        papers.append(lib.find_paper_by_id("10.1/w2v"))
        for again in ([a, b], [b, a]):
            reports = import_files(lib, again)
            assert all(not r.updated and not r.added for r in reports), [r.updated for r in reports]
        lib.close()
    first, second = papers
    assert replace(first, id=0) == replace(second, id=0)
    assert (first.title, first.year, first.venue, first.abstract, first.citation_count) == (
        "Distributed Representations of Words",  # the same length: the smaller ("R" < "r")
        2013,
        "NeurIPS",
        "We propose ...",
        41000,
    )
    # as many names in both: the smaller list, name by name ("T." < "To")
    assert first.authors == ("T. Mikolov", "I. Sutskever")
    assert (first.summary, first.summary_source) == ("Word vectors.", "tldr@v2")


def test_a_stub_with_an_identifier_given_as_a_list_is_normalised_as_before(empty_lib):
    """The memo of stubs named again keys on identifiers as given: one that cannot be a
    key (a list from a stranger's file) goes the way it went before the memo."""
    with empty_lib.transaction() as db:
        w = Writer(db, "s")
        cites = [CiteRecord(PaperRecord(doi=["10.1/x"])), CiteRecord(PaperRecord(doi=["10.1/x"]))]
        w.bulk.add(PaperRecord(title="Citing", openalex_id="W5"), cites=cites)
        w.finish()
    assert empty_lib.stats().papers == 2
