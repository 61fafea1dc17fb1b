"""A library's content as comparable data, with row ids replaced by what each paper is.

Two libraries hold the same thing when their dumps are equal: the same papers
(every field and identifier), edges, labels and contexts with their sources, and
the same hub panes. The import log is left out (it records when and from where).
"""

from __future__ import annotations

from citetui.core.records import PAPER_FIELDS
from citetui.store import Library

PAPER_COLS = (*PAPER_FIELDS, "authors", "source")


def _sorted(rows) -> list[tuple]:
    return sorted((tuple(r) for r in rows), key=repr)


def dump(lib: Library) -> dict[str, list[tuple]]:
    """Every table that holds imported data, with paper ids as paper identities."""
    conn = lib.conn
    who: dict[int, tuple] = {}
    papers = []
    for row in conn.execute(f"SELECT id, {', '.join(PAPER_COLS)} FROM papers"):
        who[row[0]] = (row[9], row[10], row[11], row[12], row[13], row[1], row[2], row[5])
        papers.append(row[1:])
    claims = {
        r[0]: (who[r[1]], r[2]) for r in conn.execute("SELECT id, hub_id, position FROM claims")
    }

    def q(sql: str) -> list[tuple]:
        return list(conn.execute(sql))

    return {
        "papers": _sorted(papers),
        "citations": _sorted(
            (who[a], who[b], *rest)
            for a, b, *rest in q(
                "SELECT citing_id, cited_id, roles, polarity, influential, source FROM citations"
            )
        ),
        "labels": _sorted(
            (who[a], who[b], *rest)
            for a, b, *rest in q("SELECT citing_id, cited_id, kind, value, source FROM labels")
        ),
        "contexts": _sorted(
            (who[a], who[b], *rest)
            for a, b, *rest in q(
                "SELECT citing_id, cited_id, position, text, roles, source FROM contexts"
            )
        ),
        "hubs": _sorted(
            (who[a], *rest) for a, *rest in q("SELECT paper_id, tier, verdict, source FROM hubs")
        ),
        "recorded_summaries": _sorted(
            (who[a], *rest)
            for a, *rest in q(
                "SELECT hub_id, kind, label, share, count, position, source FROM recorded_summaries"
            )
        ),
        "claims": _sorted(
            (who[a], *rest) for a, *rest in q("SELECT hub_id, position, text, source FROM claims")
        ),
        "claim_engagements": _sorted(
            (claims[c], who[p], *rest)
            for c, p, *rest in q(
                "SELECT claim_id, paper_id, stance, context, source FROM claim_engagements"
            )
        ),
        "cocited": _sorted(
            (who[a], who[b], *rest)
            for a, b, *rest in q("SELECT hub_id, paper_id, count, source FROM cocited")
        ),
        "representatives": _sorted(
            (who[a], who[b], *rest)
            for a, b, *rest in q("SELECT hub_id, paper_id, position, source FROM representatives")
        ),
        "paper_aliases": _sorted(
            (who[p], kind, value) for kind, value, p in q("SELECT * FROM paper_aliases")
        ),
    }


def counts(d: dict[str, list[tuple]]) -> dict[str, int]:
    """How many rows each table of a dump has."""
    return {k: len(v) for k, v in d.items()}
