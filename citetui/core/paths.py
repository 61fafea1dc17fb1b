"""Where the default library lives and where the bundled sample data is."""

from __future__ import annotations

import os
from pathlib import Path

import platformdirs

APP = "citetui"
ENV_DB = "CITETUI_DB"


def default_library_path() -> Path:
    """``$CITETUI_DB``, else ``library.db`` in the platform's user data directory."""
    env = os.environ.get(ENV_DB)
    if env:
        return Path(env).expanduser()
    return Path(platformdirs.user_data_dir(APP, appauthor=False)) / "library.db"


def sample_dir() -> Path:
    """The bundled sample data: inside the installed package, or data/ in a checkout."""
    package = Path(__file__).resolve().parents[1]  # citetui/
    installed = package / "_data"
    if installed.is_dir():
        return installed
    return package.parent / "data"


def sample_bundles() -> list[Path]:
    """The hub bundles the default library is built from."""
    return sorted(sample_dir().glob("*.json"))
