"""A process reads the library (hubs, hub pages, paged rows, search, stats) while
another imports into it: no read fails or waits for the import, and the reader sees
the new papers as each import commits (WAL)."""

from __future__ import annotations

from bench import reliability as rel


def test_reading_while_another_process_imports(tmp_path):
    result = rel.concurrent_reads(tmp_path, imports=3, papers=1500)
    assert result.errors == []
    assert result.import_errors == 0
    assert result.reads >= 10
    # The reader saw the library before the imports and after at least one of them.
    assert result.counts_seen[0] == 67
    assert result.counts_seen[-1] > 67
    assert result.counts_seen == sorted(result.counts_seen)
