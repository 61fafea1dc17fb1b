"""Search on real queries (the shared sets): recall, latency, the resolver, in one run.

Run from the repository root (``../shared/data/queries`` must be there)::

    python -m bench.real --work /tmp/bench/real                 # 25k library
    python -m bench.real --work /tmp/bench/real --n 1000000     # the same targets in 1M

It builds a library holding the target records among distractors
(:mod:`bench.realdata`) with the real ``citetui import``, then, per query class:
recall@1, recall@10 and MRR of the engine (:func:`citetui.search.search`, limit
10), latency p50/p95 (wall and CPU) and how often it answered nothing; beside it,
on the first ``--brute`` queries of each class, brute-force rapidfuzz ``WRatio``
and ``token_set_ratio`` over "title authors year" of every paper (ties broken by a
fixed hash of the id, as the engine's: ids follow import order). Then the resolver
of write commands on every class with a target (resolved to the target, wrong
paper, refused), the exploratory guarantee (never empty while a paper holds a
rare word of the query), author-year ambiguity (how many papers share the
query's surname, year and word with the target) and how many queries the query
syntax refuses (an unknown ``field:``).
"""

from __future__ import annotations

import argparse
import contextlib
import json
import random
import subprocess
import sys
import time
from pathlib import Path
from typing import Any

from bench import realdata

ROOT = Path(__file__).resolve().parents[1]
CLASSES = (
    "reference",
    "author_year",
    "noisy_title_dblp",
    "noisy_title_ocr",
    "title_exact",
    "identifier",
    "exploratory",
)


def pct(values: list[float], p: float) -> float:
    values = sorted(values)
    return values[min(len(values) - 1, int(round(p / 100 * (len(values) - 1))))] if values else 0.0


def target_ids(lib: Any, real: list[dict]) -> dict[str, int]:
    """Each real target's paper id in a library built by :func:`library` (found by the
    corpus id :func:`bench.realdata.build` gave it)."""
    base = realdata.CORPUS_BASE
    by_cid = dict(
        lib._rows(
            "SELECT corpus_id, id FROM papers WHERE corpus_id BETWEEN ? AND ?",
            (base, base + len(real)),
        )
    )
    cids = {r["key"]: r["ids"]["corpus_id"] for r in real}
    return {key: by_cid[cid] for key, cid in cids.items() if cid in by_cid}


def library(work: Path, n: int, real: list[dict], distractors: list[dict]) -> Path:
    db = work / f"real-{n}.db"
    if db.exists():
        return db
    n_markov = 8000 if n < 100_000 else 200_000
    extra = distractors[:n_markov]
    n_bench = max(0, n - len(real) - len(extra))
    path = work / f"real-{n}.jsonl"
    dump = json.JSONEncoder(ensure_ascii=False).encode
    with path.open("w", encoding="utf-8") as fh:
        for rec in realdata.records(real, extra, n_bench):
            fh.write(dump(rec) + "\n")
    t = time.perf_counter()
    subprocess.run(
        [sys.executable, "-m", "citetui", "--db", str(db), "import", str(path), "--json"],
        check=True,
        stdout=subprocess.DEVNULL,
        cwd=ROOT,
    )
    print(f"imported {path.name} in {time.perf_counter() - t:.1f} s", file=sys.stderr)
    return db


def real_library(work: Path, n: int) -> tuple[Any, list[dict], dict[str, list[dict]], dict]:
    """The library of ``n`` papers holding the real targets (built once in ``work``),
    opened read-only: (library, targets, query sets, each target's paper id). A library
    an older citetui built is upgraded first (read-only, it cannot be)."""
    from citetui.store import Library

    work.mkdir(parents=True, exist_ok=True)
    real, qs, distractors = realdata.build()
    db = library(work, n, real, distractors)
    Library(db).close()  # (the schema's upgrade, if any)
    lib = Library(db, readonly=True)
    return lib, real, qs, target_ids(lib, real)


def sample(qs: dict[str, list[dict]], per_class: int, seed: int) -> list[dict]:
    out = []
    for cls in CLASSES:
        rows = list(qs.get(cls, []))
        rng = random.Random(seed)
        if cls == "identifier":  # every kind of identifier alike
            by: dict[str, list[dict]] = {}
            for r in rows:
                by.setdefault(r["kind"], []).append(r)
            rows = []
            for k in sorted(by):
                rng.shuffle(by[k])
                rows += by[k][: per_class // len(by)]
        elif len(rows) > per_class:
            rows = rng.sample(rows, per_class)
        out += [{**r, "class": cls} for r in rows]
    return out


def grade(ranks: list[int | None]) -> dict:
    n = len(ranks) or 1
    return {
        "n": len(ranks),
        "r1": sum(r == 1 for r in ranks) / n,
        "r10": sum(r is not None and r <= 10 for r in ranks) / n,
        "mrr": sum(1 / r for r in ranks if r) / n,
    }


def engine_run(lib, queries: list[dict], pid: dict[str, int]) -> dict:
    from citetui.core.query import QueryError
    from citetui.search import search

    for q in queries[:30]:  # warm the term list and the page cache
        with contextlib.suppress(QueryError):
            search(lib, q["q"] + " zz", limit=10)
    out: dict[str, dict] = {}
    for q in queries:
        c0, t0 = time.thread_time(), time.perf_counter()
        try:
            ids = list(search(lib, q["q"], limit=10).ids[:10])
        except QueryError:
            ids = []
        ms, cpu = (time.perf_counter() - t0) * 1000, (time.thread_time() - c0) * 1000
        tgt = pid.get(q.get("target") or "")
        rank = ids.index(tgt) + 1 if tgt in ids else None
        d = out.setdefault(q["class"], {"ranks": [], "ms": [], "cpu": [], "empty": 0, "split": []})
        d["ranks"].append(rank)
        d["ms"].append(ms)
        d["cpu"].append(cpu)
        d["empty"] += not ids
        d["split"].append(q.get("split"))
        if q["class"] == "reference" and len(q["q"].split()) >= 30:
            out.setdefault(
                "reference, 30+ words", {"ranks": [], "ms": [], "cpu": [], "empty": 0, "split": []}
            )
            e = out["reference, 30+ words"]
            (
                e["ranks"].append(rank),
                e["ms"].append(ms),
                e["cpu"].append(cpu),
                e["split"].append(None),
            )
    res = {}
    for cls, d in out.items():
        g = grade(d["ranks"])
        for split in ("tune", "holdout"):
            rs = [r for r, s in zip(d["ranks"], d["split"], strict=True) if s == split]
            if rs:
                g[split] = grade(rs)
        g.update(
            p50=pct(d["ms"], 50),
            p95=pct(d["ms"], 95),
            cpu50=pct(d["cpu"], 50),
            cpu95=pct(d["cpu"], 95),
            empty=d["empty"] / len(d["ranks"]),
        )
        res[cls] = g
    return res


def brute(
    lib, queries: list[dict], pid: dict[str, int], per_class: int, scorers: list[str]
) -> dict:
    from rapidfuzz import fuzz, process, utils

    from citetui.search.closest import mix

    rows = lib._rows("SELECT id, coalesce(title, summary, ''), authors, year FROM papers")
    keys = [r[0] for r in rows]
    texts = [
        utils.default_process(f"{t} {' '.join(json.loads(a)) if a else ''} {y or ''}")
        for _, t, a, y in rows
    ]
    out: dict[str, dict] = {}
    known = {"WRatio": fuzz.WRatio, "token_set_ratio": fuzz.token_set_ratio}
    for scorer_name, scorer in ((name, known[name]) for name in scorers):
        by: dict[str, list] = {}
        for cls in CLASSES:
            for q in [q for q in queries if q["class"] == cls][:per_class]:
                qp = utils.default_process(q["q"])
                t0 = time.perf_counter()
                top = process.extract(qp, texts, scorer=scorer, processor=None, limit=10)
                ids: list[int] = []
                if top:
                    cut = top[-1][1]
                    # every choice tied with the tenth, as an iterator (a list of all the
                    # choices above a low cut-off took 23 GB at 1M)
                    allc = list(
                        process.extract_iter(
                            qp, texts, scorer=scorer, processor=None, score_cutoff=cut
                        )
                    )
                    allc.sort(key=lambda x: (-x[1], mix(keys[x[2]])))
                    ids = [keys[i] for _, _, i in allc[:10]]
                ms = (time.perf_counter() - t0) * 1000
                tgt = pid.get(q.get("target") or "")
                by.setdefault(cls, []).append((ids.index(tgt) + 1 if tgt in ids else None, ms))
        out[scorer_name] = {
            c: {**grade([r for r, _ in v]), "p50": pct([m for _, m in v], 50)}
            for c, v in by.items()
        }
    return out


def resolver_run(lib, queries: list[dict], pid: dict[str, int]) -> dict:
    from citetui.core.query import QueryError
    from citetui.search.resolver import resolve
    from citetui.store import NotFound

    out: dict[str, dict] = {}
    wrong = []
    for q in queries:
        if q["class"] == "exploratory":
            continue
        d = out.setdefault(q["class"], {"n": 0, "right": 0, "wrong": 0, "refused": 0})
        d["n"] += 1
        try:
            got = resolve(lib, q["q"], write=True).paper.id
        except (NotFound, QueryError):
            d["refused"] += 1
            continue
        if got == pid.get(q["target"]):
            d["right"] += 1
        else:
            d["wrong"] += 1
            wrong.append((q["class"], q["q"][:100], got))
    out["_wrong_examples"] = wrong[:10]  # type: ignore[assignment]
    return out


def exploratory_run(lib, qs: list[dict]) -> dict:
    from citetui.search import engine, search, tokens

    vocab = engine(lib).vocabulary()
    n = held = empty = top = 0
    for q in qs:
        n += 1
        rare = [t for t in tokens(q["q"]) if 0 < vocab.docs.get(t, 0) <= 0.01 * vocab.n_papers]
        ids = search(lib, q["q"], limit=10).ids
        if rare:
            held += 1
            empty += not ids
            if ids:
                p = lib.paper(ids[0])
                text = f"{p.title} {' '.join(p.authors)} {p.year} {p.venue} {p.summary}"
                words = set(tokens(f"{text} {p.abstract}"))
                top += any(w in words for w in rare)
    return {
        "queries": n,
        "with_a_rare_word": held,
        "empty_although_held": empty,
        "top_holds_a_rare_word": top,
    }


def ambiguity(lib, qs: list[dict], pid: dict[str, int]) -> dict:
    """How many author-year queries have more than one paper fitting them as well as the
    target (first author's surname, the year, the word in the title)."""
    from citetui.core.ids import author_key
    from citetui.search import search, tokens

    amb = 0
    first = {True: 0, False: 0}  # the target first, for ambiguous and unambiguous queries
    shapes: dict[str, list[int]] = {}  # shape -> [queries, target first, several fit]
    for q in qs:
        toks = tokens(q["q"])
        ids = search(lib, q["q"], limit=50).ids
        fits = 0
        for p in lib.papers(list(ids)).values():
            words = set(tokens(p.title))
            ok = author_key(list(p.authors)) == toks[0] if p.authors else False
            for t in toks[1:]:
                ok &= (p.year == int(t)) if t.isdigit() and len(t) == 4 else (t in words)
            fits += ok
        amb += fits > 1
        hit = bool(ids) and ids[0] == pid.get(q["target"])
        first[fits > 1] += hit
        tally = shapes.setdefault(SHAPES[q.get("shape", 0)], [0, 0, 0])
        tally[0] += 1
        tally[1] += hit
        tally[2] += fits > 1
    return {
        "queries": len(qs),
        "more_than_one_paper_fits": amb,
        "r1_when_one_fits": round(first[False] / max(1, len(qs) - amb), 3),
        "r1_when_several_fit": round(first[True] / max(1, amb), 3),
        "by_shape": {
            k: {"n": n, "r1": round(hit / n, 3), "more_than_one_paper_fits": several}
            for k, (n, hit, several) in shapes.items()
        },
    }


# The author-year queries' shapes (bench.realdata): "surname year" fits every paper of
# that first author that year, so in a big library it is ambiguous by nature.
SHAPES = ("surname year", "surname word", "surname year word")


def syntax_errors(qs: dict[str, list[dict]]) -> dict:
    from citetui.core.query import QueryError, parse

    n = bad = 0
    examples = []
    for rows in qs.values():
        for q in rows:
            n += 1
            try:
                parse(q["q"])
            except QueryError as exc:
                bad += 1
                examples.append((q["q"][:80], str(exc)[:60]))
    return {"queries": n, "refused": bad, "examples": examples[:8]}


def report(r: dict) -> str:
    lines = [
        f"library: {r['papers']:,} papers",
        "",
        "| class | n | R@1 | R@10 | MRR | empty | p50 ms | p95 ms | cpu p50 | cpu p95 | "
        "R@1/R@10 tune | R@1/R@10 holdout |",
        "|" + "---|" * 12,
    ]
    for cls, g in r["engine"].items():
        t, h = g.get("tune", {}), g.get("holdout", {})
        lines.append(
            f"| {cls} | {g['n']} | {g['r1']:.3f} | {g['r10']:.3f} | {g['mrr']:.3f} | "
            f"{g['empty']:.3f} | {g['p50']:.1f} | {g['p95']:.1f} | {g['cpu50']:.1f} | "
            f"{g['cpu95']:.1f} | {t.get('r1', 0):.3f}/{t.get('r10', 0):.3f} | "
            f"{h.get('r1', 0):.3f}/{h.get('r10', 0):.3f} |"
        )
    if r.get("brute"):
        lines += [
            "",
            "| class | n | engine R@1/R@10/MRR | WRatio R@1/R@10/MRR (p50 ms) | "
            "token_set R@1/R@10/MRR (p50 ms) |",
            "|---|---|---|---|---|",
        ]
        for cls, e in r["engine_brute"].items():
            none = {"n": 0, "r1": 0.0, "r10": 0.0, "mrr": 0.0, "p50": 0.0}
            w = r["brute"].get("WRatio", {}).get(cls, none)
            s = r["brute"].get("token_set_ratio", {}).get(cls, none)
            lines.append(
                f"| {cls} | {e['n']} | {e['r1']:.3f}/{e['r10']:.3f}/{e['mrr']:.3f} | "
                f"{w['r1']:.3f}/{w['r10']:.3f}/{w['mrr']:.3f} ({w['p50']:.0f}) | "
                f"{s['r1']:.3f}/{s['r10']:.3f}/{s['mrr']:.3f} ({s['p50']:.0f}) |"
            )
    if r.get("resolver"):
        lines += [
            "",
            "| resolver (write) | n | resolved to the target | wrong paper | refused |",
            "|---|---|---|---|---|",
        ]
        tot = {"n": 0, "right": 0, "wrong": 0, "refused": 0}
        for cls, d in r["resolver"].items():
            if cls.startswith("_"):
                continue
            lines.append(
                f"| {cls} | {d['n']} | {d['right'] / d['n']:.3f} | {d['wrong']} | {d['refused']} |"
            )
            if cls != "author_year":
                for k in tot:
                    tot[k] += d[k]
        if tot["n"]:
            lines.append(
                f"| all but author_year | {tot['n']} | {tot['right'] / tot['n']:.3f} | "
                f"{tot['wrong']} | {tot['refused']} |"
            )
    for key in ("exploratory", "ambiguity", "syntax"):
        if r.get(key):
            lines += ["", f"{key}: {json.dumps(r[key], ensure_ascii=False)}"]
    return "\n".join(lines)


def main(argv: list[str] | None = None) -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--work", type=Path, required=True)
    ap.add_argument("--n", type=int, default=25_000, help="papers in the library")
    ap.add_argument("--per-class", type=int, default=500)
    ap.add_argument("--brute", type=int, default=60, help="queries a class for brute force")
    ap.add_argument("--resolver", type=int, default=500, help="queries a class for the resolver")
    ap.add_argument("--scorers", default="WRatio,token_set_ratio", help="brute-force scorers")
    ap.add_argument("--seed", type=int, default=1)
    ap.add_argument("--json", type=Path)
    a = ap.parse_args(argv)
    lib, real, qs, pid = real_library(a.work, a.n)
    queries = sample(qs, a.per_class, a.seed)
    res: dict = {"papers": lib._rows("SELECT count(*) FROM papers")[0][0]}
    res["engine"] = engine_run(lib, queries, pid)
    if a.brute:
        sub = [q for cls in CLASSES for q in [x for x in queries if x["class"] == cls][: a.brute]]
        res["engine_brute"] = {k: v for k, v in engine_run(lib, sub, pid).items()}
        res["brute"] = brute(lib, sub, pid, a.brute, a.scorers.split(","))
    if a.resolver:
        rq = [q for cls in CLASSES for q in [x for x in queries if x["class"] == cls][: a.resolver]]
        res["resolver"] = resolver_run(lib, rq, pid)
    res["exploratory"] = exploratory_run(lib, qs.get("exploratory", []))
    res["ambiguity"] = ambiguity(lib, [q for q in queries if q["class"] == "author_year"], pid)
    res["syntax"] = syntax_errors(qs)
    print(report(res))
    if a.json:
        a.json.write_text(json.dumps(res, indent=1, default=str))


if __name__ == "__main__":
    main()
