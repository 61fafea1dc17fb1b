"""Many rows a statement: a bulk write as a few multi-row statements, not one per row.

Inside a transaction, a statement that fires a trigger (the search index's, a citation's
year) keeps a *statement journal*: a copy of each page it changes that existed when it
began, so that it alone can be undone. Run once per row (``executemany``), every row
copies the pages it touches (a table's last leaf, an index leaf): two 4 KB copies a row.
After the first statement of a transaction that journals more than 64 KB, the journal is a
temporary file until the commit, and those copies are two system calls a row. A
million-work OpenAlex import wrote 45 GB that way. A statement over thousands of rows
copies each page once.
"""

from __future__ import annotations

import sqlite3
from collections.abc import Sequence
from itertools import chain
from typing import Any

# Rows a statement at most. More are no faster, and SQLite keeps each prepared statement
# (its program and a slot a parameter): 500 rows of a paper's 17 columns are ~0.5 MB. A
# batch's last rows go in statements of 64, 8 and 1 rows, so that a few statements, not
# one for every count of rows, are prepared and cached.
_MAX_ROWS = 500
_TAIL_ROWS = (64, 8, 1)


def insert_rows(conn: Any, head: str, rows: Sequence[Sequence[Any]], *, tail: str = "") -> None:
    """Run ``head VALUES (?, ...), (?, ...) tail`` over ``rows`` (all of one width), a few
    hundred rows a statement. ``head`` may end in ``SELECT ... FROM (`` and ``tail`` in
    ``)``, to compute columns from the values (``column1``...)."""
    if not rows:
        return
    width = len(rows[0])
    limit = conn.getlimit(sqlite3.SQLITE_LIMIT_VARIABLE_NUMBER)
    one = "(" + ", ".join("?" * width) + ")"
    i = 0
    for per in (max(1, min(_MAX_ROWS, limit // width)), *_TAIL_ROWS):
        if len(rows) - i < per:
            continue
        sql = f"{head} VALUES {', '.join([one] * per)}{tail}"
        while len(rows) - i >= per:
            conn.execute(sql, list(chain.from_iterable(rows[i : i + per])))
            i += per
