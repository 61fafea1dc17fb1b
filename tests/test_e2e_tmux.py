"""End to end: the real ``citetui`` command in a real terminal (tmux) on the sample library.

Types a search, opens a paper, goes back and quits, reading the screen as a user would.
Skipped when tmux is not installed (CI installs it: see .ci/run).
"""

from __future__ import annotations

import os
import shlex
import shutil
import subprocess
import sys
import time
from pathlib import Path

import pytest

from citetui.ingest import import_files
from citetui.store import Library
from tests.conftest import SAMPLE

TMUX = shutil.which("tmux")
pytestmark = pytest.mark.skipif(TMUX is None, reason="tmux is not installed")
TIMEOUT = 30.0


def citetui_command() -> list[str]:
    """The installed ``citetui`` script beside this Python, else ``python -m citetui``."""
    script = Path(sys.executable).parent / "citetui"
    if script.exists():
        return [str(script)]
    found = shutil.which("citetui")
    return [found] if found else [sys.executable, "-m", "citetui"]


class Terminal:
    """A tmux session on a private socket (so it never meets anyone else's tmux)."""

    def __init__(self, command: str, width: int, height: int):
        self.socket = f"citetui-e2e-{os.getpid()}"
        self.run("new-session", "-d", "-s", "e2e", "-x", str(width), "-y", str(height), command)

    def run(self, *args: str) -> str:
        out = subprocess.run(
            [TMUX, "-L", self.socket, *args], capture_output=True, text=True, check=False
        )
        return out.stdout

    def screen(self) -> str:
        return self.run("capture-pane", "-p", "-t", "e2e")

    def keys(self, *keys: str) -> None:
        self.run("send-keys", "-t", "e2e", *keys)

    def type(self, text: str) -> None:
        for ch in text:  # one key at a time, as a person types
            self.run("send-keys", "-t", "e2e", "-l", ch)

    def wait_for(self, *texts: str) -> str:
        """Poll the screen until every text is on it (a condition, not a fixed sleep)."""
        deadline = time.monotonic() + TIMEOUT
        while True:
            screen = self.screen()
            if all(t in screen for t in texts):
                return screen
            if time.monotonic() > deadline:
                raise AssertionError(
                    f"waited {TIMEOUT}s for {texts!r}; the screen shows:\n{screen}"
                )
            time.sleep(0.05)

    def close(self) -> None:
        self.run("kill-server")


def start(tmp_path: Path, files: list[Path], width: int, height: int) -> Terminal:
    """citetui in a terminal of that size, on a new library of ``files`` (its default one)."""
    db = tmp_path / "library.db"
    lib = Library(db, create=True)
    import_files(lib, files)
    lib.close()
    env = {
        "CITETUI_DB": str(db),
        "XDG_CONFIG_HOME": str(tmp_path / "config"),
        "XDG_DATA_HOME": str(tmp_path / "data"),
        "TERM": "xterm-256color",
    }
    exports = " ".join(f"{k}={shlex.quote(v)}" for k, v in env.items())
    program = " ".join(shlex.quote(part) for part in citetui_command())
    # COLUMNS/LINES would override the terminal's real size; a user's shell has none here.
    command = (
        f'env -u COLUMNS -u LINES {exports} {program}; echo "citetui exited with $?"; sleep 600'
    )
    return Terminal(command, width, height)


@pytest.fixture
def terminal(tmp_path):
    term = start(tmp_path, [SAMPLE], 120, 36)
    yield term
    term.close()


def test_search_open_a_paper_go_back_and_quit(terminal):
    t = terminal
    t.wait_for("Proximal Policy Optimization Algorithms", "1 hub")
    t.keys("Enter")
    t.wait_for("Citing papers", "66 citing papers", "Mixed citations")
    t.keys("/")
    t.type("weak strong")
    screen = t.wait_for("1 of 66 citing papers match")
    assert "Weak-to-Strong Generalization is Nearly Ine" in screen
    t.keys("Enter")  # from the search box to the list
    t.keys("Enter")  # open the paper
    screen = t.wait_for("Cites in this library", "Summary")
    assert "Weak-to-strong generalization is nearly inevitable in" in screen
    t.keys("Escape")
    t.wait_for("1 of 66 citing papers match", "Citing papers")
    t.keys("Escape")
    t.wait_for("hubs in your library", "1 hub")
    t.keys("q")
    t.wait_for("citetui exited with 0")


@pytest.fixture
def real_hub_terminal(tmp_path, shared_real):
    """The app at 160x45 on a real-shaped 1,000-paper hub (tests/realshapes.py)."""
    from tests.realshapes import citations_page

    term = start(tmp_path, [citations_page(shared_real, tmp_path)], 160, 45)
    yield term
    term.close()


def pane_lines(screen: str, heading: str) -> list[str]:
    """The lines of the bordered pane whose first line under the heading holds
    ``heading``: the text between its borders, from the heading down to its bottom."""
    lines = screen.splitlines()
    top = next(i for i, line in enumerate(lines) if heading in line)
    left = lines[top].index(heading)
    out = []
    for line in lines[top + 1 :]:
        if line[left - 2 : left - 1] in ("╰", "") or "╰" in line[left - 2 : left + 2]:
            break
        out.append(line[left:].split("│")[0].rstrip())
    return out


def test_a_real_hub_says_something_on_every_row_and_shows_its_statements(real_hub_terminal):
    t = real_hub_terminal
    t.wait_for("S2 14514057", "1 hub")
    t.keys("Enter")
    screen = t.wait_for("1,000 citing papers", "year ↓")
    rows = pane_lines(screen, "year ↓")
    firsts, seconds = rows[0::2], rows[1::2]
    assert len(seconds) >= 15
    for title, said in zip(firsts, seconds, strict=False):
        assert title[:4].isdigit(), title  # newest first: every visible row has a year
        assert said.strip(), (title, said)  # a summary or a sentence of the abstract
        assert "no summary" not in said, (title, said)
    assert sum(s.strip().startswith("abstract:") for s in seconds) >= len(seconds) // 2
    t.keys("i")
    t.wait_for("Citation statements", "716 statements from 449 citing papers")
    t.keys("/")
    t.type("role:method")
    screen = t.wait_for("of 716 statements match role:method")
    heads = [
        line
        for line in screen.splitlines()[3:-1]
        if line.strip() and not line.startswith("       ") and line[:1] == " "
    ]
    assert heads and all("method" in line for line in heads), heads
    t.keys("Escape")  # from the filter to the list
    t.keys("Escape")  # back to the hub
    t.wait_for("1,000 citing papers", "year ↓")
    t.keys("q")
    t.wait_for("citetui exited with 0")
