"""citetui fetch against a local replay server: the recorded 19-page /citations walk,
with a 429, a 504, a dead server and an interruption; OpenAlex cursor paging; the API key.

The server listens on 127.0.0.1 only; nothing here touches the network. Waits
the client asks for (Retry-After, backoff) are recorded instead of slept.
"""

from __future__ import annotations

import json
from pathlib import Path

import pytest

import citetui.fetch.http as fetch_http
import citetui.fetch.s2 as fetch_s2
from citetui.cli import cli
from citetui.fetch.http import Client, FetchError, retry_after
from citetui.ingest import import_files
from citetui.search.resolver import resolve_hub
from citetui.store import Library
from tests.libdump import counts, dump
from tests.replay_server import ReplayServer, cassette_pages

HUB = "CorpusID:14514057"
CASSETTE = "citations_CorpusID14514057_19pages.vcr.yaml"
CITATIONS_PATH = f"/graph/v1/paper/{HUB}/citations"


@pytest.fixture
def waits(monkeypatch) -> list[float]:
    """The waits the HTTP client asked for (nothing actually sleeps)."""
    asked: list[float] = []
    monkeypatch.setattr(fetch_http, "sleep", asked.append)
    return asked


@pytest.fixture(scope="module")
def pages() -> dict:
    """The cassette's pages, parsed once (skips when the shared data is absent)."""
    from tests.conftest import SHARED_REAL

    path = SHARED_REAL / "s2" / CASSETTE
    if not path.is_file():
        pytest.skip(f"real sample data not found at {path}")
    return cassette_pages(path)


def paper_route(entry):
    # The cassette recorded only the /citations walk, not the /paper call before it.
    # The replay answers it with the one fact the request itself states: the corpus id.
    return 200, {}, {"corpusId": 14514057}


def batch_route(entry):
    # Nor did it record TLDRs: answer as the API does for ids it has no record of (null).
    ids = json.loads(entry.body)["ids"]
    return 200, {}, [None] * len(ids)


@pytest.fixture
def server(pages):
    srv = ReplayServer(dict(pages))
    srv.routes[("GET", f"/graph/v1/paper/{HUB}")] = paper_route
    srv.routes[("POST", "/graph/v1/paper/batch")] = batch_route
    with srv:
        yield srv


@pytest.fixture(scope="module")
def imported(pages, tmp_path_factory) -> Library:
    """The library `citetui import` builds from the 19 pages saved as files (built once)."""
    folder = tmp_path_factory.mktemp("pages")
    paths = []
    for (_, offset), body in sorted(pages.items(), key=lambda kv: kv[0][1]):
        path = folder / f"citations_CorpusID14514057_offset{offset:05d}.json"
        path.write_bytes(body)
        paths.append(path)
    assert len(paths) == 19
    lib = Library(folder / "imported.db", create=True)
    import_files(lib, paths)
    yield lib
    lib.close()


def run_fetch(runner, db: Path, server: ReplayServer, *extra: str, env=None):
    return runner.invoke(
        cli,
        [
            "--db",
            str(db),
            "fetch",
            "s2",
            HUB,
            "--base-url",
            f"{server.base_url}/graph/v1",
            "--delay",
            "0",
            "--json",
            *extra,
        ],
        env=env,
    )


def citation_offsets(server: ReplayServer) -> list[tuple[int, int]]:
    return [(int(r.query["offset"]), r.status) for r in server.requests("/citations")]


def test_replayed_fetch_survives_a_429_and_a_504_and_builds_the_imported_library(
    server, imported, runner, tmp_path, waits
):
    server.faults[300] = [(429, {"Retry-After": "7"})]
    server.faults[900] = [(504, {})]
    db = tmp_path / "fetched.db"
    result = run_fetch(runner, db, server)
    assert result.exit_code == 0, result.output
    report = json.loads(result.stdout)
    assert report["finished"] and report["resumed"] is None
    assert report["pages"] == 1 + 19 + 4  # the paper, 19 pages, 4 TLDR batches, and ...
    # ... every page walked once, the two failing ones twice.
    offsets = citation_offsets(server)
    assert [o for o, _ in offsets] == sorted([*range(0, 1900, 100), 300, 900])
    assert (300, 429) in offsets and (900, 504) in offsets
    assert 7.0 in waits  # Retry-After honoured to the second
    assert len(waits) == 2 and all(w > 0 for w in waits)
    assert "HTTP 429 (rate limited): retrying in 7.0 s" in result.stderr
    assert "HTTP 504: retrying in" in result.stderr
    # The TLDR batches asked for every citing paper with a paperId (1,873 of 1,881).
    batches = server.requests("/paper/batch")
    assert [len(json.loads(r.body)["ids"]) for r in batches] == [500, 500, 500, 373]
    lib = Library(db)
    hub = resolve_hub(lib, HUB)
    assert hub.n_citing == 1881 and lib.stats().papers == 1882
    assert dump(lib) == dump(imported)
    # Search sees the fetched papers as it sees imported ones (typo and all).
    from citetui.search import search

    def titles(library: Library) -> list[str]:
        """Those holding every word, in order (the closest matches' ties go by paper id,
        which the two libraries number differently)."""
        hub_id = resolve_hub(library, HUB).paper.id
        result = search(library, "entreprenurship rural", hub_id=hub_id)
        return [r.title for r in result.rows if result.tier(r.paper_id) == "all"]

    assert titles(lib) == titles(imported) and len(titles(lib)) >= 2


def test_an_interrupted_fetch_resumes_where_it_stopped(server, imported, runner, tmp_path, waits):
    db = tmp_path / "fetched.db"
    server.down_from = 700  # the server goes away after 7 pages
    result = run_fetch(runner, db, server)
    assert result.exit_code == 5, result.output
    assert (
        "the 8 pages fetched so far are in the library; run the same command to resume"
        in result.stderr
    )
    assert result.stderr.count("\n") == 1 + 6  # six retry notices, then one error line
    assert "Traceback" not in result.output
    lib = Library(db)
    assert resolve_hub(lib, HUB).n_citing == 700  # partial results are usable
    lib.close()

    server.down_from = None
    before = len(server.log)
    result = run_fetch(runner, db, server)
    assert result.exit_code == 0, result.output
    report = json.loads(result.stdout)
    assert report["resumed"]["next"] == 700 and report["finished"]
    second = server.log[before:]
    assert next(r.path for r in second) == CITATIONS_PATH  # no /paper again
    assert [int(r.query["offset"]) for r in second if r.path == CITATIONS_PATH] == list(
        range(700, 1900, 100)
    )
    assert dump(Library(db)) == dump(imported)


def test_ctrl_c_keeps_the_committed_pages_and_the_next_run_resumes(
    server, imported, runner, tmp_path, waits, monkeypatch
):
    real_write_page = fetch_s2.write_page

    def interrupted(writer, page, **kw):
        if "offset=1000" in kw.get("path", ""):
            real_write_page(writer, page, **kw)  # half-written: the transaction must undo it
            raise KeyboardInterrupt
        return real_write_page(writer, page, **kw)

    monkeypatch.setattr(fetch_s2, "write_page", interrupted)
    db = tmp_path / "fetched.db"
    result = run_fetch(runner, db, server)
    assert result.exit_code == 130, result.output
    assert "interrupted; the 11 pages fetched so far are in the library" in result.stderr
    lib = Library(db)
    assert resolve_hub(lib, HUB).n_citing == 1000 and lib.stats().papers == 1001
    lib.close()
    monkeypatch.setattr(fetch_s2, "write_page", real_write_page)
    result = run_fetch(runner, db, server)
    assert result.exit_code == 0, result.output
    assert json.loads(result.stdout)["resumed"]["next"] == 1000
    assert dump(Library(db)) == dump(imported)


def test_a_finished_fetch_runs_again_from_the_start_and_changes_nothing(
    server, runner, tmp_path, waits
):
    db = tmp_path / "fetched.db"
    assert run_fetch(runner, db, server, "--no-tldrs").exit_code == 0
    first = dump(Library(db))
    result = run_fetch(runner, db, server, "--no-tldrs")
    assert result.exit_code == 0, result.output
    report = json.loads(result.stdout)
    assert report["resumed"] is None and report["added"] == {}
    assert dump(Library(db)) == first


def test_the_api_key_is_sent_but_never_shown_or_stored(server, runner, tmp_path, waits):
    secret = "sk-test-4f9c2b7e1d"
    db = tmp_path / "fetched.db"
    result = run_fetch(runner, db, server, "--no-tldrs", env={"S2_API_KEY": secret})
    assert result.exit_code == 0, result.output
    assert {r.headers.get("x-api-key") for r in server.log} == {secret}
    assert all(secret not in r.path and secret not in str(r.query) for r in server.log)
    assert secret not in result.output
    # ... and an API that echoes it back in an error does not get it printed.
    server.routes[("GET", f"/graph/v1/paper/{HUB}")] = lambda e: (
        403,
        {},
        {"message": f"Forbidden for key {secret}"},
    )
    result = run_fetch(runner, db, server, "--restart", env={"S2_API_KEY": secret})
    assert result.exit_code == 5
    assert "HTTP 403" in result.stderr and "Forbidden for key ***" in result.stderr
    assert secret not in result.output
    Library(db).close()  # checkpoint nothing: read the raw files as they are
    for f in tmp_path.iterdir():
        if f.name.startswith("fetched.db"):
            assert secret.encode() not in f.read_bytes(), f.name


def test_an_unknown_paper_is_one_line(server, runner, tmp_path, waits):
    result = runner.invoke(
        cli,
        [
            "--db",
            str(tmp_path / "x.db"),
            "fetch",
            "s2",
            "CorpusID:99",
            "--base-url",
            f"{server.base_url}/graph/v1",
            "--delay",
            "0",
        ],
    )
    assert result.exit_code == 5
    assert result.stderr.startswith("citetui: error: Semantic Scholar has no paper")
    assert "nothing was written" in result.stderr and result.stderr.count("\n") == 1
    bad = runner.invoke(cli, ["--db", str(tmp_path / "x.db"), "fetch", "s2", "not an id"])
    assert bad.exit_code == 2 and "is not a Semantic Scholar paper id" in bad.stderr  # bad input
    bad_oa = runner.invoke(cli, ["--db", str(tmp_path / "x.db"), "fetch", "openalex", "nope"])
    assert bad_oa.exit_code == 2 and "is not an OpenAlex work id" in bad_oa.stderr
    wrong = runner.invoke(cli, ["--db", str(tmp_path / "x.db"), "fetch", "s2", "W2741809807"])
    assert "use citetui fetch openalex" in wrong.stderr


# -- TLDRs, with a one-page walk built from the real citation record ------------------


def test_tldrs_become_summaries_with_their_model_as_source(shared_real, runner, tmp_path, waits):
    record = json.loads((shared_real / "s2" / "citation_record.json").read_text())
    citing = record["citingPaper"]["paperId"]
    srv = ReplayServer(
        {
            ("/graph/v1/paper/CorpusID:1/citations", 0): json.dumps(
                {"offset": 0, "data": [record]}
            ).encode()
        }
    )
    # Test fixtures (not recorded data): a hub record and one TLDR for the citing paper.
    srv.routes[("GET", "/graph/v1/paper/CorpusID:1")] = lambda e: (
        200,
        {},
        {"corpusId": 1, "title": "A hub for this test"},
    )
    srv.routes[("POST", "/graph/v1/paper/batch")] = lambda e: (
        200,
        {},
        [
            {"paperId": i, "tldr": {"model": "tldr@v2.0.0", "text": "A test TLDR."}}
            if i == citing
            else None
            for i in json.loads(e.body)["ids"]
        ],
    )
    with srv:
        result = runner.invoke(
            cli,
            [
                "--db",
                str(tmp_path / "t.db"),
                "fetch",
                "s2",
                "CorpusID:1",
                "--base-url",
                f"{srv.base_url}/graph/v1",
                "--delay",
                "0",
            ],
        )
        assert result.exit_code == 0, result.output
        assert json.loads(srv.requests("/paper/batch")[0].body) == {"ids": [citing]}
        assert srv.requests("/paper/batch")[0].query["fields"] == "tldr"
    lib = Library(tmp_path / "t.db")
    p = lib.find_paper_by_id(citing)
    assert (p.summary, p.summary_source) == ("A test TLDR.", "tldr@v2.0.0")
    hub = resolve_hub(lib, "CorpusID:1").paper.id
    c = lib.citation(p.id, hub)
    assert c.influential is True and set(c.roles) == {"background", "method", "comparison"}
    assert [x.roles for x in c.contexts] == [
        ("method",),
        ("method",),
        ("comparison",),
        ("background",),
    ]
    assert "1 citing in library" in result.stdout


# -- OpenAlex: the work and the works citing it, cursor paging ------------------------

WORK = "W3046863325"


def openalex_server(shared_real: Path, per_page_seen: list[int]) -> ReplayServer:
    keyworks = json.loads((shared_real / "openalex" / "keyworks.json").read_text())
    citing = json.loads((shared_real / "openalex" / "citing_works.json").read_text())["results"]
    work = next(w for w in keyworks["results"] if w["id"].endswith(WORK))
    citing = [w for w in citing if f"https://openalex.org/{WORK}" in w["referenced_works"]]
    srv = ReplayServer({})
    srv.routes[("GET", f"/works/{WORK}")] = lambda e: (200, {}, work)
    cursors = ["*", "c2", "c3"]  # the test server's own cursors over the recorded works

    def works(e):
        assert e.query["filter"] == f"cites:{WORK}"
        per_page_seen.append(int(e.query["per-page"]))
        i = cursors.index(e.query["cursor"])
        chunk = citing[2 * i : 2 * i + 2]
        nxt = cursors[i + 1] if 2 * i + 2 < len(citing) else None
        return (
            200,
            {},
            {"meta": {"count": len(citing), "next_cursor": nxt, "per_page": 2}, "results": chunk},
        )

    srv.routes[("GET", "/works")] = works
    srv.work, srv.citing = work, citing
    return srv


def test_openalex_fetch_follows_cursors_and_builds_the_imported_library(
    shared_real, runner, tmp_path, waits
):
    seen: list[int] = []
    srv = openalex_server(shared_real, seen)
    first_page = srv.routes[("GET", "/works")]
    calls = {"n": 0}

    def flaky(e):  # the second page fails once with a 503 and a Retry-After
        calls["n"] += 1
        if calls["n"] == 2:
            return 503, {"Retry-After": "3"}, {"error": "busy"}
        return first_page(e)

    srv.routes[("GET", "/works")] = flaky
    with srv:
        result = runner.invoke(
            cli,
            [
                "--db",
                str(tmp_path / "o.db"),
                "fetch",
                "openalex",
                WORK,
                "--base-url",
                srv.base_url,
                "--delay",
                "0",
                "--json",
            ],
        )
        assert result.exit_code == 0, result.output
        assert [r.query.get("cursor") for r in srv.requests("/works") if r.path == "/works"] == [
            "*",
            "c2",
            "c2",
            "c3",
        ]
    assert waits == [3.0] and seen[0] == 200
    report = json.loads(result.stdout)
    assert report["finished"] and report["pages"] == 1 + 3

    work_file, citing_file = tmp_path / "work.json", tmp_path / "citing.json"
    work_file.write_text(json.dumps(srv.work))
    citing_file.write_text(json.dumps({"meta": {"count": 5}, "results": srv.citing}))
    ref = Library(tmp_path / "ref.db", create=True)
    import_files(ref, [work_file, citing_file], hub=WORK)
    fetched = Library(tmp_path / "o.db")
    assert resolve_hub(fetched, WORK).n_citing == 5
    assert dump(fetched) == dump(ref)
    assert (
        counts(dump(fetched))["citations"]
        == 5 + sum(len(w["referenced_works"]) for w in [srv.work, *srv.citing]) - 5
    )


# -- the HTTP client on its own -------------------------------------------------------


def test_retry_after_reads_seconds_and_http_dates():
    from datetime import UTC, datetime

    now = datetime(2024, 7, 8, 2, 10, 57, tzinfo=UTC)
    assert retry_after("7") == 7.0
    assert retry_after("Mon, 08 Jul 2024 02:11:27 GMT", now) == 30.0
    assert retry_after("Mon, 08 Jul 2024 02:10:00 GMT", now) == 0.0
    assert retry_after("soon") is None and retry_after(None) is None


def test_a_retry_after_beyond_max_wait_stops_with_a_message(waits):
    srv = ReplayServer({})
    srv.routes[("GET", "/x")] = lambda e: (429, {"Retry-After": "3600"}, {})
    with srv, pytest.raises(FetchError, match="asks to wait 3600 s"):
        Client(srv.base_url, max_wait=120).get("x")
    assert waits == []


def test_client_errors_are_not_retried_and_say_what_the_api_said(waits):
    srv = ReplayServer({})
    srv.routes[("GET", "/x")] = lambda e: (400, {}, {"error": "Unrecognized field 'bogus'"})
    srv.routes[("GET", "/y")] = lambda e: (200, {}, b"<html>not json</html>")
    with srv:
        client = Client(srv.base_url)
        with pytest.raises(FetchError, match="HTTP 400 .*Unrecognized field 'bogus'"):
            client.get("x")
        with pytest.raises(FetchError, match="other than JSON"):
            client.get("y")
    assert len(srv.log) == 2 and waits == []


def test_base_urls_come_from_the_environment(monkeypatch):
    from citetui.fetch import openalex

    monkeypatch.setenv("CITETUI_S2_API", "http://127.0.0.1:9/s2")
    monkeypatch.setenv("CITETUI_OPENALEX_API", "http://127.0.0.1:9/oa")
    assert fetch_s2.base_url() == "http://127.0.0.1:9/s2"
    assert fetch_s2.base_url("http://x") == "http://x"
    assert openalex.base_url() == "http://127.0.0.1:9/oa"
    with pytest.raises(FetchError, match="not an http"):
        Client("file:///etc/passwd")


def test_the_citations_walk_stops_at_the_apis_cap_and_says_where_the_rest_is(
    runner, tmp_path, waits
):
    # A synthetic walk (test fixture): one citing paper a page, `next` always further on.
    srv = ReplayServer({})
    srv.routes[("GET", "/paper/CorpusID:7")] = lambda e: (
        200,
        {},
        {"corpusId": 7, "title": "A much-cited test hub", "citationCount": 25000},
    )

    def citations(e):
        o, n = int(e.query["offset"]), int(e.query["limit"])
        return (
            200,
            {},
            {
                "offset": o,
                "next": o + n,
                "data": [
                    {
                        "citingPaper": {
                            "paperId": f"{o:040x}",
                            "title": f"Citing paper at offset {o}",
                        }
                    }
                ],
            },
        )

    srv.routes[("GET", "/paper/CorpusID:7/citations")] = citations
    srv.routes[("POST", "/paper/batch")] = lambda e: (
        200,
        {},
        [None] * len(json.loads(e.body)["ids"]),
    )
    with srv:
        result = runner.invoke(
            cli,
            [
                "--db",
                str(tmp_path / "c.db"),
                "fetch",
                "s2",
                "CorpusID:7",
                "--base-url",
                srv.base_url,
                "--delay",
                "0",
                "--page-size",
                "1000",
            ],
        )
        asked = [
            (int(r.query["offset"]), int(r.query["limit"])) for r in srv.requests("/citations")
        ]
    assert result.exit_code == 0, result.output
    assert asked == [(o, 1000) for o in range(0, 9000, 1000)] + [(9000, 999)]
    assert "lists at most 9,999 citing papers: fetched 10 of 25000" in result.stderr
    assert "--hubs 7" in result.stderr


def test_a_bad_record_in_a_page_is_skipped_and_reported_not_fatal(runner, tmp_path, waits):
    # Synthetic page (test fixture): one good edge, one whose title is a number.
    srv = ReplayServer({})
    srv.routes[("GET", "/paper/CorpusID:8")] = lambda e: (200, {}, {"corpusId": 8, "title": "Hub"})
    srv.routes[("GET", "/paper/CorpusID:8/citations")] = lambda e: (
        200,
        {},
        {
            "offset": 0,
            "data": [
                {
                    "citingPaper": {"paperId": "a" * 40, "title": "A good citing paper"},
                    "intents": ["methodology"],
                },
                {"citingPaper": {"paperId": "b" * 40, "title": 12345}},
            ],
        },
    )
    srv.routes[("POST", "/paper/batch")] = lambda e: (
        200,
        {},
        [None] * len(json.loads(e.body)["ids"]),
    )
    with srv:
        result = runner.invoke(
            cli,
            [
                "--db",
                str(tmp_path / "b.db"),
                "fetch",
                "s2",
                "CorpusID:8",
                "--base-url",
                srv.base_url,
                "--delay",
                "0",
                "--json",
            ],
        )
    assert result.exit_code == 0, result.output
    report = json.loads(result.stdout)
    assert report["finished"] and len(report["skipped"]) == 1
    assert "citingPaper.title" in report["skipped"][0]
    assert report["key"] == "s2:CorpusID:8"
    lib = Library(tmp_path / "b.db")
    hub = resolve_hub(lib, "CorpusID:8")
    assert hub.n_citing == 1
    assert lib.citation(lib.find_paper_by_id("a" * 40).id, hub.paper.id).roles == ("method",)
