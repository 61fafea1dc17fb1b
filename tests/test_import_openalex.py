"""OpenAlex imports, checked against the real records in ../shared (expectations from the files)."""

from __future__ import annotations

import gzip
import json
import re
import shutil

import pytest

from citetui.cli import cli
from citetui.core.ids import norm_arxiv, norm_doi
from citetui.store import Library


def run(runner, db, *args):
    return runner.invoke(cli, ["--db", str(db), *args], catch_exceptions=False)


def imported(runner, db, *args) -> list[dict]:
    result = run(runner, db, "import", "--json", *args)
    assert result.exit_code == 0, result.stderr
    return json.loads(result.stdout)


def wid(url: str) -> str:
    return url.rsplit("/", 1)[-1]


def rebuilt(index: dict | None) -> str | None:
    if not index:
        return None
    words = sorted((pos, word) for word, positions in index.items() for pos in positions)
    return " ".join(w for _, w in words)


def works_of(doc) -> list[dict]:
    return doc["results"] if isinstance(doc, dict) and "results" in doc else [doc]


def test_a_single_work(runner, tmp_path, shared_real):
    path = shared_real / "openalex" / "W2741809807.json"
    work = json.loads(path.read_text())
    db = tmp_path / "lib.db"
    report = imported(runner, db, str(path))[0]
    refs = set(work["referenced_works"])
    assert report["format"] == "openalex"
    assert report["added"] == {"papers": 1 + len(refs), "citations": len(refs)}
    assert report["hubs"] == []
    lib = Library(db)
    p = lib.find_paper_by_id(wid(work["id"]))
    assert p.title == work["title"] and p.year == work["publication_year"]
    assert p.doi == norm_doi(work["doi"]) and p.citation_count == work["cited_by_count"]
    assert p.venue == work["primary_location"]["source"]["display_name"]
    assert list(p.authors) == [a["author"]["display_name"] for a in work["authorships"]]
    assert p.abstract == rebuilt(work["abstract_inverted_index"])
    assert p.abstract.startswith("Despite growing interest in Open Access")
    assert {wid(r) for r in refs} == {q.openalex_id for q, _ in lib.cited_by(p.id)}
    lib.close()


def test_a_cites_page_makes_the_work_they_all_cite_the_hub(runner, tmp_path, shared_real):
    path = shared_real / "openalex" / "citing_works.json"
    works = works_of(json.loads(path.read_text()))
    cited_by_all = set.intersection(*(set(w["referenced_works"]) for w in works))
    assert len(works) >= 3 and len(cited_by_all) == 1
    db = tmp_path / "lib.db"
    report = imported(runner, db, str(path))[0]
    assert report["added"]["citations"] == sum(len(set(w["referenced_works"])) for w in works)
    hubs = json.loads(run(runner, db, "hubs", "--json").stdout)
    assert [h["identifiers"]["openalex_id"] for h in hubs] == [wid(cited_by_all.pop())]
    assert hubs[0]["citing_papers"] == len(works)
    lib = Library(db)
    rows = lib.citing_rows(hubs[0]["id"], limit=100)
    assert {r.title for r in rows} == {w["title"] for w in works}
    lib.close()


def test_key_works_then_their_references_fill_in_the_stubs(runner, tmp_path, shared_real):
    key = shared_real / "openalex" / "keyworks.json"
    refs = shared_real / "openalex" / "referenced_works.json"
    key_works = works_of(json.loads(key.read_text()))
    ref_works = works_of(json.loads(refs.read_text()))
    db = tmp_path / "lib.db"
    first = imported(runner, db, str(key))[0]
    assert first["hubs"] == []  # two works citing the same paper do not make it a hub
    stubs = {r for w in key_works for r in w["referenced_works"]}
    assert first["added"]["papers"] == len(key_works) + len(stubs - {w["id"] for w in key_works})
    second = imported(runner, db, str(refs))[0]
    filled = {w["id"] for w in ref_works} & stubs
    assert second["updated"]["papers"] == len(filled)  # stubs get their titles, nothing new
    lib = Library(db)
    for w in ref_works:
        p = lib.find_paper_by_id(wid(w["id"]))
        assert p.title == ((w["title"] or w["display_name"] or "").strip() or None)  # "" is none
        assert p.abstract == rebuilt(w["abstract_inverted_index"])
    lib.close()


@pytest.mark.parametrize("gz", [False, True])
def test_a_snapshot_partition(runner, tmp_path, shared_real, gz):
    src = shared_real / "openalex" / "snapshot_works_part_000.jsonl"
    rows = [json.loads(line) for line in src.read_text().splitlines() if line.strip()]
    path = tmp_path / ("part_000.gz" if gz else "part_000.jsonl")
    if gz:
        with gzip.open(path, "wb") as fh:
            fh.write(src.read_bytes())
    else:
        shutil.copy(src, path)
    db = tmp_path / "lib.db"
    report = imported(runner, db, str(path))[0]
    assert report["format"] == "openalex"
    assert report["added"]["papers"] == len({r["id"] for r in rows}) == 27
    lib = Library(db)
    for r in rows:
        p = lib.find_paper_by_id(wid(r["id"]))
        assert p.title == r["title"] and p.doi == norm_doi(r["doi"])  # null titles stay null
        assert p.year == r["publication_year"] and p.citation_count == r["cited_by_count"]
        venue = ((r.get("primary_location") or {}).get("source") or {}).get("display_name") or (
            r.get("host_venue") or {}
        ).get("display_name")
        assert p.venue == venue
    lib.close()


def _s2_ids(page: dict) -> dict[str, str]:
    out = {}
    for e in page["data"]:
        p, ext = e["citedPaper"], e["citedPaper"]["externalIds"] or {}
        for k, norm in (("DOI", norm_doi), ("ArXiv", norm_arxiv)):
            if ext.get(k):
                out[f"{k}:{norm(ext[k])}"] = p["paperId"]
    return out


def _oa_ids(work: dict) -> set[str]:
    ids = set()
    if work.get("doi"):
        ids.add(f"DOI:{norm_doi(work['doi'])}")
        if norm_doi(work["doi"]).startswith("10.48550/arxiv."):
            ids.add(f"ArXiv:{norm_arxiv(work['doi'])}")
    for loc in work.get("locations") or []:
        m = re.search(
            r"arxiv\.org/(?:abs|pdf)/([^\s?#]+?)(?:\.pdf)?$", loc.get("landing_page_url") or ""
        )
        if m:
            ids.add(f"ArXiv:{norm_arxiv(m.group(1))}")
    return ids


@pytest.mark.parametrize("order", ["s2 first", "openalex first"])
def test_the_same_paper_from_both_sources_is_one_paper_with_both_ids(
    runner, tmp_path, shared_real, order
):
    s2_path = shared_real / "s2" / "references_CorpusID49313245_page0.json"
    oa_path = shared_real / "openalex" / "referenced_works.json"
    page = json.loads(s2_path.read_text())
    works = works_of(json.loads(oa_path.read_text()))
    s2_ids = _s2_ids(page)
    pairs = {(s2_ids[i], wid(w["id"])) for w in works for i in _oa_ids(w) if i in s2_ids}
    assert len(pairs) >= 2  # word2vec (by arXiv id) and GloVe (by DOI) are in both files
    db = tmp_path / "lib.db"
    paths = [str(s2_path), str(oa_path)] if order == "s2 first" else [str(oa_path), str(s2_path)]
    imported(runner, db, *paths)
    lib = Library(db)
    s2_by_id = {e["citedPaper"]["paperId"]: e["citedPaper"] for e in page["data"]}
    oa_by_id = {wid(w["id"]): w for w in works}
    for s2_id, oa_id in pairs:
        a, b = lib.find_paper_by_id(s2_id), lib.find_paper_by_id(oa_id)
        assert a.id == b.id and a.s2_id == s2_id and a.openalex_id == oa_id
        s2p, oaw = s2_by_id[s2_id], oa_by_id[oa_id]
        assert a.corpus_id == int(s2p["corpusId"])
        # fields fill in; none is lost to a null from the other source
        assert a.abstract is not None or (
            s2p["abstract"] is None and not oaw["abstract_inverted_index"]
        )
        assert a.citation_count == max(s2p["citationCount"] or 0, oaw["cited_by_count"] or 0)
        assert a.url == s2p["url"] and a.year in (s2p["year"], oaw["publication_year"])
        # both sources' edges now meet at the one paper
        assert len(lib.citing_rows(a.id, limit=10)) >= 2
    stats = json.loads(run(runner, db, "stats", "--json").stdout)
    separately = 0
    for p in paths:
        separately += json.loads(
            run(runner, tmp_path / f"{len(p)}-{separately}.db", "import", "--json", p).stdout
        )[0]["added"]["papers"]
    assert stats["papers"] < separately
    lib.close()


def test_hostile_openalex_records(runner, tmp_path, shared_real):
    work = json.loads((shared_real / "openalex" / "W2741809807.json").read_text())
    db = tmp_path / "lib.db"
    cases = [
        (
            {"referenced_works": ["https://openalex.org/W1", "not a work"]},
            "record work: field referenced_works[1]: expected an OpenAlex work id",
        ),
        (
            {"abstract_inverted_index": {"word": ["zero"]}},
            "field abstract_inverted_index.word: expected word positions",
        ),
        (
            {"abstract_inverted_index": {"word": [10**12]}},
            "field abstract_inverted_index.word: expected word positions",
        ),
        (
            {"authorships": [{"author": {"display_name": 7}}]},
            "field authorships[0].author.display_name: expected a string",
        ),
        ({"id": None}, "record work: field id: expected an OpenAlex work id"),
    ]
    for change, where in cases:
        bad = dict(work, **change)
        path = tmp_path / "work.json"
        path.write_text(json.dumps(bad))
        result = run(runner, db, "import", str(path))
        assert result.exit_code == 2, result.stdout
        err = result.stderr.strip()
        assert len(err.splitlines()) == 1 and str(path) in err and where in err, err
    page = {"meta": {"count": 2}, "results": [work, dict(work, id=None)]}
    path = tmp_path / "page.json"
    path.write_text(json.dumps(page))
    result = run(runner, db, "import", "--skip-invalid", "--json", str(path))
    report = json.loads(result.stdout)[0]
    assert report["added"]["papers"] >= 1 and "record results[1]: field id" in report["skipped"][0]
    result = run(runner, db, "import", "--hubs", "1", str(path))
    assert result.exit_code == 2 and "--hub W" in result.stderr
