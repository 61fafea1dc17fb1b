"""Bulk writes a few hundred rows a statement (citetui.store.manyrows), and what a big
import does with them: the citing year it fills itself, the edges it only checks."""

from __future__ import annotations

import sqlite3

import pytest

from citetui.core.models import CiteRecord
from citetui.ingest import import_files
from citetui.store import Library
from citetui.store import fts as search_index
from citetui.store.manyrows import insert_rows
from tests.test_search_import import records


@pytest.mark.parametrize("n", [0, 1, 7, 8, 9, 64, 73, 499, 500, 501, 1234])
def test_every_row_goes_in_once_and_in_order(n):
    conn = sqlite3.connect(":memory:")
    conn.execute("CREATE TABLE t (seq INTEGER PRIMARY KEY AUTOINCREMENT, a, b, c)")
    rows = [(i, f"text {i} 'quoted' ?", None if i % 3 else 1.5) for i in range(n)]
    insert_rows(conn, "INSERT INTO t (a, b, c)", rows)
    assert conn.execute("SELECT a, b, c FROM t ORDER BY seq").fetchall() == rows


def test_columns_may_be_worked_out_from_the_values():
    conn = sqlite3.connect(":memory:")
    conn.execute("CREATE TABLE p (id INTEGER PRIMARY KEY, year)")
    conn.execute("CREATE TABLE c (citing, cited, year)")
    conn.executemany("INSERT INTO p VALUES (?, ?)", [(1, 1999), (2, None)])
    insert_rows(
        conn,
        "INSERT INTO c SELECT column1, column2, "
        "coalesce(column3, (SELECT year FROM p WHERE id = column1)) FROM (",
        [(1, 9, None), (1, 8, 2005), (2, 9, None), (3, 9, None)],
        tail=")",
    )
    assert conn.execute("SELECT * FROM c ORDER BY rowid").fetchall() == [
        (1, 9, 1999),
        (1, 8, 2005),
        (2, 9, None),
        (3, 9, None),
    ]


def test_too_many_parameters_for_one_statement_go_in_several():
    conn = sqlite3.connect(":memory:")
    conn.setlimit(sqlite3.SQLITE_LIMIT_VARIABLE_NUMBER, 10)
    conn.execute("CREATE TABLE t (a, b, c)")
    rows = [(i, i, i) for i in range(25)]
    insert_rows(conn, "INSERT INTO t", rows)
    assert conn.execute("SELECT * FROM t ORDER BY rowid").fetchall() == rows


def _big(monkeypatch):
    import citetui.store.bulk as bulk

    monkeypatch.setattr(search_index, "worth_suspending", lambda conn, size: True)
    monkeypatch.setattr(bulk.BulkWriter.__init__, "__defaults__", (2,))


def test_a_big_import_fills_the_citing_year_of_a_paper_written_before(tmp_path, monkeypatch):
    """The big import drops the trigger that fills citations.citing_year; a citation from
    a paper the batch did not write (the library's) still takes that paper's year."""
    _big(monkeypatch)
    lib = Library(tmp_path / "y.db", create=True)
    path = tmp_path / "r.jsonl"
    records(
        path,
        [
            {"key": "h", "title": "A hub paper"},
            {"key": "old", "title": "An old citing paper", "year": 2011},
            {"key": "undated", "title": "An undated citing paper"},
        ],
    )
    import_files(lib, [path])
    ids = dict(lib.conn.execute("SELECT title, id FROM papers").fetchall())
    with lib.importing(1 << 30) as session:
        assert session.big
        w = session.writer("test")
        for title in ("An old citing paper", "An undated citing paper"):
            w.bulk.edge(ids[title], CiteRecord(ids["A hub paper"]))
        w.finish()
    years = dict(
        lib.conn.execute(
            "SELECT p.title, c.citing_year FROM citations c JOIN papers p ON p.id = c.citing_id"
        ).fetchall()
    )
    assert years == {"An old citing paper": 2011, "An undated citing paper": None}
    names = {r[0] for r in lib.conn.execute("SELECT name FROM sqlite_master")}
    assert {"citations_year_ai", "idx_citations_hub_year"} <= names


def test_an_edge_that_brings_nothing_keeps_its_labels(tmp_path, monkeypatch):
    """A re-imported citation with no roles, polarity or influential flag is only checked
    for existence: unchanged, its labels as they were; one that brings a polarity is read
    and updated."""
    _big(monkeypatch)
    lib = Library(tmp_path / "e.db", create=True)
    path = tmp_path / "r.jsonl"
    hub = {"key": "h", "title": "A hub paper"}
    rows = [
        hub,
        {"key": "a", "title": "Paper a", "cites": [{"paper": "h", "roles": ["method"]}]},
        {"key": "b", "title": "Paper b", "cites": [{"paper": "h", "polarity": "critical"}]},
    ]
    records(path, rows)
    import_files(lib, [path])
    again = [
        hub,
        {"key": "a", "title": "Paper a", "cites": [{"paper": "h"}]},
        {"key": "b", "title": "Paper b", "cites": [{"paper": "h", "polarity": "supportive"}]},
    ]
    records(path, again)
    (report,) = import_files(lib, [path])
    assert report.unchanged["citations"] == 1 and report.updated["citations"] == 1
    got = dict(
        lib.conn.execute(
            "SELECT p.title, c.roles || '|' || coalesce(c.polarity, '') FROM citations c "
            "JOIN papers p ON p.id = c.citing_id"
        ).fetchall()
    )
    assert got == {"Paper a": ",method,|", "Paper b": None}
    assert lib.conn.execute(
        "SELECT polarity FROM citations c JOIN papers p ON p.id = c.citing_id "
        "WHERE p.title = 'Paper b'"
    ).fetchone() == ("supportive",)
