"""Building the default library from the bundled sample on first run."""

from __future__ import annotations

import os
import tempfile
from pathlib import Path

from citetui.core.paths import ENV_DB, sample_bundles
from citetui.store import Library, LibraryError


def build_sample_library(path: Path) -> None:
    """Create a library at ``path`` holding the bundled sample hubs (atomically)."""
    from citetui.ingest import import_files

    bundles = sample_bundles()
    if not bundles:
        raise LibraryError("the bundled sample data is missing from this installation")
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
    except OSError as exc:
        raise LibraryError(f"cannot create {path.parent}: {exc.strerror}") from None
    try:  # built beside it, then moved into place: never a half-built library
        fd, tmp = tempfile.mkstemp(prefix=".citetui-", suffix=".db", dir=path.parent)
    except OSError as exc:
        raise LibraryError(
            f"cannot create the library {path}: {exc.strerror or exc} in {path.parent} "
            f"(set {ENV_DB} to a place you can write, or use --db)"
        ) from None
    os.close(fd)
    os.unlink(tmp)
    try:
        lib = Library(tmp, create=True)
        try:
            import_files(lib, bundles)
            lib.seal()
        finally:
            lib.close()
        os.replace(tmp, path)
    finally:
        for leftover in (tmp, tmp + "-wal", tmp + "-shm"):
            if os.path.exists(leftover):
                os.unlink(leftover)


def ensure_default_library(path: Path) -> None:
    """Build the default library from the sample if there is none yet."""
    if not path.exists():
        build_sample_library(path)
