"""The panes of a hub page that citetui computes from its citations: role and polarity
summaries, co-cited works and representative papers, kept in ``hub_cache``."""

from __future__ import annotations

import json
import sqlite3
from collections import Counter
from collections.abc import Sequence
from typing import Any

from citetui.core import ids as idn
from citetui.core.models import Bar, CoCited, Paper, Summary
from citetui.core.summary import REPRESENTATIVE_RULE, VERSION_TITLE_WORDS, plural
from citetui.store.connection import BUSY_TIMEOUT_MS
from citetui.store.statements import StatementReads

PANES_VERSION = 2  # of the computed panes kept in hub_cache (2: coverage, versions, co-cited basis)
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


__all__ = ["REPRESENTATIVE_RULE", "PaneReads", "forget_panes", "version_keys"]
# Ties in the computed panes are broken by what a paper is (its identity text: normalised
# title, or summary when untitled; then its identifiers), never by row id alone, so the same
# papers imported in another order (an exported bundle imported again) give the same panes.
STABLE_TIES = (
    "p.norm_title IS NULL, p.norm_title, p.doi IS NULL, p.doi, p.arxiv IS NULL, "
    "p.arxiv, p.s2_id IS NULL, p.s2_id, p.openalex_id IS NULL, p.openalex_id, p.id"
)


def kept_panes(payload: str) -> dict[str, Any] | None:
    """A hub_cache payload, if it holds panes of this PANES_VERSION."""
    try:
        panes = json.loads(payload)
    except ValueError:
        return None
    if isinstance(panes, dict) and panes.get("version") == PANES_VERSION:
        return panes
    return None


def forget_panes(conn: Any) -> None:
    """Empty the cache of computed hub panes (after a write that may change any of them:
    edges, labels, papers, merges). Cheap: the cache holds one row per hub opened."""
    conn.execute("DELETE FROM hub_cache")


class PaneReads(StatementReads):
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
        cached = self._cached_panes(hub_id)
        if cached is not None:
            return cached
        panes = self._compute_panes(hub_id)
        self._keep_panes(hub_id, json.dumps(panes))
        return panes

    def _cached_panes(self, hub_id: int) -> dict[str, Any] | None:
        """The hub's panes as kept in hub_cache (None: not kept, or by another version)."""
        try:
            row = self._rows("SELECT payload FROM hub_cache WHERE hub_id = ?", (hub_id,))
        except sqlite3.OperationalError:  # no such table: a library opened before v5
            return None
        return kept_panes(row[0][0]) if row else None

    def _compute_panes(self, hub_id: int) -> dict[str, Any]:
        summaries, columns = self._label_pass(hub_id)
        cocited, basis = self._cocited_rows(hub_id, 20)
        return {
            "version": PANES_VERSION,
            "role": _summary_data(summaries["role"]),
            "polarity": _summary_data(summaries["polarity"]),
            "columns": columns | self._some_papers_have(hub_id),
            "yours": self.labelled_by_user(hub_id),
            "cocited": [list(r) for r in cocited],
            "cocited_basis": basis,
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
        """Both computed summaries ("role", "polarity") from one pass over the hub's edges."""
        return self._label_pass(hub_id)[0]

    def column_counts(self, hub_id: int) -> dict[str, int]:
        """What the explorer's columns would hold: how many of the hub's citations carry a
        year, a role, a polarity or the influential flag, and 1 or 0 for whether some
        citing paper has a venue or a citation count (kept with the panes; else read: a
        pass over the hub's citations, ~0.3 s at 175k)."""
        cached = self._cached_panes(hub_id)
        if cached is not None and "columns" in cached:
            return dict(cached["columns"])
        return self._label_pass(hub_id)[1] | self._some_papers_have(hub_id)

    def _some_papers_have(self, hub_id: int) -> dict[str, int]:
        """1 when some citing paper has a venue (a citation count), else 0: read until one
        is found."""

        def some(column: str) -> int:
            sql = (
                "SELECT 1 FROM citations c JOIN papers p ON p.id = c.citing_id "
                f"WHERE c.cited_id = ? AND p.{column} IS NOT NULL LIMIT 1"
            )
            return int(bool(self._rows(sql, (hub_id,))))

        return {"venue": some("venue"), "citations": some("citation_count")}

    def _label_pass(self, hub_id: int) -> tuple[dict[str, Summary | None], dict[str, int]]:
        """Both computed summaries, and how many citations carry a year, a role, a polarity
        and the influential flag, from one pass over the hub's edges counted by SQLite per
        distinct (roles, polarity): a mega hub has a few dozen."""
        rows = self._rows(
            "SELECT roles, polarity, count(*), count(citing_year), "
            "coalesce(sum(influential = 1), 0) FROM citations WHERE cited_id = ? "
            "GROUP BY roles, polarity",
            (hub_id,),
        )
        roles: Counter[str] = Counter()
        polarities: Counter[str] = Counter()
        n_roles = n_polarities = 0
        columns = {"rows": 0, "year": 0, "influential": 0}
        for labels, polarity, k, dated, influential in rows:
            columns["rows"] += k
            columns["year"] += dated
            columns["influential"] += influential
            if labels is not None:
                n_roles += k
                for r in labels.split(","):
                    if r:
                        roles[r] += k
            if polarity is not None:
                n_polarities += k
                polarities[polarity] += k
        summaries = {
            "role": Summary.computed("role", roles, n_roles),
            "polarity": Summary.computed("polarity", polarities, n_polarities),
        }
        return summaries, columns | {"role": n_roles, "polarity": n_polarities}

    def labelled_by_user(self, hub_id: int) -> dict[str, int]:
        """How many of the hub's citations the user labelled, by kind ("role", "polarity")."""
        rows = self._rows(
            "SELECT kind, count(*) FROM user_labels WHERE cited_id = ? GROUP BY kind", (hub_id,)
        )
        return {"role": 0, "polarity": 0} | {k: n for k, n in rows}

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
        rows, _basis = self._cocited_rows(hub_id, limit)
        papers = self.papers([r[0] for r in rows])
        return [CoCited(papers[r[0]], r[1], r[2]) for r in rows if r[0] in papers]

    def _cocited_rows(
        self, hub_id: int, limit: int
    ) -> tuple[list[tuple[int, int | None, str]], str]:
        """(paper id, count, provenance) of the co-cited works, and what they come from:
        "recorded by SOURCE", or the citing papers whose references they were counted in."""
        rows = self._rows(
            "SELECT k.paper_id, k.count, k.source FROM cocited k "
            "JOIN papers p ON p.id = k.paper_id "
            f"WHERE k.hub_id = ? ORDER BY k.count IS NULL, k.count DESC, {STABLE_TIES} LIMIT ?",
            (hub_id, limit),
        )
        if rows:
            sources = sorted({r[2] for r in rows if r[2]})
            basis = "recorded by " + ", ".join(sources) if sources else "recorded by a source"
            return [(r[0], r[1], "recorded") for r in rows], basis
        # The citing papers whose references are in the library (one probe of the citations'
        # key per citing paper): with one, each of its references is co-cited once.
        k = self._rows(
            "SELECT count(*) FROM citations c WHERE c.cited_id = ? AND EXISTS (SELECT 1 FROM "
            "citations o WHERE o.citing_id = c.citing_id AND o.cited_id != c.cited_id)",
            (hub_id,),
        )[0][0]
        basis = (
            f"computed from the references of {plural(k, 'citing paper')} in the library"
            + (": works two or more of them cite" if k > 1 else "")
            if k
            else "computed: no citing paper's references are in the library"
        )
        computed = self._rows(
            "SELECT o.cited_id, count(*) AS n FROM citations c "
            "JOIN citations o ON o.citing_id = c.citing_id AND o.cited_id != c.cited_id "
            "JOIN papers p ON p.id = o.cited_id "
            "WHERE c.cited_id = ? GROUP BY o.cited_id HAVING n >= ? "
            "ORDER BY n DESC, p.title IS NULL, p.citation_count IS NULL, "
            f"p.citation_count DESC, {STABLE_TIES} LIMIT ?",
            # cited together by two citing papers, or by the one whose references are here
            (hub_id, min(2, max(k, 1)), limit),
        )
        return [(r[0], r[1], "computed") for r in computed], basis

    def representatives(self, hub_id: int, limit: int = 25) -> list[Paper]:
        """Representative citing papers: as a source listed them, else by REPRESENTATIVE_RULE
        (core.summary)."""
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
        """Representative citing papers by REPRESENTATIVE_RULE, read in that order a chunk
        at a time (the first chunk nearly always holds them: a hub of 175k citing papers is
        not read whole)."""
        order = (
            "coalesce(c.influential, 0) DESC, p.citation_count IS NULL, p.citation_count DESC, "
            f"p.year IS NULL, p.year DESC, {STABLE_TIES}"
        )
        chosen: list[int] = []
        seen: set[str] = set()
        offset, chunk = 0, max(200, limit * 8)
        while len(chosen) < limit:
            rows = self._rows(
                "SELECT p.id, p.doi, p.arxiv, p.norm_title FROM citations c "
                f"JOIN papers p ON p.id = c.citing_id WHERE c.cited_id = ? ORDER BY {order} "
                "LIMIT ? OFFSET ?",
                (hub_id, chunk, offset),
            )
            for pid, doi, arxiv, norm in rows:
                keys = version_keys(doi, arxiv, norm)
                if not keys & seen:
                    chosen.append(pid)
                seen |= keys
                if len(chosen) == limit:
                    break
            if len(rows) < chunk:
                break
            offset += chunk
        return chosen


def version_keys(doi: str | None, arxiv: str | None, norm_title: str | None) -> set[str]:
    """What two versions of one paper (a preprint and its publication) share: a DOI, an
    arXiv id (also hidden in an arXiv DOI), or a title of VERSION_TITLE_WORDS words or more."""
    keys = set()
    if doi:
        keys.add("doi:" + doi)
        arxiv = arxiv or idn.arxiv_from_doi(doi)
    if arxiv:
        keys.add("arxiv:" + arxiv)
    if norm_title and len(norm_title.split()) >= VERSION_TITLE_WORDS:
        keys.add("title:" + norm_title)
    return keys
