"""Hostile strings in the browser: a bundle full of markup, escapes, bidi controls, a
10,000-character title and a 1 MB abstract opens, every string shows literally (as
textsafe.clean leaves it), nothing is interpreted as markup, links or actions, and the
app neither quits nor crashes. Then the real command in tmux: the terminal's title,
clipboard and character set are unharmed.
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
import time
from pathlib import Path

import pytest
from rich.segment import Segment

from bench import reliability as rel
from citetui.core.textsafe import clean
from citetui.ingest import import_files
from citetui.store import Library
from citetui.tui.screens.hub import HubScreen
from citetui.tui.screens.paper import PaperScreen
from citetui.tui.widgets.panes import TextPane
from tests.tui.helpers import screen_text, settle

HUB_TITLE = "Hostile hub " + rel.HOSTILE["textual action markup"]
MARKUP = (
    "[@click=app.quit]",
    "[bold red]Bold[/bold red]",
    "[link=https://evil.example]",
    "[/]",
    "[/nonexistent]",
)


@pytest.fixture
def hostile_lib(tmp_path) -> Library:
    path = tmp_path / "hostile.json"
    path.write_text(json.dumps(rel.hostile_bundle()))
    lib = Library(tmp_path / "hostile.db", create=True)
    import_files(lib, [path])
    yield lib
    lib.close()


def segments(app) -> list[Segment]:
    """Every segment the screen is made of now."""
    return [seg for strip in app.screen._compositor.render_strips() for seg in strip]


def assert_nothing_interpreted(app) -> None:
    """No segment holds a terminal-active character, a link to the hostile site, or an
    action (what [link=...] and [@click=...] markup would have made)."""
    for seg in segments(app):
        assert rel.UNSAFE.search(seg.text) is None, repr(seg.text)
        style = seg.style
        if style is None:
            continue
        assert "evil.example" not in (style.link or ""), seg
        meta = style.meta or {}
        assert not any("app.quit" in str(v) or "app.bell" in str(v) for v in meta.values()), seg


async def test_hostile_library_shows_every_string_literally(hostile_lib, make_app):
    app = make_app(hostile_lib)
    async with app.run_test(size=(200, 60)) as pilot:
        await settle(pilot)
        text = screen_text(app)
        assert HUB_TITLE in text
        assert_nothing_interpreted(app)

        hub = next(h for h in hostile_lib.hubs() if h.paper.title == HUB_TITLE)
        start = time.perf_counter()
        app.open_hub(hub.paper.id)
        await settle(pilot)
        elapsed = time.perf_counter() - start
        assert isinstance(app.screen, HubScreen)
        text = screen_text(app)
        assert HUB_TITLE in text
        for fragment in MARKUP:
            assert fragment in text, fragment
        # The citing papers, one row each, as clean() shows them (rows are cut to fit).
        for name, value in rel.HOSTILE.items():
            row = clean(f"{name}: {value}")[:30]
            assert row in text, row
        assert "An abstract of a megabyte with [bold]markup[/] and escapes." in text
        assert_nothing_interpreted(app)
        assert app.is_running
        assert elapsed < 30, f"the hub with a 1 MB abstract took {elapsed:.1f}s to open"

        # Were [@click=app.quit] markup, a click on it would quit the app.
        lines = screen_text(app).splitlines()
        hits = [
            (x + 2, y)
            for y, line in enumerate(lines)
            for x in [line.find("[@click=app.quit]")]
            if x >= 0
        ]
        assert hits
        for x, y in hits:
            await pilot.click(offset=(x, y))
            await settle(pilot)
            assert app.is_running
        await pilot.press("escape")
        await settle(pilot)
        assert app.is_running


async def test_long_title_and_megabyte_abstract_on_the_paper_page(hostile_lib, make_app):
    app = make_app(hostile_lib)
    async with app.run_test(size=(160, 50)) as pilot:
        await settle(pilot)
        (pid,) = hostile_lib.conn.execute(
            "SELECT id FROM papers WHERE title = ?", (rel.LONG_TITLE,)
        ).fetchone()
        app.open_paper(pid)
        await settle(pilot)
        assert isinstance(app.screen, PaperScreen)
        assert "A very long title A very long title" in screen_text(app)
        assert_nothing_interpreted(app)
        details = app.screen.query_one("#paper-details", TextPane)  # scrolls to the abstract
        details.scroll_end(animate=False)
        await settle(pilot)
        assert "An abstract of a megabyte with [bold]markup[/] and escapes." in screen_text(app)
        assert_nothing_interpreted(app)
        await pilot.press("escape")
        await settle(pilot)
        assert app.is_running


# -- the real terminal ---------------------------------------------------------------

TMUX = shutil.which("tmux")
TIMEOUT = 60.0


class Terminal:
    """The real citetui in tmux, on a private socket, with the clipboard escape enabled
    (so an OSC 52 that got through would land in tmux's paste buffer)."""

    def __init__(self, command: list[str], width: int, height: int):
        self.socket = f"citetui-hostile-{os.getpid()}"
        shell = " ".join(command) + "; echo 'citetui exited'; exec sh"
        self.tmux(
            "-f",
            "/dev/null",
            "new-session",
            "-d",
            "-s",
            "h",
            "-x",
            str(width),
            "-y",
            str(height),
            shell,
        )
        self.tmux("set-option", "-g", "set-clipboard", "on")
        self.tmux("set-option", "-g", "allow-rename", "on")

    def tmux(self, *args: str) -> str:
        # Without COLUMNS/LINES (pytest may set them), which Textual would obey over tmux.
        env = {k: v for k, v in os.environ.items() if k not in ("COLUMNS", "LINES")}
        out = subprocess.run(
            [TMUX, "-L", self.socket, *args], capture_output=True, text=True, env=env
        )
        return out.stdout

    def screen(self, escapes: bool = False) -> str:
        return self.tmux("capture-pane", "-p", *(["-e"] if escapes else []), "-t", "h")

    def wait_for(self, *texts: str) -> str:
        """Poll the screen until every text is on it (a condition, not a fixed sleep)."""
        deadline = time.monotonic() + TIMEOUT
        while True:
            screen = self.screen()
            if all(t in screen for t in texts):
                return screen
            if time.monotonic() > deadline:
                raise AssertionError(f"waited {TIMEOUT}s for {texts!r}; the screen:\n{screen}")
            time.sleep(0.05)

    def close(self) -> None:
        self.tmux("kill-server")


@pytest.mark.skipif(TMUX is None, reason="tmux is not installed")
def test_the_terminal_is_unharmed(tmp_path):
    bundle = tmp_path / "hostile.json"
    bundle.write_text(json.dumps(rel.hostile_bundle()))
    db = tmp_path / "hostile.db"
    run = rel.subprocess_invoke(db, ["import", str(bundle)])
    assert run.code == 0, run.err
    script = Path(sys.executable).parent / "citetui"
    command = [str(script)] if script.exists() else [sys.executable, "-m", "citetui"]
    term = Terminal([*command, "--db", str(db)], 160, 50)
    try:
        term.wait_for("Hostile hub [@click=app.quit]Quit![/]")
        title_before = term.tmux("display", "-p", "-t", "h", "#{pane_title}")
        term.tmux("send-keys", "-t", "h", "Enter")
        screen = term.wait_for(
            "Citing papers",
            "osc 52 clipboard: clipboard",
            "[link=https://evil.example]link[/link]",
            "line drawing charset",
        )
        assert "lqqk charset" in screen  # not drawn as box lines: ESC ( 0 did not get through
        assert "Clear screen" in screen
        raw = term.screen(escapes=True)
        assert "evil.example\x1b" not in raw and "\x1b]8;;https://evil" not in raw
        term.tmux("send-keys", "-t", "h", "q")
        term.wait_for("citetui exited")
        term.tmux("send-keys", "-t", "h", "-l", "echo shell-ok-qqq")
        term.tmux("send-keys", "-t", "h", "Enter")
        after = term.wait_for("shell-ok-qqq\n")
        assert "shell-ok-qqq" in after  # the shell's line reads as typed: no charset switch
        assert term.tmux("display", "-p", "-t", "h", "#{pane_title}") == title_before
        assert "owned" not in term.tmux("display", "-p", "-t", "h", "#{pane_title}")
        buffers = term.tmux("list-buffers")
        assert "rm -rf" not in buffers and "cm0gLXJmIH4vKg" not in buffers
    finally:
        term.close()
