"""The search engine: matching rules, ranking, filters, the index in step with writes."""

from __future__ import annotations

import json
import sqlite3

import pytest

from citetui.core.models import PaperRecord
from citetui.core.query import QueryError, RowFilter, parse
from citetui.ingest import import_files
from citetui.search import edit_budget, match_spans, search, word_score
from citetui.search.resolver import resolve_hub
from citetui.store import Library, Writer
from citetui.store import fts as search_index
from citetui.store.schema import MIGRATIONS
from tests.conftest import ppo_id

PPO = "Proximal Policy Optimization Algorithms"
W2S = "Weak-to-Strong Generalization is Nearly Inevitable (in Linear Models)"


def titles(result) -> list[str]:
    """The titles of the papers holding every word (the first tier)."""
    return [r.title for r in result.rows if result.tier(r.paper_id) == "all"]


def add(lib: Library, *papers: PaperRecord) -> list[int]:
    with lib.transaction() as db:
        w = Writer(db, "test")
        ids = [w.upsert_paper(p) for p in papers]
        search_index.refresh_terms(db.conn)
        return ids


def test_the_readme_examples(sample_lib):
    assert titles(search(sample_lib, "proximal polcy optimisation"))[0] == PPO
    assert titles(search(sample_lib, "weak to strong generalisation", limit=3))[0] == W2S


@pytest.mark.parametrize(
    ("query", "found"),
    [
        ("polcy", True),  # 6 letters, one edit
        ("pollicy", True),
        ("plcy", False),  # two edits in a 6-letter word
        ("generalisaton", True),  # 13 letters, two edits
        ("generelisaton", False),  # three edits
        ("waek", True),  # 4 letters: only a transposition is forgiven
        ("wek", False),
    ],
)
def test_edit_budget_per_word_length(empty_lib, query, found):
    add(
        empty_lib,
        PaperRecord(title="Policy generalization for weak learners"),
        PaperRecord(title="Something else entirely"),
    )
    hits = titles(search(empty_lib, query))
    assert (hits[:1] == ["Policy generalization for weak learners"]) is found


def test_edit_budget_values():
    assert [
        edit_budget("abcd"),
        edit_budget("abcde"),
        edit_budget("abcdefgh"),
        edit_budget("abcdefghi"),
    ] == [0, 1, 1, 2]
    assert word_score("polcy", "policy", prefix=False) > 0
    assert word_score("optim", "optimization", prefix=True) == 0.9


def test_every_plain_word_must_match(empty_lib):
    add(
        empty_lib,
        PaperRecord(title="Robust policy learning"),
        PaperRecord(title="Robust vision models"),
    )
    assert titles(search(empty_lib, "robust policy")) == ["Robust policy learning"]
    assert search(empty_lib, "robust policy zebra").total == 0
    # stop-words are optional
    assert titles(search(empty_lib, "the robust policy of")) == ["Robust policy learning"]


def test_last_word_is_a_prefix_even_with_a_typo(empty_lib):
    add(
        empty_lib,
        PaperRecord(title="Reinforcement learning from human feedback"),
        PaperRecord(title="Supervised learning of reinforcements"),
    )
    assert titles(search(empty_lib, "reinforcement lea"))[0].startswith("Reinforcement learning")
    assert search(empty_lib, "human feedb").total == 1
    assert search(empty_lib, "human feedbak").total == 1  # one edit in the typed word
    assert search(empty_lib, "lea reinforcement").total == 0  # only the last word is a prefix


def test_title_matches_rank_above_summary_matches(empty_lib):
    add(
        empty_lib,
        PaperRecord(title="Unrelated study", summary="We study diffusion samplers."),
        PaperRecord(title="Diffusion samplers", summary="A study."),
    )
    assert titles(search(empty_lib, "diffusion samplers")) == [
        "Diffusion samplers",
        "Unrelated study",
    ]


def test_the_query_side_by_side_in_order_outranks_its_words_repeated_and_scattered(empty_lib):
    # Both titles match every word and hold three neighbouring pairs of the query; only
    # the first holds the whole query side by side in its order. The second has more of
    # the query's words (the repeated "learning"), which must not count for more.
    whole = "Towards Explicit Reward Molori for Large Learning Learning Large"
    pairs = "Learning Recurrent Learning to Learning Large Learning Learning Doximo"
    add(empty_lib, PaperRecord(title=pairs), PaperRecord(title=whole))
    assert titles(search(empty_lib, "lapge learning learninb large")) == [whole, pairs]
    # and a run of the query in order counts for more the longer it is
    add(
        empty_lib,
        PaperRecord(title="On the Learning Deep of Learning Learning Learning"),
        PaperRecord(title="On the Learning Learning Learning Language Reinforcement of Neural Gen"),
    )
    assert titles(search(empty_lib, "on the learning learnin ledrning"))[0] == (
        "On the Learning Learning Learning Language Reinforcement of Neural Gen"
    )


def test_exact_and_exclude(empty_lib):
    add(
        empty_lib,
        PaperRecord(title="Policy gradients with baselines"),
        PaperRecord(title="Police gradients and politics"),
    )
    assert titles(search(empty_lib, "gradients 'policy")) == ["Policy gradients with baselines"]
    assert titles(search(empty_lib, "gradients !baselines")) == ["Police gradients and politics"]
    assert search(empty_lib, "'polic").total == 2  # from the start of a word
    assert search(empty_lib, "'olicy").total == 0
    assert search(empty_lib, "gradients").total == 2


def test_field_filters_need_a_hub_and_work_within_one(sample_lib):
    with pytest.raises(QueryError):
        search(sample_lib, "policy role:method")
    hub = ppo_id(sample_lib)
    everything = search(sample_lib, "learning", hub_id=hub, limit=None)
    assert everything.total > 0 and everything.complete
    years = search(sample_lib, "learning year:2025..", hub_id=hub, limit=None)
    assert all(r.year is None or r.year >= 2025 for r in years.rows)
    assert years.total <= everything.total
    assert PPO not in titles(everything)  # the hub does not cite itself


def test_a_hub_search_only_returns_its_citing_papers(sample_lib):
    hub = ppo_id(sample_lib)
    citing = {r.paper_id for r in sample_lib.citing_rows(hub, RowFilter(), limit=1000)}
    result = search(sample_lib, "learning", hub_id=hub, limit=None)
    assert set(result.ids) <= citing and len(result.ids) == result.total


def test_among_restricts_to_given_papers(sample_lib):
    hub = ppo_id(sample_lib)
    assert search(sample_lib, "proximal policy", among=[hub]).ids == (hub,)
    assert search(sample_lib, "weak strong", among=[hub]).total == 0


def test_sorts(sample_lib):
    by_year = search(sample_lib, "learning", limit=None, sort="year").rows
    years = [r.year for r in by_year if r.year is not None]
    assert years == sorted(years, reverse=True)
    by_title = [r.title.casefold() for r in search(sample_lib, "learning", sort="title").rows]
    assert by_title == sorted(by_title)


def test_limit_none_scores_every_match_and_limit_bounds(empty_lib, monkeypatch):
    import citetui.search.allwords as engine

    add(empty_lib, *[PaperRecord(title=f"Scaling laws number {i}") for i in range(30)])
    assert search(empty_lib, "scaling laws", limit=None).total == 30
    monkeypatch.setattr(engine, "CANDIDATES", 10)
    bounded = search(empty_lib, "scaling laws", limit=5)
    assert len(bounded.rows) == 5 and not bounded.complete and bounded.total == 10


def test_index_follows_updates_merges_and_new_imports(sample_lib):
    (pid,) = add(sample_lib, PaperRecord(title="Quokka dynamics", doi="10.1/q"))
    assert search(sample_lib, "quokka").ids == (pid,)
    add(
        sample_lib, PaperRecord(title="Quokka dynamics", doi="10.1/q", summary="Marsupial hopping.")
    )
    assert search(sample_lib, "marsupial hoping").ids == (pid,)  # the fill-in is indexed
    with sample_lib.transaction() as db:
        db.conn.execute("UPDATE papers SET title = 'Wombat dynamics' WHERE id = ?", (pid,))
    assert search(sample_lib, "quokka").total == 0  # not refreshed by an import: still found
    assert search(sample_lib, "wombat").ids == (pid,)
    with sample_lib.transaction() as db:
        db.conn.execute("DELETE FROM papers WHERE id = ?", (pid,))
    assert search(sample_lib, "wombat").total == 0
    # FTS5 checks the index against the papers table and raises if they differ
    sample_lib.conn.execute(
        "INSERT INTO papers_fts(papers_fts, rank) VALUES ('integrity-check', 1)"
    )


def test_a_version_1_library_is_migrated_and_indexed(tmp_path):
    path = tmp_path / "v1.db"
    conn = sqlite3.connect(path)
    import sqlite_utils

    MIGRATIONS[0](sqlite_utils.Database(conn))
    conn.execute(
        "INSERT INTO papers (id, title, summary) VALUES (1, 'Proximal policy "
        "optimization', 'Clipped surrogate objectives.')"
    )
    conn.execute("PRAGMA user_version = 1")
    conn.commit()
    conn.close()
    lib = Library(path)
    try:
        assert lib.schema_version == len(MIGRATIONS)
        assert search(lib, "clipped surogate").ids == (1,)
        assert search(lib, "proximal polcy").ids == (1,)
    finally:
        lib.close()


def test_citation_contexts_are_searched(tmp_path, empty_lib):
    bundle = {
        "format": "citetui-bundle",
        "version": 1,
        "source": {"name": "t"},
        "hub": {"paper": "h"},
        "papers": [{"key": "h", "title": "Hub paper"}, {"key": "c", "title": "A citing paper"}],
        "citations": [
            {
                "citing": "c",
                "cited": "h",
                "contexts": [{"text": "We adopt the clipped surrogate objective [4]."}],
            }
        ],
    }
    path = tmp_path / "b.json"
    path.write_text(json.dumps(bundle))
    import_files(empty_lib, [path])
    hub = resolve_hub(empty_lib, "Hub paper").paper.id
    assert titles(search(empty_lib, "clipped surrogate")) == ["A citing paper"]
    assert titles(search(empty_lib, "clipped surrogate", hub_id=hub)) == ["A citing paper"]


def test_match_spans_highlight_fuzzy_prefix_and_exact():
    text = "Proximal Policy Optimization Algorithms"
    spans = match_spans(text, "polcy optim")
    assert [text[a:b] for a, b in spans] == ["Policy", "Optimization"]
    spans = match_spans(text, parse("'algo"))
    assert [text[a:b] for a, b in spans] == ["Algo"]


def test_a_rare_word_is_always_part_of_the_candidate_query(tmp_path, monkeypatch):
    """With a limit, a word held by few papers must not be left out of the FTS query: when
    it was (the cost estimate said so), the candidates were the first papers holding
    the rarest word and the scorer refused them all, so nothing was found."""
    import citetui.search as S
    import citetui.search.allwords as A
    from citetui.core.models import PaperRecord
    from citetui.store import Library, Writer
    from citetui.store import fts as index

    lib = Library(tmp_path / "s.db", create=True)
    with lib.transaction() as db:
        w = Writer(db, source="t")
        for i in range(60):  # "corpus" is the rarest query word, and these come first
            w.upsert_paper(PaperRecord(title=f"A corpus of things number {i}", doi=f"10.1/c{i}"))
        for i in range(200):
            w.upsert_paper(
                PaperRecord(title=f"Speech and quasi speech models {i}", doi=f"10.1/s{i}")
            )
        w.upsert_paper(
            PaperRecord(title="Strong Reinforcement of Corpus Quaxi Speech", doi="10.1/target")
        )
    with lib.transaction() as db:
        index.refresh_terms(db.conn)
    monkeypatch.setattr(A, "BUDGET_US", 0.0)  # the estimate would keep the rarest word only
    monkeypatch.setattr(A, "CANDIDATES", 20)
    monkeypatch.setattr(A, "_pairs", lambda words: None)  # (the title-pairs path finds it)
    found = S.search(lib, "of corpus quai speekch", limit=10)
    assert titles(found) == ["Strong Reinforcement of Corpus Quaxi Speech"]
