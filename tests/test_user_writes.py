"""What the user writes is never lost or misfiled (issue 16, data loss): concurrent
writers all land, an empty note is refused, output is complete or the command fails,
different papers never merge, --hub never overrides a page's own hub, and merged
papers keep one consistent set of the user's labels."""

from __future__ import annotations

import json
import os
import resource
import subprocess
import sys
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import pytest
from click.testing import CliRunner

from bench import reliability as rel
from citetui.cli import cli
from citetui.core.models import PaperRecord
from citetui.ingest import import_files
from citetui.search.resolver import resolve_hub
from citetui.store import Library, Writer

REPO = Path(__file__).resolve().parents[1]


def citetui(db: Path, *args: str, **kw) -> subprocess.CompletedProcess:
    """The real command in a subprocess, as a user's shell runs it."""
    return subprocess.run(
        [sys.executable, "-m", "citetui", "--db", str(db), *args],
        capture_output=True,
        text=True,
        cwd=REPO,
        timeout=120,
        env={**os.environ, "PYTHONPATH": str(REPO)},
        **kw,
    )


@pytest.fixture
def db(tmp_path) -> Path:
    path = tmp_path / "lib.db"
    rel.make_library(path, annotate=False)
    return path


def test_concurrent_appends_and_tags_all_land(db):
    with ThreadPoolExecutor(max_workers=20) as pool:
        runs = list(
            pool.map(lambda i: citetui(db, "note", "5", f"line-{i}", "--append"), range(20))
        )
        runs += list(pool.map(lambda i: citetui(db, "tag", "5", f"t{i}"), range(15)))
    assert [r.returncode for r in runs] == [0] * 35, [r.stderr for r in runs if r.returncode]
    with Library(db) as lib:
        a = lib.annotation(5)
    assert sorted(a.note.splitlines()) == sorted(f"line-{i}" for i in range(20))
    assert sorted(a.tags) == sorted(f"t{i}" for i in range(15))


def test_star_note_status_and_tag_at_once_all_land(db):
    for rnd in range(3):
        pid = str(10 + rnd)
        cmds = [("star", pid), ("note", pid, "n"), ("status", pid, "read"), ("tag", pid, "x")]
        with ThreadPoolExecutor(max_workers=4) as pool:
            runs = list(pool.map(lambda c: citetui(db, *c), cmds))
        assert [r.returncode for r in runs] == [0] * 4, [r.stderr for r in runs]
        with Library(db) as lib:
            a = lib.annotation(int(pid))
        assert (a.starred, a.note, a.status, a.tags) == (True, "n", "read", ("x",))


def test_a_write_that_cannot_get_the_lock_fails_and_says_so(db):
    holder = Library(db)
    try:
        holder.conn.execute("BEGIN IMMEDIATE")
        run = citetui(db, "note", "5", "lost?", "--append")
    finally:
        holder.conn.execute("ROLLBACK")
        holder.close()
    assert run.returncode == 3
    assert "locked" in run.stderr
    with Library(db) as lib:
        assert lib.annotation(5).note is None


@pytest.mark.parametrize(
    "args", [("note", "6", "--append", ""), ("note", "5", ""), ("note", "6", "   ")]
)
def test_an_empty_note_is_refused_and_keeps_the_note(db, args):
    assert citetui(db, "note", "6", "keep").returncode == 0
    assert citetui(db, "note", "5", "mine").returncode == 0
    run = citetui(db, *args)
    assert run.returncode == 2
    assert "--clear" in run.stderr
    with Library(db) as lib:
        assert (lib.annotation(5).note, lib.annotation(6).note) == ("mine", "keep")
    assert citetui(db, "note", "6", "--clear").returncode == 0
    with Library(db) as lib:
        assert lib.annotation(6).note is None


@pytest.mark.skipif(not os.path.exists("/dev/full"), reason="no /dev/full on this system")
@pytest.mark.parametrize(
    "args",
    [
        ("export", "ppo", "--format", "json"),
        ("export", "ppo", "--format", "csv"),
        ("search", "policy", "--json"),
        ("show", "ppo"),
        ("hubs", "--json"),
        ("notes",),
    ],
)
def test_output_to_a_full_disk_fails(db, args):
    with open("/dev/full", "w") as full:
        run = subprocess.run(
            [sys.executable, "-m", "citetui", "--db", str(db), *args],
            stdout=full,
            stderr=subprocess.PIPE,
            text=True,
            cwd=REPO,
            env={**os.environ, "PYTHONPATH": str(REPO)},
            timeout=120,
        )
    assert run.returncode == 1
    assert "cannot write the output" in run.stderr
    assert "Traceback" not in run.stderr


def test_output_over_the_file_size_limit_fails(db, tmp_path):
    out = tmp_path / "out.json"
    limit = 200_000
    out.write_bytes(b"x" * (limit - 10_000))  # room for less than the export

    def small_files() -> None:
        resource.setrlimit(resource.RLIMIT_FSIZE, (limit, limit))

    with open(out, "a") as fh:
        run = subprocess.run(
            [sys.executable, "-m", "citetui", "--db", str(db), "export", "ppo", "--format", "json"],
            stdout=fh,
            stderr=subprocess.PIPE,
            text=True,
            cwd=REPO,
            preexec_fn=small_files,
            timeout=120,
            env={**os.environ, "PYTHONPATH": str(REPO)},
        )
    assert run.returncode == 1, run.stderr
    assert "cannot write the output" in run.stderr


def test_a_closed_pipe_is_quiet_and_exits_0(db, tmp_path):
    big = tmp_path / "hostile.json"  # a megabyte abstract: more than a pipe holds
    big.write_text(json.dumps(rel.hostile_bundle()))
    assert citetui(db, "import", str(big)).returncode == 0
    with Library(db) as lib:
        hub = max(lib.hubs(), key=lambda h: h.paper.id).paper.id
    cmd = (
        f"{sys.executable} -m citetui --db {db} export {hub} --format json | head -c 10 "
        ">/dev/null; echo ${PIPESTATUS[0]}"
    )
    run = subprocess.run(
        ["bash", "-c", cmd],
        capture_output=True,
        text=True,
        cwd=REPO,
        env={**os.environ, "PYTHONPATH": str(REPO)},
        timeout=120,
    )
    assert run.stdout.strip() == "0"
    assert run.stderr == ""


def test_papers_that_differ_by_a_sign_never_merge(tmp_path):
    bundle = json.loads(json.dumps(rel.sample_bundle()))
    bundle["papers"] += [
        {"key": "cpp", "title": "C++ for Engineers", "year": 2020},
        {"key": "cs", "title": "C# for Engineers", "year": 2020},
        {"key": "c", "title": "C for Engineers", "year": 2020, "ids": {"doi": "10.1/c"}},
    ]
    path = tmp_path / "b.json"
    path.write_text(json.dumps(bundle))
    with Library(tmp_path / "lib.db", create=True) as lib:
        (report,) = import_files(lib, [path])
        titles = {
            r[0]
            for r in lib.conn.execute("SELECT title FROM papers WHERE title LIKE '%for Engineers'")
        }
    assert titles == {"C++ for Engineers", "C# for Engineers", "C for Engineers"}
    assert "papers" not in report.updated


def _page(n: int) -> dict:
    return {
        "offset": 0,
        "data": [
            {
                "citingPaper": {"paperId": f"{i:040x}", "title": f"Citing paper {i}", "year": 2020},
                "contexts": [],
                "intents": [],
                "isInfluential": False,
            }
            for i in range(1, n + 1)
        ],
    }


def test_hub_that_conflicts_with_the_file_name_is_refused(db, tmp_path):
    page = tmp_path / "citations_CorpusID14514057_page00.json"
    page.write_text(json.dumps(_page(3)))
    before = rel.library_digest(db)
    run = citetui(db, "import", str(page), "--hub", "ARXIV:1707.06347")
    assert run.returncode == 2
    assert "CorpusID:14514057" in run.stderr and "ARXIV:1707.06347" in run.stderr
    assert rel.library_digest(db) == before
    # the same paper named by the same id is no conflict
    assert citetui(db, "import", str(page), "--hub", "CorpusID:14514057").returncode == 0


def test_hub_that_names_the_file_names_paper_by_another_id_is_accepted(db, tmp_path):
    with Library(db) as lib, lib.transaction() as tx:
        Writer(tx, "test").upsert_paper(PaperRecord(title="Hub", corpus_id=77, doi="10.5/hub"))
    page = tmp_path / "citations_CorpusID77_page00.json"
    page.write_text(json.dumps(_page(2)))
    run = citetui(db, "import", str(page), "--hub", "DOI:10.5/hub")
    assert run.returncode == 0, run.stderr
    with Library(db) as lib:
        hub = resolve_hub(lib, "CorpusID:77")
        assert hub.n_citing == 2


def test_user_labels_of_merged_papers_agree_everywhere(tmp_path):
    with Library(tmp_path / "lib.db", create=True) as lib:
        with lib.transaction() as tx:
            w = Writer(tx, "test")
            hub = w.upsert_paper(PaperRecord(title="Hub", doi="10.1/hub"))
            a = w.upsert_paper(PaperRecord(title="Paper", doi="10.1/a"))
            b = w.upsert_paper(PaperRecord(title="Paper (preprint)", arxiv="2001.00001"))
            w.mark_hub(hub)
            for p in (a, b):
                w.upsert_citation(p, hub, roles=["background"], polarity="neutral")
        lib.override_label(a, hub, "polarity", ["supportive"])
        lib.override_label(b, hub, "polarity", ["critical"])  # the newer one
        lib.conn.execute(
            "UPDATE user_labels SET updated_at = '2000-01-01' WHERE citing_id = ?", (a,)
        )
        with lib.transaction() as tx:
            merged = Writer(tx, "test").upsert_paper(
                PaperRecord(title="Paper", doi="10.1/a", arxiv="2001.00001")
            )
        assert merged == a
        users = lib.conn.execute("SELECT citing_id, kind, value FROM user_labels").fetchall()
        yours = lib.conn.execute(
            "SELECT citing_id, kind, value FROM labels WHERE source = 'you'"
        ).fetchall()
        assert users == [(a, "polarity", "critical")]
        assert yours == [(a, "polarity", "critical")]
        assert lib.citation(a, hub).polarity == "critical"
        listed = [(o.citing_id, o.kind, o.value) for o in lib.label_overrides()]
        by_you = [
            (d["citing_id"], d["kind"], d["by_source"].get("you")) for d in lib.disagreements()
        ]
        assert listed == [(a, "polarity", "critical")]
        assert by_you == [(a, "polarity", "critical")]


def test_cli_note_names_the_paper_it_wrote_to(db):
    run = CliRunner().invoke(cli, ["--db", str(db), "note", "1707.06347", "mine"])
    assert run.exit_code == 0
    assert "Proximal Policy Optimization Algorithms" in run.stdout
