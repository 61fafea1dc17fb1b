"""The reliability report: hostile inputs, broken libraries, killed imports, concurrent reads
and writes, output failures, long queries and fetch deadlines (the last four: bench/stress.py).

Run from the repository root::

    python bench/reliability.py            # the full report
    python bench/reliability.py --kills 20 --imports 6

Every case drives the real ``citetui`` command line: hostile imports through
click's CliRunner (in process, fast), broken libraries, ``kill -9`` and
concurrent reading through real subprocesses. The tests (tests/test_hostile_*,
test_crash_kill, test_concurrency) run the same cases and assert they all pass.
"""

from __future__ import annotations

import argparse
import copy
import gzip
import hashlib
import json
import os
import pty
import random
import re
import select
import shutil
import signal
import sqlite3
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
SAMPLE = REPO / "data" / "ppo-hub.json"
ESC = "\x1b"

# What must never reach a terminal in human-readable output: ESC and the other C0
# controls but tab and newline, DEL, C1 controls, bidi controls, zero-width and
# other invisible format characters, tag characters, lone surrogates.
UNSAFE = re.compile(
    "[\x00-\x08\x0b-\x1f\x7f-\x9f\u061c\u200b-\u200f\u202a-\u202e\u2060-\u206f\ufeff"
    "\U000e0000-\U000e007f\ud800-\udfff]"
)
# In JSON output the same, except that none may appear raw (escapes are fine).
TRACEBACK = "Traceback (most recent call last)"


# -- hostile strings ---------------------------------------------------------

HOSTILE: dict[str, str] = {
    "rich markup": "[bold red]Bold[/bold red] [/] [i]x[/i] [link=https://evil.example]link[/link]",
    "textual action markup": "[@click=app.quit]Quit![/] [@click=app.bell]ring[/]",
    "broken markup": "[/] [[ ]] [bold [/nonexistent] \\[escaped\\] [",
    "csi clear screen": f"Clear{ESC}[2J{ESC}[H{ESC}[3J screen",
    "csi colours": f"{ESC}[1;31;5mred blink{ESC}[0m",
    "osc 52 clipboard": f"clip{ESC}]52;c;cm0gLXJmIH4vKg==\x07board",
    "osc 8 hyperlink": f"{ESC}]8;;https://evil.example{ESC}\\innocent link{ESC}]8;;{ESC}\\",
    "osc window title": f"{ESC}]0;owned\x07title",
    "dcs": f"d{ESC}Pq#0;2;0;0;0~{ESC}\\cs",
    "terminal reset": f"reset{ESC}c here",
    "line drawing charset": f"{ESC}(0lqqk{ESC}(B charset",
    "8-bit csi and osc": "c1\x9b2J \x9d52;c;AAAA\x9c end",
    "c0 controls": "bell\x07 back\x08\x08 null\x00 cr\roverwrite vt\x0b ff\x0c",
    "bidi override": "invoice\u202egnp.exe and \u2066isolate\u2069",
    "zero width": "zero\u200bwidth\u200cjoin\u200d\ufeffbom\u2060",
    "tag characters": "tags\U000e0049\U000e0067\U000e006e hidden",
    "lone surrogate": "sur\ud800rogate \udfff",
    "zalgo": "Z" + "\u0336\u0334\u0335\u0301\u0300" * 40 + "algo",
    "emoji and scripts": "🙂🧪 深層学習 تعلم עברית Ünïcödé",
}
LONG_TITLE = "A very long title " * 556  # 10,008 characters
BIG_ABSTRACT = (
    f"An abstract of a megabyte with [bold]markup[/] and {ESC}[31mescapes{ESC}[0m. "
) * 13_000  # about 1 MB


def sample_bundle() -> dict:
    """The bundled PPO sample (a fresh copy)."""
    return json.loads(SAMPLE.read_text(encoding="utf-8"))


def hostile_bundle() -> dict:
    """A valid bundle with a hostile string in every text field the library shows."""
    names = list(HOSTILE)
    papers = [
        {
            "key": "hub",
            "title": "Hostile hub " + HOSTILE["textual action markup"],
            "year": 2017,
            "venue": HOSTILE["csi clear screen"],
            "abstract": BIG_ABSTRACT,
            "summary": HOSTILE["osc 52 clipboard"],
            "ids": {"arxiv": "1707.06347"},
            "authors": [HOSTILE["bidi override"], HOSTILE["rich markup"]],
        }
    ]
    citations = []
    for i, name in enumerate(names):
        text = HOSTILE[name]
        papers.append(
            {
                "key": f"p{i}",
                "title": f"{name}: {text}",
                "year": 2018 + i % 7,
                "summary": f"summary {text}",
                "abstract": f"abstract {text}",
                "venue": text,
                "authors": [text],
                "url": f"https://example.org/{i}",
                "ids": {"doi": f"10.5555/h{i}.{text}", "arxiv": f"2101.{i:05d}{text}"},
            }
        )
        citations.append(
            {
                "citing": f"p{i}",
                "cited": "hub",
                "roles": ["method"],
                "polarity": "neutral",
                "contexts": [{"text": f"context {text}", "roles": ["background"]}],
            }
        )
    papers.append(
        {
            "key": "long",
            "title": LONG_TITLE,
            "summary": BIG_ABSTRACT[:5000],
            "abstract": BIG_ABSTRACT,
        }
    )
    citations.append({"citing": "long", "cited": "hub"})
    return {
        "format": "citetui-bundle",
        "version": 1,
        "source": {"name": "hostile " + HOSTILE["osc 8 hyperlink"]},
        "hub": {
            "paper": "hub",
            "tier": HOSTILE["rich markup"],
            "verdict": HOSTILE["csi colours"],
            "recorded_summaries": {"role": [{"label": "method", "share": 0.5}]},
            "claims": [
                {
                    "text": f"claim {HOSTILE[n]}",
                    "engaged_by": [{"paper": "p0", "stance": "critical", "context": HOSTILE[n]}],
                }
                for n in names[:6]
            ],
            "cocited": [{"paper": "p1", "count": 3}],
            "representative": ["p2", "p3", "long"],
        },
        "papers": papers,
        "citations": citations,
    }


# -- import cases --------------------------------------------------------------


@dataclass
class ImportCase:
    """One file given to ``citetui import`` and what must happen."""

    name: str
    filename: str
    data: bytes | None  # None: the file does not exist
    ok: bool  # expected to import (exit 0); otherwise rejected with exit 2
    expect: tuple[str, ...] = ()  # substrings of the error line (or of the skipped lines)
    args: tuple[str, ...] = ()
    check: Callable[[Path], str | None] | None = None  # extra check on the library
    directory: bool = False
    fifo: bool = False


def _js(doc: object) -> bytes:
    return json.dumps(doc).encode()


def _mutated(fn: Callable[[dict], object]) -> bytes:
    doc = sample_bundle()
    out = fn(doc)
    return _js(doc if out is None else out)


def _set(path: str, value: object) -> Callable[[dict], None]:
    """A mutation setting doc[path] (dot/index path like 'papers.1.year')."""

    def fn(doc: dict) -> None:
        parts = path.split(".")
        node = doc
        for p in parts[:-1]:
            node = node[int(p)] if isinstance(node, list) else node[p]
        last = parts[-1]
        if isinstance(node, list):
            node[int(last)] = value
        else:
            node[last] = value

    return fn


def _delete(path: str) -> Callable[[dict], None]:
    def fn(doc: dict) -> None:
        parts = path.split(".")
        node = doc
        for p in parts[:-1]:
            node = node[int(p)] if isinstance(node, list) else node[p]
        del node[parts[-1]]

    return fn


def _mixed_bundle() -> dict:
    doc = sample_bundle()
    doc["papers"][3]["year"] = "two thousand"  # wrong type
    doc["papers"].append({"key": "p5", "title": "duplicate key"})  # duplicate key
    doc["citations"][4]["roles"] = ["cheerleading"]  # unknown role
    doc["citations"][5]["polarity"] = "ecstatic"  # unknown polarity
    doc["citations"][6]["cited"] = doc["citations"][6]["citing"]  # self-citation
    doc["citations"].append({"citing": "p1", "cited": "nowhere"})  # unknown key
    return doc


def _has_papers(n: int) -> Callable[[Path], str | None]:
    def check(db: Path) -> str | None:
        with sqlite3.connect(f"file:{db}?mode=ro", uri=True) as conn:
            got = conn.execute("SELECT count(*) FROM papers").fetchone()[0]
        return None if got == n else f"expected {n} papers, found {got}"

    return check


def _mixed_skipped(db: Path) -> str | None:
    """The good records of the mixed bundle are in, the bad ones out."""
    with sqlite3.connect(f"file:{db}?mode=ro", uri=True) as conn:
        rows = conn.execute(
            "SELECT p.title, c.roles, c.polarity FROM citations c JOIN papers p "
            "ON p.id = c.citing_id WHERE c.citing_id = c.cited_id OR c.roles LIKE '%cheer%' "
            "OR c.polarity = 'ecstatic'"
        ).fetchall()
        report = conn.execute("SELECT report FROM imports ORDER BY id DESC LIMIT 1").fetchone()
    if rows:
        return f"bad citations were imported: {rows}"
    skipped = json.loads(report[0]).get("skipped", [])
    return None if len(skipped) == 8 else f"expected 8 skipped records, the log has {skipped}"


def _cycle_bundle() -> dict:
    doc = sample_bundle()
    doc["citations"] += [
        {"citing": "hub", "cited": "p1"},
        {"citing": "p1", "cited": "p2"},
        {"citing": "p2", "cited": "p3"},
        {"citing": "p3", "cited": "p1"},
    ]
    return doc


def _same_paper_twice() -> dict:
    doc = sample_bundle()
    doc["papers"][1]["ids"] = {"doi": "10.1/same"}
    doc["papers"][2]["ids"] = {"doi": "https://doi.org/10.1/SAME"}
    doc["citations"].append({"citing": doc["papers"][1]["key"], "cited": doc["papers"][2]["key"]})
    return doc


def import_cases() -> list[ImportCase]:
    """Every hostile import: rejected ones (exit 2, library unchanged) and accepted ones."""
    sample = SAMPLE.read_bytes()
    gz = gzip.compress(sample)
    rng = random.Random(6)
    bad = [
        ImportCase("empty file", "empty.json", b"", False, ("the file is empty",)),
        ImportCase("whitespace only", "blank.json", b" \n\t\n", False, ("the file is empty",)),
        ImportCase(
            "malformed JSON (line and column)",
            "malformed.json",
            b'{"format": "citetui-bundle",\n "version": 1,\n "papers": [,]}',
            False,
            ("malformed.json:3:13:", "invalid JSON: Expecting value"),
        ),
        ImportCase(
            "truncated JSON",
            "truncated.json",
            sample[: len(sample) // 2],
            False,
            ("truncated.json:", "invalid JSON"),
        ),
        ImportCase(
            "trailing garbage",
            "trailing.json",
            sample + b"\n}{",
            False,
            ("invalid JSON: Extra data",),
        ),
        ImportCase(
            "truncated gzip",
            "truncated.json.gz",
            gz[: len(gz) // 2],
            False,
            ("truncated or corrupt gzip",),
        ),
        ImportCase(
            "corrupt gzip",
            "corrupt.json.gz",
            gz[:200] + bytes(b ^ 0xFF for b in gz[200:400]) + gz[400:],
            False,
            ("corrupt gzip",),
        ),
        ImportCase("gzip magic only", "magic.json.gz", b"\x1f\x8b", False, ("gzip",)),
        ImportCase(
            "not UTF-8 (Latin-1)",
            "latin1.json",
            '{"format": "citetui-bundle", "title": "café"}'.encode("latin-1"),
            False,
            ("not UTF-8",),
        ),
        ImportCase("UTF-16", "utf16.json", sample.decode().encode("utf-16"), False, ("not UTF-8",)),
        ImportCase("random bytes", "random.bin", rng.randbytes(5000), False, ("random.bin",)),
        ImportCase("NUL bytes", "nul.json", b"\x00" * 1000, False, ("nul.json",)),
        ImportCase(
            "a JSON list", "list.json", b"[1, 2, 3]", False, ("list.json",), ("--format", "bundle")
        ),
        ImportCase(
            "JSON null",
            "null.json",
            b"null",
            False,
            ("expected an object",),
            ("--format", "bundle"),
        ),
        ImportCase(
            "empty object",
            "obj.json",
            b"{}",
            False,
            ("not a citetui bundle",),
            ("--format", "bundle"),
        ),
        ImportCase(
            "unknown format", "unknown.json", b'{"hello": "world"}', False, ("unknown format",)
        ),
        ImportCase(
            "wrong version",
            "v2.json",
            _mutated(_set("version", 2)),
            False,
            ("field version", "unsupported bundle version 2"),
        ),
        ImportCase(
            "version true", "vtrue.json", _mutated(_set("version", True)), False, ("field version",)
        ),
        ImportCase(
            "no source",
            "nosource.json",
            _mutated(_delete("source")),
            False,
            ("field source", "expected an object"),
        ),
        ImportCase(
            "blank source name",
            "blanksource.json",
            _mutated(_set("source.name", "   ")),
            False,
            ("must name its source",),
        ),
        ImportCase(
            "no papers", "nopapers.json", _mutated(_delete("papers")), False, ("field papers",)
        ),
        ImportCase(
            "papers not a list",
            "papersobj.json",
            _mutated(_set("papers", {"a": 1})),
            False,
            ("field papers", "expected a list"),
        ),
        ImportCase(
            "paper not an object",
            "paperstr.json",
            _mutated(_set("papers.3", "p3")),
            False,
            ("record papers[3]", "expected an object"),
        ),
        ImportCase(
            "paper without key",
            "nokey.json",
            _mutated(_delete("papers.2.key")),
            False,
            ("record papers[2]", "field key"),
        ),
        ImportCase(
            "duplicate key",
            "dupkey.json",
            _mutated(lambda d: d["papers"].append(dict(d["papers"][1]))),
            False,
            ("field key", "duplicate key 'p1'"),
        ),
        ImportCase(
            "title of the wrong type",
            "titletype.json",
            _mutated(_set("papers.1.title", ["a", "list"])),
            False,
            ("record papers[1] (p1)", "field title", "expected a string, got a list"),
        ),
        ImportCase(
            "year as a string",
            "yearstr.json",
            _mutated(_set("papers.1.year", "2020")),
            False,
            ("field year", "expected an integer"),
        ),
        ImportCase(
            "year out of range",
            "yearbig.json",
            _mutated(_set("papers.1.year", 10**30)),
            False,
            ("field year", "out of range"),
        ),
        ImportCase(
            "negative citation count",
            "negcount.json",
            _mutated(_set("papers.1.citation_count", -5)),
            False,
            ("field citation_count", "out of range"),
        ),
        ImportCase(
            "corpus id too big for SQLite",
            "corpus.json",
            _mutated(_set("papers.1.ids", {"corpus_id": 2**70})),
            False,
            ("field ids.corpus_id", "out of range"),
        ),
        ImportCase(
            "ids not an object",
            "idslist.json",
            _mutated(_set("papers.1.ids", ["x"])),
            False,
            ("field ids", "expected an object"),
        ),
        ImportCase(
            "a number of 5000 digits",
            "digits.json",
            b'{"format": "citetui-bundle", "version": ' + b"1" * 5000 + b"}",
            False,
            ("too many digits",),
        ),
        ImportCase(
            "nested 100,000 deep",
            "deep.json",
            b'{"format": "citetui-bundle", "x": ' + b"[" * 100_000 + b"]" * 100_000 + b"}",
            False,
            ("nested too deeply",),
        ),
        ImportCase(
            "paper with nothing",
            "nothing.json",
            _mutated(_set("papers.1", {"key": "p1", "title": "   ", "year": 2020})),
            False,
            ("record papers[1] (p1)", "needs a title"),
        ),
        ImportCase(
            "unknown role",
            "role.json",
            _mutated(_set("citations.0.roles", ["praise"])),
            False,
            ("record citations[0]", "field roles", "unknown value 'praise'"),
        ),
        ImportCase(
            "unknown polarity",
            "polarity.json",
            _mutated(_set("citations.0.polarity", "ecstatic")),
            False,
            ("field polarity", "unknown value 'ecstatic'"),
        ),
        ImportCase(
            "unknown stance",
            "stance.json",
            _mutated(_set("hub.claims.0.engaged_by", [{"paper": "p1", "stance": "meh"}])),
            False,
            ("engaged_by[0].stance",),
        ),
        ImportCase(
            "influential as a string",
            "infl.json",
            _mutated(_set("citations.0.influential", "yes")),
            False,
            ("field influential",),
        ),
        ImportCase(
            "citation to an unknown paper",
            "dangling.json",
            _mutated(_set("citations.0.cited", "nowhere")),
            False,
            ("record citations[0]", "unknown paper key 'nowhere'"),
        ),
        ImportCase(
            "self-citation",
            "self.json",
            _mutated(lambda d: d["citations"].append({"citing": "p1", "cited": "p1"})),
            False,
            ("field cited", "cannot cite itself"),
        ),
        ImportCase(
            "self-citation through a shared DOI",
            "samedoi.json",
            _js(_same_paper_twice()),
            False,
            ("same paper",),
        ),
        ImportCase(
            "hub refers to an unknown paper",
            "hubref.json",
            _mutated(_set("hub.paper", "ghost")),
            False,
            ("record hub", "field paper"),
        ),
        ImportCase(
            "share above 1",
            "share.json",
            _mutated(_set("hub.recorded_summaries.role.0.share", 1.5)),
            False,
            ("share 1.5 is not between 0 and 1",),
        ),
        ImportCase(
            "NaN share",
            "nan.json",
            _mutated(_set("hub.recorded_summaries.role.0.share", float("nan"))),
            False,
            ("share nan",),
        ),
        ImportCase(
            "mixed bad records, no --skip-invalid",
            "mixed.json",
            _js(_mixed_bundle()),
            False,
            ("mixed.json",),
        ),
        ImportCase("a missing file", "missing.json", None, False, ("no such file",)),
        ImportCase("a directory", "adir", b"", False, ("is a directory",), directory=True),
        ImportCase(
            "unknown --format",
            "fmt.json",
            sample,
            False,
            ("unknown format",),
            ("--format", "nonsense"),
        ),
        ImportCase(
            "a FIFO (would block)", "fifo.json", None, False, ("not a regular file",), fifo=True
        ),
        ImportCase(
            "a bad file with escapes in its name",
            f"bad{ESC}]52;c;AAAA\x07.json",
            b"{",
            False,
            ("bad.json: unknown format",),
        ),
    ]
    good = [
        ImportCase("the sample", "sample.json", sample, True, check=_has_papers(67)),
        ImportCase("gzip", "sample.json.gz", gz, True, check=_has_papers(67)),
        ImportCase(
            "UTF-8 byte-order mark",
            "bom.json",
            b"\xef\xbb\xbf" + sample,
            True,
            check=_has_papers(67),
        ),
        ImportCase("CRLF line ends", "crlf.json", sample.replace(b"\n", b"\r\n"), True),
        ImportCase(
            "duplicate JSON object keys (the last wins)",
            "dupjsonkey.json",
            sample.replace(b'"version": 1', b'"version": 7, "version": 1', 1),
            True,
        ),
        ImportCase(
            "lone surrogate escapes",
            "surrogates.json",
            _mutated(_set("papers.1.title", "lone \ud800 surrogate \udc00")),
            True,
        ),
        ImportCase("citation cycles", "cycles.json", _js(_cycle_bundle()), True),
        ImportCase(
            "hostile strings, a 10,000-character title, a 1 MB abstract",
            "hostile.json",
            _js(hostile_bundle()),
            True,
            check=_hostile_round_trip,
        ),
        ImportCase(
            "mixed bad records, --skip-invalid",
            "mixed-skip.json",
            _js(_mixed_bundle()),
            True,
            (
                "papers[3]",
                "duplicate key 'p5'",
                "cheerleading",
                "ecstatic",
                "cannot cite itself",
                "'nowhere'",
                "which was left out",
            ),
            ("--skip-invalid",),
            check=_mixed_skipped,
        ),
        ImportCase(
            "a file name with escapes and bidi",
            f"evil{ESC}]0;owned\x07{ESC}[2J\u202e.json",
            sample,
            True,
        ),
        ImportCase(
            "empty bundle",
            "nothing.json",
            _js({"format": "citetui-bundle", "version": 1, "source": {"name": "x"}, "papers": []}),
            True,
        ),
    ]
    return bad + good


def _hostile_round_trip(db: Path) -> str | None:
    """Every hostile title is stored exactly (lone surrogates as U+FFFD)."""
    with sqlite3.connect(f"file:{db}?mode=ro", uri=True) as conn:
        titles = {r[0] for r in conn.execute("SELECT title FROM papers")}
    for name, text in HOSTILE.items():
        want = re.sub("[\ud800-\udfff]", "\ufffd", f"{name}: {text}")
        if want not in titles:
            return f"title of {name!r} not stored exactly"
    if LONG_TITLE not in titles:
        return "the 10,000-character title was not stored whole"
    return None


# -- running through the CLI -------------------------------------------------------


@dataclass
class Run:
    """The outcome of one command."""

    code: int
    out: str
    err: str
    crashed: str | None = None  # an exception that escaped as a traceback


def cli_runner_invoke(db: Path, args: list[str]) -> Run:
    """Run ``citetui --db DB ARGS`` in process through click's CliRunner."""
    from click.testing import CliRunner

    from citetui.cli import cli

    result = CliRunner().invoke(cli, ["--db", str(db), *args], catch_exceptions=True)
    crashed = None
    if result.exception is not None and not isinstance(result.exception, SystemExit):
        crashed = f"{type(result.exception).__name__}: {result.exception}"
    return Run(result.exit_code, result.stdout, result.stderr, crashed)


def subprocess_invoke(
    db: Path, args: list[str], *, prefix: tuple[str, ...] = (), timeout: float = 120
) -> Run:
    """Run the real ``citetui`` command in a subprocess."""
    cmd = [*prefix, sys.executable, "-m", "citetui", "--db", str(db), *args]
    proc = subprocess.run(
        cmd,
        capture_output=True,
        timeout=timeout,
        cwd=REPO,
        env={**os.environ, "PYTHONPATH": str(REPO)},
    )
    out = proc.stdout.decode("utf-8", "replace")
    err = proc.stderr.decode("utf-8", "replace")
    return Run(proc.returncode, out, err, "traceback on stderr" if TRACEBACK in err else None)


def one_error_line(run: Run) -> str | None:
    """Why ``run`` is not a clean failure: one 'citetui: error:' line, no traceback."""
    if run.crashed:
        return f"crashed: {run.crashed}"
    if TRACEBACK in run.err or TRACEBACK in run.out:
        return "a traceback was printed"
    lines = [ln for ln in run.err.splitlines() if ln.strip()]
    if len(lines) != 1 or not lines[0].startswith(("citetui: error:", "Error:")):
        return f"expected one error line, got {lines!r:.300}"
    if UNSAFE.search(lines[0]):
        return "the error line holds terminal-active characters"
    return None


def unsafe_output(text: str) -> str | None:
    """What terminal-active character ``text`` (human-readable output) holds, if any."""
    m = UNSAFE.search(text.replace("\n", " ").replace("\t", " "))
    return None if m is None else f"U+{ord(m.group()):04X} in the output"


def _json_output(text: str) -> str | None:
    if UNSAFE.search(text.replace("\n", " ")):
        return "raw terminal-active characters in JSON output"
    try:
        json.loads(text)
    except ValueError as exc:
        return f"JSON output does not parse: {exc}"
    return None


def library_digest(db: Path) -> str:
    """A hash of every row of every table and the schema version (read-only)."""
    h = hashlib.sha256()
    conn = sqlite3.connect(f"file:{db}?mode=ro", uri=True)
    try:
        h.update(str(conn.execute("PRAGMA user_version").fetchone()[0]).encode())
        tables = [
            r[0]
            for r in conn.execute("SELECT name FROM sqlite_master WHERE type='table' ORDER BY name")
        ]
        for t in tables:
            h.update(t.encode())
            # When an import ran is not content: two identical imports differ only there.
            sql = (
                "SELECT id, path, format, sha256, report FROM imports"
                if t == "imports"
                else f'SELECT * FROM "{t}"'
            )
            try:
                rows = sorted(repr(r) for r in conn.execute(sql))
            except sqlite3.OperationalError as exc:
                if "does not support scanning" not in str(exc):
                    raise
                continue  # a contentless FTS table: its shadow tables hold its content
            for r in rows:
                h.update(r.encode("utf-8", "surrogatepass"))
    finally:
        conn.close()
    return h.hexdigest()


def user_layer_digest(db: Path) -> str:
    """A hash of the user's own tables (annotations and label overrides)."""
    h = hashlib.sha256()
    conn = sqlite3.connect(f"file:{db}?mode=ro", uri=True)
    try:
        for t in ("user_annotations", "user_labels"):
            for r in sorted(repr(r) for r in conn.execute(f"SELECT * FROM {t}")):
                h.update(r.encode())
    finally:
        conn.close()
    return h.hexdigest()


def integrity(db: Path) -> str:
    """PRAGMA integrity_check of the library: 'ok' or what is wrong."""
    conn = sqlite3.connect(f"file:{db}?mode=ro", uri=True)
    try:
        return "; ".join(r[0] for r in conn.execute("PRAGMA integrity_check"))
    except sqlite3.DatabaseError as exc:
        return f"cannot check: {exc}"
    finally:
        conn.close()


def make_library(db: Path, invoke=cli_runner_invoke, annotate: bool = True) -> None:
    """A library holding the sample, with some of the user's own annotations."""
    run = invoke(db, ["import", str(SAMPLE)])
    assert run.code == 0, run.err
    if annotate:
        for args in (
            ["note", "1707.06347", "my", "own", "note"],
            ["star", "1707.06347"],
            ["tag", "1707.06347", "to-read"],
            ["status", "1707.06347", "read"],
        ):
            run = invoke(db, args)
            assert run.code == 0, (args, run.err)


EXPORT_FORMATS = ("bibtex", "csv", "json", "markdown", "ris")
VIEW_COMMANDS = (
    ["hubs"],
    ["stats"],
    ["show", "1707.06347"],
    ["search", "policy"],
    ["search", "hostile", "--limit", "100"],
    ["notes"],
)


def check_views(db: Path, invoke=cli_runner_invoke) -> str | None:
    """Every read command works on the library and prints nothing terminal-active."""
    for args in VIEW_COMMANDS:
        for extra in ([], ["--json"]):
            run = invoke(db, [*args, *extra])
            if run.crashed or TRACEBACK in run.err:
                return f"{' '.join(args + extra)}: {run.crashed or 'traceback'}"
            if run.code not in (0, 1):  # 1: search found nothing
                return f"{' '.join(args + extra)}: exit {run.code}: {run.err.strip()[:200]}"
            problem = _json_output(run.out) if extra and run.code == 0 else unsafe_output(run.out)
            problem = problem or unsafe_output(run.err)
            if problem:
                return f"{' '.join(args + extra)}: {problem}"
    for fmt in EXPORT_FORMATS:  # exports to stdout (the terminal) too
        args = ["export", "1707.06347", "--format", fmt]
        run = invoke(db, args)
        if run.crashed or TRACEBACK in run.err or run.code != 0:
            return f"{' '.join(args)}: exit {run.code}: {run.crashed or run.err.strip()[:200]}"
        problem = _json_output(run.out) if fmt == "json" else unsafe_output(run.out)
        if problem:
            return f"{' '.join(args)}: {problem}"
    return None


def run_import_case(
    case: ImportCase, work: Path, base: Path, invoke=cli_runner_invoke
) -> str | None:
    """Run one case in ``work`` on a copy of library ``base``; None when it behaved."""
    db = copy_library(base, work / "lib.db")
    before = library_digest(db)
    user_before = user_layer_digest(db)
    path = work / case.filename
    if case.directory:
        path.mkdir(exist_ok=True)
    elif case.fifo:
        os.mkfifo(path)
    elif case.data is not None:
        path.write_bytes(case.data)
    run = invoke(db, ["import", *case.args, str(path)])
    if case.ok:
        if run.crashed or TRACEBACK in run.err:
            return f"crashed: {run.crashed or run.err[-300:]}"
        if run.code != 0:
            return f"exit {run.code}: {run.err.strip()[:300]}"
        if problem := unsafe_output(run.out) or unsafe_output(run.err):
            return f"import output: {problem}"
        for want in case.expect:
            if want not in run.err:
                return f"{want!r} not reported in {run.err[:500]!r}"
        if (status := integrity(db)) != "ok":
            return f"integrity_check: {status}"
        if user_layer_digest(db) != user_before:
            return "the import changed the user's annotations"
        if case.check and (problem := case.check(db)):
            return problem
        return check_views(db, invoke)
    if problem := one_error_line(run):
        return problem
    if run.code != 2:
        return f"exit {run.code}, expected 2: {run.err.strip()[:200]}"
    line = run.err.strip()
    for want in case.expect:
        if want not in line:
            return f"{want!r} not in {line[:300]!r}"
    if library_digest(db) != before:
        return "the library changed"
    return None


# -- fuzzing real records ----------------------------------------------------------

REAL = (REPO / ".." / "shared" / "data" / "real").resolve()
REAL_SUFFIXES = (".json", ".jsonl", ".json.gz", ".jsonl.gz")


def real_files(real: Path = REAL) -> list[Path]:
    """The real Semantic Scholar / OpenAlex records beside the repository, and the sample."""
    found = sorted(p for p in real.rglob("*") if p.is_file() and p.name.endswith(REAL_SUFFIXES))
    return [*found, SAMPLE] if real.is_dir() else [SAMPLE]


def _hostile_value(rng: random.Random) -> object:
    pool = [
        None,
        True,
        False,
        0,
        -1,
        1.5,
        float("nan"),
        float("inf"),
        2**63,
        -(2**70),
        10**40,
        "",
        " ",
        "2020",
        "null",
        "CorpusID:abc",
        "CorpusID:99999999999999999999",
        "W",
        "https://openalex.org/W",
        "10.",
        "arXiv:",
        "0" * 40,
        "x" * 100_000,
        [],
        {},
        [None],
        [[]],
        {"": None},
        {"name": None},
        [1, "a", None],
        *HOSTILE.values(),
    ]
    return rng.choice(pool)


def _nodes(value: object, out: list, depth: int = 0) -> list:
    """(container, key) for every value inside ``value``."""
    if depth > 60:
        return out
    items = (
        value.items()
        if isinstance(value, dict)
        else enumerate(value)
        if isinstance(value, list)
        else ()
    )
    for k, v in items:
        out.append((value, k))
        _nodes(v, out, depth + 1)
    return out


def mutate_structure(doc: object, rng: random.Random, steps: int) -> object:
    """``doc`` with ``steps`` random edits: hostile values, deleted keys, duplicated or
    transplanted records (duplicate ids, self-references), wrong container types."""
    doc = copy.deepcopy(doc)
    for _ in range(steps):
        nodes = _nodes(doc, [])
        if not nodes:
            return _hostile_value(rng)
        parent, key = rng.choice(nodes)
        op = rng.randrange(6)
        if op <= 1:
            parent[key] = _hostile_value(rng)
        elif op == 2 and isinstance(parent, dict):
            del parent[key]
        elif op == 3 and isinstance(parent, list):
            parent.insert(rng.randrange(len(parent) + 1), copy.deepcopy(parent[key]))
        elif op == 4:
            other_parent, other_key = rng.choice(nodes)
            parent[key] = copy.deepcopy(other_parent[other_key])
        else:
            value = parent[key]
            parent[key] = (
                [value]
                if isinstance(value, dict)
                else ({"value": value} if isinstance(value, list) else str(value))
            )
    return doc


def mutate_bytes(data: bytes, rng: random.Random) -> bytes:
    """``data`` truncated, with flipped, inserted or deleted bytes, or gzipped and cut."""
    n = len(data)
    op = rng.randrange(5)
    at = rng.randrange(n + 1)
    if op == 0:
        return data[:at]
    if op == 1:
        out = bytearray(data)
        for _ in range(rng.randint(1, 10)):
            if out:
                out[rng.randrange(len(out))] = rng.randrange(256)
        return bytes(out)
    if op == 2:
        return data[:at] + rng.randbytes(rng.randint(1, 64)) + data[at:]
    if op == 3:
        return data[:at] + data[min(n, at + rng.randint(1, 4096)) :]
    packed = gzip.compress(data)
    return packed[: rng.randrange(len(packed))]


def _parse_any(data: bytes) -> tuple[str, object] | None:
    text = data.decode("utf-8")
    try:
        return "json", json.loads(text)
    except ValueError:
        pass
    try:
        return "jsonl", [json.loads(line) for line in text.splitlines() if line.strip()]
    except ValueError:
        return None


def fuzz_cases(files: list[Path], per_file: int = 6, seed: int = 6) -> list[ImportCase]:
    """Each real file as it is, then mutated: structure edits and byte damage."""
    rng = random.Random(seed)
    cases = []
    for path in files:
        data = path.read_bytes()
        if path.suffix == ".gz":
            data = gzip.decompress(data)
        name = path.name.removesuffix(".gz")
        cases.append(ImportCase(f"{name} as it is", name, data, True))
        parsed = _parse_any(data)
        for i in range(per_file):
            if parsed is not None and i % 3 != 2:
                kind, doc = parsed
                steps = rng.choice([1, 1, 2, 5, 20])
                if kind == "json":
                    out = json.dumps(mutate_structure(doc, rng, steps)).encode()
                else:
                    lines = [
                        json.dumps(mutate_structure(r, rng, steps))
                        if rng.random() < 0.3
                        else json.dumps(r)
                        for r in doc
                    ]
                    out = "\n".join(lines).encode()
                label = f"{steps} structure edits"
            else:
                out, label = mutate_bytes(data, rng), "byte damage"
            args = ("--skip-invalid",) if rng.random() < 0.4 else ()
            cases.append(
                ImportCase(
                    f"{name} #{i}: {label}{' --skip-invalid' if args else ''}",
                    name,
                    out,
                    None,
                    args=args,
                )
            )  # type: ignore[arg-type]
    return cases


def run_fuzz_case(
    case: ImportCase, work: Path, base: Path, *, views: bool = False, invoke=cli_runner_invoke
) -> str | None:
    """A fuzzed import may succeed or be refused, but never crash, print a traceback or
    terminal-active text, leave a damaged library, or change it when refused."""
    db = copy_library(base, work / "lib.db")
    before = library_digest(db)
    path = work / case.filename
    path.write_bytes(case.data or b"")
    run = invoke(db, ["import", *case.args, str(path)])
    if run.crashed or TRACEBACK in run.err or TRACEBACK in run.out:
        return f"crashed: {run.crashed or run.err[-500:]}"
    if case.ok and run.code != 0:
        return f"the real file was refused: {run.err.strip()[:300]}"
    if run.code == 0:
        if (status := integrity(db)) != "ok":
            return f"integrity_check: {status}"
        if problem := unsafe_output(run.err) or unsafe_output(run.out):
            return f"import output: {problem}"
        return check_views(db, invoke) if views else None
    if run.code != 2:
        return f"exit {run.code}: {run.err.strip()[:300]}"
    if problem := one_error_line(run):
        return problem
    if library_digest(db) != before:
        return "refused, but the library changed"
    return None


# -- broken libraries ------------------------------------------------------------------

NO_DAC = (
    "setpriv",
    "--bounding-set=-dac_override,-dac_read_search,-fowner",
    "--inh-caps=-dac_override,-dac_read_search,-fowner",
)


def can_drop_privileges() -> bool:
    """Whether file permissions can be made to bind (we are not root, or setpriv works)."""
    if os.geteuid() != 0:
        return True
    if shutil.which("setpriv") is None:
        return False
    probe = subprocess.run([*NO_DAC, "true"], capture_output=True)
    return probe.returncode == 0


def _permission_prefix() -> tuple[str, ...]:
    return NO_DAC if os.geteuid() == 0 else ()


@dataclass
class LibraryCase:
    """A library in some broken state and what each command must do with it."""

    name: str
    setup: Callable[[Path, Path], Path]  # (work dir, a good library) -> the --db path
    browse: int  # the exit code of `hubs` (0: it can still be browsed)
    imports: int  # the exit code of `import SAMPLE`
    expect: str = ""  # substring of the error line
    needs_permissions: bool = False
    teardown: Callable[[], None] | None = field(default=None, repr=False)


def copy_library(src: Path, dst: Path) -> Path:
    """A consistent copy of a library, whatever its WAL holds (SQLite's backup API)."""
    source = sqlite3.connect(f"file:{src}?mode=ro", uri=True)
    target = sqlite3.connect(dst)
    try:
        source.backup(target)
        target.execute("PRAGMA journal_mode=WAL")  # as citetui leaves its libraries
    finally:
        target.close()
        source.close()
    return dst


def _copy(work: Path, good: Path, name: str) -> Path:
    return copy_library(good, work / name)


def _corrupt_pages(work: Path, good: Path) -> Path:
    db = _copy(work, good, "corrupt.db")
    size = db.stat().st_size
    with db.open("r+b") as fh:  # keep the header page, smash everything after
        fh.seek(4096)
        fh.write(bytes(random.Random(1).randbytes(size - 4096)))
    return db


def _newer(work: Path, good: Path) -> Path:
    db = _copy(work, good, "newer.db")
    conn = sqlite3.connect(db)
    conn.execute("PRAGMA user_version = 999")
    conn.close()
    return db


def _other_sqlite(work: Path, good: Path) -> Path:
    db = work / "other.db"
    conn = sqlite3.connect(db)
    conn.execute("CREATE TABLE recipes (name TEXT)")
    conn.commit()
    conn.close()
    return db


def _fifo(work: Path, good: Path) -> Path:
    db = work / "fifo.db"
    os.mkfifo(db)
    return db


def _readonly_file(work: Path, good: Path) -> Path:
    d = work / "rofile"
    d.mkdir()
    db = _copy(d, good, "lib.db")
    db.chmod(0o444)
    return db


def _readonly_dir(work: Path, good: Path) -> Path:
    d = work / "rodir"
    d.mkdir()
    db = _copy(d, good, "lib.db")
    db.chmod(0o444)
    d.chmod(0o555)
    return db


_INTERRUPT = """
import os, sqlite3, sys
conn = sqlite3.connect(sys.argv[1], isolation_level=None)
conn.execute("PRAGMA cache_size = 10")  # spill: the half-written pages reach the file
conn.execute("BEGIN IMMEDIATE")
conn.execute("UPDATE papers SET title = 'half-written ' || title")
conn.execute("CREATE TABLE junk (x)")
conn.execute("WITH RECURSIVE r(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM r WHERE i < 3000)"
             " INSERT INTO junk SELECT randomblob(1000) FROM r")
os._exit(0)  # as a kill -9 would: no rollback, the journal left hot
"""


def interrupt_a_write(db: Path) -> Path:
    """Leave ``db`` as a killed write under a rollback journal leaves it: pages of an
    uncommitted transaction in the file, the originals in a hot ``-journal``."""
    conn = sqlite3.connect(db)
    conn.execute("PRAGMA journal_mode=DELETE")
    conn.close()
    subprocess.run([sys.executable, "-c", _INTERRUPT, str(db)], check=True)
    assert Path(f"{db}-journal").stat().st_size > 0, "no hot journal was left"
    return db


def _readonly_interrupted(work: Path, good: Path) -> Path:
    d = work / "rointerrupted"
    d.mkdir()
    db = interrupt_a_write(_copy(d, good, "lib.db"))
    db.chmod(0o444)
    return db


def library_cases() -> list[LibraryCase]:
    """Missing, not SQLite, corrupt, newer, foreign, read-only file and directory."""
    return [
        LibraryCase("missing", lambda w, g: w / "missing.db", 3, 0, "no library at"),
        LibraryCase(
            "not SQLite",
            lambda w, g: _write(w / "text.db", b"just some text\n" * 50),
            3,
            3,
            "not a SQLite database",
        ),
        LibraryCase(
            "only a SQLite header",
            lambda w, g: _write(w / "head.db", b"SQLite format 3\x00"),
            3,
            3,
            "not a SQLite database",
        ),
        LibraryCase("corrupt pages", _corrupt_pages, 3, 3, "damaged"),
        LibraryCase("newer schema", _newer, 3, 3, "newer citetui"),
        LibraryCase("another program's SQLite file", _other_sqlite, 3, 3, "not a citetui library"),
        LibraryCase("a FIFO (would block)", _fifo, 3, 3, "not a regular file"),
        LibraryCase("read-only file", _readonly_file, 0, 3, "read-only", True),
        LibraryCase("read-only directory", _readonly_dir, 0, 3, "read-only", True),
        # Only a writer can roll a hot journal back; reading the file as it lies would
        # show the uncommitted pages (or call a sound library damaged).
        LibraryCase(
            "read-only file with an interrupted write",
            _readonly_interrupted,
            3,
            3,
            "was interrupted",
            True,
        ),
    ]


def _write(path: Path, data: bytes) -> Path:
    path.write_bytes(data)
    return path


def run_library_case(
    case: LibraryCase,
    work: Path,
    good: Path,
    invoke: Callable[[Path, list[str]], Run] | None = None,
) -> str | None:
    """Browse and import on a broken library (the real CLI in a subprocess by default;
    file permissions always need one, run without root's override of them)."""
    db = case.setup(work, good)
    if case.needs_permissions or invoke is None:
        prefix = _permission_prefix() if case.needs_permissions else ()

        def invoke(db: Path, args: list[str]) -> Run:
            return subprocess_invoke(db, args, prefix=prefix)

    before = library_digest(db) if case.browse == 0 else None
    problems = []
    for args, want in (
        (["hubs"], case.browse),
        (["show", "1707.06347"], case.browse),
        (["import", str(SAMPLE)], case.imports),
    ):
        run = invoke(db, args)
        if run.code != want:
            problems.append(f"{args[0]}: exit {run.code}, expected {want}: {run.err.strip()[:200]}")
        elif want != 0:
            problem = one_error_line(run)
            if problem is None and case.expect and case.expect not in run.err:
                problem = f"{case.expect!r} not in {run.err.strip()!r}"
            if problem:
                problems.append(f"{args[0]}: {problem}")
        elif TRACEBACK in run.err:
            problems.append(f"{args[0]}: traceback")
    if before is not None and library_digest(db) != before:
        problems.append("the read-only library changed")
    return "; ".join(problems) or None


def locked_case(work: Path, good: Path) -> str | None:
    """Another process holds the write lock: browsing works, an import says it is locked."""
    db = _copy(work, good, "locked.db")
    holder = subprocess.Popen(
        [
            sys.executable,
            "-c",
            "import sqlite3, sys\n"
            f"c = sqlite3.connect({str(db)!r}, isolation_level=None)\n"
            "c.execute('BEGIN IMMEDIATE')\n"
            "c.execute(\"INSERT INTO imports (path) VALUES ('holding the lock')\")\n"
            "print('locked', flush=True)\n"
            "sys.stdin.read()\n",
        ],
        stdin=subprocess.PIPE,
        stdout=subprocess.PIPE,
        text=True,
    )
    try:
        assert holder.stdout.readline().strip() == "locked"
        browse = subprocess_invoke(db, ["hubs"])
        imp = subprocess_invoke(db, ["import", str(SAMPLE)])
    finally:
        holder.stdin.close()
        holder.wait(timeout=30)
    problems = []
    if browse.code != 0 or TRACEBACK in browse.err:
        problems.append(f"hubs while locked: exit {browse.code}: {browse.err.strip()[:200]}")
    if imp.code != 3 or one_error_line(imp) or "locked" not in imp.err:
        problems.append(f"import while locked: exit {imp.code}: {imp.err.strip()[:200]}")
    if integrity(db) != "ok":
        problems.append("integrity_check failed")
    return "; ".join(problems) or None


# -- kill -9 -----------------------------------------------------------------------


def big_bundle(n: int = 6000, seed: int = 1) -> dict:
    """A bundle with ``n`` citing papers of one new hub (imports in a few seconds)."""
    rng = random.Random(seed)
    words = [
        "policy",
        "gradient",
        "proximal",
        "reward",
        "agent",
        "robust",
        "sparse",
        "attention",
        "model",
    ]
    papers = [
        {
            "key": "hub",
            "title": "A generated hub for the kill test",
            "year": 2019,
            "ids": {"doi": f"10.9999/kill-hub-{seed}"},
        }
    ]
    citations = []
    for i in range(n):
        title = " ".join(rng.choice(words) for _ in range(8)) + f" {seed}-{i}"
        papers.append(
            {
                "key": f"k{i}",
                "title": title,
                "year": 2000 + i % 25,
                "summary": "Summary " + title,
                "ids": {"doi": f"10.9999/k{seed}.{i}"},
                "authors": [f"Author {i}", f"Author {i + 1}"],
            }
        )
        citations.append(
            {
                "citing": f"k{i}",
                "cited": "hub",
                "roles": [rng.choice(["background", "method", "comparison"])],
                "polarity": rng.choice(["supportive", "neutral", "critical"]),
                "contexts": [{"text": f"As shown in [{i}], " + title, "roles": ["background"]}],
            }
        )
    return {
        "format": "citetui-bundle",
        "version": 1,
        "source": {"name": "kill-test"},
        "hub": {"paper": "hub", "tier": "generated"},
        "papers": papers,
        "citations": citations,
    }


@dataclass
class KillResult:
    """One killed import."""

    delay: float  # seconds into the import's transaction
    finished: bool  # the import finished before the kill landed
    state: str  # "before", "after" or "other"
    integrity: str
    opens: bool
    user_layer_kept: bool

    @property
    def intact(self) -> bool:
        """Integrity ok, opens, the user's layer kept, contents those before or after."""
        state_ok = self.state == "after" if self.finished else self.state in ("before", "after")
        return state_ok and self.integrity == "ok" and self.opens and self.user_layer_kept


def _start_import(db: Path, bundle: Path) -> tuple[subprocess.Popen, int]:
    """Start ``citetui import`` with stderr on a pseudo-terminal (it then says "importing
    FILE" once its transaction has begun); return the process and the pty's master end."""
    master, slave = pty.openpty()
    proc = subprocess.Popen(
        [sys.executable, "-m", "citetui", "--db", str(db), "import", str(bundle)],
        stdout=subprocess.DEVNULL,
        stderr=slave,
        stdin=subprocess.DEVNULL,
        cwd=REPO,
        env={**os.environ, "PYTHONPATH": str(REPO)},
    )
    os.close(slave)
    return proc, master


def _wait_for_transaction(master: int, timeout: float = 300) -> bool:
    """Read the import's stderr until it says "importing" (inside its transaction)."""
    seen = b""
    deadline = time.monotonic() + timeout
    while b"importing" not in seen:
        ready, _, _ = select.select([master], [], [], max(0.0, deadline - time.monotonic()))
        if not ready:
            return False
        try:
            chunk = os.read(master, 4096)
        except OSError:  # the child closed the terminal: it has exited
            return False
        if not chunk:
            return False
        seen += chunk
    return True


def kill_runs(
    work: Path,
    runs: int,
    seed: int = 0,
    papers: int = 6000,
    fmt: str = "bundle",
    empty: bool = False,
) -> list[KillResult]:
    """Kill imports at moments spread over their whole transaction; check each library.

    ``fmt`` "bundle" imports one JSON bundle of ``papers`` citing papers; "records"
    streams a records file (bench/corpus.py) of that many papers, which past 8 MB
    takes the big-import path (search index suspended, rebuilt before the commit).
    ``empty``: into an empty library (a big one then runs under a rollback journal).
    """
    rng = random.Random(seed)
    base = work / "base.db"
    if empty:
        from citetui.store import Library

        Library(base, create=True).close()
    else:
        make_library(base)
    if fmt == "records":
        from bench.corpus import write

        bundle = write(work / "big.jsonl", papers, seed=seed + 1)
    else:
        bundle = work / "big.json"
        bundle.write_text(json.dumps(big_bundle(papers)))
    before = library_digest(base)
    user_before = user_layer_digest(base)
    # One import to completion: how long its transaction takes and what "after" is.
    done = copy_library(base, work / "done.db")
    proc, master = _start_import(done, bundle)
    assert _wait_for_transaction(master), "the import never started its transaction"
    start = time.perf_counter()
    assert proc.wait(timeout=600) == 0, "the uninterrupted import failed"
    window = time.perf_counter() - start
    os.close(master)
    after = library_digest(done)
    results = []
    for i in range(runs):
        db = copy_library(base, work / f"kill{i}.db")
        # Stratified: run i kills somewhere in the i-th slice of the transaction.
        delay = window * (i + rng.random()) / runs
        proc, master = _start_import(db, bundle)
        started = _wait_for_transaction(master)
        try:
            proc.wait(timeout=delay if started else 0)
            finished = True
        except subprocess.TimeoutExpired:
            finished = False
            os.kill(proc.pid, signal.SIGKILL)
            proc.wait()
        os.close(master)
        # Opened first as the user would: a kill under a rollback journal leaves it hot,
        # and only a connection that may write rolls it back (a read-only one is refused).
        opens = subprocess_invoke(db, ["stats"]).code == 0
        status = integrity(db)
        digest = library_digest(db) if status == "ok" else ""
        state = {before: "before", after: "after"}.get(digest, "other")
        results.append(
            KillResult(delay, finished, state, status, opens, user_layer_digest(db) == user_before)
        )
    return results


# -- concurrent reads ------------------------------------------------------------


@dataclass
class ConcurrentResult:
    """Reads done while another process imported."""

    imports: int
    import_errors: int
    reads: int
    errors: list[str]
    counts_seen: list[int]


def concurrent_reads(work: Path, imports: int = 4, papers: int = 1500) -> ConcurrentResult:
    """A subprocess imports ``imports`` bundles one after another while we read."""
    from citetui.search import search
    from citetui.store import Library

    db = work / "shared.db"
    make_library(db)
    bundles = []
    for i in range(imports):
        path = work / f"bundle{i}.json"
        path.write_text(json.dumps(big_bundle(papers, seed=100 + i)))
        bundles.append(str(path))
    script = (
        "import subprocess, sys\n"
        "bad = 0\n"
        "for b in sys.argv[2:]:\n"
        "    r = subprocess.run([sys.executable, '-m', 'citetui', '--db', sys.argv[1],"
        " 'import', b], capture_output=True)\n"
        "    bad += r.returncode != 0\n"
        "    print('imported', b, r.returncode, r.stderr.decode()[-300:].replace("
        "chr(10), ' '), flush=True)\n"
        "print('errors', bad, flush=True)\n"
    )
    proc = subprocess.Popen(
        [sys.executable, "-c", script, str(db), *bundles],
        stdout=subprocess.PIPE,
        text=True,
        cwd=REPO,
        env={**os.environ, "PYTHONPATH": str(REPO)},
    )
    reads, errors, counts = 0, [], []
    lib = Library(db)
    try:
        while proc.poll() is None:
            try:
                if reads % 25 == 0:  # a new connection now and then, as a new browser would
                    lib.close()
                    lib = Library(db)
                hubs = lib.hubs()
                for h in hubs:
                    page = lib.hub_page(h.paper.id)
                    lib.citing_rows(h.paper.id, limit=50)
                    assert page.hub.paper.id == h.paper.id
                search(lib, "policy gradient", limit=20)
                counts.append(lib.stats().papers)
                reads += 1
            except Exception as exc:  # every failure is what this measures
                errors.append(f"{type(exc).__name__}: {exc}")
                reads += 1
    finally:
        lib.close()
    out = proc.stdout.read()
    proc.wait()
    m = re.search(r"errors (\d+)", out)
    import_errors = int(m.group(1)) if m else imports
    errors += [
        f"import failed: {line}"
        for line in out.splitlines()
        if line.startswith("imported") and " 0 " not in line
    ]
    if counts != sorted(counts):
        errors.append("the paper count went backwards between reads")
    return ConcurrentResult(imports, import_errors, reads, errors, counts)


# -- memory: streamed imports of big JSON Lines ------------------------------------


def _write_lines(path: Path, size: int, make: Callable[[int, random.Random], dict]) -> int:
    """Write JSON Lines of ``make(i, rng)`` records until ``size`` bytes; return the count."""
    rng = random.Random(size)
    written = i = 0
    with path.open("w", encoding="utf-8") as fh:
        while written < size:
            line = json.dumps(make(i, rng)) + "\n"
            fh.write(line)
            written += len(line)
            i += 1
    return i


def _openalex_work(i: int, rng: random.Random) -> dict:
    words = [
        "policy",
        "gradient",
        "proximal",
        "reward",
        "agent",
        "robust",
        "sparse",
        "attention",
        "model",
    ]
    title = " ".join(rng.choice(words) for _ in range(9)) + f" {i}"
    return {
        "id": f"https://openalex.org/W{900_000_000 + i}",
        "doi": f"https://doi.org/10.9999/oa.{i}",
        "title": title,
        "display_name": title,
        "publication_year": 1990 + i % 35,
        "cited_by_count": rng.randrange(1000),
        "authorships": [
            {"author": {"display_name": f"Author {rng.randrange(10**5)}"}}
            for _ in range(rng.randint(1, 6))
        ],
        "abstract_inverted_index": {
            w: [k]
            for k, w in enumerate(rng.choice(words) + str(k) for k in range(rng.randint(20, 200)))
        },
        "referenced_works": [
            f"https://openalex.org/W{900_000_000 + rng.randrange(i + 1)}"
            for _ in range(rng.randint(0, 12))
        ],
    }


def _bulk_citation(i: int, rng: random.Random) -> dict:
    return {
        "citingcorpusid": str(500_000_000 + rng.randrange(200_000)),
        "citedcorpusid": str(600_000_000 + rng.randrange(20_000)),
        "isinfluential": rng.random() < 0.1,
        "contexts": [
            f"As shown in [{k}], the method of {i} works." * 3 for k in range(rng.randint(0, 3))
        ],
        "intents": [["methodology"]] * rng.randint(0, 2),
    }


# Measured from a small launcher: Linux keeps a process's peak RSS across fork and exec,
# so a child forked straight from this (big) process would report our peak, not its own.
_LAUNCH = """import os, sys
pid = os.fork()
if pid == 0:
    null = os.open(os.devnull, os.O_RDWR)
    os.dup2(null, 1)
    os.dup2(null, 2)
    os.execv(sys.argv[1], sys.argv[1:])
_, status, usage = os.wait4(pid, 0)
print(os.waitstatus_to_exitcode(status), usage.ru_maxrss)
"""


def peak_rss_import(db: Path, path: Path) -> tuple[int, float, int]:
    """(exit code, seconds, peak resident memory in KiB) of ``citetui import PATH``."""
    start = time.perf_counter()
    out = subprocess.run(
        [
            sys.executable,
            "-c",
            _LAUNCH,
            sys.executable,
            "-m",
            "citetui",
            "--db",
            str(db),
            "import",
            str(path),
        ],
        capture_output=True,
        text=True,
        cwd=REPO,
        env={**os.environ, "PYTHONPATH": str(REPO)},
        check=True,
    )
    code, kib = map(int, out.stdout.split())
    return code, time.perf_counter() - start, kib


def memory_report(work: Path, megabytes: int) -> list[str]:
    """Import generated JSON Lines of each streamed format at a tenth of ``megabytes`` and at
    ``megabytes``; the peak memory of each import (files made in ``work``, then removed)."""
    from bench.corpus import write

    out = []
    makers = {
        "records": lambda p, size: write(p, size // 560),
        "openalex": lambda p, size: _write_lines(p, size, _openalex_work),
        "s2-bulk": lambda p, size: _write_lines(p, size, _bulk_citation),
    }
    for fmt, make in makers.items():
        for size in (megabytes * 100_000, megabytes * 1_000_000):
            path = work / f"{fmt}-{size}.jsonl"
            make(path, size)
            db = work / f"{fmt}-{size}.db"
            code, seconds, kib = peak_rss_import(db, path)
            mb = path.stat().st_size / 1e6
            out.append(
                f"  {fmt:<9} {mb:7.0f} MB of JSON Lines: peak RSS {kib / 1024:6.0f} MiB, "
                f"{seconds:5.0f} s, exit {code}"
            )
            for leftover in work.glob(f"{fmt}-{size}*"):
                leftover.unlink()
    return out


# -- the report ------------------------------------------------------------------


def main(argv: list[str] | None = None) -> int:
    """Run everything and print the report; exit 1 when anything failed."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--kills", type=int, default=10, help="killed imports (default 10)")
    parser.add_argument(
        "--imports", type=int, default=4, help="imports run while reading (default 4)"
    )
    parser.add_argument(
        "--memory",
        type=int,
        default=0,
        metavar="MB",
        help="also import generated JSON Lines of MB/10 and MB megabytes in "
        "each streamed format and print the peak memory (slow: minutes)",
    )
    parser.add_argument(
        "--quick",
        action="store_true",
        help="fewer concurrent writers, and no fetch against slow servers (minutes)",
    )
    args = parser.parse_args(argv)
    os.environ.setdefault("CITETUI_DB", "/nonexistent/never-the-user-library.db")
    failed = False
    with tempfile.TemporaryDirectory(prefix="citetui-reliability-") as tmp:
        tmp_path = Path(tmp)
        os.chmod(tmp_path, 0o755)

        base = tmp_path / "base.db"
        make_library(base)
        cases = import_cases()
        passed, failures = 0, []
        for i, case in enumerate(cases):
            work = tmp_path / f"import{i}"
            work.mkdir()
            problem = run_import_case(case, work, base)
            if problem:
                failures.append(f"{case.name}: {problem}")
            else:
                passed += 1
        print(f"hostile imports       tried {len(cases):>3}   passed {passed:>3}")
        for f in failures:
            print(f"  FAIL {f}")
        failed |= bool(failures)

        fcases = fuzz_cases(real_files(), per_file=6)
        passed, failures = 0, []
        for i, case in enumerate(fcases):
            work = tmp_path / f"fuzz{i}"
            work.mkdir()
            problem = run_fuzz_case(case, work, base, views=i % 5 == 0)
            if problem:
                failures.append(f"{case.name}: {problem}")
            else:
                passed += 1
        where = "real records and the sample" if REAL.is_dir() else "the sample only"
        print(
            f"fuzzed imports        tried {len(fcases):>3}   passed {passed:>3}   ({where}, "
            "as they are and mutated)"
        )
        for f in failures:
            print(f"  FAIL {f}")
        failed |= bool(failures)

        good = base
        lcases = library_cases()
        permissions = can_drop_privileges()
        passed, failures, skipped = 0, [], 0
        for i, case in enumerate(lcases):
            if case.needs_permissions and not permissions:
                skipped += 1
                continue
            work = tmp_path / f"library{i}"
            work.mkdir()
            os.chmod(work, 0o755)
            problem = run_library_case(case, work, good)
            if problem:
                failures.append(f"{case.name}: {problem}")
            else:
                passed += 1
        work = tmp_path / "locked"
        work.mkdir()
        problem = locked_case(work, good)
        if problem:
            failures.append(f"locked by another process: {problem}")
        else:
            passed += 1
        tried = len(lcases) + 1 - skipped
        note = f"   ({skipped} skipped: cannot drop root's file permissions)" if skipped else ""
        print(f"broken libraries      tried {tried:>3}   passed {passed:>3}{note}")
        for f in failures:
            print(f"  FAIL {f}")
        failed |= bool(failures)

        results = []
        for fmt, papers in (("bundle", 6000), ("records", 20000)):
            work = tmp_path / f"kills-{fmt}"
            work.mkdir()
            results += kill_runs(work, args.kills // 2, papers=papers, fmt=fmt)
        intact = sum(r.intact for r in results)
        killed = sum(not r.finished for r in results)
        states = {s: sum(r.state == s for r in results) for s in ("before", "after", "other")}
        print(
            f"kill -9 imports       kills {killed:>3}   intact libraries {intact:>3} of "
            f"{len(results)}   (a bundle and a streamed records file, killed inside the import's "
            f"transaction; contents as before: "
            f"{states['before']}, as after: {states['after']}, other: {states['other']})"
        )
        for r in results:
            if not r.intact:
                print(
                    f"  FAIL kill at {r.delay:.2f}s: state {r.state}, integrity {r.integrity}, "
                    f"opens {r.opens}, user layer kept {r.user_layer_kept}"
                )
        failed |= intact != len(results)

        work = tmp_path / "concurrent"
        work.mkdir()
        c = concurrent_reads(work, args.imports)
        print(
            f"concurrent reads      reads {c.reads:>3}   errors {len(c.errors):>3}   "
            f"(while {c.imports} imports ran, {c.import_errors} failed; papers seen "
            f"{c.counts_seen[0] if c.counts_seen else '-'} -> "
            f"{c.counts_seen[-1] if c.counts_seen else '-'})"
        )
        for e in c.errors[:10]:
            print(f"  FAIL {e}")
        failed |= bool(c.errors) or c.import_errors > 0
        from bench import stress

        work = tmp_path / "stress"
        work.mkdir()
        failed |= not stress.report(work, quick=args.quick)
        if args.memory:
            work = tmp_path / "memory"
            work.mkdir()
            print("streamed imports      peak memory")
            for line in memory_report(work, args.memory):
                print(line)
    print("result                " + ("FAILURES above" if failed else "all passed"))
    return 1 if failed else 0


if __name__ == "__main__":
    sys.path.insert(0, str(REPO))
    sys.exit(main())
