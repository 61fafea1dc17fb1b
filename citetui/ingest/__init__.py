"""Importers: one module per source format, reached through :func:`import_files`.

Each format module has ``FORMAT`` (its name), ``detect(head) -> bool`` (does the
start of a file look like this format) and ``load(path, writer, **options)``,
which raises :class:`InputError` for bad input. :func:`import_files` runs every
file of one command in one transaction, so a failure leaves the library as it was.
"""

from __future__ import annotations

import contextlib
import hashlib
import threading
from collections.abc import Callable, Sequence
from pathlib import Path
from types import ModuleType
from typing import Any

from citetui.core.models import ImportReport
from citetui.ingest.errors import InputError
from citetui.ingest.fields import is_json_lines
from citetui.ingest.formats import bundle, openalex, records, s2, s2_bulk
from citetui.ingest.jsonio import peek, reading_progress
from citetui.ingest.reader import documents_ahead, lines_ahead
from citetui.store import Library

FORMATS: dict[str, ModuleType] = {bundle.FORMAT: bundle, records.FORMAT: records}
# Detection tries these in order: the marked citetui formats first, then the sources.
for _module in (s2_bulk, s2, openalex):
    FORMATS[_module.FORMAT] = _module


def register(module: ModuleType) -> None:
    """Add a format module to the registry (detection tries them in order)."""
    FORMATS[module.FORMAT] = module


def detect_format(path: Path) -> str:
    """The format of a file, from its first few kilobytes."""
    head = peek(path)
    if not head.strip():
        raise InputError(str(path), "the file is empty")
    for name, module in FORMATS.items():
        if module.detect(head):
            return name
    raise InputError(
        str(path), f"unknown format (known: {', '.join(FORMATS)}); use --format to say which"
    )


class _Digest:
    """A file's SHA-256 (for the import log), worked out in a thread while the file is
    imported: hashlib lets go of the GIL over each megabyte, so it takes the other core,
    not the writer's time (2.6 GB of OpenAlex works: ~1.6 s of a 110 s import)."""

    def __init__(self, path: Path) -> None:
        self._stop = threading.Event()
        self._value: str | None = None
        self._thread = threading.Thread(target=self._run, args=(path,), daemon=True)
        self._thread.start()

    def _run(self, path: Path) -> None:
        h = hashlib.sha256()
        try:
            with path.open("rb") as fh:
                for block in iter(lambda: fh.read(1 << 20), b""):
                    if self._stop.is_set():
                        return
                    h.update(block)
        except OSError:
            return
        self._value = h.hexdigest()

    def value(self) -> str | None:
        """The digest (None: the file could not be read)."""
        self._thread.join()
        return self._value

    def __enter__(self) -> _Digest:
        return self

    def __exit__(self, kind: object, *_: object) -> None:
        if kind is not None:  # the import failed: no digest wanted
            self._stop.set()


class ImportStatus:
    """How far an import has got, for a progress display that asks from another thread:
    records handed to the writer, bytes read of all the files, and what it is doing."""

    def __init__(self) -> None:
        self.total_bytes = 0
        self.stage = "starting"
        self._done_bytes = 0  # of the files read to the end
        self._done_records = 0
        self._writer: Any = None
        self._path: Path | None = None

    def records(self) -> int:
        """Records read so far."""
        w = self._writer
        return self._done_records + (w.bulk.records if w is not None and w.has_bulk else 0)

    def bytes_read(self) -> int:
        """Bytes read so far, of all the files (compressed bytes for a gzip file)."""
        now = reading_progress()
        here = now[1] if now is not None and now[0] == self._path else 0
        return self._done_bytes + here

    def _start(self, path: Path, writer: Any) -> None:
        self._path, self._writer, self.stage = path, writer, "importing"

    def _done(self, path: Path) -> None:
        w = self._writer
        self._done_records += w.bulk.records if w is not None and w.has_bulk else 0
        self._done_bytes += path.stat().st_size
        self._writer = None


def import_files(
    lib: Library,
    paths: Sequence[Path],
    *,
    fmt: str | None = None,
    progress: Callable[[Path], None] | None = None,
    skip_invalid: bool = False,
    status: ImportStatus | None = None,
    **options: Any,
) -> list[ImportReport]:
    """Import files into the library in one transaction; report what each did (and, in
    ``status``, how far it has got)."""
    if fmt is not None and fmt not in FORMATS:
        raise InputError(fmt, f"unknown format (known: {', '.join(FORMATS)})")
    plan = []
    for path in paths:
        path = Path(path)
        if not path.exists():
            raise InputError(str(path), "no such file")
        if path.is_dir():
            raise InputError(str(path), "is a directory, not a file")
        plan.append((path, fmt or detect_format(path)))
    # A format may look at all its files first (the bulk slice scans the citations for --hubs).
    prepared: dict[str, dict[str, Any]] = {}
    for name in dict.fromkeys(n for _, n in plan):
        prepare = getattr(FORMATS[name], "prepare", None)
        if prepare is not None:
            prepared[name] = prepare(
                [p for p, n in plan if n == name], skip_invalid=skip_invalid, **options
            )
    reports = []
    size = sum(p.stat().st_size for p, _ in plan)
    status = status if status is not None else ImportStatus()
    status.total_bytes = size
    with contextlib.ExitStack() as readers:
        # The JSON documents and the JSON Lines of a format with a fast path, read ahead in
        # a process of their own (citetui.ingest.reader): one for all its documents, one
        # for all its JSON Lines (300 files of 3 MB, one per hub, are read as one file).
        lines = {
            p: is_json_lines(p)
            for p, n in plan
            if hasattr(FORMATS[n], "LINES_FAST") or hasattr(FORMATS[n], "DOCUMENT_FAST")
        }
        ahead = {
            name: readers.enter_context(
                documents_ahead(
                    [p for p, n in plan if n == name and not lines[p]],
                    FORMATS[name].DOCUMENT_FAST,
                )
            )
            for name in dict.fromkeys(n for _, n in plan)
            if hasattr(FORMATS[name], "DOCUMENT_FAST")
        }
        for name in dict.fromkeys(n for _, n in plan):
            # (a format that prepared a plan, the bulk slice of --hubs, reads its own way)
            if hasattr(FORMATS[name], "LINES_FAST") and not prepared.get(name):
                readers.enter_context(
                    lines_ahead(
                        [p for p, n in plan if n == name and lines[p]], FORMATS[name].LINES_FAST
                    )
                )
        with lib.importing(size, bytes_read=status.bytes_read) as session:
            for path, name in plan:
                if progress:
                    progress(path)
                writer = session.writer(name, skip_invalid=skip_invalid)
                status._start(path, writer)
                docs = {"documents": ahead[name]} if ahead.get(name) is not None else {}
                with _Digest(path) as digest:
                    try:
                        FORMATS[name].load(
                            path, writer, **{**options, **prepared.get(name, {}), **docs}
                        )
                    except ValueError as exc:  # a record the store refuses (unknown label...)
                        raise InputError(str(path), str(exc)) from None
                    sha256 = digest.value()
                writer.finish()
                report = ImportReport(
                    source=str(path),
                    format=name,
                    added=dict(writer.added),
                    updated=dict(writer.updated),
                    unchanged=dict(writer.unchanged),
                    skipped=tuple(writer.skipped),
                    hub_ids=tuple(writer.hub_ids),
                )
                session.record(writer, str(path), name, sha256, report.to_dict())
                reports.append(report)
                status._done(path)
            readers.close()  # (read to the end: gone before the indexes are built)
            status.stage = "finishing"  # indexes, search index, hub panes, then the commit
    status.stage = "done"
    return reports


__all__ = ["FORMATS", "ImportStatus", "InputError", "detect_format", "import_files", "register"]
