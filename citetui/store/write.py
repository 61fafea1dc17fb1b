"""Writing imported records into a library: paper identity, merging, edges and hub panes.

A :class:`Writer` is used inside one :meth:`Connection.transaction`; it counts
what it added, updated and left unchanged so the import can report it.
"""

from __future__ import annotations

import json
from collections import Counter
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from typing import Any

from citetui.core import ids as idn
from citetui.core.vocab import POLARITIES, ROLES
from citetui.store.schema import PAPER_REFERENCES

PAPER_FIELDS = (
    "title",
    "year",
    "venue",
    "abstract",
    "summary",
    "summary_source",
    "url",
    "citation_count",
    "doi",
    "arxiv",
    "s2_id",
    "corpus_id",
    "openalex_id",
)
ID_COLUMNS = ("doi", "arxiv", "s2_id", "corpus_id", "openalex_id")
USER_SOURCE = "you"  # the provenance of labels the user set


@dataclass
class PaperIn:
    """A paper as an importer read it, before it meets the library."""

    title: str | None = None
    year: int | None = None
    venue: str | None = None
    abstract: str | None = None
    summary: str | None = None
    summary_source: str | None = None
    url: str | None = None
    citation_count: int | None = None
    doi: str | None = None
    arxiv: str | None = None
    s2_id: str | None = None
    corpus_id: int | None = None
    openalex_id: str | None = None
    authors: list[str] = field(default_factory=list)

    def normalised(self) -> PaperIn:
        """A copy with identifiers in canonical form and blank strings as None."""
        vals = {k: getattr(self, k) for k in PAPER_FIELDS}
        for k, v in vals.items():
            if isinstance(v, str) and not v.strip():
                vals[k] = None
        vals["doi"] = idn.norm_doi(vals["doi"])
        vals["arxiv"] = idn.norm_arxiv(vals["arxiv"]) or idn.arxiv_from_doi(vals["doi"])
        vals["s2_id"] = idn.norm_s2(vals["s2_id"])
        vals["corpus_id"] = idn.norm_corpus_id(vals["corpus_id"])
        vals["openalex_id"] = idn.norm_openalex(vals["openalex_id"])
        authors = [a.strip() for a in self.authors if isinstance(a, str) and a.strip()]
        return PaperIn(**vals, authors=authors)

    def has_ids(self) -> bool:
        """Whether any identifier is known."""
        return any(getattr(self, c) is not None for c in ID_COLUMNS)


def identity_text(title: str | None, summary: str | None) -> str | None:
    """The text a paper without identifiers is known by: its normalised title, or for an
    untitled paper (a hub page may give only a summary) '~' + its normalised summary."""
    if title:
        return idn.norm_title(title)
    norm = idn.norm_title(summary)
    return "~" + norm if norm else None


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


class Writer:
    """Writes records of one import, from one source, in the caller's transaction."""

    def __init__(self, db: Any, source: str, *, skip_invalid: bool = False):
        self.db = db
        self.conn = db.conn
        self.source = source
        self.skip_invalid = skip_invalid
        self.skipped: list[str] = []
        self.added: Counter[str] = Counter()
        self.updated: Counter[str] = Counter()
        self.unchanged: Counter[str] = Counter()
        self.hub_ids: list[int] = []
        self._contexts_at_start = self._count_contexts()

    def _count_contexts(self) -> int:
        return int(self.conn.execute("SELECT count(*) FROM contexts").fetchone()[0])

    def settle_counts(self) -> None:
        """Make ``added["contexts"]`` what the import added in the end: an edge listed twice
        in one file with other contexts is replaced twice, and counting each replacement
        reported contexts added by an import that left the library as it was."""
        net = self._count_contexts() - self._contexts_at_start
        if net > 0:
            self.added["contexts"] = net
        else:
            self.added.pop("contexts", None)

    def bad_record(self, error: Exception) -> None:
        """Report an invalid input record: raise it, or with --skip-invalid note it and go on.

        Importers call this for a record they cannot import, then skip the record.
        """
        if not self.skip_invalid:
            raise error
        self.skipped.append(str(error))

    # -- papers -----------------------------------------------------------

    def _find(self, p: PaperIn) -> list[int]:
        clauses, params = [], []
        for col in ID_COLUMNS:
            val = getattr(p, col)
            if val is not None:
                clauses.append(f"{col} = ?")
                params.append(val)
        found: list[int] = []
        if clauses:
            sql = f"SELECT id FROM papers WHERE {' OR '.join(clauses)} ORDER BY id"
            found = [r[0] for r in self.conn.execute(sql, params)]
        if found:
            return found
        nt = identity_text(p.title, p.summary)
        if nt is None:
            return []
        # Without a shared identifier, the same paper is the same normalised title, the
        # same year and the same first author's surname, all three (a missing one matches
        # only a missing one), and no identifier of one kind that differs: two editions,
        # a preprint and its review, or two books called "... for Engineers" stay apart.
        rows = self.conn.execute(
            "SELECT id, year, authors, doi, arxiv, s2_id, corpus_id, openalex_id FROM papers "
            "WHERE norm_title = ? AND year IS ? ORDER BY id",
            (nt, p.year),
        ).fetchall()
        first = idn.author_key(p.authors)
        for row in rows:
            if idn.author_key(json.loads(row[2]) if row[2] else None) != first:
                continue
            theirs = dict(zip(ID_COLUMNS, row[3:], strict=True))
            if any(
                theirs[c] is not None and getattr(p, c) is not None and theirs[c] != getattr(p, c)
                for c in ID_COLUMNS
            ):
                continue
            return [row[0]]
        return []

    def cites(self, citing: int, cited: int) -> bool:
        """Whether the library holds the citation citing -> cited."""
        return (
            self.conn.execute(
                "SELECT 1 FROM citations WHERE citing_id = ? AND cited_id = ?", (citing, cited)
            ).fetchone()
            is not None
        )

    def same_paper(self, a: PaperIn, b: PaperIn) -> bool:
        """Whether two references name one paper: a shared identifier, or both found in the
        library as the same paper. Unknown papers named by different ids are not the same."""
        a, b = a.normalised(), b.normalised()
        if any(getattr(a, c) is not None and getattr(a, c) == getattr(b, c) for c in ID_COLUMNS):
            return True
        if not (a.has_ids() and b.has_ids()):
            return False
        found_a, found_b = self._find(a), self._find(b)
        return bool(found_a) and found_a[:1] == found_b[:1]

    def upsert_paper(self, paper: PaperIn) -> int:
        """Add the paper or fill in the one it already is; return its id."""
        p = paper.normalised()
        if p.title is None and p.summary is None and not p.has_ids():
            raise ValueError("a paper needs a title, a summary or an identifier")
        found = self._find(p)
        if not found:
            row = {k: getattr(p, k) for k in PAPER_FIELDS}
            row["norm_title"] = identity_text(p.title, p.summary)
            row["authors"] = json.dumps(p.authors, ensure_ascii=False) if p.authors else None
            row["source"] = self.source
            cols = ", ".join(row)
            marks = ", ".join("?" for _ in row)
            cur = self.conn.execute(
                f"INSERT INTO papers ({cols}) VALUES ({marks})", list(row.values())
            )
            self.added["papers"] += 1
            return int(cur.lastrowid)
        keep = found[0]
        for other in found[1:]:
            self.merge_papers(keep, other)
        self._fill(keep, p)
        return keep

    def _fill(self, pid: int, p: PaperIn) -> None:
        cur = self.conn.execute(
            f"SELECT {', '.join(PAPER_FIELDS)}, authors, source FROM papers WHERE id = ?", (pid,)
        )
        *values, first_source = cur.fetchone()
        existing = dict(zip([*PAPER_FIELDS, "authors"], values, strict=True))
        # Another source only fills in what the paper lacks: were it to overwrite, importing
        # two sources that spell a paper differently would change it back and forth on every
        # re-import. The source that added the paper may correct its own values.
        own = first_source is None or first_source == self.source
        changes: dict[str, Any] = {}
        for k in PAPER_FIELDS:
            new = getattr(p, k)
            if new is None or new == existing[k]:
                continue
            if k in ID_COLUMNS and existing[k] is not None:
                continue  # never rewrite an identifier the paper already has
            if not own and existing[k] is not None and k != "citation_count":
                continue
            if k == "citation_count" and existing[k] is not None and new < existing[k]:
                continue  # counts only grow; an older snapshot does not shrink them
            if k in ID_COLUMNS and self._id_taken(k, new, pid):
                continue
            changes[k] = new
        if p.authors and (own or existing["authors"] is None):
            authors = json.dumps(p.authors, ensure_ascii=False)
            if authors != existing["authors"]:
                changes["authors"] = authors
        if "title" in changes:
            changes["norm_title"] = identity_text(changes["title"], None)
        if changes:
            sets = ", ".join(f"{k} = ?" for k in changes)
            self.conn.execute(f"UPDATE papers SET {sets} WHERE id = ?", [*changes.values(), pid])
            self.updated["papers"] += 1
        else:
            self.unchanged["papers"] += 1

    def _id_taken(self, col: str, value: Any, pid: int) -> bool:
        row = self.conn.execute(f"SELECT id FROM papers WHERE {col} = ? AND id != ?", (value, pid))
        return row.fetchone() is not None

    def merge_papers(self, keep: int, drop: int) -> None:
        """Fold paper ``drop`` into ``keep``: fill its fields, move every reference."""
        row = self.conn.execute(
            f"SELECT {', '.join(PAPER_FIELDS)}, authors FROM papers WHERE id = ?", (drop,)
        ).fetchone()
        dropped = dict(zip([*PAPER_FIELDS, "authors"], row, strict=True))
        ids = {c: dropped.pop(c) for c in ID_COLUMNS}
        self.conn.execute(
            f"UPDATE papers SET {', '.join(f'{c} = NULL' for c in ID_COLUMNS)} WHERE id = ?",
            (drop,),
        )
        self._merge_annotations(keep, drop)
        self._merge_user_labels(keep, drop)
        for table, col in PAPER_REFERENCES:
            self.conn.execute(
                f"UPDATE OR IGNORE {table} SET {col} = ? WHERE {col} = ?", (keep, drop)
            )
            self.conn.execute(f"DELETE FROM {table} WHERE {col} = ?", (drop,))
        self._restore_user_labels(keep)
        self.conn.execute("DELETE FROM papers WHERE id = ?", (drop,))
        fill = {c: v for c, v in {**dropped, **ids}.items() if v is not None}
        current = self.conn.execute(
            f"SELECT {', '.join(fill) or 'id'} FROM papers WHERE id = ?", (keep,)
        ).fetchone()
        sets = {c: v for (c, v), cur in zip(fill.items(), current, strict=False) if cur is None}
        if "title" in sets:
            sets["norm_title"] = idn.norm_title(sets["title"])
        if sets:
            self.conn.execute(
                f"UPDATE papers SET {', '.join(f'{c} = ?' for c in sets)} WHERE id = ?",
                [*sets.values(), keep],
            )
        self.updated["merged papers"] += 1

    def _merge_annotations(self, keep: int, drop: int) -> None:
        """Both records of a merged paper may carry the user's notes: keep all of them."""
        rows = {
            r[0]: r
            for r in self.conn.execute(
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
        self.conn.execute(
            "UPDATE user_annotations SET starred = ?, status = ?, tags = ?, note = ?, "
            "updated_at = max(coalesce(updated_at, ''), ?) WHERE paper_id = ?",
            (max(k[1] or 0, d[1] or 0), k[2] or d[2], json.dumps(tags), notes, d[5] or "", keep),
        )
        self.conn.execute("DELETE FROM user_annotations WHERE paper_id = ?", (drop,))

    def _merge_user_labels(self, keep: int, drop: int) -> None:
        """Where both records carry the user's label of one citation (and kind), keep the
        newer: the reference update would otherwise keep one at random in user_labels and
        both in labels, and the views that read either would disagree."""
        rows = self.conn.execute(
            "SELECT citing_id, cited_id, kind, updated_at FROM user_labels "
            "WHERE citing_id = ? OR cited_id = ?",
            (drop, drop),
        ).fetchall()
        for citing, cited, kind, when in rows:
            to = (keep if citing == drop else citing, keep if cited == drop else cited)
            if to[0] == to[1]:
                continue  # the edge between the two records goes with the merge
            theirs = self.conn.execute(
                "SELECT updated_at FROM user_labels WHERE citing_id=? AND cited_id=? AND kind=?",
                (*to, kind),
            ).fetchone()
            if theirs is None:
                continue
            loser = (citing, cited) if (when or "") <= (theirs[0] or "") else to
            self.conn.execute(
                "DELETE FROM user_labels WHERE citing_id=? AND cited_id=? AND kind=?",
                (*loser, kind),
            )

    def _restore_user_labels(self, paper_id: int) -> None:
        """Make the 'you' labels and the effective labels of the paper's citations follow
        user_labels again, after a merge moved both."""
        edges = self.conn.execute(
            "SELECT DISTINCT citing_id, cited_id FROM labels WHERE source = ? AND "
            "(citing_id = ? OR cited_id = ?) UNION SELECT citing_id, cited_id FROM user_labels "
            "WHERE citing_id = ? OR cited_id = ?",
            (USER_SOURCE, paper_id, paper_id, paper_id, paper_id),
        ).fetchall()
        for citing, cited in edges:
            self.conn.execute(
                "DELETE FROM labels WHERE citing_id=? AND cited_id=? AND source=?",
                (citing, cited, USER_SOURCE),
            )
            for kind, value in self.conn.execute(
                "SELECT kind, value FROM user_labels WHERE citing_id=? AND cited_id=?",
                (citing, cited),
            ).fetchall():
                self.conn.executemany(
                    "INSERT OR IGNORE INTO labels (citing_id, cited_id, kind, value, source) "
                    "VALUES (?, ?, ?, ?, ?)",
                    [(citing, cited, kind, v, USER_SOURCE) for v in value.split(",") if v],
                )
            refresh_effective(self.conn, citing, cited)

    # -- citations --------------------------------------------------------

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
        source = source or self.source
        roles = [r for r in (roles or []) if r]
        for r in roles:
            if r not in ROLES:
                raise ValueError(f"unknown role {r!r} (expected one of {', '.join(ROLES)})")
        if polarity is not None and polarity not in POLARITIES:
            raise ValueError(
                f"unknown polarity {polarity!r} (expected one of {', '.join(POLARITIES)})"
            )
        existing = self.conn.execute(
            "SELECT roles, polarity, influential FROM citations "
            "WHERE citing_id = ? AND cited_id = ?",
            (citing, cited),
        ).fetchone()
        infl = None if influential is None else int(bool(influential))
        changed = False
        if existing is None:
            self.conn.execute(
                "INSERT INTO citations (citing_id, cited_id, roles, polarity, influential, source) "
                "VALUES (?, ?, ?, ?, ?, ?)",
                (citing, cited, roles_column(roles), polarity, infl, source),
            )
            self.added["citations"] += 1
        else:
            new = {
                "roles": roles_column(roles) if roles else existing[0],
                "polarity": polarity if polarity is not None else existing[1],
                "influential": infl if infl is not None else existing[2],
            }
            if tuple(new.values()) != tuple(existing):
                self.conn.execute(
                    "UPDATE citations SET roles = ?, polarity = ?, influential = ? "
                    "WHERE citing_id = ? AND cited_id = ?",
                    (*new.values(), citing, cited),
                )
                changed = True
        labels_changed = False
        if roles:
            labels_changed |= self._replace_labels(citing, cited, "role", roles, source)
        if polarity is not None:
            labels_changed |= self._replace_labels(citing, cited, "polarity", [polarity], source)
        if contexts:
            labels_changed |= self._replace_contexts(citing, cited, contexts, source)
        changed |= labels_changed
        if (roles or polarity is not None) and self.conn.execute(
            "SELECT 1 FROM user_labels WHERE citing_id = ? AND cited_id = ?", (citing, cited)
        ).fetchone():
            refresh_effective(self.conn, citing, cited)  # the user's labels stay in force
            if existing is not None and changed:
                # the edge as the user sees it may be just as it was (their labels won)
                final = self.conn.execute(
                    "SELECT roles, polarity, influential FROM citations "
                    "WHERE citing_id = ? AND cited_id = ?",
                    (citing, cited),
                ).fetchone()
                changed = tuple(final) != tuple(existing) or labels_changed
        if existing is not None:
            (self.updated if changed else self.unchanged)["citations"] += 1

    def _replace_labels(
        self, citing: int, cited: int, kind: str, values: Sequence[str], source: str
    ) -> bool:
        old = {
            r[0]
            for r in self.conn.execute(
                "SELECT value FROM labels WHERE citing_id=? AND cited_id=? AND kind=? AND source=?",
                (citing, cited, kind, source),
            )
        }
        if old == set(values):
            return False
        self.conn.execute(
            "DELETE FROM labels WHERE citing_id=? AND cited_id=? AND kind=? AND source=?",
            (citing, cited, kind, source),
        )
        self.conn.executemany(
            "INSERT INTO labels (citing_id, cited_id, kind, value, source) VALUES (?, ?, ?, ?, ?)",
            [(citing, cited, kind, v, source) for v in sorted(set(values))],
        )
        return True

    def _replace_contexts(
        self, citing: int, cited: int, contexts: Sequence[tuple[str, Sequence[str]]], source: str
    ) -> bool:
        for _, roles in contexts:
            for r in roles:
                if r not in ROLES:
                    raise ValueError(f"unknown role {r!r} in a citation context")
        new = [(text, json.dumps(sorted(set(roles)))) for text, roles in contexts if text]
        old = self.conn.execute(
            "SELECT text, roles FROM contexts WHERE citing_id=? AND cited_id=? AND source=? "
            "ORDER BY position",
            (citing, cited, source),
        ).fetchall()
        if [tuple(r) for r in old] == new:
            return False
        self.conn.execute(
            "DELETE FROM contexts WHERE citing_id=? AND cited_id=? AND source=?",
            (citing, cited, source),
        )
        self.conn.executemany(
            "INSERT INTO contexts (citing_id, cited_id, position, text, roles, source) "
            "VALUES (?, ?, ?, ?, ?, ?)",
            [(citing, cited, i, t, r, source) for i, (t, r) in enumerate(new)],
        )
        self.added["contexts"] += max(0, len(new) - len(old))
        return True

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
        written = write_user_label(
            self.conn, citing, cited, kind, values, updated_at, replace=False
        )
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
