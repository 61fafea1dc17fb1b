"""The user's own layer: stars, tags, reading status, notes, label overrides and the
hubs the user made (``hubs`` rows with source ``you``).

These live in ``user_annotations`` and ``user_labels``, which no import writes.
A label override is also written to the edge's effective ``citations.roles`` /
``citations.polarity`` (so summaries and the explorer show it at once) and to
``labels`` with source ``you``; the import writer keeps overrides in force.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Sequence
from dataclasses import replace
from datetime import UTC, datetime
from typing import Any

from citetui.core.models import Annotation, Hub, LabelOverride
from citetui.core.vocab import POLARITIES, ROLES, STATUSES, next_status
from citetui.store.errors import NotFound
from citetui.store.hubs import HubReads
from citetui.store.labels import USER_SOURCE, write_user_label
from citetui.store.panes import forget_panes


def _now() -> str:
    return datetime.now(UTC).isoformat(timespec="seconds")


def _row_to_annotation(row: Sequence[Any]) -> Annotation:
    return Annotation(
        row[0], bool(row[1]), row[2], tuple(json.loads(row[3] or "[]")), row[4], row[5]
    )


_SELECT = (
    "SELECT paper_id, starred, status, tags, note, updated_at FROM user_annotations "
    "WHERE paper_id = ?"
)


class UserLayer(HubReads):
    """The user's annotations and label overrides (a layer of :class:`Library`)."""

    def annotation(self, paper_id: int) -> Annotation:
        """The user's annotation of a paper (empty if none)."""
        rows = self._rows(_SELECT, (paper_id,))
        return _row_to_annotation(rows[0]) if rows else Annotation(paper_id)

    def annotations(self) -> list[Annotation]:
        """Every annotation the user wrote, oldest paper first."""
        rows = self._rows(
            "SELECT paper_id, starred, status, tags, note, updated_at FROM user_annotations "
            "ORDER BY paper_id"
        )
        return [_row_to_annotation(r) for r in rows]

    def _update(self, paper_id: int, change: Callable[[Annotation], Annotation]) -> Annotation:
        """Apply ``change`` to the paper's annotation as it is inside one write transaction.

        The row is read after BEGIN IMMEDIATE took the write lock, so two writers (two
        commands, or the browser and a command) never start from the same old value and
        one of them never undoes the other: appends and tag adds commute. A writer that
        cannot get the lock within the busy timeout fails (LibraryBusy, exit 3) instead of
        reporting a write it did not make."""
        with self.transaction() as db:
            conn = db.conn
            if conn.execute("SELECT 1 FROM papers WHERE id = ?", (paper_id,)).fetchone() is None:
                raise NotFound(f"no paper with id {paper_id}")
            row = conn.execute(_SELECT, (paper_id,)).fetchone()
            cur = _row_to_annotation(row) if row else Annotation(paper_id)
            new = change(cur)
            ann = Annotation(paper_id, new.starred, new.status, new.tags, new.note, _now())
            conn.execute(
                "INSERT INTO user_annotations (paper_id, starred, status, tags, note, updated_at) "
                "VALUES (?, ?, ?, ?, ?, ?) ON CONFLICT(paper_id) DO UPDATE SET "
                "starred=excluded.starred, "
                "status=excluded.status, tags=excluded.tags, note=excluded.note, "
                "updated_at=excluded.updated_at",
                (
                    ann.paper_id,
                    int(ann.starred),
                    ann.status,
                    json.dumps(list(ann.tags)),
                    ann.note,
                    ann.updated_at,
                ),
            )
        return ann

    def set_note(self, paper_id: int, note: str | None, *, append: bool = False) -> Annotation:
        """Set (or append a line to) the free-text note of a paper; ``None`` clears it.

        A blank note is refused: writing one used to delete the note the user had."""
        if note is not None and not note.strip():
            raise ValueError("the note is empty (to remove the note, clear it)")

        def change(cur: Annotation) -> Annotation:
            text = note
            if append and cur.note and note is not None:
                text = f"{cur.note}\n{note}"
            return replace(cur, note=text)

        return self._update(paper_id, change)

    def add_tag(self, paper_id: int, tag: str, *, remove: bool = False) -> Annotation:
        """Add (or remove) a tag."""
        tag = tag.strip()
        if not tag:
            raise ValueError("a tag cannot be empty")

        def change(cur: Annotation) -> Annotation:
            tags = (
                [t for t in cur.tags if t != tag]
                if remove
                else list(dict.fromkeys([*cur.tags, tag]))
            )
            return replace(cur, tags=tuple(tags))

        return self._update(paper_id, change)

    def set_status(self, paper_id: int, status: str | None) -> Annotation:
        """Set the reading status (unread, skimmed, read, key) or clear it."""
        if status is not None and status not in STATUSES:
            raise ValueError(f"unknown status {status!r} (expected one of {', '.join(STATUSES)})")
        return self._update(paper_id, lambda cur: replace(cur, status=status))

    def cycle_status(self, paper_id: int) -> Annotation:
        """Move the reading status one step on, from the status as it is when written."""
        return self._update(paper_id, lambda cur: replace(cur, status=next_status(cur.status)))

    def set_star(self, paper_id: int, starred: bool) -> Annotation:
        """Star or unstar a paper."""
        return self._update(paper_id, lambda cur: replace(cur, starred=starred))

    def toggle_star(self, paper_id: int) -> Annotation:
        """Star an unstarred paper, unstar a starred one (as it is when written)."""
        return self._update(paper_id, lambda cur: replace(cur, starred=not cur.starred))

    def status_counts(self, hub_id: int) -> dict[str, int]:
        """How many of the hub's citing papers have each reading status (unset counts as unread)."""
        rows = self._rows(
            "SELECT coalesce(a.status, 'unread'), count(*) FROM citations c "
            "LEFT JOIN user_annotations a ON a.paper_id = c.citing_id WHERE c.cited_id = ? "
            "GROUP BY 1",
            (hub_id,),
        )
        return {s: 0 for s in STATUSES} | {r[0]: r[1] for r in rows}

    # -- hubs the user made ----------------------------------------------------

    def make_hub(self, paper_id: int) -> Hub:
        """Make a paper a hub (source "you"), one with citing papers in the library."""
        paper = self.paper(paper_id)
        n = self.count_citing(paper_id)
        if paper_id in self.hub_ids():
            raise ValueError(f"{paper.display_title!r} is already a hub")
        if n == 0:
            raise ValueError(
                f"no paper in the library cites {paper.display_title!r}: import its citing "
                "papers first (citetui fetch s2 ID, or a /citations page)"
            )
        with self.transaction() as db:
            db.conn.execute(
                "INSERT INTO hubs (paper_id, tier, verdict, source) VALUES (?, NULL, NULL, ?)",
                (paper_id, USER_SOURCE),
            )
        return self.hub(paper_id)

    def unmake_hub(self, paper_id: int) -> None:
        """Undo :meth:`make_hub` (a hub an import marked comes back with the next import of
        that file, so only the user's own are removed)."""
        hub = self.hub(paper_id)
        if hub.source != USER_SOURCE:
            raise ValueError(
                f"{hub.paper.display_title!r} was made a hub by {hub.source or 'an import'}, "
                "not by you: only the hubs you added can be removed"
            )
        with self.transaction() as db:
            db.conn.execute("DELETE FROM hubs WHERE paper_id = ?", (paper_id,))
            db.conn.execute("DELETE FROM hub_cache WHERE hub_id = ?", (paper_id,))

    # -- label overrides -------------------------------------------------------

    def label_overrides(self) -> list[LabelOverride]:
        """Every label the user set."""
        rows = self._rows(
            "SELECT citing_id, cited_id, kind, value, updated_at FROM user_labels "
            "ORDER BY citing_id, cited_id, kind"
        )
        return [LabelOverride(*r) for r in rows]

    def override_label(self, citing: int, cited: int, kind: str, values: Sequence[str]) -> None:
        """Set the user's role(s) or polarity of a citation; an empty ``values`` clears it."""
        if kind not in ("role", "polarity"):
            raise ValueError("kind is role or polarity")
        vocab = ROLES if kind == "role" else POLARITIES
        for v in values:
            if v not in vocab:
                raise ValueError(f"unknown {kind} {v!r} (expected one of {', '.join(vocab)})")
        if kind == "polarity" and len(values) > 1:
            raise ValueError("a citation has one polarity")
        if self.citation(citing, cited) is None:
            raise NotFound(f"paper {citing} does not cite paper {cited} in this library")
        with self.transaction() as db:
            conn = db.conn
            write_user_label(conn, citing, cited, kind, values, _now())
            forget_panes(conn)  # the summaries and representatives go by the effective labels

    def disagreements(self, hub_id: int | None = None) -> list[dict[str, Any]]:
        """Citations whose labels differ between sources (the user counts as a source)."""
        where = "WHERE cited_id = ?" if hub_id is not None else ""
        rows = self._rows(
            "SELECT citing_id, cited_id, kind, source, group_concat(value, ',') FROM "
            f"(SELECT * FROM labels {where} ORDER BY value) "
            "GROUP BY citing_id, cited_id, kind, source",
            (hub_id,) if hub_id is not None else (),
        )
        by_edge: dict[tuple[int, int, str], dict[str, str]] = {}
        for citing, cited, kind, source, values in rows:
            by_edge.setdefault((citing, cited, kind), {})[source] = values
        return [
            {"citing_id": k[0], "cited_id": k[1], "kind": k[2], "by_source": v}
            for k, v in sorted(by_edge.items())
            if len(set(v.values())) > 1
        ]
