"""The import benchmark: every format, 200k and 1M records, into the library a user has.

For each format (:mod:`bench.formats`) and each size, the real ``citetui import`` (the
CLI, in a process of its own) imports the files into a fresh *default library*: the one
citetui builds from the bundled sample on first run, with the user's note, star and tag
on the sample hub, in WAL mode. Then, at the largest size, the same library takes a
re-import of the same size where 10% of the records are new and 90% are records it
holds (grown citation counts, abstracts filled in). Beside each import, ``sqlite-utils
insert`` of the same records (one flat table, no index, no dedup) as a baseline.

Each import is measured from inside its process: wall time, CPU time (user + sys),
peak RSS, and /proc/self/io (rchar, wchar, read_bytes, write_bytes). Wall time depends
on what else the machine runs: CPU time much less (about 20% on a shared 2-core host).

    python -m bench.imports --work /tmp/bench/imports --json /tmp/bench/imports/raw.json
    python -m bench.imports --sizes 2000 --formats records,s2-jsonl --quick   # the tests
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import resource
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from bench import formats

ROOT = Path(__file__).resolve().parents[1]
TARGETS = {"import_s": 90.0, "reimport_s": 60.0, "ratio": 5.5, "rss_mb": 250.0}


def default_library(path: Path) -> Path:
    """The library a user has: built by citetui from the sample, with their notes (WAL)."""
    if path.exists():
        return path
    env = {**os.environ, "CITETUI_DB": str(path)}
    run = [sys.executable, "-m", "citetui"]
    subprocess.run([*run, "hubs"], check=True, env=env, stdout=subprocess.DEVNULL, cwd=ROOT)
    hub = json.loads(
        subprocess.run(
            [*run, "hubs", "--json"], check=True, env=env, capture_output=True, cwd=ROOT
        ).stdout
    )[0]["id"]
    for args in (["note", str(hub), "my notes on PPO: read twice"], ["star", str(hub)]):
        subprocess.run([*run, *args], check=True, env=env, stdout=subprocess.DEVNULL, cwd=ROOT)
    subprocess.run(
        [*run, "tag", str(hub), "rl"], check=True, env=env, stdout=subprocess.DEVNULL, cwd=ROOT
    )
    return path


def copy_library(src: Path, dst: Path) -> Path:
    for suffix in ("", "-wal", "-shm", "-journal"):
        Path(f"{dst}{suffix}").unlink(missing_ok=True)
    for suffix in ("", "-wal"):
        if Path(f"{src}{suffix}").exists():
            shutil.copyfile(f"{src}{suffix}", f"{dst}{suffix}")
    return dst


def measured_import(db: Path, files: list[Path]) -> dict:
    """``citetui import`` in a child process that reports its own costs (see ``child``)."""
    with (
        tempfile.NamedTemporaryFile("r", suffix=".json") as out,
        tempfile.NamedTemporaryFile("w", suffix=".txt") as listing,
    ):
        listing.write("\n".join(str(f) for f in files))
        listing.flush()
        args = [sys.executable, "-m", "bench.imports", "child", out.name, str(db), listing.name]
        started = time.perf_counter()
        proc = subprocess.run(args, cwd=ROOT, capture_output=True, text=True)
        wall = time.perf_counter() - started
        if proc.returncode != 0:
            raise RuntimeError(f"import failed ({proc.returncode}): {proc.stderr[-2000:]}")
        got = json.loads(Path(out.name).read_text())
    got["outer_wall_s"] = wall
    return got


def child(out: Path, db: Path, listing: Path) -> None:
    """Run the import in this process; write its report and what it cost to ``out``."""
    import contextlib
    import io

    from citetui.cli import cli
    from citetui.ingest import reader

    files = [line for line in listing.read_text().splitlines() if line]
    load = os.getloadavg()[0]
    started = time.perf_counter()
    buf = io.StringIO()
    with contextlib.redirect_stdout(buf):
        try:
            cli(["--db", str(db), "import", "--json", *files], prog_name="citetui")
        except SystemExit as exc:
            if exc.code:
                raise
    wall = time.perf_counter() - started
    ru = resource.getrusage(resource.RUSAGE_SELF)
    # The reader process of a big JSON Lines file (citetui.ingest.reader) is this one's child.
    kids = resource.getrusage(resource.RUSAGE_CHILDREN)
    with open("/proc/self/io") as fh:
        proc_io = {k: int(v) for k, v in (line.split(":") for line in fh)}
    reports = json.loads(buf.getvalue())
    counts: dict[str, dict[str, int]] = {"added": {}, "updated": {}, "unchanged": {}}
    for r in reports:
        for kind in counts:
            for what, n in r[kind].items():
                counts[kind][what] = counts[kind].get(what, 0) + n
    out.write_text(
        json.dumps(
            {
                "wall_s": wall,
                "user_s": ru.ru_utime,
                "sys_s": ru.ru_stime,
                "cpu_s": ru.ru_utime + ru.ru_stime,
                "rss_mb": ru.ru_maxrss / 1024,
                "reader_cpu_s": kids.ru_utime + kids.ru_stime,
                "reader_rss_mb": reader.PEAK_KB / 1024,  # (its rusage counts the fork)
                "load_before": load,
                "load_after": os.getloadavg()[0],
                **{k: proc_io[k] for k in ("rchar", "wchar", "read_bytes", "write_bytes")},
                "counts": counts,
                "files": len(files),
                "bytes": sum(os.path.getsize(f) for f in files),
            }
        )
    )


def _as_jsonl(files: list[Path], work: Path) -> list[Path]:
    """The records of JSON documents (pages) as JSON Lines, for sqlite-utils (not timed)."""
    if all(f.suffix == ".jsonl" for f in files):
        return files
    out = work / "as-lines.jsonl"
    with out.open("w", encoding="utf-8") as fh:
        for f in files:
            doc = json.loads(f.read_text(encoding="utf-8"))
            for item in doc.get("data", []) if isinstance(doc, dict) else doc:
                fh.write(json.dumps(item, ensure_ascii=False) + "\n")
    return [out]


def sqlite_utils_insert(files: list[Path], work: Path) -> float | None:
    """Seconds for ``sqlite-utils insert`` of the same records (one table, no index)."""
    su = shutil.which("sqlite-utils") or str(Path(sys.executable).with_name("sqlite-utils"))
    if not Path(su).exists():
        return None
    lines = _as_jsonl(files, work)
    db = work / "sqlite-utils.db"
    db.unlink(missing_ok=True)
    started = time.perf_counter()
    cat = subprocess.Popen(["cat", *map(str, lines)], stdout=subprocess.PIPE)
    subprocess.run(
        [su, "insert", str(db), "records", "-", "--nl", "--alter"],
        stdin=cat.stdout,
        check=True,
        stdout=subprocess.DEVNULL,
    )
    cat.wait()
    seconds = time.perf_counter() - started
    db.unlink(missing_ok=True)
    for extra in work.glob("as-lines.jsonl"):
        extra.unlink()
    return seconds


def run(
    work: Path, fmts: list[str], sizes: list[int], *, baseline: bool = True, reimport: bool = True
) -> dict:
    """Every format at every size, then the re-import at the largest; the raw figures."""
    template = default_library(work / "default-library.db")
    out: dict = {
        "machine": f"{platform.machine()}, {os.cpu_count()} cores, Python "
        f"{platform.python_version()}, SQLite {__import__('sqlite3').sqlite_version}",
        "formats": {},
    }
    for fmt in fmts:
        res: dict = {}
        lib = work / f"{fmt}.db"
        for n in sizes:
            files = formats.generate(fmt, n, work / "data" / f"{fmt}-{n}")
            copy_library(template, lib)
            res[str(n)] = measured_import(lib, files)
            if baseline:
                res[str(n)]["sqlite_utils_s"] = sqlite_utils_insert(files, work)
            print(f"{fmt} {n}: {_brief(res[str(n)])}", file=sys.stderr, flush=True)
        if reimport:
            n = max(sizes)
            files = formats.generate(fmt, n, work / "data" / f"{fmt}-{n}-shift", shift=0.1)
            res["reimport"] = measured_import(lib, files)
            print(f"{fmt} re-import {n}: {_brief(res['reimport'])}", file=sys.stderr, flush=True)
        for suffix in ("", "-wal", "-shm"):
            Path(f"{lib}{suffix}").unlink(missing_ok=True)
        out["formats"][fmt] = res
    return out


def _brief(r: dict) -> str:
    return (
        f"{r['wall_s']:.1f} s wall, {r['cpu_s']:.1f} CPU-s, {r['rss_mb']:.0f} MB, "
        f"reader {r.get('reader_cpu_s', 0):.1f} CPU-s, {r.get('reader_rss_mb', 0):.0f} MB, "
        f"load {r['load_before']:.1f}"
    )


def _cpu(r: dict) -> str:
    """The importer's CPU seconds, and its reader process's when it had one."""
    reader = r.get("reader_cpu_s", 0)
    return f"{r['cpu_s']:.1f}" + (f" + {reader:.1f}" if reader >= 0.05 else "")


def _rss(r: dict) -> str:
    reader = r.get("reader_rss_mb", 0)
    return f"{r['rss_mb']:.0f} MB" + (f" (reader {reader:.0f})" if reader else "")


def table(raw: dict, sizes: list[int]) -> str:
    """The benchmark's table: one row per format, the slowest first."""
    small, big = min(sizes), max(sizes)
    lines = [
        f"Machine: {raw['machine']}",
        "",
        f"| format | {small:,}: wall / CPU s | {big:,}: wall / CPU s | {big:,}/{small:,} "
        "(wall, CPU) | peak RSS (importer, reader) | re-import (10% new): wall / CPU s, RSS | "
        "`sqlite-utils insert` " + f"{big:,} |",
        "|---|---|---|---|---|---|---|",
    ]
    rows = []
    for fmt, res in raw["formats"].items():
        a, b = res[str(small)], res[str(big)]
        re = res.get("reimport")
        peak = max((a, b), key=lambda x: x["rss_mb"])
        su = b.get("sqlite_utils_s")
        again = f"{re['wall_s']:.1f} / {_cpu(re)}, {_rss(re)}" if re else "-"
        rows.append(
            (
                b["wall_s"],
                f"| {fmt} | {a['wall_s']:.1f} / {_cpu(a)} | {b['wall_s']:.1f} / "
                f"{_cpu(b)} | {b['wall_s'] / a['wall_s']:.2f}, "
                f"{b['cpu_s'] / a['cpu_s']:.2f} | {_rss(peak)} | {again} | "
                + (f"{su:.1f} s |" if su else "- |"),
            )
        )
    lines += [row for _, row in sorted(rows, reverse=True)]
    return "\n".join(lines)


def main(argv: list[str] | None = None) -> None:
    argv = sys.argv[1:] if argv is None else argv
    if argv[:1] == ["child"]:
        child(Path(argv[1]), Path(argv[2]), Path(argv[3]))
        return
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--work", type=Path, default=None, help="where files go (default: a temp dir)")
    ap.add_argument("--sizes", default="200000,1000000", help="records per import, comma-separated")
    ap.add_argument("--formats", default=",".join(formats.FORMATS))
    ap.add_argument("--no-baseline", action="store_true", help="skip sqlite-utils insert")
    ap.add_argument("--no-reimport", action="store_true")
    ap.add_argument("--json", type=Path, help="also write the raw figures here")
    a = ap.parse_args(argv)
    work = a.work or Path(tempfile.mkdtemp(prefix="citetui-imports-"))
    work.mkdir(parents=True, exist_ok=True)
    sizes = sorted(int(s) for s in a.sizes.split(","))
    fmts = [f for f in a.formats.split(",") if f]
    raw = run(work, fmts, sizes, baseline=not a.no_baseline, reimport=not a.no_reimport)
    print(table(raw, sizes))
    if a.json:
        a.json.write_text(json.dumps(raw, indent=1))


if __name__ == "__main__":
    main()
