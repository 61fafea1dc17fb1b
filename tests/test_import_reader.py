"""A big JSON Lines file is read in a second process (citetui.ingest.reader): what it
imports, what it refuses and how it reports must not depend on that.

``CITETUI_IMPORT_READER=1`` takes the reader for files of any size, ``=0`` never; each
test imports the same files both ways and compares. The files come from the import
benchmark's generator (real field shapes) with hostile lines added: not JSON, not UTF-8,
a lone surrogate, a field of the wrong type (the fast path leaves it to the checked
path, which names the field).
"""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

from bench import formats
from citetui.ingest import InputError, import_files
from citetui.ingest import reader as rd
from citetui.ingest.jsonio import reading_progress
from citetui.store import Library
from tests.conftest import SAMPLE
from tests.libdump import dump

N = 300
ROOT = Path(__file__).resolve().parents[1]
HOSTILE = {
    "openalex": [
        b"{not json\n",
        b'{"id": "https://openalex.org/W1", "title": "Caf\xe9 lines"}\n',  # not UTF-8
        b'{"id": "https://openalex.org/W2", "title": "lone \\ud800 surrogate"}\n',
        b'{"id": "https://openalex.org/W3", "title": "t", "publication_year": "1999x"}\n',
        b'{"id": "https://openalex.org/W4", "title": "an odd but fine year", '
        b'"publication_year": "2001"}\n',
    ],
    "s2-jsonl": [
        b"[1, 2\n",
        b'{"citingPaper": {"paperId": "ab12", "title": "x", "year": "later"}}\n',
        b'{"citingPaper": {"paperId": "cd34", "title": "lone \\udc00 surrogate", "year": 2020}}\n',
        b'{"citingPaper": {"paperId": "ef56", "title": "year as text", "year": "2019"}}\n',
    ],
    "s2-paper": [  # /paper records embedding their citations
        b"[1, 2\n",
        b'{"paperId": "ab12", "title": "x", "year": "later", "citations": []}\n',
        # one embedded paper the fast path does not take: the checked path reports it
        b'{"paperId": "cd56", "title": "a paper", "citations": [{"paperId": "e1", '
        b'"title": "a fine citing paper"}, {"paperId": "e2", "title": "t", "year": "soon"}, '
        b'{"citingPaper": {"paperId": "e3", "title": "an edge", "year": 2020}}]}\n',
    ],
    "s2-bulk": [  # at the end of the last shard (the TLDRs)
        b"{nope\n",
        b'{"corpusid": 5, "text": 7, "model": "tldr@v2"}\n',
        b'{"corpusid": 6, "text": "a fine summary", "model": "tldr@v2"}\n',
    ],
    "records": [
        b"{oops\n",
        b'{"key": "bad-year", "title": "t", "year": "soon"}\n',
        b'{"key": "text-year", "title": "a year given as text", "year": "2018"}\n',
    ],
}


def _files(fmt: str, tmp: Path) -> list[Path]:
    files = sorted(formats.generate(fmt, N, tmp / "gen", seed=5))
    with files[-1].open("ab") as fh:  # the hostile lines at the end of the last file
        fh.writelines(HOSTILE[fmt])
    return files


def _import(files: list[Path], db: Path, reader: str, monkeypatch, **options):
    monkeypatch.setenv("CITETUI_IMPORT_READER", reader)
    lib = Library(db, create=True)
    import_files(lib, [SAMPLE])
    try:
        reports = import_files(lib, files, **options)
        return dump(lib), [r.to_dict() for r in reports], None
    except InputError as exc:
        return dump(lib), None, str(exc)
    finally:
        lib.close()


@pytest.mark.parametrize("fmt", sorted(HOSTILE))
def test_the_reader_process_imports_what_the_importer_alone_does(fmt, tmp_path, monkeypatch):
    files = _files(fmt, tmp_path)
    alone = _import(files, tmp_path / "alone.db", "0", monkeypatch, skip_invalid=True)
    read = _import(files, tmp_path / "read.db", "1", monkeypatch, skip_invalid=True)
    assert alone[2] is None and read[2] is None
    assert read[0] == alone[0]
    assert read[1] == alone[1]  # the same counts and the same skipped lines, named alike
    skipped = [s for r in read[1] for s in r["skipped"]]
    assert len(skipped) >= 2, skipped  # (not JSON, a wrong type; the rest are accepted)
    assert len(read[0]["papers"]) > N // 2


def _derived(db: Path) -> tuple[list[tuple], list[tuple]]:
    """What the writer derives from papers: their identity texts (with their titles), and
    the title-pair index's terms with how many papers hold each."""
    lib = Library(db)
    try:
        lib.conn.execute("CREATE VIRTUAL TABLE temp.pv USING fts5vocab(main, pairs_fts, 'row')")
        return (
            lib.conn.execute("SELECT title, norm_title FROM papers ORDER BY 1, 2").fetchall(),
            lib.conn.execute("SELECT term, doc FROM temp.pv ORDER BY term").fetchall(),
        )
    finally:
        lib.close()


@pytest.mark.parametrize("fmt", ["openalex", "records", "s2-jsonl", "s2-paper", "s2-bulk"])
def test_papers_the_reader_prepared_make_the_same_big_import(fmt, tmp_path, monkeypatch):
    """In the reader, the fast paths put papers in normal form with their identity text
    and title pairs (citetui.store.prepared); the bulk writer of a big import takes them
    from there. The library and the title-pair index are the ones it makes alone."""
    from citetui.store import fts

    monkeypatch.setattr(fts, "worth_suspending", lambda conn, size: True)
    files = _files(fmt, tmp_path)
    alone = _import(files, tmp_path / "alone.db", "0", monkeypatch, skip_invalid=True)
    read = _import(files, tmp_path / "read.db", "1", monkeypatch, skip_invalid=True)
    assert alone[2] is None and read[2] is None
    assert read[0] == alone[0] and read[1] == alone[1]
    texts, terms = _derived(tmp_path / "read.db")
    least = N // 2 if fmt == "s2-bulk" else N  # (its N is of citations, a paper has several)
    assert len(texts) > least and len(terms) > least
    assert (texts, terms) == _derived(tmp_path / "alone.db")


@pytest.mark.parametrize("fmt", sorted(HOSTILE))
def test_a_bad_line_fails_the_same_with_the_reader(fmt, tmp_path, monkeypatch):
    files = _files(fmt, tmp_path)
    before = _import([], tmp_path / "before.db", "0", monkeypatch)[0]
    alone = _import(files, tmp_path / "alone.db", "0", monkeypatch)
    read = _import(files, tmp_path / "read.db", "1", monkeypatch)
    assert alone[2] is not None and read[2] == alone[2]
    assert ":" in read[2] and files[-1].name in read[2]  # the file and line it stopped at
    assert read[0] == before  # nothing of the file is left in the library


def _bomb(raw):
    """A fast path that kills its process at a record: the reader dies half-way."""
    if isinstance(raw, dict) and raw.get("n") == 1500:
        os._exit(3)
    return raw.get("n") if isinstance(raw, dict) else None


def _lines(path: Path, n: int) -> Path:
    path.write_text("".join(f'{{"n": {i}}}\n' for i in range(n)))
    return path


def test_a_reader_that_dies_is_an_error_not_a_short_file(tmp_path, monkeypatch):
    monkeypatch.setenv("CITETUI_IMPORT_READER", "1")
    monkeypatch.chdir(ROOT)  # the reader imports this module by name
    path = _lines(tmp_path / "n.jsonl", 3000)
    got = []
    with pytest.raises(InputError, match="reader process stopped"):
        for _, value in rd.mapped_lines(path, _bomb):
            got.append(value.value)
    assert got == list(range(1000))  # the whole chunks it sent, in order, then the error


def _mapped_n(raw):
    return raw.get("n") if isinstance(raw, dict) else None


def test_the_reader_reports_its_progress_and_stops_with_its_importer(tmp_path, monkeypatch):
    monkeypatch.setenv("CITETUI_IMPORT_READER", "1")
    monkeypatch.chdir(ROOT)
    path = _lines(tmp_path / "n.jsonl", 200_000)
    lines = rd.mapped_lines(path, _mapped_n)
    for _, value in lines:
        if value.value == 5000:
            break
    progress = reading_progress()
    assert progress is not None and progress[0] == path
    assert 0 < progress[1] < progress[2] == path.stat().st_size
    lines.close()  # the import stopped (an error, Ctrl+C): the reader must go too
    after = reading_progress()
    assert after is None or after[0] != path
    ps = subprocess.run(["ps", "-eo", "args"], capture_output=True, text=True).stdout
    assert not [ln for ln in ps.splitlines() if "citetui.ingest.reader" in ln and str(path) in ln]


def test_small_files_are_read_in_the_importer(tmp_path, monkeypatch):
    monkeypatch.delenv("CITETUI_IMPORT_READER", raising=False)
    path = _lines(tmp_path / "n.jsonl", 10)
    assert not rd._use_reader(path)
    assert [v.value for _, v in rd.mapped_lines(path, _mapped_n)] == list(range(10))
    big = tmp_path / "big.jsonl"
    with big.open("wb") as fh:
        fh.truncate(rd.READER_MIN_BYTES)
    assert rd._use_reader(big)


def test_the_reader_ends_when_its_importer_is_killed(tmp_path):
    """kill -9 of the importer: the reader's pipe breaks and it ends (no orphan reading on)."""
    path = _lines(tmp_path / "n.jsonl", 2_000_000)
    _kill_the_importer(
        "lines = reader.mapped_lines(Path(sys.argv[1]), _mapped_n)\n"
        "next(lines)\n"
        "print('reading', flush=True)\n"
        "time.sleep(60)\n",
        path,
    )


def _kill_the_importer(body: str, path: Path) -> None:
    """Run ``body`` (a reader started on ``path``, then 'reading' printed) in an importer
    process, kill -9 it, and check that its reader processes end too."""
    script = (
        "import sys, time\n"
        "from pathlib import Path\n"
        "from citetui.ingest import reader\n"
        "from tests.test_import_reader import _mapped_n\n" + body
    )
    env = {**os.environ, "CITETUI_IMPORT_READER": "1"}
    proc = subprocess.Popen(
        [sys.executable, "-c", script, str(path)], cwd=ROOT, env=env, stdout=subprocess.PIPE
    )
    assert proc.stdout is not None and proc.stdout.readline().strip() == b"reading"
    children = _children(proc.pid)
    assert children, "no reader process was started"
    proc.kill()
    proc.wait()
    for pid in children:
        _wait_gone(pid)


def _children(pid: int) -> list[int]:
    out = subprocess.run(["ps", "-o", "pid=", "--ppid", str(pid)], capture_output=True, text=True)
    return [int(x) for x in out.stdout.split()]


def _wait_gone(pid: int, timeout: float = 20.0) -> None:
    import time

    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        try:
            os.kill(pid, 0)
        except ProcessLookupError:
            return
        stat = Path(f"/proc/{pid}/stat")
        if stat.exists() and stat.read_text().split(")")[-1].split()[0] == "Z":
            return  # a zombie: it ended, its parent (gone) just never reaped it
        time.sleep(0.05)
    raise AssertionError(f"the reader process {pid} outlived its importer")


def _sent(run, paths, fast, *, below: int | None = None) -> list[tuple]:
    """Every message a reader function (``rd._run_lines``, ``rd._run_documents``) writes
    for ``paths``, decoded (``below``: each frame is smaller than that)."""
    import io
    import pickle
    import struct

    out = io.BytesIO()
    run([str(p) for p in paths], fast, out)
    data, at, got = out.getvalue(), 0, []
    while at < len(data):
        (size,) = struct.unpack("<Q", data[at : at + 8])
        assert below is None or size < below
        got.append(pickle.loads(data[at + 8 : at + 8 + size]))
        at += 8 + size
    return got


def test_a_message_holds_a_megabyte_of_lines_at_most(tmp_path):
    """Lines the fast path leaves (a /paper record embedding 1,000 citations is half a
    megabyte) go as their bytes, a megabyte a message: 1,000 of them a message held
    3.7 GB in the reader and 3.3 GB in the importer at a million records."""
    big = '{"paperId": "p%d", "citations": [%s]}\n'
    cites = ", ".join(['{"paperId": "c", "title": "a citing paper title"}'] * 3000)
    path = tmp_path / "papers.jsonl"
    path.write_text("".join(big % (i, cites) for i in range(40)))
    got = []
    for _, pos, lines, _ in _sent(rd._run_lines, [path], _mapped_n, below=2 * rd.CHUNK_BYTES):
        if pos < 0:
            break  # the file's end
        got += [ln for ln, raw in lines if type(raw) is bytes]
    assert got == list(range(1, 41))


def test_the_messages_ahead_are_bounded_by_bytes_as_well_as_count(monkeypatch):
    """The pump waits while the messages not yet taken hold AHEAD_BYTES; one message, however
    big, always goes (a /paper line of a megabyte)."""
    import queue
    import threading

    monkeypatch.setattr(rd, "AHEAD_BYTES", 100)
    frames = rd._Frames()
    frames.put(b"x" * 500)  # bigger than the bound, alone: taken
    second = threading.Thread(target=frames.put, args=(b"y" * 10,))
    second.start()
    second.join(0.2)
    assert second.is_alive()  # waits for room
    assert frames.get() == b"x" * 500
    second.join(2)
    assert not second.is_alive()
    assert frames.get() == b"y" * 10
    with pytest.raises(queue.Empty):
        frames.get(timeout=0.01)
    frames.put(None)  # the end of the pipe
    assert frames.get() is None


# -- JSON documents (S2 /citations pages): one reader for all of them ---------------------

_PAGE_RECORDS = [  # a compact page, as the API sends it: one line
    '{"citingPaper": {"paperId": "ab12", "title": "x", "year": "later"}}',  # wrong type
    '{"citingPaper": {"paperId": "cd34", "title": "lone \\ud800 surrogate", "year": 2020}}',
    '{"citingPaper": {"paperId": "ef56", "title": "year as text", "year": "2019"}, '
    '"intents": ["methodology"], "contexts": ["as in [3]"], "isInfluential": true}',
    "null",
    "[1, 2]",  # not an edge
]


def _pages(tmp: Path, *, bad_document: bool = False) -> list[Path]:
    files = sorted(formats.generate("s2-pages", N, tmp / "gen", seed=5))
    hub = files[0].name.split("_")[1]
    compact = tmp / "gen" / f"citations_{hub}_page999.json"
    compact.write_text('{"offset": 0, "data": [' + ", ".join(_PAGE_RECORDS) + "]}")
    listed = tmp / "gen" / f"citations_{hub}_list.json"  # a top-level list of edges
    listed.write_text("[" + ", ".join(_PAGE_RECORDS[1:3]) + "]")
    out = [compact, *files, listed]
    if bad_document:
        bad = tmp / "gen" / f"citations_{hub}_page998.json"
        bad.write_text('{"offset": 0, "data": [{"citingPaper": {"paperId": "ab12"}}')
        out.append(bad)
    return out


def test_the_documents_reader_imports_what_the_importer_alone_does(tmp_path, monkeypatch):
    files = _pages(tmp_path)
    alone = _import(files, tmp_path / "alone.db", "0", monkeypatch, skip_invalid=True)
    read = _import(files, tmp_path / "read.db", "1", monkeypatch, skip_invalid=True)
    assert alone[2] is None and read[2] is None
    assert read[0] == alone[0] and read[1] == alone[1]
    skipped = [s for r in read[1] for s in r["skipped"]]
    assert any("page999" in s for s in skipped), skipped  # the page's bad records, named
    assert len(read[0]["papers"]) > N // 2


def test_papers_the_documents_reader_prepared_make_the_same_big_import(tmp_path, monkeypatch):
    from citetui.store import fts

    monkeypatch.setattr(fts, "worth_suspending", lambda conn, size: True)
    files = _pages(tmp_path)
    alone = _import(files, tmp_path / "alone.db", "0", monkeypatch, skip_invalid=True)
    read = _import(files, tmp_path / "read.db", "1", monkeypatch, skip_invalid=True)
    assert alone[2] is None and read[2] is None
    assert read[0] == alone[0] and read[1] == alone[1]
    texts, terms = _derived(tmp_path / "read.db")
    assert len(texts) > N and len(terms) > N
    assert (texts, terms) == _derived(tmp_path / "alone.db")


def test_a_bad_document_fails_the_same_with_the_documents_reader(tmp_path, monkeypatch):
    files = _pages(tmp_path, bad_document=True)
    before = _import([], tmp_path / "before.db", "0", monkeypatch)[0]
    alone = _import(files, tmp_path / "alone.db", "0", monkeypatch, skip_invalid=True)
    read = _import(files, tmp_path / "read.db", "1", monkeypatch, skip_invalid=True)
    assert alone[2] is not None and read[2] == alone[2]
    assert "page998" in read[2]
    assert read[0] == before


def _bomb_page(raw):
    """A fast path that kills its process at a record of the second page."""
    if isinstance(raw, dict) and raw.get("n") == 15:
        os._exit(3)
    return raw.get("n") if isinstance(raw, dict) else None


def test_documents_the_reader_did_not_send_are_read_by_the_importer(tmp_path, monkeypatch):
    monkeypatch.setenv("CITETUI_IMPORT_READER", "1")
    monkeypatch.chdir(ROOT)  # the reader imports this module by name
    paths = []
    for k in range(3):
        p = tmp_path / f"p{k}.json"
        p.write_text('{"data": [' + ", ".join(f'{{"n": {10 * k + i}}}' for i in range(10)) + "]}")
        paths.append(p)
    paths.append(tmp_path / "missing.json")
    with rd.documents_ahead(paths, _bomb_page) as ahead:
        assert ahead is not None
        first = ahead.take(paths[0])
        assert [type(x) for x in first["data"]] == [rd.Mapped] * 10
        assert [x.value for x in first["data"]] == list(range(10))
        assert ahead.take(paths[1]) is None  # it died there: the importer reads the rest
        assert ahead.take(paths[2]) is None
        assert ahead.take(tmp_path / "never-given.json") is None


def test_small_documents_are_read_in_the_importer(tmp_path, monkeypatch):
    monkeypatch.delenv("CITETUI_IMPORT_READER", raising=False)
    page = tmp_path / "p.json"
    page.write_text('{"data": []}')
    with rd.documents_ahead([page], _mapped_n) as ahead:
        assert ahead is None
    with rd.documents_ahead([], _mapped_n) as ahead:
        assert ahead is None


def test_the_documents_reader_ends_when_its_importer_is_killed(tmp_path):
    for k in range(200):
        rows = ", ".join(f'{{"n": {i}}}' for i in range(5000))
        (tmp_path / f"p{k:03d}.json").write_text('{"data": [' + rows + "]}")
    _kill_the_importer(
        "paths = sorted(Path(sys.argv[1]).glob('p*.json'))\n"
        "with reader.documents_ahead(paths, _mapped_n) as ahead:\n"
        "    ahead.take(paths[0])\n"
        "    print('reading', flush=True)\n"
        "    time.sleep(60)\n",
        tmp_path,
    )


def test_records_cross_the_pipe_whole():
    """The reader's records are pickled as their constructors' arguments (half the time
    to load of slots by name): every field comes back, a prepared paper's own too."""
    import pickle

    from citetui.core.models import CiteRecord, PaperRecord
    from citetui.store.prepared import Prepared

    paper = PaperRecord(
        "T",
        2001,
        "V",
        "abs",
        "sum",
        "tldr",
        "u",
        7,
        "10.1/x",
        "2101.00001",
        "ab" * 20,
        42,
        "W1",
        ["A B", "C D"],
    )
    ready = Prepared(
        *(getattr(paper, n) for n in PaperRecord.__match_args__), text="t", pairs="t_x"
    )
    cite = CiteRecord(paper, ("method",), "supporting", True, (("as in [1]", ("method",)),), "s")
    for value in (paper, ready, cite):
        back = pickle.loads(pickle.dumps(value, pickle.HIGHEST_PROTOCOL))
        assert type(back) is type(value) and back == value
    assert pickle.loads(pickle.dumps(ready)).pairs == "t_x"


def test_a_document_too_big_for_three_copies_is_left_to_the_importer(tmp_path, monkeypatch):
    monkeypatch.setattr(rd, "DOCUMENT_MAX_BYTES", 1000)
    small, big = tmp_path / "small.json", tmp_path / "big.json"
    small.write_text('{"data": [{"n": 1}]}')
    big.write_text('{"data": [' + ", ".join('{"n": 2}' for _ in range(200)) + "]}")
    got = _sent(rd._run_documents, [small, big], _mapped_n)
    assert got[0] == (0, {"data": [1]}, [0])
    assert got[1] == (1, None, [])  # the importer reads it itself
    assert got[2][0] == -1


def test_an_imports_json_lines_files_share_one_reader(tmp_path, monkeypatch):
    """300 files of 3 MB (one per hub) were each under READER_MIN_BYTES, so each was read in
    the importer's thread; together they take one reader process, and import as they do
    without it."""
    import subprocess as sp

    files = _files("s2-jsonl", tmp_path)
    assert len(files) >= 3
    started: list[list[str]] = []
    real = sp.Popen

    def counting(args, *a, **k):
        started.append(list(args))
        return real(args, *a, **k)

    monkeypatch.setattr(rd.subprocess, "Popen", counting)
    monkeypatch.setattr(rd, "READER_MIN_BYTES", sum(f.stat().st_size for f in files))
    monkeypatch.delenv("CITETUI_IMPORT_READER", raising=False)
    lib = Library(tmp_path / "read.db", create=True)
    import_files(lib, [SAMPLE])
    reports = import_files(lib, files, skip_invalid=True)
    read = dump(lib), [r.to_dict() for r in reports]
    lib.close()
    lines_readers = [a for a in started if "lines" in a]
    assert len(lines_readers) == 1, started
    alone = _import(files, tmp_path / "alone.db", "0", monkeypatch, skip_invalid=True)
    assert read == alone[:2]


def test_a_file_left_half_read_does_not_hold_up_the_next(tmp_path, monkeypatch):
    monkeypatch.chdir(ROOT)  # the reader imports this module by name
    monkeypatch.setenv("CITETUI_IMPORT_READER", "1")
    a, b, c = (_lines(tmp_path / f"{x}.jsonl", 5000) for x in "abc")
    with rd.lines_ahead([a, b], _mapped_n):
        first = rd.mapped_lines(a, _mapped_n)
        assert [next(first)[1].value for _ in range(3)] == [0, 1, 2]
        first.close()  # (the importer stopped reading a: an error it skips the file for)
        assert [v.value for _, v in rd.mapped_lines(b, _mapped_n)] == list(range(5000))
        ahead = rd._LINES.get()[0]
        assert ahead.lines(a, _mapped_n) is None  # behind it: the importer reads a itself
        assert ahead.lines(c, _mapped_n) is None  # never given to it
        assert ahead.lines(b, _bomb) is None  # another format's fast path
        assert [v.value for _, v in rd.mapped_lines(a, _mapped_n)] == list(range(5000))
    assert rd._LINES.get() == ()


def _noisy(raw):
    """A fast path that writes 16 KB to stderr a record (warnings, say)."""
    sys.stderr.write("w" * 16_384 + "\n")
    return raw.get("n") if isinstance(raw, dict) else None


def test_a_reader_that_writes_to_stderr_does_not_stop(tmp_path, monkeypatch):
    """Nobody reads the reader's stderr until it has died: a pipe there filled at 64 KB
    and the reader waited on it for ever (and the import on the reader)."""
    import threading

    monkeypatch.setenv("CITETUI_IMPORT_READER", "1")
    monkeypatch.chdir(ROOT)
    path = _lines(tmp_path / "n.jsonl", 100)
    got: list[int] = []
    reading = threading.Thread(
        target=lambda: got.extend(v.value for _, v in rd.mapped_lines(path, _noisy)),
        daemon=True,
    )
    reading.start()
    reading.join(timeout=60)
    assert got == list(range(100))


def test_the_reader_maps_paper_records(tmp_path):
    from citetui.ingest.formats import s2

    path = sorted(formats.generate("s2-paper", N, tmp_path / "gen", seed=5))[0]
    lines = mapped = 0
    for _, pos, got, took in _sent(rd._run_lines, [path], s2.fast_line):
        if pos < 0:
            break
        lines += len(got)
        mapped += len(took)
        assert all(type(got[k][1]) is s2.PaperWithCites for k in took)
    assert lines > 0 and mapped == lines


@pytest.mark.parametrize(
    ("fmt", "module", "fast", "reader"),
    [
        ("s2-paper", "s2", "fast_paper_record", "0"),  # /paper records, embedded citations
        ("s2-bulk", "s2_bulk", "fast_line", "1"),  # the bulk shards' papers and citations
    ],
)
def test_the_fast_path_imports_what_the_checked_path_alone_does(
    fmt, module, fast, reader, tmp_path, monkeypatch
):
    """The reader maps /paper records with their embedded citations (a million citations
    in 1,000 such lines were parsed and mapped in the importer's thread) and the bulk
    shards' papers and citations: what they import, and what is reported, is what the
    checked path alone makes of them."""
    import importlib

    files = _files(fmt, tmp_path)
    got = _import(files, tmp_path / "fast.db", reader, monkeypatch, skip_invalid=True)
    monkeypatch.setattr(
        importlib.import_module(f"citetui.ingest.formats.{module}"), fast, lambda raw: None
    )
    checked = _import(files, tmp_path / "checked.db", "0", monkeypatch, skip_invalid=True)
    assert got[2] is None and checked[2] is None
    assert got[0] == checked[0] and got[1] == checked[1]
    if fmt == "s2-paper":
        skipped = [s for r in got[1] for s in r["skipped"]]
        assert any("citations[1].year" in str(x) for x in skipped), skipped
        assert len(got[0]["citations"]) > N
    else:
        assert len(got[0]["citations"]) > 100 and len(got[0]["papers"]) > 100


def test_the_reader_maps_bulk_papers_and_citations(tmp_path):
    from citetui.ingest.formats import s2_bulk

    files = sorted(formats.generate("s2-bulk", N, tmp_path / "gen", seed=5))
    shards = [f for f in files if f.name.startswith(("papers", "citations"))]
    assert len(shards) == 2
    lines, mapped = [0, 0], [0, 0]
    for i, _, got, took in _sent(rd._run_lines, shards, s2_bulk.fast_line):
        if i < 0:
            break
        lines[i] += len(got)
        mapped[i] += len(took)
    assert lines[0] > 0 and lines[1] > 0
    assert mapped[0] >= 0.9 * lines[0] and mapped[1] >= 0.9 * lines[1], (lines, mapped)
