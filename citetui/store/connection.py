"""Opening a library: the SQLite file, its schema version, its connection and lock."""

from __future__ import annotations

import contextlib
import os
import sqlite3
import stat
import threading
from collections.abc import Iterator, Sequence
from pathlib import Path
from typing import TYPE_CHECKING, Any

from citetui.store.errors import (
    LibraryBusy,
    LibraryError,
    LibraryNotFound,
    NewerSchema,
    NotALibrary,
    ReadOnlyLibrary,
    UnfinishedWrite,
)
from citetui.store.schema import MIGRATIONS, SCHEMA_VERSION

if TYPE_CHECKING:
    import sqlite_utils

SQLITE_HEADER = b"SQLite format 3\x00"
OUR_TABLES = {"papers", "citations", "hubs"}


# Libraries this process holds open, by (device, inode) -> how many connections. POSIX
# record locks belong to the process: closing *any* descriptor of the database file drops
# every lock our SQLite connections hold on it, and another process (citetui import, or
# any CLI command) then takes the file for unused, e.g. checkpoints and deletes the WAL
# the browser is still writing to. So the file is never opened by hand while one is open.
_OPEN: dict[tuple[int, int], int] = {}
_OPEN_LOCK = threading.Lock()


def _file_key(path: Path) -> tuple[int, int] | None:
    try:
        st = path.stat()
    except OSError:
        return None
    return st.st_dev, st.st_ino


def _check_file(path: Path) -> None:
    try:
        st = path.stat()
    except OSError:
        st = None
    mode = st.st_mode if st is not None else None
    if mode is not None and not stat.S_ISREG(mode) and not stat.S_ISDIR(mode):
        # Reading a FIFO would block; a device is no library.
        raise NotALibrary(f"{path} is not a regular file, so not a citetui library")
    if st is not None:
        with _OPEN_LOCK:
            if _OPEN.get((st.st_dev, st.st_ino)):
                return  # already open here, so already checked; reading it would drop locks
    try:
        with path.open("rb") as fh:
            head = fh.read(16)
    except IsADirectoryError:
        raise NotALibrary(f"{path} is a directory, not a citetui library") from None
    except PermissionError:
        raise LibraryError(f"cannot read {path}: permission denied") from None
    except OSError as exc:
        raise LibraryError(f"cannot read {path}: {exc.strerror or exc}") from None
    if head and head != SQLITE_HEADER:
        raise NotALibrary(f"{path} is not a SQLite database, so not a citetui library")


def _exists(path: Path) -> bool:
    try:
        return path.exists()
    except OSError as exc:  # e.g. a parent directory we may not search
        raise LibraryError(f"cannot reach {path}: {exc.strerror or exc}") from None


DOCTOR = "run citetui doctor to check it and see what to do"
BUSY_TIMEOUT_MS = 5000  # how long a write waits for another process's


def _connect(uri: str) -> sqlite3.Connection:
    return sqlite3.connect(
        uri, uri=True, check_same_thread=False, timeout=BUSY_TIMEOUT_MS / 1000, isolation_level=None
    )


def _read_header(conn: sqlite3.Connection) -> tuple[int, set[str]]:
    version = conn.execute("PRAGMA user_version").fetchone()[0]
    tables = {r[0] for r in conn.execute("SELECT name FROM sqlite_master WHERE type='table'")}
    return version, tables


class Connection:
    """A SQLite connection to a library with its lock, schema check and transactions.

    One connection may be used from several threads: every use holds ``lock``.
    """

    def __init__(
        self, path: str | os.PathLike[str], *, readonly: bool = False, create: bool = False
    ):
        self.path = Path(path)
        exists = _exists(self.path)
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
        uri = self.path.resolve().as_uri()
        conn, version, tables = self._open(uri + ("?mode=ro" if readonly else ""))
        if (
            conn is None
            and readonly
            and not isinstance(self._open_error, (LibraryBusy, UnfinishedWrite))
        ):
            # A WAL library in a directory we cannot write: SQLite cannot make the
            # shared-memory file it reads through, but it can read the file as
            # immutable (nobody can write it here either). Not with an interrupted write
            # in its journal: immutable would read the half-written pages as they lie.
            conn, version, tables = self._open(uri + "?mode=ro&immutable=1")
        if conn is None:
            raise self._open_error
        self.conn = conn
        self._key: tuple[int, int] | None = None
        self._db: sqlite_utils.Database | None = None
        if version > SCHEMA_VERSION:
            conn.close()
            raise NewerSchema(
                f"{self.path} was written by a newer citetui (schema {version}; this citetui "
                f"reads up to {SCHEMA_VERSION}). Upgrade citetui to open it."
            )
        if version == 0 and tables and not tables >= OUR_TABLES:
            conn.close()
            raise NotALibrary(f"{self.path} is a SQLite database but not a citetui library")
        if version < 0 or (version == 0 and tables >= OUR_TABLES):
            conn.close()
            raise NotALibrary(
                f"{self.path} holds citetui's tables but says schema version {version}, which "
                f"no citetui writes: the library is damaged ({DOCTOR})"
            )
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
        self._key = _file_key(self.path)
        if self._key is not None:
            with _OPEN_LOCK:
                _OPEN[self._key] = _OPEN.get(self._key, 0) + 1

    @property
    def db(self) -> sqlite_utils.Database:
        """sqlite-utils over the connection (made when first written through: importing
        sqlite-utils costs start-up time a browser that only reads does not need)."""
        if self._db is None:
            import sqlite_utils

            self._db = sqlite_utils.Database(self.conn)
        return self._db

    def _open(self, uri: str) -> tuple[sqlite3.Connection | None, int, set[str]]:
        """Connect and read the schema version and tables; on failure keep the error."""
        try:
            conn = _connect(uri)
        except sqlite3.Error as exc:
            self._open_error = _translate(exc, self.path, opening=True)
            return None, 0, set()
        try:
            version, tables = _read_header(conn)
        except sqlite3.Error as exc:
            conn.close()
            self._open_error = _translate(exc, self.path, opening=True)
            return None, 0, set()
        return conn, version, tables

    def _migrate(self, current: int) -> None:
        try:
            with self.db.atomic():
                for version in range(current + 1, SCHEMA_VERSION + 1):
                    MIGRATIONS[version - 1](self.db)
                    self.conn.execute(f"PRAGMA user_version = {version}")
        except sqlite3.OperationalError as exc:
            if "already exists" in str(exc) or "duplicate column" in str(exc):
                raise NotALibrary(
                    f"{self.path} says schema version {current} but holds the tables of a "
                    f"later one: the library is damaged ({DOCTOR})"
                ) from None
            raise _translate(exc, self.path) from None

    @property
    def schema_version(self) -> int:
        """The schema version of the open library."""
        with self.lock:
            return int(self.conn.execute("PRAGMA user_version").fetchone()[0])

    @contextlib.contextmanager
    def transaction(self) -> Iterator[sqlite_utils.Database]:
        """One write transaction: everything inside commits together or not at all."""
        if self.readonly:
            raise ReadOnlyLibrary(
                f"cannot write to {self.path}: the library is read-only "
                "(check the permissions of the file and its directory)"
            )
        with self.lock:
            try:
                self.conn.execute("BEGIN IMMEDIATE")
            except sqlite3.OperationalError as exc:
                raise _translate(exc, self.path) from None
            try:
                yield self.db
            except sqlite3.OperationalError as exc:
                if self.conn.in_transaction:
                    self.conn.execute("ROLLBACK")
                raise _translate(exc, self.path) from None
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

    @contextlib.contextmanager
    def import_journal(self, *, big: bool) -> Iterator[None]:
        """Around a big import (see :mod:`citetui.store.importing`): a rollback journal, not
        the WAL.

        The WAL takes every page a transaction writes and copies it into the file after
        the commit: a 1M-record import wrote its 1.1 GB twice (~8 s of a 90 s import, and
        16 CPU-s of 88 into a library that already held the sample). The rollback journal
        holds only the pages the library had before that the import changes (pages it adds
        past the end are not journalled), and still rolls a failed or killed import back.
        No other connection may have the library open (SQLite refuses the switch
        otherwise, and the WAL stays); WAL comes back after.
        """
        switched = False
        if big and not self.readonly and not self.conn.in_transaction:
            with contextlib.suppress(sqlite3.OperationalError):
                mode = self.conn.execute("PRAGMA journal_mode=DELETE").fetchone()[0]
                switched = mode == "delete"
        try:
            yield
        finally:
            if switched:
                with contextlib.suppress(sqlite3.OperationalError):  # the next open sets it
                    self.conn.execute("PRAGMA journal_mode=WAL")

    def _rows(self, sql: str, params: Sequence[Any] | dict[str, Any] = ()) -> list[tuple[Any, ...]]:
        """Every row of one read, under the connection's lock."""
        with self.lock:
            return self.conn.execute(sql, params).fetchall()

    def seal(self) -> None:
        """Fold the WAL into the file and leave WAL mode: one self-contained file, to be
        moved into place (the default library built from the sample)."""
        with self.lock:
            self.conn.execute("PRAGMA wal_checkpoint(TRUNCATE)")
            self.conn.execute("PRAGMA journal_mode=DELETE")

    def __enter__(self) -> Connection:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    def close(self) -> None:
        """Close the connection."""
        with self.lock:
            self.conn.close()
            self._forget()

    def _forget(self) -> None:
        key, self._key = getattr(self, "_key", None), None
        if key is not None:
            with _OPEN_LOCK:
                left = _OPEN.get(key, 0) - 1
                if left > 0:
                    _OPEN[key] = left
                else:
                    _OPEN.pop(key, None)


def _translate(exc: sqlite3.Error, path: Path, *, opening: bool = False) -> LibraryError:
    """The user's message for an SQLite error on the library at ``path``."""
    msg = str(exc)
    code = getattr(exc, "sqlite_errorname", "") or ""
    if "locked" in msg or "busy" in msg or code.startswith(("SQLITE_BUSY", "SQLITE_LOCKED")):
        return LibraryBusy(f"{path} is locked by another process (an import?); try again")
    if code == "SQLITE_READONLY_ROLLBACK":
        return UnfinishedWrite(
            f"{path} holds a write that was interrupted (an import killed or a machine "
            "stopped); the library as it was before that write comes back the next time "
            "it is opened by someone allowed to write it (check the permissions of the "
            "file and its directory)"
        )
    if "readonly" in msg or "read-only" in msg or code.startswith("SQLITE_READONLY"):
        return ReadOnlyLibrary(
            f"{path} is read-only (check the permissions of the file and its directory)"
        )
    if "disk is full" in msg or code == "SQLITE_FULL":
        return LibraryError(f"the disk holding {path} is full; nothing was written")
    if "unable to open" in msg or code.startswith("SQLITE_CANTOPEN"):
        return LibraryError(
            f"cannot open {path} (check the permissions of the file and its directory)"
        )
    if isinstance(exc, sqlite3.DatabaseError) and (
        "not a database" in msg
        or "malformed" in msg
        or code.startswith(("SQLITE_NOTADB", "SQLITE_CORRUPT"))
    ):
        return NotALibrary(f"{path} is damaged or not a SQLite database ({msg}; {DOCTOR})")
    if opening:
        return NotALibrary(f"{path} is not a usable SQLite database ({msg})")
    return LibraryError(f"{path}: {msg}")
