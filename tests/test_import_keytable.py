"""The key table of a big import (citetui.store.identity): sized by what the input brings.

Its first size comes from the input's size alone, which is off by 4x either way between
formats; once 1% of the input is written it is sized again by the keys that part brought,
so an OpenAlex snapshot does not hold 180 MB of empty slots at a million works, and a
records file does not grow the table twice (a growth holds the old and new arrays of a
part at once).
"""

from __future__ import annotations

import random

from citetui.ingest import import_files
from citetui.store import Library
from citetui.store.identity import KeyTable, MemoryIdentity
from tests.conftest import SAMPLE


def test_a_resized_table_keeps_every_pair():
    r = random.Random(4)
    table = KeyTable(1 << 16)
    pairs = {(r.getrandbits(63) or 1, r.randrange(1, 10**6)) for _ in range(30_000)}
    for h, pid in pairs:
        table.add(h, pid)
    gone = list(pairs)[:100]
    for h, pid in gone:
        table.remove(h, pid)
    for capacity in (200_000, 44_000, 10):  # bigger, smaller, smaller than they need
        table.resize(capacity)
        assert table.cap >= table.n / KeyTable.LOAD
        for h, pid in pairs:
            assert (pid in table.get(h)) == ((h, pid) not in gone)


def _identity(tmp_path, expected_keys: int) -> MemoryIdentity:
    lib = Library(tmp_path / "lib.db", create=True)
    import_files(lib, [SAMPLE])
    return MemoryIdentity(lib.conn, expected_keys)


def test_an_oversized_table_shrinks_to_what_the_input_brings(tmp_path):
    ident = _identity(tmp_path, expected_keys=10_000_000)
    big = ident.table.cap
    share = 0.0
    ident.read_share = lambda: share
    ident.note(ident.next_pid(), range(1, 20_001))
    ident.batch_done()  # no share read yet: it waits
    assert ident.table.cap == big
    share = 0.02  # 20,000 keys in 2% of the input: about a million in all
    ident.batch_done()
    assert 1_000_000 / KeyTable.LOAD < ident.table.cap < big / 4
    assert ident.by_ids([((), None, [7], 0)]) == [[ident.first_new]]
    share = 0.5
    ident.batch_done()  # once only
    assert ident.table.cap < big / 4


def test_an_undersized_table_grows_once_to_what_the_input_brings(tmp_path):
    ident = _identity(tmp_path, expected_keys=1_000)
    share = 0.05
    ident.read_share = lambda: share
    for pid in range(1, 2_001):
        ident.note(pid, [pid * 7919 + k for k in range(5)])
    ident.batch_done()  # 10,000 keys in 5%: about 200,000 in all
    assert ident.table.cap >= 200_000 / KeyTable.LOAD
    assert ident.by_titles([((), None, [], 7919 * 3)]) == [[3]]


def test_a_full_part_grows_alone_and_keeps_its_pairs():
    """Growing one part at a time: the import never holds two whole tables at once."""
    table = KeyTable(64 * 100)
    caps = [part[2] for part in table.parts]
    pairs = [((k << 6) | 5, k) for k in range(1, 200)]  # all in part 5
    for h, pid in pairs:
        table.add(h, pid)
    grown = [i for i, part in enumerate(table.parts) if part[2] != caps[i]]
    assert grown == [5]
    assert table.parts[5][3] <= KeyTable.LOAD * table.parts[5][2]
    for h, pid in pairs:
        assert table.get(h) == [pid]
    assert table.get((7 << 6) | 6) == []
