"""Hub controls on a small hand-checked library (tests/data/small-hub.json)."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from citetui.analysis import ablation, alignment, timeline
from citetui.cli import cli
from citetui.core.summary import decide
from citetui.ingest import import_files
from citetui.search.resolver import resolve_paper
from citetui.store import Library

SMALL = Path(__file__).parent / "data" / "small-hub.json"


@pytest.fixture
def lib(tmp_path):
    lib = Library(tmp_path / "lib.db", create=True)
    import_files(lib, [SMALL])
    yield lib
    lib.close()


def ids(lib):
    return {
        p: resolve_paper(lib, t).id
        for p, t in [
            ("h", "1706.03762"),
            ("h2", "1705.03122"),
            ("p1", "Self-Attention Everywhere"),
            ("p3", "Convolutions Strike Back"),
            ("p5", "Attention Is Not Explanation Revisited"),
            ("p2", "A Survey of Sequence Models"),
        ]
    }


def counts(summary):
    return {b.label: b.count for b in summary.bars} if summary else None


def test_full_figures_and_verdict(lib):
    hub = ids(lib)["h"]
    page = lib.hub_page(hub)
    assert counts(page.role_summary) == {
        "background": 2,
        "method": 1,
        "comparison": 1,
        "critique": 1,
    }
    assert page.role_summary.n == 5 and page.role_summary.top.label == "background"
    assert counts(page.polarity_summary) == {"supportive": 1, "neutral": 2, "critical": 2}
    assert decide(counts(page.polarity_summary), min_n=5) == "Contested citations"
    # five labels are too few for the page to call it: it says how many there are
    verdict = page.summary.verdict
    assert verdict.label is None and "5 of 6 citing papers" in verdict.reason


def test_ablation_slices(lib):
    hub = ids(lib)["h"]
    rows = {
        a.slice.name: a
        for a in ablation.ablate(
            lib, hub, ablation.standard_slices(lib, hub, k=1, years=(2019, 2019), venue="ICML")
        )
    }
    selfc = rows["self-citations"]  # "A. Vaswani" on p1 is the hub's Ashish Vaswani
    assert selfc.removed == 1 and selfc.kept == 5
    assert counts(selfc.role_without) == {"background": 2, "comparison": 1, "critique": 1}
    assert counts(selfc.polarity_without) == {"neutral": 2, "critical": 2}
    assert rows["top-1 cited"].removed == 1
    noctx = rows["citations without context"]  # p4 and p6
    assert noctx.removed == 2
    assert counts(noctx.role_without) == {
        "method": 1,
        "background": 1,
        "comparison": 1,
        "critique": 1,
    }
    years = rows["year 2019"]  # p2 and p3
    assert years.removed == 2
    assert counts(years.polarity_without) == {"supportive": 1, "neutral": 1, "critical": 1}
    assert decide(counts(years.polarity_without), min_n=3) == "Contested citations"
    # 5 polarity labels: no verdict to test, and the ablation says so instead of "holds"
    assert years.verdict_full is None and not years.verdict_changed
    assert years.status.startswith("no verdict to test")
    assert rows["venue ICML"].removed == 1
    assert selfc.top_role_shift() == 10.0  # background 40% -> 50%


def test_verdict_rule():
    assert decide({"supportive": 14, "neutral": 5, "critical": 1}) == "Mostly supportive citations"
    assert decide({"neutral": 16, "critical": 4}) == "Mostly neutral citations"
    assert decide({"supportive": 10, "neutral": 6, "critical": 4}) == "Mixed citations"
    assert decide({"supportive": 10, "neutral": 5, "critical": 5}) == "Contested citations"
    assert decide({}) is None
    # below MIN_LABELLED known polarities there is no verdict; "unknown" does not count
    assert decide({"critical": 19}) is None
    assert decide({"critical": 19, "unknown": 50}) is None
    assert decide({"critical": 20}) == "Contested citations"


def test_alignment(lib):
    i = ids(lib)
    claims = alignment.align(lib, i["h"])
    c1, c2, c3 = claims
    assert [(r.paper_id, r.score, r.kind) for r in c1.recognitions] == [(i["p1"], 87.5, "context")]
    assert "translation quality" in c1.recognitions[0].sentence
    assert [(r.paper_id, r.score, r.kind) for r in c2.recognitions] == [
        (i["p5"], 100.0, "recorded"),
        (i["p3"], 57.1, "context"),
    ]
    assert c2.recognitions[0].stance == "critical"
    assert c2.share == pytest.approx(2 / 6)
    assert c3.recognitions == ()


def test_timeline_and_compare(lib):
    i = ids(lib)
    t = timeline.timeline(lib, i["h"])
    assert {y: dict(c) for y, c in t.items()} == {
        2018: {"method": 1},
        2019: {"background": 1, "comparison": 1},
        2020: {"background": 1},
        2021: {"critique": 1},
    }
    shared = timeline.compare(lib, i["h"], i["h2"])
    assert [s.paper_id for s in shared] == [i["p2"], i["p3"]]
    assert shared[1].contexts_b == ("We extend ConvS2S [2].",)


def test_cli_controls(runner, tmp_path):
    db = tmp_path / "c.db"
    runner.invoke(cli, ["--db", str(db), "import", str(SMALL)], catch_exceptions=False)
    out = json.loads(runner.invoke(cli, ["--db", str(db), "align", "attention", "--json"]).stdout)
    assert [len(c["recognised_by"]) for c in out] == [1, 2, 0]
    out = json.loads(
        runner.invoke(cli, ["--db", str(db), "ablate", "attention", "-k", "1", "--json"]).stdout
    )
    assert out[0]["slice"] == "self-citations" and out[0]["removed"] == 1
    out = json.loads(
        runner.invoke(cli, ["--db", str(db), "timeline", "attention", "--json"]).stdout
    )
    assert out["2019"] == {"background": 1, "comparison": 1}
    second = tmp_path / "second-hub.json"
    second.write_text(
        json.dumps(
            {
                "format": "citetui-bundle",
                "version": 1,
                "source": {"name": "t"},
                "hub": {"paper": "c"},
                "papers": [
                    {
                        "key": "c",
                        "title": "Convolutional Sequence to Sequence Learning",
                        "ids": {"arxiv": "1705.03122"},
                    }
                ],
            }
        )
    )
    runner.invoke(cli, ["--db", str(db), "import", str(second)], catch_exceptions=False)
    res = runner.invoke(cli, ["--db", str(db), "compare", "attention", "convolutional", "--json"])
    assert len(json.loads(res.stdout)) == 2
    bad = runner.invoke(cli, ["--db", str(db), "ablate", "attention", "--years", "soon"])
    assert bad.exit_code == 2 and "--years" in bad.stderr
