"""What every command shares: the library context, error handling and JSON output."""

from __future__ import annotations

import functools
import json
import sqlite3
import sys
from collections.abc import Callable
from pathlib import Path
from typing import Any

import click

from citetui.paths import default_library_path

EXIT_USAGE = 2


class Ctx:
    """What every command needs: where the library is and whether it was chosen explicitly."""

    def __init__(self, db: Path | None):
        self.explicit = db is not None
        self.path = db if db is not None else default_library_path()

    def open(self, *, create: bool = False, readonly: bool = False):
        """Open the library; the default one is built from the sample on first use."""
        from citetui.library_setup import ensure_default_library
        from citetui.store import Library, LibraryNotFound

        if not self.path.exists():
            if not self.explicit:
                ensure_default_library(self.path)
            elif not create:
                raise LibraryNotFound(
                    f"no library at {self.path} (create one with: citetui --db {self.path} import FILE)"
                )
        return Library(self.path, create=create, readonly=readonly)


def _fail(message: str, code: int) -> None:
    click.echo(f"citetui: error: {message}", err=True)
    sys.exit(code)


def friendly_errors(fn: Callable) -> Callable:
    """Turn expected failures into one line on stderr and an exit code, never a traceback."""

    @functools.wraps(fn)
    def wrapper(*args: Any, **kwargs: Any) -> Any:
        from citetui.importers.errors import InputError
        from citetui.query import QueryError
        from citetui.store import LibraryError
        from citetui.textsafe import clean

        try:
            return fn(*args, **kwargs)
        except InputError as exc:
            _fail(clean(str(exc)), exc.exit_code)
        except LibraryError as exc:
            _fail(clean(str(exc)), exc.exit_code)
        except QueryError as exc:
            _fail(f"bad query: {clean(str(exc))}", EXIT_USAGE)
        except sqlite3.DatabaseError as exc:
            _fail(f"the library is damaged or not a citetui library ({clean(str(exc))})", 3)
        except KeyboardInterrupt:
            _fail("interrupted; nothing was written", 130)

    return wrapper


def json_option(fn: Callable) -> Callable:
    """--json: print machine-readable JSON on stdout."""
    return click.option("--json", "as_json", is_flag=True, help="Print JSON on stdout.")(fn)


def emit_json(data: Any) -> None:
    """Print JSON on stdout."""
    click.echo(json.dumps(data, indent=2, ensure_ascii=False))
