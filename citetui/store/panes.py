"""The panes of a hub page that citetui computes from its citations: role and polarity
summaries, co-cited works and representative papers, kept in ``hub_cache``."""

from __future__ import annotations

import json
import sqlite3
from collections import Counter
from collections.abc import Sequence
from typing import Any

from citetui.core.models import Bar, CoCited, Paper, Summary
from citetui.core.vocab import ROLES
from citetui.store.connection import BUSY_TIMEOUT_MS
from citetui.store.explorer import ExplorerReads

PANES_VERSION = 1  # of the computed panes kept in hub_cache
# A hub with this many citing papers takes a noticeable time (about 0.1 s at 10k, 1.4 s at
# 175k) to compute its panes, so an import computes them ahead (compute_panes_ahead).
PANES_AHEAD_MIN = 10_000
_KEEP_PANES = "INSERT OR REPLACE INTO hub_cache (hub_id, payload) VALUES (?, ?)"


def _summary_data(s: Summary | None) -> dict[str, Any] | None:
    if s is None:
        return None
    return {
        "kind": s.kind,
        "bars": [[b.label, b.share, b.count] for b in s.bars],
        "provenance": s.provenance,
        "n": s.n,
        "source": s.source,
    }


def _summary_from(d: dict[str, Any] | None) -> Summary | None:
    if d is None:
        return None
    return Summary(
        d["kind"], tuple(Bar(*b) for b in d["bars"]), d["provenance"], n=d["n"], source=d["source"]
    )


REPRESENTATIVE_RULE = (
    "influential citations first (most cited first, up to half the list), then one paper per "
    "role in turn (a paper counts under its first role), each role going through its years "
    "newest first, taking the most cited paper of each year"
)
# Ties in the computed panes are broken by what a paper is (its identity text: normalised
# title, or summary when untitled; then its identifiers), never by row id alone, so the same
# papers imported in another order (an exported bundle imported again) give the same panes.
STABLE_TIES = (
    "p.norm_title IS NULL, p.norm_title, p.doi IS NULL, p.doi, p.arxiv IS NULL, "
    "p.arxiv, p.s2_id IS NULL, p.s2_id, p.openalex_id IS NULL, p.openalex_id, p.id"
)
# The tier of a hub whose source gave none: the first label whose threshold its citation


def forget_panes(conn: Any) -> None:
    """Empty the cache of computed hub panes (after a write that may change any of them:
    edges, labels, papers, merges). Cheap: the cache holds one row per hub opened."""
    conn.execute("DELETE FROM hub_cache")


class PaneReads(ExplorerReads):
    """Computed and recorded summaries, co-cited works, representatives (a layer of
    :class:`Library`)."""

    def computed_panes(self, hub_id: int) -> dict[str, Any]:
        """The hub's panes that take reading all its citations (computed role and polarity
        summaries, co-cited works, representative papers), as plain data.

        A hub of 100k+ citing papers takes seconds to compute them, so they are kept in
        ``hub_cache`` once computed; every write that can change them (an import or a
        fetched page that added or updated anything, a label override) empties the
        cache (:func:`forget_panes`). A read-only library, or one
        another process is writing to, computes them each time instead.
        """
        try:
            row = self._rows("SELECT payload FROM hub_cache WHERE hub_id = ?", (hub_id,))
        except sqlite3.OperationalError:  # no such table: a library opened before v5
            row = []
        if row:
            try:
                panes = json.loads(row[0][0])
                if isinstance(panes, dict) and panes.get("version") == PANES_VERSION:
                    return panes
            except ValueError:
                pass
        panes = self._compute_panes(hub_id)
        self._keep_panes(hub_id, json.dumps(panes))
        return panes

    def _compute_panes(self, hub_id: int) -> dict[str, Any]:
        summaries = self.computed_summaries(hub_id)
        return {
            "version": PANES_VERSION,
            "role": _summary_data(summaries["role"]),
            "polarity": _summary_data(summaries["polarity"]),
            "cocited": [list(r) for r in self._cocited_rows(hub_id, 20)],
            "representative": self._representative_ids(hub_id, 25),
            "recorded_representatives": self._has_recorded_representatives(hub_id),
        }

    def compute_panes_ahead(
        self,
        hub_ids: Sequence[int],
        *,
        min_citing: int | None = None,
    ) -> list[int]:
        """Compute and keep now the panes of those of ``hub_ids`` with ``min_citing``
        (default PANES_AHEAD_MIN) or more citing papers, so that opening one does not wait
        seconds for them. Call it inside the write transaction that changed the hubs (an
        import does, after its last write): the panes then commit with what they describe,
        or not at all. Returns the ids whose panes were computed, biggest hub first."""
        if not self.conn.in_transaction:
            raise RuntimeError("compute_panes_ahead runs inside a write transaction")
        least = PANES_AHEAD_MIN if min_citing is None else min_citing
        sizes = self._rows(
            "SELECT cited_id, count(*) AS n FROM citations WHERE cited_id IN "
            "(SELECT value FROM json_each(?)) GROUP BY cited_id HAVING n >= ? ORDER BY n DESC",
            (json.dumps(list(dict.fromkeys(hub_ids))), least),
        )
        for hub_id, _ in sizes:
            payload = json.dumps(self._compute_panes(hub_id))
            with self.lock:
                self.conn.execute(_KEEP_PANES, (hub_id, payload))
        return [r[0] for r in sizes]

    def _keep_panes(self, hub_id: int, payload: str) -> None:
        """Store computed panes if the library can be written at once (never waits)."""
        if self.readonly:
            return
        with self.lock:
            conn = self.conn
            if conn.in_transaction:  # inside a write of ours: it may still change them
                return
            try:
                conn.execute("PRAGMA busy_timeout = 0")
                conn.execute("BEGIN IMMEDIATE")
                conn.execute(_KEEP_PANES, (hub_id, payload))
                conn.execute("COMMIT")
            except sqlite3.Error:  # busy (an import is writing), read-only, full disk...
                if conn.in_transaction:
                    conn.execute("ROLLBACK")
            finally:
                conn.execute(f"PRAGMA busy_timeout = {BUSY_TIMEOUT_MS}")

    def _has_recorded_representatives(self, hub_id: int) -> bool:
        return bool(self._rows("SELECT 1 FROM representatives WHERE hub_id = ? LIMIT 1", (hub_id,)))

    def summary(self, hub_id: int, kind: str) -> Summary | None:
        """The hub's role or polarity summary: computed from labelled edges, else recorded."""
        computed = self.computed_summary(hub_id, kind)
        return computed if computed is not None else self.recorded_summary(hub_id, kind)

    def computed_summary(self, hub_id: int, kind: str) -> Summary | None:
        """The summary computed from the labels on the hub's citation edges (None if none)."""
        return self.computed_summaries(hub_id)[kind]

    def computed_summaries(self, hub_id: int) -> dict[str, Summary | None]:
        """Both computed summaries ("role", "polarity") from one pass over the hub's edges,
        counted by SQLite per distinct (roles, polarity): a mega hub has a few dozen."""
        rows = self._rows(
            "SELECT roles, polarity, count(*) FROM citations WHERE cited_id = ? "
            "GROUP BY roles, polarity",
            (hub_id,),
        )
        roles: Counter[str] = Counter()
        polarities: Counter[str] = Counter()
        n_roles = n_polarities = 0
        for labels, polarity, k in rows:
            if labels is not None:
                n_roles += k
                for r in labels.split(","):
                    if r:
                        roles[r] += k
            if polarity is not None:
                n_polarities += k
                polarities[polarity] += k
        return {
            "role": Summary.computed("role", roles, n_roles),
            "polarity": Summary.computed("polarity", polarities, n_polarities),
        }

    def recorded_summary(self, hub_id: int, kind: str) -> Summary | None:
        """The summary as a source recorded it (None if no source did)."""
        rows = self._rows(
            "SELECT label, share, count, source FROM recorded_summaries WHERE hub_id = ? AND "
            "kind = ? "
            "ORDER BY source, position",
            (hub_id, kind),
        )
        if not rows:
            return None
        source = rows[0][3]
        bars = tuple(Bar(r[0], r[1], r[2]) for r in rows if r[3] == source)
        return Summary(kind, bars, "recorded", source=source)

    def cocited(self, hub_id: int, limit: int = 20) -> list[CoCited]:
        """Works co-cited with the hub: recorded by a source, else computed from references."""
        rows = self._cocited_rows(hub_id, limit)
        papers = self.papers([r[0] for r in rows])
        return [CoCited(papers[r[0]], r[1], r[2]) for r in rows if r[0] in papers]

    def _cocited_rows(self, hub_id: int, limit: int) -> list[tuple[int, int | None, str]]:
        """(paper id, count, provenance) of the co-cited works."""
        rows = self._rows(
            "SELECT k.paper_id, k.count FROM cocited k JOIN papers p ON p.id = k.paper_id "
            f"WHERE k.hub_id = ? ORDER BY k.count IS NULL, k.count DESC, {STABLE_TIES} LIMIT ?",
            (hub_id, limit),
        )
        provenance = "recorded"
        if not rows:
            provenance = "computed"
            rows = self._rows(
                "SELECT o.cited_id, count(*) AS n FROM citations c "
                "JOIN citations o ON o.citing_id = c.citing_id AND o.cited_id != c.cited_id "
                "JOIN papers p ON p.id = o.cited_id "
                "WHERE c.cited_id = ? GROUP BY o.cited_id HAVING n >= 2 "
                "ORDER BY n DESC, p.title IS NULL, p.citation_count IS NULL, "
                f"p.citation_count DESC, {STABLE_TIES} LIMIT ?",
                (hub_id, limit),
            )
        return [(r[0], r[1], provenance) for r in rows]

    def representatives(self, hub_id: int, limit: int = 25) -> list[Paper]:
        """Representative citing papers: as a source listed them, else by REPRESENTATIVE_RULE."""
        ids = self._representative_ids(hub_id, limit)
        papers = self.papers(ids)
        return [papers[i] for i in ids if i in papers]

    def _representative_ids(self, hub_id: int, limit: int) -> list[int]:
        rows = self._rows(
            "SELECT paper_id FROM representatives WHERE hub_id = ? "
            "ORDER BY source, position LIMIT ?",
            (hub_id, limit),
        )
        return [r[0] for r in rows] or self._computed_representatives(hub_id, limit)

    def _computed_representatives(self, hub_id: int, limit: int) -> list[int]:
        """Representative citing papers by REPRESENTATIVE_RULE."""
        rows = self._rows(
            "SELECT p.id, c.influential, c.roles, p.year, p.citation_count FROM citations c "
            "JOIN papers p ON p.id = c.citing_id WHERE c.cited_id = ? "
            f"ORDER BY p.citation_count IS NULL, p.citation_count DESC, {STABLE_TIES}",
            (hub_id,),
        )
        chosen: list[int] = [r[0] for r in rows if r[1]][: limit // 2]
        taken = set(chosen)
        # role -> year -> paper ids, most cited first (the rows' order)
        by_role: dict[str, dict[int | None, list[int]]] = {}
        for pid, _, roles, year, _ in rows:
            first = next((r for r in (roles or "").split(",") if r), "unknown")
            by_role.setdefault(first, {}).setdefault(year, []).append(pid)

        def spread(years: dict[int | None, list[int]]) -> list[int]:
            order = sorted(years, key=lambda y: (y is None, -(y or 0)))
            out: list[int] = []
            for depth in range(max(len(v) for v in years.values())):
                out += [years[y][depth] for y in order if depth < len(years[y])]
            return out

        rank = {r: i for i, r in enumerate(ROLES)}
        queues = [spread(by_role[r]) for r in sorted(by_role, key=lambda r: rank.get(r, 99))]
        pos = [0] * len(queues)
        while len(chosen) < limit and any(p < len(q) for p, q in zip(pos, queues, strict=True)):
            for i, q in enumerate(queues):
                while pos[i] < len(q) and q[pos[i]] in taken:
                    pos[i] += 1
                if pos[i] < len(q) and len(chosen) < limit:
                    chosen.append(q[pos[i]])
                    taken.add(q[pos[i]])
        return chosen
