"""The browser's pure parts: paging, history, drill-down queries, settings, help rows."""

from __future__ import annotations

import json

import pytest
from textual.binding import Binding

from citetui.tui.navigation import History, Location
from citetui.tui.screens.help import key_rows
from citetui.tui.settings import Settings
from citetui.tui.support.drill import drill
from citetui.tui.support.paging import Pager


def test_pager_keeps_pages_and_reads_the_missing_ones():
    reads: list[tuple[int, int]] = []

    def fetch(offset: int, limit: int) -> list[int]:
        reads.append((offset, limit))
        return list(range(offset, min(offset + limit, 1000)))

    pager = Pager(1000, fetch, first=range(100), page_size=100, max_pages=3)
    assert pager.get(5) == 5 and pager.get(150) is None and pager.get(1000) is None
    assert pager.missing(90, 260) == [1, 2]
    pager.pending.add(1)
    assert pager.missing(90, 260) == [2]
    pager.store(1, pager.fetch(1))
    assert reads == [(100, 100)] and pager.get(150) == 150 and not pager.pending
    for page in (2, 3):
        pager.store(page, pager.fetch(page))
    assert pager.get(5) is None  # the least recently used page was dropped
    assert pager.missing(0, 10) == [0]
    assert Pager.of(["a", "b"]).missing(0, 2) == [] and Pager.of(["a", "b"]).get(1) == "b"


def test_history_back_forward_and_visit():
    h = History()
    assert h.current is None and not h.can_back and h.back() is None
    h.visit(Location("hub", 1))
    h.visit(Location("paper", 2, hub_id=1))
    assert h.current.id == 2 and h.can_back
    assert h.back().id == 2 and h.current.id == 1
    assert h.can_forward and h.forward().id == 2 and not h.can_forward
    h.back()
    h.visit(Location("hub", 3))
    assert [loc.id for loc in h.entries] == [1, 3] and not h.can_forward
    assert h.home() == 2 and h.current is None and h.forward().id == 1


@pytest.mark.parametrize(
    ("before", "kind", "value", "after"),
    [
        ("", "role", "method", "role:method"),
        ("weak strong", "role", "method", "weak strong role:method"),
        ("role:method", "role", "method", ""),
        ("role:method", "role", "critique", "role:critique"),
        ("role:method", "polarity", "critical", "role:method pol:critical"),
        ("role:method pol:critical", "polarity", "critical", "role:method"),
        ("'exact !not", "claim", 2, "'exact !not claim:2"),
        ("claim:2", "claim", 2, ""),
        ("role:bogus", "claim", 1, "claim:1"),  # a broken query is replaced
    ],
)
def test_drill(before, kind, value, after):
    assert drill(before, kind, value) == after


def test_settings_round_trip_and_bad_files(tmp_path):
    path = tmp_path / "sub" / "tui.json"
    s = Settings.load(path)
    assert s.theme == "textual-dark" and s.keymap == {} and s.problem is None
    s.theme = "nord"
    assert s.save() is None
    path.write_text(
        json.dumps({"theme": "nord", "keymap": {"hub.sort": "z", "bad": 3}, "other": 1})
    )
    s = Settings.load(path)
    assert s.keymap == {"hub.sort": "z"}
    s.theme = "gruvbox"
    s.save()
    assert json.loads(path.read_text())["other"] == 1  # keys we do not know are kept
    path.write_text("[1, 2]")
    assert "not a JSON object" in Settings.load(path).problem
    path.write_text("{")
    assert "ignored" in Settings.load(path).problem


def test_key_rows_merge_aliases_and_apply_the_keymap():
    bindings = [
        Binding("down", "cursor_down", "Down", show=False, id="list.down"),
        Binding("j", "cursor_down", "Down", show=False),
        Binding("s", "sort", "Sort", id="hub.sort"),
        Binding("ctrl+c", "quit", show=False),  # no description: not listed
    ]
    rows = key_rows(bindings, {"hub.sort": "z,x"}, lambda b: b.key)
    assert rows == [("down j", "Down", "list.down"), ("z x", "Sort", "hub.sort")]


def test_export_file_names(tmp_path):
    from citetui.tui.support.exporting import free_path, slug

    assert slug("Scaling Laws: A/B Widgets (2020)") == "scaling-laws-a-b-widgets-2020"
    assert slug("深層学習") == "hub"
    assert slug("[@click=app.quit]x[/]") == "click-app-quit-x"
    (tmp_path / "a.bib").write_text("")
    assert free_path(tmp_path, "a", ".bib").name == "a-2.bib"
    assert free_path(tmp_path, "b", ".bib").name == "b.bib"
