"""Every read query of a library, returning the dataclasses of :mod:`citetui.core.models`."""

from __future__ import annotations

import json
import sqlite3
from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass

from citetui.core import ids as idn
from citetui.core.models import (
    ROLES,
    Bar,
    Citation,
    CitingRow,
    Claim,
    CoCited,
    Context,
    Engagement,
    Hub,
    HubPage,
    Label,
    Paper,
    Stats,
    Summary,
)
from citetui.store.errors import NotFound
from citetui.store.connection import BUSY_TIMEOUT_MS, Connection

PANES_VERSION = 1  # of the computed panes kept in hub_cache
# A hub with this many citing papers takes a noticeable time (about 0.1 s at 10k, 1.4 s at
# 175k) to compute its panes, so an import computes them ahead (compute_panes_ahead).
PANES_AHEAD_MIN = 10_000
_KEEP_PANES = "INSERT OR REPLACE INTO hub_cache (hub_id, payload) VALUES (?, ?)"


def _summary_data(s: Summary | None) -> dict | None:
    if s is None:
        return None
    return {"kind": s.kind, "bars": [[b.label, b.share, b.count] for b in s.bars],
            "provenance": s.provenance, "n": s.n, "source": s.source}


def _summary_from(d: dict | None) -> Summary | None:
    if d is None:
        return None
    return Summary(d["kind"], tuple(Bar(*b) for b in d["bars"]), d["provenance"], n=d["n"],
                   source=d["source"])


PAPER_COLUMNS = (
    "id, title, year, venue, abstract, summary, summary_source, url, citation_count, "
    "doi, arxiv, s2_id, corpus_id, openalex_id, authors"
)
ROW_COLUMNS = "p.id, p.title, p.year, c.roles, c.polarity, p.summary, p.citation_count, c.influential"
SORTS = {
    # citations.citing_year is the citing paper's year (schema v4); NULLs sort last in DESC,
    # so this is "year IS NULL, year DESC, id", read in order from idx_citations_hub_year
    "year": "c.citing_year DESC, c.citing_id",
    "citations": "p.citation_count IS NULL, p.citation_count DESC, p.id",
    "title": "coalesce(p.title, p.summary) COLLATE NOCASE, p.id",
    "added": "p.id",
}
REPRESENTATIVE_RULE = (
    "influential citations first (most cited first, up to half the list), then one paper per "
    "role in turn (a paper counts under its first role), each role going through its years "
    "newest first, taking the most cited paper of each year"
)
# Ties in the computed panes are broken by what a paper is (its identity text: normalised
# title, or summary when untitled; then its identifiers), never by row id alone, so the same
# papers imported in another order (an exported bundle imported again) give the same panes.
STABLE_TIES = ("p.norm_title IS NULL, p.norm_title, p.doi IS NULL, p.doi, p.arxiv IS NULL, "
               "p.arxiv, p.s2_id IS NULL, p.s2_id, p.openalex_id IS NULL, p.openalex_id, p.id")
# The tier of a hub whose source gave none: the first label whose threshold its citation
# count reaches. The count is the paper's recorded citation count, or the citing papers in
# the library when that is larger or unknown (docs/importers.md).
TIER_THRESHOLDS: tuple[tuple[int, str], ...] = (
    (10_000, "mega hub"),
    (1_000, "major hub"),
    (100, "hub"),
    (0, "minor hub"),
)
COMPUTED_TIER_MARK = " (computed)"


def computed_tier(citation_count: int | None, n_citing: int) -> str:
    """The tier by TIER_THRESHOLDS, marked as computed: 'major hub (computed)'."""
    n = max(citation_count or 0, n_citing)
    label = next(name for threshold, name in TIER_THRESHOLDS if n >= threshold)
    return label + COMPUTED_TIER_MARK


def paper_from_row(row: Sequence) -> Paper:
    """A Paper from a row of PAPER_COLUMNS."""
    authors = tuple(json.loads(row[14])) if row[14] else ()
    return Paper(*row[:14], authors=authors)


def row_from_tuple(row: Sequence, score: float | None = None) -> CitingRow:
    """A CitingRow from a row of ROW_COLUMNS."""
    roles = tuple(r for r in (row[3] or "").split(",") if r)
    title = row[1] or (f"(untitled) {row[5]}" if row[5] else "(untitled)")
    infl = None if row[7] is None else bool(row[7])
    return CitingRow(row[0], title, row[2], roles, row[4], row[5], row[6], infl, score)


@dataclass(frozen=True)
class RowFilter:
    """Structured filters on a hub's citing papers (the field filters of the query syntax)."""

    roles: tuple[str, ...] = ()
    polarities: tuple[str, ...] = ()
    year_min: int | None = None
    year_max: int | None = None
    claims: tuple[int, ...] = ()  # claim positions, 1-based

    def sql(self, hub_id: int) -> tuple[str, list]:
        """WHERE clauses (joined with AND) over c (citations) alone: no papers join needed."""
        where, params = ["c.cited_id = ?"], [hub_id]
        if self.roles:
            where.append("(" + " OR ".join("c.roles LIKE ?" for _ in self.roles) + ")")
            params += [f"%,{r},%" for r in self.roles]
        if self.polarities:
            where.append(f"c.polarity IN ({','.join('?' * len(self.polarities))})")
            params += list(self.polarities)
        if self.year_min is not None:
            where.append("c.citing_year >= ?")
            params.append(self.year_min)
        if self.year_max is not None:
            where.append("c.citing_year <= ?")
            params.append(self.year_max)
        if self.claims:
            where.append(
                "c.citing_id IN (SELECT e.paper_id FROM claim_engagements e JOIN claims k ON k.id = e.claim_id "
                f"WHERE k.hub_id = ? AND k.position IN ({','.join('?' * len(self.claims))}))"
            )
            params += [hub_id, *[c - 1 for c in self.claims]]
        return " AND ".join(where), params

    @property
    def empty(self) -> bool:
        """Whether no filter is set."""
        return not (self.roles or self.polarities or self.claims) and (
            self.year_min is None and self.year_max is None
        )


class Library(Connection):
    """A citetui library: the connection plus every read the app and CLI need."""

    # -- papers -----------------------------------------------------------

    def paper(self, paper_id: int) -> Paper:
        """One paper by id."""
        rows = self._rows(f"SELECT {PAPER_COLUMNS} FROM papers WHERE id = ?", (paper_id,))
        if not rows:
            raise NotFound(f"no paper with id {paper_id}")
        return paper_from_row(rows[0])

    def papers(self, paper_ids: Sequence[int]) -> dict[int, Paper]:
        """Several papers by id."""
        out: dict[int, Paper] = {}
        ids = list(paper_ids)
        for i in range(0, len(ids), 500):
            chunk = ids[i : i + 500]
            sql = f"SELECT {PAPER_COLUMNS} FROM papers WHERE id IN ({','.join('?' * len(chunk))})"
            for row in self._rows(sql, chunk):
                out[row[0]] = paper_from_row(row)
        return out

    def find_paper_by_id(self, text: str) -> Paper | None:
        """A paper by any identifier spelling: 12, DOI:..., arXiv id, S2 id, CorpusID:, W..."""
        t = text.strip()
        if t.isascii() and t.isdigit() and len(t) <= 18:  # not '²', nor past SQLite's integers
            rows = self._rows(f"SELECT {PAPER_COLUMNS} FROM papers WHERE id = ?", (int(t),))
            if rows:
                return paper_from_row(rows[0])
        probes = [
            ("doi", idn.norm_doi(t[4:] if t.lower().startswith("doi:") else t)),
            ("arxiv", idn.norm_arxiv(t)),
            ("s2_id", idn.norm_s2(t)),
            ("corpus_id", idn.norm_corpus_id(t) if t.lower().startswith("corpusid:") else None),
            ("openalex_id", idn.norm_openalex(t) if t[:1] in "Ww" or "openalex" in t else None),
        ]
        for col, val in probes:
            if val is None or isinstance(val, int) and not -(2**63) <= val < 2**63:
                continue
            rows = self._rows(f"SELECT {PAPER_COLUMNS} FROM papers WHERE {col} = ?", (val,))
            if rows:
                return paper_from_row(rows[0])
        return None

    def resolve_paper(self, text: str) -> Paper:
        """A paper by id or by fuzzy title."""
        found = self.find_paper_by_id(text)
        if found:
            return found
        titles = {r[0]: r[1] for r in self._rows("SELECT id, title FROM papers WHERE title IS NOT NULL")}
        from rapidfuzz import fuzz, process, utils  # not needed to open a library

        best = process.extractOne(text, titles, scorer=fuzz.WRatio, processor=utils.default_process)
        if best is None or best[1] < 70:
            raise NotFound(f"no paper matches {text!r}")
        return self.paper(best[2])

    # -- hubs -------------------------------------------------------------

    def hubs(self) -> list[Hub]:
        """Every hub, most-cited in the library first."""
        rows = self._rows(
            f"SELECT h.tier, h.verdict, h.source, "
            f"(SELECT count(*) FROM citations c WHERE c.cited_id = h.paper_id), "
            f"{', '.join('p.' + c.strip() for c in PAPER_COLUMNS.split(','))} "
            f"FROM hubs h JOIN papers p ON p.id = h.paper_id"
        )
        hubs = []
        for r in rows:
            paper = paper_from_row(r[4:])
            tier = r[0] or computed_tier(paper.citation_count, r[3])
            hubs.append(Hub(paper, tier, r[1], r[3], r[2]))
        hubs.sort(key=lambda h: (-h.n_citing, h.paper.display_title.casefold()))
        return hubs

    def hub(self, hub_id: int) -> Hub:
        """One hub by its paper id."""
        for h in self.hubs_by_id([hub_id]):
            return h
        raise NotFound(f"paper {hub_id} is not a hub in this library")

    def hubs_by_id(self, hub_ids: Sequence[int]) -> list[Hub]:
        """The hubs among these paper ids."""
        ids = list(hub_ids)
        if not ids:
            return []
        rows = self._rows(
            f"SELECT paper_id, tier, verdict, source, "
            f"(SELECT count(*) FROM citations c WHERE c.cited_id = hubs.paper_id) "
            f"FROM hubs WHERE paper_id IN ({','.join('?' * len(ids))})",
            ids,
        )
        papers = self.papers([r[0] for r in rows])
        return [Hub(papers[r[0]], r[1] or computed_tier(papers[r[0]].citation_count, r[4]), r[2],
                    r[4], r[3]) for r in rows]

    def resolve_hub(self, text: str) -> Hub:
        """A hub by paper id, identifier or fuzzy title."""
        paper = self.find_paper_by_id(text)
        if paper is not None:
            return self.hub(paper.id)
        hubs = self.hubs()
        if not hubs:
            raise NotFound("the library has no hubs")
        short = text.strip().casefold()
        for h in hubs:  # an acronym: "ppo" for Proximal Policy Optimization Algorithms
            initials = "".join(w[0] for w in (h.paper.title or "").split() if w[:1].isalpha())
            if 2 <= len(short) <= 8 and short.isalpha() and initials.casefold().startswith(short):
                return h
        choices = {h.paper.id: h.paper.display_title for h in hubs}
        from rapidfuzz import fuzz, process, utils

        best = process.extractOne(text, choices, scorer=fuzz.WRatio, processor=utils.default_process)
        if best is None or best[1] < 60:
            raise NotFound(f"no hub matches {text!r}")
        return next(h for h in hubs if h.paper.id == best[2])

    def hub_page(self, hub_id: int) -> HubPage:
        """Everything the hub page shows (the computed panes from the cache, see
        :meth:`computed_panes`)."""
        hub = self.hub(hub_id)
        panes = self.computed_panes(hub_id)
        recorded_role = self.recorded_summary(hub_id, "role")
        recorded_polarity = self.recorded_summary(hub_id, "polarity")
        papers = self.papers([r[0] for r in panes["cocited"]] + list(panes["representative"]))
        return HubPage(
            hub=hub,
            role_summary=_summary_from(panes["role"]) or recorded_role,
            polarity_summary=_summary_from(panes["polarity"]) or recorded_polarity,
            claims=tuple(self.claims(hub_id)),
            cocited=tuple(CoCited(papers[pid], n, prov) for pid, n, prov in panes["cocited"]
                          if pid in papers),
            representative=tuple(papers[i] for i in panes["representative"] if i in papers),
            representative_rule=None if panes["recorded_representatives"]
            else REPRESENTATIVE_RULE,
            recorded_role=recorded_role,
            recorded_polarity=recorded_polarity,
        )

    def computed_panes(self, hub_id: int) -> dict:
        """The hub's panes that take reading all its citations (computed role and polarity
        summaries, co-cited works, representative papers), as plain data.

        A hub of 100k+ citing papers takes seconds to compute them, so they are kept in
        ``hub_cache`` once computed; every write that can change them (an import or a
        fetched page that added or updated anything, a label override) empties the
        cache (:func:`citetui.store.write.forget_panes`). A read-only library, or one
        another process is writing to, computes them each time instead.
        """
        try:
            row = self._rows("SELECT payload FROM hub_cache WHERE hub_id = ?", (hub_id,))
        except sqlite3.OperationalError:  # no such table: a library opened before v5
            row = []
        if row:
            try:
                panes = json.loads(row[0][0])
                if panes.get("version") == PANES_VERSION:
                    return panes
            except ValueError:
                pass
        panes = self._compute_panes(hub_id)
        self._keep_panes(hub_id, json.dumps(panes))
        return panes

    def _compute_panes(self, hub_id: int) -> dict:
        summaries = self.computed_summaries(hub_id)
        return {
            "version": PANES_VERSION,
            "role": _summary_data(summaries["role"]),
            "polarity": _summary_data(summaries["polarity"]),
            "cocited": [list(r) for r in self._cocited_rows(hub_id, 20)],
            "representative": self._representative_ids(hub_id, 25),
            "recorded_representatives": self._has_recorded_representatives(hub_id),
        }

    def compute_panes_ahead(self, hub_ids: Sequence[int], *, min_citing: int | None = None,
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
        return {"role": Summary.computed("role", roles, n_roles),
                "polarity": Summary.computed("polarity", polarities, n_polarities)}

    def recorded_summary(self, hub_id: int, kind: str) -> Summary | None:
        """The summary as a source recorded it (None if no source did)."""
        rows = self._rows(
            "SELECT label, share, count, source FROM recorded_summaries WHERE hub_id = ? AND kind = ? "
            "ORDER BY source, position",
            (hub_id, kind),
        )
        if not rows:
            return None
        source = rows[0][3]
        bars = tuple(Bar(r[0], r[1], r[2]) for r in rows if r[3] == source)
        return Summary(kind, bars, "recorded", source=source)

    def claims(self, hub_id: int) -> list[Claim]:
        """The hub's claims in order, each with the papers that engage it."""
        claims = self._rows(
            "SELECT id, position, text FROM claims WHERE hub_id = ? ORDER BY position, id", (hub_id,)
        )
        eng = self._rows(
            "SELECT e.claim_id, e.paper_id, coalesce(p.title, p.summary, '(untitled)'), e.stance, "
            "e.context FROM claim_engagements e JOIN claims k ON k.id = e.claim_id "
            "JOIN papers p ON p.id = e.paper_id WHERE k.hub_id = ? ORDER BY p.year DESC, "
            f"{STABLE_TIES}",
            (hub_id,),
        )
        by_claim: dict[int, list[Engagement]] = {}
        for cid, pid, title, stance, ctx in eng:
            by_claim.setdefault(cid, []).append(Engagement(pid, title, stance, ctx))
        return [Claim(c[0], c[1], c[2], tuple(by_claim.get(c[0], ()))) for c in claims]

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
            "SELECT paper_id FROM representatives WHERE hub_id = ? ORDER BY source, position LIMIT ?",
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

    # -- the explorer -----------------------------------------------------

    def count_citing(self, hub_id: int, flt: RowFilter | None = None) -> int:
        """How many citing papers of the hub pass the filter."""
        where, params = (flt or RowFilter()).sql(hub_id)
        # citations only (every citation's citing paper exists): the index answers
        sql = f"SELECT count(*) FROM citations c WHERE {where}"
        return self._rows(sql, params)[0][0]

    def citing_rows(
        self,
        hub_id: int,
        flt: RowFilter | None = None,
        *,
        sort: str = "year",
        offset: int = 0,
        limit: int = 100,
    ) -> list[CitingRow]:
        """One page of the hub's citing papers, filtered and sorted."""
        where, params = (flt or RowFilter()).sql(hub_id)
        sql = (
            f"SELECT {ROW_COLUMNS} FROM citations c JOIN papers p ON p.id = c.citing_id "
            f"WHERE {where} ORDER BY {SORTS[sort]} LIMIT ? OFFSET ?"
        )
        return [row_from_tuple(r) for r in self._rows(sql, [*params, limit, offset])]

    def citing_ids(self, hub_id: int, flt: RowFilter | None = None, *,
                   sort: str = "year") -> list[int]:
        """Every citing paper id of the hub passing the filter, in order: sort once, then
        read any page by position with :meth:`citing_rows_for` (OFFSET re-sorts each time)."""
        where, params = (flt or RowFilter()).sql(hub_id)
        order = SORTS[sort]
        join = " JOIN papers p ON p.id = c.citing_id" if "p." in order else ""
        rest = f"FROM citations c{join} WHERE {where} ORDER BY {order}"
        # One row instead of one per id. Python's sqlite3 lets go of the interpreter lock
        # for each row and takes it back after; with another thread busy in Python (the
        # browser painting, the hub page's worker) each take waited its turn, and 175k ids
        # took 9 s instead of 60 ms. group_concat reads the sorted subquery's rows in the
        # order it streams them, which SQLite documents only from 3.44 on: the query
        # plan is checked for that streaming before the packed ids are trusted.
        sql = f"SELECT count(*), group_concat(id) FROM (SELECT c.citing_id AS id {rest})"
        if self._streams_in_order(sql, params):
            with self.lock:
                n, packed = self.conn.execute(sql, params).fetchone()
            return list(map(int, packed.split(","))) if n else []
        return [r[0] for r in self._rows(f"SELECT c.citing_id {rest}", params)]

    def _streams_in_order(self, sql: str, params: Sequence) -> bool:
        """Whether the aggregate of ``sql`` reads its subquery as a co-routine, in order."""
        plans = self.__dict__.setdefault("_plans", {})  # per library: plans follow its indexes
        ok = plans.get(sql)
        if ok is None:
            plan = [(parent, detail) for _, parent, _, detail in
                    self._rows(f"EXPLAIN QUERY PLAN {sql}", params)]
            ok = any(d.startswith("CO-ROUTINE") for _, d in plan) and any(
                parent == 0 and d.startswith("SCAN (subquery") for parent, d in plan)
            plans[sql] = ok
        return ok

    def citing_rows_for(
        self, hub_id: int, paper_ids: Sequence[int], flt: RowFilter | None = None
    ) -> dict[int, CitingRow]:
        """Explorer rows for these citing papers of the hub that pass the filter."""
        where, params = (flt or RowFilter()).sql(hub_id)
        out: dict[int, CitingRow] = {}
        ids = list(paper_ids)
        for i in range(0, len(ids), 500):
            chunk = ids[i : i + 500]
            sql = (
                f"SELECT {ROW_COLUMNS} FROM citations c JOIN papers p ON p.id = c.citing_id "
                f"WHERE {where} AND p.id IN ({','.join('?' * len(chunk))})"
            )
            for r in self._rows(sql, [*params, *chunk]):
                out[r[0]] = row_from_tuple(r)
        return out

    # -- a paper's citations ----------------------------------------------

    def citation(self, citing: int, cited: int) -> Citation | None:
        """The edge citing -> cited with labels and contexts."""
        rows = self._rows(
            "SELECT roles, polarity, influential, source FROM citations "
            "WHERE citing_id = ? AND cited_id = ?",
            (citing, cited),
        )
        if not rows:
            return None
        roles, polarity, infl, source = rows[0]
        ctx = self._rows(
            "SELECT text, roles, source FROM contexts WHERE citing_id=? AND cited_id=? "
            "ORDER BY source, position",
            (citing, cited),
        )
        labels = self._rows(
            "SELECT kind, value, source FROM labels WHERE citing_id=? AND cited_id=? "
            "ORDER BY kind, source, value",
            (citing, cited),
        )
        return Citation(
            citing,
            cited,
            tuple(r for r in (roles or "").split(",") if r),
            polarity,
            None if infl is None else bool(infl),
            tuple(Context(t, tuple(json.loads(r or "[]")), s) for t, r, s in ctx),
            tuple(Label(*lab) for lab in labels),
            source,
        )

    def cited_by(self, paper_id: int) -> list[tuple[Paper, Citation]]:
        """What this paper cites (each cited paper with the citation), hubs first."""
        rows = self._rows(
            "SELECT c.cited_id FROM citations c LEFT JOIN hubs h ON h.paper_id = c.cited_id "
            "WHERE c.citing_id = ? ORDER BY h.paper_id IS NULL, c.cited_id",
            (paper_id,),
        )
        papers = self.papers([r[0] for r in rows])
        out = []
        for (cid,) in rows:
            cit = self.citation(paper_id, cid)
            if cit is not None and cid in papers:
                out.append((papers[cid], cit))
        return out

    def engagements_of(self, paper_id: int) -> list[tuple[int, Claim, Engagement]]:
        """The claims this paper engages: (hub id, claim, engagement)."""
        rows = self._rows(
            "SELECT k.hub_id, k.id, k.position, k.text, e.stance, e.context "
            "FROM claim_engagements e JOIN claims k ON k.id = e.claim_id WHERE e.paper_id = ? "
            "ORDER BY k.hub_id, k.position",
            (paper_id,),
        )
        title = self.paper(paper_id).display_title if rows else ""
        return [
            (r[0], Claim(r[1], r[2], r[3]), Engagement(paper_id, title, r[4], r[5])) for r in rows
        ]

    def hub_ids(self) -> set[int]:
        """The paper ids that are hubs."""
        return {r[0] for r in self._rows("SELECT paper_id FROM hubs")}

    # -- the whole library ------------------------------------------------

    def stats(self) -> Stats:
        """Counts of what the library holds."""

        def count(table: str) -> int:
            return self._rows(f"SELECT count(*) FROM {table}")[0][0]

        size = self.path.stat().st_size if self.path.exists() else 0
        wal = self.path.with_name(self.path.name + "-wal")
        if wal.exists():
            size += wal.stat().st_size
        return Stats(
            path=str(self.path),
            schema_version=self.schema_version,
            papers=count("papers"),
            hubs=count("hubs"),
            citations=count("citations"),
            contexts=count("contexts"),
            claims=count("claims"),
            labels=count("labels"),
            imports=count("imports"),
            size_bytes=size,
        )

    def all_texts(self, hub_id: int | None = None) -> list[tuple[int, str | None, str | None]]:
        """(id, title, summary) of every paper, or of the hub's citing papers."""
        if hub_id is None:
            return self._rows("SELECT id, title, summary FROM papers")
        return self._rows(
            "SELECT p.id, p.title, p.summary FROM citations c JOIN papers p ON p.id = c.citing_id "
            "WHERE c.cited_id = ?",
            (hub_id,),
        )

    def _rows(self, sql: str, params: Sequence | dict = ()) -> list[tuple]:
        with self.lock:
            return self.conn.execute(sql, params).fetchall()
