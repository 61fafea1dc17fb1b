"""Fixtures for the browser's tests: a library with the PPO sample and the synthetic hubs,
and an app on it (helpers to wait on workers and read the screen are in helpers.py)."""

from __future__ import annotations

import pytest

from citetui.ingest import import_files
from citetui.store import Library
from citetui.tui.app import CitetuiApp
from tests.conftest import SAMPLE
from tests.tui.synthetic import write_bundles


@pytest.fixture
def tui_lib(tmp_path) -> Library:
    """The PPO sample plus two synthetic hubs with labelled citations."""
    lib = Library(tmp_path / "tui.db", create=True)
    import_files(lib, [SAMPLE, *write_bundles(tmp_path)])
    yield lib
    lib.close()


@pytest.fixture
def make_app(tmp_path):
    """Build the app on a library, with its settings in a temporary file."""
    apps: list[CitetuiApp] = []

    def make(lib: Library) -> CitetuiApp:
        app = CitetuiApp(lib, settings_path=tmp_path / "config" / "tui.json")
        apps.append(app)
        return app

    return make
