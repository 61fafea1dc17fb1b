"""The browser's side of the benchmark, measured in a real terminal: the ``citetui`` command
running in tmux, its screen read with ``capture-pane``.

- **start-up**: from asking tmux to start ``citetui`` (on a library built from
  the bundled sample) to the sample hub's title being on the screen; several
  runs, median reported. citetui's modules are byte-compiled first, as ``pip
  install`` leaves them (a source tree may not be, see ``_byte_compile``).
- **hub open**: on a big library, from pressing Enter on the biggest hub in the
  library screen to its explorer's first rows and count being on the screen.
- **hub open again**: back to the library (Escape) and Enter on the same hub: the
  same two times for a hub opened before (its computed panes are kept in the
  library).
- **keys**: in that explorer, each cursor key (``j``) and page key (PageDown,
  PageUp), timed two ways:

  - *repaint received*: through a tmux control-mode client (``tmux -C``), from
    the ``send-keys`` command to the last byte of citetui's repaint arriving at
    tmux (tmux reports each read of the pane's output as a ``%output`` line; a
    repaint is the burst of them that follows the key). This is the key's
    handling: read, acted on, drawn, written to the terminal. Nothing polls, so
    nothing competes with citetui for the two cores.
  - *screen changed*: from ``tmux send-keys`` to ``capture-pane`` showing a
    different screen, polled every ~3 ms. Each poll starts a tmux client
    process; on two cores these compete with citetui while it draws, so this is
    an upper bound.

  Beside both, the same measurement of a key echoed by ``cat`` (tmux's own share).
- **memory**: resident set of the ``citetui`` process after all that (the big
  library open, a hub page shown), and its peak.

Pilot is not used here: ``pilot.press`` waits for the app to go idle and costs
~40 ms per key on an empty app, which hides a 16 ms target.

Run::

    python -m bench.tui startup
    python -m bench.tui browse --db LIB.db
"""

from __future__ import annotations

import argparse
import contextlib
import json
import os
import re
import select
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

SAMPLE_TITLE = "Proximal Policy Optimization Algorithms"
EXPLORER_READY = re.compile(r"[\d,]+ citing papers · sorted by")
PAGE_READY = re.compile(r"─ Co-cited works ─")
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
        subprocess.run(
            [
                self.tmux,
                "new-session",
                "-d",
                "-s",
                self.name,
                "-x",
                str(width),
                "-y",
                str(height),
                command,
            ],
            check=True,
        )

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

    def control(self) -> Control:
        """A control-mode client on this session (see :class:`Control`)."""
        return Control(self.tmux, self.name)

    def memory_mb(self) -> tuple[float, float]:
        """(resident, peak resident) MB of the pane's process (citetui, exec'd)."""
        pid = subprocess.run(
            [self.tmux, "display-message", "-p", "-t", self.name, "#{pane_pid}"],
            capture_output=True,
            text=True,
        ).stdout.strip()
        vals = {}
        with open(f"/proc/{pid}/status") as fh:
            for line in fh:
                if line.startswith(("VmRSS:", "VmHWM:")):
                    vals[line.split(":")[0]] = int(line.split()[1]) / 1024
        return vals["VmRSS"], vals["VmHWM"]

    def close(self) -> None:
        subprocess.run([self.tmux, "kill-session", "-t", self.name], capture_output=True)


class Control:
    """A ``tmux -C`` client: sends keys and sees each read tmux makes of the pane's output.

    Times are taken as lines arrive on the client's stdout, without polling.
    """

    QUIET = 0.005  # a repaint is one write; tmux reads it in pieces well under 5 ms apart

    def __init__(self, tmux: str, session: str):
        self.session = session
        self.proc = subprocess.Popen(
            [tmux, "-C", "attach", "-t", session],
            stdin=subprocess.PIPE,
            stdout=subprocess.PIPE,
            bufsize=0,
        )
        self.fd = self.proc.stdout.fileno()
        self.buf = b""

    def _lines(self, timeout: float):
        """(arrival time, line) as they come, until ``timeout`` s pass without one."""
        while True:
            while b"\n" in self.buf:
                line, self.buf = self.buf.split(b"\n", 1)
                yield time.perf_counter(), line
            ready, _, _ = select.select([self.fd], [], [], timeout)
            if not ready:
                return
            data = os.read(self.fd, 1 << 16)
            if not data:
                return
            self.buf += data

    def settle(self, quiet: float = 0.05) -> None:
        """Wait until the pane has been silent for ``quiet`` s."""
        for _ in self._lines(quiet):
            pass

    def repaint_ms(self, key: str, timeout: float = 10.0) -> float:
        """Milliseconds from sending ``key`` to the last byte of the output it caused."""
        self.settle()
        t = time.perf_counter()
        self.proc.stdin.write(f"send-keys -t {self.session} {key}\n".encode())
        last = None
        for when, line in self._lines(timeout if last is None else self.QUIET):
            if line.startswith(b"%output"):
                last = when
                break
        if last is None:
            raise TimeoutError(f"no output after {key!r}")
        for when, line in self._lines(self.QUIET):
            if line.startswith(b"%output"):
                last = when
        return (last - t) * 1000

    def close(self) -> None:
        with contextlib.suppress(OSError):
            self.proc.stdin.write(b"detach-client\n")
        try:
            self.proc.wait(timeout=2)
        except subprocess.TimeoutExpired:
            self.proc.kill()


def _python_of(exe: str) -> str:
    """The interpreter a console script runs under (its ``#!`` line), else ours."""
    try:
        with open(exe, "rb") as fh:
            first = fh.readline(4096)
    except OSError:
        return sys.executable
    if first.startswith(b"#!"):
        cmd = first[2:].strip().decode(errors="replace").split()
        if cmd and Path(cmd[0]).name.startswith("python") and Path(cmd[0]).exists():
            return cmd[0]
    return sys.executable


def _byte_compile(exe: str) -> bool:
    """Byte-compile the citetui that ``exe`` imports, as ``pip install`` does.

    An editable install is compiled when first imported, unless Python may not write
    bytecode (PYTHONDONTWRITEBYTECODE, set on some build machines): then every launch
    compiles citetui's sources again, ~0.1 s no installed citetui spends. Returns
    whether it compiled (False: it could not, and start-up includes compiling).
    """
    script = (
        "import compileall, os, citetui; "
        "raise SystemExit(0 if compileall.compile_dir("
        "os.path.dirname(citetui.__file__), quiet=1) else 1)"
    )
    env = {k: v for k, v in os.environ.items() if k != "PYTHONDONTWRITEBYTECODE"}
    run = subprocess.run([_python_of(exe), "-c", script], env=env, capture_output=True)
    return run.returncode == 0


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
    compiled = _byte_compile(exe)
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
    return {
        "runs": len(secs),
        "bytecode": compiled,
        "median_ms": statistics.median(secs) * 1000,
        "min_ms": min(secs) * 1000,
        "max_ms": max(secs) * 1000,
    }


def browse(db: Path, keys: int = 60) -> dict | None:
    """Hub open, key and memory figures on ``db``'s biggest hub (None: no tmux/citetui)."""
    exe = _citetui()
    if shutil.which("tmux") is None or exe is None:
        return None
    floor = Terminal("exec cat")  # what tmux alone costs: a key echoed by cat
    try:
        time.sleep(0.3)
        echo = [floor.key_time("j") * 1000 for _ in range(20)]
        ctl = floor.control()
        try:
            echo_ctl = [ctl.repaint_ms("j") for _ in range(20)]
        finally:
            ctl.close()
    finally:
        floor.close()
    work = Path(tempfile.mkdtemp(prefix="citetui-bench-browse-"))
    term = Terminal(f"HOME={work} XDG_CONFIG_HOME={work} exec {exe} --db {db}")
    out: dict = {
        "tmux_floor_p50": statistics.median(echo),
        "tmux_floor_repaint_p50": statistics.median(echo_ctl),
    }
    try:
        term.wait_for("hubs in your library")
        term.wait_for(re.compile(r"^ \d[\d,]* hubs?", re.M))
        time.sleep(1.0)  # let the hub list finish filling and the app go idle
        out["open_ms"] = term.key_time_until("Enter", EXPLORER_READY) * 1000
        # the rest of the page (side panes) is read after the explorer's rows; wait for it
        out["page_ms"] = term.wait_for(PAGE_READY) * 1000 + out["open_ms"]
        time.sleep(1.0)
        term.send("Escape")
        term.wait_for("hubs in your library")
        time.sleep(1.0)
        out["reopen_ms"] = term.key_time_until("Enter", EXPLORER_READY) * 1000
        out["repage_ms"] = term.wait_for(PAGE_READY) * 1000 + out["reopen_ms"]
        time.sleep(1.0)
        term.send("7")  # the explorer pane
        time.sleep(0.5)
        names = {"j": "down", "NPage": "pagedown", "PPage": "pageup"}
        plan = ["j"] * keys + ["NPage"] * (keys // 2) + ["PPage"] * (keys // 4)
        polled: dict[str, list[float]] = {}
        for key in plan:
            polled.setdefault(key, []).append(term.key_time(key) * 1000)
            time.sleep(0.02)
        received: dict[str, list[float]] = {}
        ctl = term.control()
        try:
            for key in plan:
                received.setdefault(key, []).append(ctl.repaint_ms(key))
        finally:
            ctl.close()
        for key, vals in polled.items():
            out[f"{names[key]}_p50"] = statistics.median(vals)
            out[f"{names[key]}_p95"] = _pct(vals, 95)
            out[f"{names[key]}_n"] = len(vals)
        for key, vals in received.items():
            out[f"{names[key]}_repaint_p50"] = statistics.median(vals)
            out[f"{names[key]}_repaint_p95"] = _pct(vals, 95)
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
