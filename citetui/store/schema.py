"""The library schema and its versioned migrations.

The schema version lives in ``PRAGMA user_version``. Each migration takes a
library from version ``n - 1`` to ``n``; opening an older library applies the
missing ones in one transaction, opening a newer one is refused.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING

if TYPE_CHECKING:  # imported where a library is written (it costs ~45 ms at start-up)
    import sqlite_utils


def _v1(db: sqlite_utils.Database) -> None:
    """The first schema: papers, citations, labels, contexts, hubs and their panes."""
    db.table("papers").create(
        {
            "id": int,
            "title": str,
            "norm_title": str,
            "year": int,
            "venue": str,
            "abstract": str,
            "summary": str,
            "summary_source": str,
            "url": str,
            "citation_count": int,
            "doi": str,
            "arxiv": str,
            "s2_id": str,
            "corpus_id": int,
            "openalex_id": str,
            "authors": str,  # JSON list of names, in order
            "source": str,  # the source that first brought the paper
        },
        pk="id",
    )
    for col in ("doi", "arxiv", "s2_id", "corpus_id", "openalex_id"):
        db.execute(f"CREATE UNIQUE INDEX idx_papers_{col} ON papers({col}) WHERE {col} IS NOT NULL")
    db.table("papers").create_index(["norm_title", "year"], index_name="idx_papers_norm_title")

    # Edges citing -> cited. roles/polarity are the effective labels (the latest
    # source's, or the user's later), kept here so the explorer reads one table;
    # every label with its provenance is in `labels`.
    db.table("citations").create(
        {
            "citing_id": int,
            "cited_id": int,
            "roles": str,  # ",background,method," or NULL
            "polarity": str,
            "influential": int,
            "source": str,
        },
        pk=("citing_id", "cited_id"),
        foreign_keys=[("citing_id", "papers", "id"), ("cited_id", "papers", "id")],
    )
    db.table("citations").create_index(["cited_id"], index_name="idx_citations_cited")
    db.table("labels").create(
        {"citing_id": int, "cited_id": int, "kind": str, "value": str, "source": str},
        pk=("citing_id", "cited_id", "kind", "value", "source"),
    )
    db.table("contexts").create(
        {
            "id": int,
            "citing_id": int,
            "cited_id": int,
            "position": int,
            "text": str,
            "roles": str,  # JSON list
            "source": str,
        },
        pk="id",
    )
    db.table("contexts").create_index(["citing_id", "cited_id"], index_name="idx_contexts_edge")

    db.table("hubs").create(
        {"paper_id": int, "tier": str, "verdict": str, "source": str},
        pk="paper_id",
        foreign_keys=[("paper_id", "papers", "id")],
    )
    db.table("recorded_summaries").create(
        {
            "hub_id": int,
            "kind": str,
            "label": str,
            "share": float,
            "count": int,
            "position": int,
            "source": str,
        },
        pk=("hub_id", "kind", "label", "source"),
    )
    db.table("claims").create(
        {"id": int, "hub_id": int, "position": int, "text": str, "source": str}, pk="id"
    )
    db.table("claims").create_index(
        ["hub_id", "text"], unique=True, index_name="idx_claims_hub_text"
    )
    db.table("claim_engagements").create(
        {"claim_id": int, "paper_id": int, "stance": str, "context": str, "source": str},
        pk=("claim_id", "paper_id"),
    )
    db.table("claim_engagements").create_index(["paper_id"], index_name="idx_engagements_paper")
    db.table("cocited").create(
        {"hub_id": int, "paper_id": int, "count": int, "source": str}, pk=("hub_id", "paper_id")
    )
    db.table("representatives").create(
        {"hub_id": int, "paper_id": int, "position": int, "source": str},
        pk=("hub_id", "paper_id"),
    )
    db.table("imports").create(
        {
            "id": int,
            "path": str,
            "format": str,
            "sha256": str,
            "imported_at": str,
            "report": str,  # JSON
        },
        pk="id",
    )
    # The user's own layer. Imports never write to these tables.
    db.table("user_annotations").create(
        {
            "paper_id": int,
            "starred": int,
            "status": str,
            "tags": str,
            "note": str,
            "updated_at": str,
        },
        pk="paper_id",
    )
    db.table("user_labels").create(
        {"citing_id": int, "cited_id": int, "kind": str, "value": str, "updated_at": str},
        pk=("citing_id", "cited_id", "kind"),
    )


def _v2(db: sqlite_utils.Database) -> None:
    """The search index: FTS5 over titles, summaries and citation contexts, kept by triggers."""
    from citetui.store import fts as index

    index.create(db.conn)


def _v3(db: sqlite_utils.Database) -> None:
    """The user's saved views and query history (written only by the user, never by imports)."""
    db.table("saved_views").create(
        {"name": str, "hub_id": int, "query": str, "sort": str, "slot": int, "created_at": str},
        pk="name",
    )
    db.table("query_history").create(
        {"id": int, "hub_id": int, "query": str, "uses": int, "used_at": str}, pk="id"
    )
    db.execute(
        "CREATE UNIQUE INDEX idx_query_history_key ON query_history(coalesce(hub_id, -1), query)"
    )


def _v4(db: sqlite_utils.Database) -> None:
    """Search and browsing at a million papers: title word pairs for phrase search, and each
    citation's citing year beside it, so a hub's papers come in year order from one index."""
    from citetui.store import fts as index

    index.create_pairs(db.conn)
    db.execute("ALTER TABLE citations ADD COLUMN citing_year INTEGER")
    db.execute("UPDATE citations SET citing_year = (SELECT year FROM papers WHERE id = citing_id)")
    for sql in CITING_YEAR:
        db.execute(sql)
    db.execute("DROP INDEX IF EXISTS idx_citations_cited")
    db.execute(
        "CREATE INDEX idx_citations_hub_year ON citations(cited_id, citing_year DESC, citing_id)"
    )


# citations.citing_year follows papers.year, whoever writes either.
CITING_YEAR = (
    """CREATE TRIGGER citations_year_ai AFTER INSERT ON citations WHEN new.citing_year IS NULL
    BEGIN
        UPDATE citations SET citing_year = (SELECT year FROM papers WHERE id = new.citing_id)
            WHERE rowid = new.rowid;
    END""",
    """CREATE TRIGGER citations_year_au AFTER UPDATE OF citing_id ON citations BEGIN
        UPDATE citations SET citing_year = (SELECT year FROM papers WHERE id = new.citing_id)
            WHERE rowid = new.rowid;
    END""",
    """CREATE TRIGGER papers_year_au AFTER UPDATE OF year ON papers
    WHEN old.year IS NOT new.year BEGIN
        UPDATE citations SET citing_year = new.year WHERE citing_id = new.id;
    END""",
)


def _v5(db: sqlite_utils.Database) -> None:
    """A cache of each hub's computed panes (seconds to compute for a 100k-paper hub);
    emptied by every write that can change them (citetui.store.panes.forget_panes)."""
    db.execute("CREATE TABLE hub_cache (hub_id INTEGER PRIMARY KEY, payload TEXT NOT NULL)")


def _v6(db: sqlite_utils.Database) -> None:
    """A title's identity keeps a sign that ends a word (C++, C#): it was folded away, so
    "C++ for Engineers" and "C for Engineers" were taken for one paper and merged."""
    from citetui.core.records import identity_text

    rows = db.execute(
        "SELECT id, title, summary FROM papers WHERE title GLOB '*[+#]*' "
        "OR (title IS NULL AND summary GLOB '*[+#]*')"
    ).fetchall()
    db.conn.executemany(
        "UPDATE papers SET norm_title = ? WHERE id = ?",
        [(identity_text(t, s), i) for i, t, s in rows],
    )


def _v7(db: sqlite_utils.Database) -> None:
    """The explorer columns the user chose: per hub (hub_prefs), and with a saved view.

    Written to apply whatever its number (a branch merge may renumber it): it creates
    and adds only what is missing."""
    db.execute(
        "CREATE TABLE IF NOT EXISTS hub_prefs (hub_id INTEGER PRIMARY KEY, columns TEXT NOT NULL)"
    )
    if "columns" not in {r[1] for r in db.execute("PRAGMA table_info(saved_views)")}:
        db.execute("ALTER TABLE saved_views ADD COLUMN columns TEXT")


def _v8(db: sqlite_utils.Database) -> None:
    """Search what researchers paste and type: abstracts, authors, venues and years are
    indexed (papers_fts over title, summary and abstract; meta_fts over title, authors,
    venue and year), and the term list counts both (see citetui.store.fts)."""
    from citetui.store import fts as index

    index.create_v8(db.conn)


def _v9(db: sqlite_utils.Database) -> None:
    """The identifiers a paper is also known by: two records of one paper with two values
    of one kind (two OpenAlex works with one DOI) keep one in ``papers`` (see
    citetui.core.records), and the other here, so a work that cites the other still
    cites this paper (it made a stub of its own, and split the paper's citations)."""
    db.execute(
        "CREATE TABLE IF NOT EXISTS paper_aliases (kind TEXT NOT NULL, value NOT NULL, "
        "paper_id INTEGER NOT NULL, PRIMARY KEY (kind, value)) WITHOUT ROWID"
    )
    db.execute("CREATE INDEX IF NOT EXISTS idx_paper_aliases_paper ON paper_aliases(paper_id)")


MIGRATIONS: list[Callable[[sqlite_utils.Database], None]] = [
    _v1,
    _v2,
    _v3,
    _v4,
    _v5,
    _v6,
    _v7,
    _v8,
    _v9,
]
SCHEMA_VERSION = len(MIGRATIONS)

# Tables whose columns refer to a paper id: (table, column). Used to merge two
# records of the same paper.
PAPER_REFERENCES: tuple[tuple[str, str], ...] = (
    ("citations", "citing_id"),
    ("citations", "cited_id"),
    ("labels", "citing_id"),
    ("labels", "cited_id"),
    ("contexts", "citing_id"),
    ("contexts", "cited_id"),
    ("hubs", "paper_id"),
    ("recorded_summaries", "hub_id"),
    ("claims", "hub_id"),
    ("claim_engagements", "paper_id"),
    ("cocited", "hub_id"),
    ("cocited", "paper_id"),
    ("representatives", "hub_id"),
    ("representatives", "paper_id"),
    ("user_annotations", "paper_id"),
    ("user_labels", "citing_id"),
    ("user_labels", "cited_id"),
    ("saved_views", "hub_id"),
    ("query_history", "hub_id"),
    ("hub_prefs", "hub_id"),
    ("paper_aliases", "paper_id"),
)
