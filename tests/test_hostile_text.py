"""The sanitiser: every terminal-active character goes, nothing hangs, text survives."""

from __future__ import annotations

import json
import time

import pytest

from citetui.core.textsafe import MAX_MARKS, clean, is_clean, json_safe

ESC = "\x1b"

# (name, hostile input, what clean() must return)
CASES = [
    ("CSI clear screen", f"a{ESC}[2Jb", "ab"),
    ("CSI colours", f"{ESC}[1;31mred{ESC}[0m text", "red text"),
    ("CSI cursor home and erase", f"x{ESC}[H{ESC}[Ky", "xy"),
    ("OSC 52 clipboard (BEL)", f"before{ESC}]52;c;cm0gLXJmIH4=\x07after", "beforeafter"),
    ("OSC 52 clipboard (ST)", f"before{ESC}]52;c;cm0gLXJmIH4={ESC}\\after", "beforeafter"),
    (
        "OSC 8 hyperlink",
        f"{ESC}]8;;https://evil.example{ESC}\\click me{ESC}]8;;{ESC}\\ now",
        "click me now",
    ),
    ("OSC 0 window title", f"{ESC}]0;pwned\x07Title", "Title"),
    ("unterminated OSC", f"t{ESC}]52;c;AAAA rest", "t52;c;AAAA rest"),
    ("DCS", f"a{ESC}Pq#0;2;0;0;0#0~~@@{ESC}\\b", "ab"),
    ("APC / PM / SOS", f"a{ESC}_x{ESC}\\b{ESC}^y{ESC}\\c{ESC}Xz{ESC}\\d", "abcd"),
    ("ESC c full reset", f"a{ESC}cb", "ab"),
    ("ESC ( 0 line drawing charset", f"a{ESC}(0qqq{ESC}(Bb", "aqqqb"),
    ("ESC 7 / ESC 8 save restore", f"a{ESC}7b{ESC}8c", "abc"),
    ("lone ESC", f"a{ESC}", "a"),
    ("8-bit CSI", "a\x9b2Jb", "ab"),
    ("8-bit OSC with ST", "a\x9d52;c;AAAA\x9cb", "ab"),
    ("8-bit DCS unterminated", "a\x90qqq", "aqqq"),
    ("C0 controls", "a\x00b\x07c\x08d\x0ee\x1ff", "abcdef"),
    ("DEL", "a\x7fb", "ab"),
    ("C1 controls", "a\x80b\x85c\x8ed\x9fe", "ab cde"),
    ("carriage return overwrite", "safe\rEVIL", "safe EVIL"),
    ("backspace overwrite", "rm -rf /\x08\x08\x08\x08\x08\x08\x08\x08ls", "rm -rf /ls"),
    ("tabs and newlines", "a\tb\n\nc", "a b c"),
    ("RLO bidi override", "abc\u202etxt.exe", "abctxt.exe"),
    ("LRE PDF RLE LRO", "\u202aa\u202cb\u202bc\u202dd", "abcd"),
    ("bidi isolates", "x\u2066y\u2067z\u2068w\u2069", "xyzw"),
    ("LRM RLM ALM", "a\u200eb\u200fc\u061cd", "abcd"),
    ("zero-width", "pa\u200bss\u200cwo\u200drd\u2060", "password"),
    ("BOM in the middle", "a\ufeffb", "ab"),
    ("tag characters", "hi\U000e0041\U000e0042\U000e007f", "hi"),
    ("soft hyphen", "hy\xadphen", "hyphen"),
    ("line and paragraph separators", "a\u2028b\u2029c", "a b c"),
    ("interlinear annotation", "a\ufff9b\ufffac\ufffbd", "abcd"),
    ("lone surrogate", "x\ud800y\udfffz", "x\ufffdy\ufffdz"),
    ("zalgo", "Z" + "\u0301\u0302\u0303" * 30, "Z" + ("\u0301\u0302\u0303" * 2)[:MAX_MARKS]),
    (
        "markup stays literal",
        "[bold]x[/] [link=https://e]y[/link] [@click=app.quit]q[/]",
        "[bold]x[/] [link=https://e]y[/link] [@click=app.quit]q[/]",
    ),
    ("emoji and CJK survive", "🙂 深層学習 Ünïcödé", "🙂 深層学習 Ünïcödé"),
    ("Arabic and Hebrew survive", "تعلم עברית", "تعلم עברית"),
]


@pytest.mark.parametrize(("name", "text", "expected"), CASES, ids=[c[0] for c in CASES])
def test_clean(name, text, expected):
    assert clean(text) == expected
    assert is_clean(clean(text))


def test_multiline_keeps_lines_only():
    text = f"para one\r\npara{ESC}[31m two\u2028three\n\n\tindented  twice "
    assert clean(text, multiline=True) == "para one\npara two\nthree\n\nindented twice"
    assert is_clean(clean(text, multiline=True), multiline=True)


def test_limit_cuts_with_an_ellipsis():
    assert clean("x" * 10_000, limit=90) == "x" * 89 + "…"
    assert clean("short", limit=90) == "short"
    assert clean("abc", limit=0) == "…"


def test_none_and_objects():
    assert clean(None) == ""
    assert clean(2017) == "2017"


# Each of these is 1 MB or more of the worst a regex can meet: long runs of the
# characters that open a sequence, with and without terminators.
MEGABYTE = {
    "ESC run": ESC * 1_000_000,
    "OSC introducers": f"{ESC}]" * 500_000,
    "8-bit DCS introducers": "\x90" * 1_000_000,
    "OSC then 8-bit OSC": f"{ESC}]" + "\x9d" * 1_000_000,
    "CSI with a million parameters": f"{ESC}[" + "0;" * 500_000,
    "mixed openers": f"{ESC}]8;;{ESC}[1;\x9b0\x90;" * 80_000,
    "combining marks": "\u0301" * 1_000_000,
    "bidi overrides": "\u202e" * 1_000_000,
    "whitespace": " \t\n" * 350_000,
    "plain text": "lorem ipsum " * 90_000,
    "surrogates": "\ud800" * 1_000_000,
}


@pytest.mark.parametrize("name", list(MEGABYTE))
def test_megabyte_inputs_are_fast(name):
    text = MEGABYTE[name]
    start = time.perf_counter()
    one = clean(text)
    many = clean(text, multiline=True)
    elapsed = time.perf_counter() - start
    assert is_clean(one) and is_clean(many, multiline=True)
    assert elapsed < 5, f"{name}: {elapsed:.2f}s"  # linear: well under a second here


def test_json_safe_escapes_without_changing_the_data():
    data = {"title": f"a\u202eb\x9b2J\ud800 \U000e0041 \u2028 {ESC}[2J ok é 🙂"}
    text = json_safe(json.dumps(data, ensure_ascii=False))
    assert json.loads(text) == data
    assert "é" in text and "🙂" in text  # ordinary text stays readable
    for bad in ("\u202e", "\x9b", "\ud800", "\U000e0041", "\u2028", ESC):
        assert bad not in text
    text.encode("utf-8")  # no lone surrogate left to fail on a UTF-8 terminal


def test_identifiers_lose_escapes_and_invisible_characters():
    from citetui.core import ids

    assert (
        ids.norm_doi(f"https://doi.org/10.1/A{ESC}cB\x9b2J\u202e") == "10.1/ab"
    )  # ESC c and the 8-bit CSI 2J go whole
    assert ids.norm_doi(f"10.1/x{ESC}]52;c;AAAA\x07y") == "10.1/xy"
    assert ids.norm_arxiv(f"arXiv:2101.00001{ESC}[2Jv2") == "2101.00001"
    assert ids.norm_s2(f"ABC\u200bdef{ESC}c") == "abcdef"
