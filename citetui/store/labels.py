"""A citation's labels: every label with its source, and the effective ones on the edge.

``labels`` holds each role and polarity with the source that gave it ("you" for the
user's own); ``citations.roles`` / ``citations.polarity`` are the effective ones: the
user's where they set one, else the latest source's.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from typing import Any

USER_SOURCE = "you"  # the provenance of labels the user set


def roles_column(roles: Iterable[str]) -> str | None:
    """Roles as stored in citations.roles: ',background,method,' (sorted, de-duplicated)."""
    clean = sorted({r for r in roles if r})
    return "," + ",".join(clean) + "," if clean else None


def write_user_label(
    conn: Any,
    citing: int,
    cited: int,
    kind: str,
    values: Sequence[str],
    updated_at: str | None,
    *,
    replace: bool = True,
) -> bool:
    """The user's role(s) or polarity of one citation (``values`` empty: none), with its
    'you' labels and the edge's effective labels; ``replace=False`` keeps an override the
    user already set. Whether anything was written."""
    if (
        not replace
        and conn.execute(
            "SELECT 1 FROM user_labels WHERE citing_id=? AND cited_id=? AND kind=?",
            (citing, cited, kind),
        ).fetchone()
    ):
        return False
    conn.execute(
        "DELETE FROM labels WHERE citing_id=? AND cited_id=? AND kind=? AND source=?",
        (citing, cited, kind, USER_SOURCE),
    )
    if values:
        conn.execute(
            "INSERT INTO user_labels (citing_id, cited_id, kind, value, updated_at) "
            "VALUES (?, ?, ?, ?, ?) ON CONFLICT(citing_id, cited_id, kind) DO UPDATE SET "
            "value=excluded.value, updated_at=excluded.updated_at",
            (citing, cited, kind, ",".join(sorted(set(values))), updated_at),
        )
        conn.executemany(
            "INSERT INTO labels (citing_id, cited_id, kind, value, source) VALUES (?,?,?,?,?)",
            [(citing, cited, kind, v, USER_SOURCE) for v in sorted(set(values))],
        )
    else:
        conn.execute(
            "DELETE FROM user_labels WHERE citing_id=? AND cited_id=? AND kind=?",
            (citing, cited, kind),
        )
    refresh_effective(conn, citing, cited)
    return True


def refresh_effective(conn: Any, citing: int, cited: int) -> None:
    """Recompute the edge's effective roles/polarity: the user's, else the latest source's."""
    for kind, column in (("role", "roles"), ("polarity", "polarity")):
        user = conn.execute(
            "SELECT value FROM user_labels WHERE citing_id=? AND cited_id=? AND kind=?",
            (citing, cited, kind),
        ).fetchone()
        if user is not None:
            vals = user[0].split(",")
        else:
            rows = conn.execute(
                "SELECT value, source FROM labels WHERE citing_id=? AND cited_id=? AND kind=? "
                "AND source != ? ORDER BY rowid DESC",
                (citing, cited, kind, USER_SOURCE),
            ).fetchall()
            latest = rows[0][1] if rows else None
            vals = [v for v, s in rows if s == latest]
        value = roles_column(vals) if kind == "role" else (vals[0] if vals else None)
        conn.execute(
            f"UPDATE citations SET {column} = ? WHERE citing_id=? AND cited_id=?",
            (value, citing, cited),
        )
