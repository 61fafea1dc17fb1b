"""Broken libraries: missing, not SQLite, corrupt, newer, foreign, read-only, locked.

Each gives one clear line and an exit code, never a traceback; a read-only library
can still be browsed. File permissions are checked in a subprocess that cannot
override them (as root, setpriv drops that capability); the rest through CliRunner.
"""

from __future__ import annotations

import os
import sqlite3

import pytest

from bench import reliability as rel
from citetui.search.resolver import resolve_hub
from citetui.store import Library, LibraryBusy, NotALibrary, ReadOnlyLibrary, UnfinishedWrite

CASES = rel.library_cases()


@pytest.fixture(scope="module")
def good_library(tmp_path_factory):
    db = tmp_path_factory.mktemp("good") / "good.db"
    rel.make_library(db)
    return db


@pytest.fixture
def work(tmp_path):
    os.chmod(tmp_path, 0o755)  # reachable without root's override of permissions
    yield tmp_path
    for d in tmp_path.rglob("*"):  # let pytest clean up what was made read-only
        if d.is_dir():
            d.chmod(0o755)


@pytest.mark.parametrize("case", CASES, ids=[c.name for c in CASES])
def test_broken_library(case, work, good_library):
    if case.needs_permissions and not rel.can_drop_privileges():
        pytest.skip("cannot run without root's override of file permissions here")
    assert rel.run_library_case(case, work, good_library, invoke=rel.cli_runner_invoke) is None


def test_locked_by_another_process(work, good_library):
    assert rel.locked_case(work, good_library) is None


def test_readonly_library_browses_in_process(work, good_library):
    """Opened read-only, every read works and any write says the library is read-only."""
    db = rel.copy_library(good_library, work / "lib.db")
    lib = Library(db, readonly=True)
    try:
        assert lib.readonly
        hub = resolve_hub(lib, "1707.06347")
        assert lib.hub_page(hub.paper.id).hub.paper.title
        with pytest.raises(ReadOnlyLibrary, match="read-only"), lib.transaction():
            pass
    finally:
        lib.close()


def test_busy_while_another_connection_writes(work, good_library):
    db = rel.copy_library(good_library, work / "lib.db")
    holder = sqlite3.connect(db, isolation_level=None)
    holder.execute("PRAGMA locking_mode=EXCLUSIVE")
    holder.execute("BEGIN EXCLUSIVE")
    holder.execute("INSERT INTO imports (path) VALUES ('x')")
    try:
        with pytest.raises(LibraryBusy, match="locked by another process"):
            Library(db)
    finally:
        holder.execute("ROLLBACK")
        holder.close()


def test_header_only_file_is_not_a_library(work):
    db = work / "head.db"
    db.write_bytes(b"SQLite format 3\x00" + b"\x00" * 84)
    with pytest.raises(NotALibrary):
        Library(db)


def test_interrupted_write_is_rolled_back_by_a_writer_and_refused_read_only(work, good_library):
    """A write killed under a rollback journal leaves its pages in the file and the
    originals in a hot journal. A read-only open says so (it must not read the file as
    it lies); the next open that may write rolls it back to exactly what was before."""
    db = rel.copy_library(good_library, work / "lib.db")
    before = rel.library_digest(db)
    rel.interrupt_a_write(db)
    with pytest.raises(UnfinishedWrite, match="was interrupted"):
        Library(db, readonly=True)
    assert (work / "lib.db-journal").stat().st_size > 0  # nothing was touched
    lib = Library(db)
    try:
        assert not lib.readonly
        assert lib.conn.execute("PRAGMA journal_mode").fetchone()[0] == "wal"
        assert (
            lib.conn.execute(
                "SELECT count(*) FROM papers WHERE title LIKE 'half-written %'"
            ).fetchone()[0]
            == 0
        )
    finally:
        lib.close()
    assert rel.integrity(db) == "ok"
    assert rel.library_digest(db) == before
