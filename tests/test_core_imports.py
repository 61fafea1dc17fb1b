"""The core never imports Textual: each core module is imported alone in a fresh interpreter."""

from __future__ import annotations

import pkgutil
import subprocess
import sys

import pytest

import citetui

CORE = sorted(
    m.name
    for m in pkgutil.walk_packages(citetui.__path__, "citetui.")
    if not m.name.startswith("citetui.tui") and m.name != "citetui.__main__"
)


def test_core_modules_are_found():
    assert {"citetui.store", "citetui.search", "citetui.cli", "citetui.ingest"} <= set(CORE)


@pytest.mark.parametrize("module", CORE)
def test_core_module_does_not_import_textual(module):
    code = (
        f"import sys, importlib; importlib.import_module({module!r}); "
        "bad = sorted(m for m in sys.modules if m == 'textual' or m.startswith('textual.')); "
        "print(bad); sys.exit(1 if bad else 0)"
    )
    proc = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True)
    assert proc.returncode == 0, f"{module} imports Textual: {proc.stdout}{proc.stderr}"
