"""Every CLI command through click's CliRunner, with --json output parsed and asserted."""

from __future__ import annotations

import json
import os

from citetui.cli import cli
from tests.conftest import SAMPLE


def run(runner, *args, db=None):
    prefix = ["--db", str(db)] if db else []
    return runner.invoke(cli, [*prefix, *args], catch_exceptions=False)


def test_default_library_is_built_from_the_sample_on_first_use(runner):
    assert not os.path.exists(os.environ["CITETUI_DB"])
    result = run(runner, "hubs", "--json")
    assert result.exit_code == 0, result.stderr
    hubs = json.loads(result.stdout)
    assert [h["title"] for h in hubs] == ["Proximal Policy Optimization Algorithms"]
    assert hubs[0]["tier"] == "mega hub" and hubs[0]["citing_papers"] == 66
    assert os.path.exists(os.environ["CITETUI_DB"])


def test_show_prints_the_ppo_hub(runner):
    result = run(runner, "show", "proximal policy optimization")
    assert result.exit_code == 0, result.stderr
    out = result.stdout
    assert "Proximal Policy Optimization Algorithms" in out
    assert "We propose a new family of policy gradient methods" in out
    assert "background" in out and "52%" in out and "recorded by hub-page" in out
    assert "Claims ledger" in out and "1. We propose" in out
    assert "no polarity labels recorded for this hub" in out
    assert "no co-cited works in the library" in out
    assert "Mixed citations (recorded by hub-page)" in out
    assert "top role background 52% (recorded by hub-page, n not given)" in out


def test_show_json(runner):
    result = run(runner, "show", "ppo", "--json")
    page = json.loads(result.stdout)
    assert page["hub"]["arxiv"] == "1707.06347"
    assert page["role_summary"] == {
        "provenance": "recorded",
        "source": "hub-page",
        "n": None,
        "bars": [{"label": "background", "share": 0.52, "count": None}],
    }
    assert page["polarity_summary"] is None
    assert len(page["claims"]) == 1 and page["claims"][0]["text"].startswith("We propose")
    assert len(page["representative"]) == 23


def test_search_examples_find_their_papers(runner):
    result = run(runner, "search", "proximal polcy optimisation", "--json")
    hits = json.loads(result.stdout)
    assert hits[0]["title"] == "Proximal Policy Optimization Algorithms"
    assert {"id", "title", "summary", "score"} <= hits[0].keys()
    result = run(runner, "search", "weak to strong generalisation", "--json", "--limit", "3")
    hits = json.loads(result.stdout)
    assert (
        hits[0]["title"] == "Weak-to-Strong Generalization is Nearly Inevitable (in Linear Models)"
    )
    assert len(hits) <= 3


def test_search_within_a_hub_and_no_match(runner):
    result = run(runner, "search", "weak strong", "--hub", "ppo", "--json")
    titles = [h["title"] for h in json.loads(result.stdout)]
    assert titles[0].startswith("Weak-to-Strong")
    assert "Proximal Policy Optimization Algorithms" not in titles  # the hub does not cite itself
    result = run(runner, "search", "zzzxqj")
    assert result.exit_code == 1 and "no matches" in result.stderr


def test_stats_json(runner):
    stats = json.loads(run(runner, "stats", "--json").stdout)
    assert stats["hubs"] == 1 and stats["papers"] == 67 and stats["citations"] == 66
    assert stats["schema_version"] >= 1


def test_import_reports_and_is_idempotent(runner, tmp_path):
    db = tmp_path / "mine.db"
    first = json.loads(run(runner, "import", str(SAMPLE), "--json", db=db).stdout)
    assert first[0]["added"]["papers"] == 67 and first[0]["added"]["hubs"] == 1
    second = json.loads(run(runner, "import", str(SAMPLE), "--json", db=db).stdout)
    assert second[0]["added"] == {} and second[0]["updated"] == {}
    assert second[0]["unchanged"]["papers"] == 67
    text = run(runner, "import", str(SAMPLE), db=db)
    assert "unchanged: 66 citations" in text.stdout


def _stats(runner, db):
    return json.loads(run(runner, "stats", "--json", db=db).stdout)


def test_broken_inputs_exit_non_zero_and_change_nothing(runner, tmp_path):
    db = tmp_path / "mine.db"
    run(runner, "import", str(SAMPLE), db=db)
    before = _stats(runner, db)
    broken = tmp_path / "broken.json"
    broken.write_text('{"format": "citetui-bundle",\n "version": 1,\n "papers": [}\n')
    bad_field = tmp_path / "badfield.json"
    doc = json.loads(SAMPLE.read_text())
    doc["papers"][3]["year"] = "two thousand"
    bad_field.write_text(json.dumps(doc))
    unknown = tmp_path / "unknown.json"
    unknown.write_text('{"hello": "world"}')
    cases = {
        str(tmp_path / "missing.json"): "no such file",
        str(broken): "broken.json:3:13: invalid JSON",
        str(bad_field): "record papers[3] (p3): field year: expected an integer",
        str(unknown): "unknown format",
    }
    for path, message in cases.items():
        result = run(runner, "import", path, db=db)
        assert result.exit_code != 0
        assert message in result.stderr, result.stderr
        assert "Traceback" not in result.stderr and len(result.stderr.strip().splitlines()) == 1
        assert _stats(runner, db)["papers"] == before["papers"]
    assert _stats(runner, db)["imports"] == before["imports"]


def test_a_failed_first_import_leaves_no_library_file(runner, tmp_path):
    db = tmp_path / "new.db"
    bad = tmp_path / "bad.json"
    bad.write_text('{"format": "citetui-bundle", "version": 1, "papers": [{"key": 1}]}')
    result = run(runner, "import", str(bad), db=db)
    assert result.exit_code == 2 and "citetui: error:" in result.stderr
    assert sorted(p.name for p in tmp_path.iterdir()) == ["bad.json"]
    assert run(runner, "import", str(SAMPLE), db=db).exit_code == 0
    assert run(runner, "import", str(bad), db=db).exit_code == 2
    assert db.exists()  # a library that was there stays, as it was


def test_library_that_is_not_sqlite(runner, tmp_path):
    junk = tmp_path / "junk.db"
    junk.write_text("not a database " * 100)
    result = run(runner, "hubs", db=junk)
    assert result.exit_code == 3
    assert "not a SQLite database" in result.stderr and "Traceback" not in result.stderr
    assert junk.read_text() == "not a database " * 100


def test_explicit_missing_library_is_an_error(runner, tmp_path):
    result = run(runner, "hubs", db=tmp_path / "nope.db")
    assert result.exit_code == 3 and "no library at" in result.stderr
    assert not (tmp_path / "nope.db").exists()


def test_unknown_hub(runner):
    result = run(runner, "show", "a paper about knitting sweaters")
    assert result.exit_code == 4 and "no hub matches" in result.stderr


def test_markup_and_escapes_in_data_are_printed_literally(runner, tmp_path):
    db = tmp_path / "hostile.db"
    doc = {
        "format": "citetui-bundle",
        "version": 1,
        "source": {"name": "t"},
        "hub": {"paper": "h"},
        "papers": [{"key": "h", "title": "[bold]Hub[/] \x1b[2Jcleared \x1b]52;c;aGk=\x07"}],
    }
    path = tmp_path / "h.json"
    path.write_text(json.dumps(doc))
    run(runner, "import", str(path), db=db)
    out = run(runner, "hubs", db=db).stdout
    assert "[bold]Hub[/] cleared" in out and "\x1b" not in out and "\x07" not in out


def test_a_command_that_succeeds_does_not_import_every_importer():
    """The browser starts through friendly_errors: the error types (citetui.ingest and
    its every format) are imported only when there is an error to report."""
    import subprocess
    import sys

    code = (
        "import sys; from citetui.cli.common import friendly_errors; "
        "friendly_errors(lambda: 1)(); print('citetui.ingest' in sys.modules)"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.strip() == "False"
