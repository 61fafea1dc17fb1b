"""Semantic Scholar Graph API imports, checked against the real records in ../shared.

Expected values are computed from the files themselves, never typed in.
"""

from __future__ import annotations

import gzip
import json
from pathlib import Path

import pytest

from citetui.cli import cli
from citetui.core.ids import norm_title
from citetui.search.resolver import resolve_hub
from citetui.store import Library

INTENT = {"background": "background", "methodology": "method", "result": "comparison"}
REFERENCE_PAGES = [
    "references_CorpusID49313245_page0.json",
    "references_CorpusID1033682_page0.json",
    "references_CorpusID1033682_page100.json",
]


def run(runner, db, *args):
    return runner.invoke(cli, ["--db", str(db), *args], catch_exceptions=False)


def imported(runner, db, *args) -> list[dict]:
    result = run(runner, db, "import", "--json", *args)
    assert result.exit_code == 0, result.stderr
    return json.loads(result.stdout)


def one_line_error(result, *parts: str) -> str:
    assert result.exit_code != 0
    err = result.stderr.strip()
    assert "Traceback" not in err and len(err.splitlines()) == 1, err
    for part in parts:
        assert part in err, err
    return err


def paper_key(p: dict):
    """How the file identifies a paper: paperId, else corpus id, else title and year."""
    if p.get("paperId"):
        return p["paperId"]
    if p.get("corpusId"):
        return ("corpus", int(p["corpusId"]))
    return ("title", norm_title(p["title"]), p.get("year"))


def expected_edge(e: dict) -> tuple[set[str], list[tuple[str, set[str]]], bool | None]:
    """(roles, contexts with their roles, influential) of an edge record, from its fields."""
    roles = {INTENT.get(i, "unknown") for i in e.get("intents") or []}
    contexts, seen = [], set()
    for c in e.get("contextsWithIntent") or []:
        croles = {INTENT.get(i, "unknown") for i in c.get("intents") or []}
        roles |= croles
        if c["context"] not in seen:
            seen.add(c["context"])
            contexts.append((c["context"], croles))
    for text in e.get("contexts") or []:
        if text not in seen:
            seen.add(text)
            contexts.append((text, set()))
    return roles, contexts, e.get("isInfluential")


def library_key(p) -> object:
    if p.s2_id:
        return p.s2_id
    if p.corpus_id:
        return ("corpus", p.corpus_id)
    return ("title", norm_title(p.title), p.year)


@pytest.mark.parametrize("name", REFERENCE_PAGES)
def test_a_references_page_imports_every_edge_with_roles_contexts_and_influence(
    runner, tmp_path, shared_real, name
):
    page = json.loads((shared_real / "s2" / name).read_text())
    focal_corpus = int(name.split("CorpusID")[1].split("_")[0])
    db = tmp_path / "lib.db"
    report = imported(runner, db, str(shared_real / "s2" / name))[0]
    distinct = {paper_key(e["citedPaper"]) for e in page["data"]}
    assert report["format"] == "s2"
    assert report["added"]["papers"] == len(distinct) + 1  # the cited papers and the focal one
    assert report["added"]["citations"] == len(distinct)
    assert report["added"].get("contexts", 0) == sum(len(expected_edge(e)[1]) for e in page["data"])
    assert report["hubs"] == [] and report["skipped"] == []  # a /references page names no hub

    lib = Library(db)
    focal = lib.find_paper_by_id(f"CorpusID:{focal_corpus}")
    assert focal is not None and focal.title is None  # the page does not carry its record
    got = {library_key(p): c for p, c in lib.cited_by(focal.id)}
    assert len(got) == len(distinct)
    for e in page["data"]:
        roles, contexts, influential = expected_edge(e)
        c = got[paper_key(e["citedPaper"])]
        assert set(c.roles) == roles
        assert [(x.text, set(x.roles)) for x in c.contexts] == contexts
        assert c.influential is influential
        assert {lab.value for lab in c.labels if lab.kind == "role"} == roles
        assert all(lab.source == "semantic-scholar" for lab in c.labels)
    # the figures PROVENANCE.md gives for the first page, as a cross-check of the reading above
    if name == REFERENCE_PAGES[0]:
        assert sum(1 for e in page["data"] if e["contexts"]) == 61
        assert sum(1 for c in got.values() if c.influential) == 7
    lib.close()


def test_cited_paper_fields_are_read_in_full(runner, tmp_path, shared_real):
    name = REFERENCE_PAGES[0]
    page = json.loads((shared_real / "s2" / name).read_text())
    db = tmp_path / "lib.db"
    imported(runner, db, str(shared_real / "s2" / name))
    lib = Library(db)
    for e in page["data"]:
        p = e["citedPaper"]
        if not p["paperId"]:
            continue
        got = lib.find_paper_by_id(p["paperId"])
        ext = p["externalIds"] or {}
        assert got.title == p["title"] and got.year == p["year"]
        assert got.abstract == p["abstract"]  # null abstracts stay null
        assert got.citation_count == p["citationCount"]
        assert got.corpus_id == int(p["corpusId"])
        assert got.doi == (ext["DOI"].lower() if ext.get("DOI") else got.doi)
        if ext.get("ArXiv"):
            assert got.arxiv == ext["ArXiv"].lower()
        assert list(got.authors) == [a["name"] for a in p["authors"] if a["name"]]
        assert got.venue == (
            p["venue"]
            or (p["publicationVenue"] or {}).get("name")
            or (p["journal"] or {}).get("name")
            or None
        )
    lib.close()


def test_reimporting_a_page_changes_nothing(runner, tmp_path, shared_real):
    path = str(shared_real / "s2" / REFERENCE_PAGES[0])
    db = tmp_path / "lib.db"
    first = imported(runner, db, path)[0]
    second = imported(runner, db, path)[0]
    assert second["added"] == {} and second["updated"] == {}
    assert second["unchanged"]["citations"] == first["added"]["citations"]


def test_two_pages_of_one_walk_and_papers_shared_between_walks(runner, tmp_path, shared_real):
    db = tmp_path / "lib.db"
    paths = [str(shared_real / "s2" / n) for n in REFERENCE_PAGES]
    imported(runner, db, *paths)
    pages = [json.loads(Path(p).read_text()) for p in paths]
    by_focal: dict[str, set] = {}
    for name, page in zip(REFERENCE_PAGES, pages, strict=True):
        focal = name.split("_")[1]
        by_focal.setdefault(focal, set()).update(paper_key(e["citedPaper"]) for e in page["data"])
    everything = set().union(*by_focal.values())
    shared = set.intersection(*by_focal.values())
    assert shared  # the real pages do share cited papers: they must be one paper each
    stats = json.loads(run(runner, db, "stats", "--json").stdout)
    assert stats["papers"] == len(everything) + len(by_focal)
    assert stats["citations"] == sum(len(v) for v in by_focal.values())
    lib = Library(db)
    for key in shared:
        p = lib.find_paper_by_id(key)
        citing = [r.paper_id for r in lib.citing_rows(p.id, limit=10)]
        assert len(citing) == 2
    lib.close()


# -- the recorded /citations walk -------------------------------------------------


def cassette_pages(shared_real) -> list[str]:
    yaml = pytest.importorskip("yaml")
    doc = yaml.safe_load(
        (shared_real / "s2" / "citations_CorpusID14514057_19pages.vcr.yaml").read_text()
    )
    pages = []
    for it in doc["interactions"]:
        resp = it["response"]
        body = resp.get("content")
        if body is None:
            body = resp["body"]["string"]
        pages.append(body if isinstance(body, str) else body.decode())
    return pages


def write_pages(tmp_path, pages, pattern: str) -> list[str]:
    out = []
    for i, body in enumerate(pages):
        p = tmp_path / pattern.format(i=i)
        p.write_text(body)
        out.append(str(p))
    return out


def test_the_recorded_citations_walk_imports_as_the_1881_paper_hub(runner, tmp_path, shared_real):
    pages = cassette_pages(shared_real)
    records = [e for body in pages for e in json.loads(body)["data"]]
    assert len(pages) == 19 and len(records) == 1881
    distinct = {paper_key(e["citingPaper"]) for e in records}
    paths = write_pages(tmp_path, pages, "citations_CorpusID14514057_page{i:02d}.json")
    db = tmp_path / "lib.db"
    reports = imported(runner, db, *paths)
    assert sum(r["added"].get("citations", 0) for r in reports) == len(distinct)
    hubs = json.loads(run(runner, db, "hubs", "--json").stdout)
    assert len(hubs) == 1
    assert hubs[0]["identifiers"] == {"corpus_id": 14514057}
    assert hubs[0]["citing_papers"] == len(distinct) == 1881
    lib = Library(db)
    hub = lib.hub(hubs[0]["id"])
    titles = {r.title for r in lib.citing_rows(hub.paper.id, limit=5000)}
    assert titles == {e["citingPaper"]["title"] for e in records}
    lib.close()


def test_a_walk_without_a_telling_name_needs_hub(runner, tmp_path, shared_real):
    pages = cassette_pages(shared_real)[:2]
    paths = write_pages(tmp_path, pages, "walk{i}.json")
    n = sum(len(json.loads(b)["data"]) for b in pages)
    db = tmp_path / "a.db"
    result = run(runner, db, "import", *paths)
    assert result.exit_code == 0
    assert "without the cited paper" in result.stderr and "--hub" in result.stderr
    stats = json.loads(run(runner, db, "stats", "--json").stdout)
    assert (stats["papers"], stats["citations"], stats["hubs"]) == (n, 0, 0)
    # the same pages with --hub: the edges, and the hub
    reports = imported(runner, db, "--hub", "CorpusID:14514057", *paths)
    assert sum(r["added"]["citations"] for r in reports) == n
    assert json.loads(run(runner, db, "hubs", "--json").stdout)[0]["citing_papers"] == n


def test_the_cassette_itself_gives_a_clear_error(runner, tmp_path, shared_real):
    result = run(
        runner,
        tmp_path / "lib.db",
        "import",
        str(shared_real / "s2" / "citations_CorpusID14514057_19pages.vcr.yaml"),
    )
    one_line_error(result, "vcr.yaml", "cassette", "extract")


# -- single records -------------------------------------------------------------


def test_a_citation_record_with_hub(runner, tmp_path, shared_real):
    path = shared_real / "s2" / "citation_record.json"
    rec = json.loads(path.read_text())
    db = tmp_path / "lib.db"
    report = imported(runner, db, "--hub", "CorpusID:1", str(path))[0]
    assert report["added"]["citations"] == 1 and len(report["hubs"]) == 1
    lib = Library(db)
    hub = resolve_hub(lib, "CorpusID:1")
    citing = lib.find_paper_by_id(rec["citingPaper"]["paperId"])
    c = lib.citation(citing.id, hub.paper.id)
    roles, contexts, influential = expected_edge(rec)
    assert set(c.roles) == roles == {"background", "method", "comparison"}
    assert [(x.text, set(x.roles)) for x in c.contexts] == contexts and len(contexts) == 4
    assert c.influential is influential is True
    cp = rec["citingPaper"]
    assert (citing.title, citing.year, citing.doi, citing.corpus_id) == (
        cp["title"],
        cp["year"],
        cp["externalIds"]["DOI"].lower(),
        cp["corpusId"],
    )
    assert list(citing.authors) == [a["name"] for a in cp["authors"]]
    lib.close()


def test_records_without_their_focal_paper_keep_the_paper_and_say_so(runner, tmp_path, shared_real):
    db = tmp_path / "lib.db"
    for name, side in (("citation_record.json", "cited"), ("reference_record.json", "citing")):
        result = run(runner, db, "import", str(shared_real / "s2" / name))
        assert result.exit_code == 0
        assert f"without the {side} paper" in result.stderr
    stats = json.loads(run(runner, db, "stats", "--json").stdout)
    assert (stats["papers"], stats["citations"]) == (2, 0)


def test_a_reference_record_named_after_its_paper_imports_the_edge(runner, tmp_path, shared_real):
    rec = json.loads((shared_real / "s2" / "reference_record.json").read_text())
    named = tmp_path / "references_CorpusID777_one.json"
    named.write_text(json.dumps(rec))
    db = tmp_path / "lib.db"
    imported(runner, db, str(named))
    lib = Library(db)
    focal = lib.find_paper_by_id("CorpusID:777")
    [(paper, c)] = lib.cited_by(focal.id)
    assert paper.s2_id == rec["citedPaper"]["paperId"] and paper.arxiv == "1402.0030"
    assert set(c.roles) == expected_edge(rec)[0] and c.influential is False
    lib.close()


def test_a_paper_record_embedding_citations_references_and_tldr(runner, tmp_path, shared_real):
    cit = json.loads((shared_real / "s2" / "citation_record.json").read_text())
    page = json.loads((shared_real / "s2" / REFERENCE_PAGES[1]).read_text())
    record = dict(cit["citingPaper"])
    record["tldr"] = {"model": "tldr@v2.0.0", "text": "A robot learns to throw."}
    record["abstract"] = None
    record["citations"] = [e["citedPaper"] for e in page["data"][:5]]
    record["references"] = [e["citedPaper"] for e in page["data"][5:12]]
    path = tmp_path / "paper.json"
    path.write_text(json.dumps(record))
    db = tmp_path / "lib.db"
    report = imported(runner, db, str(path))[0]
    assert report["added"]["citations"] == 12 and len(report["hubs"]) == 1
    lib = Library(db)
    hub = lib.hub(report["hubs"][0])
    assert hub.paper.s2_id == record["paperId"] and hub.n_citing == 5
    assert (hub.paper.summary, hub.paper.summary_source) == (
        "A robot learns to throw.",
        "tldr@v2.0.0",
    )
    assert hub.paper.abstract is None
    assert len(lib.cited_by(hub.paper.id)) == 7
    lib.close()


def test_jsonl_of_edge_records_equals_the_page(runner, tmp_path, shared_real):
    page = json.loads((shared_real / "s2" / REFERENCE_PAGES[0]).read_text())
    lines = tmp_path / "references_CorpusID49313245_edges.jsonl.gz"
    with gzip.open(lines, "wt", encoding="utf-8") as fh:
        for e in page["data"]:
            fh.write(json.dumps(e) + "\n")
    a, b = tmp_path / "a.db", tmp_path / "b.db"
    ra = imported(runner, a, str(shared_real / "s2" / REFERENCE_PAGES[0]))[0]
    rb = imported(runner, b, str(lines))[0]
    assert rb["format"] == "s2" and ra["added"] == rb["added"]
    sa = json.loads(run(runner, a, "stats", "--json").stdout)
    sb = json.loads(run(runner, b, "stats", "--json").stdout)
    for k in ("papers", "citations", "contexts", "labels"):
        assert sa[k] == sb[k]


# -- hostile input ----------------------------------------------------------------


def _page_with(shared_real, index: int, **changes) -> dict:
    page = json.loads((shared_real / "s2" / REFERENCE_PAGES[0]).read_text())
    for dotted, value in changes.items():
        target = page["data"][index]
        *parents, last = dotted.split("__")
        for p in parents:
            target = target[p]
        target[last] = value
    return page


@pytest.mark.parametrize(
    "change, where",
    [
        (
            {"citedPaper__year": "about 1999"},
            "record data[3]: field citedPaper.year: expected an integer",
        ),
        ({"intents": "background"}, "record data[3]: field intents: expected a list"),
        (
            {"contextsWithIntent": [{"context": 5}]},
            "record data[3]: field contextsWithIntent[0].context: expected a string",
        ),
        ({"isInfluential": "yes"}, "record data[3]: field isInfluential: expected true, false"),
        (
            {"citedPaper__authors": [{"name": ["x"]}]},
            "record data[3]: field citedPaper.authors[0].name: expected a string",
        ),
        (
            {"citedPaper": {"paperId": None, "title": 5}},
            "record data[3]: field citedPaper.title: expected a string",
        ),
        (
            {"citedPaper__citationCount": -4},
            "field citedPaper.citationCount: integer out of range: -4",
        ),
        ({"citedPaper__year": 10**30}, "field citedPaper.year: integer out of range"),
        ({"citedPaper__corpusId": "9" * 40}, "field citedPaper.corpusId: integer out of range"),
    ],
)
def test_a_bad_field_is_one_line_naming_file_record_and_field(
    runner, tmp_path, shared_real, change, where
):
    page = _page_with(shared_real, 3, **change)
    path = tmp_path / "references_CorpusID49313245_bad.json"
    path.write_text(json.dumps(page))
    db = tmp_path / "lib.db"
    result = run(runner, db, "import", str(path))
    one_line_error(result, str(path), where)
    assert not db.exists() or json.loads(run(runner, db, "stats", "--json").stdout)["papers"] == 0
    # --skip-invalid: everything else imports, the bad record is reported
    result = run(runner, db, "import", "--skip-invalid", "--json", str(path))
    report = json.loads(result.stdout)[0]
    assert len(report["skipped"]) == 1 and where in report["skipped"][0]
    distinct = {paper_key(e["citedPaper"]) for i, e in enumerate(page["data"]) if i != 3}
    assert report["added"]["citations"] == len(distinct)


def test_bad_lines_of_jsonl_name_their_line(runner, tmp_path, shared_real):
    page = json.loads((shared_real / "s2" / REFERENCE_PAGES[0]).read_text())
    lines = [json.dumps(e) for e in page["data"][:4]]
    lines[2] = lines[2][:40]
    path = tmp_path / "references_CorpusID49313245_x.jsonl"
    path.write_text("\n".join(lines) + "\n")
    one_line_error(
        run(runner, tmp_path / "a.db", "import", str(path)), f"{path}:3:", "invalid JSON"
    )
    result = run(runner, tmp_path / "a.db", "import", "--skip-invalid", str(path))
    assert result.exit_code == 0 and f"{path}:3:" in result.stderr


def test_other_hostile_documents(runner, tmp_path, shared_real):
    db = tmp_path / "lib.db"
    api_error = tmp_path / "error.json"
    api_error.write_text('{"message": "Too Many Requests", "code": "429"}')
    one_line_error(
        run(runner, db, "import", "--format", "s2", str(api_error)),
        "not a Semantic Scholar record",
        "Too Many Requests",
    )
    misnamed = tmp_path / "citations_CorpusID49313245_page0.json"
    misnamed.write_text((shared_real / "s2" / REFERENCE_PAGES[0]).read_text())
    one_line_error(
        run(runner, db, "import", str(misnamed)), "the file name says /citations", "record data[0]"
    )
    not_utf8 = tmp_path / "latin1.json"
    not_utf8.write_bytes('{"paperId": "x", "title": "Caf\xe9"}'.encode("latin-1"))
    one_line_error(run(runner, db, "import", str(not_utf8)), "not UTF-8")
    one_line_error(
        run(runner, db, "import", "--hub", "not an id", str(misnamed)),
        "--hub",
        "not a paper identifier",
    )
    one_line_error(run(runner, db, "import", "--hubs", "1", str(misnamed)), "--hubs", "--hub ID")


def test_odd_text_is_stored_as_given_and_shown_safely(runner, tmp_path):
    record = {
        "paperId": "a" * 40,
        "title": "Lone \ud800 surrogate \x1b[2J [bold]x[/]",
        "abstract": None,
        "year": 2020,
    }
    path = tmp_path / "paper.json"
    path.write_text(json.dumps(record))  # json.dumps escapes the surrogate as \\ud800
    db = tmp_path / "lib.db"
    imported(runner, db, "--hub", "a" * 40, str(path))
    out = run(runner, db, "hubs").stdout
    assert "Lone \ufffd surrogate" in out and "[bold]x[/]" in out and "\x1b" not in out


def test_write_page_is_usable_from_code(tmp_path, shared_real):
    """The fetcher's entry point: one page dict in, writes out, the page's papers back."""
    from citetui.core.models import PaperRecord
    from citetui.ingest.formats import s2
    from citetui.store import Writer

    pages = [json.loads(b) for b in cassette_pages(shared_real)[:2]]
    lib = Library(tmp_path / "lib.db", create=True)
    with lib.transaction() as db:
        w = Writer(db, source="fetch")
        ids = [
            i
            for p in pages
            for i in s2.write_page(
                w, p, focal=PaperRecord(corpus_id=14514057), path="GET /citations"
            )
        ]
    assert len(set(ids)) == sum(len(p["data"]) for p in pages)
    [hub] = lib.hubs()
    assert hub.paper.corpus_id == 14514057 and hub.n_citing == len(set(ids))
    refs = json.loads((shared_real / "s2" / REFERENCE_PAGES[0]).read_text())
    with lib.transaction() as db:
        w = Writer(db, source="fetch")
        ids = s2.write_page(w, refs, focal=hub.paper.id, kind="references")
    assert len(lib.cited_by(hub.paper.id)) == len(set(ids))
    assert len(lib.hubs()) == 1  # the papers a /references page lists are not hubs
    lib.close()
