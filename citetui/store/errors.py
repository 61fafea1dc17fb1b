"""Errors the store raises for expected failures; the CLI and TUI show their message."""

from __future__ import annotations


class LibraryError(Exception):
    """A library cannot be opened or used; the message is meant for the user."""

    exit_code = 3


class LibraryNotFound(LibraryError):
    """No library at the given path."""


class NotALibrary(LibraryError):
    """The file is not a SQLite database, or is corrupt."""


class NewerSchema(LibraryError):
    """The library was written by a newer citetui."""


class ReadOnlyLibrary(LibraryError):
    """A write was asked of a library opened read-only."""


class UnfinishedWrite(LibraryError):
    """The library holds an interrupted write (a hot rollback journal) that only a
    connection allowed to write can roll back."""


class LibraryBusy(LibraryError):
    """Another process holds the library's write lock."""


class NotFound(LibraryError):
    """A hub or paper asked for by id or title is not in the library."""

    exit_code = 4
