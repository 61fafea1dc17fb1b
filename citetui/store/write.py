"""Writing imported records into a library: papers, citations, hub panes, the user's layer.

A :class:`Writer` is used inside one :meth:`Connection.transaction`, for one source (a
file, a fetched page); it counts what it added, updated and left unchanged so the import
can report it. Papers and citations go through :class:`~citetui.store.bulk.BulkWriter`
(``writer.bulk``), a batch at a time; ``upsert_paper`` and ``upsert_citation`` are a
batch of one through the same code. The hub's own panes (claims, summaries a source
recorded, co-cited and representative papers) and the user's layer a bundle carries are
one hub's worth of rows, written here one at a time.
"""

from __future__ import annotations

import json
from collections import Counter
from collections.abc import Sequence
from typing import Any

from citetui.core.models import CiteRecord, PaperRecord
from citetui.core.vocab import POLARITIES, ROLES
from citetui.store.bulk import BulkWriter
from citetui.store.identity import Identity, IndexIdentity
from citetui.store.labels import write_user_label
from citetui.store.merge import merge_papers


class Writer:
    """Writes records of one import, from one source, in the caller's transaction."""

    def __init__(
        self,
        db: Any,
        source: str,
        *,
        skip_invalid: bool = False,
        identity: Identity | None = None,
    ):
        self.db = db
        self.conn = db.conn
        self.source = source
        self.skip_invalid = skip_invalid
        self.identity = identity if identity is not None else IndexIdentity(self.conn)
        self.skipped: list[str] = []
        self.added: Counter[str] = Counter()
        self.updated: Counter[str] = Counter()
        self.unchanged: Counter[str] = Counter()
        self.hub_ids: list[int] = []
        self.contexts_net = 0  # context rows added less those removed
        self._bulk: BulkWriter | None = None

    @property
    def has_bulk(self) -> bool:
        """Whether records went through ``bulk`` (it counts them: ``bulk.records``)."""
        return self._bulk is not None

    @property
    def bulk(self) -> BulkWriter:
        """This source's batches of papers and citations."""
        if self._bulk is None:
            self._bulk = BulkWriter(self)
        return self._bulk

    def finish(self) -> None:
        """Write what is queued and settle the counts (the end of one source)."""
        if self._bulk is not None:
            self._bulk.flush()
            self._bulk.close()
        self.settle_counts()

    def settle_counts(self) -> None:
        """Make ``added["contexts"]`` what the import added in the end: an edge listed twice
        in one file with other contexts is replaced twice, and counting each replacement
        reported contexts added by an import that left the library as it was."""
        if self.contexts_net > 0:
            self.added["contexts"] = self.contexts_net
        else:
            self.added.pop("contexts", None)

    def bad_record(self, error: Exception) -> None:
        """Report an invalid input record: raise it, or with --skip-invalid note it and go on.

        Importers call this for a record they cannot import, then skip the record.
        """
        if not self.skip_invalid:
            raise error
        self.skipped.append(str(error))

    # -- papers and citations ----------------------------------------------------------

    def upsert_paper(self, paper: PaperRecord) -> int:
        """Add the paper or join the one it already is; return its id."""
        return self.bulk.write_one(paper)

    def upsert_citation(
        self,
        citing: int,
        cited: int,
        *,
        roles: Sequence[str] | None = None,
        polarity: str | None = None,
        influential: bool | None = None,
        contexts: Sequence[tuple[str, Sequence[str]]] | None = None,
        source: str | None = None,
    ) -> None:
        """Add or update the edge citing -> cited with labels from ``source``."""
        self.bulk.edge(
            citing, CiteRecord(cited, roles or (), polarity, influential, contexts or (), source)
        )
        self.bulk.flush()

    def find(self, paper: PaperRecord) -> int | None:
        """The library paper a record is, without writing (None: it would be a new one)."""
        self.bulk.flush()
        return self.bulk.find(paper)

    def cites(self, citing: int, cited: int) -> bool:
        """Whether the library holds the citation citing -> cited."""
        self.bulk.flush()
        return (
            self.conn.execute(
                "SELECT 1 FROM citations WHERE citing_id = ? AND cited_id = ?", (citing, cited)
            ).fetchone()
            is not None
        )

    def same_paper(self, a: PaperRecord, b: PaperRecord) -> bool:
        """Whether two references name one paper: a shared identifier, or both found in the
        library as the same paper. Unknown papers named by different ids are not the same."""
        a, b = a.normalised(), b.normalised()
        ids = ("doi", "arxiv", "s2_id", "corpus_id", "openalex_id")
        if any(getattr(a, c) is not None and getattr(a, c) == getattr(b, c) for c in ids):
            return True
        if not (a.has_ids() and b.has_ids()):
            return False
        found = self.find(a)
        return found is not None and found == self.find(b)

    def merge_papers(self, keep: int, drop: int) -> None:
        """Fold paper ``drop`` into ``keep``: join its fields, move every reference."""
        self.bulk.flush()
        merge_papers(self.conn, keep, drop)
        self.updated["merged papers"] += 1

    # -- hubs -------------------------------------------------------------

    def mark_hub(
        self, paper_id: int, *, tier: str | None = None, verdict: str | None = None
    ) -> None:
        """Mark a paper as a hub, filling in tier and verdict when given."""
        row = self.conn.execute(
            "SELECT tier, verdict FROM hubs WHERE paper_id = ?", (paper_id,)
        ).fetchone()
        if row is None:
            self.conn.execute(
                "INSERT INTO hubs (paper_id, tier, verdict, source) VALUES (?, ?, ?, ?)",
                (paper_id, tier, verdict, self.source),
            )
            self.added["hubs"] += 1
        else:
            new = (tier if tier is not None else row[0], verdict if verdict is not None else row[1])
            if new != tuple(row):
                self.conn.execute(
                    "UPDATE hubs SET tier = ?, verdict = ? WHERE paper_id = ?", (*new, paper_id)
                )
                self.updated["hubs"] += 1
            else:
                self.unchanged["hubs"] += 1
        if paper_id not in self.hub_ids:
            self.hub_ids.append(paper_id)

    def set_recorded_summary(self, hub_id: int, kind: str, bars: Sequence[dict[str, Any]]) -> None:
        """Replace the summary of ``kind`` that this source recorded for the hub."""
        vocab = ROLES if kind == "role" else POLARITIES
        rows = []
        for i, bar in enumerate(bars):
            if bar["label"] not in vocab:
                raise ValueError(f"unknown {kind} {bar['label']!r} in recorded summary")
            rows.append(
                (hub_id, kind, bar["label"], bar.get("share"), bar.get("count"), i, self.source)
            )
        old = self.conn.execute(
            "SELECT hub_id, kind, label, share, count, position, source FROM recorded_summaries "
            "WHERE hub_id=? AND kind=? AND source=? ORDER BY position",
            (hub_id, kind, self.source),
        ).fetchall()
        if [tuple(r) for r in old] == rows:
            return
        self.conn.execute(
            "DELETE FROM recorded_summaries WHERE hub_id=? AND kind=? AND source=?",
            (hub_id, kind, self.source),
        )
        self.conn.executemany(
            "INSERT INTO recorded_summaries (hub_id, kind, label, share, count, position, source) "
            "VALUES (?, ?, ?, ?, ?, ?, ?)",
            rows,
        )
        (self.updated if old else self.added)["recorded summaries"] += 1

    def add_claim(self, hub_id: int, position: int, text: str) -> int:
        """Add a claim of the hub (or find it by its text); return its id."""
        row = self.conn.execute(
            "SELECT id, position FROM claims WHERE hub_id = ? AND text = ?", (hub_id, text)
        ).fetchone()
        if row is not None:
            if row[1] != position:
                self.conn.execute("UPDATE claims SET position = ? WHERE id = ?", (position, row[0]))
                self.updated["claims"] += 1
            else:
                self.unchanged["claims"] += 1
            return int(row[0])
        cur = self.conn.execute(
            "INSERT INTO claims (hub_id, position, text, source) VALUES (?, ?, ?, ?)",
            (hub_id, position, text, self.source),
        )
        self.added["claims"] += 1
        return int(cur.lastrowid)

    def engage_claim(
        self, claim_id: int, paper_id: int, stance: str | None, context: str | None
    ) -> None:
        """Record that a citing paper engages a claim, with its stance."""
        stance = stance or "unknown"
        if stance not in POLARITIES:
            raise ValueError(f"unknown stance {stance!r} (expected one of {', '.join(POLARITIES)})")
        row = self.conn.execute(
            "SELECT stance, context FROM claim_engagements WHERE claim_id=? AND paper_id=?",
            (claim_id, paper_id),
        ).fetchone()
        if row is None:
            self.conn.execute(
                "INSERT INTO claim_engagements (claim_id, paper_id, stance, context, source) "
                "VALUES (?, ?, ?, ?, ?)",
                (claim_id, paper_id, stance, context, self.source),
            )
            self.added["claim engagements"] += 1
        elif tuple(row) != (stance, context if context is not None else row[1]):
            self.conn.execute(
                "UPDATE claim_engagements SET stance=?, context=COALESCE(?, context) "
                "WHERE claim_id=? AND paper_id=?",
                (stance, context, claim_id, paper_id),
            )
            self.updated["claim engagements"] += 1

    def add_cocited(self, hub_id: int, paper_id: int, count: int | None) -> None:
        """Record a work co-cited with the hub."""
        row = self.conn.execute(
            "SELECT count FROM cocited WHERE hub_id=? AND paper_id=?", (hub_id, paper_id)
        ).fetchone()
        if row is None:
            self.conn.execute(
                "INSERT INTO cocited (hub_id, paper_id, count, source) VALUES (?, ?, ?, ?)",
                (hub_id, paper_id, count, self.source),
            )
            self.added["co-cited works"] += 1
        elif count is not None and row[0] != count:
            self.conn.execute(
                "UPDATE cocited SET count=? WHERE hub_id=? AND paper_id=?",
                (count, hub_id, paper_id),
            )
            self.updated["co-cited works"] += 1

    def set_representatives(self, hub_id: int, paper_ids: Sequence[int]) -> None:
        """Replace this source's representative citing papers of the hub, in order."""
        seen: list[int] = []
        for pid in paper_ids:
            if pid not in seen:
                seen.append(pid)
        old = [
            r[0]
            for r in self.conn.execute(
                "SELECT paper_id FROM representatives WHERE hub_id=? AND source=? "
                "ORDER BY position",
                (hub_id, self.source),
            )
        ]
        if old == seen:
            return
        self.conn.execute(
            "DELETE FROM representatives WHERE hub_id=? AND source=?", (hub_id, self.source)
        )
        self.conn.executemany(
            "INSERT OR IGNORE INTO representatives (hub_id, paper_id, position, source) "
            "VALUES (?, ?, ?, ?)",
            [(hub_id, pid, i, self.source) for i, pid in enumerate(seen)],
        )
        (self.updated if old else self.added)["representative lists"] += 1

    # -- the user's layer, from a bundle that carries it ---------------------

    def restore_annotation(
        self,
        paper_id: int,
        *,
        starred: bool,
        status: str | None,
        tags: Sequence[str],
        note: str | None,
        updated_at: str | None,
    ) -> None:
        """The user's annotation of a paper, from an exported bundle, where the library has
        none: what the user wrote in this library is never overwritten."""
        cur = self.conn.execute(
            "INSERT INTO user_annotations (paper_id, starred, status, tags, note, updated_at) "
            "VALUES (?, ?, ?, ?, ?, ?) ON CONFLICT(paper_id) DO NOTHING",
            (paper_id, int(starred), status, json.dumps(list(tags)), note, updated_at),
        )
        (self.added if cur.rowcount else self.unchanged)["annotations"] += 1

    def restore_user_label(
        self, citing: int, cited: int, kind: str, values: Sequence[str], updated_at: str | None
    ) -> None:
        """A label override from an exported bundle, where the library has none for that
        citation and kind (the user's own override here wins)."""
        self.bulk.flush()
        written = write_user_label(
            self.conn, citing, cited, kind, values, updated_at, replace=False
        )
        self.identity.user_labels_changed()
        (self.added if written else self.unchanged)["label overrides"] += 1

    def record_import(
        self, path: str, fmt: str, sha256: str | None, report: dict[str, Any]
    ) -> None:
        """Remember the import in the library's log."""
        from datetime import UTC, datetime

        self.conn.execute(
            "INSERT INTO imports (path, format, sha256, imported_at, report) "
            "VALUES (?, ?, ?, ?, ?)",
            (
                path,
                fmt,
                sha256,
                datetime.now(UTC).isoformat(timespec="seconds"),
                json.dumps(report),
            ),
        )
