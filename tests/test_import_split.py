"""A file split in two imports to the same library as the whole file, for every format.

Each format's file comes from the import benchmark's generator (:mod:`bench.formats`,
real field shapes: nulls, empty lists, unicode, papers two files share), small. It is cut
in two the way a user's download is cut (lines of a JSON Lines file, the ``data`` of an
API page, the citations of a bundle with the papers they name), and the halves are
imported one command after the other into a second default-shaped library. The two
libraries must hold the same papers, edges, labels, contexts and hubs
(:func:`tests.libdump.dump`). The real samples in ``../shared/data/real`` are split the
same way when they are there.
"""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import pytest

from bench import formats
from citetui.ingest import import_files
from citetui.store import Library
from tests.conftest import SAMPLE
from tests.libdump import dump

N = 240
REAL = Path(__file__).resolve().parents[2] / "shared" / "data" / "real"


def _halves(items: list) -> tuple[list, list]:
    cut = (len(items) + 1) // 2
    return items[:cut], items[cut:]


def _split_lines(path: Path, a: Path, b: Path) -> None:
    lines = path.read_text(encoding="utf-8").splitlines(keepends=True)
    head: list[str] = []
    if lines and '"citetui-records"' in lines[0]:  # the header, then the hubs, in both halves
        head = [lines[0]] + [ln for ln in lines[1:] if '"hub":' in ln and '"cites"' not in ln]
        lines = [ln for ln in lines[1:] if ln not in head]
    first, second = _halves(lines)
    (a / path.name).write_text("".join(head + first), encoding="utf-8")
    (b / path.name).write_text("".join(head + second), encoding="utf-8")


def _split_bundle(doc: dict) -> tuple[dict, dict]:
    """Two bundles, each with half the citations and the papers they name (the hub in both)."""
    papers = {p["key"]: p for p in doc.get("papers", [])}
    rest = {k: v for k, v in doc.items() if k not in ("papers", "citations")}
    named = {k for k in _strings(rest) if k in papers}  # the hub, its representatives...
    out = []
    for cites in _halves(doc.get("citations", [])):
        keys = named | {c[k] for c in cites for k in ("citing", "cited")}
        part = {k: v for k, v in doc.items() if k not in ("papers", "citations", "annotations")}
        part["papers"] = [p for k, p in papers.items() if k in keys]
        part["citations"] = cites
        out.append(part)
    return out[0], out[1]


def _strings(value: object) -> set[str]:
    if isinstance(value, str):
        return {value}
    if isinstance(value, dict):
        value = list(value.values())
    if isinstance(value, list):
        return set().union(*(_strings(v) for v in value)) if value else set()
    return set()


def split(files: list[Path], a: Path, b: Path) -> tuple[list[Path], list[Path]]:
    """Each file cut in two: its first half in ``a``, its second in ``b`` (same names)."""
    a.mkdir(parents=True, exist_ok=True)
    b.mkdir(parents=True, exist_ok=True)
    for path in files:
        if path.suffix == ".jsonl":
            _split_lines(path, a, b)
            continue
        doc = json.loads(path.read_text(encoding="utf-8"))
        if isinstance(doc, list):
            parts: tuple = _halves(doc)
        elif doc.get("format") == "citetui-bundle":
            parts = _split_bundle(doc)
        else:  # an API page: {"offset", "next", "data": [...]}, {"meta", "results": [...]}
            # (one record: its embedded citations, references or referenced works)
            lists = ("data", "results", "citations", "references", "referenced_works")
            key = next((k for k in lists if isinstance(doc.get(k), list)), None)
            if key is None:
                pytest.skip(f"{path.name} holds one record and no list: nothing to split")
            first, second = _halves(doc[key])
            parts = ({**doc, key: first}, {**doc, key: second})
        for where, part in zip((a, b), parts, strict=True):
            (where / path.name).write_text(json.dumps(part, ensure_ascii=False), encoding="utf-8")
    return [a / p.name for p in files], [b / p.name for p in files]


def _library(path: Path) -> Library:
    """A library shaped like the default one: the sample in it, WAL."""
    lib = Library(path, create=True)
    import_files(lib, [SAMPLE])
    return lib


def _same_whole_and_halves(files: list[Path], tmp: Path) -> None:
    whole = _library(tmp / "whole.db")
    import_files(whole, files)
    first, second = split(files, tmp / "a", tmp / "b")
    halves = _library(tmp / "halves.db")
    import_files(halves, first)
    import_files(halves, second)
    got, want = dump(halves), dump(whole)
    assert got.keys() == want.keys()
    for table in want:
        assert got[table] == want[table], table
    assert len(want["papers"]) > 20  # the files held something to compare


@pytest.mark.parametrize("fmt", [*formats.FORMATS, "bundle"])
def test_a_file_split_in_two_imports_as_the_whole(fmt, tmp_path):
    files = [SAMPLE] if fmt == "bundle" else formats.generate(fmt, N, tmp_path / "gen", seed=3)
    _same_whole_and_halves(sorted(files), tmp_path)


REAL_FILES = sorted(p for p in REAL.glob("**/*") if p.suffix in (".json", ".jsonl"))


@pytest.mark.skipif(not REAL_FILES, reason=f"the shared real samples are not at {REAL}")
@pytest.mark.parametrize("name", [p.relative_to(REAL).as_posix() for p in REAL_FILES])
def test_a_real_file_split_in_two_imports_as_the_whole(name, tmp_path):
    path = REAL / name
    try:
        probe = Library(tmp_path / "probe.db", create=True)
        import_files(probe, [path])
    except Exception as exc:  # not a format citetui reads on its own (a README, a fragment)
        pytest.skip(f"{name} does not import alone: {exc}")
    src = tmp_path / "src"
    src.mkdir()
    shutil.copy(path, src / path.name)
    _same_whole_and_halves([src / path.name], tmp_path)
