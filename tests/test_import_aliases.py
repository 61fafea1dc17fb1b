"""Two records of one paper with two identifiers of one kind: OpenAlex holds duplicate
works that share a DOI. The paper keeps one W-id and is known by the other as an alias,
so a work citing either cites the paper, whatever the order of the records, in one file
or in a later import, through the small and the big import path alike.

Before aliases, the second W-id was dropped: a work citing it made a stub paper of its
own, and the paper's citations were split between the two.
"""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from citetui.cli import cli
from citetui.search.resolver import resolve_paper
from citetui.store import Library, fts
from tests.libdump import dump

DOI = "10.1145/3292500.3330701"
FIRST, SECOND = "W2952290071", "W3035417380"  # two works of one DOI: FIRST < SECOND


def _work(wid: str, title: str, *, doi: str, refs: tuple[str, ...] = (), year: int = 2019):
    return {
        "id": f"https://openalex.org/{wid}",
        "doi": f"https://doi.org/{doi}",
        "title": title,
        "publication_year": year,
        "authorships": [{"author": {"display_name": "Takuya Akiba"}}],
        "referenced_works": [f"https://openalex.org/{r}" for r in refs],
        "cited_by_count": 3,
    }


PAPER = "Optuna: A Next-generation Hyperparameter Optimization Framework"
DUPS = [_work(FIRST, PAPER, doi=DOI), _work(SECOND, PAPER, doi=DOI)]
CITES_SECOND = _work("W4200000001", "Tuning with Optuna", doi="10.1/a", refs=(SECOND,), year=2021)
CITES_FIRST = _work("W4200000002", "Tuning again", doi="10.1/b", refs=(FIRST,), year=2022)
LATER = _work("W4300000003", "A later work", doi="10.1/c", refs=(SECOND,), year=2023)


def _jsonl(path: Path, works: list[dict]) -> Path:
    path.write_text("".join(json.dumps(w) + "\n" for w in works), encoding="utf-8")
    return path


def _import(runner, db: Path, path: Path) -> None:
    result = runner.invoke(cli, ["--db", str(db), "import", str(path)], catch_exceptions=False)
    assert result.exit_code == 0, result.stderr


def _cited(lib: Library) -> dict[str, list[str]]:
    """Each cited paper's DOI -> the W-ids of the works citing it."""
    rows = lib.conn.execute(
        "SELECT q.doi, p.openalex_id FROM citations c JOIN papers p ON p.id = c.citing_id "
        "JOIN papers q ON q.id = c.cited_id ORDER BY p.openalex_id"
    )
    out: dict[str, list[str]] = {}
    for doi, wid in rows:
        out.setdefault(doi, []).append(wid)
    return out


ORDERS = {
    "duplicates first": [*DUPS, CITES_SECOND, CITES_FIRST],
    "citing first": [CITES_SECOND, CITES_FIRST, *DUPS],
    "between": [DUPS[1], CITES_SECOND, CITES_FIRST, DUPS[0]],
}


@pytest.mark.parametrize("big", [False, True], ids=["small", "big"])
@pytest.mark.parametrize("order", ORDERS)
def test_two_works_of_one_doi_are_one_paper_cited_by_both_ids(
    runner, tmp_path, monkeypatch, order, big
):
    monkeypatch.setattr(fts, "worth_suspending", lambda conn, size: big)
    db = tmp_path / "lib.db"
    _import(runner, db, _jsonl(tmp_path / "works.jsonl", ORDERS[order]))
    lib = Library(db)
    try:
        rows = lib.conn.execute("SELECT id, openalex_id FROM papers WHERE doi = ?", (DOI,))
        ((pid, wid),) = rows.fetchall()
        assert wid == FIRST  # the rule's value: the smaller
        assert _cited(lib)[DOI] == ["W4200000001", "W4200000002"]
        assert lib.conn.execute("SELECT count(*) FROM papers").fetchone()[0] == 3  # no stub
        assert lib.conn.execute("SELECT kind, value, paper_id FROM paper_aliases").fetchall() == [
            ("openalex_id", SECOND, pid)
        ]
        once = dump(lib)
    finally:
        lib.close()
    # a later import citing the alias cites the paper; the same file again changes nothing
    _import(runner, db, _jsonl(tmp_path / "later.jsonl", [LATER]))
    _import(runner, db, tmp_path / "works.jsonl")
    lib = Library(db)
    try:
        assert _cited(lib)[DOI] == ["W4200000001", "W4200000002", "W4300000003"]
        assert dump(lib)["paper_aliases"] == once["paper_aliases"]
        # every way of naming a paper finds it by the alias: search, the resolver, the CLI
        assert resolve_paper(lib, SECOND).id == pid
        assert resolve_paper(lib, f"https://openalex.org/{SECOND}", write=True).id == pid
    finally:
        lib.close()
    shown = runner.invoke(cli, ["--db", str(db), "search", "--json", SECOND])
    assert [r["id"] for r in json.loads(shown.stdout)] == [pid]


def test_a_fold_gives_the_kept_paper_the_folded_ones_aliases(runner, tmp_path):
    """A paper known by an alias, folded into another (a record names both), takes its
    alias along: a work citing the alias cites the paper they are now."""
    db = tmp_path / "lib.db"
    preprint = _work("W1000000001", PAPER, doi="10.48550/arXiv.1907.10902")
    _import(runner, db, _jsonl(tmp_path / "a.jsonl", [preprint]))
    _import(runner, db, _jsonl(tmp_path / "b.jsonl", DUPS))  # the DOI paper, alias SECOND
    lib = Library(db)
    try:
        keep = lib.conn.execute(
            "SELECT id FROM papers WHERE openalex_id = 'W1000000001'"
        ).fetchone()
        drop = lib.conn.execute("SELECT id FROM papers WHERE doi = ?", (DOI,)).fetchone()
        assert keep[0] < drop[0]
    finally:
        lib.close()
    # one record naming both: the DOI paper folds into the preprint's
    both = _work("W1000000001", PAPER, doi=DOI)
    _import(runner, db, _jsonl(tmp_path / "c.jsonl", [both]))
    _import(runner, db, _jsonl(tmp_path / "later.jsonl", [LATER]))
    lib = Library(db)
    try:
        aliases = dict(lib.conn.execute("SELECT value, paper_id FROM paper_aliases").fetchall())
        assert aliases[SECOND] == keep[0]
        assert aliases[FIRST] == keep[0]  # the folded paper's own W-id, lost to the smaller
        cited = lib.conn.execute(
            "SELECT c.cited_id FROM citations c JOIN papers p ON p.id = c.citing_id "
            "WHERE p.openalex_id = 'W4300000003'"
        ).fetchall()
        assert cited == [keep]
        held = "SELECT id FROM papers WHERE doi = ? OR openalex_id IN (?, ?)"
        assert lib.conn.execute(held, (DOI, FIRST, SECOND)).fetchall() == [keep]
    finally:
        lib.close()


def _w(wid: str, doi: str, refs: tuple[str, ...] = (), title: str = PAPER) -> dict:
    return _work(wid, title, doi=doi, refs=refs)


@pytest.mark.parametrize("big", [False, True], ids=["small", "big"])
def test_an_alias_a_fold_moves_names_the_kept_paper_in_the_same_batch(
    runner, tmp_path, monkeypatch, big
):
    """The batch's look-ups are made before its folds: a record after the fold naming an
    alias the folded paper held named it still, and made a stub that held the alias as
    its own identifier (found by a review of the change)."""
    monkeypatch.setattr(fts, "worth_suspending", lambda conn, size: big)
    db = tmp_path / "lib.db"
    first = [_w("W1000002", "10.1/a"), _w("W1000004", "10.1/b"), _w("W1000001", "10.1/b")]
    _import(runner, db, _jsonl(tmp_path / "a.jsonl", first))
    both = [_w("W1000001", "10.1/a"), _w("W9000000", "10.1/z", ("W1000004",), "Citer")]
    _import(runner, db, _jsonl(tmp_path / "b.jsonl", both))
    lib = Library(db)
    try:
        once = dump(lib)
        rows = lib.conn.execute("SELECT id FROM papers WHERE doi IN ('10.1/a', '10.1/b')")
        ((pid,),) = rows.fetchall()
        held = lib.conn.execute("SELECT id FROM papers WHERE openalex_id = 'W1000004'")
        assert held.fetchall() == []
        assert _cited(lib)["10.1/a"] == ["W9000000"]
        assert resolve_paper(lib, "W1000004").id == pid
    finally:
        lib.close()
    _import(runner, db, tmp_path / "b.jsonl")  # again: nothing changes
    lib = Library(db)
    try:
        assert dump(lib) == once
    finally:
        lib.close()


@pytest.mark.parametrize("big", [False, True], ids=["small", "big"])
def test_a_paper_of_the_batch_folded_with_its_alias_is_cited_by_it(
    runner, tmp_path, monkeypatch, big
):
    monkeypatch.setattr(fts, "worth_suspending", lambda conn, size: big)
    db = tmp_path / "lib.db"
    works = [
        _w("W1000005", "10.1/a"),
        _w("W1000002", "10.1/b"),
        _w("W1000000", "10.1/b"),
        _w("W1000000", "10.1/a", ("W1000002",)),  # cites itself, by its alias
    ]
    _import(runner, db, _jsonl(tmp_path / "one.jsonl", works))
    lib = Library(db)
    try:
        papers = lib.conn.execute("SELECT openalex_id, doi FROM papers").fetchall()
        assert papers == [("W1000000", "10.1/a")]
        assert lib.conn.execute("SELECT count(*) FROM citations").fetchone() == (0,)
        aliases = {v for (v,) in lib.conn.execute("SELECT value FROM paper_aliases")}
        assert aliases == {"W1000002", "W1000005", "10.1/b"}
    finally:
        lib.close()


def test_every_spelling_of_an_alias_finds_its_paper(runner, tmp_path):
    """The store's own spellings of an identifier (find_paper_by_id) know aliases too."""
    db = tmp_path / "lib.db"
    _import(runner, db, _jsonl(tmp_path / "works.jsonl", DUPS))
    lib = Library(db)
    try:
        pid = lib.conn.execute("SELECT id FROM papers WHERE doi = ?", (DOI,)).fetchone()[0]
        for text in (SECOND, SECOND.lower(), f"https://openalex.org/{SECOND}"):
            found = lib.find_paper_by_id(text)
            assert found is not None and found.id == pid, text
    finally:
        lib.close()
