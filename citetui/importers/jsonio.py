"""Reading JSON and JSON Lines (plain or gzip) with errors that point at line and column."""

from __future__ import annotations

import gzip
import io
import json
import zlib
from collections.abc import Iterator
from pathlib import Path
from typing import IO, Any

from citetui.importers.errors import InputError


def open_text(path: Path) -> IO[str]:
    """Open a file as UTF-8 text, transparently gunzipping ``.gz`` (or gzip-magic) files."""
    try:
        raw = path.open("rb")
    except FileNotFoundError:
        raise InputError(str(path), "no such file") from None
    except IsADirectoryError:
        raise InputError(str(path), "is a directory, not a file") from None
    except PermissionError:
        raise InputError(str(path), "permission denied") from None
    magic = raw.read(2)
    raw.seek(0)
    stream: IO[bytes] = gzip.GzipFile(fileobj=raw) if magic == b"\x1f\x8b" else raw
    return io.TextIOWrapper(stream, encoding="utf-8", errors="strict")


def _decode_error(path: Path, exc: Exception) -> InputError:
    if isinstance(exc, UnicodeDecodeError):
        return InputError(str(path), f"not UTF-8 text (byte {exc.start})")
    if isinstance(exc, (EOFError, gzip.BadGzipFile, zlib.error)):
        return InputError(str(path), f"truncated or corrupt gzip data ({exc})")
    return InputError(str(path), f"cannot read: {exc}")


def load_json(path: Path) -> Any:
    """The whole document, or an InputError with line and column."""
    try:
        with open_text(path) as fh:
            text = fh.read()
    except (UnicodeDecodeError, EOFError, gzip.BadGzipFile, zlib.error, OSError) as exc:
        raise _decode_error(path, exc) from None
    if not text.strip():
        raise InputError(str(path), "the file is empty")
    try:
        return json.loads(text)
    except json.JSONDecodeError as exc:
        raise InputError(str(path), f"invalid JSON: {exc.msg}", line=exc.lineno,
                         column=exc.colno) from None
    except RecursionError:
        raise InputError(str(path), "invalid JSON: nested too deeply") from None


def iter_jsonl(path: Path) -> Iterator[tuple[int, Any]]:
    """(line number, record) for each non-blank line, streamed."""
    try:
        with open_text(path) as fh:
            for lineno, line in enumerate(fh, 1):
                if not line.strip():
                    continue
                try:
                    yield lineno, json.loads(line)
                except json.JSONDecodeError as exc:
                    raise InputError(str(path), f"invalid JSON: {exc.msg}", line=lineno,
                                     column=exc.colno) from None
    except (UnicodeDecodeError, EOFError, gzip.BadGzipFile, zlib.error) as exc:
        raise _decode_error(path, exc) from None


def peek(path: Path, size: int = 4096) -> str:
    """The first characters of the file (decompressed), for format detection."""
    try:
        with open_text(path) as fh:
            return fh.read(size)
    except (UnicodeDecodeError, EOFError, gzip.BadGzipFile, zlib.error, OSError) as exc:
        raise _decode_error(path, exc) from None
