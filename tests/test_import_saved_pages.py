"""API output as researchers' scripts save it, built from the real records in ../shared.

A paging loop saves the last, empty page too, or writes one page a line; a references
page fetched with edge fields holds references Semantic Scholar did not resolve; a
/paper/batch answer holds nulls. Each of these imported wrong or not at all.
"""

from __future__ import annotations

import json
from pathlib import Path

from citetui.cli import cli
from citetui.store import Library
from tests.libdump import dump
from tests.test_import_s2 import REFERENCE_PAGES, cassette_pages


def _import(runner, db: Path, *files: Path, ok: bool = True) -> list[dict]:
    result = runner.invoke(
        cli, ["--db", str(db), "import", "--json", *map(str, files)], catch_exceptions=False
    )
    assert (result.exit_code == 0) is ok, result.stderr
    return json.loads(result.stdout) if ok else []


def _dump(db: Path) -> dict:
    lib = Library(db)
    try:
        return dump(lib)
    finally:
        lib.close()


def _write(path: Path, doc: object) -> Path:
    path.write_text(json.dumps(doc, ensure_ascii=False), encoding="utf-8")
    return path


def test_an_empty_last_page_is_nothing_to_import_not_an_unknown_format(
    runner, tmp_path, shared_real
):
    pages = cassette_pages(shared_real)
    walk = [
        _write(tmp_path / f"citations_CorpusID14514057_page{i:02}.json", json.loads(body))
        for i, body in enumerate(pages)
    ]
    last = json.loads(pages[-1])
    empty = _write(
        tmp_path / f"citations_CorpusID14514057_page{len(pages):02}.json",
        {"offset": last.get("offset", 0) + len(last["data"]), "data": []},
    )
    _import(runner, tmp_path / "walk.db", *walk)
    reports = _import(runner, tmp_path / "with-empty.db", *walk, empty)
    assert _dump(tmp_path / "with-empty.db") == _dump(tmp_path / "walk.db")
    assert not reports[-1]["added"] and reports[-1]["format"] == "s2"

    works = json.loads((shared_real / "openalex" / "citing_works.json").read_text())
    oa_empty = _write(
        tmp_path / "page2.json",
        {"meta": {**works["meta"], "count": 0, "next_cursor": None}, "results": [], "group_by": []},
    )
    first = _write(tmp_path / "page1.json", works)
    _import(runner, tmp_path / "oa.db", first)
    reports = _import(runner, tmp_path / "oa-with-empty.db", first, oa_empty)
    assert _dump(tmp_path / "oa-with-empty.db") == _dump(tmp_path / "oa.db")
    assert not reports[-1]["added"] and reports[-1]["format"] == "openalex"


def test_references_semantic_scholar_did_not_resolve_are_counted_not_fatal(
    runner, tmp_path, shared_real
):
    page = json.loads((shared_real / "s2" / REFERENCE_PAGES[0]).read_text())
    name = REFERENCE_PAGES[0]
    gone = {2: {"paperId": None}, 5: None, 9: {"paperId": None, "title": None, "authors": []}}
    hostile = {**page, "data": [dict(e) for e in page["data"]]}
    for i, paper in gone.items():
        hostile["data"][i]["citedPaper"] = paper
    without = {**page, "data": [e for i, e in enumerate(page["data"]) if i not in gone]}
    (tmp_path / "a").mkdir()
    (tmp_path / "b").mkdir()
    (report,) = _import(runner, tmp_path / "a.db", _write(tmp_path / "a" / name, hostile))
    _import(runner, tmp_path / "b.db", _write(tmp_path / "b" / name, without))
    assert _dump(tmp_path / "a.db") == _dump(tmp_path / "b.db")
    (note,) = [s for s in report["skipped"] if "did not resolve" in s]
    assert f"{len(gone)} citations" in note


def test_json_lines_of_whole_pages_import_as_the_pages(runner, tmp_path, shared_real):
    pages = [json.loads(body) for body in cassette_pages(shared_real)]
    files = [
        _write(tmp_path / f"citations_CorpusID14514057_page{i:02}.json", p)
        for i, p in enumerate(pages)
    ]
    lines = tmp_path / "citations_CorpusID14514057_pages.jsonl"
    lines.write_text("".join(json.dumps(p) + "\n" for p in pages))
    _import(runner, tmp_path / "files.db", *files)
    (report,) = _import(runner, tmp_path / "lines.db", lines)
    assert _dump(tmp_path / "lines.db") == _dump(tmp_path / "files.db")
    assert report["added"]["citations"] == sum(len(p["data"]) for p in pages)

    real = shared_real / "openalex"
    docs = [json.loads((real / n).read_text()) for n in ("keyworks.json", "citing_works.json")]
    oa_files = [_write(tmp_path / f"oa{i}.json", d) for i, d in enumerate(docs)]
    oa_lines = tmp_path / "oa-pages.jsonl"
    oa_lines.write_text("".join(json.dumps(d) + "\n" for d in docs))
    _import(runner, tmp_path / "oa-files.db", *oa_files)
    _import(runner, tmp_path / "oa-lines.db", oa_lines)
    assert _dump(tmp_path / "oa-lines.db") == _dump(tmp_path / "oa-files.db")


def test_batch_nulls_are_skipped_in_json_lines_as_in_an_array(runner, tmp_path, shared_real):
    page = json.loads((shared_real / "s2" / REFERENCE_PAGES[1]).read_text())
    papers = [e["citedPaper"] for e in page["data"] if e["citedPaper"].get("paperId")][:6]
    batch = [papers[0], None, *papers[1:4], None, *papers[4:]]
    (arr,) = _import(runner, tmp_path / "array.db", _write(tmp_path / "batch.json", batch))
    lines = tmp_path / "batch.jsonl"
    lines.write_text("".join(json.dumps(p) + "\n" for p in batch))
    (jl,) = _import(runner, tmp_path / "lines.db", lines)
    assert _dump(tmp_path / "lines.db") == _dump(tmp_path / "array.db")
    assert arr["added"]["papers"] == len(papers)
    for report in (arr, jl):
        assert any("2 null records" in s for s in report["skipped"])


def test_a_paper_that_embeds_no_citations_is_not_made_a_hub(runner, tmp_path, shared_real):
    edge = json.loads((shared_real / "s2" / "citation_record.json").read_text())
    citing = edge["citingPaper"]
    page = json.loads((shared_real / "s2" / REFERENCE_PAGES[0]).read_text())
    cited = [e["citedPaper"] for e in page["data"] if e["citedPaper"].get("paperId")]
    none = {**cited[0], "citations": []}
    some = {**cited[1], "citations": [citing]}
    lines = tmp_path / "papers.jsonl"
    lines.write_text(json.dumps(none) + "\n" + json.dumps(some) + "\n")
    _import(runner, tmp_path / "lib.db", lines)
    result = runner.invoke(cli, ["--db", str(tmp_path / "lib.db"), "hubs", "--json"])
    hubs = json.loads(result.stdout)
    assert [h["title"] for h in hubs] == [cited[1]["title"]]


def test_works_named_by_their_api_urls_import_as_by_their_ids(runner, tmp_path, shared_real):
    page = json.loads((shared_real / "openalex" / "citing_works.json").read_text())
    api = "https://api.openalex.org/works/"

    def by_api(work: dict) -> dict:
        refs = [api + r.rsplit("/", 1)[-1] for r in work.get("referenced_works") or []]
        return {**work, "id": api + work["id"].rsplit("/", 1)[-1], "referenced_works": refs}

    _import(runner, tmp_path / "ids.db", _write(tmp_path / "ids.json", page))
    urls = {**page, "results": [by_api(w) for w in page["results"]]}
    _import(runner, tmp_path / "urls.db", _write(tmp_path / "urls.json", urls))
    assert _dump(tmp_path / "urls.db") == _dump(tmp_path / "ids.db")
