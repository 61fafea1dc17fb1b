"""The personal layer in the browser: status, star, tags and notes from the hub and paper
pages, the marks in the explorer, the status counts in the hub header, and the jumps."""

from __future__ import annotations

from citetui.core.vocab import next_status
from citetui.tui.modals.personal import NoteModal, TagModal
from citetui.tui.screens.hub import HubScreen
from citetui.tui.screens.paper import PaperScreen
from tests.tui.helpers import hub_id, list_text, paper_id, screen_text, settle
from tests.tui.synthetic import HUB


def test_status_cycles_through_every_status():
    assert [next_status(s) for s in (None, "unread", "skimmed", "read", "key")] == [
        "skimmed",
        "skimmed",
        "read",
        "key",
        "unread",
    ]


async def open_hub(app, pilot, lib) -> HubScreen:
    await settle(pilot)
    app.open_hub(hub_id(lib, HUB))
    await settle(pilot)
    screen = app.screen
    assert isinstance(screen, HubScreen)
    screen.set_focus(screen.explorer.rows)
    await settle(pilot)
    return screen


async def test_status_star_tag_and_note_from_the_explorer(tui_lib, make_app):
    app = make_app(tui_lib)
    async with app.run_test(size=(160, 45)) as pilot:
        screen = await open_hub(app, pilot, tui_lib)
        assert "your reading: unread " in screen_text(app)
        first = screen.explorer.rows.current
        pid = first.paper_id
        assert "★" not in list_text(screen.explorer.rows)

        await pilot.press("u", "u")
        await settle(pilot)
        await pilot.press("asterisk")
        await settle(pilot)
        ann = tui_lib.annotation(pid)
        assert ann.status == "read" and ann.starred
        assert tui_lib.status_counts(hub_id(tui_lib, HUB))["read"] == 1
        assert "read 1 · key 0" in screen_text(app)
        first_line = list_text(screen.explorer.rows).splitlines()[0]
        assert first_line.startswith(" ★r  ") and first.title[:10] in first_line

        await pilot.press("t")
        await settle(pilot)
        assert isinstance(app.screen, TagModal)
        await pilot.press(*"to-check", "enter")
        await settle(pilot)
        assert tui_lib.annotation(pid).tags == ("to-check",)
        await pilot.press("t", "minus", *"to-check", "enter")  # a leading - removes it
        await settle(pilot)
        assert tui_lib.annotation(pid).tags == ()

        await pilot.press("n")
        await settle(pilot)
        assert isinstance(app.screen, NoteModal)
        await pilot.press(*"breaks [b]the[/b] law", "enter", *"second line")
        await pilot.press("ctrl+s")
        await settle(pilot)
        assert tui_lib.annotation(pid).note == "breaks [b]the[/b] law\nsecond line"
        await pilot.press("n")
        await settle(pilot)
        await pilot.press("x", "escape")  # escape cancels: the note is unchanged
        await settle(pilot)
        assert app.screen is screen
        assert tui_lib.annotation(pid).note == "breaks [b]the[/b] law\nsecond line"


async def test_keys_act_on_the_hub_outside_the_lists(tui_lib, make_app):
    app = make_app(tui_lib)
    async with app.run_test(size=(160, 45)) as pilot:
        screen = await open_hub(app, pilot, tui_lib)
        screen.set_focus(None)
        await pilot.press("asterisk")
        await settle(pilot)
        assert tui_lib.annotation(hub_id(tui_lib, HUB)).starred


async def test_jump_to_the_next_unread_critical_and_key_paper(tui_lib, make_app):
    app = make_app(tui_lib)
    async with app.run_test(size=(160, 45)) as pilot:
        screen = await open_hub(app, pilot, tui_lib)
        rows = screen.explorer.rows
        pager = rows.pager
        order = [pager.get(i) for i in range(pager.total)]
        critical = [i for i, r in enumerate(order) if r.polarity == "critical"]
        assert len(critical) >= 2
        # Mark the first critical citation read: the jump skips it.
        tui_lib.set_status(order[critical[0]].paper_id, "read")
        await pilot.press("x")
        await settle(pilot)
        assert rows.cursor == critical[1]
        await pilot.press("x")
        await settle(pilot)
        assert rows.cursor == critical[1] or rows.cursor in critical[2:]
        # A key paper further down.
        target = len(order) - 1
        tui_lib.set_status(order[target].paper_id, "key")
        rows.move_cursor(0)
        await pilot.press("K")
        await settle(pilot)
        assert rows.cursor == target
        await pilot.press("K")  # none below: the cursor stays
        await settle(pilot)
        assert rows.cursor == target


async def test_paper_page_sets_and_shows_the_personal_layer(tui_lib, make_app):
    app = make_app(tui_lib)
    pid = paper_id(tui_lib, "Widget Scaling Revisited")
    async with app.run_test(size=(160, 45)) as pilot:
        await settle(pilot)
        app.open_paper(pid, hub_id(tui_lib, HUB))
        await settle(pilot)
        assert isinstance(app.screen, PaperScreen)
        assert "yours: unread" in screen_text(app)
        await pilot.press("u", "u", "u")
        await settle(pilot)
        await pilot.press("asterisk")
        await settle(pilot)
        await pilot.press("t", *"scaling", "enter")
        await settle(pilot)
        ann = tui_lib.annotation(pid)
        assert (ann.status, ann.starred, ann.tags) == ("key", True, ("scaling",))
        assert "yours: key · starred · tags: scaling" in screen_text(app)
        await pilot.press("n", *"see fig 3", "ctrl+s")
        await settle(pilot)
        assert tui_lib.annotation(pid).note == "see fig 3"
        assert "see fig 3" in screen_text(app)
        # Back on the hub, the counts and the marks show it.
        await pilot.press("escape")
        await settle(pilot)
        app.open_hub(hub_id(tui_lib, HUB))
        await settle(pilot)
        assert "key 1" in screen_text(app)
        assert "★K" in list_text(app.screen.explorer.rows)


async def test_label_override_on_the_paper_page_recomputes_the_hub(tui_lib, make_app):
    from textual.widgets import RadioSet, SelectionList

    from citetui.tui.modals.labels import LabelModal

    app = make_app(tui_lib)
    hub = hub_id(tui_lib, HUB)
    pid = paper_id(tui_lib, "Widget Scaling Revisited")
    before = {b.label: b.count for b in tui_lib.hub_page(hub).role_summary.bars}
    async with app.run_test(size=(160, 45)) as pilot:
        screen = await open_hub(app, pilot, tui_lib)
        app.open_paper(pid, hub)
        await settle(pilot)
        assert "role: comparison, method · polarity: critical · " in screen_text(app)
        await pilot.press("l")  # the cursor is on the hub it came from
        await settle(pilot)
        modal = app.screen
        assert isinstance(modal, LabelModal)
        assert set(modal.query_one(SelectionList).selected) == {"method", "comparison"}
        await pilot.press("space")  # background, the first role, toggled on
        await pilot.press("tab")
        radio = modal.query_one(RadioSet)
        assert radio.has_focus
        # The highlight starts on "(none)": "supportive" is the next one.
        await pilot.press("down", "enter")
        await pilot.press("ctrl+s")
        await settle(pilot)
        citation = tui_lib.citation(pid, hub)
        assert set(citation.roles) == {"background", "comparison", "method"}
        assert citation.polarity == "supportive"
        assert "role: background, comparison, method (you) · polarity: supportive (you)" in (
            screen_text(app)
        )
        # Back on the hub page the summaries were read again.
        await pilot.press("escape")
        await settle(pilot)
        assert app.screen is screen
        after = {b.label: b.count for b in screen.page.role_summary.bars}
        assert after.get("background", 0) == before.get("background", 0) + 1
        # Escape in the dialog changes nothing.
        app.open_paper(pid, hub)
        await settle(pilot)
        await pilot.press("l", "space", "escape")
        await settle(pilot)
        assert tui_lib.citation(pid, hub).polarity == "supportive"
        assert {o.kind for o in tui_lib.label_overrides()} == {"role", "polarity"}


async def test_the_first_label_override_of_a_hub_shows_the_label_columns(tui_lib, make_app):
    """The PPO sample has no per-citation labels, so its explorer hides the role and
    polarity columns; after the user labels one citation they appear on coming back."""

    app = make_app(tui_lib)
    ppo = hub_id(tui_lib, "Proximal Policy Optimization Algorithms")
    pid = paper_id(tui_lib, "Weak-to-Strong Generalization is Nearly Inevitable")
    async with app.run_test(size=(160, 45)) as pilot:
        await settle(pilot)
        app.open_hub(ppo)
        await settle(pilot)
        screen = app.screen
        assert screen.explorer.rows.show_labels is False
        app.open_paper(pid, ppo)
        await settle(pilot)
        tui_lib.override_label(pid, ppo, "role", ["method"])  # what the l dialog saves
        app.labels_changed += 1
        await pilot.press("escape")
        await settle(pilot)
        assert app.screen is screen and screen.explorer.rows.show_labels is True
        assert "method" in list_text(screen.explorer.rows)


async def test_the_note_editor_shows_escapes_as_symbols_and_saves_what_it_showed(tui_lib, make_app):
    """A note from someone's bundle may hold escape sequences: the editor shows them as
    symbols (␛, ␇), never sends them to the terminal, and saves the text it showed."""
    from tests.tui.test_hostile_render import assert_nothing_interpreted

    app = make_app(tui_lib)
    async with app.run_test(size=(160, 45)) as pilot:
        screen = await open_hub(app, pilot, tui_lib)
        pid = screen.explorer.rows.current.paper_id
        tui_lib.set_note(pid, "x\x1b]0;PWNED\x07\x1b[2J y")
        await pilot.press("n")
        await settle(pilot)
        assert isinstance(app.screen, NoteModal)
        area = app.screen.query_one("#note-area")
        assert area.text == "x␛]0;PWNED␇␛[2J y"
        assert_nothing_interpreted(app)
        await pilot.press("ctrl+s")
        await settle(pilot)
        assert tui_lib.annotation(pid).note == "x␛]0;PWNED␇␛[2J y"


async def test_an_emptied_note_is_removed(tui_lib, make_app):
    app = make_app(tui_lib)
    async with app.run_test(size=(160, 45)) as pilot:
        screen = await open_hub(app, pilot, tui_lib)
        pid = screen.explorer.rows.current.paper_id
        tui_lib.set_note(pid, "old")
        await pilot.press("n")
        await settle(pilot)
        await pilot.press("end", "backspace", "backspace", "backspace", "ctrl+s")
        await settle(pilot)
        assert tui_lib.annotation(pid).note is None


async def test_an_editor_that_saves_latin_1_keeps_the_text(
    tui_lib, make_app, tmp_path, monkeypatch
):
    """$EDITOR may save another encoding: the note keeps the text, with U+FFFD for what is
    not UTF-8, instead of a UnicodeDecodeError and the edit lost."""
    import contextlib

    editor = tmp_path / "editor.sh"
    editor.write_text("#!/bin/sh\nprintf 'caf\\351 cr\\350me' > \"$1\"\n")
    editor.chmod(0o755)
    monkeypatch.setenv("VISUAL", str(editor))
    app = make_app(tui_lib)
    monkeypatch.setattr(app, "suspend", contextlib.nullcontext)  # no terminal to give up
    async with app.run_test(size=(160, 45)) as pilot:
        screen = await open_hub(app, pilot, tui_lib)
        pid = screen.explorer.rows.current.paper_id
        await pilot.press("e")
        await settle(pilot)
        assert tui_lib.annotation(pid).note == "caf\ufffd cr\ufffdme"
        assert app.return_code is None
