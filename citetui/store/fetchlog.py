"""Where an interrupted fetch stopped, read from the library's import log.

A fetch commits page by page; each page's transaction also writes a row to
``imports`` (format ``fetch:<source>``, path = the request URL) whose report
carries ``{"fetch": {"key": ..., "stage": ..., ...}}``: what to ask for next.
The page and its bookmark are committed together, so the bookmark never points
past data that is not in the library, nor before data that is.
"""

from __future__ import annotations

import json
from typing import Any

from citetui.store.analysis import AnalysisReads

FORMAT_PREFIX = "fetch:"


class FetchLog(AnalysisReads):
    """Where an interrupted fetch stopped, what it has left to ask (a layer of Library)."""

    def fetch_state(self, source: str, key: str) -> dict[str, Any] | None:
        """The bookmark the latest committed page of fetch ``key`` left, or None."""
        rows = self._rows(
            "SELECT report FROM imports WHERE format = ? ORDER BY id DESC",
            (FORMAT_PREFIX + source,),
        )
        for (report,) in rows:
            try:
                state = json.loads(report or "{}").get("fetch")
            except (ValueError, AttributeError):
                continue
            if isinstance(state, dict) and state.get("key") == key:
                return state
        return None

    def paper_by_ids(self, ids: dict[str, Any]) -> int | None:
        """The id of the paper with any of these identifiers (column -> value), or known by
        one as an alias (see schema._v9), or None."""
        for col in ("s2_id", "corpus_id", "openalex_id", "doi", "arxiv"):
            value = ids.get(col)
            if value is not None:
                rows = self._rows(
                    f"SELECT id FROM papers WHERE {col} = ? UNION ALL "
                    "SELECT paper_id FROM paper_aliases WHERE kind = ? AND value = ?",
                    (value, col, value),
                )
                if rows:
                    return int(rows[0][0])
        return None

    def citing_s2_ids_without_summary(self, hub_id: int, after: str, limit: int) -> list[str]:
        """Semantic Scholar ids of the hub's citing papers with no summary yet, after ``after``."""
        return [
            r[0]
            for r in self._rows(
                "SELECT p.s2_id FROM citations c JOIN papers p ON p.id = c.citing_id "
                "WHERE c.cited_id = ? AND p.s2_id IS NOT NULL AND p.s2_id > ? AND p.summary IS "
                "NULL "
                "ORDER BY p.s2_id LIMIT ?",
                (hub_id, after, limit),
            )
        ]

    def count_citing_s2_ids_without_summary(self, hub_id: int, after: str) -> int:
        """How many ids :func:`citing_s2_ids_without_summary` has left to give."""
        rows = self._rows(
            "SELECT count(*) FROM citations c JOIN papers p ON p.id = c.citing_id "
            "WHERE c.cited_id = ? AND p.s2_id IS NOT NULL AND p.s2_id > ? AND p.summary IS NULL",
            (hub_id, after),
        )
        return int(rows[0][0])
