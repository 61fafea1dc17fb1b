"""Hub pages that tell the truth on real data (issue: one verdict, counted figures,
abstracts, ids, citation statements). Each numbered item of the issue is a test here,
on the real records in ../shared (skipped without them) or on data built in the test;
the browser's side of them is in tests/tui/test_hub_truth_tui.py."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from citetui.cli import cli
from citetui.core.models import PaperRecord
from citetui.core.query import parse
from citetui.store import Library, Writer
from tests.conftest import SAMPLE
from tests.realshapes import citations_page, paper_record

DBN_DOI = "DOI:10.1162/neco.2006.18.7.1527"
DBN_PAGE = "references_CorpusID49313245_page0.json"


def run(runner, db: Path, *args: str):
    return runner.invoke(cli, ["--db", str(db), *args], catch_exceptions=False)


def ok(runner, db: Path, *args: str) -> str:
    result = run(runner, db, *args)
    assert result.exit_code == 0, result.stderr
    return result.stdout


def as_json(runner, db: Path, *args: str):
    return json.loads(ok(runner, db, *args, "--json"))


@pytest.fixture
def sample_db(runner, tmp_path) -> Path:
    db = tmp_path / "sample.db"
    ok(runner, db, "import", str(SAMPLE))
    return db


@pytest.fixture
def dbn_db(runner, tmp_path, shared_real) -> Path:
    """The Deep Belief Nets hub: one citing paper in the library, 15,204 citations known."""
    db = tmp_path / "dbn.db"
    ok(runner, db, "import", str(shared_real / "s2" / DBN_PAGE), "--hub", DBN_DOI)
    return db


@pytest.fixture
def turing_db(runner, tmp_path, shared_real) -> tuple[Path, int]:
    """A real-shaped /citations page: 1,000 citing papers, contexts and intents."""
    db = tmp_path / "turing.db"
    ok(runner, db, "import", str(citations_page(shared_real, tmp_path)))
    [hub] = as_json(runner, db, "hubs")
    return db, hub["id"]


# -- 1. two verdicts -------------------------------------------------------------


def test_one_label_gives_one_verdict_in_every_view(runner, sample_db):
    """One user label (background, critical) on the sample: the source's verdict stays
    the verdict everywhere, marked as the source's; the label is counted beside it,
    and too few labels give no computed verdict and no percentage."""
    ok(runner, sample_db, "label", "2", "ppo", "--role", "background", "--polarity", "critical")
    page = as_json(runner, sample_db, "show", "ppo")
    summary = page["summary"]
    assert summary["verdict"] == {
        "label": "Mixed citations",
        "basis": "recorded",
        "reason": "recorded by hub-page",
    }
    computed = summary["computed"]
    assert computed["verdict"]["label"] is None
    assert "1 of 66 citing papers" in computed["verdict"]["reason"]
    assert computed["polarity"]["coverage"] == {
        "labelled": 1,
        "citing_papers": 66,
        "citation_count": None,
        "yours": 1,
        "enough_for_shares": False,
    }
    assert computed["polarity"]["bars"] == [{"label": "critical", "count": 1}]  # no share
    verdict_line, role_line = summary["headline"]
    assert verdict_line == "Mixed citations (recorded by hub-page)"
    assert "computed: 1 of 66 citing papers labelled" in role_line
    assert "100%" not in role_line
    # the hub controls' ablation and the exports say the same
    for row in as_json(runner, sample_db, "ablate", "ppo"):
        assert row["hub_verdict"] == summary["verdict"]
        assert row["verdict_full"] is None and "holds" not in row["status"]
    text = ok(runner, sample_db, "ablate", "ppo")
    assert "the hub's verdict: Mixed citations (recorded by hub-page)" in text
    assert "Contested" not in text
    markdown = ok(runner, sample_db, "export", "ppo", "--format", "markdown")
    assert "- Verdict: Mixed citations (recorded by hub-page)" in markdown
    assert "Contested" not in markdown
    show = ok(runner, sample_db, "show", "ppo")
    assert "Mixed citations (recorded by hub-page)" in show and "Contested" not in show


def test_enough_labels_make_the_computed_verdict_the_verdict_everywhere(runner, tmp_path):
    """With MIN_LABELLED polarity labels the verdict is computed, and every view has it."""
    db = tmp_path / "lib.db"
    lib = Library(db, create=True)
    with lib.transaction() as tx:
        w = Writer(tx, source="test")
        hub = w.upsert_paper(PaperRecord(title="A Hub", doi="10.1/hub", citation_count=5000))
        w.mark_hub(hub, verdict="Mostly supportive citations")
        for i in range(24):
            pid = w.upsert_paper(PaperRecord(title=f"Citing {i}", doi=f"10.1/c{i}", year=2020))
            w.upsert_citation(pid, hub, polarity="critical" if i % 3 == 0 else "neutral")
    lib.close()
    want = "Contested citations (computed from 24 polarity labels of 24 citing papers)"
    page = as_json(runner, db, "show", "10.1/hub")
    assert page["summary"]["headline"][0] == want
    assert page["hub"]["verdict"] == "Contested citations"
    assert as_json(runner, db, "hubs")[0]["recorded_verdict"] == "Mostly supportive citations"
    assert all(
        r["hub_verdict"]["label"] == "Contested citations"
        for r in as_json(runner, db, "ablate", "10.1/hub")
    )
    assert f"- Verdict: {want}" in ok(runner, db, "export", "10.1/hub", "--format", "markdown")
    assert f"Verdict: {want}" in ok(runner, db, "export", "10.1/hub", "--format", "ris")


# -- 2. headlines from one citation ----------------------------------------------


def test_a_hub_with_one_citing_paper_shows_counts_not_a_percentage(runner, dbn_db):
    text = ok(runner, dbn_db, "show", DBN_DOI)
    head = text.split("\nAbstract")[0]
    assert "(100%)" not in head and "100%" not in head
    assert "mega hub (from its 15,204 citations) · 1 citing paper in the library" in head
    assert "computed: 1 of 1 citing paper labelled (15,204 citations known): method 1" in head
    assert "computed from 1 labelled of 1 citing paper in the library (15,204 citations known)" in (
        text
    )
    page = as_json(runner, dbn_db, "show", DBN_DOI)
    assert page["summary"]["tier"]["basis"] == "citation count"
    assert page["summary"]["computed"]["role"]["bars"] == [{"label": "method", "count": 1}]
    hubs = ok(runner, dbn_db, "hubs")
    assert "(1 citing paper in the library)" in hubs and "1 citing papers" not in hubs


def test_a_five_citation_openalex_work_is_no_minor_hub(runner, tmp_path, shared_real):
    db = tmp_path / "oa.db"
    oa = shared_real / "openalex"
    ok(runner, db, "import", str(oa / "keyworks.json"), str(oa / "citing_works.json"))
    hubs = {h["identifiers"].get("openalex_id"): h for h in as_json(runner, db, "hubs")}
    hub = hubs["W3046863325"]
    assert hub["citation_count"] == 5
    assert hub["tier"] is None and hub["tier_basis"] == "none"
    text = ok(runner, db, "show", "W3046863325")
    assert "minor hub" not in text + ok(runner, db, "hubs")
    assert "no tier (5 citations known; tiers start at 100)" in text


# -- 3. the ablation never says "holds" with nothing to test ---------------------


def test_the_ablation_says_there_is_no_verdict_to_test(runner, sample_db, turing_db):
    for db, hub in ((sample_db, "ppo"), (turing_db[0], str(turing_db[1]))):
        rows = as_json(runner, db, "ablate", hub)
        assert rows
        for row in rows:
            assert row["status"].startswith("no verdict to test"), row
        text = ok(runner, db, "ablate", hub)
        assert "holds" not in text and "without no context" not in text
        assert "leaving out citations without context" in text


def test_a_slice_that_removes_everything_is_not_a_verdict_that_holds(empty_lib):
    from citetui.analysis.ablation import Slice, ablate

    with empty_lib.transaction() as tx:
        w = Writer(tx, source="test")
        hub = w.upsert_paper(PaperRecord(title="A Hub", doi="10.1/hub"))
        w.mark_hub(hub)
        for i in range(30):
            pid = w.upsert_paper(PaperRecord(title=f"Citing {i}", doi=f"10.1/c{i}", year=2000 + i))
            w.upsert_citation(pid, hub, polarity="supportive" if i % 10 else "critical")
    every = Slice("everything", "every citation", lambda e: True)
    nothing = Slice("nothing", "no citation", lambda e: False)
    recent = Slice("recent", "from 2015", lambda e: (e.year or 0) >= 2015)
    half = Slice("half", "from 2025", lambda e: (e.year or 0) >= 2025)
    got = {a.slice.name: a for a in ablate(empty_lib, hub, [every, nothing, recent, half])}
    assert got["everything"].status == "removes all 30: nothing left to compare"
    assert got["nothing"].status == "removes none: nothing to compare"
    assert got["recent"].status.startswith("too few left for a verdict (15 with a polarity")
    assert got["half"].status == "verdict holds"
    assert not any(a.verdict_changed for a in got.values())


# -- 5. papers known by an id ----------------------------------------------------


def test_a_paper_without_a_title_is_shown_by_its_id_and_json_keeps_null(runner, dbn_db):
    hits = as_json(runner, dbn_db, "search", "49313245")  # no words to match: by id
    assert hits == [] or all(h["title"] is None or "(untitled)" not in h["title"] for h in hits)
    page = as_json(runner, dbn_db, "show", DBN_DOI)
    lib = Library(dbn_db)
    citing = lib.find_paper_by_id("CorpusID:49313245")
    lib.close()
    assert citing is not None and citing.title is None
    assert citing.display_title == "S2 49313245"
    rows = as_json(runner, dbn_db, "search", "reinforcement", "--limit", "100")
    for h in rows:
        assert h["title"] is None or not h["title"].startswith("(untitled)")
    assert "(untitled)" not in json.dumps(page) + ok(runner, dbn_db, "show", DBN_DOI)


def test_search_json_keeps_a_null_title_null(runner, sample_db):
    [hit] = as_json(runner, sample_db, "search", "OP-GRPO", "--limit", "1")
    assert hit["title"] is None
    assert hit["summary"].startswith("OP-GRPO is the first off-policy GRPO method")
    assert hit["label"].startswith("untitled: OP-GRPO")
    assert "(untitled)" not in ok(runner, sample_db, "search", "OP-GRPO")


def test_an_untitled_hub_is_listed_by_its_id(runner, tmp_path, shared_real):
    db = tmp_path / "t.db"
    ok(runner, db, "import", str(paper_record(shared_real, tmp_path)))
    [hub] = as_json(runner, db, "hubs")
    assert hub["title"] is None and hub["label"] == "S2 14514057"
    assert "S2 14514057" in ok(runner, db, "hubs") and "(untitled)" not in ok(runner, db, "hubs")
    text = ok(runner, db, "show", "CorpusID:14514057")
    first, second = text.splitlines()[:2]
    assert first == "S2 14514057" and second.strip()  # no empty line under it
    assert second.startswith("at least a major hub: 1,000 citing papers in the library")


# -- 6. computed panes -------------------------------------------------------------


def test_cocited_works_come_from_the_references_in_the_library(runner, dbn_db):
    page = as_json(runner, dbn_db, "show", DBN_DOI)
    assert page["cocited_basis"] == (
        "computed from the references of 1 citing paper in the library"
    )
    assert len(page["cocited"]) == 20  # the pane's 20 of its 72 other references
    assert {c["provenance"] for c in page["cocited"]} == {"computed"}
    text = ok(runner, dbn_db, "show", DBN_DOI)
    assert "recorded" not in text.split("Co-cited works")[1].split("Representative")[0]


def test_representatives_put_the_much_cited_first(runner, tmp_path, shared_real):
    db = tmp_path / "t.db"
    ok(runner, db, "import", str(paper_record(shared_real, tmp_path, titled=True)))
    [h] = as_json(runner, db, "hubs")
    hub = h["id"]
    reps = as_json(runner, db, "show", str(hub))["representative"]
    counts = [(r["title"], r["citation_count"]) for r in reps]
    adam = next(i for i, (t, _) in enumerate(counts) if t and t.startswith("Adam: A Method"))
    small = [i for i, (_, n) in enumerate(counts) if n is not None and n < 100]
    assert all(adam < i for i in small)  # 128,945 citations before any of under 100
    rule = ok(runner, db, "show", str(hub)).split("Representative citing papers\n")[1]
    assert rule.splitlines()[0] == (
        "  (chosen by citetui: influential citations first, then the most cited; "
        "one version per paper)"
    )


def test_representatives_list_one_version_of_a_paper(empty_lib):
    title = "LLaMA: Open and Efficient Foundation Language Models"
    with empty_lib.transaction() as tx:
        w = Writer(tx, source="test")
        hub = w.upsert_paper(PaperRecord(title="Attention Is All You Need", arxiv="1706.03762"))
        w.mark_hub(hub)
        preprint = w.upsert_paper(
            PaperRecord(title=title, arxiv="2302.13971", year=2023, citation_count=5708)
        )
        published = w.upsert_paper(
            PaperRecord(title=title, doi="10.9999/llama", year=2024, citation_count=12)
        )
        other = w.upsert_paper(PaperRecord(title="A 2024 paper", doi="10.9999/x", year=2024))
        for p in (preprint, published, other):
            w.upsert_citation(p, hub)
    assert published != preprint  # two records: the writer keeps editions apart
    got = [p.id for p in empty_lib.representatives(hub)]
    assert got == [preprint, other]  # the most cited version, once
    # an arXiv DOI names the arXiv version; a short title names no one paper
    from citetui.store.panes import version_keys

    assert version_keys("10.48550/arxiv.2302.13971", None, None) >= {"arxiv:2302.13971"}
    assert version_keys(None, None, "deep learning") == set()


# -- 7. sorting --------------------------------------------------------------------


def test_search_sorts_both_ways_with_missing_values_last(runner, turing_db):
    db, hub = turing_db
    down = as_json(runner, db, "search", "learning", "--hub", str(hub), "--sort", "citations")
    up = as_json(runner, db, "search", "learning", "--hub", str(hub), "--sort", "citations:asc")
    known_down = [h["citation_count"] for h in down if h["citation_count"] is not None]
    known_up = [h["citation_count"] for h in up if h["citation_count"] is not None]
    assert known_down == sorted(known_down, reverse=True) and known_up == sorted(known_up)
    years = [
        h["year"]
        for h in as_json(
            runner, db, "search", "role:method", "--hub", str(hub), "--sort", "year:asc"
        )
    ]
    dated = [y for y in years if y is not None]
    assert dated == sorted(dated) and years[: len(dated)] == dated
    bad = run(runner, db, "search", "x", "--sort", "sideways")
    assert bad.exit_code == 2 and "unknown sort" in bad.stderr
    # every column sorts both ways, missing values last
    lib = Library(db)
    try:
        for sort in ("venue", "venue:desc"):
            venues = [r.venue for r in lib.citing_rows(hub, sort=sort, limit=1000)]
            known = [v.casefold() for v in venues if v]
            assert known == sorted(known, reverse=sort.endswith("desc")), sort
            assert venues[len(known) :] == [None] * (len(venues) - len(known))
        flags = [r.influential for r in lib.citing_rows(hub, sort="influential", limit=1000)]
        assert flags == sorted(flags, key=lambda f: not f)
        roles = [r.roles for r in lib.citing_rows(hub, sort="role:desc", limit=1000)]
        assert roles[0] and not roles[-1]
    finally:
        lib.close()


# -- 8. imports that add no hub ------------------------------------------------------


def test_an_import_without_a_hub_says_how_to_make_one(runner, tmp_path, shared_real):
    db = tmp_path / "oa2.db"
    path = shared_real / "openalex" / "referenced_works.json"
    result = run(runner, db, "import", str(path))
    assert result.exit_code == 0
    assert "added: 1,078 citations, 1,006 papers" in result.stdout
    assert "no hub added" in result.stderr and "--hub" in result.stderr
    assert "citetui hub add" in result.stderr
    assert "W2153579005" in result.stderr or "Distributed" in result.stderr
    assert as_json(runner, db, "hubs") == []
    assert "citetui hub add PAPER" in ok(runner, db, "hubs")
    added = ok(runner, db, "hub", "add", "W2153579005")
    assert added.casefold().startswith("made a hub: distributed representations of words")
    [hub] = as_json(runner, db, "hubs")
    assert hub["identifiers"]["openalex_id"] == "W2153579005" and hub["source"] == "you"
    assert hub["citing_papers"] == 4 and hub["tier"] == "mega hub"
    again = run(runner, db, "hub", "add", "W2153579005")
    assert again.exit_code == 2 and "already a hub" in again.stderr
    ok(runner, db, "hub", "remove", "W2153579005")
    assert as_json(runner, db, "hubs") == []


def test_only_papers_with_citing_papers_become_hubs(runner, sample_db):
    result = run(
        runner,
        sample_db,
        "hub",
        "add",
        "Weak-to-Strong Generalization is Nearly Inevitable (in Linear Models)",
    )
    assert result.exit_code == 2 and "no paper in the library cites" in result.stderr
    result = run(runner, sample_db, "hub", "remove", "ppo")
    assert result.exit_code == 2 and "not by you" in result.stderr


# -- citation statements ---------------------------------------------------------------


def test_citation_statements_list_every_sentence_with_its_labels(runner, turing_db):
    db, hub = turing_db
    lib = Library(db)
    try:
        every = lib.count_statements(hub)
        assert every == (716, 449)
        method = lib.count_statements(hub, parse("role:method"))
        rows = lib.statements(hub, parse("role:method"), limit=500)
        assert len(rows) == method[0] and all("method" in s.roles for s in rows)
        years = [s.year for s in lib.statements(hub, limit=every[0])]
        dated = [y for y in years if y is not None]
        assert dated == sorted(dated, reverse=True)
        words = lib.statements(hub, parse("paraphrase"), limit=50)
        assert words and all("paraphrase" in s.text.casefold() for s in words)
        none = lib.statements(hub, parse("!the"), limit=50)
        assert all(" the " not in f" {s.text.casefold()} " for s in none)
    finally:
        lib.close()
    out = as_json(runner, db, "statements", str(hub), "role:method", "--limit", "5")
    assert out["statements"] == method[0] and len(out["rows"]) == 5
    assert all("method" in r["roles"] and r["text"] for r in out["rows"])
    text = ok(runner, db, "statements", str(hub), "role:method", "--limit", "2")
    assert text.startswith(f"{method[0]:,} statements from ")


# -- smaller things ----------------------------------------------------------------


def test_counts_read_as_english(runner, tmp_path, shared_real):
    from citetui.analysis.ablation import browse_slices
    from citetui.core.models import HubEdge

    def edge(year):
        return HubEdge(1, "t", year, None, None, (), (), None, 0, ())

    names = [s.name for s in browse_slices([edge(2021), edge(2022), edge(2022)])]
    assert names == ["year 2021", "year 2022"]
    report = ok(
        runner, tmp_path / "x.db", "import", str(shared_real / "s2" / DBN_PAGE), "--hub", DBN_DOI
    )
    assert "1 hub," in report and "1 hubs" not in report and "1 papers" not in report
    db = tmp_path / "oa.db"
    oa = shared_real / "openalex"
    ok(runner, db, "import", str(oa / "keyworks.json"), str(oa / "citing_works.json"))
    markdown = ok(runner, db, "export", "W3046863325", "--format", "markdown")
    assert "1 citations" not in markdown and " · 1 citation\n" in markdown
