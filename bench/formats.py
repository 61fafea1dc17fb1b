"""Import files of every format citetui reads, N records each, shaped like the real samples.

The shapes follow ``../shared/data/real/`` (Semantic Scholar API pages and records, the
bulk dataset shards, OpenAlex works and snapshot lines): the same fields, nulls where the
samples have them (abstracts, years, venues, author ids, cited corpus ids), empty lists,
unicode titles and names, ``C++``/``C#`` titles, papers that two files both hold (a paper
citing two hubs is in both hubs' files). Every format is drawn from one deterministic
world of papers (paper ``i`` is the same paper in every format), from the benchmark's own
vocabulary (:mod:`bench.corpus`).

``shift`` makes the file of a re-import: the window of papers starts at ``shift * n``, so
with 0.1 it holds 90% of the records of the first file (with grown citation counts, some
abstracts filled in) and 10% new ones.

    python -m bench.formats FORMAT N OUTDIR [--seed S] [--shift F]
"""

from __future__ import annotations

import argparse
import hashlib
import json
import random
from collections.abc import Callable
from pathlib import Path

from bench.corpus import Corpus

DUMP = json.JSONEncoder(ensure_ascii=False, separators=(",", ":")).encode
INTENTS = ["background", "methodology", "result"]
UNICODE_TITLES = [
    "Étude des réseaux de neurones profonds",
    "Aprendizaje por refuerzo en robótica",
    "深度强化学习综述",
    "Обучение с подкреплением",
    "C++ Templates for Scientific Computing",
    "C# and the .NET Runtime",
    "Learning C: A Primer",
    "Über die Konvergenz von Q-Learning",
    "Ψ-learning: 𝒪(n) regret bounds",
    "Zero-shot 🤖 agents",
]
UNICODE_NAMES = [
    "José Hernández-Orallo",
    "Zoë Kravitz",
    "Łukasz Kaiser",
    "Jürgen Schmidhuber",
    "Sébastien Bubeck",
    "王小明",
    "Дмитрий Ветров",
    "Ahmet Çelik",
    "Nguyễn Văn A",
]
# Real S2 and OpenAlex data hold many papers of one generic title ("Editorial",
# unresolved references): the title identity must not make that quadratic.
GENERIC = ["Introduction", "Editorial", "Preface", "Book Reviews", "Reply", "Erratum"]
GENERIC_SHARE = 0.005
VENUES = [
    "Neural Information Processing Systems",
    "International Conference on Machine Learning",
    "arXiv.org",
    "IEEE Robotics and Automation Letters",
    "",
    None,
]
FORMATS = ("s2-jsonl", "s2-pages", "s2-refs", "s2-paper", "openalex", "s2-bulk", "records")


class World:
    """The papers: index i -> one deterministic paper, the same in every format."""

    def __init__(self, n: int, seed: int):
        self.c = Corpus(max(n, 3000), seed)
        self.seed = seed
        self.n_hubs = self.c.n_hubs

    def rng(self, i: int, salt: int = 0) -> random.Random:
        return random.Random((self.seed * 1_000_003 + i) * 7 + salt)

    def paper(self, i: int, version: int = 0) -> dict:
        """A paper as plain fields; ``version`` > 0: a later snapshot of it (its citation
        count grown, sometimes an abstract where it had none)."""
        r = self.rng(i)
        g = r.random()
        if g < GENERIC_SHARE:
            title = r.choice(GENERIC)
        elif g < GENERIC_SHARE + 0.003:
            title = r.choice(UNICODE_TITLES) + f" {i % 97}"
        else:
            title = self.c.title(r)
        cid = 200_000_000 + i
        p = {
            "cid": cid,
            "sha": hashlib.sha1(f"p{cid}".encode()).hexdigest(),
            "title": title,
            "year": None if r.random() < 0.02 else r.randint(1995, 2026),
            "doi": f"10.{r.randint(1000, 9999)}/x{cid}" if r.random() < 0.6 else None,
            "arxiv": (
                f"{r.randint(15, 25):02d}{r.randint(1, 12):02d}.{cid % 100000:05d}"
                if r.random() < 0.35
                else None
            ),
            "abstract": None,
            "venue": r.choice(VENUES),
            "count": int(r.paretovariate(1.1)) - 1,
            "date": None,
        }
        if r.random() < 0.45:
            p["abstract"] = " ".join(self.c.summary(r, title) for _ in range(r.randint(1, 4)))
        p["authors"] = [
            r.choice(UNICODE_NAMES)
            if r.random() < 0.05
            else f"{r.choice(('J.', 'Maria', 'Wei', 'A.', 'Sam'))} "
            f"{r.choice(('Li', 'Smith', 'Kim', 'Müller', 'Rossi'))}"
            for _ in range(r.choice((0, 1, 2, 3, 3, 4, 5, 8)))
        ]
        if p["year"] and r.random() < 0.7:
            p["date"] = f"{p['year']}-{r.randint(1, 12):02d}-{r.randint(1, 28):02d}"
        if version:
            p["count"] += 1 + version * 3
            if p["abstract"] is None and r.random() < 0.3:
                p["abstract"] = self.c.summary(r, title)
        return p

    def hub(self, h: int) -> dict:
        p = self.paper(10_000_000 + h)
        p["cid"] = 900_000_000 + h
        p["sha"] = hashlib.sha1(f"h{h}".encode()).hexdigest()
        return p

    def hubs_of(self, i: int) -> list[int]:
        """The hubs paper i cites: one, sometimes two (then it is in two hubs' files)."""
        r = self.rng(i, 5)
        hubs = {r.choices(range(self.n_hubs), cum_weights=self.c.hub_cum)[0]}
        if r.random() < 0.2:
            hubs.add(r.choices(range(self.n_hubs), cum_weights=self.c.hub_cum)[0])
        return sorted(hubs)


# -- Semantic Scholar Graph API shapes ----------------------------------------------------


def s2_paper(p: dict, r: random.Random) -> dict:
    ext: dict = {"CorpusId": p["cid"]}
    if p["doi"]:
        ext["DOI"] = p["doi"]
    if p["arxiv"]:
        ext["ArXiv"] = p["arxiv"]
    if r.random() < 0.3:
        ext["MAG"] = str(r.randint(10**9, 4 * 10**9))
    return {
        "paperId": p["sha"],
        "externalIds": ext,
        "corpusId": p["cid"],
        "url": f"https://www.semanticscholar.org/paper/{p['sha']}",
        "title": p["title"],
        "abstract": p["abstract"],
        "venue": p["venue"] if p["venue"] is not None else "",
        "year": p["year"],
        "citationCount": p["count"],
        "publicationDate": p["date"],
        "authors": [
            {"authorId": str(r.randint(10**6, 10**9)) if r.random() < 0.9 else None, "name": a}
            for a in p["authors"]
        ],
    }


def s2_edge(w: World, i: int, h: int, side: str, version: int) -> dict:
    """A /citations (side citingPaper) or /references (citedPaper) edge."""
    p = w.paper(i, version)
    r = w.rng(i, 100 + h)
    intents = r.sample(INTENTS, r.choice((0, 0, 1, 1, 1, 2)))
    ctx = []
    if r.random() < 0.25:
        for _ in range(r.randint(1, 2)):
            words = " ".join(w.c._phrase(r, r.randint(10, 22)))
            ctx.append(
                {
                    "context": f"{words.capitalize()} [{r.randint(1, 60)}].",
                    "intents": r.sample(INTENTS, r.choice((0, 1, 1))),
                }
            )
    return {
        "contexts": [c["context"] for c in ctx],
        "intents": intents,
        "contextsWithIntent": ctx,
        "isInfluential": r.random() < 0.1,
        side: s2_paper(p, r),
    }


def edges_by_hub(w: World, n: int, shift: float) -> dict[int, list[int]]:
    """hub -> citing paper indices, until n edges (from the shifted window of papers)."""
    out: dict[int, list[int]] = {}
    made, i = 0, int(shift * n / 1.2)
    while made < n:
        for h in w.hubs_of(i):
            out.setdefault(h, []).append(i)
            made += 1
        i += 1
    return out


def gen_s2_jsonl(w: World, n: int, out: Path, shift: float, version: int) -> list[Path]:
    """/citations edges as JSON Lines, one file per hub (the focal paper in its name)."""
    files = []
    for h, idx in sorted(edges_by_hub(w, n, shift).items()):
        path = out / f"citations_CorpusID{w.hub(h)['cid']}.jsonl"
        with path.open("w", encoding="utf-8") as fh:
            for i in idx:
                fh.write(DUMP(s2_edge(w, i, h, "citingPaper", version)) + "\n")
        files.append(path)
    return files


def gen_s2_pages(
    w: World, n: int, out: Path, shift: float, version: int, per_page: int = 1000
) -> list[Path]:
    """The same edges as {offset, next, data} pages of 1000, as the API pages them."""
    files = []
    for h, idx in sorted(edges_by_hub(w, n, shift).items()):
        cid = w.hub(h)["cid"]
        for k in range(0, len(idx), per_page):
            page: dict = {
                "offset": k,
                "data": [s2_edge(w, i, h, "citingPaper", version) for i in idx[k : k + per_page]],
            }
            if k + per_page < len(idx):
                page["next"] = k + per_page
            path = out / f"citations_CorpusID{cid}_page{k // per_page}.json"
            path.write_text(json.dumps(page, ensure_ascii=False, indent=1), encoding="utf-8")
            files.append(path)
    return files


def gen_s2_refs(
    w: World, n: int, out: Path, shift: float, version: int, per_page: int = 150
) -> list[Path]:
    """/references pages, one a file named after its citing paper: each lists ~150 works
    (a long reference list; 30 made 33,000 files at 1M) from a shared pool, so most cited
    works are in many files."""
    pool = max(1000, n // 4)
    made, i = 0, -(-int(shift * n) // per_page)  # (at least one file along, when shifted)
    files = []
    while made < n:
        r = w.rng(i, 7)
        k = min(n - made, r.randint(per_page // 2, per_page * 3 // 2))
        cited = sorted({10_000_000 + int(r.paretovariate(0.8) * 50) % pool for _ in range(k)})
        data = [s2_edge(w, j, 0, "citedPaper", version) for j in cited]
        path = out / f"references_CorpusID{w.paper(i)['cid']}_page0.json"
        path.write_text(DUMP({"offset": 0, "data": data}), encoding="utf-8")
        files.append(path)
        made += len(data)
        i += 1
    return files


def gen_s2_paper(
    w: World, n: int, out: Path, shift: float, version: int, per: int = 1000
) -> list[Path]:
    """/paper records with embedded citations (up to 1000 each) and a TLDR, JSON Lines."""
    path = out / "papers_with_citations.jsonl"
    with path.open("w", encoding="utf-8") as fh:
        for h, idx in sorted(edges_by_hub(w, n, shift).items()):
            hp = w.hub(h)
            r = w.rng(h, 9)
            for k in range(0, len(idx), per):
                rec = s2_paper(hp, r)
                rec["tldr"] = (
                    {"model": "tldr@v2.0.0", "text": w.c.summary(r, hp["title"])}
                    if r.random() < 0.7
                    else None
                )
                rec["citations"] = [s2_paper(w.paper(i, version), r) for i in idx[k : k + per]]
                fh.write(DUMP(rec) + "\n")
    return [path]


# -- OpenAlex -----------------------------------------------------------------------------


def inverted(text: str | None) -> dict | None:
    if not text:
        return None
    index: dict[str, list[int]] = {}
    for pos, word in enumerate(text.split()):
        index.setdefault(word, []).append(pos)
    return index


def oa_work(w: World, i: int, n: int, version: int) -> dict:
    p = w.paper(i, version)
    r = w.rng(i, 11)
    wid = f"https://openalex.org/W{3_000_000_000 + i}"
    doi = f"https://doi.org/{p['doi']}" if p["doi"] else None
    sparse = r.random() < 0.1  # snapshot works with null titles, no authors, zero counts
    refs = []
    if not sparse:
        for _ in range(r.choice((0, 2, 5, 8, 8, 10, 12, 15))):
            # earlier works of the file, or a popular pool outside it (stubs until imported)
            if r.random() < 0.6 and i > 0:
                j = max(0, i - 1 - int(r.paretovariate(0.6)) % max(1, i))
            else:
                j = 50_000_000 + int(r.paretovariate(0.7) * 20) % max(1000, n // 5)
            refs.append(f"https://openalex.org/W{3_000_000_000 + j}")
    source = {"id": "https://openalex.org/S4306400194", "display_name": p["venue"] or None}
    locs = [{"is_oa": True, "landing_page_url": doi, "pdf_url": None, "source": source}]
    if p["arxiv"]:
        locs.append(
            {
                "is_oa": True,
                "landing_page_url": f"https://arxiv.org/abs/{p['arxiv']}",
                "pdf_url": f"https://arxiv.org/pdf/{p['arxiv']}",
                "source": None,
            }
        )
    authorships = [
        {
            "author_position": "first" if k == 0 else "middle",
            "author": {
                "id": f"https://openalex.org/A{5_000_000_000 + r.randint(0, 10**8)}",
                "display_name": a,
                "orcid": None,
            },
            "institutions": (
                [
                    {
                        "id": "https://openalex.org/I23758234",
                        "display_name": "Universitas Negeri Surabaya",
                        "country_code": "ID",
                        "type": "education",
                    }
                ]
                if r.random() < 0.5
                else []
            ),
            "countries": [],
            "is_corresponding": False,
            "raw_author_name": a,
            "raw_affiliation_strings": [],
        }
        for k, a in enumerate(p["authors"])
    ]
    return {
        "id": wid,
        "doi": doi,
        "title": None if sparse and r.random() < 0.5 else p["title"],
        "display_name": p["title"],
        "publication_year": p["year"],
        "publication_date": p["date"],
        "ids": {"openalex": wid, "doi": doi},
        "language": "en",
        "primary_location": locs[0],
        "type": "article",
        "authorships": [] if sparse else authorships,
        "cited_by_count": 0 if sparse else p["count"],
        "biblio": {"volume": None, "issue": None, "first_page": None, "last_page": None},
        "is_retracted": False,
        "concepts": [
            {
                "id": "https://openalex.org/C41008148",
                "display_name": "Computer science",
                "level": 0,
                "score": round(r.random(), 4),
            }
        ],
        "locations": locs,
        "referenced_works_count": len(refs),
        "referenced_works": refs,
        "related_works": [],
        "abstract_inverted_index": inverted(p["abstract"]),
        "counts_by_year": [],
        "updated_date": "2024-01-01T00:00:00",
    }


def gen_openalex(
    w: World, n: int, out: Path, shift: float, version: int, parts: int = 4
) -> list[Path]:
    """Works as snapshot JSON Lines in parts; 3% of the works come again in a later part
    (an updated record, as a later snapshot holds)."""
    start = int(shift * n)
    per = (n + parts - 1) // parts
    files = []
    for k in range(parts):
        path = out / f"works_part_{k:03d}.jsonl"
        with path.open("w", encoding="utf-8") as fh:
            for i in range(start + k * per, start + min(n, (k + 1) * per)):
                fh.write(DUMP(oa_work(w, i, n, version)) + "\n")
                if k and w.rng(i, 13).random() < 0.03:
                    j = start + w.rng(i, 14).randrange(0, k * per)
                    fh.write(DUMP(oa_work(w, j, n, version + 1)) + "\n")
        files.append(path)
    return files


# -- Semantic Scholar bulk datasets ------------------------------------------------------


def gen_s2_bulk(w: World, n: int, out: Path, shift: float, version: int) -> list[Path]:
    """papers, abstracts, tldrs and citations shards (n lines in all), the lower-case
    schema of the real shards: string corpus ids in citations, null cited ids (works
    outside the corpus), one intents list per context."""
    npap = int(n * 0.35)
    start = int(shift * npap)
    kinds = ("papers", "abstracts", "tldrs", "citations")
    files = {k: (out / f"{k}-part0.jsonl").open("w", encoding="utf-8") for k in kinds}
    try:
        for i in range(start, start + npap):
            p = w.paper(i, version)
            r = w.rng(i, 21)
            files["papers"].write(DUMP(_bulk_paper(p, r)) + "\n")
            if r.random() < 0.57:
                ext = {"MAG": None, "ACL": None, "DOI": p["doi"], "ArXiv": p["arxiv"]}
                files["abstracts"].write(
                    DUMP(
                        {
                            "corpusid": p["cid"],
                            "openaccessinfo": {
                                "externalids": {**ext, "PubMedCentral": None},
                                "license": None,
                                "url": None,
                                "status": None,
                            },
                            "abstract": p["abstract"] or w.c.summary(r, p["title"]),
                            "updated": "2022-01-27T02:09:51.713Z",
                        }
                    )
                    + "\n"
                )
            if r.random() < 0.43:
                text = w.c.summary(r, p["title"])
                files["tldrs"].write(
                    DUMP({"corpusid": p["cid"], "model": "tldr@v2.0.0", "text": text}) + "\n"
                )
            for _ in range(r.choice((0, 1, 1, 1))):
                j = start + r.randrange(0, npap)
                ctx = (
                    [
                        " ".join(w.c._phrase(r, r.randint(10, 22))) + "."
                        for _ in range(r.randint(1, 2))
                    ]
                    if r.random() < 0.4
                    else None
                )
                cited = None if r.random() < 0.2 else 200_000_000 + j
                files["citations"].write(
                    DUMP(
                        {
                            "citingcorpusid": str(p["cid"]),
                            "citedcorpusid": None if cited is None else str(cited),
                            "isinfluential": r.random() < 0.1,
                            "contexts": ctx,
                            "intents": (
                                [r.sample(INTENTS, r.choice((0, 1))) for _ in ctx] if ctx else None
                            ),
                            "updated": "2020-09-13T15:59:00.392Z",
                        }
                    )
                    + "\n"
                )
    finally:
        for fh in files.values():
            fh.close()
    return [out / f"{k}-part0.jsonl" for k in kinds]


def _bulk_paper(p: dict, r: random.Random) -> dict:
    return {
        "corpusid": p["cid"],
        "externalids": {
            "ACL": None,
            "DBLP": None,
            "ArXiv": p["arxiv"],
            "MAG": None,
            "CorpusId": str(p["cid"]),
            "PubMed": None,
            "DOI": p["doi"],
            "PubMedCentral": None,
        },
        "url": f"https://www.semanticscholar.org/paper/{p['sha']}",
        "title": p["title"],
        "authors": [{"authorId": str(r.randint(10**6, 10**9)), "name": a} for a in p["authors"]],
        "venue": p["venue"] or "",
        "publicationvenueid": None,
        "year": p["year"],
        "referencecount": 0,
        "citationcount": p["count"],
        "influentialcitationcount": 0,
        "isopenaccess": False,
        "s2fieldsofstudy": [{"category": "Computer Science", "source": "s2-fos-model"}],
        "publicationtypes": None,
        "publicationdate": p["date"],
        "journal": {"name": "", "pages": None, "volume": ""},
        "updated": "2022-01-27T02:09:51.713Z",
    }


# -- citetui records ----------------------------------------------------------------------


def gen_records(w: World, n: int, out: Path, shift: float, version: int) -> list[Path]:
    """The records format: the hubs first, then one line per citing paper with its
    citations (roles, polarity, influence, some contexts), the same papers as the others."""
    path = out / "records.jsonl"
    roles = ["background", "method", "comparison", "extension", "critique"]
    with path.open("w", encoding="utf-8") as fh:
        header = {"format": "citetui-records", "version": 1, "source": {"name": "bench"}}
        fh.write(DUMP(header) + "\n")
        for h in range(w.n_hubs):
            hp = w.hub(h)
            rec = _record(f"h{h}", hp)
            rec["hub"] = {"tier": "mega hub" if h < 3 else "hub", "verdict": None}
            fh.write(DUMP(rec) + "\n")
        made, i = 0, int(shift * n)
        while made < n:
            p = w.paper(i, version)
            r = w.rng(i, 31)
            rec = _record(f"p{i}", p)
            cites = []
            for h in w.hubs_of(i):
                c: dict = {"paper": f"h{h}", "roles": [r.choice(roles)]}
                if r.random() < 0.6:
                    c["polarity"] = r.choice(("supportive", "neutral", "critical"))
                c["influential"] = r.random() < 0.1
                if r.random() < 0.1:
                    text = " ".join(w.c._phrase(r, r.randint(10, 18)))
                    c["contexts"] = [{"text": f"We follow {text} [12].", "roles": c["roles"]}]
                cites.append(c)
            rec["cites"] = cites
            fh.write(DUMP(rec) + "\n")
            made += 1
            i += 1
    return [path]


def _record(key: str, p: dict) -> dict:
    ids: dict = {"corpus_id": p["cid"], "s2": p["sha"]}
    if p["doi"]:
        ids["doi"] = p["doi"]
    if p["arxiv"]:
        ids["arxiv"] = p["arxiv"]
    return {
        "key": key,
        "title": p["title"],
        "year": p["year"],
        "venue": p["venue"] or None,
        "abstract": p["abstract"],
        "citation_count": p["count"],
        "ids": ids,
        "authors": p["authors"],
    }


GENERATORS: dict[str, Callable[..., list[Path]]] = {
    "s2-jsonl": gen_s2_jsonl,
    "s2-pages": gen_s2_pages,
    "s2-refs": gen_s2_refs,
    "s2-paper": gen_s2_paper,
    "openalex": gen_openalex,
    "s2-bulk": gen_s2_bulk,
    "records": gen_records,
}


def generate(fmt: str, n: int, out: Path, *, seed: int = 1, shift: float = 0.0) -> list[Path]:
    """Write the files of ``fmt`` with ``n`` records into ``out`` (reused when the same
    command already wrote them there); return them in import order."""
    out.mkdir(parents=True, exist_ok=True)
    done = out / ".done"
    stamp = f"{fmt} {n} {seed} {shift}"
    if done.exists() and done.read_text().split("\n", 1)[0] == stamp:
        return [out / name for name in done.read_text().split("\n")[1:] if name]
    for old in out.iterdir():
        old.unlink()
    files = GENERATORS[fmt](World(n, seed), n, out, shift, 1 if shift else 0)
    done.write_text("\n".join([stamp, *(f.name for f in files)]))
    return files


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("format", choices=FORMATS)
    ap.add_argument("n", type=int)
    ap.add_argument("out", type=Path)
    ap.add_argument("--seed", type=int, default=1)
    ap.add_argument("--shift", type=float, default=0.0)
    a = ap.parse_args()
    files = generate(a.format, a.n, a.out, seed=a.seed, shift=a.shift)
    size = sum(f.stat().st_size for f in files)
    print(json.dumps({"format": a.format, "n": a.n, "files": len(files), "bytes": size}))


if __name__ == "__main__":
    main()
