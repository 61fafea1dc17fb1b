"""The browser's side of "hub pages that tell the truth on real data": one verdict in the
header and the hub controls, counts instead of percentages, every explorer row saying
something, ids for missing titles, computed panes that say so, columns that fit the
data, citation statements, hubs made from what was imported, and the smaller things."""

from __future__ import annotations

from pathlib import Path

import pytest

from citetui.core.query import parse
from citetui.ingest import import_files
from citetui.search.resolver import resolve_hub
from citetui.store import Library
from citetui.tui.modals.labels import LabelModal
from citetui.tui.modals.personal import NoteModal, TagModal
from citetui.tui.screens.controls import ControlsScreen
from citetui.tui.screens.hub import HubScreen
from citetui.tui.screens.paper import PaperScreen
from citetui.tui.widgets.lists import BarList, PaperList
from tests.conftest import SAMPLE
from tests.realshapes import citations_page, paper_record
from tests.tui.helpers import list_text, paper_id, screen_text, settle

PPO = "Proximal Policy Optimization Algorithms"
DBN_DOI = "DOI:10.1162/neco.2006.18.7.1527"


def library(tmp_path: Path, name: str, *paths: Path, **options) -> Library:
    lib = Library(tmp_path / name, create=True)
    import_files(lib, list(paths), **options)
    return lib


@pytest.fixture
def sample(tmp_path):
    lib = library(tmp_path, "sample.db", SAMPLE)
    yield lib
    lib.close()


@pytest.fixture
def dbn(tmp_path, shared_real):
    page = shared_real / "s2" / "references_CorpusID49313245_page0.json"
    lib = library(tmp_path, "dbn.db", page, hub=DBN_DOI)
    yield lib
    lib.close()


@pytest.fixture
def turing(tmp_path, shared_real):
    """The reported Turing hub's shape: a /paper record of 1,000 citing papers, 774 with
    an abstract and none with a summary; untitled, as the real record is."""
    lib = library(tmp_path, "turing.db", paper_record(shared_real, tmp_path))
    yield lib
    lib.close()


async def open_hub(pilot, hub: int) -> HubScreen:
    await settle(pilot)
    pilot.app.open_hub(hub)
    await settle(pilot)
    assert isinstance(pilot.app.screen, HubScreen)
    return pilot.app.screen


def header(screen: HubScreen) -> str:
    return str(screen.query_one("#hub-header").render())


def toasts(app) -> list[str]:
    return [str(n.message) for n in app._notifications]


# -- 1. one verdict ------------------------------------------------------------------


async def test_a_label_made_in_the_browser_leaves_one_verdict(sample, make_app):
    app = make_app(sample)
    ppo = resolve_hub(sample, "ppo").paper.id
    relibra = paper_id(sample, "ReLibra: Routing-Replay-Guided Load Balancing")
    async with app.run_test(size=(160, 45)) as pilot:
        await settle(pilot)
        app.open_hub(ppo)
        await settle(pilot)
        hub_screen = app.screen
        app.open_paper(relibra, ppo)
        await settle(pilot)
        # l, Space (background), Tab to the polarity, down to critical, Enter, Ctrl+S
        await pilot.press("l")
        await settle(pilot)
        assert isinstance(app.screen, LabelModal)
        await pilot.press("space", "tab", "down", "down", "down", "enter", "ctrl+s")
        await settle(pilot)
        citation = sample.citation(relibra, ppo)
        assert citation.roles == ("background",) and citation.polarity == "critical"
        await pilot.press("escape")
        await settle(pilot)
        assert app.screen is hub_screen
        head = header(hub_screen)
        assert "Mixed citations (recorded by hub-page)" in head
        assert "computed: 1 of 66 citing papers labelled" in head
        assert "100%" not in head and "Contested" not in head
        polarity = list_text(hub_screen.query_one("#polarity", BarList))
        assert "critical" in polarity and "%" not in polarity
        await pilot.press("a")
        await settle(pilot)
        assert isinstance(app.screen, ControlsScreen)
        controls = screen_text(app)
        assert "The hub: Mixed citations (recorded by hub-page)" in controls
        assert "Contested" not in controls and "verdict holds" not in controls
        assert "no verdict to test" in controls


# -- 2. headlines from one citation ----------------------------------------------------


async def test_one_citing_paper_of_15204_is_said_so(dbn, make_app):
    app = make_app(dbn)
    hub = resolve_hub(dbn, DBN_DOI).paper.id
    async with app.run_test(size=(160, 45)) as pilot:
        screen = await open_hub(pilot, hub)
        head = header(screen)
        assert "mega hub (from its 15,204 citations) · 1 citing paper in the library" in head
        assert "computed: 1 of 1 citing paper labelled (15,204 citations known)" in head
        assert "100%" not in head
        assert "%" not in list_text(screen.query_one("#roles", BarList))
        caption = str(screen.query_one("#roles-caption").render())
        assert "computed from 1 labelled of 1 citing paper in the library" in caption


# -- 4. every row says something -----------------------------------------------------------


async def test_every_row_of_the_turing_hub_says_what_the_paper_is_about(turing, make_app):
    app = make_app(turing)
    hub = turing.hubs()[0].paper.id
    async with app.run_test(size=(160, 45)) as pilot:
        screen = await open_hub(pilot, hub)
        rows = screen.explorer.rows
        assert rows.total == 1000
        seen = 0
        for index in range(rows.pager.total):
            row = rows.pager.get(index)
            if row is None:
                continue
            second = rows.render_row(row, index, 1, 90).plain.strip()
            assert second and "no summary recorded" not in second
            if row.abstract:
                assert second.startswith("abstract: ")
                seen += 1
        assert seen >= 70  # the first page: 100 rows, most with an abstract
        shown = list_text(rows)
        assert "abstract: " in shown and "no summary recorded" not in shown


# -- 5. ids where there is no title ----------------------------------------------------


async def test_papers_known_by_an_id_are_shown_by_it(tmp_path, shared_real, make_app):
    page = shared_real / "s2" / "references_CorpusID49313245_page0.json"
    lib = library(tmp_path, "two.db", paper_record(shared_real, tmp_path))
    import_files(lib, [page], hub=DBN_DOI)
    app = make_app(lib)
    dbn_hub = resolve_hub(lib, DBN_DOI).paper.id
    async with app.run_test(size=(160, 45)) as pilot:
        await settle(pilot)
        assert "S2 14514057" in screen_text(app) and "(untitled)" not in screen_text(app)
        screen = await open_hub(pilot, dbn_hub)
        rows = screen.explorer.rows
        assert rows.current.label == "S2 49313245" and rows.current.title is None
        screen.set_focus(rows)
        await pilot.press("y")
        await settle(pilot)
        assert "copied id: S2 49313245" in toasts(app)
        await pilot.press("ctrl+p", *"compare with")
        await settle(pilot)
        await pilot.pause(0.3)
        assert "Compare with: S2 14514057" in screen_text(app)
        assert "(untitled)" not in screen_text(app)
    lib.close()


# -- 6. computed panes ---------------------------------------------------------------------


async def test_computed_panes_say_what_they_are_computed_from(dbn, sample, make_app):
    app = make_app(dbn)
    async with app.run_test(size=(160, 45)) as pilot:
        screen = await open_hub(pilot, resolve_hub(dbn, DBN_DOI).paper.id)
        caption = str(screen.query_one("#cocited-caption").render())
        assert caption == "computed from the references of 1 citing paper in the library"
        assert screen.query_one("#cocited", PaperList).total == 20
        assert "recorded" not in caption
    app = make_app(sample)
    async with app.run_test(size=(160, 45)) as pilot:
        screen = await open_hub(pilot, resolve_hub(sample, "ppo").paper.id)
        assert str(screen.query_one("#cocited-caption").render()) == (
            "computed: no citing paper's references are in the library"
        )


async def test_the_representatives_rule_is_one_line_with_more_behind_help(turing, make_app):
    app = make_app(turing)
    async with app.run_test(size=(160, 45)) as pilot:
        screen = await open_hub(pilot, turing.hubs()[0].paper.id)
        caption = screen.query_one("#representative-caption")
        assert str(caption.render()) == (
            "chosen by citetui: influential citations first, then the most cited; one "
            "version per paper (? for more)"
        )
        assert caption.region.height <= 2  # was five lines at 160x45
        assert "versions" in HubScreen.HELP and "arXiv DOI" in HubScreen.HELP


# -- 7. columns that fit the data ----------------------------------------------------------


async def test_the_explorer_never_claims_a_sort_the_rows_cannot_show(sample, turing, make_app):
    app = make_app(sample)
    async with app.run_test(size=(160, 45)) as pilot:
        screen = await open_hub(pilot, resolve_hub(sample, "ppo").paper.id)
        status = str(screen.query_one("#explorer-status").render())
        assert "sorted by year" not in status
        assert "no citing paper has a year: in library order" in status
        assert "year" not in screen.explorer.rows.cols.columns
    app = make_app(turing)
    async with app.run_test(size=(160, 45)) as pilot:
        screen = await open_hub(pilot, turing.hubs()[0].paper.id)
        await pilot.press("s")  # by citations, most first, with the counts on screen
        await settle(pilot)
        assert screen.explorer.sort == "citations"
        shown = list_text(screen.explorer.rows)
        assert "128,945" in shown and "Adam: A Method for Stochastic Optimization" in shown
        assert "cited ↓" in str(screen.query_one("#explorer-columns").render())
        await pilot.press("S")  # ascending: the least cited first, the unknown last
        await settle(pilot)
        rows = screen.explorer.rows
        first = [rows.pager.get(i).citation_count for i in range(5)]
        assert first == sorted(first) and None not in first
        assert "cited ↑" in str(screen.query_one("#explorer-columns").render())


async def test_one_label_does_not_cut_every_title(sample, make_app):
    app = make_app(sample)
    ppo = resolve_hub(sample, "ppo").paper.id
    weak = paper_id(sample, "Weak-to-Strong Generalization is Nearly Inevitable")
    async with app.run_test(size=(160, 45)) as pilot:
        screen = await open_hub(pilot, ppo)
        rows = screen.explorer.rows
        before = {
            rows.pager.get(i).paper_id: rows.render_row(rows.pager.get(i), i, 0, 90).plain
            for i in range(10)
        }
        sample.override_label(weak, ppo, "role", ["method"])
        app.labels_changed += 1
        app.open_paper(weak, ppo)
        await settle(pilot)
        await pilot.press("escape")
        await settle(pilot)
        after = {
            rows.pager.get(i).paper_id: rows.render_row(rows.pager.get(i), i, 0, 90).plain
            for i in range(10)
        }
        changed = [pid for pid in before if before[pid] != after[pid]]
        assert changed == [weak]  # only the labelled row shows (and makes room for) its role
        assert "method" in after[weak]


async def test_the_columns_are_chosen_per_hub_and_kept(turing, make_app):
    app = make_app(turing)
    hub = turing.hubs()[0].paper.id
    async with app.run_test(size=(160, 45)) as pilot:
        screen = await open_hub(pilot, hub)
        assert screen.explorer.rows.cols.columns == ("year", "venue", "citations")
        await pilot.press("C")
        await settle(pilot)
        await pilot.press("down", "space", "ctrl+s")  # venue off
        await settle(pilot)
        assert screen.explorer.rows.cols.columns == ("year", "citations")
        assert "venue" not in str(screen.query_one("#explorer-columns").render())
    assert turing.hub_columns(hub) == ("year", "citations")
    app = make_app(turing)
    async with app.run_test(size=(160, 45)) as pilot:
        screen = await open_hub(pilot, hub)
        assert screen.explorer.rows.cols.columns == ("year", "citations")


# -- citation statements -------------------------------------------------------------------


async def test_citation_statements_open_and_filter_by_role(tmp_path, shared_real, make_app):
    from citetui.tui.screens.statements import StatementsScreen

    lib = library(tmp_path, "c.db", citations_page(shared_real, tmp_path))
    hub = lib.hubs()[0].paper.id
    app = make_app(lib)
    async with app.run_test(size=(160, 45)) as pilot:
        screen = await open_hub(pilot, hub)
        caption = str(screen.query_one("#statements-caption").render())
        assert caption.startswith("716 statements from 449 citing papers")
        await pilot.press("i")
        await settle(pilot)
        assert isinstance(app.screen, StatementsScreen)
        assert "716 statements from 449 citing papers" in screen_text(app)
        await pilot.press("slash", *"role:method")
        await settle(pilot)
        statements = app.screen
        rows = statements.rows
        n, _ = lib.count_statements(hub, parse("role:method"))
        assert rows.total == n
        assert f"{n:,} of 716 statements match role:method" in screen_text(app)
        for i in range(min(rows.total, 20)):
            assert "method" in rows.pager.get(i).roles
        await pilot.press("enter", "enter")  # to the list, then open the citing paper
        await settle(pilot)
        assert isinstance(app.screen, PaperScreen)
        await pilot.press("escape")
        await settle(pilot)
        assert app.screen is statements
        await pilot.press("escape")
        await settle(pilot)
        assert app.screen is screen
        # from a role bar, already filtered to it
        await pilot.press("2")
        bar = screen.query_one("#roles", BarList).current.label
        await pilot.press("i")
        await settle(pilot)
        assert app.screen.query_text == f"role:{bar}"
    lib.close()


# -- 8. hubs from what was imported ------------------------------------------------------


async def test_h_makes_an_imported_paper_a_hub(tmp_path, shared_real, make_app):
    lib = library(tmp_path, "oa2.db", shared_real / "openalex" / "referenced_works.json")
    assert lib.hubs() == []
    paper = lib.find_paper_by_id("W2153579005")
    app = make_app(lib)
    async with app.run_test(size=(120, 40)) as pilot:
        await settle(pilot)
        assert "or h on a paper's page (Ctrl+P)" in screen_text(app)
        app.open_paper(paper.id)
        await settle(pilot)
        assert "cited by 4 papers in this library" in screen_text(app)
        assert "press h to make it a hub" in screen_text(app)
        await pilot.press("h")
        await settle(pilot)
        assert isinstance(app.screen, HubScreen) and app.screen.hub_id == paper.id
        assert any(t.startswith("made a hub:") for t in toasts(app))
        assert "a Controls" in screen_text(app)  # the footer names the hub controls
    assert [h.paper.id for h in lib.hubs()] == [paper.id]
    lib.close()


# -- the smaller things --------------------------------------------------------------------


async def test_palette_finds_history_and_views_by_their_labels(sample, make_app):
    ppo = resolve_hub(sample, "ppo").paper.id
    sample.remember_query("policy gradient", ppo)
    sample.save_view("crit", "pol:critical", hub_id=ppo)
    app = make_app(sample)
    async with app.run_test(size=(160, 45)) as pilot:
        await open_hub(pilot, ppo)
        for typed in ("again", "history"):
            await pilot.press("ctrl+p", *typed)
            await settle(pilot)
            await pilot.pause(0.3)
            assert "Search again: policy gradient" in screen_text(app), typed
            await pilot.press("escape")
            await settle(pilot)
        await pilot.press("ctrl+p", *"view")
        await settle(pilot)
        await pilot.pause(0.3)
        text = screen_text(app)
        assert text.index("View: crit") < text.index("Export current view")


async def test_dialogs_name_their_paper_and_are_centred(sample, make_app):
    app = make_app(sample)
    ppo = resolve_hub(sample, "ppo").paper.id
    async with app.run_test(size=(160, 45)) as pilot:
        screen = await open_hub(pilot, ppo)
        title = screen.explorer.rows.current.label
        screen.set_focus(screen.explorer.rows)
        for key, modal in (("t", TagModal), ("n", NoteModal)):
            await pilot.press(key)
            await settle(pilot)
            assert isinstance(app.screen, modal)
            assert title[:40] in screen_text(app)
            box = app.screen.query_one("#personal-dialog").region
            assert abs(box.x - (160 - box.right)) <= 1  # centred
            await pilot.press("escape")
            await settle(pilot)
        app.open_paper(paper_id(sample, title), ppo)
        await settle(pilot)
        await pilot.press("l")
        await settle(pilot)
        box = app.screen.query_one("#personal-dialog").region
        assert box.x > 0 and abs(box.x - (160 - box.right)) <= 1


async def test_bar_counts_keep_a_space_before_the_border(tmp_path, shared_real, make_app):
    lib = library(tmp_path, "c.db", citations_page(shared_real, tmp_path))
    app = make_app(lib)
    async with app.run_test(size=(160, 45)) as pilot:
        screen = await open_hub(pilot, lib.hubs()[0].paper.id)
        for line in list_text(screen.query_one("#roles", BarList)).splitlines():
            if line.strip():
                assert line.endswith(" "), line
    lib.close()
