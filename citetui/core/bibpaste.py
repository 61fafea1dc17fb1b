"""A BibTeX entry pasted as a query, read as the reference it is.

Researchers copy entries out of Google Scholar and reference managers. As text, an
entry's words are mostly its syntax (``@article{key,``, ``title={``, ``pages={888--908}``),
and the write resolver refused every one (0 of 300 real titles in BibTeX form): the
title sat among words it read as another, longer title. Its fields are turned into
"Authors (year). Title. Venue. doi:..." and read as any pasted reference is.

Fields are read by hand, not with bibtexparser: a paste is often cut short (the query
box, a terminal's width), which bibtexparser rejects with a logged warning, and this
runs on every key typed in the browser.
"""

from __future__ import annotations

import re

_ENTRY = re.compile(r"^\s*@\s*([A-Za-z]+)\s*[{(]")
_FIELD = re.compile(r"(?<![\w-])(title|author|year|journal|booktitle|doi|eprint)\s*=\s*", re.I)
_BRACES = re.compile(r"[{}]")
MAX_ENTRY_CHARS = 20_000  # a real entry is a few hundred; its abstract field a few thousand


def _value(text: str, at: int) -> str:
    """The field value starting at ``at``: {balanced braces}, "quoted" or a bare word (a
    value cut short by the paste's end is taken as far as it goes)."""
    if at >= len(text):
        return ""
    opening = text[at]
    if opening == "{":
        depth = 0
        for i in range(at, len(text)):
            if text[i] == "{":
                depth += 1
            elif text[i] == "}":
                depth -= 1
                if depth == 0:
                    return text[at + 1 : i]
        return text[at + 1 :]
    if opening == '"':
        end = text.find('"', at + 1)
        return text[at + 1 : end if end >= 0 else None]
    m = re.match(r"[^,}\s]+", text[at:])
    return m.group(0) if m else ""


def bibtex_reference(text: str) -> str | None:
    """The reference a pasted BibTeX entry describes, as plain text; None when the text is
    no BibTeX entry (or holds none of its fields)."""
    if not _ENTRY.match(text):
        return None
    text = text[:MAX_ENTRY_CHARS]  # (a 100,000-character paste is no entry: read its head)
    fields: dict[str, str] = {}
    for m in _FIELD.finditer(text):
        name = m.group(1).casefold()
        if name not in fields:
            value = " ".join(_BRACES.sub("", _value(text, m.end())).split())
            if value:
                fields[name] = value
    if "title" not in fields and "doi" not in fields and "eprint" not in fields:
        return None
    authors = ", ".join(a.strip() for a in re.split(r"\s+and\s+", fields.get("author", "")))
    parts = [
        f"{authors} ({fields['year']})." if "year" in fields else f"{authors}.",
        f"{fields['title']}." if "title" in fields else "",
        fields.get("journal") or fields.get("booktitle") or "",
        f"doi:{fields['doi']}" if "doi" in fields else "",
        f"arXiv:{fields['eprint']}" if "eprint" in fields else "",
    ]
    return " ".join(p for p in parts if p and p != ".").strip()
