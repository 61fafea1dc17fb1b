"""Exports: each format read back with its own parser, and the JSON bundle round-trips."""

from __future__ import annotations

import csv
import io
import json
import os
from pathlib import Path

import bibtexparser
import jsonschema
import pytest
import rispy
from markdown_it import MarkdownIt
from pylatexenc.latex2text import LatexNodes2Text

from citetui.cli import cli
from citetui.export import FORMATS, build_view, export
from citetui.export.bibtex import escape, unescape
from citetui.export.keys import assign_keys
from citetui.ingest import import_files
from citetui.search.resolver import resolve_hub
from citetui.store import Library
from tests.conftest import ppo_id
from tests.libdump import counts, dump

REPO = Path(__file__).resolve().parents[1]
SCHEMA = json.loads((REPO / "citetui" / "schemas" / "bundle.schema.json").read_text())

ESC_TITLE = "\x1b[31mRed\x1b[0m alert: \x1b]0;pwned\x07 titles \u202eevil"
HUB_TITLE = 'Attention & "Tricks": 100% of $cost_{x} #1 {open \\ ~^ <b>bold</b> *em* [l](x)'


def as_file_line(text: str) -> str:
    """What an export to a file writes for a one-line field: escapes gone, spaces collapsed."""
    for seq in ("\x1b[31m", "\x1b[0m", "\x1b]0;pwned\x07"):
        text = text.replace(seq, "")
    return " ".join(text.split())


def tricky_bundle() -> dict:
    """A hub whose strings stress every format: LaTeX and Markdown specials, escapes, bidi."""
    return {
        "format": "citetui-bundle",
        "version": 1,
        "source": {"name": "test-bundle"},
        "hub": {
            "paper": "hub",
            "tier": "mega hub",
            "verdict": "Mixed citations",
            "recorded_summaries": {"role": [{"label": "background", "share": 0.5, "count": 2}]},
            "claims": [
                {
                    "text": "Attention is *all* you need",
                    "engaged_by": [
                        {"paper": "p1", "stance": "supportive", "context": "We rely on it [12]."},
                        {"paper": "p3", "stance": "critical"},
                    ],
                },
                {"text": "It scales", "engaged_by": [{"paper": "p1", "stance": "neutral"}]},
            ],
            "cocited": [{"paper": "p6", "count": 3}],
            "representative": ["p3", "p1"],
        },
        "papers": [
            {
                "key": "hub",
                "title": HUB_TITLE,
                "year": 2017,
                "venue": "NeurIPS",
                "abstract": "First line.\n\n- not a list\n1. not numbered either\n# nor a heading",
                "ids": {"doi": "10.1000/xyz<1>", "arxiv": "1706.03762"},
                "authors": ["Ada Lovelace", "Smith and Sons", "Émile Zola"],
            },
            {
                "key": "p1",
                "title": ESC_TITLE,
                "year": 2020,
                "authors": ["Grace Hopper"],
                "summary": "A one-liner.",
                "summary_source": "tldr@v2.0.0",
                "ids": {"s2": "a" * 40, "corpus_id": 42},
                "citation_count": 7,
            },
            {
                "key": "p2",
                "title": "Deep learning for cats",
                "year": 2020,
                "authors": ["Jo Smith"],
                "ids": {"doi": "10.1/cats"},
            },
            {
                "key": "p3",
                "title": "Deep learning for dogs",
                "year": 2020,
                "authors": ["Al Smith"],
                "ids": {"doi": "10.1/dogs"},
            },
            {
                "key": "p4",
                "title": "1. Numbered - title",
                "venue": "arXiv",
                "ids": {"openalex": "W123"},
            },
            {"key": "p5", "title": None, "summary": "Only a summary here."},
            {"key": "p6", "title": "A co-cited work", "year": 2015, "authors": ["Ng, Andrew"]},
        ],
        "citations": [
            {
                "citing": "p1",
                "cited": "hub",
                "roles": ["method", "background"],
                "polarity": "supportive",
                "influential": True,
                "contexts": [
                    {"text": "We use it [12].", "roles": ["method"]},
                    {"text": "As in\n[12], we train.", "roles": []},
                ],
            },
            {
                "citing": "p2",
                "cited": "hub",
                "roles": ["comparison"],
                "polarity": "critical",
                "influential": False,
            },
            {"citing": "p3", "cited": "hub", "roles": ["critique"]},
            {"citing": "p4", "cited": "hub"},
            {
                "citing": "p5",
                "cited": "hub",
                "roles": ["background"],
                "contexts": [{"text": "Manual note.", "roles": ["background"]}],
                "source": "my-notes",
            },
            {
                "citing": "p5",
                "cited": "hub",
                "roles": ["extension"],
                "contexts": [{"text": "S2 context.", "roles": ["extension"]}],
                "source": "semantic-scholar",
            },
            {"citing": "p1", "cited": "p6", "roles": ["background"]},
            {"citing": "p2", "cited": "p6"},
        ],
    }


@pytest.fixture
def tricky(tmp_path) -> tuple[Library, int]:
    path = tmp_path / "tricky.json"
    path.write_text(json.dumps(tricky_bundle()), encoding="utf-8")
    lib = Library(tmp_path / "tricky.db", create=True)
    import_files(lib, [path])
    hub = resolve_hub(lib, "10.1000/xyz<1>")
    # The test is about data that reached the library as it was: make sure it did.
    assert "\x1b" in lib.find_paper_by_id("CorpusID:42").title
    yield lib, hub.paper.id
    lib.close()


def reimport(tmp_path: Path, text: str, name: str = "again") -> Library:
    path = tmp_path / f"{name}.json"
    path.write_text(text, encoding="utf-8")
    lib = Library(tmp_path / f"{name}.db", create=True)
    import_files(lib, [path])
    return lib


# -- JSON: a bundle that imports back into the same library ---------------------


def test_json_export_is_a_valid_bundle_that_reimports_to_the_same_library(tricky, tmp_path):
    lib, hub = tricky
    text = export(lib, hub, "json")
    doc = json.loads(text)
    jsonschema.validate(doc, SCHEMA)
    assert len(doc["papers"]) == 7 and doc["papers"][0]["title"] == HUB_TITLE
    again = reimport(tmp_path, text)
    assert dump(again) == dump(lib)
    assert counts(dump(lib))["labels"] >= 8 and counts(dump(lib))["contexts"] == 4
    # ... and the rebuilt library exports to the very same text, in every format.
    hub2 = resolve_hub(again, "10.1000/xyz<1>").paper.id
    for fmt in FORMATS:
        assert export(again, hub2, fmt) == export(lib, hub, fmt), fmt


def test_json_keeps_each_sources_labels_and_contexts(tricky):
    lib, hub = tricky
    doc = json.loads(export(lib, hub, "json"))
    keys = {p.get("title") or p.get("summary"): p["key"] for p in doc["papers"]}
    p5 = [c for c in doc["citations"] if c["citing"] == keys["Only a summary here."]]
    assert [(c.get("source"), c["roles"], [x["text"] for x in c["contexts"]]) for c in p5] == [
        ("my-notes", ["background"], ["Manual note."]),
        ("semantic-scholar", ["extension"], ["S2 context."]),
    ]


def test_json_escapes_terminal_characters_losslessly(tricky):
    lib, hub = tricky
    text = export(lib, hub, "json")
    assert "\x1b" not in text and "\u202e" not in text and "\x07" not in text
    assert "\\u001b[31mRed" in text and "\\u202e" in text
    titles = [p.get("title") for p in json.loads(text)["papers"]]
    assert ESC_TITLE in titles


def test_sample_round_trips_through_json(sample_lib, tmp_path):
    text = export(sample_lib, ppo_id(sample_lib), "json")
    again = reimport(tmp_path, text)
    assert dump(again) == dump(sample_lib)
    assert counts(dump(again))["papers"] == 67 and counts(dump(again))["citations"] == 66


def test_filtered_json_holds_only_the_view(tricky, tmp_path):
    lib, hub = tricky
    doc = json.loads(export(lib, hub, "json", "role:method,comparison"))
    jsonschema.validate(doc, SCHEMA)
    citing_hub = {c["citing"] for c in doc["citations"] if c["cited"] == doc["hub"]["paper"]}
    titles = {p["key"]: p.get("title") for p in doc["papers"]}
    assert {titles[k] for k in citing_hub} == {ESC_TITLE, "Deep learning for cats"}
    # p3 (critique) is out of the view: its engagement and its representative slot go too.
    assert doc["hub"]["representative"] == [k for k in citing_hub if titles[k] == ESC_TITLE]
    again = reimport(tmp_path, json.dumps(doc), "view")
    h = resolve_hub(again, "10.1000/xyz<1>").paper.id
    assert again.count_citing(h) == 2


# -- BibTeX ------------------------------------------------------------------


def test_bibtex_parses_with_bibtexparser_and_round_trips_the_data(tricky):
    lib, hub = tricky
    text = export(lib, hub, "bibtex")
    parsed = bibtexparser.parse_string(text)
    assert not parsed.failed_blocks
    entries = parsed.entries
    view = build_view(lib, hub)
    assert [e.key for e in entries] == [i.key for i in view.items]
    assert len({e.key for e in entries}) == 6
    by_key = {e.key: e for e in entries}
    for item in view.items:
        e = by_key[item.key]
        title = e.fields_dict.get("title")
        if item.paper.title:
            assert unescape(title.value) == as_file_line(item.paper.title)
        else:
            assert title is None
    hub_entry = by_key[view.items[0].key]
    assert hub_entry.entry_type == "article"
    assert hub_entry["journal"] == "NeurIPS" and hub_entry["doi"] == r"10.1000/xyz<1>"
    assert hub_entry["author"] == r"Ada Lovelace and {Smith and Sons} and Émile Zola"
    assert hub_entry["citetui-hub"] == "true"
    # An independent LaTeX reader sees specials as typed (pylatexenc does not know
    # \textbraceleft and turns \textasciicircum into U+02C6, so those are left out here).
    plain = 'Attention & "Tricks": 100% of $cost #1 \\ ~x_y [l](x) <b>'
    assert LatexNodes2Text().latex_to_text(escape(plain)) == plain
    p1 = next(e for e in entries if e.fields_dict.get("citetui-corpusid"))
    assert p1["citetui-roles"] == "background, method"
    assert p1["citetui-polarity"] == "supportive" and p1["citetui-influential"] == "true"
    assert p1["citetui-claims"] == "1: supportive, 2: neutral"
    assert p1["annote"].split("\n\n") == ["[method] We use it [12].", "As in [12], we train."]
    assert p1["citetui-summary-source"] == "tldr@v2.0.0"


def test_bibtex_escape_is_invertible_and_balanced():
    for text in [HUB_TITLE, "}{", "\\textbackslash{}", "a_b^c~d", "100%", "{{{", "plain"]:
        esc = escape(text)
        assert unescape(esc) == text
        depth = 0
        for ch in esc:
            depth += {"{": 1, "}": -1}.get(ch, 0)
            assert depth >= 0
        assert depth == 0


def test_stdout_keeps_the_terminal_safe_in_every_format(tricky, runner):
    lib, hub = tricky
    for fmt in FORMATS:
        result = runner.invoke(cli, ["--db", str(lib.path), "export", str(hub), "--format", fmt])
        assert result.exit_code == 0, result.output
        out = result.stdout
        assert not any(c in out for c in "\x1b\x07\x9b\u202e"), fmt
        if fmt != "json":  # JSON keeps them, escaped as \\uXXXX
            assert "Red alert: titles evil" in out, fmt
    assert bibtexparser.parse_string(
        runner.invoke(cli, ["--db", str(lib.path), "export", str(hub), "--format", "bibtex"]).stdout
    ).entries


# -- keys ----------------------------------------------------------------------


def test_keys_are_unique_readable_and_independent_of_row_ids(tricky, tmp_path):
    lib, hub = tricky
    view = build_view(lib, hub)
    keys = [i.key for i in view.items]
    assert keys[0] == "lovelace2017attention"
    smiths = sorted(k for k in keys if k.startswith("smith2020deep"))
    assert len(smiths) == 2 and all(len(k) == len("smith2020deep-") + 4 for k in smiths)
    assert "ng2015co" not in keys  # co-cited, not citing: not in the view
    # The same papers inserted in reverse order (other row ids) get the same keys.
    papers = [i.paper for i in view.items]
    reordered = {p.id: k for p, k in zip(papers, keys, strict=True)}
    assert assign_keys(reversed(papers)) == reordered


def test_a_key_holds_no_part_of_an_escape_sequence():
    from citetui.core.models import Paper

    paper = Paper(
        id=1,
        title="\x1b[31mRed\x1b[0m alert: \x1b]8;;http://x\x07link\x1b]8;;\x07 titles",
        year=2022,
        authors=["\x1b[31mMallory\x1b[0m Red"],
    )
    assert assign_keys([paper]) == {1: "red2022red"}


# -- CSV -----------------------------------------------------------------------


def test_csv_reads_back_with_the_csv_module(tricky):
    lib, hub = tricky
    rows = list(csv.DictReader(io.StringIO(export(lib, hub, "csv"))))
    view = build_view(lib, hub)
    assert [r["key"] for r in rows] == [i.key for i in view.items]
    assert [r["relation"] for r in rows] == ["hub"] + ["citing"] * 5
    hub_row = rows[0]
    assert hub_row["title"] == HUB_TITLE
    assert hub_row["authors"] == "Ada Lovelace; Smith and Sons; Émile Zola"
    assert hub_row["abstract"] == tricky_bundle()["papers"][0]["abstract"]
    p1 = next(r for r in rows if r["corpus_id"] == "42")
    assert p1["title"] == "Red alert: titles \u202eevil"  # controls gone, bidi data kept
    assert p1["roles"] == "background;method" and p1["polarity"] == "supportive"
    assert p1["influential"] == "true" and p1["claims"] == "1: supportive, 2: neutral"
    assert p1["contexts"].split("\n") == ["[method] We use it [12].", "As in [12], we train."]
    assert p1["summary_source"] == "tldr@v2.0.0" and p1["citation_count"] == "7"
    p5 = next(r for r in rows if r["summary"] == "Only a summary here.")
    assert p5["title"] == "" and p5["year"] == ""


# -- RIS -----------------------------------------------------------------------


def test_ris_reads_back_with_rispy(tricky):
    lib, hub = tricky
    text = export(lib, hub, "ris")
    entries = rispy.loads(text)
    view = build_view(lib, hub)
    assert [e["id"] for e in entries] == [i.key for i in view.items]
    h = entries[0]
    assert h["type_of_reference"] == "JOUR" and h["title"] == HUB_TITLE
    assert h["authors"] == ["Ada Lovelace", "Smith and Sons", "Émile Zola"]
    assert h["secondary_title"] == "NeurIPS" and h["doi"] == "10.1000/xyz<1>"
    assert h["abstract"] == ("First line. - not a list 1. not numbered either # nor a heading")
    assert "Claim 1. Attention is *all* you need" in h["notes"]
    p1 = next(e for e in entries if "CorpusID: 42" in e.get("notes", []))
    assert set(p1["keywords"]) == {
        "citetui-role: background",
        "citetui-role: method",
        "citetui-polarity: supportive",
        "citetui-influential",
    }
    assert "Context [method]: We use it [12]." in p1["notes"]
    assert "Context: As in [12], we train." in p1["notes"]
    assert "Claim 1: supportive" in p1["notes"]
    assert "Summary (tldr@v2.0.0): A one-liner." in p1["notes"]
    p4 = next(e for e in entries if e.get("title") == "1. Numbered - title")
    assert p4["type_of_reference"] == "GEN"


# -- Markdown --------------------------------------------------------------------


def _inline_text(token) -> str:
    return "".join(
        "\n" if c.type == "softbreak" else c.content
        for c in token.children
        if c.type in ("text", "code_inline", "softbreak")
    )


def test_markdown_parses_into_the_expected_structure_with_literal_text(tricky):
    lib, hub = tricky
    text = export(lib, hub, "markdown")
    tokens = MarkdownIt("commonmark").parse(text)
    headings = [
        (t.tag, _inline_text(tokens[i + 1]))
        for i, t in enumerate(tokens)
        if t.type == "heading_open"
    ]
    view = build_view(lib, hub)
    assert headings[0] == ("h1", HUB_TITLE)
    h3 = [h for tag, h in headings if tag == "h3"]
    assert h3 == [
        f"{n}. {as_file_line(i.paper.display_title)}" for n, i in enumerate(view.citing, 1)
    ]
    # Data never turns into HTML, emphasis, links or lists of its own.
    kinds = {t.type for t in tokens} | {c.type for t in tokens for c in (t.children or [])}
    assert not kinds & {"html_inline", "html_block", "image"}
    emphasised = [
        t.children[i + 1].content
        for t in tokens
        for i, c in enumerate(t.children or [])
        if c.type == "em_open"
    ]
    coverage = [view.summary.coverage(k).line(k) for k in ("role", "polarity")]
    assert [e for e in emphasised if e.startswith("computed")] == coverage
    assert all(e.startswith(("computed", "recorded")) for e in emphasised)
    links = [c for t in tokens for c in (t.children or []) if c.type == "link_open"]
    assert all(c.attrs["href"].startswith("https://") for c in links)
    abstract = next(
        _inline_text(tokens[i + 1])
        for i, t in enumerate(tokens)
        if t.type == "paragraph_open" and "First line" in tokens[i + 1].content
    )
    assert abstract == "First line."
    after = [
        _inline_text(tokens[i + 1]) for i, t in enumerate(tokens) if t.type == "paragraph_open"
    ]
    assert "- not a list\n1. not numbered either\n# nor a heading" in after
    quotes = [i for i, t in enumerate(tokens) if t.type == "blockquote_open"]
    assert len(quotes) == 4  # p1's two contexts, p5's two sources' contexts


def test_markdown_escapes_do_not_alter_the_rendered_text():
    from citetui.export.markdown import md_text

    md = MarkdownIt("commonmark")
    for text in [HUB_TITLE, "a_b_c", "&copy; &amp;", "1) x", "+ y", "> q", "`code`", "~~s~~"]:
        tokens = md.parse(md_text(text, line_start=True))
        assert [t.type for t in tokens] == ["paragraph_open", "inline", "paragraph_close"], text
        assert _inline_text(tokens[1]) == text


# -- queries and the CLI -----------------------------------------------------------


def test_query_selects_the_same_papers_as_search(tricky):
    from citetui.search import search

    lib, hub = tricky
    for q in ["role:method", "pol:critical", "deep learning", "role:critique dogs", "year:2020"]:
        view = build_view(lib, hub, q)
        expected = {r.paper_id for r in search(lib, q, hub_id=hub, limit=None).rows}
        assert {i.paper.id for i in view.citing} == expected, q
        assert expected, q


def test_cli_export_writes_files_atomically_and_infers_the_format(sample_lib, runner, tmp_path):
    db = str(sample_lib.path)
    out = tmp_path / "ppo.bib"
    result = runner.invoke(cli, ["--db", db, "export", "ppo", "-o", str(out)])
    assert result.exit_code == 0, result.output
    entries = bibtexparser.parse_string(out.read_text(encoding="utf-8")).entries
    assert len(entries) == 67 and entries[0].key == "schulman2017proximal"
    assert [p.name for p in tmp_path.iterdir() if p.name.startswith(".")] == []
    umask = os.umask(0)
    os.umask(umask)
    assert out.stat().st_mode & 0o777 == 0o666 & ~umask  # not mkstemp's private 0600
    for fmt, suffix in FORMATS.items():
        path = tmp_path / f"out{suffix}"
        result = runner.invoke(cli, ["--db", db, "export", "ppo", "-o", str(path), "--json"])
        assert result.exit_code == 0, result.output
        assert json.loads(result.stdout) == {
            "path": str(path),
            "format": fmt,
            "hub": ppo_id(sample_lib),
            "query": None,
            "citing_papers": 66,
            "citing_in_library": 66,
        }
        assert path.read_text(encoding="utf-8") == export(sample_lib, ppo_id(sample_lib), fmt)
    result = runner.invoke(cli, ["--db", db, "export", "ppo", "-o", str(out), "-q", "learning"])
    assert result.exit_code == 0
    assert result.stderr.startswith(f"wrote {out} (bibtex): the hub and ")
    n = int(result.stderr.split("the hub and ")[1].split()[0])
    assert 0 < n < 66 and len(bibtexparser.parse_string(out.read_text()).entries) == 1 + n


def test_cli_export_failures_are_one_line(sample_lib, runner, tmp_path):
    db = str(sample_lib.path)
    cases = [
        (["export", "no such hub at all", "--format", "csv"], 4, "no hub matches"),
        (["export", "ppo", "--format", "csv", "-q", "role:nonsense"], 2, "bad query"),
        (["export", "ppo", "-o", str(tmp_path / "x.txt")], 2, "--format"),
        (["export", "ppo", "--format", "csv", "--json"], 2, "-o"),
        (
            ["export", "ppo", "--format", "ris", "-o", str(tmp_path / "missing" / "x.ris")],
            1,
            "cannot write",
        ),
    ]
    for args, code, text in cases:
        result = runner.invoke(cli, ["--db", db, *args])
        assert result.exit_code == code, (args, result.output)
        assert text in result.stderr and "Traceback" not in result.output
    assert not (tmp_path / "missing").exists()


# -- real data ---------------------------------------------------------------------


COCITED = "843959ffdccf31c6694d135fad07425924f785b1"  # cited by both papers' reference lists


def test_real_semantic_scholar_references_export_and_round_trip(shared_real, tmp_path):
    from citetui.ingest import FORMATS as IMPORT_FORMATS

    if "s2" not in IMPORT_FORMATS:
        pytest.skip("the Semantic Scholar importer is not registered")
    s2 = shared_real / "s2"
    pages = [
        s2 / "references_CorpusID49313245_page0.json",
        s2 / "references_CorpusID1033682_page0.json",
        s2 / "references_CorpusID1033682_page100.json",
    ]
    lib = Library(tmp_path / "real.db", create=True)
    import_files(lib, pages, hub=COCITED)
    hub = resolve_hub(lib, COCITED).paper.id
    citing = build_view(lib, hub).citing
    assert sorted(i.paper.corpus_id for i in citing) == [1033682, 49313245]
    before = dump(lib)
    assert counts(before)["contexts"] > 0 and counts(before)["labels"] > 0
    again = reimport(tmp_path, export(lib, hub, "json"))
    assert dump(again) == before  # both papers' whole reference lists came along
    entries = bibtexparser.parse_string(export(lib, hub, "bibtex")).entries
    assert len(entries) == 3
    for item in citing:
        e = next(x for x in entries if x.key == item.key)
        contexts = [
            (f"[{', '.join(c.roles)}] " if c.roles else "") + " ".join(c.text.split())
            for c in item.edge.contexts
        ]
        if contexts:
            assert [unescape(a) for a in e["annote"].split("\n\n")] == contexts
        if item.roles:
            assert e["citetui-roles"] == ", ".join(item.roles)


# -- computed panes do not depend on the order papers arrived in ----------------


def _ties_bundle(reverse: bool) -> dict:
    """A hub whose citing papers tie everywhere (no counts, no influential flags, one year)
    and share co-cited works equally often: only what the papers are can order them."""
    papers = [{"key": "hub", "title": "The Hub", "year": 2017, "ids": {"arxiv": "1700.00001"}}]
    papers += [
        {"key": f"w{i}", "title": f"Co-cited work {chr(65 + i)}", "year": 2015} for i in range(4)
    ]
    citing = [
        {"key": f"c{i}", "title": f"Citing paper {i:02d} on {chr(90 - i % 26)}", "year": 2020}
        for i in range(40)
    ]
    cites = []
    for i, c in enumerate(citing):
        cites.append(
            {
                "citing": c["key"],
                "cited": "hub",
                "roles": [("background", "method", "comparison")[i % 3]],
            }
        )
        cites += [{"citing": c["key"], "cited": f"w{j}"} for j in range(4)]
    if reverse:
        citing.reverse()
        cites.reverse()
    return {
        "format": "citetui-bundle",
        "version": 1,
        "source": {"name": "ties"},
        "hub": {
            "paper": "hub",
            "claims": [
                {
                    "text": "A claim.",
                    "engaged_by": [
                        {"paper": f"c{i}", "stance": "supportive"} for i in range(0, 40, 7)
                    ],
                }
            ],
        },
        "papers": papers + citing if not reverse else citing + papers,
        "citations": cites,
    }


def _panes(lib: Library) -> tuple:
    page = lib.hub_page(resolve_hub(lib, "1700.00001").paper.id)
    return (
        [c.paper.title for c in page.cocited],
        [p.title for p in page.representative],
        [[e.title for e in c.engagements] for c in page.claims],
    )


def test_computed_panes_are_the_same_whatever_order_papers_arrive_in(tmp_path):
    libs = [reimport(tmp_path, json.dumps(_ties_bundle(rev)), f"order{rev}") for rev in (0, 1)]
    first, second = (_panes(lib) for lib in libs)
    assert first == second
    assert len(first[0]) == 4 and len(first[1]) == 25
    # ... and an exported bundle imported again gives those panes too
    hub = resolve_hub(libs[1], "1700.00001").paper.id
    again = reimport(tmp_path, export(libs[1], hub, "json"), "exported")
    assert _panes(again) == first
