"""The user's layer: notes, tags, status, stars and label overrides survive every import."""

from __future__ import annotations

import json

import pytest

from citetui.cli import cli
from citetui.core.models import PaperRecord
from citetui.ingest import import_files
from citetui.search.resolver import resolve_paper
from citetui.store import Writer
from tests.conftest import SAMPLE, ppo_id

W2S = "Weak-to-Strong Generalization is Nearly Inevitable (in Linear Models)"


def invoke(runner, db, *args):
    return runner.invoke(cli, ["--db", str(db), *args], catch_exceptions=False)


@pytest.fixture
def db(runner, tmp_path):
    path = tmp_path / "lib.db"
    assert invoke(runner, path, "import", str(SAMPLE)).exit_code == 0
    return path


def test_cli_personal_layer_round_trip(runner, db):
    assert invoke(runner, db, "note", W2S, "linear", "only").exit_code == 0
    assert invoke(runner, db, "note", W2S, "see §3", "--append").exit_code == 0
    assert invoke(runner, db, "tag", W2S, "theory").exit_code == 0
    assert invoke(runner, db, "status", W2S, "key").exit_code == 0
    assert invoke(runner, db, "star", W2S).exit_code == 0
    out = json.loads(invoke(runner, db, "notes", "--json").stdout)
    (a,) = out["annotations"]
    assert a["note"] == "linear only\nsee §3" and a["tags"] == ["theory"]
    assert a["status"] == "key" and a["starred"] is True
    bad = invoke(runner, db, "status", W2S, "devoured")
    assert bad.exit_code == 2 and "Traceback" not in bad.stderr
    missing = invoke(runner, db, "note", "no such paper about knitting", "x")
    assert missing.exit_code == 2 and "no paper is a close match" in missing.stderr


def test_override_recomputes_summary_and_survives_reimport(runner, db):
    hub = "Proximal Policy Optimization Algorithms"
    result = invoke(runner, db, "label", W2S, hub, "--role", "critique", "--polarity", "critical")
    assert result.exit_code == 0, result.stderr
    page = json.loads(invoke(runner, db, "show", "ppo", "--json").stdout)
    assert page["role_summary"]["provenance"] == "computed"
    assert page["role_summary"]["bars"] == [{"label": "critique", "share": 1.0, "count": 1}]
    assert page["recorded_role_summary"]["bars"][0]["label"] == "background"
    # one label: the source's verdict and role stand, the computed counts beside them
    assert page["hub"]["verdict_line"].startswith("Mixed citations (recorded by hub-page)")
    assert "computed: 1 of 66 citing papers labelled: critique 1" in page["hub"]["verdict_line"]
    before = json.loads(invoke(runner, db, "notes", "--json").stdout)
    # a source that labels the same citation differently does not undo the user's label
    doc = json.loads(SAMPLE.read_text())
    doc["source"]["name"] = "another-source"
    weak = next(p["key"] for p in doc["papers"] if (p.get("title") or "").startswith("Weak-to"))
    for c in doc["citations"]:
        if c["citing"] == weak:
            c["roles"], c["polarity"] = ["method"], "supportive"
    other = db.parent / "other.json"
    other.write_text(json.dumps(doc))
    assert invoke(runner, db, "import", str(other), str(SAMPLE)).exit_code == 0
    assert json.loads(invoke(runner, db, "notes", "--json").stdout) == before
    page = json.loads(invoke(runner, db, "show", "ppo", "--json").stdout)
    assert page["role_summary"]["bars"] == [{"label": "critique", "share": 1.0, "count": 1}]
    assert page["polarity_summary"]["bars"][0]["label"] == "critical"


def test_disagreements_and_clearing_an_override(sample_lib):
    hub = ppo_id(sample_lib)
    pid = resolve_paper(sample_lib, "Weak-to-Strong Generalization").id
    with sample_lib.transaction() as dbx:
        Writer(dbx, "s2").upsert_citation(pid, hub, roles=["method"])
    sample_lib.override_label(pid, hub, "role", ["comparison"])
    assert sample_lib.citation(pid, hub).roles == ("comparison",)
    (d,) = sample_lib.disagreements(hub)
    assert d["by_source"] == {"s2": "method", "you": "comparison"}
    sample_lib.override_label(pid, hub, "role", [])
    assert sample_lib.citation(pid, hub).roles == ("method",)
    assert sample_lib.disagreements(hub) == []
    with pytest.raises(ValueError, match="unknown role"):
        sample_lib.override_label(pid, hub, "role", ["vibes"])


def test_merging_two_records_keeps_both_notes(empty_lib):
    with empty_lib.transaction() as dbx:
        w = Writer(dbx, "t")
        a = w.upsert_paper(PaperRecord(title="Paper A", doi="10.1/a"))
        b = w.upsert_paper(PaperRecord(title="Paper A preprint", arxiv="2101.00001"))
    empty_lib.set_note(a, "from the journal version")
    empty_lib.add_tag(a, "x")
    empty_lib.set_note(b, "from the preprint")
    empty_lib.add_tag(b, "y")
    with empty_lib.transaction() as dbx:
        Writer(dbx, "t").upsert_paper(
            PaperRecord(title="Paper A", doi="10.1/a", arxiv="2101.00001")
        )
    (only,) = empty_lib.annotations()
    assert only.paper_id == a and only.tags == ("x", "y")
    assert only.note == "from the journal version\nfrom the preprint"


def test_status_counts(sample_lib):
    hub = ppo_id(sample_lib)
    pid = resolve_paper(sample_lib, "Weak-to-Strong Generalization").id
    sample_lib.set_status(pid, "read")
    counts = sample_lib.status_counts(hub)
    assert counts["read"] == 1 and counts["unread"] == 65
    import_files(sample_lib, [SAMPLE])
    assert sample_lib.annotation(pid).status == "read"


def test_saved_views_and_history(runner, db):
    from citetui.store import Library

    ok = invoke(runner, db, "view", "save", "weak", "weak", "strong", "--hub", "ppo", "--slot", "2")
    assert ok.exit_code == 0, ok.stderr
    invoke(runner, db, "view", "save", "other", "policy", "--slot", "2")  # takes key 2
    listed = json.loads(invoke(runner, db, "view", "--json").stdout)
    assert [(x["name"], x["slot"]) for x in listed] == [("other", 2), ("weak", None)]
    assert listed[1]["query"] == "weak strong" and listed[1]["hub_id"] is not None
    bad = invoke(runner, db, "view", "save", "x", "role:vibes")
    assert bad.exit_code == 2 and "unknown role" in bad.stderr
    assert invoke(runner, db, "view", "delete", "nope").exit_code == 4
    lib = Library(db)
    lib.remember_query("role:method")
    lib.remember_query("weak strong")
    lib.remember_query("role:method")
    lib.close()
    hist = json.loads(invoke(runner, db, "history", "--json").stdout)
    assert [(h["query"], h["uses"]) for h in hist] == [("role:method", 2), ("weak strong", 1)]
    found = json.loads(invoke(runner, db, "history", "weak", "--json").stdout)
    assert [h["query"] for h in found] == ["weak strong"]
    # a re-import leaves views and history alone
    invoke(runner, db, "import", str(SAMPLE))
    assert json.loads(invoke(runner, db, "view", "--json").stdout) == listed


def test_the_user_layer_round_trips_through_the_json_bundle(sample_lib, tmp_path):
    """Notes, tags, statuses, stars and label overrides go out in the bundle's "user"
    section and come back in another library; a library's own notes are never replaced."""
    import jsonschema

    from citetui.export import export
    from citetui.store import Library
    from tests.test_export import SCHEMA

    lib = sample_lib
    hub = ppo_id(lib)
    weak = resolve_paper(lib, "Weak-to-Strong Generalization is Nearly Inevitable").id
    lib.set_note(weak, "Check the linear case [bold]proof[/]")
    lib.add_tag(weak, "theory")
    lib.set_status(weak, "key")
    lib.set_star(hub, True)
    lib.override_label(weak, hub, "role", ["method", "extension"])
    lib.override_label(weak, hub, "polarity", ["supportive"])

    def layer(library):
        title = {
            p.id: p.title
            for p in library.papers(
                [a.paper_id for a in library.annotations()]
                + [o.citing_id for o in library.label_overrides()]
                + [o.cited_id for o in library.label_overrides()]
            ).values()
        }
        notes = sorted(
            (title[a.paper_id], a.starred, a.status, a.tags, a.note) for a in library.annotations()
        )
        labels = sorted(
            (title[o.citing_id], title[o.cited_id], o.kind, o.value)
            for o in library.label_overrides()
        )
        return notes, labels

    text = export(lib, hub, "json")
    doc = json.loads(text)
    jsonschema.validate(doc, SCHEMA)
    assert doc["user"]["labels"] and doc["user"]["annotations"]
    assert all(c.get("source") != "you" for c in doc["citations"])  # not a source's labels
    path = tmp_path / "out.json"
    path.write_text(text)
    other = Library(tmp_path / "other.db", create=True)
    (report,) = import_files(other, [path])
    assert report.added["annotations"] == 2 and report.added["label overrides"] == 2
    assert layer(other) == layer(lib)
    weak2 = resolve_paper(other, "Weak-to-Strong Generalization is Nearly Inevitable").id
    hub2 = ppo_id(other)
    assert set(other.citation(weak2, hub2).roles) == {"method", "extension"}
    # importing it again, or into a library whose user wrote something else: theirs stays
    other.set_note(weak2, "my own note")
    (again,) = import_files(other, [path])
    assert not again.added
    assert other.annotation(weak2).note == "my own note"
    other.close()


def test_disagreements_command(runner, tmp_path):
    from tests.conftest import REPO

    db = tmp_path / "d.db"
    assert (
        invoke(runner, db, "import", str(REPO / "tests" / "data" / "small-hub.json")).exit_code == 0
    )
    assert "no citation has labels that disagree" in invoke(runner, db, "disagreements").stdout
    assert (
        invoke(
            runner,
            db,
            "label",
            "Self-Attention Everywhere",
            "Attention Is All You Need",
            "--polarity",
            "critical",
        ).exit_code
        == 0
    )
    out = invoke(runner, db, "disagreements", "Attention Is All You Need").stdout
    assert "Self-Attention Everywhere -> Attention Is All You Need: polarity:" in out
    assert "you critical" in out
    rows = json.loads(invoke(runner, db, "disagreements", "--json").stdout)
    assert rows[0]["by_source"]["you"] == "critical" and len(rows[0]["by_source"]) == 2
