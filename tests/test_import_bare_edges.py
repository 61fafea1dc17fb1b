"""A citation that names only its pair (citetui.store.edges.Bare, most of an OpenAlex
import's) does to the library, and to the report, what the same citation as a full
EdgeOp does: among labelled citations of the same pair, before or after them, on edges
the library holds or not, labelled by the user or not."""

from __future__ import annotations

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from citetui.core.models import CiteRecord, PaperRecord
from citetui.store import Library, fts
from citetui.store.edges import EdgeOp, write_edges
from tests.libdump import dump

PAIRS = [(1, 2), (1, 3), (2, 3), (3, 1)]
OPS = st.tuples(
    st.sampled_from(PAIRS),
    st.booleans(),  # bare
    st.sampled_from([(), ("method",), ("background", "method")]),
    st.sampled_from([None, "supportive"]),
    st.sampled_from([None, 1]),
    st.sampled_from([[], [("We use it.", '["method"]')]]),
    st.sampled_from(["src", "other"]),
)


def _library(path, existing: list[tuple[int, int]], user: list[tuple[int, int]]) -> Library:
    lib = Library(path, create=True)
    with lib.transaction() as db:
        from citetui.store import Writer

        w = Writer(db, "src")
        for i in range(1, 5):
            w.upsert_paper(PaperRecord(title=f"Paper number {i}", year=2000 + i))
        for a, b in existing:
            w.upsert_citation(a, b, roles=["background"], source="src")
        w.finish()
    for a, b in user:
        with lib.transaction() as db:
            db.conn.execute(
                "INSERT INTO user_labels (citing_id, cited_id, kind, value) "
                "VALUES (?, ?, 'polarity', 'critical')",
                (a, b),
            )
    return lib


def _write(lib: Library, ops: list) -> dict:
    with lib.importing(0) as session:
        w = session.writer("src")
        write_edges(w, ops, set(), {})
        counts = (dict(w.added), dict(w.updated), dict(w.unchanged))
        w.finish()
    return counts


@settings(
    max_examples=80,
    deadline=None,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.function_scoped_fixture],
)
@given(
    ops=st.lists(OPS, max_size=8),
    existing=st.lists(st.sampled_from(PAIRS), unique=True),
    user=st.lists(st.sampled_from(PAIRS), unique=True, max_size=2),
    big=st.booleans(),
)
def test_a_bare_citation_writes_and_counts_as_its_edgeop(
    tmp_path_factory, monkeypatch, ops, existing, user, big
):
    monkeypatch.setattr(fts, "worth_suspending", lambda conn, size: big)
    tmp = tmp_path_factory.mktemp("bare")
    full, mixed = [], []
    for (a, b), bare, roles, pol, infl, ctx, source in ops:
        if bare:
            full.append(EdgeOp(a, b, (), None, None, [], source))
            mixed.append((a, b, source))
        else:
            op = EdgeOp(a, b, roles, pol, infl, ctx, source)
            full.append(op)
            mixed.append(op)
    got = []
    for name, batch in (("full", full), ("mixed", mixed)):
        lib = _library(tmp / f"{name}.db", existing, user)
        try:
            counts = _write(lib, batch)
            got.append((dump(lib), counts))
        finally:
            lib.close()
    assert got[0] == got[1]


def test_openalex_references_reach_write_edges_as_bare_pairs(tmp_path, monkeypatch):
    """The bulk writer hands a citation that gives only its target over as a Bare pair
    (the test above holds only if they are the ones that come so)."""
    from citetui.store import edges as edges_mod

    seen: list = []
    real = edges_mod.write_edges
    monkeypatch.setattr(
        "citetui.store.bulk.write_edges", lambda w, ops, *a: (seen.extend(ops), real(w, ops, *a))
    )
    lib = Library(tmp_path / "lib.db", create=True)
    try:
        with lib.importing(0) as session:
            w = session.writer("src")
            w.bulk.add(
                PaperRecord(title="Citing paper", openalex_id="W1"),
                cites=[
                    CiteRecord(PaperRecord(openalex_id="W2")),
                    CiteRecord(PaperRecord(openalex_id="W3"), roles=["method"]),
                ],
            )
            w.bulk.flush()
            w.finish()
    finally:
        lib.close()
    assert [type(op).__name__ for op in seen] == ["tuple", "EdgeOp"]
    assert seen[0][2] == "src"
