"""Two papers of the library found to be one: fold one into the other.

A record that shares an identifier with two papers (a DOI with one, an arXiv id with
the other) shows they are the same paper. The one with the larger id is folded into
the other: its fields join by the rule of :mod:`citetui.core.records`, every row that
refers to it (citations, labels, contexts, hubs, claims, the user's notes and label
overrides...) moves, and the user's layer of both is kept.
"""

from __future__ import annotations

import json
from typing import Any

from citetui.core import records as rec
from citetui.store.labels import USER_SOURCE, refresh_effective
from citetui.store.schema import PAPER_REFERENCES

_COLUMNS = ", ".join(rec.PAPER_FIELDS)


def merge_papers(conn: Any, keep: int, drop: int) -> None:
    """Fold paper ``drop`` into ``keep``: join their fields, move every reference."""
    row = conn.execute(f"SELECT {_COLUMNS}, authors FROM papers WHERE id = ?", (drop,)).fetchone()
    kept = conn.execute(f"SELECT {_COLUMNS}, authors FROM papers WHERE id = ?", (keep,)).fetchone()
    if row is None or kept is None:
        return  # folded already (two records named the same pair)
    conn.execute(
        f"UPDATE papers SET {', '.join(f'{c} = NULL' for c in rec.ID_COLUMNS)} WHERE id = ?",
        (drop,),
    )
    _merge_annotations(conn, keep, drop)
    _merge_user_labels(conn, keep, drop)
    for table, col in PAPER_REFERENCES:
        conn.execute(f"UPDATE OR IGNORE {table} SET {col} = ? WHERE {col} = ?", (keep, drop))
        conn.execute(f"DELETE FROM {table} WHERE {col} = ?", (drop,))
    _restore_user_labels(conn, keep)
    conn.execute("DELETE FROM papers WHERE id = ?", (drop,))
    old = list(kept[:-1])
    joined = rec.join_values(old, list(row[:-1]))
    authors = rec.join_authors(_authors(kept[-1]), _authors(row[-1]))
    sets = {c: v for c, v, o in zip(rec.PAPER_FIELDS, joined, old, strict=True) if v != o}
    if list(authors) != _authors(kept[-1]):
        sets["authors"] = json.dumps(list(authors), ensure_ascii=False)
    if "title" in sets or "summary" in sets:
        sets["norm_title"] = rec.identity_text(joined[0], joined[rec.SUMMARY])
    if sets:
        conn.execute(
            f"UPDATE papers SET {', '.join(f'{c} = ?' for c in sets)} WHERE id = ?",
            [*sets.values(), keep],
        )


def release_identifiers(conn: Any, pids: list[int]) -> None:
    """Clear the identifiers of papers about to be folded into others (which hold them)."""
    cleared = ", ".join(f"{c} = NULL" for c in rec.ID_COLUMNS)
    conn.executemany(f"UPDATE papers SET {cleared} WHERE id = ?", [(p,) for p in pids])


def _authors(text: str | None) -> list[str]:
    return json.loads(text) if text else []


def _merge_annotations(conn: Any, keep: int, drop: int) -> None:
    """Both records of a merged paper may carry the user's notes: keep all of them."""
    rows = {
        r[0]: r
        for r in conn.execute(
            "SELECT paper_id, starred, status, tags, note, updated_at FROM user_annotations "
            "WHERE paper_id IN (?, ?)",
            (keep, drop),
        )
    }
    if keep not in rows or drop not in rows:
        return  # nothing to combine; the reference update moves a lone annotation
    k, d = rows[keep], rows[drop]
    tags = list(dict.fromkeys(json.loads(k[3] or "[]") + json.loads(d[3] or "[]")))
    notes = "\n".join(n for n in (k[4], d[4]) if n) or None
    conn.execute(
        "UPDATE user_annotations SET starred = ?, status = ?, tags = ?, note = ?, "
        "updated_at = max(coalesce(updated_at, ''), ?) WHERE paper_id = ?",
        (max(k[1] or 0, d[1] or 0), k[2] or d[2], json.dumps(tags), notes, d[5] or "", keep),
    )
    conn.execute("DELETE FROM user_annotations WHERE paper_id = ?", (drop,))


def _merge_user_labels(conn: Any, keep: int, drop: int) -> None:
    """Where both records carry the user's label of one citation (and kind), keep the
    newer: the reference update would otherwise keep one at random in user_labels and
    both in labels, and the views that read either would disagree."""
    rows = conn.execute(
        "SELECT citing_id, cited_id, kind, updated_at FROM user_labels "
        "WHERE citing_id = ? OR cited_id = ?",
        (drop, drop),
    ).fetchall()
    for citing, cited, kind, when in rows:
        to = (keep if citing == drop else citing, keep if cited == drop else cited)
        if to[0] == to[1]:
            continue  # the edge between the two records goes with the merge
        theirs = conn.execute(
            "SELECT updated_at FROM user_labels WHERE citing_id=? AND cited_id=? AND kind=?",
            (*to, kind),
        ).fetchone()
        if theirs is None:
            continue
        loser = (citing, cited) if (when or "") <= (theirs[0] or "") else to
        conn.execute(
            "DELETE FROM user_labels WHERE citing_id=? AND cited_id=? AND kind=?",
            (*loser, kind),
        )


def _restore_user_labels(conn: Any, paper_id: int) -> None:
    """Make the 'you' labels and the effective labels of the paper's citations follow
    user_labels again, after a merge moved both."""
    edges = conn.execute(
        "SELECT DISTINCT citing_id, cited_id FROM labels WHERE source = ? AND "
        "(citing_id = ? OR cited_id = ?) UNION SELECT citing_id, cited_id FROM user_labels "
        "WHERE citing_id = ? OR cited_id = ?",
        (USER_SOURCE, paper_id, paper_id, paper_id, paper_id),
    ).fetchall()
    for citing, cited in edges:
        conn.execute(
            "DELETE FROM labels WHERE citing_id=? AND cited_id=? AND source=?",
            (citing, cited, USER_SOURCE),
        )
        for kind, value in conn.execute(
            "SELECT kind, value FROM user_labels WHERE citing_id=? AND cited_id=?",
            (citing, cited),
        ).fetchall():
            conn.executemany(
                "INSERT OR IGNORE INTO labels (citing_id, cited_id, kind, value, source) "
                "VALUES (?, ?, ?, ?, ?)",
                [(citing, cited, kind, v, USER_SOURCE) for v in value.split(",") if v],
            )
        refresh_effective(conn, citing, cited)
