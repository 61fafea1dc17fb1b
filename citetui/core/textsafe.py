"""Making text from data files safe to put on a terminal.

Data is never interpreted: Rich/Textual markup is kept as literal characters by
the callers (they build ``rich.text.Text`` objects or print plain strings), and
this module removes what a terminal would act on:

- escape sequences, 7-bit and 8-bit: CSI (``ESC [``, ``U+009B``), the string
  controls OSC / DCS / SOS / PM / APC (``ESC ]``, ``ESC P``...; ``U+009D``...)
  with their payload when terminated (so an OSC 52 clipboard write or an OSC 8
  hyperlink vanishes whole), and two-character escapes (``ESC c``, ``ESC ( 0``);
- every remaining C0 and C1 control character and DEL (tab and newline become
  spaces, or are kept as line breaks when ``multiline``);
- bidirectional embeddings, overrides, isolates and marks, zero-width and other
  invisible formatting characters (including Unicode tag characters);
- floods of combining marks (capped so they cannot smear over other lines).

Lone surrogates (from JSON ``\\ud800`` escapes) are shown as U+FFFD.

Every pattern here runs in linear time: no nested quantifiers, and the
character classes that repeat are disjoint from what follows them, so a 1 MB
hostile string costs milliseconds, never a catastrophic backtrack.
"""

from __future__ import annotations

import re

_REPLACEMENT = "\ufffd"

# The characters that start an escape sequence: ESC and the C1 introducers.
_HAS_ESCAPE = re.compile("[\x1b\x90\x98\x9b\x9d\x9e\x9f]")

_ESCAPES = re.compile(
    # CSI: parameters, intermediates, one final byte.
    r"(?:\x1b\[|\x9b)[0-?]*[ -/]*[@-~]"
    # OSC, DCS, SOS, PM, APC, 7- or 8-bit, with a terminator (BEL, ST, 8-bit ST).
    # Unterminated ones are not matched: their introducer is removed below as a
    # control character and the rest shows as harmless text.
    # The payload class excludes every introducer, so a failed attempt stops at the
    # next one (linear time even on a megabyte of introducers).
    r"|(?:\x1b[\]PX^_]|[\x90\x98\x9d\x9e\x9f])[^\x07\x1b\x90\x98\x9b-\x9f]*(?:\x07|\x1b\\|\x9c)"
    # Other escapes: ESC, intermediate bytes, a final byte (ESC c, ESC 7, ESC ( 0).
    r"|\x1b[ -/]*[0-~]"
)

# Invisible or terminal-active characters, removed:
#   C0 controls but tab, line feed and carriage return; DEL; C1 controls;
#   U+00AD soft hyphen; U+061C Arabic letter mark; U+180E Mongolian vowel separator;
#   U+200B-U+200F zero-width space/non-joiner/joiner, LRM, RLM;
#   U+202A-U+202E bidi embeddings and overrides; U+2060-U+206F word joiner,
#   invisible operators, bidi isolates, deprecated format characters;
#   U+FEFF BOM / zero-width no-break space; U+FFF9-U+FFFB interlinear annotations;
#   U+FFFE, U+FFFF non-characters; U+E0000-U+E007F tag characters.
_INVISIBLE = (
    "\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f\xad\u061c\u180e\u200b-\u200f"
    "\u202a-\u202e\u2060-\u206f\ufeff\ufff9-\ufffb\ufffe\uffff\U000e0000-\U000e007f"
)
_CONTROLS = re.compile(f"[{_INVISIBLE}]+")
_SURROGATES = re.compile("[\ud800-\udfff]")
_LINE_BREAKS = re.compile("\r\n?|[\x0b\x0c\x85\u2028\u2029]")

# Combining marks (the common blocks): more than MAX_MARKS in a row are dropped.
MAX_MARKS = 4
_MARKS = "\u0300-\u036f\u0483-\u0489\u1ab0-\u1aff\u1dc0-\u1dff\u20d0-\u20ff\ufe20-\ufe2f"
_MARK_FLOOD = re.compile(f"([{_MARKS}]{{{MAX_MARKS}}})[{_MARKS}]+")

# Whitespace that changes when collapsed: runs of two or more, or a lone tab/newline
# (a single space is left alone, so ordinary text is not rewritten).
_SPACES = re.compile(r"[ \t\n]{2,}|[\t\n]")
_LINE_SPACES = re.compile(r"[ \t]{2,}|\t")
_STEPS = (
    (_LINE_BREAKS, "\n"),
    (_CONTROLS, ""),
    (_SURROGATES, _REPLACEMENT),
    (_MARK_FLOOD, r"\1"),
)

# For JSON output: characters that json.dumps(ensure_ascii=False) leaves raw but a
# terminal would act on or hide (escaped as \\uXXXX, which keeps the data intact).
_JSON_UNSAFE = re.compile(f"[{_INVISIBLE}\u2028\u2029\ud800-\udfff]")


def clean(text: object, *, multiline: bool = False, limit: int | None = None) -> str:
    """``text`` with terminal-active characters removed; one line unless ``multiline``.

    Runs of spaces collapse to one; with ``limit``, a longer result is cut to
    ``limit`` characters ending in an ellipsis.
    """
    if text is None:
        return ""
    s = text if isinstance(text, str) else str(text)
    if _HAS_ESCAPE.search(s):
        s = _ESCAPES.sub("", s)
    for pattern, repl in _STEPS:
        if pattern.search(s):
            s = pattern.sub(repl, s)
    if multiline:
        if _LINE_SPACES.search(s):
            s = _LINE_SPACES.sub(" ", s)
        # lines stripped first: a line of only spaces at either end goes too
        s = "\n".join(line.strip() for line in s.split("\n")).strip("\n")
    else:
        if _SPACES.search(s):
            s = _SPACES.sub(" ", s)
        s = s.strip()
    if limit is not None and len(s) > limit:
        s = s[: max(0, limit - 1)] + "…"
    return s


def is_clean(text: str, *, multiline: bool = False) -> bool:
    """Whether ``text`` holds nothing a terminal would act on (what :func:`clean` returns)."""
    if _CONTROLS.search(text) or _SURROGATES.search(text) or _MARK_FLOOD.search(text):
        return False
    return multiline or "\n" not in text and "\t" not in text


def _escape_json_char(m: re.Match[str]) -> str:
    code = ord(m.group())
    if code > 0xFFFF:
        code -= 0x10000
        return f"\\u{0xD800 + (code >> 10):04x}\\u{0xDC00 + (code & 0x3FF):04x}"
    return f"\\u{code:04x}"


_VISIBLE_CONTROLS = re.compile(f"[{_INVISIBLE}\ud800-\udfff]")


def _picture(m: re.Match[str]) -> str:
    code = ord(m.group())
    if code < 0x20:
        return chr(0x2400 + code)  # ␀ ... ␟: ESC shows as ␛, BEL as ␇
    if code == 0x7F:
        return "\u2421"  # ␡
    return _REPLACEMENT


def visible(text: str | None) -> str:
    """``text`` for an editor: every control, escape and invisible character shown as a
    visible symbol (ESC as ␛, BEL as ␇, the rest as U+FFFD), line breaks and tabs kept.

    Unlike :func:`clean`, nothing is removed, so the user sees that the text holds
    something odd and what they save is what they saw."""
    if not text:
        return ""
    s = _LINE_BREAKS.sub("\n", text)
    return _VISIBLE_CONTROLS.sub(lambda m: "\t" if m.group() == "\t" else _picture(m), s)


def json_safe(text: str) -> str:
    """JSON text (from ``json.dumps(..., ensure_ascii=False)``) safe to print on a terminal.

    Control, bidi, invisible and lone surrogate characters are written as
    ``\\uXXXX`` escapes: the JSON means exactly the same, but nothing in it can
    move the cursor, reorder the line or fail to encode as UTF-8.
    """
    return _JSON_UNSAFE.sub(_escape_json_char, text)
