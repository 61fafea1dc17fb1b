"""Opening a library: the SQLite file, its schema version, its connection and lock."""

from __future__ import annotations

import contextlib
import os
import sqlite3
import threading
from collections.abc import Iterator
from pathlib import Path

import sqlite_utils

from citetui.store.errors import (
    LibraryBusy,
    LibraryError,
    LibraryNotFound,
    NewerSchema,
    NotALibrary,
    ReadOnlyLibrary,
)
from citetui.store.schema import MIGRATIONS, SCHEMA_VERSION

SQLITE_HEADER = b"SQLite format 3\x00"
OUR_TABLES = {"papers", "citations", "hubs"}


def _check_file(path: Path) -> None:
    try:
        with path.open("rb") as fh:
            head = fh.read(16)
    except IsADirectoryError:
        raise NotALibrary(f"{path} is a directory, not a citetui library") from None
    except PermissionError:
        raise LibraryError(f"{path}: permission denied") from None
    if head and head != SQLITE_HEADER:
        raise NotALibrary(f"{path} is not a SQLite database, so not a citetui library")


class Connection:
    """A SQLite connection to a library with its lock, schema check and transactions.

    One connection may be used from several threads: every use holds ``lock``.
    """

    def __init__(self, path: str | os.PathLike, *, readonly: bool = False, create: bool = False):
        self.path = Path(path)
        exists = self.path.exists()
        if not exists and not create:
            raise LibraryNotFound(f"no library at {self.path}")
        if exists:
            _check_file(self.path)
        elif not readonly:
            parent = self.path.parent
            if not parent.exists():
                try:
                    parent.mkdir(parents=True, exist_ok=True)
                except OSError as exc:
                    raise LibraryError(f"cannot create {parent}: {exc.strerror}") from None
            if not os.access(parent, os.W_OK):
                raise LibraryError(f"cannot create a library in {parent}: directory is read-only")
        if exists and not readonly:
            # A library we cannot write (file or directory read-only) can still be browsed.
            writable = os.access(self.path, os.W_OK) and os.access(self.path.parent, os.W_OK)
            readonly = not writable
        self.readonly = readonly
        self.lock = threading.RLock()
        uri = self.path.resolve().as_uri() + ("?mode=ro" if readonly else "")
        try:
            conn = sqlite3.connect(
                uri, uri=True, check_same_thread=False, timeout=5.0, isolation_level=None
            )
        except sqlite3.Error as exc:
            raise LibraryError(f"cannot open {self.path}: {exc}") from None
        self.conn = conn
        self.db = sqlite_utils.Database(conn)
        try:
            version = conn.execute("PRAGMA user_version").fetchone()[0]
            tables = {r[0] for r in conn.execute("SELECT name FROM sqlite_master WHERE type='table'")}
        except sqlite3.DatabaseError as exc:
            conn.close()
            raise NotALibrary(f"{self.path} is not a usable SQLite database ({exc})") from None
        if version > SCHEMA_VERSION:
            conn.close()
            raise NewerSchema(
                f"{self.path} was written by a newer citetui (schema {version}; this citetui "
                f"reads up to {SCHEMA_VERSION}). Upgrade citetui to open it."
            )
        if version == 0 and tables and not OUR_TABLES <= tables:
            conn.close()
            raise NotALibrary(f"{self.path} is a SQLite database but not a citetui library")
        if version < SCHEMA_VERSION:
            if readonly:
                conn.close()
                raise ReadOnlyLibrary(
                    f"{self.path} needs upgrading to schema {SCHEMA_VERSION} but is read-only"
                )
            self._migrate(version)
        if not readonly:
            with contextlib.suppress(sqlite3.OperationalError):
                conn.execute("PRAGMA journal_mode=WAL")
            conn.execute("PRAGMA synchronous=NORMAL")
        conn.execute("PRAGMA foreign_keys=OFF")

    def _migrate(self, current: int) -> None:
        try:
            with self.db.atomic():
                for version in range(current + 1, SCHEMA_VERSION + 1):
                    MIGRATIONS[version - 1](self.db)
                    self.conn.execute(f"PRAGMA user_version = {version}")
        except sqlite3.OperationalError as exc:
            raise _translate(exc, self.path) from None

    @property
    def schema_version(self) -> int:
        """The schema version of the open library."""
        with self.lock:
            return self.conn.execute("PRAGMA user_version").fetchone()[0]

    @contextlib.contextmanager
    def transaction(self) -> Iterator[sqlite_utils.Database]:
        """One write transaction: everything inside commits together or not at all."""
        if self.readonly:
            raise ReadOnlyLibrary(f"{self.path} is read-only")
        with self.lock:
            try:
                self.conn.execute("BEGIN IMMEDIATE")
            except sqlite3.OperationalError as exc:
                raise _translate(exc, self.path) from None
            try:
                yield self.db
            except BaseException:
                if self.conn.in_transaction:
                    self.conn.execute("ROLLBACK")
                raise
            else:
                try:
                    self.conn.execute("COMMIT")
                except sqlite3.Error as exc:
                    if self.conn.in_transaction:
                        self.conn.execute("ROLLBACK")
                    raise _translate(exc, self.path) from None

    def close(self) -> None:
        """Close the connection."""
        with self.lock:
            self.conn.close()


def _translate(exc: sqlite3.Error, path: Path) -> LibraryError:
    msg = str(exc)
    if "locked" in msg or "busy" in msg:
        return LibraryBusy(f"{path} is locked by another process (an import?); try again")
    if "readonly" in msg or "read-only" in msg:
        return ReadOnlyLibrary(f"{path} is read-only")
    return LibraryError(f"{path}: {msg}")
