"""Reading JSON and JSON Lines (plain or gzip) with errors that point at line and column.

Hostile input is turned into an :class:`InputError` here: invalid UTF-8,
truncated or corrupt gzip, malformed JSON (with line and column), numbers too
long to convert, nesting too deep to parse. A UTF-8 byte-order mark is skipped.
Lone surrogates (``"\\ud800"`` escapes, valid JSON but not encodable text) are
replaced by U+FFFD so they can never fail later, in SQLite or on the terminal.
JSON Lines are streamed line by line, so memory stays bounded by the longest line.
"""

from __future__ import annotations

import gzip
import io
import json
import re
import stat
import zlib
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import IO, Any, cast

from citetui.ingest.errors import InputError, UnreadableInput

GZIP_MAGIC = b"\x1f\x8b"
_fast_loads: Callable[[bytes], Any] | None
try:  # 2.5-3x faster than json on the lines of a big file
    from orjson import loads as _orjson_loads

    _fast_loads = _orjson_loads
except ImportError:  # pragma: no cover - the standard library parses every line then
    _fast_loads = None
_BOM = b"\xef\xbb\xbf"
# A \uD800-\uDFFF escape in JSON text; only then can a lone surrogate appear.
_SURROGATE_ESCAPE = re.compile(r"\\u[dD][89a-fA-F]")
_LONE_SURROGATE = re.compile("[\ud800-\udfff]")
_READ_ERRORS = (UnicodeDecodeError, EOFError, gzip.BadGzipFile, zlib.error, OSError)


# The raw files importers are reading, newest last, so a progress display in another
# thread can ask how far the reading has got (``tell()`` on a buffered file is locked).
READING: list[tuple[Path, IO[bytes]]] = []


def reading_progress() -> tuple[Path, int, int] | None:
    """(path, bytes read, file size) of the file being imported now, if any."""
    while READING:
        path, raw = READING[-1]
        if raw.closed:
            READING.pop()
            continue
        try:
            return path, raw.tell(), path.stat().st_size
        except (OSError, ValueError):
            return None
    return None


def open_binary(path: Path) -> IO[bytes]:
    """Open a file for reading bytes, transparently gunzipping gzip files.

    Only regular files: a pipe or FIFO would block (or be read once where detection
    needs to read the start twice), a device is no data file.
    """
    try:
        mode = path.stat().st_mode
    except OSError:
        mode = None  # open() below says why
    if mode is not None and not stat.S_ISREG(mode) and not stat.S_ISDIR(mode):
        raise InputError(
            str(path),
            "not a regular file (a pipe or a device?); save the data to a file and import that",
        )
    try:
        raw = path.open("rb")
    except FileNotFoundError:
        raise InputError(str(path), "no such file") from None
    except IsADirectoryError:
        raise InputError(str(path), "is a directory, not a file") from None
    except PermissionError:
        raise InputError(str(path), "permission denied") from None
    except OSError as exc:
        raise InputError(str(path), f"cannot open: {exc.strerror or exc}") from None
    try:
        magic = raw.read(2)
        raw.seek(0)
    except OSError as exc:
        raw.close()
        raise InputError(str(path), f"cannot read: {exc.strerror or exc}") from None
    del READING[:-7]  # closed ones are dropped as they are found; keep the list short
    READING.append((path, raw))
    if magic == GZIP_MAGIC:
        return cast(IO[bytes], gzip.GzipFile(fileobj=raw))
    return raw


def open_text(path: Path) -> IO[str]:
    """Open a file as UTF-8 text (BOM skipped), transparently gunzipping gzip files."""
    return io.TextIOWrapper(open_binary(path), encoding="utf-8-sig", errors="strict")


def _decode_error(path: Path, exc: Exception, line: int | None = None) -> InputError:
    if isinstance(exc, UnicodeDecodeError):
        where = f"byte {exc.start} of the line" if line is not None else f"byte {exc.start}"
        return InputError(str(path), f"not UTF-8 text ({where})", line=line)
    if isinstance(exc, (EOFError, gzip.BadGzipFile, zlib.error)):
        return InputError(str(path), f"truncated or corrupt gzip data ({exc})", line=line)
    if isinstance(exc, OSError):
        return InputError(str(path), f"cannot read: {exc.strerror or exc}", line=line)
    return InputError(str(path), f"cannot read: {exc}", line=line)


def _fix_surrogates(value: Any) -> Any:
    """``value`` with lone surrogates in every string (keys too) replaced by U+FFFD."""
    if isinstance(value, str):
        return _LONE_SURROGATE.sub("\ufffd", value)
    if isinstance(value, list):
        return [_fix_surrogates(v) for v in value]
    if isinstance(value, dict):
        return {_fix_surrogates(k): _fix_surrogates(v) for k, v in value.items()}
    return value


def parse_json(text: str, path: Path, line: int | None = None) -> Any:
    """Parse one JSON text; errors name ``path`` and the line and column."""
    try:
        value = json.loads(text)
    except json.JSONDecodeError as exc:
        lineno = exc.lineno if line is None else line + exc.lineno - 1
        raise InputError(
            str(path), f"invalid JSON: {exc.msg}", line=lineno, column=exc.colno
        ) from None
    except RecursionError:
        raise InputError(str(path), "invalid JSON: nested too deeply", line=line) from None
    except ValueError as exc:  # e.g. an integer with more digits than Python converts
        msg = "a number with too many digits" if "digits" in str(exc) else str(exc)
        raise InputError(str(path), f"invalid JSON: {msg}", line=line) from None
    if _SURROGATE_ESCAPE.search(text):
        try:
            value = _fix_surrogates(value)
        except RecursionError:
            raise InputError(str(path), "invalid JSON: nested too deeply", line=line) from None
    return value


def load_json(path: Path) -> Any:
    """The whole document, or an InputError with line and column."""
    try:
        with open_text(path) as fh:
            text = fh.read()
    except InputError:
        raise
    except _READ_ERRORS as exc:
        raise _decode_error(path, exc) from None
    if not text.strip():
        raise InputError(str(path), "the file is empty")
    return parse_json(text, path)


def jsonl_records(path: Path) -> Iterator[tuple[int, Any]]:
    """(line number, value) for each non-blank line, streamed; a bad line yields an
    :class:`InputError` as its value instead (the caller raises it or skips the line), and
    a file that cannot be read further (truncated gzip) ends with one naming the last good
    line. The one JSON Lines reader of every format.

    Lines are parsed as bytes (no text layer: a third of the reading cost); lone
    surrogates are fixed only in a line that escapes one."""
    for lineno, raw in jsonl_lines(path):
        yield lineno, raw if isinstance(raw, InputError) else parse_line(path, raw, lineno)


def jsonl_lines(path: Path) -> Iterator[tuple[int, Any]]:
    """(line number, the line's bytes) for each non-blank line, streamed (BOM dropped); a
    file that cannot be read further ends with an :class:`UnreadableInput` instead."""
    stream = open_binary(path)
    lineno = 0
    try:
        with stream:
            for lineno, raw in enumerate(stream, 1):
                if lineno == 1 and raw.startswith(_BOM):
                    raw = raw[len(_BOM) :]
                if not raw or raw.isspace():
                    continue
                yield lineno, raw
    except (EOFError, gzip.BadGzipFile, zlib.error, OSError) as exc:
        failure = _decode_error(path, exc)
        if lineno and not isinstance(exc, OSError):
            message = f"truncated or corrupt gzip data after line {lineno} ({exc})"
        else:
            message = failure.message + (f", after line {lineno}" if lineno else "")
        yield lineno + 1, UnreadableInput(str(path), message)


def parse_line(path: Path, raw: bytes, lineno: int) -> Any:
    """The value of one line of JSON Lines, or the :class:`InputError` that names what is
    wrong with it."""
    if _fast_loads is not None:
        try:
            return _fast_loads(raw)
        except ValueError:
            pass  # Python's parser decides, and names what is wrong
    try:
        value = json.loads(raw)
    except (ValueError, RecursionError) as exc:
        return _line_error(path, raw, lineno, exc)
    if b"\\u" in raw and _SURROGATE_ESCAPE.search(raw.decode("utf-8")):
        try:
            value = _fix_surrogates(value)
        except RecursionError:
            return InputError(str(path), "invalid JSON: nested too deeply", line=lineno)
    return value


def _line_error(path: Path, raw: bytes, lineno: int, exc: Exception) -> InputError:
    """The error of a line json.loads refused: not UTF-8, or not JSON (with its column)."""
    try:
        raw.decode("utf-8")
    except UnicodeDecodeError as bad:
        return _decode_error(path, bad, lineno)
    if isinstance(exc, json.JSONDecodeError):
        return InputError(str(path), f"invalid JSON: {exc.msg}", line=lineno, column=exc.colno)
    if isinstance(exc, RecursionError):
        return InputError(str(path), "invalid JSON: nested too deeply", line=lineno)
    msg = "a number with too many digits" if "digits" in str(exc) else str(exc)
    return InputError(str(path), f"invalid JSON: {msg}"[:200], line=lineno)


def iter_jsonl(
    path: Path,
    on_error: Callable[[InputError], None] | None = None,
    *,
    fast: Callable[[Any], Any] | None = None,
) -> Iterator[tuple[int, Any]]:
    """(line number, record) for each non-blank line, streamed.

    A line that is not UTF-8 or not JSON raises an :class:`InputError` naming the
    line, or, with ``on_error`` (e.g. ``writer.bad_record``), is passed to it and
    skipped. Unreadable, truncated or corrupt files always raise. With ``fast``, the
    records it maps come mapped (:func:`citetui.ingest.reader.mapped_lines`).
    """
    if fast is None:
        lines = jsonl_records(path)
    else:
        from citetui.ingest.reader import mapped_lines  # (it reads through this module)

        lines = mapped_lines(path, fast)
    for lineno, value in lines:
        if isinstance(value, InputError):
            if on_error is None or isinstance(value, UnreadableInput):
                raise value
            on_error(value)
            continue
        yield lineno, value


def peek(path: Path, size: int = 4096) -> str:
    """The first characters of the file (decompressed), for format detection."""
    try:
        with open_binary(path) as fh:
            head = fh.read(size)
    except InputError:
        raise
    except _READ_ERRORS as exc:
        raise _decode_error(path, exc) from None
    if head.startswith(_BOM):
        head = head[len(_BOM) :]
    try:
        return head.decode("utf-8")
    except UnicodeDecodeError as exc:
        # A multi-byte character cut by the peek's end is fine: decode what is whole.
        if exc.reason == "unexpected end of data" and exc.start >= len(head) - 3:
            return head[: exc.start].decode("utf-8")
        raise _decode_error(path, exc) from None
