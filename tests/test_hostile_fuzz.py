"""Fuzzing `citetui import` with the real Semantic Scholar / OpenAlex records beside the
repository (../shared/data/real) and the sample: each file as it is, then with random
structure edits (hostile values, deleted keys, duplicated and transplanted records,
wrong types) and byte damage (truncation, flipped or inserted bytes, cut gzip).

An import may succeed or be refused, never crash or print a traceback; a refused one
leaves the library exactly as it was, an accepted one leaves it intact and printable.
"""

from __future__ import annotations

import pytest

from bench import reliability as rel

FILES = rel.real_files()
CASES = rel.fuzz_cases(FILES, per_file=4, seed=6)


@pytest.fixture(scope="module")
def base_library(tmp_path_factory):
    db = tmp_path_factory.mktemp("fuzzbase") / "base.db"
    rel.make_library(db)
    return db


def test_the_real_records_are_there():
    if not rel.REAL.is_dir():
        pytest.skip(f"real sample data not found at {rel.REAL}")
    assert len(FILES) > 10


@pytest.mark.parametrize("i", range(len(CASES)), ids=[c.name for c in CASES])
def test_fuzzed_import(i, tmp_path, base_library):
    # Every fifth case also runs every read command on the result.
    assert rel.run_fuzz_case(CASES[i], tmp_path, base_library, views=i % 5 == 0) is None


def test_bulk_citation_to_corpus_id_zero(tmp_path, base_library):
    """Found by this fuzzing: a cited corpus id of 0 (falsy) crashed the bulk importer."""
    case = rel.ImportCase(
        "corpus id 0",
        "citations.jsonl",
        b'{"citingcorpusid": 5, "citedcorpusid": 0, "contexts": [], '
        b'"intents": [], "isinfluential": false}\n'
        b'{"citingcorpusid": 6, "citedcorpusid": 7}\n',
        True,
    )
    assert rel.run_fuzz_case(case, tmp_path, base_library) is None
