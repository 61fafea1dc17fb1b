"""What every command shares: the library context, error handling and JSON output."""

from __future__ import annotations

import contextlib
import errno
import functools
import io
import json
import os
import sqlite3
import sys
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import Any

import click

from citetui.core.paths import default_library_path
from citetui.core.textsafe import clean

EXIT_USAGE = 2


class Ctx:
    """What every command needs: where the library is and whether it was chosen explicitly."""

    def __init__(self, db: Path | None):
        self.explicit = db is not None
        self.path = db if db is not None else default_library_path()

    def open(self, *, create: bool = False, readonly: bool = False):
        """Open the library; the default one is built from the sample on first use."""
        from citetui.ingest.sample import ensure_default_library
        from citetui.store import Library, LibraryNotFound

        if not self.path.exists():
            if not self.explicit:
                ensure_default_library(self.path)
            elif not create:
                raise LibraryNotFound(
                    f"no library at {self.path} (create one with: citetui --db {self.path} "
                    "import FILE)"
                )
        return Library(self.path, create=create, readonly=readonly)


def paper_arg(lib: Any, text: str, *, write: bool) -> Any:
    """The paper a PAPER argument names (citetui.search.resolver): a write takes only an
    identifier or a clear winner, else lists up to 10 candidates and exits 2; a read takes
    the best match and says which on stderr when it was not exact."""
    from citetui.search.resolver import resolve

    return _resolved(lambda: resolve(lib, text, write=write), text, write).paper


def hub_arg(lib: Any, text: str, *, write: bool = False) -> Any:
    """The hub a HUB argument names (see :func:`paper_arg`)."""
    from citetui.search.resolver import resolve

    return lib.hub(
        _resolved(lambda: resolve(lib, text, write=write, hub=True), text, write).paper.id
    )


def _resolved(find: Callable[[], Any], text: str, write: bool) -> Any:
    from citetui.search.resolver import Unresolved, describe

    try:
        found = find()
    except Unresolved as exc:
        if exc.candidates:
            click.echo("citetui: candidates (id, year, title, first author):", err=True)
            for c in exc.candidates[:10]:
                click.echo("  " + clean(describe(c), limit=160), err=True)
        fail(clean(str(exc)) + ("; nothing was written" if write else ""), 2)
    if found.how == "closest" and not write:
        p = found.paper
        click.echo(f"citetui: taking {p.id}: {clean(p.display_title, limit=100)}", err=True)
    return found


def fail(message: str, code: int = 1) -> None:
    """Exit with one line on stderr: the only way a command reports an expected failure."""
    click.echo(f"citetui: error: {message}", err=True)
    sys.exit(code)


class Group(click.Group):
    """A click group whose usage errors are one line, like every other failure:
    ``citetui: error: Missing argument 'HUB'. (see 'citetui show --help')`` and exit 2,
    instead of click's three-line usage block. The same in a shell and in CliRunner."""

    def main(
        self,
        args: Sequence[str] | None = None,
        prog_name: str | None = None,
        complete_var: str | None = None,
        standalone_mode: bool = True,
        **extra: Any,
    ) -> Any:
        if not standalone_mode:
            return super().main(args, prog_name, complete_var, False, **extra)
        try:
            code = super().main(args, prog_name, complete_var, False, **extra)
        except click.exceptions.Abort:
            fail("interrupted; nothing was written", 130)
        except click.ClickException as exc:
            message = " ".join(exc.format_message().split())
            ctx = getattr(exc, "ctx", None)
            if isinstance(exc, click.UsageError) and ctx is not None:
                message += f" (see '{ctx.command_path} --help')"
            fail(clean(message), exc.exit_code)
        sys.exit(code if isinstance(code, int) else 0)


def friendly_errors(fn: Callable) -> Callable:
    """Turn expected failures into one line on stderr and an exit code, never a traceback."""

    @functools.wraps(fn)
    def wrapper(*args: Any, **kwargs: Any) -> Any:
        try:
            return fn(*args, **kwargs)
        except KeyboardInterrupt:
            fail("interrupted; nothing was written", 130)
        except Exception as exc:  # noqa: BLE001 - the expected ones end here, the rest re-raise
            _expected(exc)
            raise

    return wrapper


def _expected(exc: Exception) -> None:
    """Exit with one line for an expected failure; return for any other (re-raised).

    The error types are imported here, when there is an error: importing
    citetui.ingest (every format) cost the browser's start-up ~20 ms."""
    from citetui.core.query import QueryError
    from citetui.core.textsafe import clean
    from citetui.ingest.errors import InputError
    from citetui.store import LibraryError

    if isinstance(exc, (InputError, LibraryError)):
        fail(clean(str(exc)), exc.exit_code)
    elif isinstance(exc, QueryError):
        fail(f"bad query: {clean(str(exc))}", EXIT_USAGE)
    elif isinstance(exc, sqlite3.DatabaseError):
        fail(
            f"the library is damaged or not a citetui library ({clean(str(exc))}); "
            "run citetui doctor to check it and see what to do",
            3,
        )
    elif isinstance(exc, BrokenPipeError):  # the reader of our output went away (| head)
        _silence_stdout()
        sys.exit(0)
    elif isinstance(exc, OSError) and exc.filename is None and exc.errno in _OUTPUT_ERRNOS:
        _silence_stdout()
        fail(f"cannot write the output: {exc.strerror or exc}; it is incomplete", 1)
    elif isinstance(exc, OSError):  # a file we read or write: permissions, disk full...
        where = f"{exc.filename}: " if exc.filename else ""
        fail(clean(f"{where}{exc.strerror or exc}"), 1)


# Errors writing standard output that leave it incomplete: disk full, file size limit
# (ulimit -f), quota, I/O error.
_OUTPUT_ERRNOS = frozenset({errno.ENOSPC, errno.EFBIG, errno.EDQUOT, errno.EIO})


def _silence_stdout() -> None:
    """Point standard output at /dev/null, so that what is left in its buffer cannot fail
    again at exit (Python would print 'Exception ignored' and exit 120)."""
    with contextlib.suppress(OSError, ValueError):
        os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())


class _WholeWrites(io.RawIOBase):
    """Standard output's file descriptor, written in full or not at all.

    A write to a full disk may write part of a block and return its length; Python's
    own stdout then dropped the rest without an error (seen on tmpfs: 8 KB of a 1.5 MB
    export, exit 0). Here a short write is continued, so the next one raises ENOSPC."""

    def __init__(self, fd: int):
        super().__init__()
        self.fd = fd

    def writable(self) -> bool:
        return True

    def fileno(self) -> int:
        return self.fd

    def write(self, data: Any) -> int:
        view = memoryview(data).cast("B")
        done = 0
        while done < len(view):
            done += os.write(self.fd, view[done:])
        return done


def complete_stdout() -> None:
    """Make standard output report every failed write (see :class:`_WholeWrites`)."""
    out = sys.stdout
    try:
        fd = out.fileno()
    except (AttributeError, OSError, ValueError):  # replaced by a test runner
        return
    out.flush()
    # In a locale that cannot show every character (PYTHONIOENCODING=latin-1), text shows
    # what it can and '?' for the rest (JSON escapes instead: see emit_json) rather
    # than failing with a UnicodeEncodeError half-way through the output.
    errors = out.errors if unicode_output(out.encoding) else "replace"
    sys.stdout = io.TextIOWrapper(
        io.BufferedWriter(_WholeWrites(fd)),
        encoding=out.encoding,
        errors=errors,
        line_buffering=bool(out.line_buffering),
    )


def unicode_output(encoding: str | None) -> bool:
    """Whether text in ``encoding`` can hold any character (a UTF encoding)."""
    import codecs

    try:
        return codecs.lookup(encoding or "ascii").name.startswith("utf")
    except LookupError:
        return False


def finish_output(code: int) -> int:
    """Flush standard output and return the exit code: a command's output is complete or
    the command fails. A reader that went away (``| head``) is no error; a full disk or
    a file size limit is (exit 1, one line on stderr)."""
    try:
        sys.stdout.flush()
    except BrokenPipeError:
        _silence_stdout()
    except OSError as exc:
        _silence_stdout()
        click.echo(
            f"citetui: error: cannot write the output: {exc.strerror or exc}; it is incomplete",
            err=True,
        )
        return code or 1
    except ValueError:  # stdout closed
        pass
    return code


def json_option(fn: Callable) -> Callable:
    """--json: print machine-readable JSON on stdout."""
    return click.option("--json", "as_json", is_flag=True, help="Print JSON on stdout.")(fn)


def emit_json(data: Any) -> None:
    """Print JSON on stdout."""
    from citetui.core.textsafe import json_safe

    # json_safe: C1/bidi/invisible characters and lone surrogates as \u escapes; every
    # non-ASCII character escaped where standard output cannot encode them all.
    ascii_only = not unicode_output(getattr(sys.stdout, "encoding", None))
    click.echo(json_safe(json.dumps(data, indent=2, ensure_ascii=ascii_only)))
