"""Semantic Scholar bulk datasets: the real samples in ../shared, and --hubs slices.

The slice runs on DuckDB when it is installed and on the streaming Python
reader otherwise; both are tested (the Python one by hiding DuckDB), and must
build the same library.
"""

from __future__ import annotations

import gzip
import json
from pathlib import Path

import pytest

from citetui.cli import cli
from citetui.ingest.formats import s2_bulk
from citetui.store import Library
from tests.libdump import dump

INTENT = {"background": "background", "methodology": "method", "result": "comparison"}
KINDS = ("papers", "abstracts", "tldrs", "citations")


def run(runner, db, *args):
    return runner.invoke(cli, ["--db", str(db), *args], catch_exceptions=False)


def imported(runner, db, *args) -> list[dict]:
    result = run(runner, db, "import", "--json", *args)
    assert result.exit_code == 0, result.stderr
    return json.loads(result.stdout)


def rows(path: Path) -> list[dict]:
    return [json.loads(line) for line in path.read_text().splitlines() if line.strip()]


@pytest.fixture(params=["duckdb", "python"])
def engine(request, monkeypatch):
    """Run the test with DuckDB (skipped when not installed) and with the Python reader."""
    if request.param == "duckdb":
        pytest.importorskip("duckdb", exc_type=ImportError)
    else:
        monkeypatch.setattr(s2_bulk, "_duckdb", lambda: None)
    return request.param


def test_papers_shard(runner, tmp_path, shared_real):
    path = shared_real / "s2" / "bulk" / "papers.jsonl"
    data = rows(path)
    db = tmp_path / "lib.db"
    report = imported(runner, db, str(path))[0]
    assert report["format"] == "s2-bulk"
    assert report["added"] == {"papers": len({r["corpusid"] for r in data})}
    lib = Library(db)
    for r in data:
        p = lib.find_paper_by_id(f"CorpusID:{r['corpusid']}")
        assert p.title == r["title"] and p.year == r["year"]
        assert p.citation_count == r["citationcount"]
        assert p.s2_id == r["url"].rsplit("/", 1)[-1]
        assert list(p.authors) == [a["name"] for a in r["authors"]]
        if r["externalids"].get("DOI"):
            assert p.doi == r["externalids"]["DOI"].lower()
        assert p.venue == (r["venue"] or (r["journal"] or {}).get("name") or None)
    lib.close()


@pytest.mark.parametrize(
    "kind, field, column", [("abstracts", "abstract", "abstract"), ("tldrs", "text", "summary")]
)
def test_abstracts_and_tldrs_shards(runner, tmp_path, shared_real, kind, field, column):
    path = shared_real / "s2" / "bulk" / f"{kind}.jsonl"
    data = rows(path)
    with_text = [r for r in data if (r[field] or "").strip()]
    db = tmp_path / "lib.db"
    report = imported(runner, db, str(path))[0]
    assert report["added"] == {"papers": len(with_text)}
    lib = Library(db)
    for r in with_text:
        p = lib.find_paper_by_id(f"CorpusID:{r['corpusid']}")
        assert getattr(p, column) == r[field]
        if kind == "tldrs":
            assert p.summary_source == r["model"]
    lib.close()


def test_citations_shard(runner, tmp_path, shared_real):
    path = shared_real / "s2" / "bulk" / "citations.jsonl"
    data = rows(path)
    edges = [r for r in data if r["citedcorpusid"] and r["citedcorpusid"] != r["citingcorpusid"]]
    dangling = sum(1 for r in data if not r["citedcorpusid"])
    db = tmp_path / "lib.db"
    result = run(runner, db, "import", str(path))
    assert (
        result.exit_code == 0 and f"{dangling} citations with no cited corpus id" in result.stderr
    )
    stats = json.loads(run(runner, db, "stats", "--json").stdout)
    assert stats["citations"] == len(edges)
    assert stats["contexts"] == sum(len(set(r["contexts"] or [])) for r in edges)
    lib = Library(db)
    for r in edges:
        citing = lib.find_paper_by_id(f"CorpusID:{r['citingcorpusid']}")
        cited = lib.find_paper_by_id(f"CorpusID:{r['citedcorpusid']}")
        c = lib.citation(citing.id, cited.id)
        assert set(c.roles) == {INTENT[i] for i in r["intents"] or []}
        assert [x.text for x in c.contexts] == list(dict.fromkeys(r["contexts"] or []))
        assert c.influential is r["isinfluential"]
    lib.close()


def test_all_four_shards_plain_or_gzip_build_the_same_library(runner, tmp_path, shared_real):
    plain = [shared_real / "s2" / "bulk" / f"{k}.jsonl" for k in KINDS]
    gz = []
    for p in plain:
        target = tmp_path / f"{p.stem}-part0.gz"
        with gzip.open(target, "wb") as fh:
            fh.write(p.read_bytes())
        gz.append(target)
    a, b = tmp_path / "a.db", tmp_path / "b.db"
    ra, rb = imported(runner, a, *map(str, plain)), imported(runner, b, *map(str, gz))
    assert [r["added"] for r in ra] == [r["added"] for r in rb]
    sa = json.loads(run(runner, a, "stats", "--json").stdout)
    sb = json.loads(run(runner, b, "stats", "--json").stdout)
    assert {k: sa[k] for k in ("papers", "citations", "contexts", "labels")} == {
        k: sb[k] for k in ("papers", "citations", "contexts", "labels")
    }


# -- slices ---------------------------------------------------------------------


def _write(path: Path, records: list[dict], gz: bool = False) -> Path:
    text = "".join(json.dumps(r) + "\n" for r in records)
    if gz:
        with gzip.open(path, "wt", encoding="utf-8") as fh:
            fh.write(text)
    else:
        path.write_text(text)
    return path


def _cite(a: int, b: int | None, **kw) -> dict:
    return {
        "citingcorpusid": str(a),
        "citedcorpusid": None if b is None else str(b),
        "isinfluential": kw.get("infl", False),
        "contexts": kw.get("contexts"),
        "intents": kw.get("intents"),
        "updated": "2024-01-01T00:00:00Z",
    }


def synthetic(tmp_path: Path) -> dict[str, Path]:
    """A small dataset: hub 1 is cited by 10 and 11, which also cite 50 and 51; 99 -> 98 is
    unrelated; 20 is cited by hub 1 (its reference)."""
    cites = [
        _cite(
            10,
            1,
            infl=True,
            contexts=["As [1] shows.", "We use [1]."],
            intents=[["background"], ["methodology"]],
        ),
        _cite(11, 1, contexts=["Unlike [1]."], intents=["result"]),
        _cite(10, 50),
        _cite(11, 50),
        _cite(10, 51),
        _cite(11, 51),
        _cite(1, 20, intents=["background"]),
        _cite(99, 98),
        _cite(98, 97),
        _cite(12, None),
    ]
    ids = [1, 10, 11, 20, 50, 51, 97, 98, 99]
    papers = [
        {
            "corpusid": i,
            "externalids": {"CorpusId": str(i), "DOI": f"10.1/p{i}"},
            "url": f"https://www.semanticscholar.org/paper/{i:040x}",
            "title": f"Paper {i}",
            "authors": [{"authorId": "1", "name": f"Author {i}"}],
            "venue": "",
            "year": 2000 + i,
            "citationcount": i * 10,
            "journal": None,
        }
        for i in ids
    ]
    abstracts = [{"corpusid": i, "openaccessinfo": None, "abstract": f"Abstract {i}."} for i in ids]
    tldrs = [
        {"corpusid": i, "model": "tldr@v2.0.0", "text": f"Paper {i} does things."} for i in ids
    ]
    return {
        "citations": _write(tmp_path / "citations-0.jsonl.gz", cites[:5], gz=True),
        "citations2": _write(tmp_path / "citations-1.jsonl", cites[5:]),
        "papers": _write(tmp_path / "papers-0.jsonl.gz", papers, gz=True),
        "abstracts": _write(tmp_path / "abstracts-0.jsonl", abstracts),
        "tldrs": _write(tmp_path / "tldrs-0.jsonl", tldrs),
    }


def _library(db: Path) -> dict:
    lib = Library(db)
    papers = {
        p.corpus_id: (p.title, p.abstract, p.summary, p.doi)
        for p in lib.papers(range(1, 1000)).values()
    }
    edges = set()
    for p in lib.papers(range(1, 1000)).values():
        for q, c in lib.cited_by(p.id):
            edges.add(
                (
                    p.corpus_id,
                    q.corpus_id,
                    c.roles,
                    c.influential,
                    tuple((x.text, x.roles) for x in c.contexts),
                )
            )
    hubs = sorted(h.paper.corpus_id for h in lib.hubs())
    lib.close()
    return {"papers": papers, "edges": edges, "hubs": hubs}


def test_a_slice_keeps_what_touches_the_hubs(runner, tmp_path, engine):
    files = synthetic(tmp_path)
    db = tmp_path / "slice.db"
    imported(runner, db, "--hubs", "CorpusID:1", *map(str, files.values()))
    got = _library(db)
    kept = {1, 10, 11, 20, 50, 51}
    assert set(got["papers"]) == kept and got["hubs"] == [1]
    assert all(
        got["papers"][i]
        == (f"Paper {i}", f"Abstract {i}.", f"Paper {i} does things.", f"10.1/p{i}")
        for i in kept
    )
    assert {(a, b) for a, b, *_ in got["edges"]} == {
        (10, 1),
        (11, 1),
        (10, 50),
        (11, 50),
        (10, 51),
        (11, 51),
        (1, 20),
    }
    e = next(x for x in got["edges"] if x[:2] == (10, 1))
    assert e[2:] == (
        ("background", "method"),
        True,
        (("As [1] shows.", ("background",)), ("We use [1].", ("method",))),
    )
    page = json.loads(run(runner, db, "show", "CorpusID:1", "--json").stdout)
    assert [(c["paper"]["corpus_id"], c["count"], c["provenance"]) for c in page["cocited"]] == [
        (51, 2, "computed"),
        (50, 2, "computed"),
    ]  # equal counts: the most cited first
    assert page["role_summary"]["provenance"] == "computed" and page["role_summary"]["n"] == 2


def test_duckdb_and_python_slices_are_the_same_library(runner, tmp_path, monkeypatch):
    pytest.importorskip("duckdb", exc_type=ImportError)
    files = synthetic(tmp_path)
    a, b = tmp_path / "duck.db", tmp_path / "py.db"
    imported(runner, a, "--hubs", "1,99", *map(str, files.values()))
    monkeypatch.setattr(s2_bulk, "_duckdb", lambda: None)
    imported(runner, b, "--hubs", "1,99", *map(str, files.values()))
    assert _library(a) == _library(b)
    # 99 cites 98 (kept: the hub's reference); 98 -> 97 touches no hub
    assert set(_library(a)["papers"]) == {1, 10, 11, 20, 50, 51, 98, 99}


def test_a_slice_of_the_real_citations_sample(runner, tmp_path, shared_real, engine):
    path = shared_real / "s2" / "bulk" / "citations.jsonl"
    data = rows(path)
    hub = next(r["citedcorpusid"] for r in data if r["citedcorpusid"] and r["contexts"])
    citing = {r["citingcorpusid"] for r in data if r["citedcorpusid"] == hub}
    want = {
        (r["citingcorpusid"], r["citedcorpusid"])
        for r in data
        if r["citedcorpusid"]
        and (r["citedcorpusid"] == hub or r["citingcorpusid"] in citing | {hub})
    }
    db = tmp_path / "lib.db"
    reports = imported(runner, db, "--hubs", hub, str(path))
    assert reports[0]["added"]["citations"] == len(want)
    hubs = json.loads(run(runner, db, "hubs", "--json").stdout)
    assert [h["identifiers"]["corpus_id"] for h in hubs] == [int(hub)]
    assert hubs[0]["citing_papers"] == len(citing)


def test_prepare_reports_its_engine(tmp_path, engine):
    files = synthetic(tmp_path)
    sl = s2_bulk.prepare(list(files.values()), hubs=["1"])["bulk_slice"]
    assert sl.engine == engine
    assert sl.kept == {"1", "10", "11", "20", "50", "51"}
    sl.close()


# -- hostile shards ---------------------------------------------------------------


def test_a_bad_line_names_its_line_with_either_engine(runner, tmp_path, engine):
    files = synthetic(tmp_path)
    bad = tmp_path / "citations-1.jsonl"
    lines = bad.read_text().splitlines()
    lines.insert(2, '{"citingcorpusid": "10", "citedcorpusid": ')
    bad.write_text("\n".join(lines) + "\n")
    db = tmp_path / "lib.db"
    result = run(runner, db, "import", "--hubs", "1", *map(str, files.values()))
    assert result.exit_code == 2
    err = result.stderr.strip()
    assert len(err.splitlines()) == 1 and f"{bad}:3:" in err and "invalid JSON" in err, err
    result = run(runner, db, "import", "--skip-invalid", "--hubs", "1", *map(str, files.values()))
    assert result.exit_code == 0 and f"{bad}:3:" in result.stderr
    assert set(_library(db)["papers"]) == {1, 10, 11, 20, 50, 51}


def test_bad_fields_and_a_truncated_gzip(runner, tmp_path, shared_real):
    src = rows(shared_real / "s2" / "bulk" / "papers.jsonl")
    src[4]["year"] = "recent"
    path = _write(tmp_path / "papers-bad.jsonl", src)
    result = run(runner, tmp_path / "a.db", "import", str(path))
    err = result.stderr.strip()
    assert result.exit_code == 2 and f"{path}:5: field year: expected an integer" in err, err
    cut = tmp_path / "papers-cut.jsonl.gz"
    full = gzip.compress((shared_real / "s2" / "bulk" / "papers.jsonl").read_bytes())
    cut.write_bytes(full[: len(full) // 2])
    result = run(runner, tmp_path / "b.db", "import", str(cut))
    assert result.exit_code == 2 and "truncated or corrupt gzip" in result.stderr
    result = run(runner, tmp_path / "b.db", "import", "--skip-invalid", "--json", str(cut))
    report = json.loads(result.stdout)[0]
    assert 0 < report["added"]["papers"] < 100 and "truncated" in report["skipped"][-1]
    result = run(runner, tmp_path / "c.db", "import", "--hubs", "DOI:10.1/x", str(cut))
    assert result.exit_code == 2 and "not a corpus id" in result.stderr
    unknown = _write(tmp_path / "authors.jsonl", [{"corpusid": 1, "weird": True}] * 2)
    result = run(runner, tmp_path / "d.db", "import", str(unknown))
    assert result.exit_code == 2 and "not a Semantic Scholar bulk dataset record" in result.stderr


def _oa(wid: str, doi: str | None, refs: tuple[str, ...] = ()) -> str:
    work = {
        "id": f"https://openalex.org/{wid}",
        "title": "Paper A",
        "publication_year": 2019,
        "authorships": [{"author": {"display_name": "Takuya Akiba"}}],
        "referenced_works": [f"https://openalex.org/{r}" for r in refs],
    }
    if doi:
        work["doi"] = f"https://doi.org/{doi}"
    return json.dumps(work) + "\n"


def test_a_fold_that_moves_a_citation_the_import_wrote_imports_in_one_call(runner, tmp_path):
    """The first file writes W4 -> W5; the second names W2 -> W5 for the DOI paper and
    folds W4 into it. The moved citation was unknown to the import's record of what it
    wrote, so W2 -> W5 was taken for new and its INSERT failed: the whole import was
    refused as 'the library is damaged' (one call per file worked)."""
    f0, f1 = tmp_path / "f0.jsonl", tmp_path / "f1.jsonl"
    f0.write_text(_oa("W1000001", "10.1/a") + _oa("W1000004", None, ("W1000005",)))
    f1.write_text(_oa("W1000002", "10.1/a", ("W1000005",)) + _oa("W1000004", "10.1/a"))
    one, two = tmp_path / "one.db", tmp_path / "two.db"
    imported(runner, one, str(f0), str(f1))
    imported(runner, two, str(f0))
    imported(runner, two, str(f1))
    libs = [Library(one), Library(two)]
    try:
        assert dump(libs[0]) == dump(libs[1])
        rows = libs[0].conn.execute("SELECT count(*) FROM citations").fetchone()
        assert rows == (1,)
    finally:
        for lib in libs:
            lib.close()
