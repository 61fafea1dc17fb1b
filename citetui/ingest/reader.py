"""JSON Lines read, parsed and mapped in a second process while the import writes.

An import runs in one thread, and for a big JSON Lines file reading the lines (orjson,
then the format's fast path into records) took a fifth to a third of it while the second
core idled. For a file of :data:`READER_MIN_BYTES` or more, a reader process (:func:`main`,
given the file and the fast path as ``module:function``) does that part and sends what it
made through a pipe, a chunk of lines at a time; the importer's thread is left with the
writing. A thread takes the chunks off the pipe as they come, :data:`AHEAD` of them (or
:data:`AHEAD_BYTES`) at most, so the reader keeps reading while a batch is written and
memory stays bounded.

What comes out is what :func:`~citetui.ingest.jsonio.jsonl_records` gives, in the same
order with the same line numbers, except that a line the fast path maps comes as
:class:`Mapped`. Anything the fast path leaves (an unusual record, a bad line) comes as
its value or :class:`~citetui.ingest.errors.InputError`, for the importer's checked path,
so what is imported and every error read the same with or without the reader.

The reader ignores Ctrl+C (the importer rolls back, then stops it) and ends on its own
when the importer goes away (its pipe breaks). ``CITETUI_IMPORT_READER=0`` keeps the
reading in the importer's thread and ``=1`` takes the reader for a file of any size (to
compare, to test, or to debug a format's fast path).
"""

from __future__ import annotations

import contextlib
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
    process imports it by name) that returns None for what it does not take."""
    if _use_reader(path):
        yield from _from_reader(path, fast)
        return
    for lineno, value in jsonio.jsonl_records(path):
        if not isinstance(value, InputError):
            mapped = fast(value)
            if mapped is not None:
                value = Mapped(mapped)
        yield lineno, value


def _use_reader(path: Path) -> bool:
    said = os.environ.get("CITETUI_IMPORT_READER", "")
    if said in ("0", "1"):
        return said == "1"
    try:
        return path.stat().st_size >= READER_MIN_BYTES
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


def _from_reader(path: Path, fast: Callable[[Any], Any]) -> Iterator[tuple[int, Any]]:
    _frames_by_mmap()
    name = f"{fast.__module__}:{fast.__qualname__}"
    proc = subprocess.Popen(
        [sys.executable, "-c", _MAIN, str(path), name],
        stdin=subprocess.DEVNULL,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
    )
    assert proc.stdout is not None and proc.stderr is not None
    # A thread takes the reader's messages off the pipe as they come, so the reader keeps
    # reading while this thread writes a batch (a pipe alone holds 64 KB: it waited).
    frames = _Frames()
    pump = threading.Thread(target=_pump, args=(proc.stdout, frames), daemon=True)
    pump.start()
    remote = _Remote()
    jsonio.READING.append((path, remote))  # type: ignore[arg-type]
    lineno = 0
    try:
        while True:
            frame = frames.get()
            if frame is None:  # the reader died before it said it was done
                proc.wait()
                said = proc.stderr.read().decode("utf-8", "replace").strip().splitlines()
                why = said[-1] if said else f"exit status {proc.returncode}"
                raise UnreadableInput(
                    str(path), f"the reader process stopped after line {lineno}: {why}"
                )
            pos, lines, mapped = pickle.loads(frame)
            if pos < 0:  # the end of the file, and the reader's peak memory
                global PEAK_KB
                PEAK_KB = max(PEAK_KB, lines)
                return
            remote.pos = pos
            for i, (lineno, value) in enumerate(lines):
                if i in mapped:
                    yield lineno, Mapped(value)
                elif type(value) is bytes:  # a line the fast path left: parsed here
                    yield lineno, jsonio.parse_line(path, value, lineno)
                else:
                    yield lineno, value  # an InputError
    finally:
        remote.closed = True
        if proc.poll() is None:
            proc.kill()
        while pump.is_alive():  # (it may wait to put a frame: take them)
            with contextlib.suppress(queue.Empty):
                frames.get(timeout=0.05)
        proc.wait()
        proc.stdout.close()
        proc.stderr.close()


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
    body = pickle.dumps(message, pickle.HIGHEST_PROTOCOL)
    stream.write(_FRAME.pack(len(body)))
    stream.write(body)


def _run(path: Path, fast: Callable[[Any], Any], out: IO[bytes]) -> None:
    """The reader: every line of ``path``, mapped by ``fast`` where it takes it. A line it
    does not take goes as its bytes (smaller than its value pickled, and parsed as fast);
    a message holds CHUNK lines or CHUNK_BYTES of them, whichever comes first (a /paper
    record embedding 1,000 citations is half a megabyte)."""
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
            _send(out, (pos, lines, mapped))
            lines, mapped, size = [], set(), 0
    if lines:
        _send(out, (pos, lines, mapped))
    _send(out, (-1, _peak_kb(), set()))
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


def main(argv: list[str]) -> int:
    signal.signal(signal.SIGINT, signal.SIG_IGN)  # the importer decides what Ctrl+C does
    gc.disable()  # the records make no cycles; the collector only walked them
    path, name = argv
    module, _, function = name.partition(":")
    fast = getattr(importlib.import_module(module), function)
    prepared.IN_READER = True  # the fast paths make their papers ready for the writer
    out = sys.stdout.buffer
    try:
        _run(Path(path), fast, out)
    except BrokenPipeError:  # the importer stopped reading (it failed, or was stopped)
        os.dup2(os.open(os.devnull, os.O_WRONLY), out.fileno())
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
