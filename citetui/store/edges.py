"""Writing a batch of citations: the edges, their labels and their contexts, set at a time.

Each citation of the batch is applied in order to the edge as the library holds it (read
in one join for the whole batch) or as an earlier record of the batch left it, exactly as
one call at a time would: a role, polarity or influence given replaces the edge's, none
keeps it; the labels and the contexts of the record's source are replaced when they
differ. Then one statement a kind of write. An edge the user labelled keeps the user's
labels in force (:func:`citetui.store.labels.refresh_effective`).
"""

from __future__ import annotations

from itertools import count
from typing import TYPE_CHECKING, Any, NamedTuple

from citetui.core.vocab import POLARITIES, ROLES
from citetui.store import fts
from citetui.store.labels import refresh_effective, roles_column
from citetui.store.manyrows import insert_rows

if TYPE_CHECKING:
    from citetui.store.write import Writer

_ROLES = frozenset(ROLES)
_POLARITIES = frozenset(POLARITIES)


class EdgeOp(NamedTuple):
    """One citation as a record gives it, between two library papers."""

    citing: int
    cited: int
    roles: tuple[str, ...]
    polarity: str | None
    influential: int | None
    contexts: list[tuple[str, str]]  # (text, roles as JSON)
    source: str


# A citation that gives the pair and nothing else (no role, polarity, influence or
# context): (citing, cited, source), a plain tuple. Most come so (every OpenAlex
# reference): it adds the edge or leaves it as it is, so it takes none of an EdgeOp's
# checks. In a re-import of a million OpenAlex works (py-spy), write_edges took 20% of
# the importer and making its EdgeOps 4%.
Bare = tuple[int, int, str]


def check_labels(roles: Any, polarity: str | None, contexts: Any) -> None:
    """Raise ValueError for a role or polarity outside the vocabulary."""
    for r in roles or ():
        if r and r not in _ROLES:
            raise ValueError(f"unknown role {r!r} (expected one of {', '.join(ROLES)})")
    if polarity is not None and polarity not in _POLARITIES:
        raise ValueError(f"unknown polarity {polarity!r} (expected one of {', '.join(POLARITIES)})")
    for _, croles in contexts or ():
        for r in croles:
            if r not in _ROLES:
                raise ValueError(f"unknown role {r!r} in a citation context")


_NONE: Any = {}  # an edge's empty map until it has one (most edges never do): never written


class _Edge:
    """One edge through the batch: as the library held it (``orig``) and as it is now."""

    __slots__ = ("orig", "cur", "source", "labels", "labels0", "ctx", "ctx0", "refresh", "dirty")

    def __init__(self, orig: tuple[Any, ...] | None) -> None:
        self.orig = orig
        self.cur = orig
        self.source = ""
        self.labels: dict[tuple[str, str], tuple[int, tuple[str, ...]]] = _NONE
        self.labels0: dict[tuple[str, str], tuple[str, ...]] = _NONE
        self.ctx: dict[str, tuple[int, list[tuple[str, str]]]] = _NONE
        self.ctx0: dict[str, list[tuple[str, str]]] = _NONE
        self.refresh = False
        self.dirty = False  # labels or contexts replaced by this batch


def write_edges(w: Writer, ops: list[EdgeOp | Bare], new: set[int], years: dict[int, Any]) -> None:
    """Apply the batch's citations (``new``: papers this batch added, which no edge of the
    library can name; ``years``: the batch's papers' years, for ``citations.citing_year``)."""
    conn = w.conn
    edges: dict[tuple[int, int], _Edge] = {}
    may_cite = w.identity.may_cite
    known = [
        (op[0], op[1])
        for op in ops
        if op[0] not in new and op[1] not in new and op[0] != op[1] and may_cite(op[0], op[1])
    ]
    if known:
        _read(conn, ops, set(known), edges)
    user = w.identity.user_edges()
    seq = count()
    tally = {"added": 0, "updated": 0, "unchanged": 0}
    # new edges given once, as given
    fresh: dict[tuple[int, int], tuple[int, EdgeOp | Bare]] = {}
    for op in ops:
        pair = (op[0], op[1])
        if pair[0] == pair[1]:
            continue  # a paper among its own citations: not an edge
        e = edges.get(pair)
        if e is None:
            first = fresh.pop(pair, None)
            if first is None and pair not in user:
                fresh[pair] = (next(seq), op)
                tally["added"] += 1
                continue
            e = edges[pair] = _Edge(None)
            if first is not None:
                tally["added"] -= 1
                _apply(e, first[1], pair, user, seq, tally)
        _apply(e, op, pair, user, seq, tally)
    _write(w, edges, fresh, years)
    w.identity.wrote_citations(fresh)
    w.identity.wrote_citations(pair for pair, e in edges.items() if e.orig is None)
    for (citing, cited), e in edges.items():
        if e.refresh:
            refresh_effective(conn, citing, cited)
            if e.orig is not None:
                final = conn.execute(
                    "SELECT roles, polarity, influential FROM citations "
                    "WHERE citing_id = ? AND cited_id = ?",
                    (citing, cited),
                ).fetchone()
                tally["updated" if tuple(final) != e.orig or e.dirty else "unchanged"] += 1
    for kind, n in tally.items():
        if n:
            getattr(w, kind)["citations"] += n


def _apply(
    e: _Edge,
    op: EdgeOp | Bare,
    pair: tuple[int, int],
    user: set[tuple[int, int]],
    seq: count[int],
    tally: dict[str, int],
) -> None:
    """One citation applied to the edge as it is now (see the module)."""
    if not isinstance(op, EdgeOp):  # a Bare citation: it makes the edge or leaves it as it is
        if e.cur is None:
            e.cur = _UNREAD
            e.source = op[2]
            tally["added"] += 1
        else:
            tally["unchanged"] += 1
        return
    roles_col = roles_column(op.roles) if op.roles else None
    existing = e.cur is not None
    if e.cur is None:
        e.cur = (roles_col, op.polarity, op.influential)
        e.source = op.source
        changed = True
        tally["added"] += 1
    else:
        was = e.cur
        e.cur = (
            roles_col if op.roles else was[0],
            op.polarity if op.polarity is not None else was[1],
            op.influential if op.influential is not None else was[2],
        )
        changed = e.cur != was
    relabelled = False
    if op.roles:
        relabelled |= _replace(e, ("role", op.source), tuple(sorted(set(op.roles))), seq)
    if op.polarity is not None:
        relabelled |= _replace(e, ("polarity", op.source), (op.polarity,), seq)
    if op.contexts:
        old = e.ctx[op.source][1] if op.source in e.ctx else e.ctx0.get(op.source, [])
        if old != op.contexts:
            if e.ctx is _NONE:
                e.ctx = {}
            e.ctx[op.source] = (next(seq), op.contexts)
            relabelled = True
    e.dirty |= relabelled
    if pair in user and (op.roles or op.polarity is not None):
        e.refresh = True  # counted once the user's labels are applied again
    elif existing:
        tally["updated" if changed or relabelled else "unchanged"] += 1


def _replace(e: _Edge, key: tuple[str, str], values: tuple[str, ...], seq: count[int]) -> bool:
    old = e.labels[key][1] if key in e.labels else e.labels0.get(key, ())
    if old == values or set(old) == set(values):
        return False
    if e.labels is _NONE:
        e.labels = {}
    e.labels[key] = (next(seq), values)
    return True


# Made once a connection and emptied after each batch: a table made and dropped each batch
# changed the schema, and SQLite then prepared every cached statement again (the bulk
# INSERTs of a few hundred rows: ~1 ms each, a batch).
_STAGE = (
    "CREATE TEMP TABLE IF NOT EXISTS bulk_edges (citing INTEGER NOT NULL, "
    "cited INTEGER NOT NULL, "
    "labels INTEGER NOT NULL, contexts INTEGER NOT NULL, vals INTEGER NOT NULL, "
    "PRIMARY KEY (citing, cited)) WITHOUT ROWID"
)
# An edge whose values (roles, polarity, influential) no record of the batch gives: only
# whether it exists is read, from the index alone (half the lookups of a re-import, where
# most of the edges are there and bring nothing new). Nothing changes its values, so they
# are never compared with what the library holds, nor written.
_UNREAD = (None, None, None)


# The fewest edges a citing paper brings, on average, for their existence to be read
# through all its edges in the library rather than staged and joined: a batch that names a
# paper's references (OpenAlex works, records, /references) names most of the edges the
# library has from it. At 24k edges of 4k OpenAlex works: 15-18 ms against 39-43 ms.
BY_CITING_PAIRS = 4


def _exist_by_citing(conn: Any, pairs: list[tuple[int, int]], edges: dict[Any, _Edge]) -> None:
    """Which of ``pairs`` the library holds, read through its citing papers' edges."""
    wanted = set(pairs)
    citing = sorted({c for c, _ in pairs})
    for i in range(0, len(citing), 20_000):
        chunk = "[" + ",".join(map(str, citing[i : i + 20_000])) + "]"
        for pair in conn.execute(
            "SELECT citing_id, cited_id FROM citations "
            "WHERE citing_id IN (SELECT value FROM json_each(?))",
            (chunk,),
        ):
            if pair in wanted:
                edges[pair] = _Edge(_UNREAD)


def drop_stage(conn: Any) -> None:
    """Drop the staging table of the batches, at the end of an import session. Not at the
    end of each file: creating or dropping a temporary table resets the connection's
    schema, so each statement after it is prepared again and each FTS5 table connects
    again. That cost 1.85 ms a file (a 200k S2 pages import: 146 ms in 79 files, 6 ms
    with the table kept), and the files that stage any edge grow faster than the import
    (:meth:`~citetui.store.identity.Identity.may_cite` errs more often as the
    import writes more citations)."""
    conn.execute("DROP TABLE IF EXISTS temp.bulk_edges")


def _read(
    conn: Any, ops: list[EdgeOp | Bare], pairs: set[tuple[int, int]], edges: dict[Any, _Edge]
) -> None:
    """The library's state of the batch's edges that may exist, in one join per table."""
    # What to read of each pair (labels, contexts, values): only of pairs some citation of
    # the batch gives more than the pair (the others: whether the edge exists).
    need: dict[tuple[int, int], list[int]] = {}
    for op in ops:
        if not isinstance(op, EdgeOp):
            continue  # a Bare citation
        labelled = bool(op.roles) or op.polarity is not None
        if labelled or op.contexts or op.influential is not None:
            pair = (op.citing, op.cited)
            if pair in pairs:
                flags = need.get(pair)
                if flags is None:
                    flags = need[pair] = [0, 0, 0]
                flags[0] |= labelled
                flags[1] |= bool(op.contexts)
                flags[2] |= labelled or op.influential is not None
    bare = [p for p in pairs if p not in need]
    if bare and len(bare) >= BY_CITING_PAIRS * len({c for c, _ in bare}):
        _exist_by_citing(conn, bare, edges)
        staged = sorted((c, d, *f) for (c, d), f in need.items())
        if not staged:
            return
    else:
        staged = sorted([(c, d, *f) for (c, d), f in need.items()] + [(*p, 0, 0, 0) for p in bare])
    conn.execute(_STAGE)
    try:
        # A row a statement (a temporary table fires no trigger: insert_rows saves nothing
        # here). In a 1M S2 pages import, 24,838 pairs in 860 batches, insert_rows took
        # 1.6 s in 4,151 statements of 64, 8 and 1 rows; the whole read 0.22 s this way.
        conn.executemany("INSERT INTO temp.bulk_edges VALUES (?, ?, ?, ?, ?)", staged)
        for citing, cited, *row in conn.execute(
            "SELECT c.citing_id, c.cited_id, c.roles, c.polarity, c.influential "
            "FROM temp.bulk_edges e CROSS JOIN citations c "
            "ON c.citing_id = e.citing AND c.cited_id = e.cited WHERE e.vals"
        ):
            edges[(citing, cited)] = _Edge(tuple(row))
        for citing, cited in conn.execute(
            "SELECT c.citing_id, c.cited_id FROM temp.bulk_edges e CROSS JOIN citations c "
            "ON c.citing_id = e.citing AND c.cited_id = e.cited WHERE NOT e.vals"
        ):
            edges[(citing, cited)] = _Edge(_UNREAD)
        labels: dict[tuple[Any, ...], list[str]] = {}
        for citing, cited, kind, value, source in conn.execute(
            "SELECT l.citing_id, l.cited_id, l.kind, l.value, l.source "
            "FROM temp.bulk_edges e CROSS JOIN labels l "
            "ON l.citing_id = e.citing AND l.cited_id = e.cited WHERE e.labels"
        ):
            labels.setdefault((citing, cited, kind, source), []).append(value)
        for (citing, cited, kind, source), vals in labels.items():
            e = edges.get((citing, cited))
            if e is not None:
                if e.labels0 is _NONE:
                    e.labels0 = {}
                e.labels0[(kind, source)] = tuple(sorted(vals))
        ctx: dict[tuple[Any, ...], list[tuple[int, str, str]]] = {}
        for citing, cited, source, pos, text, roles in conn.execute(
            "SELECT x.citing_id, x.cited_id, x.source, x.position, x.text, x.roles "
            "FROM temp.bulk_edges e CROSS JOIN contexts x "
            "ON x.citing_id = e.citing AND x.cited_id = e.cited WHERE e.contexts"
        ):
            ctx.setdefault((citing, cited, source), []).append((pos, text, roles))
        for (citing, cited, source), rows in ctx.items():
            e = edges.get((citing, cited))
            if e is not None:
                if e.ctx0 is _NONE:
                    e.ctx0 = {}
                e.ctx0[source] = [(t, r) for _, t, r in sorted(rows, key=lambda x: x[0])]
    finally:
        conn.execute("DELETE FROM temp.bulk_edges")


def _write(
    w: Writer,
    edges: dict[tuple[int, int], _Edge],
    fresh: dict[tuple[int, int], tuple[int, EdgeOp | Bare]],
    years: dict[int, Any],
) -> None:
    conn = w.conn
    new_rows: list[tuple[Any, ...]] = []
    changed: list[tuple[Any, ...]] = []
    del_labels: list[tuple[Any, ...]] = []
    add_labels: list[tuple[int, tuple[Any, ...]]] = []
    del_ctx: list[tuple[Any, ...]] = []
    add_ctx: list[tuple[Any, ...]] = []
    for (citing, cited), (n, op) in fresh.items():
        if not isinstance(op, EdgeOp):  # a Bare citation
            new_rows.append((citing, cited, None, None, None, op[2], years.get(citing)))
            continue
        roles = tuple(sorted(set(op.roles))) if op.roles else ()
        new_rows.append(
            (
                citing,
                cited,
                "," + ",".join(roles) + "," if roles else None,
                op.polarity,
                op.influential,
                op.source,
                years.get(citing),
            )
        )
        if roles:
            add_labels += [(n, (citing, cited, "role", v, op.source)) for v in roles]
        if op.polarity is not None:
            add_labels.append((n, (citing, cited, "polarity", op.polarity, op.source)))
        if op.contexts:
            add_ctx.append((n, citing, cited, op.source, op.contexts))
    for (citing, cited), e in edges.items():
        if e.cur is None:
            continue
        if e.orig is None:
            new_rows.append((citing, cited, *e.cur, e.source, years.get(citing)))
        elif e.cur != e.orig:
            changed.append((*e.cur, citing, cited))
        for (kind, source), (n, values) in e.labels.items():
            if (kind, source) in e.labels0:
                del_labels.append((citing, cited, kind, source))
            add_labels += [(n, (citing, cited, kind, v, source)) for v in values]
        for source, (n, texts) in e.ctx.items():
            if source in e.ctx0:
                del_ctx.append((citing, cited, source, len(e.ctx0[source])))
            add_ctx.append((n, citing, cited, source, texts))
    if changed:
        conn.executemany(
            "UPDATE citations SET roles = ?, polarity = ?, influential = ? "
            "WHERE citing_id = ? AND cited_id = ?",
            changed,
        )
    if new_rows:
        # The citing year as the trigger citations_year_ai would fill it (a big import
        # drops the trigger: see citetui.store.identity.DROPPABLE).
        insert_rows(
            conn,
            "INSERT INTO citations (citing_id, cited_id, roles, polarity, influential, source, "
            "citing_year) SELECT column1, column2, column3, column4, column5, column6, "
            "coalesce(column7, (SELECT year FROM papers WHERE id = column1)) FROM (",
            new_rows,
            tail=")",
        )
    if del_labels:
        conn.executemany(
            "DELETE FROM labels WHERE citing_id=? AND cited_id=? AND kind=? AND source=?",
            del_labels,
        )
    if add_labels:
        add_labels.sort(key=lambda x: x[0])
        conn.executemany(
            "INSERT INTO labels (citing_id, cited_id, kind, value, source) VALUES (?, ?, ?, ?, ?)",
            [row for _, row in add_labels],
        )
    # New contexts take ids above every id the library had, deleted ones included: a
    # deleted context's id must not come back while the search index is suspended (its
    # note would take the new row's words out of the index as the old one's).
    first = w.identity.next_context(add_ctx and conn.execute("SELECT max(id) FROM contexts"))
    if del_ctx:
        conn.executemany(
            "DELETE FROM contexts WHERE citing_id=? AND cited_id=? AND source=?",
            [d[:3] for d in del_ctx],
        )
        w.contexts_net -= sum(d[3] for d in del_ctx)
    if add_ctx:
        add_ctx.sort(key=lambda x: x[0])
        rows = [
            (citing, cited, i, text, roles, source)
            for _, citing, cited, source, texts in add_ctx
            for i, (text, roles) in enumerate(texts)
        ]
        direct = w.identity.memory
        with fts.writing_directly(conn, pairs=False, index=direct):
            insert_rows(
                conn,
                "INSERT INTO contexts (id, citing_id, cited_id, position, text, roles, source)",
                [(first + i, *row) for i, row in enumerate(rows)],
            )
        w.identity.took_contexts(first + len(rows))
        if direct:
            fts.index_new_contexts(conn, first - 1)
        w.contexts_net += len(rows)
