"""The search index: its FTS5 tables, their upkeep on every write path, the term list.

Four FTS5 tables index what search matches. Two hold no copy of the text
(external content, read back from their table when FTS5 needs it):

- ``papers_fts`` (title, summary, abstract) over ``papers``: papers holding every
  word of a query, and each word's papers (schema v8: the abstract joined, and
  ``detail=none``: no per-column lists, which made a column filter 6x slower to read);
- ``meta_fts`` (title, authors, venue, year) over ``papers`` (schema v8): what a
  reference or an "author year" query names; its per-row sizes put titles in
  length order for the title pairs;
- ``contexts_fts`` (text) over ``contexts``;
- ``pairs_fts`` (v4), contentless: each two neighbouring title words as one token
  (``policy_optimization``), so a phrase of common words is found from short
  doclists; triggers note new, retitled and deleted papers in
  ``search_pairs_dirty`` (with the title that was indexed, which FTS5 needs to take
  a row out) and :func:`refresh_pairs` brings it up to date.

Triggers keep the first three in step with every write, whoever makes it
(imports, merges, deletes, the user). ``search_terms`` holds the vocabulary with
document counts (``docs`` in papers_fts and contexts_fts, ``meta`` in meta_fts),
for typo expansion and for weighing words; triggers note changed papers in
``search_dirty`` and :func:`refresh_terms` folds them in.

The import path maintains the index through three calls, and nothing else:
:func:`suspend` before a big import (the row-by-row triggers off), then, for each
batch of new papers written with ``fts_direct``/``pairs_direct`` on,
:func:`index_new_papers` and :func:`index_new_contexts`, and :func:`resume` at the end (what
the Writer path changed meanwhile, the term list, the title pairs, and one segment per
index: :func:`optimize`). A small import keeps the triggers and ends with
:func:`refresh_terms`.
"""

from __future__ import annotations

import contextlib
import re
import unicodedata
from collections.abc import Iterator
from typing import Any

TOKENIZE = "unicode61 remove_diacritics 2"
PAIRS_TOKENIZE = "unicode61 remove_diacritics 2 tokenchars '_'"

# The v2 index, as schema.py's _v2 created it (v8 replaces papers_fts and its triggers).
CREATE_V2 = [
    f"""CREATE VIRTUAL TABLE papers_fts USING fts5(
        title, summary, content='papers', content_rowid='id', tokenize='{TOKENIZE}',
        detail=column)""",
    f"""CREATE VIRTUAL TABLE contexts_fts USING fts5(
        text, content='contexts', content_rowid='id', tokenize='{TOKENIZE}', detail=none)""",
    "CREATE VIRTUAL TABLE papers_fts_terms USING fts5vocab(papers_fts, 'row')",
    "CREATE VIRTUAL TABLE contexts_fts_terms USING fts5vocab(contexts_fts, 'row')",
    "CREATE TABLE search_terms (term TEXT PRIMARY KEY, docs INTEGER NOT NULL) WITHOUT ROWID",
    "CREATE TABLE search_dirty (paper_id INTEGER PRIMARY KEY)",
    "CREATE TABLE search_state (key TEXT PRIMARY KEY, value INTEGER NOT NULL)",
    "INSERT INTO search_state(key, value) VALUES ('terms', 0)",
    """CREATE TRIGGER papers_fts_ai AFTER INSERT ON papers BEGIN
        INSERT INTO papers_fts(rowid, title, summary) VALUES (new.id, new.title, new.summary);
        INSERT OR IGNORE INTO search_dirty(paper_id) VALUES (new.id);
    END""",
    """CREATE TRIGGER papers_fts_ad AFTER DELETE ON papers BEGIN
        INSERT INTO papers_fts(papers_fts, rowid, title, summary)
            VALUES ('delete', old.id, old.title, old.summary);
    END""",
    """CREATE TRIGGER papers_fts_au AFTER UPDATE OF title, summary ON papers BEGIN
        INSERT INTO papers_fts(papers_fts, rowid, title, summary)
            VALUES ('delete', old.id, old.title, old.summary);
        INSERT INTO papers_fts(rowid, title, summary) VALUES (new.id, new.title, new.summary);
        INSERT OR IGNORE INTO search_dirty(paper_id) VALUES (new.id);
    END""",
    *(
        t
        for t in (
            """CREATE TRIGGER contexts_fts_ai AFTER INSERT ON contexts BEGIN
        INSERT INTO contexts_fts(rowid, text) VALUES (new.id, new.text);
        INSERT OR IGNORE INTO search_dirty(paper_id) VALUES (new.citing_id);
    END""",
            """CREATE TRIGGER contexts_fts_ad AFTER DELETE ON contexts BEGIN
        INSERT INTO contexts_fts(contexts_fts, rowid, text) VALUES ('delete', old.id, old.text);
    END""",
            """CREATE TRIGGER contexts_fts_au AFTER UPDATE OF text ON contexts BEGIN
        INSERT INTO contexts_fts(contexts_fts, rowid, text) VALUES ('delete', old.id, old.text);
        INSERT INTO contexts_fts(rowid, text) VALUES (new.id, new.text);
        INSERT OR IGNORE INTO search_dirty(paper_id) VALUES (new.citing_id);
    END""",
        )
    ),
]
CREATE = CREATE_V2  # the name schema.py's _v2 used

# What each FTS table indexes: its source table and columns.
PAPER_COLUMNS = ("title", "summary", "abstract")
META_COLUMNS = ("title", "authors", "venue", "year")
_INDEXES = {
    "papers_fts": ("papers", PAPER_COLUMNS),
    "meta_fts": ("papers", META_COLUMNS),
    "contexts_fts": ("contexts", ("text",)),
}


def _cols(prefix: str, cols: tuple[str, ...]) -> str:
    return ", ".join(f"{prefix}{c}" for c in cols)


def _add(fts: str, who: str) -> str:
    cols = _INDEXES[fts][1]
    return (
        f"INSERT INTO {fts}(rowid, {_cols('', cols)}) VALUES ({who}.id, {_cols(who + '.', cols)});"
    )


def _delete(fts: str) -> str:
    cols = _INDEXES[fts][1]
    return (
        f"INSERT INTO {fts}({fts}, rowid, {_cols('', cols)}) "
        f"VALUES ('delete', old.id, {_cols('old.', cols)});"
    )


_CHANGED = "(" + " OR ".join(f"old.{c} IS NOT new.{c}" for c in ("title", "summary", "abstract"))
_META_CHANGED = "(" + " OR ".join(f"old.{c} IS NOT new.{c}" for c in META_COLUMNS)

# The triggers of schema v8: every write to papers and contexts keeps the index in step.
PAPER_TRIGGERS = [
    f"""CREATE TRIGGER papers_fts_ai AFTER INSERT ON papers BEGIN
        {_add("papers_fts", "new")}
        {_add("meta_fts", "new")}
        INSERT OR IGNORE INTO search_dirty(paper_id) VALUES (new.id);
    END""",
    f"""CREATE TRIGGER papers_fts_ad AFTER DELETE ON papers BEGIN
        {_delete("papers_fts")}
        {_delete("meta_fts")}
    END""",
    f"""CREATE TRIGGER papers_fts_au AFTER UPDATE OF title, summary, abstract ON papers
    WHEN {_CHANGED}) BEGIN
        {_delete("papers_fts")}
        {_add("papers_fts", "new")}
        INSERT OR IGNORE INTO search_dirty(paper_id) VALUES (new.id);
    END""",
    f"""CREATE TRIGGER meta_fts_au AFTER UPDATE OF title, authors, venue, year ON papers
    WHEN {_META_CHANGED}) BEGIN
        {_delete("meta_fts")}
        {_add("meta_fts", "new")}
        INSERT OR IGNORE INTO search_dirty(paper_id) VALUES (new.id);
    END""",
]
TRIGGERS = PAPER_TRIGGERS + [t for t in CREATE_V2 if t.startswith("CREATE TRIGGER contexts_fts")]

# The title-pairs index (schema v4).
CREATE_PAIRS = [
    f"""CREATE VIRTUAL TABLE pairs_fts USING fts5(
        pairs, content='', tokenize="{PAIRS_TOKENIZE}", detail=none, columnsize=0)""",
    # paper -> the title its pairs were made from (indexed = 1), or NULL, 0 when none were
    "CREATE TABLE search_pairs_dirty (paper_id INTEGER PRIMARY KEY, title TEXT, "
    "indexed INTEGER NOT NULL)",
    # a bulk insert that writes the pairs itself turns this off for its batch (pairs_direct)
    "INSERT INTO search_state(key, value) VALUES ('pairs_direct', 0)",
    """CREATE TRIGGER pairs_ai AFTER INSERT ON papers
    WHEN (SELECT value FROM search_state WHERE key = 'pairs_direct') IS NOT 1 BEGIN
        INSERT OR IGNORE INTO search_pairs_dirty(paper_id, title, indexed) VALUES (new.id, NULL, 0);
    END""",
    """CREATE TRIGGER pairs_au AFTER UPDATE OF title ON papers WHEN old.title IS NOT new.title BEGIN
        INSERT OR IGNORE INTO search_pairs_dirty(paper_id, title, indexed)
            VALUES (old.id, old.title, 1);
    END""",
    """CREATE TRIGGER pairs_ad AFTER DELETE ON papers BEGIN
        INSERT OR IGNORE INTO search_pairs_dirty(paper_id, title, indexed)
            VALUES (old.id, old.title, 1);
    END""",
]

_TOKEN = re.compile(r"[^\W_]+", re.UNICODE)


def fold(text: str) -> str:
    """Lower case without accents, as the FTS tokenizer (unicode61, remove_diacritics 2) sees it."""
    if text.isascii():
        return text.lower()
    text = unicodedata.normalize("NFKD", text)
    text = "".join(c for c in text if not unicodedata.combining(c)).lower()
    # NFKD splits a Hangul syllable into its letters, which the FTS tokenizer keeps whole:
    # put them back together (Korean names and titles were never found)
    return unicodedata.normalize("NFC", text) if not text.isascii() else text


def tokens(text: str | None) -> list[str]:
    """The index terms of a text, in order."""
    return _TOKEN.findall(fold(text)) if text else []


def title_pairs(title: str | None) -> str:
    """The pairs_fts document of a title: each two neighbouring words joined by '_'."""
    toks = tokens(title)
    return " ".join([a + "_" + b for a, b in zip(toks, toks[1:], strict=False)])


def create(conn: Any) -> None:
    """Create the v2 index tables and triggers and index what the library already holds."""
    for sql in CREATE_V2:
        conn.execute(sql)
    conn.execute("INSERT INTO papers_fts(papers_fts) VALUES ('rebuild')")
    conn.execute("INSERT INTO contexts_fts(contexts_fts) VALUES ('rebuild')")
    conn.execute(
        "INSERT INTO search_terms(term, docs) SELECT term, doc FROM papers_fts_terms WHERE true "
        "ON CONFLICT(term) DO NOTHING"
    )


def create_pairs(conn: Any) -> None:
    """Create the title-pairs index (v4) and index every title the library holds."""
    for sql in CREATE_PAIRS:
        conn.execute(sql)
    conn.execute(
        "INSERT INTO search_pairs_dirty(paper_id, title, indexed) SELECT id, NULL, 0 FROM papers"
    )
    refresh_pairs(conn)


def create_v8(conn: Any) -> None:
    """Schema v8: abstracts, authors, venues and years are searched. papers_fts is made
    again over (title, summary, abstract) without per-column lists, meta_fts is added
    over (title, authors, venue, year), and the term list counts both."""
    for name in ("papers_fts_ai", "papers_fts_ad", "papers_fts_au"):
        conn.execute(f"DROP TRIGGER IF EXISTS {name}")
    conn.execute("DROP TABLE IF EXISTS papers_fts_terms")
    conn.execute("DROP TABLE IF EXISTS papers_fts")
    conn.execute(
        f"""CREATE VIRTUAL TABLE papers_fts USING fts5(
        title, summary, abstract, content='papers', content_rowid='id', tokenize='{TOKENIZE}',
        detail=none, columnsize=0)"""
    )
    conn.execute(
        f"""CREATE VIRTUAL TABLE meta_fts USING fts5(
        title, authors, venue, year, content='papers', content_rowid='id',
        tokenize='{TOKENIZE}', detail=none)"""
    )
    conn.execute("CREATE VIRTUAL TABLE papers_fts_terms USING fts5vocab(papers_fts, 'row')")
    conn.execute("CREATE VIRTUAL TABLE meta_fts_terms USING fts5vocab(meta_fts, 'row')")
    if has_pairs(conn):
        conn.execute("CREATE VIRTUAL TABLE pairs_fts_terms USING fts5vocab(pairs_fts, 'row')")
    conn.execute("ALTER TABLE search_terms ADD COLUMN meta INTEGER NOT NULL DEFAULT 0")
    for sql in PAPER_TRIGGERS:
        conn.execute(sql)
    rebuild(conn)


def rebuild(conn: Any) -> None:
    """Index every paper and context again, and recount the term list (doctor --repair)."""
    for fts in _INDEXES:
        conn.execute(f"INSERT INTO {fts}({fts}) VALUES ('rebuild')")
    rebuild_terms(conn)


_TRIGGER_NAMES = (
    "papers_fts_ai",
    "papers_fts_ad",
    "papers_fts_au",
    "meta_fts_au",
    "contexts_fts_ai",
    "contexts_fts_ad",
    "contexts_fts_au",
)

# While a big import runs, the FTS triggers are off. A bulk insert of new papers indexes
# its own rows (with 'fts_direct' on, see writing_directly); these temporary triggers note every
# other change (the records that went through the Writer) with the values the index holds
# for the row (indexed = 1), or NULLs, 0 for a row it does not hold, so resume() brings
# the index up to date from the notes instead of rebuilding it.
_NOTE_TABLES = {
    "papers": ("fts_papers_dirty", ("papers_fts", "meta_fts")),
    "contexts": ("fts_contexts_dirty", ("contexts_fts",)),
}


def _noted_cols(ftss: tuple[str, ...]) -> tuple[str, ...]:
    return tuple(dict.fromkeys(c for f in ftss for c in _INDEXES[f][1]))


def _note_sql() -> list[str]:
    out = ["INSERT OR IGNORE INTO search_state(key, value) VALUES ('fts_direct', 0)"]
    for table, (notes, ftss) in _NOTE_TABLES.items():
        cols = _noted_cols(ftss)
        names = ", ".join(cols)
        old = _cols("old.", cols)
        nulls = ", ".join("NULL" for _ in cols)
        out += [
            f"CREATE TEMP TABLE {notes} (id INTEGER PRIMARY KEY, {names}, indexed INTEGER NOT "
            "NULL)",
            f"""CREATE TEMP TRIGGER {notes}_ai AFTER INSERT ON main.{table}
            WHEN (SELECT value FROM main.search_state WHERE key = 'fts_direct') IS NOT 1 BEGIN
                INSERT OR IGNORE INTO {notes} VALUES (new.id, {nulls}, 0);
            END""",
            f"""CREATE TEMP TRIGGER {notes}_au AFTER UPDATE OF {names} ON main.{table} BEGIN
                INSERT OR IGNORE INTO {notes} VALUES (old.id, {old}, 1);
            END""",
            f"""CREATE TEMP TRIGGER {notes}_ad AFTER DELETE ON main.{table} BEGIN
                INSERT OR IGNORE INTO {notes} VALUES (old.id, {old}, 1);
            END""",
        ]
    return out


def suspend(conn: Any) -> None:
    """Stop keeping the FTS index in step, for a big import (call :func:`resume` in the same
    transaction). Row by row, FTS5 flushes its pending terms at every statement of a
    trigger, which makes a million-row import ten times slower than one rebuild."""
    for name in _TRIGGER_NAMES:
        conn.execute(f"DROP TRIGGER IF EXISTS {name}")
    for sql in _note_sql():
        conn.execute(sql)
    _automerge(conn, 0)
    # Random-order index inserts want their b-trees in memory, not evicted to the WAL; a
    # bigger cache than 64 MB made a big import's memory grow with the file for little
    # speed (sorts for the index and FTS rebuilds spill to temp files, not to memory).
    conn.execute("PRAGMA cache_size = -64000")


@contextlib.contextmanager
def writing_directly(conn: Any, *, pairs: bool, index: bool) -> Iterator[None]:
    """Around a bulk insert of new papers (and contexts) that writes their title pairs
    (``pairs``) or search index rows (``index``, the index suspended) itself: the triggers
    do not note those rows for a refresh."""
    keys = (["pairs_direct"] if pairs else []) + (["fts_direct"] if index else [])
    if not keys:
        yield
        return
    marks = ", ".join(f"'{k}'" for k in keys)
    conn.execute(f"UPDATE search_state SET value = 1 WHERE key IN ({marks})")
    try:
        yield
    finally:
        conn.execute(f"UPDATE search_state SET value = 0 WHERE key IN ({marks})")


def index_new_papers(conn: Any, after: int) -> None:
    """Index the papers with ids above ``after``, which a big import wrote while the index
    was suspended (see :func:`writing_directly`): every index over ``papers``, each with
    the columns it holds."""
    for fts in ("papers_fts", "meta_fts"):
        cols = _cols("", _INDEXES[fts][1])
        conn.execute(
            f"INSERT INTO {fts}(rowid, {cols}) SELECT id, {cols} FROM papers WHERE id > ?",
            (after,),
        )


def index_new_contexts(conn: Any, after: int) -> None:
    """Index the citation contexts with ids above ``after`` (as :func:`index_new_papers`)."""
    conn.execute(
        "INSERT INTO contexts_fts(rowid, text) SELECT id, text FROM contexts WHERE id > ?",
        (after,),
    )


def suspended(conn: Any) -> bool:
    """Whether the index is suspended (a big import): new rows are indexed by their writer."""
    return (
        conn.execute(
            "SELECT 1 FROM temp.sqlite_master WHERE type = 'trigger' "
            "AND name = 'fts_papers_dirty_ai'"
        ).fetchone()
        is not None
    )


def _catch_up(conn: Any, *, rebuild_share: float) -> None:
    """Index the noted changes of a suspended import (or rebuild, when most rows changed)."""
    for table, (notes, ftss) in _NOTE_TABLES.items():
        for suffix in ("ai", "au", "ad"):
            conn.execute(f"DROP TRIGGER temp.{notes}_{suffix}")
        noted = conn.execute(f"SELECT count(*) FROM temp.{notes}").fetchone()[0]
        rows = conn.execute(f"SELECT max(id) FROM {table}").fetchone()[0] or 0
        for fts in ftss:
            names = ", ".join(_INDEXES[fts][1])
            if noted > rebuild_share * rows:
                conn.execute(f"INSERT INTO {fts}({fts}) VALUES ('rebuild')")
            elif noted:
                conn.execute(
                    f"INSERT INTO {fts}({fts}, rowid, {names}) "
                    f"SELECT 'delete', id, {names} FROM temp.{notes} WHERE indexed"
                )
                picked = _cols("t.", _INDEXES[fts][1])
                conn.execute(
                    f"INSERT INTO {fts}(rowid, {names}) SELECT t.id, {picked} "
                    f"FROM temp.{notes} d JOIN {table} t ON t.id = d.id"
                )
        conn.execute(f"DROP TABLE temp.{notes}")
    conn.execute("DELETE FROM search_state WHERE key = 'fts_direct'")


def resume(conn: Any, *, rebuild_share: float = 0.5) -> None:
    """Recreate the triggers, bring the index up to date and recount the term list."""
    _catch_up(conn, rebuild_share=rebuild_share)
    for sql in TRIGGERS:
        conn.execute(sql)
    rebuild_terms(conn)
    refresh_pairs(conn)
    optimize(conn)
    _automerge(conn, AUTOMERGE)
    conn.execute("PRAGMA cache_size = -2000")


# FTS5's own default: each index merges its segments a little at every write.
AUTOMERGE = 4


def _automerge(conn: Any, level: int) -> None:
    """Set how eagerly each index merges its segments as it is written. A big import sets
    0 while it writes (it merges each index into one segment at the end anyway,
    :func:`optimize`): the merges along the way cost 13% of the index's writes (400k
    papers: 3.5 against 3.0 s, then 0.45 s to merge either way)."""
    for fts in _every_index(conn):
        conn.execute(f"INSERT INTO {fts}({fts}, rank) VALUES ('automerge', ?)", (level,))


def _every_index(conn: Any) -> list[str]:
    """The library's FTS5 indexes (the title-pair index only where the schema has it)."""
    return [*_INDEXES, *(["pairs_fts"] if has_pairs(conn) else [])]


def optimize(conn: Any) -> None:
    """Merge each FTS5 index into one segment. A big import leaves 7-8 segments, and FTS5
    looks every query term up in each: at 1M papers a common word then cost 0.25 ms in
    an AND, 0.08 ms after (search p50 of noisy titles 14.6 -> 11.7 ms), for about 2 s
    of merging at the end of a million-record import."""
    for fts in _every_index(conn):
        conn.execute(f"INSERT INTO {fts}({fts}) VALUES ('optimize')")


def worth_suspending(conn: Any, input_bytes: int) -> bool:
    """Whether an import of this many bytes is big enough, against the library, to index
    in one rebuild at the end rather than row by row (about 500 bytes a record)."""
    if input_bytes < 8_000_000:
        return False
    papers = conn.execute("SELECT max(id) FROM papers").fetchone()[0] or 0
    return input_bytes / 500 > 0.1 * papers


def rebuild_terms(conn: Any) -> None:
    """Recount every term of the index into ``search_terms``."""
    conn.execute("DELETE FROM search_terms")
    conn.execute(
        "INSERT INTO search_terms(term, docs, meta) SELECT term, doc, 0 FROM papers_fts_terms"
    )
    conn.execute(
        "INSERT INTO search_terms(term, docs) SELECT term, doc FROM contexts_fts_terms WHERE true "
        "ON CONFLICT(term) DO UPDATE SET docs = docs + excluded.docs"
    )
    conn.execute(
        "INSERT INTO search_terms(term, docs, meta) SELECT term, 0, doc FROM meta_fts_terms "
        "WHERE true ON CONFLICT(term) DO UPDATE SET meta = excluded.meta"
    )
    conn.execute("DELETE FROM search_dirty")
    _bump(conn)


def _bump(conn: Any) -> None:
    conn.execute("UPDATE search_state SET value = value + 1 WHERE key = 'terms'")


def has_pairs(conn: Any) -> bool:
    return (
        conn.execute("SELECT 1 FROM sqlite_master WHERE name = 'search_pairs_dirty'").fetchone()
        is not None
    )


def refresh_pairs(conn: Any, *, batch: int = 20000) -> int:
    """Bring ``pairs_fts`` up to date with the titles noted in ``search_pairs_dirty``."""
    if not has_pairs(conn):
        return 0
    done = 0
    last = -(2**63)
    while True:
        rows = conn.execute(
            "SELECT d.paper_id, d.title, d.indexed, p.title FROM search_pairs_dirty d "
            "LEFT JOIN papers p ON p.id = d.paper_id WHERE d.paper_id > ? ORDER BY d.paper_id "
            "LIMIT ?",
            (last, batch),
        ).fetchall()
        if not rows:
            break
        last = rows[-1][0]
        gone, new = [], []
        for pid, old, indexed, title in rows:
            if indexed and old:
                text = title_pairs(old)
                if text:
                    gone.append((pid, text))
            if title:
                text = title_pairs(title)
                if text:
                    new.append((pid, text))
        conn.executemany(
            "INSERT INTO pairs_fts(pairs_fts, rowid, pairs) VALUES ('delete', ?, ?)", gone
        )
        conn.executemany("INSERT INTO pairs_fts(rowid, pairs) VALUES (?, ?)", new)
        done += len(rows)
    if done:
        conn.execute("DELETE FROM search_pairs_dirty")
    return done


# What a changed paper contributes to the term list: (docs text, meta text) as SQL.
DIRTY_TERMS_SQL = (
    "SELECT p.title, p.summary, p.abstract, (SELECT group_concat(x.text, ' ') FROM contexts x "
    "WHERE x.citing_id = p.id), p.authors, p.venue, p.year "
    "FROM search_dirty d JOIN papers p ON p.id = d.paper_id"
)


def dirty_counts(rows: Any) -> dict[str, tuple[int, int]]:
    """(docs, meta) counts of the terms of changed papers (rows of DIRTY_TERMS_SQL)."""
    counts: dict[str, tuple[int, int]] = {}
    for title, summary, abstract, ctx, authors, venue, year in rows:
        docs = set(tokens(" ".join(t for t in (title, summary, abstract, ctx) if t)))
        meta = set(tokens(" ".join(str(t) for t in (title, authors, venue, year) if t)))
        for term in docs | meta:
            d, m = counts.get(term, (0, 0))
            counts[term] = (d + (term in docs), m + (term in meta))
    return counts


def refresh_terms(conn: Any, *, full_share: float = 0.05) -> int:
    """Fold the papers changed since the last refresh into ``search_terms`` (and their title
    pairs into ``pairs_fts``); return how many papers changed.

    When more than ``full_share`` of the library changed (a bulk import), the
    whole vocabulary is recounted from the index; otherwise the changed papers
    are tokenised here and terms new to the library added (the counts of terms
    already there are left as they were: they only guide query planning and weigh
    words, and a re-import that changes nothing leaves the table as it was).
    """
    refresh_pairs(conn)
    dirty = int(conn.execute("SELECT count(*) FROM search_dirty").fetchone()[0])
    if not dirty:
        return 0
    papers = conn.execute("SELECT max(id) FROM papers").fetchone()[0] or 0
    if dirty > max(2000, full_share * papers):
        rebuild_terms(conn)
        return dirty
    counts = dirty_counts(conn.execute(DIRTY_TERMS_SQL))
    before = conn.total_changes
    conn.executemany(
        "INSERT OR IGNORE INTO search_terms(term, docs, meta) VALUES (?, ?, ?)",
        [(t, d, m) for t, (d, m) in counts.items()],
    )
    added = conn.total_changes - before
    conn.execute("DELETE FROM search_dirty")
    if added:
        _bump(conn)
    return dirty
