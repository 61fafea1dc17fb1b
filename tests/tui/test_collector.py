"""Full garbage collections wait for a pause in the input (citetui.tui.support.collector)."""

from __future__ import annotations

import gc
import weakref

import pytest

from citetui.store import Library
from citetui.tui.support.collector import NEVER, YOUNG_BOUND, IdleCollector
from tests.tui.helpers import settle


class Clock:
    def __init__(self) -> None:
        self.now = 100.0

    def __call__(self) -> float:
        return self.now


class Node:
    """An object in a reference cycle: only the cyclic collector frees it."""

    def __init__(self) -> None:
        self.me = self


def _full_collections() -> int:
    return gc.get_stats()[2]["collections"]


def _middle_collections() -> int:
    return gc.get_stats()[1]["collections"]


@pytest.fixture
def collector():
    if not gc.isenabled():
        pytest.skip("the garbage collector is off in this process")
    gc.collect()
    clock = Clock()
    c = IdleCollector(idle=1.0, clock=clock)
    c.start()
    yield c, clock
    c.stop()


def test_python_runs_no_full_collection_while_it_runs(collector):
    c, _ = collector
    before = _full_collections()
    # objects that stay: by default, enough of them aging for several full collections
    kept = [Node() for _ in range(300_000)]
    assert _full_collections() == before
    del kept
    assert gc.get_stats()[1]["collections"] > 0


def test_python_collects_only_the_youngest_generation_itself(collector):
    """What a few keys draw and keep reaches the middle generation; Python's own
    collection of it (every tenth young one) cost up to 19 ms inside a key."""
    c, _ = collector
    before = _middle_collections()
    kept = [Node() for _ in range(50_000)]  # some 70 young collections' worth
    assert _middle_collections() == before
    assert gc.get_count()[1] > 10
    node = Node()
    gone = weakref.ref(node)
    kept.append([Node() for _ in range(2_000)])  # in use, it moves to the middle one
    del node
    kept.append([Node() for _ in range(2_000)])  # young collections pass it by
    assert gone() is not None
    assert c.collect_young()
    assert gone() is None
    assert _middle_collections() == before + 1
    assert gc.get_count()[1] == 0
    assert not c.collect_young()  # nothing reached it since
    del kept


def test_the_timer_bounds_the_middle_generation_while_input_goes_on(collector):
    c, clock = collector
    c.collect_young()
    before = _middle_collections()
    kept = []
    for _ in range(YOUNG_BOUND * 10):  # bounded: with Python's own thresholds it never gets there
        if gc.get_count()[1] >= YOUNG_BOUND:
            break
        kept.append([Node() for _ in range(1_000)])
    assert gc.get_count()[1] >= YOUNG_BOUND
    c.input_seen()  # no pause: no full collection, but the middle one is collected
    assert not c.tick()
    assert _middle_collections() == before + 1
    del kept


def test_a_pause_in_the_input_runs_one_and_frees_the_cycles(collector):
    c, clock = collector
    node = Node()
    gone = weakref.ref(node)
    kept = [Node() for _ in range(300_000)]  # the node ages past the young ones, in use
    c.collect_young()  # as after a key: it moves to the oldest generation
    del node  # now garbage, in the oldest generation: the young collections skip it
    kept += [Node() for _ in range(300_000)]
    assert gone() is not None
    c.input_seen()
    clock.now += 0.5
    assert not c.tick()  # still typing
    assert gone() is not None
    clock.now += 0.6
    before = _full_collections()
    assert c.tick()
    assert gone() is None
    assert _full_collections() == before + 1
    assert not c.tick()  # nothing aged since: no second one


def test_stop_gives_python_its_thresholds_back():
    saved = gc.get_threshold()
    c = IdleCollector()
    c.start()
    assert gc.get_threshold() == (saved[0], NEVER, NEVER)
    c.stop()
    assert gc.get_threshold() == saved
    assert not c.due()


async def test_the_app_collects_in_pauses_while_it_runs(tui_lib, make_app):
    saved = gc.get_threshold()
    app = make_app(tui_lib if isinstance(tui_lib, Library) else Library(tui_lib))
    async with app.run_test(size=(120, 40)) as pilot:
        await settle(pilot)
        assert app.collector.running
        assert gc.get_threshold()[2] == NEVER
        seen = app.collector.last_input
        await pilot.press("down")
        assert app.collector.last_input > seen
        # a key's leftovers in the middle generation are collected just after its paint
        kept = [Node() for _ in range(20_000)]
        assert gc.get_count()[1] > 0
        before = _middle_collections()
        await pilot.press("down")
        await pilot.pause(0.1)
        assert _middle_collections() > before
        del kept
    assert gc.get_threshold() == saved
    assert not app.collector.running
