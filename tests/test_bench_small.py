"""The benchmark still runs end to end at 10k records (CI); timings are printed, not asserted."""

from __future__ import annotations

import re
import shutil

from bench import corpus, run


def test_corpus_is_deterministic():
    a = list(corpus.Corpus(300, seed=3).lines())
    assert a == list(corpus.Corpus(300, seed=3).lines())
    assert a != list(corpus.Corpus(300, seed=4).lines())
    assert '"citetui-records"' in a[0]


def test_bench_runs_at_10k(tmp_path, capsys):
    run.main(
        ["--n", "10000", "--quick", "--work", str(tmp_path), "--json", str(tmp_path / "raw.json")]
    )
    table = capsys.readouterr().out
    for label in (
        "import 10,000 records",
        "library file / raw JSONL",
        "typed prefix / hub",
        "brute-force rapidfuzz WRatio",
        "page move by ids",
        "resident memory",
    ):
        assert label in table
    recall10 = float(
        re.search(
            r"engine, \d+ typo'd title queries \| recall@1 [\d.]+%, "
            r"recall@10 ([\d.]+)%",
            table,
        ).group(1)
    )
    assert recall10 >= 70.0
    if shutil.which("tmux"):  # the browser's figures come from the real citetui in tmux
        for label in (
            "start-up in tmux",
            "Enter on the biggest hub",
            "opened again",
            "down key to its repaint received",
            "pagedown key to its repaint received",
            "down key to the screen changed",
            "citetui's resident memory",
        ):
            assert label in table


def test_import_bench_runs_every_format_small(tmp_path, capsys):
    """The import benchmark (bench.imports) end to end, every format at 300 and 600
    records, into the default library and again with 10% new records."""
    from bench import formats, imports

    imports.main(
        ["--sizes", "300,600", "--work", str(tmp_path), "--json", str(tmp_path / "raw.json")]
    )
    table = capsys.readouterr().out
    raw = __import__("json").loads((tmp_path / "raw.json").read_text())
    assert set(raw["formats"]) == set(formats.FORMATS)
    for fmt, res in raw["formats"].items():
        assert f"| {fmt} |" in table
        first, again = res["600"]["counts"], res["reimport"]["counts"]
        assert sum(first["added"].values()) > 0, fmt
        # a re-import of 90% known records: some added, many unchanged or updated
        assert sum(again["added"].values()) > 0, fmt
        assert sum(again["unchanged"].values()) + sum(again["updated"].values()) > 0, fmt
