"""Reading papers: by id, by identifier, a paper's citations and the claims it engages."""

from __future__ import annotations

import json
from collections.abc import Sequence
from dataclasses import replace
from typing import Any

from citetui.core import ids as idn
from citetui.core.models import Citation, Claim, Context, Engagement, Label, Paper
from citetui.store.connection import Connection
from citetui.store.errors import NotFound
from citetui.store.search_reads import IndexReads

PAPER_COLUMNS = (
    "id, title, year, venue, abstract, summary, summary_source, url, citation_count, "
    "doi, arxiv, s2_id, corpus_id, openalex_id, authors"
)


def paper_from_row(row: Sequence[Any]) -> Paper:
    """A Paper from a row of PAPER_COLUMNS."""
    authors = tuple(json.loads(row[14])) if row[14] else ()
    return Paper(
        row[0],
        row[1],
        row[2],
        row[3],
        row[4],
        row[5],
        row[6],
        row[7],
        row[8],
        row[9],
        row[10],
        row[11],
        row[12],
        row[13],
        authors=authors,
    )


class PaperReads(Connection):
    """Papers, and the citations of one paper (the first layer of :class:`Library`)."""

    def index_reads(self) -> IndexReads:
        """The search index's reads over this library's connection (and a page cache big
        enough for a million papers' index: 32 MB)."""
        with self.lock:
            self.conn.execute("PRAGMA cache_size = -32000")
        return IndexReads(self.conn, self.lock)

    def paper(self, paper_id: int) -> Paper:
        """One paper by id."""
        rows = self._rows(f"SELECT {PAPER_COLUMNS} FROM papers WHERE id = ?", (paper_id,))
        if not rows:
            raise NotFound(f"no paper with id {paper_id}")
        paper = paper_from_row(rows[0])
        aliases = self._rows(
            "SELECT kind, value FROM paper_aliases WHERE paper_id = ? ORDER BY kind, value",
            (paper_id,),
        )
        if aliases:
            paper = replace(paper, aliases=tuple((k, str(v)) for k, v in aliases))
        return paper

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
        probes = [
            (col, val)
            for col, val in probes
            if val is not None and not (isinstance(val, int) and not -(2**63) <= val < 2**63)
        ]
        for col, val in probes:
            rows = self._rows(f"SELECT {PAPER_COLUMNS} FROM papers WHERE {col} = ?", (val,))
            if rows:
                return paper_from_row(rows[0])
        for col, val in probes:  # the other identifier of a kind it was imported under
            rows = self._rows(
                "SELECT paper_id FROM paper_aliases WHERE kind = ? AND value = ?", (col, val)
            )
            if rows:
                return self.paper(rows[0][0])
        return None

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
        title = self.paper(paper_id).title if rows else None
        return [
            (r[0], Claim(r[1], r[2], r[3]), Engagement(paper_id, title, r[4], r[5])) for r in rows
        ]

    def all_texts(self, hub_id: int | None = None) -> list[tuple[int, str | None, str | None]]:
        """(id, title, summary) of every paper, or of the hub's citing papers."""
        if hub_id is None:
            return self._rows("SELECT id, title, summary FROM papers")
        return self._rows(
            "SELECT p.id, p.title, p.summary FROM citations c JOIN papers p ON p.id = c.citing_id "
            "WHERE c.cited_id = ?",
            (hub_id,),
        )
