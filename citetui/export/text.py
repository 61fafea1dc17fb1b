"""How data strings are made safe for an export's destination.

An export to a file keeps the data as it is, except control characters: escape
sequences and C0/C1 controls are removed (tab and newline are kept where the
format can carry them), everything else - bidi marks, zero-width joiners in
scripts that need them - is left alone. An export printed on a terminal passes
every string through :func:`citetui.core.textsafe.clean` instead, so nothing in the
data can act on the terminal. JSON is the exception: it escapes such
characters as ``\\uXXXX``, which is lossless and terminal-safe at once.
"""

from __future__ import annotations

import json
import re
from typing import Any

from citetui.core.textsafe import clean

# ESC-introduced sequences (7-bit and 8-bit): CSI; OSC/DCS/SOS/PM/APC with a
# terminator; other two-byte escapes. Unterminated string controls lose only
# their introducer (removed below with the other controls).
_ESCAPES = re.compile(
    r"(?:\x1b\[|\x9b)[0-?]*[ -/]*[@-~]"
    r"|(?:\x1b[\]PX^_]|[\x90\x98\x9d\x9e\x9f])[^\x07\x1b\x90\x98\x9b-\x9f]*(?:\x07|\x1b\\|\x9c)"
    r"|\x1b[ -/]*[0-~]"
)
_CONTROLS = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f]")
_NEWLINES = re.compile("\r\n?|[\u2028\u2029\x85]")
_SUSPECT = re.compile("[\x00-\x08\x0b-\x1f\x7f-\x9f\u2028\u2029]")  # anything to do?
_HAS_ESCAPE = re.compile("[\x1b\x90\x98\x9b\x9d\x9e\x9f]")
# Characters json.dumps(ensure_ascii=False) leaves raw but a terminal acts on or
# hides: controls, bidi embeddings/overrides/isolates, zero-width, BOM, surrogates.
_JSON_UNSAFE = re.compile(
    "[\x7f-\x9f\xad\u061c\u180e\u200b-\u200f\u2028-\u202e\u2060-\u206f\ufeff"
    "\ufff9-\ufffb\ud800-\udfff\U000e0000-\U000e007f]"
)


class Sanitizer:
    """Makes data strings safe for one destination: a file, or a terminal."""

    def __init__(self, terminal: bool = False):
        self.terminal = terminal

    def multi(self, value: Any) -> str:
        """A value that may span lines (abstracts): line breaks kept."""
        if value is None:
            return ""
        s = value if isinstance(value, str) else str(value)
        if self.terminal:
            return clean(s, multiline=True)
        if not _SUSPECT.search(s):
            return s
        s = _NEWLINES.sub("\n", s)
        if _HAS_ESCAPE.search(s):
            s = _ESCAPES.sub("", s)
        return _CONTROLS.sub("", s)

    def line(self, value: Any) -> str:
        """A value on one line: whitespace runs (line breaks too) become one space."""
        if value is None:
            return ""
        if self.terminal:
            return clean(value)
        return " ".join(self.multi(value).split())


def _escape_json_char(m: re.Match) -> str:
    code = ord(m.group())
    if code > 0xFFFF:
        code -= 0x10000
        return f"\\u{0xD800 + (code >> 10):04x}\\u{0xDC00 + (code & 0x3FF):04x}"
    return f"\\u{code:04x}"


def dump_json(data: dict[str, Any]) -> str:
    """A JSON object with one top-level field per line and one list item per line.

    Readable and diffable (a paper or a citation a line) and fast: each line is
    encoded by the C encoder. Every terminal-active character is written as a
    ``\\uXXXX`` escape.
    """

    def enc(value: Any) -> str:
        return json.dumps(value, ensure_ascii=False)

    fields = []
    for key, value in data.items():
        if isinstance(value, list) and value:
            items = ",\n".join("  " + enc(v) for v in value)
            fields.append(f" {enc(key)}: [\n{items}\n ]")
        else:
            fields.append(f" {enc(key)}: {enc(value)}")
    text = "{\n" + ",\n".join(fields) + "\n}\n"
    return _JSON_UNSAFE.sub(_escape_json_char, text)
