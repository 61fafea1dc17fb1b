"""The library store: schema, migrations and every SQL query of citetui."""

from citetui.store.errors import (
    LibraryBusy,
    LibraryError,
    LibraryNotFound,
    NewerSchema,
    NotALibrary,
    NotFound,
    ReadOnlyLibrary,
    UnfinishedWrite,
)
from citetui.store.library import Library
from citetui.store.schema import SCHEMA_VERSION
from citetui.store.write import Writer

__all__ = [
    "SCHEMA_VERSION",
    "Library",
    "LibraryBusy",
    "LibraryError",
    "LibraryNotFound",
    "NewerSchema",
    "NotALibrary",
    "NotFound",
    "ReadOnlyLibrary",
    "UnfinishedWrite",
    "Writer",
]
