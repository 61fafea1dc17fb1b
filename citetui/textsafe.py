"""Making text from data files safe to put on a terminal.

Data is never interpreted: Rich/Textual markup is kept as literal characters by
the callers (they build ``rich.text.Text`` objects or print plain strings), and
this module removes what a terminal would act on: escape sequences (CSI, OSC,
DCS...), C0/C1 control characters, bidirectional overrides and zero-width
characters, and lone surrogates.
"""

from __future__ import annotations

import re

# ESC-introduced sequences: CSI (ESC [ ... final), OSC / DCS / APC / PM / SOS
# (terminated by BEL or ESC \), and two-character escapes.
_ESCAPES = re.compile(
    r"\x1b\[[0-?]*[ -/]*[@-~]"  # CSI
    r"|\x1b[\]PX^_][^\x07\x1b]*(?:\x07|\x1b\\)?"  # OSC, DCS, SOS, PM, APC
    r"|\x1b[@-Z\\-_]"  # other two-byte escapes
    r"|\x9b[0-?]*[ -/]*[@-~]"  # 8-bit CSI
    r"|[\x90\x98\x9d\x9e\x9f][^\x07\x9c]*(?:\x07|\x9c)?"  # 8-bit string controls
)
# C0 except tab/newline, DEL, C1; bidi embeddings/overrides/isolates; zero-width
# characters and the BOM; lone surrogates.
_CONTROLS = re.compile(
    "[\x00-\x08\x0b-\x1f\x7f-\x9f\u200b-\u200f\u202a-\u202e\u2060-\u2069\ufeff\ud800-\udfff]"
)
_SPACES = re.compile(r"[ \t\r\n]+")


def clean(text: object, *, multiline: bool = False, limit: int | None = None) -> str:
    """``text`` with terminal-active characters removed; one line unless ``multiline``."""
    if text is None:
        return ""
    s = str(text)
    if "\x1b" in s or "\x9b" in s or any("\x90" <= c <= "\x9f" for c in s):
        s = _ESCAPES.sub("", s)
    s = _CONTROLS.sub("", s)
    if multiline:
        s = "\n".join(_SPACES.sub(" ", line).strip() for line in s.splitlines())
    else:
        s = _SPACES.sub(" ", s).strip()
    if limit is not None and len(s) > limit:
        s = s[: max(0, limit - 1)] + "…"
    return s
