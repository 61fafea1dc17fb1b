"""Bad input and damaged libraries get one clear line, never a traceback (issue 16:
huge ids, label errors, NaN thresholds, damaged libraries and citetui doctor, a
library in a read-only directory, fetches that cannot reach a server, 8-bit
locales, export details)."""

from __future__ import annotations

import csv
import io
import json
import os
import socket
import sqlite3
import subprocess
import sys
import threading
import time
from pathlib import Path

import pytest
from click.testing import CliRunner

from bench import reliability as rel
from citetui.cli import cli
from citetui.export import export
from citetui.fetch import FetchError
from citetui.fetch.http import Client
from citetui.store import Library

REPO = Path(__file__).resolve().parents[1]


@pytest.fixture
def db(tmp_path) -> Path:
    path = tmp_path / "lib.db"
    rel.make_library(path, annotate=False)
    return path


def run(db: Path, *args: str):  # noqa: ANN201 - a click Result
    return CliRunner().invoke(cli, ["--db", str(db), *args])


def one_line(result) -> str:  # noqa: ANN001
    lines = [ln for ln in result.stderr.splitlines() if ln.strip()]
    assert len(lines) == 1 and lines[0].startswith("citetui: error:"), result.stderr
    assert "Traceback" not in result.stderr
    return lines[0]


@pytest.mark.parametrize(
    "args",
    [
        ("--hub", "99999999999999999999999"),
        ("--hub", "CorpusID:9223372036854775808"),
        ("--hub", "CorpusID:-1"),
        ("--hubs", "99999999999999999999999"),
    ],
)
def test_huge_and_negative_ids_are_refused(db, tmp_path, args):
    if args[0] == "--hubs":  # a bulk citations shard
        data = tmp_path / "citations.jsonl"
        data.write_text(
            json.dumps({"citingcorpusid": 1, "citedcorpusid": 2})
            + "\n"
            + json.dumps({"citingcorpusid": 3, "citedcorpusid": 2})
            + "\n"
        )
    else:  # a /citations page
        data = tmp_path / "page.json"
        data.write_text(
            json.dumps(
                {
                    "offset": 0,
                    "data": [{"citingPaper": {"paperId": "a" * 40, "title": "A citing paper"}}],
                }
            )
        )
    before = rel.library_digest(db)
    result = run(db, "import", str(data), *args)
    assert result.exit_code == 2
    assert "corpus id is a whole number from 0 to 9223372036854775807" in one_line(result)
    assert args[0] in one_line(result)
    assert rel.library_digest(db) == before


def test_label_errors_are_one_line_and_a_missing_citation_is_not_found(db):
    assert one_line(run(db, "label", "3", "5")) and run(db, "label", "3", "5").exit_code == 2
    missing = run(db, "label", "3", "5", "--role", "method")
    assert missing.exit_code == 4
    assert "does not cite" in one_line(missing)
    assert run(db, "label", "3", "1", "--role", "vibes").exit_code == 2


@pytest.mark.parametrize(
    "args",
    [("align", "ppo", "--threshold", "nan"), ("ablate", "ppo", "-k", "-1"), ("show",), ("nosuch",)],
)
def test_bad_options_are_one_line(db, args):
    result = run(db, *args)
    assert result.exit_code == 2
    one_line(result)


def _set_version(db: Path, version: int) -> None:
    conn = sqlite3.connect(db)
    conn.execute(f"PRAGMA user_version = {version}")
    conn.commit()
    conn.close()


@pytest.mark.parametrize("version", [-1, 0, 2])
def test_a_wrong_schema_version_says_the_library_is_damaged(db, version):
    _set_version(db, version)
    result = run(db, "hubs")
    assert result.exit_code == 3
    line = one_line(result)
    assert "damaged" in line and "citetui doctor" in line


def test_doctor_finds_damaged_pages_and_says_what_to_do(db):
    assert run(db, "doctor").exit_code == 0
    size = db.stat().st_size
    with db.open("r+b") as fh:  # garbage over pages in the middle of the file
        fh.seek(size // 2 // 4096 * 4096)
        fh.write(b"\xde\xad\xbe\xef" * 2048)
    result = run(db, "doctor")
    assert result.exit_code == 3
    assert "damaged" in result.stderr and "cp " in result.stderr and ".recover" in result.stderr
    hubs = run(db, "hubs")
    if hubs.exit_code != 0:  # a read that meets a damaged page: the same clear message
        assert hubs.exit_code == 3 and "citetui doctor" in one_line(hubs)


def test_doctor_rebuilds_a_search_index_out_of_step(db):
    conn = sqlite3.connect(db)  # a title changed behind the index's back
    conn.execute("DROP TRIGGER papers_fts_au")
    conn.execute("UPDATE papers SET title = 'changed behind the index' WHERE id = 5")
    conn.execute("""CREATE TRIGGER papers_fts_au AFTER UPDATE OF title, summary ON papers BEGIN
        INSERT INTO papers_fts(papers_fts, rowid, title, summary)
            VALUES ('delete', old.id, old.title, old.summary);
        INSERT INTO papers_fts(rowid, title, summary) VALUES (new.id, new.title, new.summary);
        INSERT OR IGNORE INTO search_dirty(paper_id) VALUES (new.id);
    END""")
    conn.commit()
    conn.close()
    result = run(db, "doctor")
    assert result.exit_code == 3 and "--repair" in result.stderr
    assert run(db, "doctor", "--repair").exit_code == 0
    assert run(db, "doctor").exit_code == 0


@pytest.mark.skipif(not rel.can_drop_privileges(), reason="cannot drop root's file permissions")
def test_a_default_library_in_a_read_only_directory_names_the_directory(tmp_path):
    ro = tmp_path / "ro"
    ro.mkdir()
    ro.chmod(0o555)
    env = {**os.environ, "CITETUI_DB": str(ro / "library.db"), "PYTHONPATH": str(REPO)}
    proc = subprocess.run(
        [*rel.NO_DAC, sys.executable, "-m", "citetui", "hubs"],
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert proc.returncode == 3
    assert f"cannot create the library {ro / 'library.db'}" in proc.stderr
    assert ".citetui-" not in proc.stderr


def test_fetch_gives_up_at_once_when_the_host_does_not_resolve():
    client = Client("http://no-such-host.invalid/api")
    started = time.monotonic()
    with pytest.raises(FetchError, match="no network"):
        client.get("paper/1")
    assert time.monotonic() - started < 5


class _Server:
    """A local server that accepts and then says nothing, or a byte at a time."""

    def __init__(self, trickle: bool):
        self.sock = socket.socket()
        self.sock.bind(("127.0.0.1", 0))
        self.sock.listen(16)
        self.port = self.sock.getsockname()[1]
        self.trickle = trickle
        self.stop = threading.Event()
        threading.Thread(target=self._serve, daemon=True).start()

    def _serve(self) -> None:
        self.sock.settimeout(0.2)
        conns = []
        while not self.stop.is_set():
            try:
                conn, _ = self.sock.accept()
            except OSError:
                continue
            conns.append(conn)
            if self.trickle:
                threading.Thread(target=self._drip, args=(conn,), daemon=True).start()
        for c in conns:
            c.close()

    def _drip(self, conn: socket.socket) -> None:
        try:
            conn.recv(65536)
            conn.sendall(
                b"HTTP/1.1 200 OK\r\nContent-Type: application/json\r\n"
                b"Content-Length: 100000\r\n\r\n"
            )
            while not self.stop.is_set():
                conn.sendall(b" ")
                time.sleep(0.3)
        except OSError:
            pass


@pytest.mark.parametrize("trickle", [False, True], ids=["silent", "slow"])
def test_fetch_gives_up_on_a_silent_or_slow_server_within_its_deadline(trickle):
    server = _Server(trickle)
    client = Client(
        f"http://127.0.0.1:{server.port}/api",
        connect_timeout=1,
        read_timeout=1,
        page_deadline=4,
        backoff=0.1,
    )
    started = time.monotonic()
    try:
        with pytest.raises(FetchError, match="gave up after 4 s|still after"):
            client.get("paper/1")
    finally:
        server.stop.set()
    assert time.monotonic() - started < 4 + 1.5


def test_output_in_an_8_bit_locale_shows_what_it_can(db):
    env = {**os.environ, "PYTHONIOENCODING": "latin-1", "PYTHONPATH": str(REPO)}
    for args, check in ((["show", "ppo"], "#"), (["search", "policy", "--json"], "\\u")):
        proc = subprocess.run(
            [sys.executable, "-m", "citetui", "--db", str(db), *args],
            env=env,
            capture_output=True,
            timeout=120,
        )
        assert proc.returncode == 0, proc.stderr
        assert b"Traceback" not in proc.stderr
        proc.stdout.decode("latin-1")
        if args[0] == "search":
            json.loads(proc.stdout.decode("ascii"))  # lossless: every non-ASCII escaped
        else:
            assert check in proc.stdout.decode("latin-1")


def test_exports_survive_hostile_and_huge_fields(tmp_path):
    doc = rel.hostile_bundle()
    doc["papers"][1]["title"] = "Pre-training -- and --- dashes"
    path = tmp_path / "h.json"
    path.write_text(json.dumps(doc))
    lib = Library(tmp_path / "h.db", create=True)
    try:
        from citetui.ingest import import_files

        import_files(lib, [path])
        hub = max(lib.hubs(), key=lambda h: h.paper.id).paper.id
        bib = export(lib, hub, "bibtex")
        table = export(lib, hub, "csv")
    finally:
        lib.close()
    keys = [line.split("{", 1)[1].rstrip(",") for line in bib.splitlines() if line.startswith("@")]
    assert keys and all(k.replace("-", "").isalnum() for k in keys)
    assert not any("52c" in k or "cm0g" in k for k in keys)  # no escape payload in a key
    assert "-{}- and -{}-{}- dashes" in bib
    rows = list(csv.reader(io.StringIO(table)))  # the default field limit reads it all
    assert max(len(c) for r in rows for c in r) <= 100_000
