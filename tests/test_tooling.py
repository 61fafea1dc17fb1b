"""The lines the codebase holds, held by tools: ruff, ruff format, mypy and the
import-linter contracts (pyproject.toml) all pass; only the store runs SQL on the
library; every command is documented in the README."""

from __future__ import annotations

import re
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from citetui.cli import cli

REPO = Path(__file__).resolve().parents[1]
CODE = ["citetui", "tests", "bench", "tools"]


def _tool(name: str) -> str:
    """The tool installed beside this Python (the test extras install them)."""
    path = Path(sys.executable).with_name(name)
    found = str(path) if path.exists() else shutil.which(name)
    assert found, f"{name} is not installed: pip install -e '.[test]'"
    return found


def _run(*cmd: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(cmd, cwd=REPO, capture_output=True, text=True, timeout=600)


def test_ruff_finds_nothing():
    run = _run(_tool("ruff"), "check", *CODE)
    assert run.returncode == 0, run.stdout + run.stderr


def test_ruff_format_would_change_nothing():
    run = _run(_tool("ruff"), "format", "--check", *CODE)
    assert run.returncode == 0, run.stdout + run.stderr


def test_the_import_contracts_hold():
    run = _run(_tool("lint-imports"))
    assert run.returncode == 0, run.stdout + run.stderr


def test_mypy_finds_nothing():
    run = _run(_tool("mypy"))
    assert run.returncode == 0, run.stdout + run.stderr


# Outside citetui/store, code reaches the library only through Library's methods. The
# one exception is the Semantic Scholar bulk reader's DuckDB scan of the input files
# (never the library).
SQL_OUTSIDE_STORE = re.compile(r"\.conn\b|\bsqlite3\.connect\b|\.execute(many)?\(")
DUCKDB_SCAN = REPO / "citetui" / "ingest" / "formats" / "s2_bulk.py"


def test_only_the_store_runs_sql():
    offenders = []
    for path in sorted((REPO / "citetui").rglob("*.py")):
        if "store" in path.relative_to(REPO / "citetui").parts or path == DUCKDB_SCAN:
            continue
        for no, line in enumerate(path.read_text().splitlines(), 1):
            if SQL_OUTSIDE_STORE.search(line):
                offenders.append(f"{path.relative_to(REPO)}:{no}: {line.strip()}")
    assert offenders == []


def _commands(group, prefix: str = "") -> list[str]:
    out = []
    for name, command in sorted(group.commands.items()):
        out.append(prefix + name)
        if hasattr(command, "commands"):
            out += _commands(command, f"{prefix}{name} ")
    return out


@pytest.mark.parametrize("command", _commands(cli))
def test_every_command_is_documented_in_the_readme(command):
    readme = (REPO / "README.md").read_text()
    assert f"citetui {command}" in readme, f"README.md does not document `citetui {command}`"
