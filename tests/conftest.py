"""Shared fixtures: temporary libraries, the bundled sample, the real data beside the repo."""

from __future__ import annotations

import os
from pathlib import Path

import pytest
from click.testing import CliRunner

from citetui.ingest import import_files
from citetui.search.resolver import resolve_hub
from citetui.store import Library

REPO = Path(__file__).resolve().parents[1]
SAMPLE = REPO / "data" / "ppo-hub.json"
SHARED_REAL = (REPO / ".." / "shared" / "data" / "real").resolve()


@pytest.fixture(autouse=True)
def _isolated_home(tmp_path_factory, monkeypatch):
    """Never touch the user's real library: point CITETUI_DB and XDG dirs at a temp dir."""
    home = tmp_path_factory.mktemp("home")
    monkeypatch.setenv("CITETUI_DB", str(home / "library.db"))
    monkeypatch.setenv("XDG_DATA_HOME", str(home / "data"))
    monkeypatch.delenv("S2_API_KEY", raising=False)
    yield


@pytest.fixture
def lib_path(tmp_path) -> Path:
    """A path for a new, empty library."""
    return tmp_path / "lib.db"


@pytest.fixture
def empty_lib(lib_path) -> Library:
    """A new, empty library."""
    lib = Library(lib_path, create=True)
    yield lib
    lib.close()


@pytest.fixture
def sample_lib(lib_path) -> Library:
    """A library holding the bundled PPO sample."""
    lib = Library(lib_path, create=True)
    import_files(lib, [SAMPLE])
    yield lib
    lib.close()


@pytest.fixture
def shared_real() -> Path:
    """The real Semantic Scholar / OpenAlex records in ../shared (skip when absent)."""
    if not SHARED_REAL.is_dir():
        pytest.skip(f"real sample data not found at {SHARED_REAL}")
    return SHARED_REAL


@pytest.fixture
def runner() -> CliRunner:
    """click's CliRunner."""
    return CliRunner()


def ppo_id(lib: Library) -> int:
    """The paper id of the PPO hub."""
    return resolve_hub(lib, "1707.06347").paper.id


os.environ.setdefault("TEXTUAL_ANIMATIONS", "none")
