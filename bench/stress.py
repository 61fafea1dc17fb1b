"""The reliability report's checks of what the user writes and what the commands print:
concurrent writers, output to a full disk or a closed pipe, very long queries, and
fetches from servers that are dead, silent or slow. ``bench/reliability.py`` runs
them and prints a row for each; the tests run small versions.
"""

from __future__ import annotations

import json
import multiprocessing
import os
import socket
import subprocess
import sys
import threading
import time
from dataclasses import dataclass, field
from pathlib import Path

from bench.reliability import REPO, TRACEBACK, hostile_bundle, make_library
from citetui.search.resolver import resolve_hub

# -- concurrent writers -----------------------------------------------------


@dataclass
class WritersResult:
    """What the concurrent writers wrote, and what the library holds after."""

    processes: int
    per_process: int
    missing_lines: int = 0
    missing_tags: int = 0
    unstarred: int = 0
    failures: list[str] = field(default_factory=list)
    tui_presses: int = 0
    tui_status: str | None = None
    tui_expected: str | None = None

    @property
    def passed(self) -> bool:
        """Whether every write landed."""
        return not (
            self.missing_lines
            or self.missing_tags
            or self.unstarred
            or self.failures
            or self.tui_status != self.tui_expected
        )


def _writer(db: str, who: int, per: int, papers: list[int], errors: multiprocessing.Queue) -> None:
    """One process: ``per`` rounds of a note line, a tag and a star on each paper."""
    from citetui.store import Library

    lib = Library(db)
    try:
        for j in range(per):
            for pid in papers:
                lib.set_note(pid, f"w{who}-{j}", append=True)
                lib.add_tag(pid, f"t{who}-{j}")
                lib.set_star(pid, True)
    except Exception as exc:  # noqa: BLE001 - reported, never lost
        errors.put(f"writer {who}: {type(exc).__name__}: {exc}")
    finally:
        lib.close()


_TUI_PRESSER = """
import asyncio, sys
from pathlib import Path
from citetui.store import Library
from citetui.tui.app import CitetuiApp

async def main(db, settings, hub, presses):
    lib = Library(db)
    app = CitetuiApp(lib, settings_path=Path(settings))
    async with app.run_test(size=(120, 40)) as pilot:
        app.open_paper(hub)
        for _ in range(20):
            await pilot.pause()
        for _ in range(presses):
            await pilot.press("u")
            await app.workers.wait_for_complete()
        await app.workers.wait_for_complete()
    lib.close()

asyncio.run(main(sys.argv[1], sys.argv[2], int(sys.argv[3]), int(sys.argv[4])))
"""


def concurrent_writers(
    work: Path, processes: int = 8, per: int = 50, tui_presses: int = 21
) -> WritersResult:
    """``processes`` writers append note lines, add tags and star the same papers at once,
    while the browser (a real app, driven by Pilot in its own process) cycles a paper's
    reading status: every line, tag, star and the browser's status must be there."""
    from citetui.core.vocab import STATUSES
    from citetui.store import Library

    db = work / "writers.db"
    make_library(db, annotate=False)
    lib = Library(db)
    hub = resolve_hub(lib, "1707.06347").paper.id
    papers = [r.paper_id for r in lib.citing_rows(hub, limit=3)]
    lib.close()
    result = WritersResult(processes, per, tui_presses=tui_presses)
    ctx = multiprocessing.get_context("spawn")
    errors: multiprocessing.Queue = ctx.Queue()
    procs = [
        ctx.Process(target=_writer, args=(str(db), i, per, papers, errors))
        for i in range(processes)
    ]
    tui = subprocess.Popen(
        [
            sys.executable,
            "-c",
            _TUI_PRESSER,
            str(db),
            str(work / "tui.json"),
            str(hub),
            str(tui_presses),
        ],
        cwd=REPO,
        env={**os.environ, "PYTHONPATH": str(REPO)},
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
    )
    for p in procs:
        p.start()
    for p in procs:
        p.join(600)
    _, tui_err = tui.communicate(timeout=600)
    while not errors.empty():
        result.failures.append(errors.get())
    if tui.returncode != 0:
        result.failures.append(
            f"browser: exit {tui.returncode}: {tui_err.decode(errors='replace')[-300:]}"
        )
    lib = Library(db)
    try:
        for pid in papers:
            a = lib.annotation(pid)
            lines = set((a.note or "").splitlines())
            tags = set(a.tags)
            for i in range(processes):
                for j in range(per):
                    result.missing_lines += f"w{i}-{j}" not in lines
                    result.missing_tags += f"t{i}-{j}" not in tags
            result.unstarred += not a.starred
        result.tui_status = lib.annotation(hub).status
    finally:
        lib.close()
    # unread (unset) -> skimmed -> read -> key -> unread ...
    result.tui_expected = STATUSES[tui_presses % len(STATUSES)]
    return result


# -- output to a full disk or a closed pipe -----------------------------------------


OUTPUT_COMMANDS: tuple[tuple[str, ...], ...] = (
    *(("export", "{hub}", "--format", f) for f in ("bibtex", "csv", "json", "markdown", "ris")),
    ("search", "hostile", "--json"),
    ("search", "hostile"),
    ("show", "{hub}"),
    ("show", "{hub}", "--json"),
    ("hubs", "--json"),
    ("notes", "--json"),
    ("timeline", "{hub}"),
    ("ablate", "{hub}"),
    ("align", "{hub}"),
    ("stats", "--json"),
    ("notes",),
)


@dataclass
class OutputResult:
    """How each command behaved with a full disk and with a closed pipe."""

    tried: int = 0
    failures: list[str] = field(default_factory=list)


def output_failures(work: Path) -> OutputResult:
    """Every command that prints data, with stdout on a full disk (/dev/full: exit 1 and
    one line saying the output is incomplete) and into a pipe its reader closes after one
    byte (exit 0, no error on stderr). The hostile bundle's megabyte abstract makes the
    exports bigger than a pipe holds."""
    db = work / "output.db"  # the hostile bundle alone: its hub, its megabyte abstract
    bundle = work / "hostile.json"
    bundle.write_text(json.dumps(hostile_bundle()))
    env = {**os.environ, "PYTHONPATH": str(REPO)}
    base = [sys.executable, "-m", "citetui", "--db", str(db)]
    subprocess.run(
        [*base, "import", str(bundle)], check=True, env=env, cwd=REPO, capture_output=True
    )
    hubs = json.loads(
        subprocess.run(
            [*base, "hubs", "--json"], env=env, cwd=REPO, capture_output=True, check=True
        ).stdout
    )
    hub = str(hubs[0]["id"])
    out = OutputResult()
    for template in OUTPUT_COMMANDS:
        args = [a.format(hub=hub) for a in template]
        out.tried += 1
        normal = subprocess.run([*base, *args], env=env, cwd=REPO, capture_output=True, timeout=300)
        if normal.returncode != 0 or not normal.stdout:
            out.failures.append(
                f"{' '.join(template)}: exit {normal.returncode} with "
                f"{len(normal.stdout)} bytes of output"
            )
            continue
        if os.path.exists("/dev/full"):
            with open("/dev/full", "w") as full:
                run = subprocess.run(
                    [*base, *args],
                    stdout=full,
                    stderr=subprocess.PIPE,
                    env=env,
                    cwd=REPO,
                    timeout=300,
                )
            err = run.stderr.decode(errors="replace")
            if run.returncode != 1 or "cannot write the output" not in err or TRACEBACK in err:
                out.failures.append(
                    f"{' '.join(template)} > /dev/full: exit {run.returncode}, "
                    f"{err.strip()[:200]!r}"
                )
        pipe = subprocess.Popen(
            [*base, *args], stdout=subprocess.PIPE, stderr=subprocess.PIPE, env=env, cwd=REPO
        )
        assert pipe.stdout is not None and pipe.stderr is not None
        pipe.stdout.read(1)
        pipe.stdout.close()
        err = pipe.stderr.read().decode(errors="replace")
        code = pipe.wait(timeout=300)
        if code != 0 or TRACEBACK in err or "error" in err:
            out.failures.append(
                f"{' '.join(template)} | head -c 1: exit {code}, {err.strip()[:200]!r}"
            )
    return out


# -- long queries ------------------------------------------------------------------


@dataclass
class QueryLengthResult:
    """Seconds per query length, and which went over the limit."""

    seconds: dict[str, float] = field(default_factory=dict)
    limit: float = 1.0

    @property
    def passed(self) -> bool:
        """Whether every query answered within the limit."""
        return all(s <= self.limit for s in self.seconds.values())


def query_length(work: Path) -> QueryLengthResult:
    """Search the sample library (library-wide and within the hub) with one word and with
    many words of 1,000 to 100,000 characters: each must answer within a second."""
    from citetui.search import search
    from citetui.store import Library

    db = work / "query.db"
    make_library(db, annotate=False)
    lib = Library(db)
    hub = resolve_hub(lib, "1707.06347").paper.id
    result = QueryLengthResult()
    try:
        for n in (1_000, 10_000, 100_000):
            for shape, text in (
                ("one word", "policyoptimisation" * (n // 18)),
                ("words", " ".join(["proximal", "polcy"] * (n // 16))),
            ):
                for scope in (None, hub):
                    started = time.perf_counter()
                    search(lib, text[:n], hub_id=scope, limit=20)
                    where = "hub" if scope else "library"
                    result.seconds[f"{n:,} chars, {shape}, {where}"] = time.perf_counter() - started
    finally:
        lib.close()
    return result


# -- fetches that cannot go on ----------------------------------------------------


class _Peer:
    """A local server that refuses (no listener), never answers, or answers a byte at
    a time."""

    def __init__(self, kind: str):
        self.kind = kind
        self.stop = threading.Event()
        self.sock = socket.socket()
        self.sock.bind(("127.0.0.1", 0))
        self.port = self.sock.getsockname()[1]
        if kind == "dead":
            self.sock.close()  # nothing listens on the port: connection refused
            return
        self.sock.listen(32)
        self.sock.settimeout(0.2)
        threading.Thread(target=self._serve, daemon=True).start()

    def _serve(self) -> None:
        held = []
        while not self.stop.is_set():
            try:
                conn, _ = self.sock.accept()
            except OSError:
                continue
            held.append(conn)
            if self.kind == "slow":
                threading.Thread(target=self._drip, args=(conn,), daemon=True).start()
        for c in held:
            c.close()
        self.sock.close()

    def _drip(self, conn: socket.socket) -> None:
        try:
            conn.recv(65536)
            conn.sendall(
                b"HTTP/1.1 200 OK\r\nContent-Type: application/json\r\n"
                b"Content-Length: 1000000\r\n\r\n"
            )
            while not self.stop.is_set():
                conn.sendall(b" ")
                time.sleep(5)
        except OSError:
            pass


@dataclass
class FetchDeadline:
    """How one fetch against a bad server ended."""

    kind: str
    seconds: float
    code: int
    message: str
    deadline: float

    @property
    def passed(self) -> bool:
        """Whether it stopped with exit 5 and one line, within its deadline (plus 5 s of
        start-up and slack)."""
        return (
            self.code == 5
            and self.message.startswith("citetui: error:")
            and self.seconds <= self.deadline + 5
        )


def fetch_deadlines(work: Path) -> list[FetchDeadline]:
    """``citetui fetch s2`` against a dead, a silent and a slow local server, and against a
    host name that does not resolve, all at once: each must give up within its documented
    deadline (citetui.fetch.http: 120 s a page; at once for a name that does not resolve)."""
    from citetui.fetch.http import PAGE_DEADLINE

    db = work / "fetch.db"
    make_library(db, annotate=False)
    env = {**os.environ, "PYTHONPATH": str(REPO)}
    peers = {kind: _Peer(kind) for kind in ("dead", "silent", "slow")}
    bases = {k: f"http://127.0.0.1:{p.port}/graph/v1" for k, p in peers.items()}
    bases["no dns"] = "http://no-such-host.invalid/graph/v1"
    results: list[FetchDeadline] = []

    def one(kind: str, base: str) -> None:
        started = time.monotonic()
        run = subprocess.run(
            [
                sys.executable,
                "-m",
                "citetui",
                "--db",
                str(db),
                "fetch",
                "s2",
                "CorpusID:1",
                "--base-url",
                base,
            ],
            env=env,
            cwd=REPO,
            capture_output=True,
            text=True,
            timeout=PAGE_DEADLINE * 3,
        )
        lines = [ln for ln in run.stderr.splitlines() if ln.startswith("citetui: error:")]
        results.append(
            FetchDeadline(
                kind,
                time.monotonic() - started,
                run.returncode,
                lines[-1] if lines else run.stderr[-200:],
                0.0 if kind == "no dns" else PAGE_DEADLINE,
            )
        )

    threads = [threading.Thread(target=one, args=kv) for kv in bases.items()]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    for p in peers.values():
        p.stop.set()
    return sorted(results, key=lambda r: r.kind)


def report(work: Path, *, quick: bool = False) -> bool:
    """Print the four rows; return whether all passed."""
    ok = True
    w = work / "writers"
    w.mkdir()
    r = concurrent_writers(w, *((3, 10) if quick else (8, 50)))
    writes = r.processes * r.per_process * 3 * 3  # three papers, three writes each
    print(
        f"concurrent writers    writers {r.processes:>3}   writes {writes:>5}   "
        f"missing lines {r.missing_lines}, tags {r.missing_tags}, stars {r.unstarred}; "
        f"the browser's {r.tui_presses} status presses: {r.tui_status} "
        f"(expected {r.tui_expected})"
    )
    for f in r.failures:
        print(f"  FAIL {f}")
    ok &= r.passed
    w = work / "output"
    w.mkdir()
    o = output_failures(w)
    print(
        f"output failures       commands {o.tried:>3}   passed {o.tried - len(o.failures):>3}   "
        "(stdout on a full disk: exit 1 and one line; a closed pipe: exit 0, quiet)"
    )
    for f in o.failures:
        print(f"  FAIL {f}")
    ok &= not o.failures
    w = work / "query"
    w.mkdir()
    q = query_length(w)
    worst = max(q.seconds, key=q.seconds.get)
    print(
        f"query length          queries {len(q.seconds):>3}   slowest {q.seconds[worst]:.2f} s "
        f"({worst}; limit {q.limit:.0f} s)"
    )
    for k, s in q.seconds.items():
        if s > q.limit:
            print(f"  FAIL {k}: {s:.2f} s")
    ok &= q.passed
    if not quick:
        w = work / "fetch"
        w.mkdir()
        fetched = fetch_deadlines(w)
        said = ", ".join(f"{f.kind} {f.seconds:.0f} s" for f in fetched)
        print(
            f"fetch deadlines       servers {len(fetched):>3}   passed "
            f"{sum(f.passed for f in fetched):>3}   ({said}; deadline 120 s a page, at once "
            "for no DNS)"
        )
        for f in fetched:
            if not f.passed:
                print(f"  FAIL {f.kind}: exit {f.code} after {f.seconds:.0f} s: {f.message}")
        ok &= all(f.passed for f in fetched)
    return ok


if __name__ == "__main__":
    import tempfile

    sys.path.insert(0, str(REPO))
    with tempfile.TemporaryDirectory(prefix="citetui-stress-") as tmp:
        sys.exit(0 if report(Path(tmp), quick="--quick" in sys.argv) else 1)
