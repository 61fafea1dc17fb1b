"""Checking a library that may be damaged, and saying what to do about it.

Opening a library checks only what is cheap (the file header, the schema version,
the tables): SQLite finds damaged pages when a query reads them. ``citetui
doctor`` reads everything: SQLite's ``integrity_check`` of every page and index,
and the search index's own check against the tables it indexes. A damaged search
index can be rebuilt from the tables (``--repair``); damaged tables cannot, so the
advice is to keep a copy, save the user's own layer, and recover or re-import.
"""

from __future__ import annotations

import os
import sqlite3
from dataclasses import dataclass, field
from pathlib import Path

from citetui.store.connection import OUR_TABLES, SQLITE_HEADER
from citetui.store.schema import SCHEMA_VERSION

MAX_PROBLEMS = 20  # integrity_check stops after this many


@dataclass
class Diagnosis:
    """What ``citetui doctor`` found: ``problems`` in the tables, ``index_problems`` in the
    search index (rebuildable), and ``advice``, what to do."""

    path: Path
    schema_version: int | None = None
    papers: int | None = None
    problems: list[str] = field(default_factory=list)
    index_problems: list[str] = field(default_factory=list)
    repaired: bool = False

    @property
    def sound(self) -> bool:
        """Whether nothing is wrong (a repaired index counts as sound)."""
        return not self.problems and not self.index_problems

    def advice(self) -> list[str]:
        """What the user should do, a step a line."""
        if self.sound:
            return []
        if not self.problems:
            return [
                f"the search index is out of step with the tables: run "
                f"citetui --db {self.path} doctor --repair to rebuild it"
            ]
        return [
            f"keep a copy first: cp {self.path} {self.path}.damaged",
            f"save what you wrote while it still reads: citetui --db {self.path} notes --json "
            "> my-notes.json",
            f"try SQLite's recovery: sqlite3 {self.path} .recover | sqlite3 recovered.db, then "
            "citetui --db recovered.db doctor",
            "or start again: move the library away, run citetui (the sample comes back) and "
            "import your files again",
        ]


def diagnose(path: Path, *, repair: bool = False) -> Diagnosis:
    """Check the library at ``path`` (and, with ``repair``, rebuild a damaged search index)."""
    d = Diagnosis(path)
    try:
        with path.open("rb") as fh:
            head = fh.read(16)
    except OSError as exc:
        d.problems.append(f"cannot read the file: {exc.strerror or exc}")
        return d
    if head != SQLITE_HEADER:
        d.problems.append(
            "the file does not start with the SQLite header: not a library, "
            "or its first page is damaged"
        )
        return d
    # FTS5 runs its check as a write command (it changes nothing): read-write when allowed
    mode = "rw" if os.access(path, os.W_OK) and os.access(path.parent, os.W_OK) else "ro"
    try:
        conn = sqlite3.connect(
            f"{path.resolve().as_uri()}?mode={mode}", uri=True, isolation_level=None
        )
    except sqlite3.Error as exc:
        d.problems.append(f"SQLite cannot open it: {exc}")
        return d
    try:
        _check(conn, d, repair=repair)
    except sqlite3.DatabaseError as exc:
        d.problems.append(f"SQLite stopped reading it: {exc}")
    finally:
        conn.close()
    return d


def _check(conn: sqlite3.Connection, d: Diagnosis, *, repair: bool) -> None:
    version = int(conn.execute("PRAGMA user_version").fetchone()[0])
    d.schema_version = version
    tables = {r[0] for r in conn.execute("SELECT name FROM sqlite_master WHERE type='table'")}
    if not tables >= OUR_TABLES:
        d.problems.append("it lacks citetui's tables (papers, citations, hubs)")
        return
    if not 1 <= version <= SCHEMA_VERSION:
        d.problems.append(f"its schema version is {version}; citetui writes 1 to {SCHEMA_VERSION}")
    for (line,) in conn.execute(f"PRAGMA integrity_check({MAX_PROBLEMS})"):
        if line != "ok":
            d.problems.append(str(line))
    if d.problems:
        return
    d.papers = int(conn.execute("SELECT count(*) FROM papers").fetchone()[0])
    writable = not conn.execute("PRAGMA query_only").fetchone()[0] and _writable(conn)
    for table in ("papers_fts", "meta_fts", "contexts_fts"):
        if table not in tables or not writable:
            continue
        try:  # FTS5 checks its index against the table it indexes
            conn.execute(f"INSERT INTO {table}({table}, rank) VALUES ('integrity-check', 1)")
        except sqlite3.DatabaseError as exc:
            d.index_problems.append(f"{table}: {exc}")
    if d.index_problems and repair and writable:
        from citetui.store import fts

        conn.execute("BEGIN IMMEDIATE")
        try:
            fts.rebuild(conn)
            conn.execute("COMMIT")
        except BaseException:
            conn.execute("ROLLBACK")
            raise
        d.index_problems.clear()
        d.repaired = True


def _writable(conn: sqlite3.Connection) -> bool:
    try:
        conn.execute("BEGIN IMMEDIATE")
    except sqlite3.OperationalError:  # read-only, or another process writes now
        return False
    conn.execute("ROLLBACK")
    return True
