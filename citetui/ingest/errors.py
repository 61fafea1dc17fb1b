"""The error an importer raises for bad input: one line naming file, record and field."""

from __future__ import annotations

from typing import Any


class InputError(Exception):
    """Input that cannot be imported. ``str()`` is the one line shown to the user."""

    exit_code = 2

    def __init__(
        self,
        path: str,
        message: str,
        *,
        record: str | None = None,
        field: str | None = None,
        line: int | None = None,
        column: int | None = None,
    ):
        self.path, self.message, self.record, self.field = path, message, record, field
        self.line, self.column = line, column
        where = path
        if line is not None:
            where += f":{line}" + (f":{column}" if column is not None else "")
        parts = [where]
        if record is not None:
            parts.append(f"record {record}")
        if field is not None:
            parts.append(f"field {field}")
        super().__init__(": ".join(parts) + f": {message}")

    def __reduce__(self) -> tuple[Any, ...]:
        # The reader process (citetui.ingest.reader) sends bad lines' errors as they are.
        return (
            _rebuilt,
            (type(self), self.path, self.message, self.record, self.field, self.line, self.column),
        )


def _rebuilt(
    cls: type[InputError],
    path: str,
    message: str,
    record: str | None,
    field: str | None,
    line: int | None,
    column: int | None,
) -> InputError:
    return cls(path, message, record=record, field=field, line=line, column=column)


class UnreadableInput(InputError):
    """The rest of a file cannot be read (a truncated gzip, a read error): what was read
    before stands, nothing after it can be skipped to."""
