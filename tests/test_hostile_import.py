"""Hostile files given to `citetui import`: one clear line and an untouched library, or a
clean import whose every string is shown literally (bench/reliability.py runs the same)."""

from __future__ import annotations

import gzip
import json

import pytest

from bench import reliability as rel
from citetui.ingest.errors import InputError
from citetui.ingest.jsonio import iter_jsonl, load_json, peek

CASES = rel.import_cases()


@pytest.fixture(scope="module")
def base_library(tmp_path_factory):
    """The sample with some of the user's own annotations, copied for each case."""
    db = tmp_path_factory.mktemp("base") / "base.db"
    rel.make_library(db)
    return db


@pytest.mark.parametrize("case", CASES, ids=[c.name for c in CASES])
def test_hostile_import(case, tmp_path, base_library):
    assert rel.run_import_case(case, tmp_path, base_library) is None


def test_every_rejection_names_the_file(tmp_path, base_library):
    """The cases above check the line; here, that it names the file the user gave."""
    case = next(c for c in CASES if c.name == "unknown role")
    db = rel.copy_library(base_library, tmp_path / "lib.db")
    path = tmp_path / case.filename
    path.write_bytes(case.data)
    run = rel.cli_runner_invoke(db, ["import", str(path)])
    assert run.code == 2
    assert run.err.startswith(f"citetui: error: {path}: record citations[0]: field roles: ")


def test_skip_invalid_reports_each_bad_record_and_imports_the_rest(tmp_path):
    doc = rel.sample_bundle()
    doc["papers"].append({"key": "good", "title": "A good new paper", "year": 2024})
    doc["papers"].append({"key": "bad", "title": 42})
    doc["citations"].append({"citing": "good", "cited": "hub", "roles": ["method"]})
    doc["citations"].append({"citing": "bad", "cited": "hub"})
    doc["citations"].append({"citing": "good", "cited": "hub", "polarity": "smug"})
    path = tmp_path / "mixed.json"
    path.write_text(json.dumps(doc))
    db = tmp_path / "lib.db"

    refused = rel.cli_runner_invoke(db, ["import", str(path)])
    assert refused.code == 2 and "field title" in refused.err

    run = rel.cli_runner_invoke(db, ["import", "--skip-invalid", str(path), "--json"])
    assert run.code == 0, run.err
    skipped = json.loads(run.out)[0]["skipped"]
    assert len(skipped) == 3
    assert "papers[68] (bad): field title" in skipped[0]
    assert "refers to paper 'bad', which was left out" in skipped[1]
    assert "unknown value 'smug'" in skipped[2]
    found = rel.cli_runner_invoke(db, ["search", "good", "new", "paper", "--json"])
    assert [r["title"] for r in json.loads(found.out) if r["match"] == "all"] == [
        "A good new paper"
    ]


def test_json_errors_point_at_line_and_column(tmp_path):
    path = tmp_path / "bad.json"
    path.write_text('{\n  "format": "citetui-bundle",\n  "version": 1\n  "papers": []\n}')
    with pytest.raises(InputError) as err:
        load_json(path)
    assert (err.value.line, err.value.column) == (4, 3)
    assert str(err.value) == f"{path}:4:3: invalid JSON: Expecting ',' delimiter"


def test_jsonl_lines_stream_with_their_numbers(tmp_path):
    path = tmp_path / "records.jsonl.gz"
    lines = ['{"a": 1}', "", '{"a": "\\ud800"}', "not json", '{"a": 3}']
    path.write_bytes(gzip.compress(("\ufeff" + "\n".join(lines)).encode()))
    with pytest.raises(InputError) as err:
        list(iter_jsonl(path))
    assert err.value.line == 4 and "invalid JSON" in str(err.value)
    bad: list[InputError] = []
    got = list(iter_jsonl(path, on_error=bad.append))
    assert got == [(1, {"a": 1}), (3, {"a": "\ufffd"}), (5, {"a": 3})]
    assert [e.line for e in bad] == [4]


def test_jsonl_bad_utf8_names_its_line(tmp_path):
    path = tmp_path / "records.jsonl"
    path.write_bytes(b'{"a": 1}\n{"a": "caf\xe9"}\n')
    with pytest.raises(InputError, match=r":2: not UTF-8"):
        list(iter_jsonl(path))


def test_jsonl_truncated_gzip_says_where(tmp_path):
    path = tmp_path / "records.jsonl.gz"
    data = gzip.compress(b"".join(b'{"n": %d}\n' % i for i in range(20000)))
    path.write_bytes(data[: len(data) // 2])
    seen = []
    with pytest.raises(InputError, match="truncated or corrupt gzip data.*after line"):
        for lineno, _ in iter_jsonl(path):
            seen.append(lineno)
    assert seen and seen == list(range(1, len(seen) + 1))


def test_peek_tolerates_a_character_cut_at_the_end(tmp_path):
    path = tmp_path / "cut.json"
    path.write_bytes(b'{"format": "citetui-bundle", "t": "' + "é".encode() * 3000 + b'"}')
    assert peek(path, 4095).startswith('{"format": "citetui-bundle"')
