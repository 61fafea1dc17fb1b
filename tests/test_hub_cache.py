"""The computed hub panes are kept in hub_cache once computed, and every write that can
change them empties it: what the page shows is always what computing it afresh gives."""

from __future__ import annotations

import json
import sqlite3
import time

import pytest

from citetui.ingest import InputError, import_files
from citetui.search.resolver import resolve_hub
from citetui.store import Library
from tests.test_export import _ties_bundle


def _lib(tmp_path, name="lib") -> tuple[Library, int]:
    path = tmp_path / f"{name}.json"
    path.write_text(json.dumps(_ties_bundle(False)))
    lib = Library(tmp_path / f"{name}.db", create=True)
    import_files(lib, [path])
    return lib, resolve_hub(lib, "1700.00001").paper.id


def _cached(lib: Library) -> int:
    return lib.conn.execute("SELECT count(*) FROM hub_cache").fetchone()[0]


def _fresh(lib: Library, hub: int) -> dict:
    """The panes computed now, ignoring the cache."""
    lib.conn.execute("DELETE FROM hub_cache")
    return lib.computed_panes(hub)


def test_the_second_page_comes_from_the_cache_and_equals_a_fresh_one(tmp_path):
    lib, hub = _lib(tmp_path)
    assert _cached(lib) == 0
    first = lib.hub_page(hub)
    assert _cached(lib) == 1
    # a cached payload is what the page is built from: tamper with it and see
    payload = json.loads(lib.conn.execute("SELECT payload FROM hub_cache").fetchone()[0])
    assert payload["representative"] == [p.id for p in first.representative]
    assert lib.hub_page(hub) == first
    assert first.representative and first.cocited and first.role_summary.provenance == "computed"


def test_a_label_override_and_a_changing_import_empty_the_cache(tmp_path):
    lib, hub = _lib(tmp_path)
    before = lib.hub_page(hub)
    citing = before.representative[0].id
    lib.override_label(citing, hub, "role", ["critique"])
    assert _cached(lib) == 0
    after = lib.hub_page(hub)
    assert {b.label for b in after.role_summary.bars} >= {"critique"}
    assert after.role_summary != before.role_summary
    # the same file again changes nothing: the cache stays
    assert _cached(lib) == 1
    path = tmp_path / "lib.json"
    report = import_files(lib, [path])[0]
    assert not report.added and not report.updated  # the user's label still wins: no change
    assert _cached(lib) == 1
    # new citations: the cache goes and the counts follow
    doc = json.loads(path.read_text())
    doc["papers"].append({"key": "new", "title": "A new citing paper", "year": 2024})
    doc["citations"].append({"citing": "new", "cited": "hub", "roles": ["extension"]})
    path.write_text(json.dumps(doc))
    import_files(lib, [path])
    assert _cached(lib) == 0
    assert lib.hub_page(hub).role_summary.n == after.role_summary.n + 1
    assert lib.computed_panes(hub) == _fresh(lib, hub)


def test_a_read_only_or_busy_library_computes_without_waiting(tmp_path):
    lib, hub = _lib(tmp_path)
    page = lib.hub_page(hub)
    lib.conn.execute("DELETE FROM hub_cache")
    ro = Library(lib.path, readonly=True)
    assert ro.hub_page(hub) == page and _cached(lib) == 0
    # another process holds the write lock (an import): the page does not wait for it
    other = sqlite3.connect(lib.path, isolation_level=None)
    other.execute("BEGIN IMMEDIATE")
    try:
        t = time.perf_counter()
        assert lib.hub_page(hub) == page
        assert time.perf_counter() - t < 2.0
    finally:
        other.execute("ROLLBACK")
        other.close()
    assert _cached(lib) == 0
    assert lib.hub_page(hub) == page and _cached(lib) == 1  # and is kept once it can be
    ro.close()


def test_writes_through_a_writer_in_an_import_forget_the_panes(tmp_path):
    """Papers merged or retitled by an import change what the panes show."""
    lib, hub = _lib(tmp_path)
    lib.hub_page(hub)
    path = tmp_path / "retitle.json"
    path.write_text(
        json.dumps(
            {
                "format": "citetui-bundle",
                "version": 1,
                "source": {"name": "x"},
                "papers": [
                    {
                        "key": "h",
                        "title": "The Hub",
                        "year": 2017,
                        "ids": {"arxiv": "1700.00001"},
                        "abstract": "Now with an abstract.",
                    }
                ],
            }
        )
    )
    import_files(lib, [path])
    assert _cached(lib) == 0


def test_an_import_computes_the_panes_of_its_big_hubs_ahead_in_its_transaction(
    tmp_path, monkeypatch
):
    """A hub at or above PANES_AHEAD_MIN citing papers has its panes in the cache when the
    import commits (the panes equal a fresh computation); a smaller one does not; a failed
    import keeps none."""
    from citetui.store import panes

    path = tmp_path / "lib.json"
    doc = _ties_bundle(False)
    path.write_text(json.dumps(doc))
    lib = Library(tmp_path / "lib.db", create=True)
    import_files(lib, [path])
    hub = resolve_hub(lib, "1700.00001").paper.id
    n = lib.hub(hub).n_citing
    assert _cached(lib) == 0  # the default threshold is far above this small hub
    doc["papers"].append({"key": "new", "title": "A new citing paper", "year": 2024})
    doc["citations"].append({"citing": "new", "cited": "hub", "roles": ["extension"]})
    path.write_text(json.dumps(doc))
    monkeypatch.setattr(panes, "PANES_AHEAD_MIN", n + 1)
    import_files(lib, [path])
    kept = lib.conn.execute("SELECT hub_id, payload FROM hub_cache").fetchall()
    assert [k[0] for k in kept] == [hub]
    assert json.loads(kept[0][1]) == _fresh(lib, hub)
    assert lib.hub_page(hub).role_summary.n == n + 1
    # the threshold is counted after the import: one paper fewer than it, no panes
    monkeypatch.setattr(panes, "PANES_AHEAD_MIN", n + 3)
    doc["papers"].append({"key": "new2", "title": "Another citing paper", "year": 2024})
    doc["citations"].append({"citing": "new2", "cited": "hub", "roles": ["method"]})
    path.write_text(json.dumps(doc))
    import_files(lib, [path])
    assert _cached(lib) == 0
    # a failed import computes nothing and keeps the library (and its cache) as it was
    monkeypatch.setattr(panes, "PANES_AHEAD_MIN", 1)
    lib.hub_page(hub)
    before = lib.conn.execute("SELECT payload FROM hub_cache").fetchall()
    bad = tmp_path / "bad.json"
    doc["citations"].append({"citing": "new2", "cited": "hub", "roles": ["no-such-role"]})
    bad.write_text(json.dumps(doc))
    with pytest.raises(InputError):
        import_files(lib, [bad])
    assert lib.conn.execute("SELECT payload FROM hub_cache").fetchall() == before
    assert lib.hub(hub).n_citing == n + 2


def test_compute_panes_ahead_refuses_outside_a_write(tmp_path):
    lib, hub = _lib(tmp_path)
    with pytest.raises(RuntimeError):
        lib.compute_panes_ahead([hub], min_citing=0)
    with lib.transaction():
        assert lib.compute_panes_ahead([hub, hub, 999999], min_citing=0) == [hub]
    assert _cached(lib) == 1
