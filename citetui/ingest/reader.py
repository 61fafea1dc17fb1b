"""JSON Lines read, parsed and mapped in a second process while the import writes.

An import runs in one thread, and for big JSON Lines reading the lines (orjson, then the
format's fast path into records) took a fifth to a third of it while the second core
idled. When an import's JSON Lines files of a format come to :data:`READER_MIN_BYTES` or
more together, one reader process (:func:`main`, given the fast path as
``module:function`` and the files on stdin) reads them, file after file, and sends what
it made through a pipe, a chunk of lines at a time (:class:`LinesAhead`); the importer's
thread is left with the writing. A thread takes the chunks off the pipe as they come,
:data:`AHEAD` of them (or :data:`AHEAD_BYTES`) at most, so the reader keeps reading while
a batch is written and memory stays bounded. A big file read outside an import (or not
given to the import's reader) gets a reader of its own.

What comes out is what :func:`~citetui.ingest.jsonio.jsonl_records` gives, in the same
order with the same line numbers, except that a line the fast path maps comes as
:class:`Mapped`. Anything the fast path leaves (an unusual record, a bad line) comes as
its value or :class:`~citetui.ingest.errors.InputError`, for the importer's checked path,
so what is imported and every error read the same with or without the reader.

JSON documents (Semantic Scholar /citations pages: a thousand edges each, often a
thousand files) have a reader of their own, :class:`DocumentsAhead`: one process for all
of an import's documents of a format, which parses each (with
:func:`~citetui.ingest.jsonio.load_json`) and maps the records of its ``data`` list, or
of a top-level list, with the fast path, files ahead of the writer. A document it cannot
read comes back empty-handed, and the importer reads it itself: what is imported and
every error read the same with or without it.

The reader ignores Ctrl+C (the importer rolls back, then stops it) and ends on its own
when the importer goes away (its pipe breaks). ``CITETUI_IMPORT_READER=0`` keeps the
reading in the importer's thread and ``=1`` takes the reader for a file of any size (to
compare, to test, or to debug a format's fast path).
"""

from __future__ import annotations

import contextlib
import contextvars
import ctypes
import functools
import gc
import importlib
import os
import pickle
import queue
import signal
import struct
import subprocess
import sys
import tempfile
import threading
from collections import deque
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import IO, Any

from citetui.ingest import jsonio
from citetui.ingest.errors import InputError, UnreadableInput
from citetui.store import prepared

READER_MIN_BYTES = 16 << 20  # smaller files: the process costs more than it saves
CHUNK = 1_000  # lines a message (an OpenAlex work is ~2.7 KB of JSON)
CHUNK_BYTES = 1 << 20  # or this much JSON, whichever comes first
# Messages taken off the pipe and not yet used, for the reader to fill while the writer
# writes a batch: AHEAD of them or AHEAD_BYTES, whichever comes first (one message always).
# The reader makes them 4 to 20 times as fast as the writer takes them, so a few suffice;
# 24 of a megabyte each were 39 MB of a /paper import's peak.
AHEAD = 24
AHEAD_BYTES = 8 << 20
# A bigger document is left to the importer: parsed here, pickled and parsed again there,
# it would be in memory three times over (an S2 page is about a megabyte).
DOCUMENT_MAX_BYTES = 32 << 20
_FRAME = struct.Struct("<Q")
_MAIN = "import sys; from citetui.ingest.reader import main; sys.exit(main(sys.argv[1:]))"
# The largest resident set a reader of this process had (kB, its own: VmHWM), for the
# import benchmark (the rusage of a child counts its parent's pages before the exec).
PEAK_KB = 0


class Mapped:
    """A line the format's fast path mapped: ``value`` is what the fast path returned."""

    __slots__ = ("value",)

    def __init__(self, value: Any) -> None:
        self.value = value


def mapped_lines(path: Path, fast: Callable[[Any], Any]) -> Iterator[tuple[int, Any]]:
    """(line number, value) for each non-blank line, as ``jsonl_records`` gives them,
    except that a value ``fast`` maps (returns anything but None) comes as
    ``Mapped(fast(value))``. ``fast`` must be a module-level function (the reader
    process imports it by name) that returns None for what it does not take.

    The import's reader (:func:`lines_ahead`) gives the lines if it has the file; a file
    it does not have gets a reader of its own when it is big enough."""
    got = None
    for ahead in _LINES.get():
        got = got or ahead.lines(path, fast)
    if got is None and _use_reader(path):
        got = _own_reader(path, fast)
    if got is not None:
        yield from got
        return
    for lineno, value in jsonio.jsonl_records(path):
        if not isinstance(value, InputError):
            mapped = fast(value)
            if mapped is not None:
                value = Mapped(mapped)
        yield lineno, value


def _own_reader(path: Path, fast: Callable[[Any], Any]) -> Iterator[tuple[int, Any]]:
    one = LinesAhead([path], fast)
    done = False
    try:
        yield from one.lines(path, fast) or ()
        done = True
    finally:
        one.close(done=done)


def _use_reader(*paths: Path) -> bool:
    said = os.environ.get("CITETUI_IMPORT_READER", "")
    if said in ("0", "1"):
        return said == "1"
    try:
        return sum(p.stat().st_size for p in paths) >= READER_MIN_BYTES
    except OSError:
        return False  # the reading in this thread says what is wrong


class _Remote:
    """The reader's place in the file, for :func:`~citetui.ingest.jsonio.reading_progress`
    (it stands where the file object of a read in this process would)."""

    def __init__(self) -> None:
        self.pos = 0
        self.closed = False

    def tell(self) -> int:
        return self.pos


@functools.cache
def _frames_by_mmap() -> None:
    """Give the messages (up to a megabyte each) pages of their own. glibc raises its
    mmap threshold to the size of the first such block freed; after that they came from
    the heap of the thread that reads the pipe and, freed by the writer's thread, stayed
    in that arena: a 1M records import peaked at 249-256 MB, 241-242 MB with the threshold
    held at 256 KB (3 and 2 runs). glibc only (M_MMAP_THRESHOLD is -3); elsewhere nothing.
    Once a process."""
    with contextlib.suppress(OSError, AttributeError):
        ctypes.CDLL(None).mallopt(-3, 256 << 10)


def _stop(proc: subprocess.Popen[bytes], pump: threading.Thread, frames: _Frames) -> None:
    """End a reader process and the thread that takes its messages off the pipe."""
    if proc.poll() is None:
        proc.kill()
    while pump.is_alive():  # (it may wait to put a frame: take them)
        with contextlib.suppress(queue.Empty):
            frames.get(timeout=0.05)
    proc.wait()
    for stream in (proc.stdout, proc.stderr):
        if stream is not None:
            stream.close()


class _Ahead:
    """A reader process for files of an import, in the order the importer takes them
    (see the module): its messages, and its end."""

    MODE = ""

    def __init__(self, paths: list[Path], fast: Callable[[Any], Any]) -> None:
        _frames_by_mmap()
        self._index = {p: i for i, p in enumerate(paths)}
        self._next = 0
        self._ended = False
        self._name = f"{fast.__module__}:{fast.__qualname__}"
        self._said = tempfile.TemporaryFile()  # noqa: SIM115 - closed by close()
        self._proc = subprocess.Popen(
            [sys.executable, "-c", _MAIN, self.MODE, self._name],  # (the paths: on stdin)
            stdin=subprocess.PIPE,
            stdout=subprocess.PIPE,
            # A file, not a pipe: nobody reads a pipe until the reader has died, and a
            # reader that wrote 64 KB to it (warnings) would wait on it for ever.
            stderr=self._said,
        )
        assert self._proc.stdin is not None and self._proc.stdout is not None
        # A thread takes the reader's messages off the pipe as they come, so the reader
        # keeps reading while the importer writes a batch (a pipe alone holds 64 KB).
        self._frames = _Frames()
        self._pump = threading.Thread(
            target=_pump, args=(self._proc.stdout, self._frames), daemon=True
        )
        self._pump.start()
        with contextlib.suppress(OSError):  # (it died at once: no frames will come)
            self._proc.stdin.write(pickle.dumps([str(p) for p in paths]))
        with contextlib.suppress(OSError):
            self._proc.stdin.close()

    def _message(self, timeout: float | None = None) -> tuple[Any, ...] | None:
        """The next message of a file; None once the reader has ended (its last message
        says its peak memory). Raises queue.Empty after ``timeout``."""
        if self._ended:
            return None
        frame = self._frames.get(timeout)
        if frame is not None:
            message = pickle.loads(frame)
            if message[0] >= 0:
                return message
            _note_peak(message[1])
        self._ended = True
        return None

    def _why(self) -> str:
        """Why the reader stopped before its end (the last line it wrote to stderr)."""
        self._proc.wait()
        self._said.seek(0)
        said = self._said.read().decode("utf-8", "replace").strip().splitlines()
        return said[-1] if said else f"exit status {self._proc.returncode}"

    def close(self, *, done: bool = False) -> None:
        """Stop the reader. ``done``: the import took every file, so the reader is at its
        end; its last message (its peak memory, for the benchmark) is waited for."""
        with contextlib.suppress(queue.Empty):
            while done and self._message(timeout=5) is not None:
                pass
        _stop(self._proc, self._pump, self._frames)
        self._said.close()


class DocumentsAhead(_Ahead):
    """The JSON documents of an import (``paths``, in the order the importer takes them),
    parsed and mapped by ``fast`` in a reader process (see the module), for
    :meth:`take`. Use :func:`documents_ahead`."""

    MODE = "documents"

    def take(self, path: Path) -> Any | None:
        """``path``'s document, the records the fast path took as :class:`Mapped`; None:
        the reader could not read it (or was not given it), so the caller reads it."""
        want = self._index.get(path)
        if want is None or want < self._next:
            return None
        while (got := self._message()) is not None:
            i, doc, mapped = got
            self._next = i + 1
            if i == want:
                items = _listed(doc) if mapped else None
                for k in mapped:
                    items[k] = Mapped(items[k])  # type: ignore[index]
                return doc
        return None  # the reader stopped: the rest is read by the importer


class LinesAhead(_Ahead):
    """The JSON Lines files of an import, read, parsed and mapped by ``fast`` in one reader
    process, file after file, for :meth:`lines`. Use :func:`lines_ahead` (an import of
    300 files of 3 MB, one per hub, read them all in the importer's thread: 9 s of a
    66 s re-import of a million S2 citations)."""

    MODE = "lines"

    def lines(self, path: Path, fast: Callable[[Any], Any]) -> Iterator[tuple[int, Any]] | None:
        """``path``'s lines as :func:`mapped_lines` gives them; None: the reader was not
        given the file (or is past it), so the caller reads it."""
        want = self._index.get(path)
        if (
            want is None
            or want < self._next
            or f"{fast.__module__}:{fast.__qualname__}" != self._name
        ):
            return None
        self._next = want + 1
        return self._lines(path, want)

    def _lines(self, path: Path, want: int) -> Iterator[tuple[int, Any]]:
        remote = _Remote()
        jsonio.READING.append((path, remote))  # type: ignore[arg-type]
        lineno = 0
        try:
            while True:
                got = self._message()
                if got is None:  # the reader died before it said the file was done
                    raise UnreadableInput(
                        str(path),
                        f"the reader process stopped after line {lineno}: {self._why()}",
                    )
                i, pos, lines, mapped = got
                if i < want:
                    continue  # a file the importer did not read to its end
                if pos < 0:  # the end of the file
                    return
                remote.pos = pos
                for k, (lineno, value) in enumerate(lines):
                    if k in mapped:
                        yield lineno, Mapped(value)
                    elif type(value) is bytes:  # a line the fast path left: parsed here
                        yield lineno, jsonio.parse_line(path, value, lineno)
                    else:
                        yield lineno, value  # an InputError
        finally:
            remote.closed = True


@contextlib.contextmanager
def documents_ahead(
    paths: list[Path], fast: Callable[[Any], Any]
) -> Iterator[DocumentsAhead | None]:
    """A :class:`DocumentsAhead` for ``paths`` while the import runs, or None when they are
    too small together for a process to pay (see :data:`READER_MIN_BYTES`)."""
    if not paths or not _use_reader(*paths):
        yield None
        return
    ahead = DocumentsAhead(paths, fast)
    try:
        yield ahead
    except BaseException:
        ahead.close()  # the import failed: the reader goes at once
        raise
    ahead.close(done=True)


# The import's readers of JSON Lines (see lines_ahead), for mapped_lines deep in a format.
_LINES: contextvars.ContextVar[tuple[LinesAhead, ...]] = contextvars.ContextVar(
    "citetui_lines_ahead", default=()
)


@contextlib.contextmanager
def lines_ahead(paths: list[Path], fast: Callable[[Any], Any]) -> Iterator[LinesAhead | None]:
    """One :class:`LinesAhead` for the JSON Lines files ``paths`` while the import runs
    (:func:`mapped_lines` takes their lines from it), or None when they are too small
    together for a process to pay (see :data:`READER_MIN_BYTES`)."""
    if not paths or not _use_reader(*paths):
        yield None
        return
    ahead = LinesAhead(paths, fast)
    token = _LINES.set((*_LINES.get(), ahead))
    try:
        yield ahead
    except BaseException:
        ahead.close()  # the import failed: the reader goes at once
        raise
    finally:
        _LINES.reset(token)
    ahead.close(done=True)


def _note_peak(kb: int) -> None:
    global PEAK_KB
    PEAK_KB = max(PEAK_KB, kb)


def _listed(doc: Any) -> list[Any] | None:
    """The records of a document the fast path may take: a page's ``data``, or the
    document itself when it is a list."""
    if type(doc) is dict:
        data = doc.get("data")
        return data if type(data) is list else None
    return doc if type(doc) is list else None


class _Frames:
    """The messages between the pump and the importer: a queue bounded by count and bytes."""

    def __init__(self) -> None:
        self._held: deque[bytes | None] = deque()
        self._bytes = 0
        self._change = threading.Condition()

    def put(self, frame: bytes | None) -> None:
        with self._change:
            while self._held and (len(self._held) >= AHEAD or self._bytes >= AHEAD_BYTES):
                self._change.wait()
            self._held.append(frame)
            self._bytes += len(frame or b"")
            self._change.notify_all()

    def get(self, timeout: float | None = None) -> bytes | None:
        with self._change:
            if not self._change.wait_for(lambda: self._held, timeout):
                raise queue.Empty
            frame = self._held.popleft()
            self._bytes -= len(frame or b"")
            self._change.notify_all()
            return frame


def _pump(stream: IO[bytes], frames: _Frames) -> None:
    """Move the reader's messages from the pipe to ``frames``; None when the pipe ends."""
    try:
        while True:
            head = stream.read(_FRAME.size)
            if len(head) < _FRAME.size:
                break
            (size,) = _FRAME.unpack(head)
            body = stream.read(size)
            if len(body) < size:
                break
            frames.put(body)
    except (OSError, ValueError):
        pass  # the pipe closed under it: the importer has stopped
    frames.put(None)


def _send(stream: IO[bytes], message: Any) -> None:
    """Write one message and flush it: the importer takes each message as it comes, and a
    reader that dies later (os._exit, a kill) must not take with it what it had read. An
    unflushed message waited in the 8 KB buffer of a stdout that PYTHONUNBUFFERED did
    not make raw (a clean environment, as CI's: the shells here set it)."""
    body = pickle.dumps(message, pickle.HIGHEST_PROTOCOL)
    stream.write(_FRAME.pack(len(body)))
    stream.write(body)
    stream.flush()


def _run_lines(paths: list[str], fast: Callable[[Any], Any], out: IO[bytes]) -> None:
    """The reader of JSON Lines: every line of each of ``paths``, mapped by ``fast`` where
    it takes it. A line it does not take goes as its bytes (smaller than its value
    pickled, and parsed as fast); a message holds CHUNK lines or CHUNK_BYTES of them,
    whichever comes first (a /paper record embedding 1,000 citations is half a megabyte),
    and a file ends with a message of its own."""
    for i, name in enumerate(paths):
        path = Path(name)
        lines: list[tuple[int, Any]] = []
        mapped: set[int] = set()
        pos = size = 0
        for lineno, raw in jsonio.jsonl_lines(path):
            value = raw
            if not isinstance(raw, InputError):
                size += len(raw)
                parsed = jsonio.parse_line(path, raw, lineno)
                if isinstance(parsed, InputError):
                    value = parsed
                else:
                    m = fast(parsed)
                    if m is not None:
                        mapped.add(len(lines))
                        value = m
            lines.append((lineno, value))
            if len(lines) >= CHUNK or size >= CHUNK_BYTES:
                progress = jsonio.reading_progress()
                pos = progress[1] if progress else pos
                _send(out, (i, pos, lines, mapped))
                lines, mapped, size = [], set(), 0
        if lines:
            _send(out, (i, pos, lines, mapped))
        _send(out, (i, -1, [], set()))  # the file's end
    _send(out, (-1, _peak_kb(), [], set()))
    out.flush()


def _peak_kb() -> int:
    try:
        with open("/proc/self/status") as fh:
            for line in fh:
                if line.startswith("VmHWM:"):
                    return int(line.split()[1])
    except (OSError, ValueError):
        pass
    return 0


def _run_documents(paths: list[str], fast: Callable[[Any], Any], out: IO[bytes]) -> None:
    """The reader of JSON documents: each of ``paths`` parsed, its records mapped, a
    message a document (None for one it cannot read: the importer reads that itself)."""
    for i, path in enumerate(paths):
        try:
            if Path(path).stat().st_size > DOCUMENT_MAX_BYTES:
                raise ValueError("read in the importer: one copy of it, not three")
            doc = jsonio.load_json(Path(path))
            items = _listed(doc)
            mapped = []
            for k, item in enumerate(items or ()):
                m = fast(item)
                if m is not None:
                    items[k] = m  # type: ignore[index]
                    mapped.append(k)
        except Exception:  # noqa: BLE001 - the importer's own reading says what it is
            doc, mapped = None, []
        _send(out, (i, doc, mapped))
    _send(out, (-1, _peak_kb(), []))
    out.flush()


def main(argv: list[str]) -> int:
    signal.signal(signal.SIGINT, signal.SIG_IGN)  # the importer decides what Ctrl+C does
    gc.disable()  # the records make no cycles; the collector only walked them
    mode, name = argv  # "lines" or "documents"; the files come on stdin
    module, _, function = name.partition(":")
    fast = getattr(importlib.import_module(module), function)
    prepared.IN_READER = True  # the fast paths make their papers ready for the writer
    out = sys.stdout.buffer
    try:
        paths = pickle.load(sys.stdin.buffer)
        (_run_lines if mode == "lines" else _run_documents)(paths, fast, out)
    except BrokenPipeError:  # the importer stopped reading (it failed, or was stopped)
        os.dup2(os.open(os.devnull, os.O_WRONLY), out.fileno())
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
