"""The browser's side of the benchmark, measured in a real terminal: the ``citetui`` command
running in tmux, its screen read with ``capture-pane``.

- **start-up**: from asking tmux to start ``citetui`` (on a library built from
  the bundled sample) to the sample hub's title being on the screen; several
  runs, median reported.
- **hub open**: on a big library, from pressing Enter on the biggest hub in the
  library screen to its explorer's first rows and count being on the screen.
- **keys**: in that explorer, each cursor key (``j``) and page key (PageDown,
  PageUp) from sending it to the screen having changed; beside them, the same
  measurement of a key echoed by ``cat``, which is tmux's own share.
- **memory**: resident set of the ``citetui`` process after all that (the big
  library open, a hub page shown), and its peak.

Every time includes tmux's own share (starting ``tmux send-keys``, the pane
update, the ``capture-pane`` poll every ~3 ms), so these are upper bounds of
what citetui itself takes. Pilot is not used here: ``pilot.press`` waits for
the app to go idle and costs ~40 ms per key on an empty app, which hides a
16 ms target.

Run::

    python -m bench.tui startup
    python -m bench.tui browse --db LIB.db
"""

from __future__ import annotations

import argparse
import json
import os
import re
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

SAMPLE_TITLE = "Proximal Policy Optimization Algorithms"
EXPLORER_READY = re.compile(r"[\d,]+ citing papers · sorted by")
POLL = 0.003


def _pct(values: list[float], p: float) -> float:
    values = sorted(values)
    return values[min(len(values) - 1, int(round(p / 100 * (len(values) - 1))))]


def _citetui() -> str | None:
    exe = shutil.which("citetui") or str(Path(sys.executable).with_name("citetui"))
    return exe if Path(exe).exists() else None


class Terminal:
    """``citetui`` in a detached tmux session of 160x45."""

    def __init__(self, command: str, *, width: int = 160, height: int = 45):
        self.tmux = shutil.which("tmux") or "tmux"
        self.name = f"citetui-bench-{os.getpid()}-{time.monotonic_ns()}"
        self.started = time.perf_counter()
        subprocess.run([self.tmux, "new-session", "-d", "-s", self.name, "-x", str(width),
                        "-y", str(height), command], check=True)

    def screen(self, *, styles: bool = False) -> str:
        args = [self.tmux, "capture-pane", "-p", "-t", self.name] + (["-e"] if styles else [])
        return subprocess.run(args, capture_output=True, text=True).stdout

    def wait_for(self, pattern: re.Pattern | str, timeout: float = 60.0) -> float:
        """Seconds until ``pattern`` is on the screen, from now (raises on a timeout)."""
        t = time.perf_counter()
        while time.perf_counter() - t < timeout:
            screen = self.screen()
            if (pattern in screen) if isinstance(pattern, str) else pattern.search(screen):
                return time.perf_counter() - t
            time.sleep(POLL)
        raise TimeoutError(f"{pattern!r} not on the screen after {timeout:.0f} s:\n{screen}")

    def send(self, key: str) -> None:
        subprocess.run([self.tmux, "send-keys", "-t", self.name, key], check=True)

    def key_time(self, key: str, timeout: float = 10.0) -> float:
        """Seconds from sending ``key`` to the screen (with its colours) changing."""
        before = self.screen(styles=True)
        t = time.perf_counter()
        self.send(key)
        while time.perf_counter() - t < timeout:
            if self.screen(styles=True) != before:
                return time.perf_counter() - t
            time.sleep(POLL)
        raise TimeoutError(f"the screen did not change after {key!r}")

    def key_time_until(self, key: str, pattern: re.Pattern, timeout: float = 60.0) -> float:
        """Seconds from sending ``key`` to ``pattern`` being on the screen."""
        t = time.perf_counter()
        self.send(key)
        while time.perf_counter() - t < timeout:
            if pattern.search(self.screen()):
                return time.perf_counter() - t
            time.sleep(POLL)
        raise TimeoutError(f"{pattern.pattern!r} not on the screen after {key!r}")

    def memory_mb(self) -> tuple[float, float]:
        """(resident, peak resident) MB of the pane's process (citetui, exec'd)."""
        pid = subprocess.run([self.tmux, "display-message", "-p", "-t", self.name,
                              "#{pane_pid}"], capture_output=True, text=True).stdout.strip()
        vals = {}
        with open(f"/proc/{pid}/status") as fh:
            for line in fh:
                if line.startswith(("VmRSS:", "VmHWM:")):
                    vals[line.split(":")[0]] = int(line.split()[1]) / 1024
        return vals["VmRSS"], vals["VmHWM"]

    def close(self) -> None:
        subprocess.run([self.tmux, "kill-session", "-t", self.name], capture_output=True)


def startup(runs: int = 7) -> dict | None:
    """Median time from launch to the sample hub on screen (None: no tmux or no citetui)."""
    exe = _citetui()
    if shutil.which("tmux") is None or exe is None:
        return None
    work = Path(tempfile.mkdtemp(prefix="citetui-bench-start-"))
    db = work / "sample.db"
    env = {**os.environ, "CITETUI_DB": str(db), "HOME": str(work)}
    # build the library from the sample once (citetui's first run), outside the timing
    subprocess.run([exe, "hubs"], env=env, check=True, stdout=subprocess.DEVNULL)
    secs = []
    try:
        for _ in range(runs):
            term = Terminal(f"CITETUI_DB={db} HOME={work} exec {exe}")
            try:
                term.wait_for(SAMPLE_TITLE, timeout=30)
                secs.append(time.perf_counter() - term.started)
            finally:
                term.close()
            time.sleep(0.3)
    finally:
        shutil.rmtree(work, ignore_errors=True)
    return {"runs": len(secs), "median_ms": statistics.median(secs) * 1000,
            "min_ms": min(secs) * 1000, "max_ms": max(secs) * 1000}


def browse(db: Path, keys: int = 60) -> dict | None:
    """Hub open, key and memory figures on ``db``'s biggest hub (None: no tmux/citetui)."""
    exe = _citetui()
    if shutil.which("tmux") is None or exe is None:
        return None
    floor = Terminal("exec cat")  # what tmux alone costs: a key echoed by cat
    try:
        time.sleep(0.3)
        echo = [floor.key_time("j") * 1000 for _ in range(20)]
    finally:
        floor.close()
    work = Path(tempfile.mkdtemp(prefix="citetui-bench-browse-"))
    term = Terminal(f"HOME={work} XDG_CONFIG_HOME={work} exec {exe} --db {db}")
    out: dict = {"tmux_floor_p50": statistics.median(echo)}
    try:
        term.wait_for("hubs in your library")
        term.wait_for(re.compile(r"^ \d[\d,]* hubs?", re.M))
        time.sleep(1.0)  # let the hub list finish filling and the app go idle
        out["open_ms"] = term.key_time_until("Enter", EXPLORER_READY) * 1000
        # the rest of the page (side panes) is read after the explorer's rows; wait for it
        out["page_ms"] = term.wait_for(re.compile(r"─ Co-cited works ─")) * 1000 + out["open_ms"]
        time.sleep(1.0)
        term.send("7")  # the explorer pane
        time.sleep(0.5)
        plan = ["j"] * keys + ["NPage"] * (keys // 2) + ["PPage"] * (keys // 4)
        times: dict[str, list[float]] = {}
        for key in plan:
            times.setdefault(key, []).append(term.key_time(key) * 1000)
            time.sleep(0.02)
        names = {"j": "down", "NPage": "pagedown", "PPage": "pageup"}
        for key, vals in times.items():
            out[f"{names[key]}_p50"] = statistics.median(vals)
            out[f"{names[key]}_p95"] = _pct(vals, 95)
            out[f"{names[key]}_n"] = len(vals)
        time.sleep(1.0)
        out["rss_mb"], out["peak_rss_mb"] = term.memory_mb()
        m = EXPLORER_READY.search(term.screen())
        out["screen_count"] = m.group(0) if m else None
    finally:
        term.close()
        shutil.rmtree(work, ignore_errors=True)
    return out


def main(argv: list[str] | None = None) -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    sub = ap.add_subparsers(dest="what", required=True)
    b = sub.add_parser("browse")
    b.add_argument("--db", type=Path, required=True)
    b.add_argument("--keys", type=int, default=60)
    s = sub.add_parser("startup")
    s.add_argument("--runs", type=int, default=7)
    a = ap.parse_args(argv)
    res = browse(a.db, a.keys) if a.what == "browse" else startup(a.runs)
    print(json.dumps(res))


if __name__ == "__main__":
    main()
