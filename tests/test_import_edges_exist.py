"""Which edges of a batch the library holds, read two ways (citetui.store.edges): staged in
a temporary table and joined, or, when the batch names several edges a citing paper, read
through all the edges of its citing papers. A re-import must count and write alike."""

from __future__ import annotations

import pytest

from bench import formats
from citetui.ingest import import_files
from citetui.store import Library, fts
from citetui.store import edges as edges_mod
from tests.conftest import SAMPLE
from tests.libdump import dump


def _reimport(tmp_path, fmt: str, name: str):
    first = sorted(formats.generate(fmt, 400, tmp_path / f"{fmt}-a", seed=3))
    again = sorted(formats.generate(fmt, 400, tmp_path / f"{fmt}-b", seed=3, shift=0.1))
    lib = Library(tmp_path / f"{name}.db", create=True)
    try:
        import_files(lib, [SAMPLE])
        import_files(lib, first)
        reports = [r.to_dict() for r in import_files(lib, again)]
        return dump(lib), reports
    finally:
        lib.close()


@pytest.mark.parametrize("fmt", ["openalex", "records", "s2-jsonl"])
def test_existing_edges_read_through_their_citing_papers_or_staged_agree(
    fmt, tmp_path, monkeypatch
):
    monkeypatch.setattr(fts, "worth_suspending", lambda conn, size: True)
    seen = []
    real = edges_mod._exist_by_citing
    monkeypatch.setattr(
        edges_mod, "_exist_by_citing", lambda *a: (seen.append(len(a[1])), real(*a))
    )
    via_citing = _reimport(tmp_path, fmt, "citing")
    monkeypatch.setattr(edges_mod, "BY_CITING_PAIRS", 10**9)
    staged = _reimport(tmp_path, fmt, "staged")
    if fmt == "openalex":  # (records bring roles; S2 edges name one hub each: staged)
        assert sum(seen) > 100  # the first way was taken
    assert via_citing == staged
    unchanged = sum(r["unchanged"].get("citations", 0) for r in via_citing[1])
    assert unchanged > 0
