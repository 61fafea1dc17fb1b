"""Exporting the explorer's current view to a file in the working directory."""

from __future__ import annotations

import os
import re
import tempfile
import unicodedata
from pathlib import Path

from citetui.export import FORMATS, export_counted
from citetui.store import Library

_NOT_SLUG = re.compile(r"[^a-z0-9]+")


def slug(title: str, limit: int = 60) -> str:
    """A file-name-safe, ASCII version of a title."""
    ascii_text = unicodedata.normalize("NFKD", title).encode("ascii", "ignore").decode()
    return _NOT_SLUG.sub("-", ascii_text.casefold()).strip("-")[:limit].rstrip("-") or "hub"


def free_path(directory: Path, stem: str, suffix: str) -> Path:
    """``directory/stem.suffix``, or ``stem-2.suffix``... when that file exists."""
    path = directory / f"{stem}{suffix}"
    n = 2
    while path.exists():
        path = directory / f"{stem}-{n}{suffix}"
        n += 1
    return path


def export_view(
    lib: Library, hub_id: int, title: str, fmt: str, query: str, directory: Path
) -> tuple[Path, int]:
    """Write the hub's citing papers that ``query`` selects; return the file and their count."""
    text, count = export_counted(lib, hub_id, fmt, query.strip() or None)
    path = free_path(directory, slug(title), FORMATS[fmt])
    fd, tmp = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".tmp", dir=directory)
    try:
        with os.fdopen(fd, "w", encoding="utf-8", newline="") as fh:
            fh.write(text)
        umask = os.umask(0)
        os.umask(umask)
        os.chmod(tmp, 0o666 & ~umask)
        os.replace(tmp, path)
    except BaseException:
        if os.path.exists(tmp):
            os.unlink(tmp)
        raise
    return path, count
