"""Two small made-up hubs whose citations carry every kind of label the browser shows.

The PPO sample has no per-citation labels; these bundles do (roles, polarities,
contexts, claims with engagements, years, citation counts, a second hub cited by
some of the same papers), and some of their titles are hostile: markup, terminal
escapes, wide characters.
"""

from __future__ import annotations

import json
from pathlib import Path

MARKUP_TITLE = "[@click=app.quit]Click[/] me [bold red]now[/]"
ESCAPE_TITLE = "Clear\x1b[2J the \x1b]52;c;aGk=\x07screen"
WIDE_TITLE = "深層学習の再現性 🧪 with widgets"

HUB = "Scaling Laws for Synthetic Widgets"
HUB2 = "A Survey of Gizmo Methods"

# key, title, year, roles, polarity, summary, citation count, cites gizmo too
CITING = [
    (
        "w1",
        "Widget Scaling Revisited",
        2024,
        ["method", "comparison"],
        "critical",
        "Finds that widget loss bends away from a power law beyond ten billion parameters.",
        40,
        True,
    ),
    (
        "w2",
        "Compute-Optimal Widget Training",
        2023,
        ["extension"],
        "supportive",
        "Extends the widget scaling laws to jointly choose data and compute budgets.",
        120,
        True,
    ),
    (
        "w3",
        "Weak-to-Strong Widget Generalisation",
        2022,
        ["background"],
        "neutral",
        "Shows weak widget teachers can supervise strong widget students.",
        15,
        False,
    ),
    (
        "w4",
        MARKUP_TITLE,
        2021,
        ["method"],
        "supportive",
        "A title with markup in it [b]that must stay literal[/b].",
        3,
        False,
    ),
    (
        "w5",
        ESCAPE_TITLE,
        2020,
        ["critique"],
        "critical",
        "A title with terminal escapes that must not clear the screen.",
        None,
        False,
    ),
    (
        "w6",
        WIDE_TITLE,
        2019,
        ["background"],
        "neutral",
        "Wide characters 表 and emoji 🚀 must not break the layout.",
        8,
        True,
    ),
    (
        "w7",
        "Gizmo Widgets at Scale",
        2024,
        ["comparison"],
        "supportive",
        "Compares gizmo and widget scaling on one benchmark.",
        55,
        False,
    ),
    ("w8", "Unlabelled Widget Notes", 2018, [], None, None, None, False),
]


def widgets_bundle() -> dict:
    """The widgets hub: labelled citations, two claims, co-cited works, representatives."""
    papers = [
        {
            "key": "hub",
            "title": HUB,
            "year": 2020,
            "venue": "Journal of Widgets",
            "abstract": "We study how widget loss scales with model size, data and compute. "
            "Loss follows a power law over seven orders of magnitude.",
            "url": "https://example.org/widgets",
            "citation_count": 4321,
            "ids": {"doi": "10.9999/widgets.2020", "arxiv": "2001.00001"},
            "authors": ["Ada Widget", "Bo Gizmo", "[red]Cy[/] Sprocket"],
        },
        {
            "key": "gizmo",
            "title": HUB2,
            "year": 2018,
            "ids": {"arxiv": "1801.00002"},
        },
        {
            "key": "c1",
            "title": "Sprocket Dynamics",
            "year": 2017,
        },
        {
            "key": "c2",
            "title": "Cog Theory",
            "year": 2016,
        },
    ]
    citations = []
    for key, title, year, roles, pol, summary, cc, _ in CITING:
        papers.append(
            {
                "key": key,
                "title": title,
                "year": year,
                "summary": summary,
                "summary_source": "synthetic" if summary else None,
                "citation_count": cc,
                "ids": {"doi": f"10.9999/{key}"},
            }
        )
        edge = {
            "citing": key,
            "cited": "hub",
            "roles": roles,
            "polarity": pol,
            "influential": key == "w2",
        }
        if roles:
            edge["contexts"] = [
                {"text": f"As shown by the widget laws [{key}], loss falls.", "roles": roles[:1]}
            ]
        citations.append(edge)
    return {
        "format": "citetui-bundle",
        "version": 1,
        "source": {"name": "synthetic-widgets"},
        "hub": {
            "paper": "hub",
            "tier": "mega hub",
            "verdict": "Mostly supportive",
            "claims": [
                {
                    "text": "Widget loss follows a power law in model size.",
                    "engaged_by": [
                        {
                            "paper": "w1",
                            "stance": "critical",
                            "context": "We find the power law breaks down.",
                        },
                        {"paper": "w2", "stance": "supportive"},
                        {"paper": "w7", "stance": "supportive"},
                    ],
                },
                {
                    "text": "Data and compute should be scaled together.",
                    "engaged_by": [
                        {"paper": "w2", "stance": "supportive"},
                        {"paper": "w3", "stance": "neutral"},
                    ],
                },
            ],
            "cocited": [{"paper": "gizmo", "count": 7}, {"paper": "c1", "count": 3}],
            "representative": ["w2", "w1", "w6"],
        },
        "papers": papers,
        "citations": citations,
    }


def gizmo_bundle() -> dict:
    """The second hub, cited by some of the widget papers."""
    papers = [
        {
            "key": "gizmo",
            "title": HUB2,
            "year": 2018,
            "ids": {"arxiv": "1801.00002"},
            "abstract": "A survey of gizmo methods.",
            "authors": ["Di Gizmo"],
        }
    ]
    citations = []
    for key, title, year, _roles, _pol, _summary, _cc, cites_gizmo in CITING:
        if not cites_gizmo:
            continue
        papers.append({"key": key, "title": title, "year": year, "ids": {"doi": f"10.9999/{key}"}})
        citations.append(
            {"citing": key, "cited": "gizmo", "roles": ["background"], "polarity": "neutral"}
        )
    return {
        "format": "citetui-bundle",
        "version": 1,
        "source": {"name": "synthetic-gizmo"},
        "hub": {"paper": "gizmo", "tier": "hub", "verdict": "Background citations"},
        "papers": papers,
        "citations": citations,
    }


def write_bundles(directory: Path) -> list[Path]:
    """Write both bundles as JSON files in ``directory``."""
    out = []
    for name, bundle in (("widgets.json", widgets_bundle()), ("gizmo.json", gizmo_bundle())):
        path = directory / name
        path.write_text(json.dumps(bundle, ensure_ascii=False, indent=1), encoding="utf-8")
        out.append(path)
    return out
