"""A process reads the library (hubs, hub pages, paged rows, search, stats) while
another imports into it: no read fails or waits for the import, and the reader sees
the new papers as each import commits (WAL)."""

from __future__ import annotations

from bench import reliability as rel
from citetui.search.resolver import resolve_hub


def test_reading_while_another_process_imports(tmp_path):
    result = rel.concurrent_reads(tmp_path, imports=3, papers=1500)
    assert result.errors == []
    assert result.import_errors == 0
    assert result.reads >= 10
    # The reader saw the library before the imports and after at least one of them.
    assert result.counts_seen[0] == 67
    assert result.counts_seen[-1] > 67
    assert result.counts_seen == sorted(result.counts_seen)


async def test_the_browser_reads_while_an_import_runs_and_refreshes_after(tmp_path):
    """The browser open on a library while `citetui import` writes a new hub into it:
    opening a hub page and going back work during the import's transaction, and
    refreshing the hub list afterwards shows the new hub."""
    import asyncio
    import json
    import os

    from citetui.store import Library
    from citetui.tui.app import CitetuiApp
    from citetui.tui.screens.hub import HubScreen
    from citetui.tui.screens.library import LibraryScreen
    from tests.tui.helpers import screen_text, settle

    db = tmp_path / "lib.db"
    rel.make_library(db, annotate=False)
    bundle = tmp_path / "big.json"
    bundle.write_text(json.dumps(rel.big_bundle(12000)))
    lib = Library(db)
    app = CitetuiApp(lib, settings_path=tmp_path / "tui.json")
    proc = None
    try:
        async with app.run_test(size=(140, 40)) as pilot:
            await settle(pilot)
            assert "1 hub" in screen_text(app)
            proc, master = rel._start_import(db, bundle)
            assert await asyncio.to_thread(rel._wait_for_transaction, master)
            # The import holds the write lock now; the browser reads on.
            app.open_hub(resolve_hub(lib, "1707.06347").paper.id)
            await settle(pilot)
            assert isinstance(app.screen, HubScreen)
            assert "Proximal Policy Optimization Algorithms" in screen_text(app)
            await pilot.press("escape")
            await settle(pilot)
            assert isinstance(app.screen, LibraryScreen)
            assert proc.poll() is None, "the import ended before the reads: not concurrent"
            assert await asyncio.to_thread(proc.wait, 300) == 0
            os.close(master)
            app.screen.refilter()  # what typing in the hub filter does
            await settle(pilot)
            text = screen_text(app)
            assert "2 hubs" in text
            assert "A generated hub for the kill test" in text
    finally:
        if proc is not None and proc.poll() is None:
            proc.kill()
        lib.close()


def test_a_second_connection_keeps_the_first_ones_locks(tmp_path):
    """The browser opens a second (reader) connection to its library. Opening the file by
    hand for that (a header check) dropped every POSIX lock the first connection held,
    and the next CLI command, seeing the library unused, deleted the WAL the browser was
    still writing to: what the browser wrote was invisible to others and lost on a kill."""
    import os
    import subprocess
    import sys
    from pathlib import Path

    from citetui.ingest import import_files
    from citetui.store import Library
    from tests.conftest import REPO, SAMPLE

    db = tmp_path / "lib.db"
    setup = Library(db, create=True)
    import_files(setup, [SAMPLE])
    setup.close()
    writer = Library(db)
    reader = Library(db, readonly=True)  # what the app does for its explorer
    try:
        hub = writer.hubs()[0].paper.id
        writer.set_star(hub, True)
        env = {**os.environ, "PYTHONPATH": str(REPO)}
        cli = [sys.executable, "-m", "citetui", "--db", str(db)]
        subprocess.run([*cli, "stats"], check=True, capture_output=True, env=env, cwd=REPO)
        assert Path(f"{db}-wal").exists(), "another process deleted the open library's WAL"
        writer.set_note(hub, "written after another process came and went")
        notes = subprocess.run(
            [*cli, "notes", "--json"], check=True, capture_output=True, env=env, cwd=REPO, text=True
        ).stdout
        assert "written after another process came and went" in notes
    finally:
        reader.close()
        writer.close()
