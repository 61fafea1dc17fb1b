"""Writing a big import fast: new papers and their edges in batches, the rest through the Writer.

:class:`BulkWriter` collects records and, per batch, asks the library in a
few queries which of them may already be there (any shared identifier, or the
same identity text: normalised title, or summary for an untitled paper).
Those, and records that repeat an earlier one of the same batch, go through
:class:`~citetui.store.writer.Writer` one by one, exactly as a small import
would; the others are new for certain and are inserted with ``executemany``,
with the rows, labels and counts the Writer would have written for them.
"""

from __future__ import annotations

import json
import re
from collections.abc import Sequence
from dataclasses import dataclass

from citetui import ids as idn
from citetui.store.writer import ID_COLUMNS, PAPER_FIELDS, PaperIn, Writer, identity_text, roles_column

_NON_WORD = re.compile(r"[\W_]+", re.UNICODE)


def _identity(title: str | None, summary: str | None) -> str | None:
    """identity_text, without the Unicode normalisation pass for plain ASCII text."""
    text = title or summary
    if text and text.isascii():
        norm = _NON_WORD.sub(" ", text.casefold()).strip() or None
        if title:
            return norm
        return "~" + norm if norm else None
    return identity_text(title, summary)


def _normalised(p: PaperIn) -> PaperIn:
    """PaperIn.normalised, skipping the work for absent fields."""
    for k in PAPER_FIELDS:
        v = getattr(p, k)
        if isinstance(v, str) and not v.strip():
            return p.normalised()
    doi = idn.norm_doi(p.doi) if p.doi is not None else None
    arxiv = idn.norm_arxiv(p.arxiv) if p.arxiv is not None else None
    if arxiv is None and doi is not None:
        arxiv = idn.arxiv_from_doi(doi)
    authors = [a.strip() for a in p.authors if isinstance(a, str) and a.strip()]
    return PaperIn(
        p.title, p.year, p.venue, p.abstract, p.summary, p.summary_source, p.url,
        p.citation_count, doi, arxiv,
        idn.norm_s2(p.s2_id) if p.s2_id is not None else None,
        idn.norm_corpus_id(p.corpus_id) if p.corpus_id is not None else None,
        idn.norm_openalex(p.openalex_id) if p.openalex_id is not None else None,
        authors,
    )


@dataclass
class Cite:
    """An edge from the record's paper to ``cited`` (a paper id), as upsert_citation takes it."""

    cited: int
    roles: Sequence[str] = ()
    polarity: str | None = None
    influential: bool | None = None
    contexts: Sequence[tuple[str, Sequence[str]]] = ()
    source: str | None = None


@dataclass
class _Rec:
    key: str
    paper: PaperIn
    cites: list[Cite]
    identity: str | None = None


class BulkWriter:
    """Batches records for a Writer; ``flush()`` writes what is pending and returns key -> id."""

    def __init__(self, writer: Writer, batch: int = 5000):
        self.writer = writer
        self.conn = writer.conn
        self.batch = batch
        self.pending: list[_Rec] = []
        self.pending_keys: set[str] = set()
        self.ids: dict[str, int] = {}

    def add(self, key: str, paper: PaperIn, cites: list[Cite]) -> None:
        """Queue one record (its cites must name papers already written, by id)."""
        self.pending.append(_Rec(key, paper, cites))
        self.pending_keys.add(key)
        if len(self.pending) >= self.batch:
            self.flush()

    def flush(self) -> None:
        """Write every pending record."""
        recs, self.pending, self.pending_keys = self.pending, [], set()
        if not recs:
            return
        w = self.writer
        for r in recs:
            r.paper = _normalised(r.paper)
            if r.paper.title is None and r.paper.summary is None and not r.paper.has_ids():
                raise ValueError("a paper needs a title, a summary or an identifier")
            r.identity = _identity(r.paper.title, r.paper.summary)
        maybe_known = self._maybe_known(recs)
        fast: list[_Rec] = []
        slow: list[_Rec] = []
        seen: set = set()
        for r in recs:
            marks = [(c, getattr(r.paper, c)) for c in ID_COLUMNS if getattr(r.paper, c) is not None]
            if r.identity is not None:
                marks.append(("identity", r.identity))
            cited = [c.cited for c in r.cites]
            if (id(r) in maybe_known or any(m in seen for m in marks)
                    or len(set(cited)) != len(cited)):
                slow.append(r)
            else:
                fast.append(r)
            seen.update(marks)
        self._insert_new(fast)
        for r in slow:
            pid = w.upsert_paper(r.paper)
            self.ids[r.key] = pid
            for c in r.cites:
                w.upsert_citation(pid, c.cited, roles=c.roles, polarity=c.polarity,
                                  influential=c.influential, contexts=c.contexts, source=c.source)

    def _maybe_known(self, recs: list[_Rec]) -> set[int]:
        """Records that may match a paper already in the library (by id() of the record)."""
        out: set[int] = set()
        for col in ID_COLUMNS:
            by_val: dict = {}
            for r in recs:
                v = getattr(r.paper, col)
                if v is not None:
                    by_val.setdefault(v, []).append(r)
            vals = list(by_val)
            for i in range(0, len(vals), 500):
                chunk = vals[i : i + 500]
                sql = f"SELECT {col} FROM papers WHERE {col} IN ({','.join('?' * len(chunk))})"
                for (v,) in self.conn.execute(sql, chunk):
                    out.update(id(r) for r in by_val.get(v, ()))
        by_ident: dict = {}
        for r in recs:
            if r.identity is not None:
                by_ident.setdefault(r.identity, []).append(r)
        vals = list(by_ident)
        for i in range(0, len(vals), 500):
            chunk = vals[i : i + 500]
            sql = f"SELECT norm_title FROM papers WHERE norm_title IN ({','.join('?' * len(chunk))})"
            for (v,) in self.conn.execute(sql, chunk):
                out.update(id(r) for r in by_ident.get(v, ()))
        return out

    def _insert_new(self, recs: list[_Rec]) -> None:
        if not recs:
            return
        w = self.writer
        next_id = (self.conn.execute("SELECT max(id) FROM papers").fetchone()[0] or 0) + 1
        paper_rows, cite_rows, label_rows, ctx_rows = [], [], [], []
        n_ctx = 0
        for r in recs:
            p = r.paper
            pid = next_id
            next_id += 1
            self.ids[r.key] = pid
            authors = json.dumps(p.authors, ensure_ascii=False) if p.authors else None
            paper_rows.append((pid, *(getattr(p, k) for k in PAPER_FIELDS), r.identity, authors,
                               w.source))
            for c in r.cites:
                source = c.source or w.source
                roles = [x for x in (c.roles or []) if x]
                infl = None if c.influential is None else int(bool(c.influential))
                cite_rows.append((pid, c.cited, roles_column(roles), c.polarity, infl, source))
                if roles:
                    label_rows += [(pid, c.cited, "role", v, source) for v in sorted(set(roles))]
                if c.polarity is not None:
                    label_rows.append((pid, c.cited, "polarity", c.polarity, source))
                ctx = [(t, json.dumps(sorted(set(rs)))) for t, rs in (c.contexts or ()) if t]
                ctx_rows += [(pid, c.cited, i, t, rs, source) for i, (t, rs) in enumerate(ctx)]
                n_ctx += len(ctx)
        cols = ", ".join(("id", *PAPER_FIELDS, "norm_title", "authors", "source"))
        marks = ", ".join("?" * (len(PAPER_FIELDS) + 4))
        self.conn.executemany(f"INSERT INTO papers ({cols}) VALUES ({marks})", paper_rows)
        self.conn.executemany(
            "INSERT INTO citations (citing_id, cited_id, roles, polarity, influential, source) "
            "VALUES (?, ?, ?, ?, ?, ?)",
            cite_rows,
        )
        self.conn.executemany(
            "INSERT INTO labels (citing_id, cited_id, kind, value, source) VALUES (?, ?, ?, ?, ?)",
            label_rows,
        )
        self.conn.executemany(
            "INSERT INTO contexts (citing_id, cited_id, position, text, roles, source) "
            "VALUES (?, ?, ?, ?, ?, ?)",
            ctx_rows,
        )
        w.added["papers"] += len(paper_rows)
        if cite_rows:
            w.added["citations"] += len(cite_rows)
        if n_ctx:
            w.added["contexts"] += n_ctx
