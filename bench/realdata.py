"""Real query sets for the search benchmark, built from ``../shared/data/queries``.

Nothing here is committed data: every run reads the shared files (GROBID reference
strings, ditto's Dirty DBLP-ACM pairs) and writes, under the work folder,

- the *target* records: one per tagged GROBID title (authors parsed into names, the
  year, and the DOI / arXiv id printed in the reference), and the clean side of each
  matching DBLP-ACM pair (values the "dirty" transform moved into the title moved
  back); every one gets a corpus id, some an S2 paperId or an OpenAlex W-id;
- *distractors* that share their vocabulary: titles from a bigram chain over the
  real titles, with real given names and surnames, years and venues (the hard part),
  then the benchmark's generated papers (:mod:`bench.corpus`);
- the query classes, each with its target: ``reference`` (the whole string, as
  pasted), ``author_year`` ("surname year", "surname word", "surname year word"),
  ``noisy_title_dblp`` (the dirty side of a pair), ``noisy_title_ocr`` (a printed
  title whose merged words the library's title has apart), ``title_exact``,
  ``identifier`` (bare, URL, prefixed, inside words) and ``exploratory`` (1-3 words
  of a paper and 1-2 words no paper holds; no target).

Half of the queries are ``tune`` and half ``holdout`` (by source file / ditto split);
the engine's knobs were set looking at ``tune`` failures only.
"""

from __future__ import annotations

import hashlib
import html
import json
import random
import re
import unicodedata
from collections import Counter, defaultdict
from collections.abc import Iterator
from pathlib import Path

from citetui.core.vocab import STOPWORDS as STOP

# The corpus ids given to the real targets: the target i is CORPUS_BASE + i.
CORPUS_BASE = 200_000_000

QUERIES = Path(__file__).resolve().parents[1] / ".." / "shared" / "data" / "queries"

FUNC = {"at", "of", "and", "with", "from", "the", "for", "to", "by", "on", "in", "using", "via"}


def _jsonl(path: Path) -> list[dict]:
    with path.open(encoding="utf-8") as fh:
        return [json.loads(x) for x in fh]


def h(s: str) -> int:
    return int(hashlib.md5(s.encode()).hexdigest()[:8], 16)


def split_of(key: str) -> str:
    return "tune" if h(key) % 2 == 0 else "holdout"


def norm(t: str | None) -> str:
    t = unicodedata.normalize("NFKD", t or "")
    t = "".join(c for c in t if not unicodedata.combining(c)).casefold()
    return " ".join(re.findall(r"[^\W_]+", t))


def demerge(title: str, freq: Counter[str]) -> str:
    """Split words a PDF merged ('Collisionsat' -> 'Collisions at') when the merged word is
    rare (in at most 3 titles) and both parts are five times commoner, one of them a
    function word."""

    def fix(mo: re.Match[str]) -> str:
        tok = mo.group(0)
        low = tok.lower()
        if len(low) < 6 or freq[low] > 3:
            return tok
        best = None
        for i in range(2, len(low) - 1):
            a, b = low[:i], low[i:]
            if (a in FUNC and freq[b] >= 3 and len(b) >= 4) or (
                b in FUNC and freq[a] >= 3 and len(a) >= 4
            ):
                score = min(freq[a], freq[b])
                if score >= 5 * freq[low] and (best is None or score > best[0]):
                    best = (score, i)
        return tok if best is None else tok[: best[1]] + " " + tok[best[1] :]

    return re.sub(r"\s+", " ", re.sub(r"[A-Za-z]+", fix, title)).strip()


INITIALS = re.compile(r"^(?:[A-Z]\.?-?){1,3}$|^(?:[A-Z]\.\s?)+$")


def _initials(tok: str) -> bool:
    return bool(INITIALS.match(tok.replace(" ", "")))


def _expand(ini: str) -> str:
    return " ".join(c + "." for c in re.findall(r"[A-Z]", ini))


def parse_authors(s: str | None) -> list[str]:
    """'Djurhuus MS, Gram J' / 'R. Bai, C. Bai and J. Wang' / 'Aganagic, M.' -> names."""
    if not s:
        return []
    s = re.sub(r"\bet\s*al\.?", "", s)
    s = re.sub(r"\s+(?:and|&)\s+", ", ", s)
    pieces = [p.strip(" .,;") for p in re.split(r"[;,]", s)]
    pieces = [p for p in pieces if p and not p.isdigit()]
    names: list[str] = []
    i = 0
    while i < len(pieces):
        p = pieces[i]
        toks = p.split()
        nxt = pieces[i + 1] if i + 1 < len(pieces) else None
        if (
            len(toks) == 1
            and nxt is not None
            and (
                _initials(nxt.replace(" ", ""))
                or (any(_initials(t) for t in nxt.split()) and len(nxt.split()) <= 3)
            )
        ):
            given = " ".join(_expand(t) if _initials(t) else t for t in nxt.split())
            names.append(f"{given} {p}")
            i += 2
            continue
        if len(toks) >= 2 and _initials(toks[-1]) and toks[-1].isupper() and "." not in toks[-1]:
            names.append(f"{_expand(toks[-1])} {' '.join(toks[:-1])}")  # Vancouver
        else:
            names.append(" ".join(_expand(t) if _initials(t) and len(t) <= 3 else t for t in toks))
        i += 1
    return [n for n in names if re.search(r"[^\W\d_]{2}", n)][:30]


def surname(name: str) -> str:
    toks = [t for t in name.split() if not _initials(t)]
    return toks[-1] if toks else name.split()[-1]


DOI_RE = re.compile(r"\b(10\.\d{4,9}/[^\s\"<>]+)")
ARXIV_NEW = re.compile(r"(?i)arxiv\s*:?\s*(\d{4}\.\d{4,5})(v\d+)?")


def ids_in_reference(ref: str) -> dict[str, str]:
    out = {}
    m = DOI_RE.search(re.sub(r"(10\.\d{4,9})\s+/\s*", r"\1/", ref))
    if m:
        d = re.split(r"[\[\],;]", m.group(1))[0]
        d = re.sub(r"\.(?:pmid|pmcid|issn|doi|arxiv|epub)\b.*$", "", d, flags=re.I).rstrip(".:")
        if d.count(")") > d.count("("):
            d = d.rstrip(")")
        if "/" in d and len(d) > 8:
            out["doi"] = d.lower()
    m = ARXIV_NEW.search(ref)
    if m:
        out["arxiv"] = m.group(1)
    return out


def _year(s: str | None) -> int | None:
    m = re.search(r"\b(1[5-9]\d\d|20[0-2]\d)\b", s or "")
    return int(m.group(1)) if m else None


REC = re.compile(
    r"COL title VAL (.*?) COL authors VAL (.*?) COL venue VAL (.*?) COL year VAL ?(.*)$"
)


def _rec(s: str) -> dict:
    m = REC.match(s.strip())
    assert m, s
    t, a, v, y = (html.unescape(x.strip()) for x in m.groups())
    return {"title": t, "authors": a, "venue": v, "year": y.replace(".0", "")}


def dblp_acm() -> tuple[list[dict], list[dict]]:
    """The clean side of every matching pair (the library) and the dirty side's title
    field as its query."""
    pairs = []
    for split in ("train", "valid", "test"):
        with (QUERIES / f"ditto_dirty_DBLP-ACM_{split}.tsv").open(encoding="utf-8") as fh:
            for line in fh:
                a, b, lab = line.rstrip("\n").split("\t")
                pairs.append((a.strip(), b.strip(), int(lab), split))
    recs = {}
    for a, b, _, _ in pairs:
        recs.setdefault(a, _rec(a))
        recs.setdefault(b, _rec(b))
    venues = sorted({r["venue"] for r in recs.values() if r["venue"]}, key=len, reverse=True)

    def clean(r: dict, authors: str | None) -> dict:
        t, year, venue = r["title"], r["year"], r["venue"]
        if not year and (m := re.search(r"\s((?:19|20)\d\d)$", t)):
            year, t = m.group(1), t[: m.start()].strip()
        if not venue:
            for v in venues:
                if t.endswith(" " + v):
                    venue, t = v, t[: -len(v) - 1].strip()
                    break
        authors = r["authors"] or authors or ""
        if not r["authors"] and authors:  # the partner's authors appended to the title
            names = set(re.split(r"[\s,]+", authors.lower()))
            toks = t.split()
            j = len(toks)
            while j > 0 and (toks[j - 1].lower() in names or toks[j - 1] == ","):
                j -= 1
            if j < len(toks) - 1:
                t = " ".join(toks[:j])
        return {"title": t.strip(" ,:"), "authors": authors, "venue": venue, "year": year}

    queries, library, used = [], {}, set()
    for a, b, lab, split in pairs:
        if lab != 1:
            continue
        moved = [sum(1 for f in ("authors", "venue", "year") if not recs[x][f]) for x in (a, b)]
        tgt, qry = (a, b) if moved[0] <= moved[1] else (b, a)
        if qry in library or tgt in used:
            continue
        used.add(qry)
        if tgt not in library:
            library[tgt] = clean(recs[tgt], recs[qry]["authors"])
        queries.append(
            {
                "q": recs[qry]["title"],
                "target": f"d{h(tgt)}",
                "split": "tune" if split == "train" else "holdout",
            }
        )
    out = []
    for raw, c in library.items():
        authors = [x.strip() for x in c["authors"].split(" , ") if x.strip()]
        year = int(c["year"]) if c["year"] else None
        out.append(
            {
                "key": f"d{h(raw)}",
                "title": c["title"],
                "year": year,
                "venue": c["venue"] or None,
                "authors": authors,
                "ids": {},
                "src": "dblp",
            }
        )
    return out, queries


def grobid(freq: Counter[str]) -> tuple[list[dict], list[dict]]:
    rows = _jsonl(QUERIES / "grobid_references_dev.jsonl")
    targets: dict[str, dict] = {}
    by_key: dict[tuple, str] = {}
    queries = []
    for i, r in enumerate(rows):
        printed = (r["title"] or "").strip()
        if not printed or not r["reference"]:
            continue
        title = demerge(printed, freq)
        year = _year(r["date"])
        ident = (norm(title), year)
        key = by_key.get(ident)
        ids = ids_in_reference(r["reference"])
        if key is None:
            key = by_key[ident] = f"g{i}"
            targets[key] = {
                "key": key,
                "title": title,
                "year": year,
                "venue": None,
                "authors": parse_authors(r["authors"]),
                "ids": dict(ids),
                "src": "grobid",
            }
        queries.append(
            {
                "ref": r["reference"],
                "printed": printed,
                "target": key,
                "split": split_of(r["source_file"]),
            }
        )
    return list(targets.values()), queries


def markov(real: list[dict], n: int, seed: int = 7) -> list[dict]:
    """Titles from a bigram chain over the real titles; authors from real names."""
    rng = random.Random(seed)
    nxt: dict[str, list[str]] = defaultdict(list)
    starts, seen = [], {norm(r["title"]) for r in real}
    for r in real:
        toks = r["title"].split()
        if len(toks) >= 2:
            starts.append(toks[0])
            for x, y in zip(toks, [*toks[1:], "</s>"], strict=True):
                nxt[x].append(y)
    surnames = [surname(a) for r in real for a in r["authors"] if a]
    givens = [a.split()[0] for r in real for a in r["authors"] if len(a.split()) > 1]
    years = [r["year"] for r in real if r["year"]]
    venues = [r["venue"] for r in real if r.get("venue")]
    out: list[dict] = []
    while len(out) < n:
        toks = [rng.choice(starts)]
        while len(toks) < 22:
            w = rng.choice(nxt[toks[-1]]) if nxt[toks[-1]] else "</s>"
            if w == "</s>":
                if len(toks) >= 4:
                    break
                w = rng.choice(starts)
            toks.append(w)
        t = " ".join(toks)
        if norm(t) in seen:
            continue
        authors = [f"{rng.choice(givens)} {rng.choice(surnames)}" for _ in range(rng.randint(1, 5))]
        out.append(
            {
                "key": f"m{len(out)}",
                "title": t,
                "year": rng.choice(years),
                "venue": rng.choice(venues) if rng.random() < 0.5 else None,
                "authors": authors,
                "ids": {},
                "src": "markov",
            }
        )
    return out


def build(seed: int = 3) -> tuple[list[dict], dict[str, list[dict]], list[dict]]:
    """(real records, queries by class, the 200k distractors)."""
    d_lib, d_queries = dblp_acm()
    refs = _jsonl(QUERIES / "grobid_references_dev.jsonl")
    titles = {(r["title"] or "").lower() for r in refs} | {r["title"].lower() for r in d_lib}
    freq = Counter(t for title in titles for t in re.findall(r"[a-z]+", title))
    g_lib, g_queries = grobid(freq)
    seen: dict[tuple, str] = {}
    alias: dict[str, str] = {}
    real = []
    taken: set[tuple[str, str]] = set()
    for r in g_lib + d_lib:
        k = (norm(r["title"]), r["year"])
        if k in seen:
            alias[r["key"]] = seen[k]
            continue
        seen[k] = r["key"]
        r["ids"] = {kk: v for kk, v in r["ids"].items() if (kk, v) not in taken}
        taken.update(r["ids"].items())
        real.append(r)
    rng = random.Random(seed)
    for i, r in enumerate(real):
        r["ids"]["corpus_id"] = CORPUS_BASE + i
        if rng.random() < 0.15:
            r["ids"]["s2"] = hashlib.sha1(r["key"].encode()).hexdigest()
        if rng.random() < 0.15:
            r["ids"]["openalex"] = f"W{2_000_000_000 + h(r['key']) % 900_000_000}"
    by_key = {r["key"]: r for r in real}
    qs: dict[str, list[dict]] = defaultdict(list)
    for q in g_queries:
        t = by_key[alias.get(q["target"], q["target"])]
        qs["reference"].append({"q": q["ref"], "target": t["key"], "split": q["split"]})
        cls = "noisy_title_ocr" if norm(q["printed"]) != norm(t["title"]) else "title_exact"
        qs[cls].append({"q": q["printed"], "target": t["key"], "split": q["split"]})
    for q in d_queries:
        qs["noisy_title_dblp"].append({**q, "target": alias.get(q["target"], q["target"])})
    for r in real:
        if not (r["authors"] and r["year"]):
            continue
        sn = surname(r["authors"][0])
        words = [
            w for w in re.findall(r"[^\W\d_]+", r["title"]) if len(w) >= 4 and w.lower() not in STOP
        ]
        shape = h(r["key"]) % 3 if words else 0
        q = [
            f"{sn} {r['year']}",
            f"{sn} {rng.choice(words or [''])}",
            f"{sn} {r['year']} {rng.choice(words or [''])}",
        ][shape]
        qs["author_year"].append(
            {
                "q": q.lower() if rng.random() < 0.7 else q,
                "target": r["key"],
                "split": split_of(r["key"]),
                "shape": shape,
            }
        )
    for r in real:
        for kind, v in r["ids"].items():
            forms = {
                "doi": [
                    v,
                    f"https://doi.org/{v}",
                    f"doi:{str(v).upper()}",
                    " ".join(r["title"].split()[:3]) + f" {v}",
                ],
                "arxiv": [
                    v,
                    f"https://arxiv.org/abs/{v}v2",
                    f"arXiv:{v}",
                    " ".join(r["title"].split()[:3]) + f" arxiv {v}",
                ],
                "corpus_id": [f"CorpusID:{v}"],
                "s2": [v, f"https://www.semanticscholar.org/paper/{v}"],
                "openalex": [v, f"https://openalex.org/{v}"],
            }[kind]
            qs["identifier"].append(
                {
                    "q": forms[h(r["key"] + kind) % len(forms)],
                    "target": r["key"],
                    "split": split_of(r["key"]),
                    "kind": kind,
                }
            )
    distractors = markov(real, 200_000)
    vocab = {
        w
        for r in real + distractors
        for w in norm(r["title"] + " " + " ".join(r["authors"])).split()
    }
    absent = sorted(
        {w for r in refs for w in re.findall(r"[a-z]{5,}", r["reference"].lower())} - vocab
    )
    for _ in range(400):
        r = rng.choice(real + distractors[:8000])
        words = [
            w.lower()
            for w in re.findall(r"[^\W\d_]+", r["title"])
            if len(w) >= 4 and w.lower() not in STOP
        ]
        if len(words) < 2 or not absent:
            continue
        q = rng.sample(words, min(rng.randint(1, 3), len(words))) + rng.sample(
            absent, rng.randint(1, 2)
        )
        rng.shuffle(q)
        qs["exploratory"].append({"q": " ".join(q), "target": r["key"], "split": "holdout"})
    return real, dict(qs), distractors


def records(real: list[dict], distractors: list[dict], n_bench: int) -> Iterator[dict]:
    """The library's records (records format): distractors first, the real records last,
    so that ids, which follow import order, favour no real record in a tie."""
    from bench.corpus import Corpus

    def rec(r: dict) -> dict:
        out = {"key": r["key"], "title": r["title"]}
        for f in ("year", "venue"):
            if r.get(f):
                out[f] = r[f]
        if r.get("authors"):
            out["authors"] = r["authors"]
        ids = {"s2" if k == "s2" else k: v for k, v in r["ids"].items()}
        out["ids"] = ids
        return out

    yield {"format": "citetui-records", "version": 1, "source": {"name": "search-bench"}}
    if n_bench:
        # The generator's made-up DOIs and arXiv ids may be real ones (1611.04791 is):
        # a generated paper holding a target's identifier would take the target in.
        taken = {str(v).casefold() for r in real for v in r["ids"].values()}
        c = Corpus(n_bench, 1)
        for p in c.papers():
            p.pop("cites", None)
            p["key"] = "b" + p["key"]
            ids = p.get("ids") or {}
            p["ids"] = {k: v for k, v in ids.items() if str(v).casefold() not in taken}
            yield p
    for i, r in enumerate(distractors):
        yield {**rec(r), "ids": {"corpus_id": 300_000_000 + i}}
    for r in real:
        yield rec(r)
