"""The search benchmark: build a library through the real import, then time and grade search.

Run from the repository root::

    python -m bench.run --n 1000000          # the full benchmark (see bench/README.md)
    python -m bench.run --n 10000 --quick    # what CI runs (tests/test_bench_small.py)

It prints one table: import (records/s, against ``sqlite-utils insert`` of the
same records with no index), library size against the raw JSONL, search
latency p50/p95/p99 per query class, library-wide and within the biggest hub,
recall@1/@10 and MRR for typo'd title queries next to brute-force rapidfuzz
WRatio and ``fzf --filter`` over the same records, hub open and page-move
times, and resident memory.
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import random
import resource
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from bench import corpus

ROOT = Path(__file__).resolve().parents[1]


# -- queries ----------------------------------------------------------------------


def typo(rng: random.Random, word: str) -> str:
    """One edit (substitute, delete or insert a letter) somewhere after the first letter."""
    letters = "abcdefghijklmnopqrstuvwxyz"
    while True:
        i = rng.randrange(1, len(word))
        op = rng.choice("sdi")
        if op == "s":
            out = word[:i] + rng.choice(letters) + word[i + 1 :]
        elif op == "d":
            out = word[:i] + word[i + 1 :]
        else:
            out = word[:i] + rng.choice(letters) + word[i:]
        if out.lower() != word.lower():
            return out


def with_typos(rng: random.Random, words: list[str], n: int) -> list[str]:
    """``n`` edits in words of 5+ letters (at most one per word, two in words of 9+)."""
    words = list(words)
    slots = [i for i, w in enumerate(words) if len(w) >= 5 and w.isalpha()]
    rng.shuffle(slots)
    done = 0
    for i in slots:
        if done >= n:
            break
        words[i] = typo(rng, words[i])
        done += 1
        if done < n and len(words[i]) >= 10 and rng.random() < 0.3:
            words[i] = typo(rng, words[i])
            done += 1
    return words


def make_queries(titles: list[tuple[int, str]], seed: int, per_class: int) -> list[dict]:
    """Query classes over target titles: typo'd words (1, 2-3, 4-5) and typed prefixes."""
    rng = random.Random(seed)
    out = []
    for cls, lo, hi in (
        ("1 word, typo", 1, 1),
        ("2-3 words, typos", 2, 3),
        ("4-5 words, typos", 4, 5),
        ("typed prefix", 2, 4),
    ):
        made = 0
        while made < per_class:
            pid, title = rng.choice(titles)
            words = [w.strip(":") for w in title.split() if w.strip(":")]
            k = rng.randint(lo, hi)
            if len(words) < k:
                continue
            start = rng.randrange(0, len(words) - k + 1)
            window = words[start : start + k]
            if cls == "typed prefix":
                last = window[-1]
                if len(last) < 4:
                    continue
                window = window[:-1] + [last[: rng.randint(2, len(last) - 1)]]
            else:
                if not any(len(w) >= 5 and w.isalpha() for w in window):
                    continue
                window = with_typos(rng, window, 1 if k == 1 else rng.choice((1, 2)))
            out.append({"class": cls, "q": " ".join(window).lower(), "target": pid})
            made += 1
    return out


def quality_queries(titles: list[tuple[int, str]], seed: int, n: int) -> list[dict]:
    """3-5 consecutive words of a real title with 1-2 typos: the paper should come first."""
    rng = random.Random(seed + 99)
    out = []
    while len(out) < n:
        pid, title = rng.choice(titles)
        words = [w.strip(":") for w in title.split() if w.strip(":")]
        k = min(len(words), rng.randint(3, 5))
        start = rng.randrange(0, len(words) - k + 1)
        window = words[start : start + k]
        if not any(len(w) >= 5 and w.isalpha() for w in window):
            continue
        window = with_typos(rng, window, rng.choice((1, 2)))
        out.append({"q": " ".join(window).lower(), "target": pid})
    return out


def grade(ranks: list[int | None]) -> dict:
    """recall@1, recall@10 and MRR from the 1-based rank of each target (None: not found)."""
    n = len(ranks) or 1
    return {
        "r1": sum(1 for r in ranks if r == 1) / n,
        "r10": sum(1 for r in ranks if r is not None and r <= 10) / n,
        "mrr": sum(1 / r for r in ranks if r is not None) / n,
    }


def pct(values: list[float], p: float) -> float:
    values = sorted(values)
    if not values:
        return float("nan")
    return values[min(len(values) - 1, int(round(p / 100 * (len(values) - 1))))]


def rss_mb() -> float:
    with open("/proc/self/status") as fh:
        for line in fh:
            if line.startswith("VmRSS:"):
                return int(line.split()[1]) / 1024
    return float("nan")


# -- the parts --------------------------------------------------------------------


def build(n: int, seed: int, work: Path) -> dict:
    """Write the records file and import it with ``citetui import``; time both baselines."""
    records = corpus.write(work / f"records-{n}-{seed}.jsonl", n, seed)
    db = work / f"library-{n}-{seed}.db"
    for p in (db, Path(f"{db}-wal"), Path(f"{db}-shm")):
        p.unlink(missing_ok=True)
    cli = [sys.executable, "-m", "citetui", "--db", str(db), "import", str(records), "--json"]
    t = time.perf_counter()
    subprocess.run(cli, check=True, stdout=subprocess.DEVNULL, cwd=ROOT)
    seconds = time.perf_counter() - t
    out = {
        "records": n,
        "import_s": seconds,
        "jsonl_bytes": records.stat().st_size,
        "library_bytes": db.stat().st_size
        + (Path(f"{db}-wal").stat().st_size if Path(f"{db}-wal").exists() else 0),
        "db": db,
        "records_path": records,
    }
    su = shutil.which("sqlite-utils") or str(Path(sys.executable).with_name("sqlite-utils"))
    if Path(su).exists():
        base = work / "sqlite-utils-baseline.db"
        base.unlink(missing_ok=True)
        t = time.perf_counter()
        subprocess.run(
            [su, "insert", str(base), "records", str(records), "--nl", "--alter"],
            check=True,
            stdout=subprocess.DEVNULL,
        )
        out["sqlite_utils_s"] = time.perf_counter() - t
        base.unlink(missing_ok=True)
    return out


def latency(lib, queries: list[dict], hub_id: int) -> dict:
    """p50/p95/p99 (ms) per class and scope, each query run once after a warm-up."""
    from citetui.search import search

    for q in queries[:: max(1, len(queries) // 40)]:  # warm the page cache and term list
        search(lib, q["q"] + " zz", limit=20)
    out: dict = {}
    for scope, hub in (("library", None), ("hub", hub_id)):
        for q in queries:
            t = time.perf_counter()
            search(lib, q["q"], hub_id=hub, limit=20)
            out.setdefault((q["class"], scope), []).append((time.perf_counter() - t) * 1000)
    return out


def engine_ranks(lib, queries: list[dict]) -> list[int | None]:
    from citetui.search import search

    ranks = []
    for q in queries:
        ids = [r.paper_id for r in search(lib, q["q"], limit=10).rows]
        ranks.append(ids.index(q["target"]) + 1 if q["target"] in ids else None)
    return ranks


def browse(lib, hub_id: int, moves: int, seed: int) -> dict:
    """The store calls behind the explorer: open (count + first page) and page moves.

    Two ways to page: ``citing_rows(offset=...)`` (sorts the hub at every page) and
    ``citing_ids`` once at open, then ``citing_rows_for`` of the page's ids.
    """
    from citetui.core.query import RowFilter

    page = 100
    flt = RowFilter()
    t = time.perf_counter()
    total = lib.count_citing(hub_id, flt)
    lib.citing_rows(hub_id, flt, sort="year", limit=page)
    opened = (time.perf_counter() - t) * 1000
    rng = random.Random(seed)
    offsets = [rng.randrange(0, max(1, total - page)) for _ in range(moves)]
    by_offset = []
    for off in offsets[: max(5, moves // 10)]:
        t = time.perf_counter()
        lib.citing_rows(hub_id, flt, sort="year", offset=off, limit=page)
        by_offset.append((time.perf_counter() - t) * 1000)
    t = time.perf_counter()
    ids = lib.citing_ids(hub_id, flt, sort="year")
    lib.citing_rows_for(hub_id, ids[:page], flt)
    opened_ids = (time.perf_counter() - t) * 1000
    by_ids = []
    for off in offsets:
        t = time.perf_counter()
        lib.citing_rows_for(hub_id, ids[off : off + page], flt)
        by_ids.append((time.perf_counter() - t) * 1000)
    return {
        "hub_rows": total,
        "open_ms": opened,
        "open_ids_ms": opened_ids,
        "offset_p50": pct(by_offset, 50),
        "offset_p95": pct(by_offset, 95),
        "move_p50": pct(by_ids, 50),
        "move_p95": pct(by_ids, 95),
        "page": page,
    }


def lines_file(lib, path: Path) -> list[tuple[int, str]]:
    """Every paper as 'title summary' (the records fzf and rapidfuzz scan)."""
    rows = lib._rows("SELECT id, coalesce(title, '') || ' ' || coalesce(summary, '') FROM papers")
    with path.open("w", encoding="utf-8") as fh:
        for pid, text in rows:
            fh.write(f"{pid}\t{text.replace(chr(10), ' ')}\n")
    return rows


def brute(rows: list[tuple[int, str]], queries: list[dict]) -> tuple[list, list]:
    """Brute-force rapidfuzz WRatio over every record: ranks and seconds per query."""
    from rapidfuzz import fuzz, process, utils

    choices = {pid: text for pid, text in rows}
    ranks, secs = [], []
    for q in queries:
        t = time.perf_counter()
        hits = process.extract(
            q["q"], choices, scorer=fuzz.WRatio, processor=utils.default_process, limit=10
        )
        secs.append(time.perf_counter() - t)
        ids = [h[2] for h in hits]
        ranks.append(ids.index(q["target"]) + 1 if q["target"] in ids else None)
    return ranks, secs


def fzf(path: Path, queries: list[dict]) -> tuple[list, list] | None:
    """``fzf --filter`` over the same lines: ranks and seconds per query (None: no fzf)."""
    exe = shutil.which("fzf")
    if exe is None:
        return None
    ranks, secs = [], []
    for q in queries:
        t = time.perf_counter()
        with path.open("rb") as fh:
            proc = subprocess.run(
                [exe, "--filter", q["q"], "--delimiter", "\t", "--nth", "2.."],
                stdin=fh,
                capture_output=True,
            )
        secs.append(time.perf_counter() - t)
        ids = [int(line.split(b"\t", 1)[0]) for line in proc.stdout.splitlines()[:10]]
        ranks.append(ids.index(q["target"]) + 1 if q["target"] in ids else None)
    return ranks, secs


def tui_figures(db: Path, moves: int) -> dict:
    """The browser in a real terminal (tmux): start-up on the sample, and on ``db`` the
    biggest hub's open, cursor and page keys and memory (see bench/tui.py); each part
    runs in a process of its own, after the search measurements (the machine is idle)."""
    out = {}
    for name, args in (
        ("startup", ["startup"]),
        ("browse", ["browse", "--db", str(db), "--keys", str(max(20, moves // 2))]),
    ):
        proc = subprocess.run(
            [sys.executable, "-m", "bench.tui", *args], capture_output=True, text=True, cwd=ROOT
        )
        if proc.returncode != 0:
            print(f"bench.tui {name} failed:\n{proc.stderr[-3000:]}", file=sys.stderr)
            out[name] = None
            continue
        out[name] = json.loads(proc.stdout.strip().splitlines()[-1])
    return out


# -- the report -------------------------------------------------------------------


def run(
    n: int, seed: int, work: Path, per_class: int, n_quality: int, n_brute: int, moves: int
) -> tuple[str, dict]:
    """Build, measure, and return (markdown table, raw numbers)."""
    from citetui.search import engine
    from citetui.store import Library

    built = build(n, seed, work)
    lib = Library(built["db"], readonly=True)
    t = time.perf_counter()
    engine(lib).vocabulary()
    vocab_s = time.perf_counter() - t
    hubs = lib.hubs()
    big = hubs[0]
    rng = random.Random(seed)
    # in id order: without it the sample follows the query plan, so two versions of the
    # engine (or of the indexes) would be graded on different queries
    citing = lib._rows(
        "SELECT c.citing_id, p.title FROM citations c JOIN papers p "
        "ON p.id = c.citing_id WHERE c.cited_id = ? ORDER BY c.citing_id",
        (big.paper.id,),
    )
    sample = rng.sample(citing, min(len(citing), 5000))
    queries = make_queries(sample, seed, per_class)
    lat = latency(lib, queries, big.paper.id)
    qual = quality_queries(sample, seed, n_quality)
    ranks = engine_ranks(lib, qual)
    nav = browse(lib, big.paper.id, moves, seed)
    rss_engine = rss_mb()
    lines = work / f"lines-{n}-{seed}.txt"
    rows = lines_file(lib, lines)
    sub = qual[:n_brute]
    b_ranks, b_secs = brute(rows, sub)
    f = fzf(lines, sub)
    e_sub = grade(ranks[:n_brute])
    lib.close()
    tui = tui_figures(built["db"], moves)
    res = {
        "built": {k: v for k, v in built.items() if not isinstance(v, Path)},
        "vocab_load_s": vocab_s,
        "latency": {f"{c} / {s}": v for (c, s), v in lat.items()},
        "quality": grade(ranks),
        "quality_subset": e_sub,
        "brute": grade(b_ranks),
        "brute_s": b_secs,
        "fzf": grade(f[0]) if f else None,
        "fzf_s": f[1] if f else None,
        "browse": nav,
        "rss_mb": rss_engine,
        "hub": big.n_citing,
        "tui": tui,
    }
    return report(res, n, seed, len(qual), len(sub), per_class), res


def report(r: dict, n: int, seed: int, n_quality: int, n_sub: int, per_class: int) -> str:
    b = r["built"]
    lines = [
        f"Machine: {platform.machine()}, {os.cpu_count()} cores, Python "
        f"{platform.python_version()}, SQLite {__import__('sqlite3').sqlite_version}, "
        f"{platform.platform()}",
        f"Corpus: n={n:,} citing papers, seed={seed}; biggest hub {r['hub']:,} citing papers",
        "",
        "| measure | value | target |",
        "|---|---|---|",
    ]
    rps = b["records"] / b["import_s"]
    line = (
        f"| import {b['records']:,} records (`citetui import`, index included) | "
        f"{b['import_s']:.1f} s, {rps:,.0f} records/s"
    )
    if "sqlite_utils_s" in b:
        line += (
            f"; `sqlite-utils insert` (no index) {b['sqlite_utils_s']:.1f} s, "
            f"ratio {b['import_s'] / b['sqlite_utils_s']:.2f}x"
        )
    lines.append(line + " | <= 90 s at 1M |")
    lines.append(
        f"| library file / raw JSONL | {b['library_bytes'] / 1e6:,.0f} MB / "
        f"{b['jsonl_bytes'] / 1e6:,.0f} MB = {b['library_bytes'] / b['jsonl_bytes']:.2f}x"
        " | < 2x |"
    )
    lines.append(
        f"| term list load (first search after open) | {r['vocab_load_s'] * 1000:.0f} ms | |"
    )
    for key, vals in r["latency"].items():
        lines.append(
            f"| search {key} ({len(vals)} queries) | p50 {pct(vals, 50):.1f} ms, "
            f"p95 {pct(vals, 95):.1f} ms, p99 {pct(vals, 99):.1f} ms | p50 <= 10, p95 <= 30 |"
        )
    q = r["quality"]
    lines.append(
        f"| engine, {n_quality} typo'd title queries | recall@1 {q['r1']:.1%}, "
        f"recall@10 {q['r10']:.1%}, MRR {q['mrr']:.3f} | r@1 >= 80%, r@10 >= 95% |"
    )
    e, bq = r["quality_subset"], r["brute"]
    bs = statistics.median(r["brute_s"])
    lines.append(
        f"| engine on the first {n_sub} of them | recall@1 {e['r1']:.1%}, "
        f"recall@10 {e['r10']:.1%}, MRR {e['mrr']:.3f} | |"
    )
    lines.append(
        f"| brute-force rapidfuzz WRatio, same {n_sub} | recall@1 {bq['r1']:.1%}, "
        f"recall@10 {bq['r10']:.1%}, MRR {bq['mrr']:.3f}; median {bs:.2f} s/query | "
        "does not beat the engine on r@10 |"
    )
    if r["fzf"]:
        f = r["fzf"]
        fs = statistics.median(r["fzf_s"])
        lines.append(
            f"| `fzf --filter`, same {n_sub} | recall@1 {f['r1']:.1%}, recall@10 "
            f"{f['r10']:.1%}, MRR {f['mrr']:.3f}; median {fs:.2f} s/query | |"
        )
    allv = [v for vals in r["latency"].values() for v in vals]
    med = statistics.median(allv) / 1000
    lines.append(
        f"| median query time, engine vs brute force / fzf | {med * 1000:.1f} ms; "
        f"brute force {bs / med:,.0f}x slower"
        + (f", fzf {statistics.median(r['fzf_s']) / med:,.0f}x slower" if r["fzf"] else "")
        + " | |"
    )
    nav = r["browse"]
    lines.append(
        f"| hub open, store calls: count + first page of {nav['page']} by OFFSET "
        f"({nav['hub_rows']:,} rows) | {nav['open_ms']:.0f} ms | <= 500 ms to paint |"
    )
    lines.append(
        f"| hub open, store calls: all ids in order + first page | "
        f"{nav['open_ids_ms']:.0f} ms | <= 500 ms to paint |"
    )
    lines.append(
        f"| page move by OFFSET (random position) | p50 {nav['offset_p50']:.1f} ms, "
        f"p95 {nav['offset_p95']:.1f} ms | <= 16 ms |"
    )
    lines.append(
        f"| page move by ids (random position) | p50 {nav['move_p50']:.1f} ms, "
        f"p95 {nav['move_p95']:.1f} ms | <= 16 ms |"
    )
    lines.append(
        f"| resident memory, library open after every search | {r['rss_mb']:.0f} MB | < 200 MB |"
    )
    t = r.get("tui") or {}
    st, br = t.get("startup"), t.get("browse")
    if st:
        lines.append(
            f"| start-up in tmux: launch to the sample hub on screen ({st['runs']} runs) | "
            f"median {st['median_ms']:.0f} ms (min {st['min_ms']:.0f}, max "
            f"{st['max_ms']:.0f}) | <= 500 ms |"
        )
    if br:
        lines.append(
            f"| browser in tmux: Enter on the biggest hub to its explorer rows on screen "
            f"({r['hub']:,} citing papers) | {br['open_ms']:.0f} ms | <= 500 ms |"
        )
        lines.append(
            f"| browser in tmux: ... to the rest of the page (summaries, claims, co-cited, "
            f"representative papers) on screen | {br['page_ms']:.0f} ms | |"
        )
        if "reopen_ms" in br:
            lines.append(
                f"| browser in tmux: the same hub opened again (Escape, Enter): explorer "
                f"rows / whole page on screen | {br['reopen_ms']:.0f} ms / "
                f"{br['repage_ms']:.0f} ms | <= 500 ms |"
            )
        for key in ("down", "pagedown", "pageup"):
            if f"{key}_repaint_p50" in br:
                lines.append(
                    f"| browser in tmux: {key} key to its repaint received by the terminal "
                    f"(tmux control mode, {br[key + '_n']} presses) | p50 "
                    f"{br[key + '_repaint_p50']:.1f} ms, p95 "
                    f"{br[key + '_repaint_p95']:.1f} ms | <= 16 ms |"
                )
        for key in ("down", "pagedown", "pageup"):
            lines.append(
                f"| browser in tmux: {key} key to the screen changed, polled with "
                f"capture-pane ({br[key + '_n']} presses) | p50 {br[key + '_p50']:.1f} ms, "
                f"p95 {br[key + '_p95']:.1f} ms | (upper bound) |"
            )
        floor = f"p50 {br['tmux_floor_p50']:.1f} ms polled"
        if "tmux_floor_repaint_p50" in br:
            floor = f"p50 {br['tmux_floor_repaint_p50']:.1f} ms received, " + floor
        lines.append(f"| tmux alone: a key echoed by `cat`, same measurements | {floor} | |")
        lines.append(
            f"| browser in tmux: citetui's resident memory with this library open, "
            f"after the keys | {br['rss_mb']:.0f} MB (peak {br['peak_rss_mb']:.0f} MB) "
            "| < 200 MB |"
        )
    if not (st and br):
        lines.append("| browser in tmux | not measured (tmux or the citetui command missing) | |")
    return "\n".join(lines)


def main(argv: list[str] | None = None) -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--n", type=int, default=1_000_000)
    ap.add_argument("--seed", type=int, default=1)
    ap.add_argument("--work", type=Path, default=None, help="where files go (default: a temp dir)")
    ap.add_argument("--per-class", type=int, default=100)
    ap.add_argument("--quality", type=int, default=300)
    ap.add_argument("--brute", type=int, default=20, help="queries for rapidfuzz and fzf")
    ap.add_argument("--moves", type=int, default=200)
    ap.add_argument("--quick", action="store_true", help="few queries (CI)")
    ap.add_argument("--json", type=Path, help="also write the raw numbers here")
    a = ap.parse_args(argv)
    if a.quick:
        a.per_class, a.quality, a.brute, a.moves = 10, 30, 5, 20
    work = a.work or Path(tempfile.mkdtemp(prefix="citetui-bench-"))
    work.mkdir(parents=True, exist_ok=True)
    table, raw = run(a.n, a.seed, work, a.per_class, a.quality, a.brute, a.moves)
    print(table)
    print(
        f"peak RSS of this process (includes the brute-force run): "
        f"{resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024:.0f} MB",
        file=sys.stderr,
    )
    if a.json:
        a.json.write_text(json.dumps(raw, indent=1, default=str))


if __name__ == "__main__":
    main()
