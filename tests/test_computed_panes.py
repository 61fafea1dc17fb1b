"""Hub panes computed when a source does not record them: roles, co-cited works,
representative citing papers and the tier (rules in docs/importers.md)."""

from __future__ import annotations

import json

import pytest

from citetui.cli import cli
from citetui.core.models import PaperRecord
from citetui.core.summary import TIER_THRESHOLDS, tier_of
from citetui.store import Library, Writer
from tests.test_import_s2 import INTENT, REFERENCE_PAGES, cassette_pages, paper_key, write_pages

DBN = "8978cf7574ceb35f4c3096be768c7547b28a35d0"  # a paper both real reference walks cite


def run(runner, db, *args):
    return runner.invoke(cli, ["--db", str(db), *args], catch_exceptions=False)


def test_a_hub_from_semantic_scholar_shows_computed_roles_and_cocited_works(
    runner, tmp_path, shared_real
):
    paths = [shared_real / "s2" / n for n in REFERENCE_PAGES]
    pages = {p.name: json.loads(p.read_text()) for p in paths}
    cites: dict[str, dict] = {}  # focal paper -> {cited key: edge}
    for name, page in pages.items():
        focal = name.split("_")[1]
        for e in page["data"]:
            cites.setdefault(focal, {})[paper_key(e["citedPaper"])] = e
    citing_hub = [f for f, refs in cites.items() if DBN in refs]
    assert len(citing_hub) == 2
    # expected role summary: the intents of the edges to the hub
    edges = [cites[f][DBN] for f in citing_hub]
    labelled = [e for e in edges if e["intents"]]
    role_counts: dict[str, int] = {}
    for e in labelled:
        for r in {INTENT[i] for i in e["intents"]}:
            role_counts[r] = role_counts.get(r, 0) + 1
    # expected co-cited works: cited by every paper that cites the hub (here both)
    together = set.intersection(*(set(cites[f]) for f in citing_hub)) - {DBN}
    assert together

    db = tmp_path / "lib.db"
    result = run(runner, db, "import", "--hub", DBN, *map(str, paths))
    assert result.exit_code == 0, result.stderr
    page = json.loads(run(runner, db, "show", DBN, "--json").stdout)
    roles = page["role_summary"]
    assert roles["provenance"] == "computed" and roles["n"] == len(labelled) >= 1
    assert {b["label"]: b["count"] for b in roles["bars"]} == role_counts
    for b in roles["bars"]:
        assert b["share"] == pytest.approx(b["count"] / len(labelled))
    assert page["polarity_summary"] is None  # Semantic Scholar gives no polarity
    got = {(c["paper"]["s2_id"], c["count"], c["provenance"]) for c in page["cocited"]}
    assert got == {(k, len(citing_hub), "computed") for k in together}
    text = run(runner, db, "show", DBN).stdout
    assert f"computed from {len(labelled)} labelled of 2 citing papers in the library" in text
    assert f"({len(citing_hub)}×)" in text
    assert "computed from the references of 2 citing papers in the library" in text
    # the tier: none from the source, so from the citation count it gave, said so
    count = next(e["citedPaper"]["citationCount"] for e in edges)
    want = next(label for threshold, label in TIER_THRESHOLDS if count >= threshold)
    assert page["hub"]["tier"] == want and page["hub"]["tier_basis"] == "citation count"
    assert f"{want} (from its {count:,} citations) · 2 citing papers in the library" in text


def test_a_walk_hub_without_a_count_gets_its_tier_from_the_citing_papers(
    runner, tmp_path, shared_real
):
    pages = cassette_pages(shared_real)
    paths = write_pages(tmp_path, pages, "citations_CorpusID14514057_page{i:02d}.json")
    db = tmp_path / "lib.db"
    assert run(runner, db, "import", *paths).exit_code == 0
    [hub] = json.loads(run(runner, db, "hubs", "--json").stdout)
    assert hub["citation_count"] is None
    # no count known: the citing papers in the library give a lower bound, said so
    assert (hub["tier"], hub["tier_basis"]) == ("major hub", "library")
    text = run(runner, db, "show", str(hub["id"])).stdout
    n = hub["citing_papers"]
    assert f"at least a major hub: {n:,} citing papers in the library, citation count unknown" in (
        text
    )
    page = json.loads(run(runner, db, "show", str(hub["id"]), "--json").stdout)
    assert page["role_summary"] is None  # fields=title: no intents, so no roles to count
    assert len(page["representative"]) == 25


@pytest.mark.parametrize(
    "count, n_citing, label, basis",
    [
        (None, 0, None, "none"),
        (99, 0, None, "none"),  # no "minor hub": below 100 there is no tier
        (5, 5, None, "none"),
        (100, 0, "hub", "citation count"),
        (999, 5, "hub", "citation count"),
        (1000, 0, "major hub", "citation count"),
        (9999, 0, "major hub", "citation count"),
        (10000, 0, "mega hub", "citation count"),
        (15204, 1, "mega hub", "citation count"),  # the known count, not the library's 1
        (None, 1881, "major hub", "library"),
        (50, 150, "hub", "library"),  # a stale count is not below the library's
    ],
)
def test_tier_thresholds(count, n_citing, label, basis):
    tier = tier_of(None, None, count, n_citing)
    assert (tier.label, tier.basis) == (label, basis)


def test_a_recorded_tier_is_kept(sample_lib):
    [hub] = sample_lib.hubs()
    assert hub.tier == "mega hub"
    assert hub.tier_info.text() == "mega hub (recorded by hub-page)"


def _build(lib: Library, spec: list[tuple[str, int | None, int, list[str], bool | None]]) -> dict:
    ids = {}
    with lib.transaction() as db:
        w = Writer(db, source="test")
        hub = w.upsert_paper(PaperRecord(title="The hub", doi="10.1/hub"))
        w.mark_hub(hub)
        for title, year, cc, roles, infl in spec:
            pid = w.upsert_paper(
                PaperRecord(title=title, year=year, citation_count=cc, doi=f"10.1/{title}")
            )
            w.upsert_citation(pid, hub, roles=roles, influential=infl)
            ids[title] = pid
    ids["hub"] = hub
    return ids


def test_representatives_follow_the_documented_rule(empty_lib):
    spec = [
        ("infl-small", 2020, 5, ["background"], True),
        ("infl-big", 2019, 50, ["method"], True),
        ("bg-2021-9", 2021, 9, ["background"], False),
        ("bg-2021-1", 2021, 1, ["background"], None),
        ("bg-2018-3", 2018, 3, ["background"], False),
        ("m-2022-2", 2022, 2, ["method", "comparison"], False),
        ("u-2015-100", 2015, 100, [], False),
        ("u-none-0", None, 0, [], None),
        ("u-none-none", None, None, [], None),
    ]
    ids = _build(empty_lib, spec)
    got = [p.id for p in empty_lib.representatives(ids["hub"])]
    # influential first, then the most cited (the newer first among equals); unknown last
    want = [
        "infl-big",
        "infl-small",
        "u-2015-100",
        "bg-2021-9",
        "bg-2018-3",
        "m-2022-2",
        "bg-2021-1",
        "u-none-0",
        "u-none-none",
    ]
    assert got == [ids[t] for t in want]
    assert [p.id for p in empty_lib.representatives(ids["hub"], limit=3)] == [
        ids["infl-big"],
        ids["infl-small"],
        ids["u-2015-100"],
    ]
    page = empty_lib.hub_page(ids["hub"])
    assert page.representative_rule and "influential" in page.representative_rule
    assert len(page.representative_rule) < 80  # one line; the rest is in the help


def test_cocited_needs_two_citing_papers_and_prefers_known_works(empty_lib):
    with empty_lib.transaction() as db:
        w = Writer(db, source="test")
        hub = w.upsert_paper(PaperRecord(title="Hub", doi="10.1/h"))
        w.mark_hub(hub)
        a, b, c = (w.upsert_paper(PaperRecord(title=t, doi=f"10.1/{t}")) for t in "abc")
        once = w.upsert_paper(PaperRecord(title="Cited once", doi="10.1/once"))
        stub = w.upsert_paper(PaperRecord(openalex_id="W1"))
        known = w.upsert_paper(PaperRecord(title="Known", doi="10.1/known", citation_count=7))
        for citing in (a, b, c):
            w.upsert_citation(citing, hub)
            w.upsert_citation(citing, stub)
        for citing in (a, b):
            w.upsert_citation(citing, known)
        w.upsert_citation(a, once)
    got = [(x.paper.id, x.count) for x in empty_lib.cocited(hub)]
    assert got == [(stub, 3), (known, 2)]


def _polarities(lib: Library, polarities: list[str | None]) -> int:
    with lib.transaction() as db:
        w = Writer(db, source="test")
        hub = w.upsert_paper(PaperRecord(title="The hub", doi="10.1/hub"))
        w.mark_hub(hub)
        for i, pol in enumerate(polarities):
            pid = w.upsert_paper(PaperRecord(title=f"citing {i}", doi=f"10.1/c{i}"))
            w.upsert_citation(pid, hub, roles=["method"], polarity=pol)
    return hub


def test_a_hub_without_a_recorded_verdict_shows_the_computed_one(empty_lib, sample_lib):
    hub = _polarities(empty_lib, ["critical"] * 8 + ["supportive"] * 6 + ["neutral"] * 8 + [None])
    verdict, roles = empty_lib.hub_page(hub).summary.headline()
    assert verdict == ("Contested citations (computed from 22 polarity labels of 23 citing papers)")
    assert roles == "computed: top role method 100% (86–100%, 23 of 23 labelled)"
    # without enough labels, a source's verdict is shown as the source's
    assert sample_lib.hub_page(sample_lib.hubs()[0].paper.id).summary.headline() == (
        "Mixed citations (recorded by hub-page)",
        "top role background 52% (recorded by hub-page, n not given)",
    )


def test_too_few_labels_give_counts_not_a_verdict(empty_lib):
    hub = _polarities(empty_lib, ["critical", "critical", "supportive", "neutral", None])
    summary = empty_lib.hub_page(hub).summary
    assert summary.verdict.label is None
    assert summary.verdict.line() == (
        "no verdict: 4 of 5 citing papers in the library have a polarity label; a verdict needs 20"
    )
    assert "%" not in summary.role_line() and "method 5" in summary.role_line()


def test_a_summary_caption_groups_the_thousands_of_its_count():
    from citetui.core.models import Summary

    assert (
        Summary("role", (), "computed", n=175384).caption
        == "computed from 175,384 labelled citations"
    )
    assert Summary("role", (), "computed", n=1).caption == "computed from 1 labelled citation"
    assert Summary("role", (), "computed").caption == "computed from the labelled citations"
