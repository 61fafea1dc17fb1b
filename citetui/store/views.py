"""Saved views (a named search + filters + sort, optionally on a number key) and the
query history, kept across sessions in the library."""

from __future__ import annotations

from datetime import UTC, datetime

from citetui.core.models import HistoryEntry, SavedView
from citetui.core.vocab import COLUMNS, parse_columns, parse_sort
from citetui.store.user import UserLayer

HISTORY_LIMIT = 1000


def _columns(stored: str | None) -> tuple[str, ...] | None:
    """Columns as stored, read leniently (a column a later version dropped is left out)."""
    if stored is None:
        return None
    return tuple(c for c in (x.strip() for x in stored.split(",")) if c in COLUMNS)


def _now() -> str:
    return datetime.now(UTC).isoformat(timespec="microseconds")


class SavedViews(UserLayer):
    """Saved views and the query history (a layer of :class:`Library`)."""

    def save_view(
        self,
        name: str,
        query: str,
        *,
        hub_id: int | None = None,
        sort: str = "relevance",
        slot: int | None = None,
        columns: tuple[str, ...] | None = None,
    ) -> SavedView:
        """Save (or replace) a view; a slot 1-9 is taken from any view that held it."""
        name = name.strip()
        if not name:
            raise ValueError("a saved view needs a name")
        parse_sort(sort)
        stored = None if columns is None else ",".join(columns)
        columns = parse_columns(stored)
        if slot is not None and not 1 <= slot <= 9:
            raise ValueError("a view's slot is a number key from 1 to 9")
        if hub_id is not None:
            self.hub(hub_id)
        view = SavedView(name, hub_id, query, sort, slot, _now(), columns)
        with self.transaction() as db:
            if slot is not None:
                db.conn.execute("UPDATE saved_views SET slot = NULL WHERE slot = ?", (slot,))
            db.conn.execute(
                "INSERT OR REPLACE INTO saved_views "
                "(name, hub_id, query, sort, slot, created_at, columns) "
                "VALUES (?, ?, ?, ?, ?, ?, ?)",
                (view.name, hub_id, query, sort, slot, view.created_at, stored),
            )
        return view

    def saved_views(self) -> list[SavedView]:
        """Every saved view, by slot then name."""
        rows = self._rows(
            "SELECT name, hub_id, query, sort, slot, created_at, columns FROM saved_views "
            "ORDER BY slot IS NULL, slot, name COLLATE NOCASE"
        )
        return [SavedView(r[0], r[1], r[2], r[3], r[4], r[5], _columns(r[6])) for r in rows]

    def hub_columns(self, hub_id: int) -> tuple[str, ...] | None:
        """The explorer columns the user chose for this hub (None: not chosen)."""
        rows = self._rows("SELECT columns FROM hub_prefs WHERE hub_id = ?", (hub_id,))
        return _columns(rows[0][0]) if rows else None

    def set_hub_columns(self, hub_id: int, columns: tuple[str, ...] | None) -> None:
        """Keep the explorer columns chosen for this hub (None: choose by the rows again)."""
        stored = None if columns is None else ",".join(parse_columns(",".join(columns)) or ())
        with self.transaction() as db:
            if stored is None:
                db.conn.execute("DELETE FROM hub_prefs WHERE hub_id = ?", (hub_id,))
            else:
                db.conn.execute(
                    "INSERT OR REPLACE INTO hub_prefs (hub_id, columns) VALUES (?, ?)",
                    (hub_id, stored),
                )

    def view_in_slot(self, slot: int) -> SavedView | None:
        """The view on number key ``slot``, if any."""
        return next((v for v in self.saved_views() if v.slot == slot), None)

    def delete_view(self, name: str) -> bool:
        """Delete a saved view; whether it existed."""
        with self.transaction() as db:
            cur = db.conn.execute("DELETE FROM saved_views WHERE name = ?", (name,))
        return cur.rowcount > 0

    def remember_query(self, query: str, hub_id: int | None = None) -> None:
        """Add a query to the history (or bump it); the oldest beyond HISTORY_LIMIT are dropped."""
        query = query.strip()
        if not query or self.readonly:
            return
        with self.transaction() as db:
            db.conn.execute(
                "INSERT INTO query_history (hub_id, query, uses, used_at) VALUES (?, ?, 1, ?) "
                "ON CONFLICT(coalesce(hub_id, -1), query) DO UPDATE SET uses = uses + 1, "
                "used_at = excluded.used_at",
                (hub_id, query, _now()),
            )
            db.conn.execute(
                "DELETE FROM query_history WHERE id NOT IN "
                "(SELECT id FROM query_history ORDER BY used_at DESC, id DESC LIMIT ?)",
                (HISTORY_LIMIT,),
            )

    def query_history(self, search: str | None = None, *, limit: int = 50) -> list[HistoryEntry]:
        """Recent queries, newest first; with ``search``, fuzzy-filtered and best first."""
        rows = self._rows(
            "SELECT hub_id, query, uses, used_at FROM query_history ORDER BY used_at DESC, id DESC"
        )
        entries = [HistoryEntry(*r) for r in rows]
        if search:
            from rapidfuzz import fuzz, process, utils

            found = process.extract(
                search,
                [e.query for e in entries],
                scorer=fuzz.WRatio,
                processor=utils.default_process,
                limit=limit,
                score_cutoff=60,
            )
            return [entries[i] for _, _, i in found]
        return entries[:limit]
