"""Helpers the source importers share: typed field access, record streams, paper references.

Every check raises an :class:`InputError` naming the file, the record and the
field, so one bad value in a million-line dataset is one clear line.
"""

from __future__ import annotations

import builtins
import gzip
import json
import re
import zlib
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

from citetui.core import ids as idn
from citetui.core.models import PaperRecord
from citetui.ingest.errors import InputError
from citetui.ingest.jsonio import jsonl_records, load_json, open_text
from citetui.ingest.reader import DocumentsAhead, mapped_lines

INT_RANGE = (-idn.MAX_ID - 1, idn.MAX_ID)  # what SQLite stores as an integer
_SURROGATE = re.compile("[\ud800-\udfff]")
_INTEGER = re.compile(r"^\s*[-+]?\d+\s*$")
_S2_SHA = re.compile(r"^[0-9a-fA-F]{40}$")
_ARXIV_NEW = re.compile(r"^\d{4}\.\d{4,5}(v\d+)?$")
_ARXIV_OLD = re.compile(r"^[a-z\-]+(\.[A-Z]{2})?/\d{7}(v\d+)?$")


_EMPTY: dict[str, Any] = {}


def as_obj(value: Any) -> dict[str, Any]:
    """A nested object for a fast path: {} for null; TypeError for anything but an object
    (even "" or 0), so the checked path names the field."""
    if value is None:
        return _EMPTY
    if type(value) is not dict:
        raise TypeError
    return value


def as_list(value: Any) -> list[Any]:
    """A nested list for a fast path: [] for null; TypeError for anything but a list."""
    if value is None:
        return []
    if type(value) is not list:
        raise TypeError
    return value


def kind_of(value: Any) -> str:
    """'an object', 'a list', ... for error messages."""
    return {
        dict: "an object",
        list: "a list",
        str: "a string",
        bool: "a boolean",
        int: "an integer",
        float: "a number",
        type(None): "null",
    }.get(type(value), "a value")


def clean_str(value: str) -> str:
    """A string SQLite can store: lone surrogates (from JSON '\\ud800' escapes) become U+FFFD."""
    return _SURROGATE.sub("\ufffd", value) if _SURROGATE.search(value) else value


def _shown(value: Any, limit: int = 60) -> str:
    text = repr(value)
    return text if len(text) <= limit else text[: limit - 3] + "..."


class Fields:
    """Typed access to the fields of one input record; failures name file, record and field.

    The one validator of every format: Semantic Scholar and OpenAlex records, bulk
    datasets, citetui bundles and records files."""

    def __init__(
        self, path: Path | str, record: str | None = None, line: int | None = None, prefix: str = ""
    ):
        self.path, self.record, self.line, self.prefix = str(path), record, line, prefix

    def at(self, prefix: str) -> Fields:
        """The same record, with field names under ``prefix`` (e.g. 'citingPaper')."""
        return Fields(self.path, self.record, self.line, f"{self.prefix}{prefix}.")

    def fail(self, field: builtins.str | None, message: str) -> InputError:
        """The error for a bad ``field`` of this record."""
        name = f"{self.prefix}{field}" if field else (self.prefix.rstrip(".") or None)
        return InputError(self.path, message, record=self.record, field=name, line=self.line)

    def obj(
        self, value: Any, field: builtins.str | None, *, required: builtins.bool = False
    ) -> builtins.dict[builtins.str, Any] | None:
        """An object, or null unless ``required``."""
        if not isinstance(value, dict) and (required or value is not None):
            raise self.fail(field, f"expected an object, got {kind_of(value)}")
        return value

    def record_obj(self, value: Any, field: builtins.str | None = None) -> builtins.dict[str, Any]:
        """An object (null is refused)."""
        out = self.obj(value, field, required=True)
        assert out is not None
        return out

    def list(self, value: Any, field: builtins.str) -> builtins.list[Any]:
        """A list (null reads as empty)."""
        if value is None:
            return []
        if not isinstance(value, list):
            raise self.fail(field, f"expected a list, got {kind_of(value)}")
        return value

    def str(self, value: Any, field: builtins.str) -> builtins.str | None:
        """A string or null (blank reads as null)."""
        if value is None:
            return None
        if not isinstance(value, str):
            raise self.fail(field, f"expected a string, got {kind_of(value)}")
        value = clean_str(value)
        return value if value.strip() else None

    def int(
        self,
        value: Any,
        field: builtins.str,
        bounds: tuple[builtins.int, builtins.int] = INT_RANGE,
        *,
        text: builtins.bool = True,
    ) -> builtins.int | None:
        """An integer within ``bounds``, or null; with ``text``, a string of digits is read
        as its number (the bulk datasets write corpus ids so)."""
        if value is None:
            return None
        if text and isinstance(value, str) and value.strip().isdigit() and value.isascii():
            if len(value.strip()) > 19:
                raise self.fail(field, f"integer out of range ({value.strip()[:30]}...)")
            value = int(value)
        if not isinstance(value, int) or isinstance(value, bool):
            raise self.fail(field, f"expected an integer, got {kind_of(value)}")
        lo, hi = bounds
        if not lo <= value <= hi:
            digits = str(value)
            shown = digits if len(digits) <= 30 else f"a {len(digits)}-digit number"
            raise self.fail(field, f"integer out of range: {shown} (expected {lo} to {hi})")
        return value

    def num(self, value: Any, field: builtins.str) -> builtins.float | None:
        """A number or null."""
        if value is not None and (not isinstance(value, (int, float)) or isinstance(value, bool)):
            raise self.fail(field, f"expected a number, got {kind_of(value)}")
        return value

    def bool(self, value: Any, field: builtins.str) -> builtins.bool | None:
        """true, false or null."""
        if value is not None and not isinstance(value, bool):
            raise self.fail(field, f"expected true, false or null, got {kind_of(value)}")
        return value

    def strings(self, value: Any, field: builtins.str) -> builtins.list[builtins.str]:
        """A list of strings (nulls and blanks dropped)."""
        out = []
        for i, item in enumerate(self.list(value, field)):
            text = self.str(item, f"{field}[{i}]")
            if text is not None:
                out.append(text)
        return out

    def vocab(self, value: Any, vocab: tuple[builtins.str, ...], field: builtins.str) -> Any:
        """One of ``vocab``."""
        if value not in vocab:
            raise self.fail(
                field, f"unknown value {_shown(value)} (expected one of {', '.join(vocab)})"
            )
        return value


def read_document_or_lines(
    path: Path,
    fast: Callable[[Any], Any] | None = None,
    documents: DocumentsAhead | None = None,
) -> tuple[Any, Iterator[tuple[int, Any]] | None]:
    """(document, None) for a JSON document, (None, records) for JSON Lines.

    A file whose first line is a whole JSON value and which has more non-blank
    lines is JSON Lines; anything else is read as one document. The records of
    JSON Lines are (line number, value or InputError), streamed; with ``fast``, the
    lines it maps come as :class:`~citetui.ingest.reader.Mapped` (see that module).
    A document ``documents`` read ahead comes from there, its mapped records the same.
    """
    doc = documents.take(path) if documents is not None else None
    if doc is not None:  # (the import gave it to the reader as a document)
        return doc, None
    if not is_json_lines(path):
        return load_json(path), None
    return None, iter_lines(path) if fast is None else mapped_lines(path, fast)


def is_json_lines(path: Path) -> bool:
    """Whether ``path`` reads as JSON Lines (see :func:`read_document_or_lines`). The first
    line is parsed only when more follow: a page saved from the API is one line, and
    parsing it here took as long as reading the document."""
    try:
        with open_text(path) as fh:
            first = ""
            for first in fh:
                if first.strip():
                    break
            if not any(line.strip() for line in fh):
                return False
        json.loads(first)
    except (ValueError, RecursionError):
        return False
    except (UnicodeDecodeError, EOFError, gzip.BadGzipFile, zlib.error, OSError):
        return False  # load_json reports it
    return True


iter_lines = jsonl_records  # (line number, value or InputError) for each line of JSON Lines


def paper_ref(text: str, option: str = "--hub") -> PaperRecord:
    """A paper named by an identifier, as on the command line (``--hub``).

    ``CorpusID:N`` (or bare digits: a Semantic Scholar corpus id), ``DOI:...`` or
    ``10.x/...``, ``ARXIV:...`` or ``1707.06347``, a 40-hex Semantic Scholar
    paperId, an OpenAlex ``W...`` id or URL.
    """
    t = text.strip()
    low = t.lower()
    if low.startswith("corpusid:") or (t.isdigit() and t.isascii()):
        cid = idn.norm_corpus_id(t)
        if cid is not None:
            return PaperRecord(corpus_id=cid)
        if _INTEGER.match(t[9:] if low.startswith("corpusid:") else t):
            shown = t if len(t) <= 40 else f"{t[:37]}..."
            raise InputError(
                option, f"{shown!r}: a corpus id is a whole number from 0 to {idn.MAX_ID}"
            )
    if low.startswith(
        ("doi:", "https://doi.org/", "http://doi.org/", "https://dx.doi.org/", "10.")
    ):
        doi = idn.norm_doi(t[4:] if low.startswith("doi:") else t)
        if doi and doi.startswith("10.") and "/" in doi:
            return PaperRecord(doi=doi)
    if (
        low.startswith(("arxiv:", "https://arxiv.org/", "http://arxiv.org/"))
        or _ARXIV_NEW.match(t)
        or _ARXIV_OLD.match(t)
    ):
        arxiv = idn.norm_arxiv(t)
        if arxiv:
            return PaperRecord(arxiv=arxiv)
    if _S2_SHA.match(t):
        return PaperRecord(s2_id=t.lower())
    if re.match(r"^(https?://(api\.)?openalex\.org/(works/)?)?[Ww]\d+$", t):
        return PaperRecord(openalex_id=idn.norm_openalex(t))
    raise InputError(
        option,
        f"{t!r} is not a paper identifier (use CorpusID:N, DOI:..., ARXIV:..., a "
        "Semantic Scholar paperId or an OpenAlex W id)",
    )
