"""The records format and the big-import path: same library as row by row, and searchable."""

from __future__ import annotations

import json

import pytest

from citetui.ingest import InputError, import_files
from citetui.search import search
from citetui.search.resolver import resolve_paper
from citetui.store import Library
from citetui.store import fts as search_index
from tests.test_store import dump

HEADER = {"format": "citetui-records", "version": 1, "source": {"name": "t"}}


def records(path, rows) -> None:
    path.write_text("\n".join(json.dumps(r) for r in [HEADER, *rows]) + "\n")


ROWS = [
    {
        "key": "h",
        "title": "Proximal Policy Optimization Algorithms",
        "ids": {"arxiv": "1707.06347"},
        "hub": {"tier": "mega hub"},
    },
    {
        "key": "a",
        "title": "Clipped objectives revisited",
        "year": 2020,
        "ids": {"doi": "10.1/A"},
        "authors": ["Ann Lee"],
        "cites": [
            {
                "paper": "h",
                "roles": ["method", "background"],
                "polarity": "supportive",
                "contexts": [{"text": "We use PPO.", "roles": ["method"]}],
            }
        ],
    },
    {
        "key": "b",
        "title": "Trust regions for robots",
        "summary": "Robots learn.",
        "year": 2021,
        "cites": [{"paper": "h", "polarity": "critical"}, {"paper": "a"}],
    },
    # the same paper as "a" (same DOI, other spelling): filled in, not added
    {
        "key": "a2",
        "title": "Clipped objectives revisited",
        "ids": {"doi": "https://doi.org/10.1/a"},
        "venue": "ICML",
        "cites": [{"paper": "h", "roles": ["method"]}],
    },
    # same title and year as "b", no ids: the same paper
    {"key": "b2", "title": "Trust Regions for Robots!", "year": 2021},
]
# A record citing one that waits for the Writer, another repeat of it after, a new one.
MORE = [
    {"key": "c", "title": "Citing the repeat", "year": 2022, "cites": [{"paper": "a2"}]},
    {
        "key": "a3",
        "title": "Clipped Objectives Revisited",
        "ids": {"doi": "10.1/a"},
        "abstract": "A third copy, with an abstract.",
    },
    {"key": "d", "title": "Something else entirely", "year": 2023, "cites": [{"paper": "h"}]},
]


def test_records_import_dedups_and_is_idempotent(tmp_path, empty_lib):
    path = tmp_path / "r.jsonl"
    records(path, ROWS)
    (first,) = import_files(empty_lib, [path])
    assert first.format == "records"
    assert first.added["papers"] == 3 and first.added["citations"] == 3
    assert empty_lib.stats().papers == 3
    a = search(empty_lib, "clipped objectivs").rows[0]
    assert empty_lib.paper(a.paper_id).venue == "ICML"
    before = dump(empty_lib)
    (again,) = import_files(empty_lib, [path])
    assert not again.added and dump(empty_lib) == before


@pytest.mark.parametrize(
    ("batch", "max_keys"),
    [(1, None), (2, None), (5000, None), (1, 1), (2, 0), (3, 0)],
)
def test_big_import_path_writes_the_same_library(tmp_path, monkeypatch, batch, max_keys):
    """A big import (identity in memory, indexes dropped and rebuilt, search index
    suspended) gives the rows a small one gives, whatever the batch size (a record in the
    same batch as the one it repeats, or in a later one) and when record keys spill from
    memory to the temporary table."""
    import citetui.store.bulk as bulk
    import citetui.store.keymap as keymap

    if max_keys is not None:
        monkeypatch.setattr(keymap, "MAX_KEYS", max_keys)
    path = tmp_path / "r.jsonl"
    records(path, ROWS + MORE)
    small = Library(tmp_path / "small.db", create=True)
    import_files(small, [path])
    monkeypatch.setattr(search_index, "worth_suspending", lambda conn, size: True)
    monkeypatch.setattr(bulk.BulkWriter.__init__, "__defaults__", (batch,))
    big = Library(tmp_path / "big.db", create=True)
    import_files(big, [path])
    strip = {"imports"}
    assert {k: v for k, v in dump(big).items() if k not in strip} == {
        k: v for k, v in dump(small).items() if k not in strip
    }
    triggers = "SELECT name FROM sqlite_master WHERE type = 'trigger' ORDER BY name"
    assert big.conn.execute(triggers).fetchall() == small.conn.execute(triggers).fetchall()
    indexes = "SELECT name, sql FROM sqlite_master WHERE type = 'index' ORDER BY name"
    assert big.conn.execute(indexes).fetchall() == small.conn.execute(indexes).fetchall()
    big.conn.execute("INSERT INTO papers_fts(papers_fts, rank) VALUES ('integrity-check', 1)")
    assert len(search(big, "trust regons robots").rows) == 1
    # Each index merges as it is written again (the import turned that off while it wrote)
    for name in ("papers_fts", "meta_fts", "contexts_fts", "pairs_fts"):
        config = f"SELECT v FROM {name}_config WHERE k = 'automerge'"
        assert big.conn.execute(config).fetchall() == [(search_index.AUTOMERGE,)]


def test_a_bad_line_names_its_line_and_writes_nothing(tmp_path, empty_lib):
    path = tmp_path / "r.jsonl"
    records(
        path,
        [
            ROWS[0],
            {"key": "x", "title": "Fine"},
            {"key": "y", "title": "Bad", "cites": [{"paper": "nope"}]},
        ],
    )
    with pytest.raises(InputError) as err:
        import_files(empty_lib, [path])
    assert ":4:" in str(err.value) and "nope" in str(err.value)
    assert empty_lib.stats().papers == 0
    assert search(empty_lib, "fine").total == 0


def test_spilled_keys_still_resolve_and_repeat_keys_are_refused(tmp_path, monkeypatch):
    import citetui.store.bulk as bulk
    import citetui.store.keymap as keymap

    monkeypatch.setattr(search_index, "worth_suspending", lambda conn, size: True)
    monkeypatch.setattr(bulk.BulkWriter.__init__, "__defaults__", (2,))
    monkeypatch.setattr(keymap, "MAX_KEYS", 0)  # every key spills after each batch
    rows = [{"key": f"k{i}", "title": f"Paper number {i}"} for i in range(9)]
    rows.append(
        {
            "key": "late",
            "title": "Cites an early one",
            "cites": [{"paper": "k0", "roles": ["method"]}],
        }
    )
    path = tmp_path / "r.jsonl"
    records(path, rows)
    lib = Library(tmp_path / "k.db", create=True)
    (report,) = import_files(lib, [path])
    assert report.added["papers"] == 10 and report.added["citations"] == 1
    late = resolve_paper(lib, "Cites an early one").id
    assert lib.citation(late, resolve_paper(lib, "Paper number 0").id) is not None
    assert lib.conn.execute("SELECT count(*) FROM temp.sqlite_master").fetchone()[0] == 0
    before = dump(lib)
    records(path, [*rows, {"key": "k3", "title": "A repeated key"}])
    with pytest.raises(InputError, match="duplicate key 'k3'"):
        import_files(lib, [path])
    assert dump(lib) == before


def test_the_mark_set_holds_exactly_what_was_added(monkeypatch):
    """Across the set of the newest, sealed runs and their merges, and bitmap collisions."""
    import random

    from citetui.store.keymap import MarkSet

    monkeypatch.setattr(MarkSet, "RECENT", 64)
    monkeypatch.setattr(MarkSet, "BITS", 1 << 10)  # many marks share a bit
    rng = random.Random(5)
    marks = MarkSet()
    held: set[int] = set()
    for _ in range(200):
        batch = [rng.randint(-(2**63), 2**63 - 1) for _ in range(rng.randint(1, 40))]
        batch += rng.sample(sorted(held), min(3, len(held)))  # repeats of earlier marks
        marks.update(batch)
        held.update(batch)
    assert len(marks.runs) < 12  # merged as they grew: few to search
    assert all(m in marks for m in held)
    assert not any(rng.randint(-(2**63), 2**63 - 1) in marks for _ in range(5000))
    assert marks.count() >= len(held)


def test_a_first_big_import_uses_a_rollback_journal_and_leaves_the_wal_on(tmp_path, monkeypatch):
    """Into an empty library a big import writes its pages once (no WAL copy); a failed one
    still leaves nothing; with another connection open the WAL simply stays."""
    import sqlite3

    from citetui.store import connection as library

    modes = []
    real = library.Connection.transaction

    def transaction(self):
        modes.append(self.conn.execute("PRAGMA journal_mode").fetchone()[0])
        return real(self)

    monkeypatch.setattr(library.Connection, "transaction", transaction)
    monkeypatch.setattr(search_index, "worth_suspending", lambda conn, size: True)
    path = tmp_path / "r.jsonl"
    records(path, ROWS)
    lib = Library(tmp_path / "new.db", create=True)
    import_files(lib, [path])
    assert modes == ["delete"]
    assert lib.conn.execute("PRAGMA journal_mode").fetchone()[0] == "wal"
    assert lib.stats().papers == 3

    bad = tmp_path / "bad.jsonl"
    records(bad, [*ROWS, {"key": "y", "title": "Bad", "cites": [{"paper": "nope"}]}])
    empty = Library(tmp_path / "empty.db", create=True)
    with pytest.raises(InputError):
        import_files(empty, [bad])
    assert modes[-1] == "delete"
    assert empty.stats().papers == 0
    assert empty.conn.execute("PRAGMA journal_mode").fetchone()[0] == "wal"
    assert not (tmp_path / "empty.db-journal").exists()

    other = Library(tmp_path / "shared.db", create=True)
    reader = sqlite3.connect(tmp_path / "shared.db")
    reader.execute("SELECT count(*) FROM papers").fetchone()  # holds the WAL open
    import_files(other, [path])
    assert modes[-1] == "wal" and other.stats().papers == 3
    reader.close()


def _fts_checked(lib) -> None:
    """Both FTS indexes hold exactly what their tables hold (raises if not)."""
    for fts in ("papers_fts", "contexts_fts"):
        lib.conn.execute(f"INSERT INTO {fts}({fts}, rank) VALUES ('integrity-check', 1)")


def test_a_big_import_into_a_library_indexes_what_the_writer_changed(tmp_path, monkeypatch):
    """The bulk path indexes its new rows itself; the rows the Writer inserts, updates and
    deletes while the index is suspended are caught up from notes at the end, not rebuilt."""
    path, again = tmp_path / "r.jsonl", tmp_path / "again.jsonl"
    records(path, ROWS)
    changed = [
        # the source corrects its own title and replaces the edge's contexts
        {
            "key": "a",
            "title": "Clipped surrogate objectives revisited",
            "ids": {"doi": "10.1/A"},
            "cites": [{"paper": "h", "contexts": [{"text": "We extend the kangaroo variant."}]}],
        },
        {
            "key": "b",
            "title": "Trust regions for robots",
            "summary": "Robots learn to juggle.",
            "year": 2021,
            "cites": [{"paper": "h", "polarity": "critical"}, {"paper": "a"}],
        },
        {
            "key": "n",
            "title": "A wholly new platypus study",
            "year": 2024,
            "cites": [{"paper": "h", "contexts": [{"text": "Unlike the wombat baseline."}]}],
        },
    ]
    records(again, [ROWS[0], *changed])
    libs = {}
    for name, big in (("small", False), ("big", True)):
        lib = Library(tmp_path / f"{name}.db", create=True)
        import_files(lib, [path])
        with monkeypatch.context() as m:
            m.setattr(search_index, "worth_suspending", lambda conn, size, big=big: big)
            if big:
                calls = []
                real = search_index._catch_up
                m.setattr(
                    search_index,
                    "_catch_up",
                    lambda conn, calls=calls, real=real, **kw: calls.append(kw) or real(conn, **kw),
                )
            import_files(lib, [again])
        if big:
            assert calls, "the suspended path ran"
        _fts_checked(lib)
        assert lib.conn.execute("SELECT count(*) FROM temp.sqlite_master").fetchone()[0] == 0
        libs[name] = lib
    # (a small import only adds new terms to search_terms; a big one recounts them)
    strip = {"imports", "search_terms"}
    assert {k: v for k, v in dump(libs["big"]).items() if k not in strip} == {
        k: v for k, v in dump(libs["small"]).items() if k not in strip
    }
    for lib in libs.values():
        assert [r.title for r in search(lib, "surrogate").rows] == [
            "Clipped surrogate objectives revisited"
        ]
        assert search(lib, "juggle").total == 1
        assert search(lib, "kangaroo").total == 1 and search(lib, "wombat").total == 1
        assert search(lib, "platypus").total == 1
        assert search(lib, '"we use ppo"').total == 0  # the replaced context is gone


def test_a_failed_big_import_leaves_no_notes_behind(tmp_path, monkeypatch):
    monkeypatch.setattr(search_index, "worth_suspending", lambda conn, size: True)
    lib = Library(tmp_path / "f.db", create=True)
    path = tmp_path / "r.jsonl"
    records(path, ROWS)
    import_files(lib, [path])
    before = dump(lib)
    bad = tmp_path / "bad.jsonl"
    records(
        bad,
        [
            *ROWS,
            {"key": "n", "title": "New"},
            {"key": "y", "title": "Bad", "cites": [{"paper": "nope"}]},
        ],
    )
    with pytest.raises(InputError):
        import_files(lib, [bad])
    assert dump(lib) == before
    assert lib.conn.execute("SELECT count(*) FROM temp.sqlite_master").fetchone()[0] == 0
    assert (
        lib.conn.execute("SELECT name FROM sqlite_master WHERE name = 'papers_fts_ai'").fetchone()
        is not None
    )
    _fts_checked(lib)
    assert search(lib, "trust regons robots").total == 1


def test_a_big_import_leaves_each_search_index_in_one_segment(tmp_path, monkeypatch):
    """FTS5 looks each query term up in every segment of an index; a big import merges
    them into one at the end (search at 1M papers was a third slower without it)."""
    import citetui.store.bulk as bulk

    monkeypatch.setattr(search_index, "worth_suspending", lambda conn, size: True)
    monkeypatch.setattr(bulk.BulkWriter.__init__, "__defaults__", (2,))  # many batches
    path = tmp_path / "r.jsonl"
    records(path, ROWS + MORE)
    lib = Library(tmp_path / "big.db", create=True)
    import_files(lib, [path])
    for fts in ("papers_fts", "meta_fts", "contexts_fts", "pairs_fts"):
        segments = lib.conn.execute(f"SELECT count(DISTINCT segid) FROM {fts}_idx").fetchone()
        assert segments == (1,), fts
    _fts_checked(lib)
    assert len(search(lib, "trust regons robots").rows) == 1
