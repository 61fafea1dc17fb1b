"""Search on what researchers paste and type (the issue's "Why", one test a bullet), the
tiers, the new filters, unknown fields, and the resolver's refusals."""

from __future__ import annotations

import json

import pytest
from click.testing import CliRunner

from citetui.cli import cli
from citetui.core.models import PaperRecord
from citetui.core.query import QueryError, parse
from citetui.search import search
from citetui.search.resolver import Unresolved, resolve_hub, resolve_paper
from citetui.store import Library, NotFound, Writer
from citetui.store import fts as index

PPO = "Proximal Policy Optimization Algorithms"
PPO_AUTHORS = ["John Schulman", "Filip Wolski", "Prafulla Dhariwal", "Alec Radford", "Oleg Klimov"]
PAPERS = [
    PaperRecord(title=PPO, year=2017, arxiv="1707.06347", authors=PPO_AUTHORS, venue="arXiv"),
    PaperRecord(title="Biodiversity Finance", year=2000, authors=["Mark Rubino"]),
    PaperRecord(title="Biodiversity of coral reefs", year=2000, authors=["Ann Smith"]),
    PaperRecord(
        title="Specification and implementation of exceptions in workflow management systems",
        year=1999,
        authors=["Fabio Casati", "Stefano Ceri"],
        venue="ACM TODS",
    ),
    PaperRecord(title="EOS: exactly-once E-service middleware", year=2002, authors=["G. Shegalov"]),
    PaperRecord(title="Querying the Internet with PIER", year=2003, authors=["Ryan Huebsch"]),
    PaperRecord(
        title="Active Views for Electronic Commerce", year=1999, authors=["Serge Abiteboul"]
    ),
    PaperRecord(title="ChatGPT in education: promises and pitfalls", year=2023),
    PaperRecord(summary="Flow-GRPO is the first online RL method for flow matching models."),
    PaperRecord(summary="OP-GRPO is the first off-policy GRPO method for flow models."),
    PaperRecord(
        title="Survey answers from a lab",
        abstract="We asked researchers how they read papers and what they keep.",
    ),
    PaperRecord(
        title="GloVe: Global Vectors for Word Representation", year=2014, doi="10.3115/v1/d14-1162"
    ),
    PaperRecord(title="A multilevel framework for AI governance", year=2023),
    PaperRecord(title="Better Vision for the Poor", year=2019),
    PaperRecord(title="Weak-to-Strong Generalization is Nearly Inevitable", year=2024),
    PaperRecord(title="BERT: Pre-training of Deep Bidirectional Transformers", year=2019),
    PaperRecord(title="Boosted Ensemble Regression Trees for tabular data", year=2018),
    PaperRecord(title="A Fast Learning Algorithm for Deep Belief Nets", year=2006),
    PaperRecord(title="Policy gradient methods for robots", year=2010, authors=["Ann Lee"]),
    PaperRecord(title="Proximal methods in convex optimization", year=2012, authors=["Bo Chen"]),
]
HUBS = (
    PPO,
    "BERT: Pre-training of Deep Bidirectional Transformers",
    "Boosted Ensemble Regression Trees for tabular data",
    "A Fast Learning Algorithm for Deep Belief Nets",
)


@pytest.fixture(scope="module")
def lib_path(tmp_path_factory):
    path = tmp_path_factory.mktemp("real") / "lib.db"
    lib = Library(path, create=True)
    with lib.transaction() as db:
        w = Writer(db, "test")
        ids = {(p.title or p.summary): w.upsert_paper(p) for p in PAPERS}
        for title in HUBS:
            w.mark_hub(ids[title])
        w.upsert_citation(ids["Policy gradient methods for robots"], ids[PPO])
        index.refresh_terms(db.conn)
    lib.close()
    return path


@pytest.fixture(scope="module")
def lib(lib_path):
    lib = Library(lib_path)
    yield lib
    lib.close()


def first(lib, query, **kw) -> str:
    rows = search(lib, query, **kw).rows
    assert rows, f"nothing for {query!r}"
    return rows[0].label


# -- the "Why", one test a bullet -------------------------------------------


@pytest.mark.parametrize(
    "query",
    [
        "Schulman J, Wolski F, Dhariwal P, Radford A, Klimov O. Proximal policy optimization "
        "algorithms. arXiv preprint arXiv:1707.06347. 2017",
        "proximal policy optimization algorithms 2017",
        "schulman",
        "1707.06347",
        "https://arxiv.org/abs/1707.06347v2",
    ],
)
def test_a_pasted_reference_its_parts_and_its_identifier_find_the_paper(lib, query):
    assert first(lib, query) == PPO


def test_author_and_year_are_searchable(lib):
    assert first(lib, "Rubino 2000 biodiversity") == "Biodiversity Finance"
    assert first(lib, "schulman 2017") == PPO


@pytest.mark.parametrize(
    ("query", "title"),
    [
        (
            "specification and implementation of exceptions in workflow management systems [ j ]",
            "Specification and implementation of exceptions in workflow management systems",
        ),
        (
            "eos : exactly-once e-service middleware ( demo paper )",
            "EOS: exactly-once E-service middleware",
        ),
        ("querying the inernet withpier", "Querying the Internet with PIER"),
        ("activeviewsforelectroniccommerce", "Active Views for Electronic Commerce"),
    ],
)
def test_a_word_not_in_the_title_no_longer_empties_the_result(lib, query, title):
    assert first(lib, query) == title


def test_a_typo_counts_wherever_it_sits(lib):
    want = "ChatGPT in education: promises and pitfalls"
    for query in ("chatgtp education", "education chatgtp"):
        result = search(lib, query)
        assert result.rows[0].title == want and result.tier(result.rows[0].paper_id) == "all"
    assert first(lib, "flow grpo machting").startswith("untitled: Flow-GRPO")


def test_abstracts_are_searched(lib):
    result = search(lib, "researchers")
    assert result.rows[0].title == "Survey answers from a lab" and result.total == 1


def test_the_phrase_bonus_holds_for_untitled_papers(lib):
    assert first(lib, "flow-grpo").startswith("untitled: Flow-GRPO")


def run(path, *args):
    return CliRunner().invoke(cli, ["--db", str(path), *args], catch_exceptions=False)


def notes(path) -> list:
    return json.loads(run(path, "notes", "--json").stdout)["annotations"]


@pytest.mark.parametrize(
    "arg",
    [
        "Flow-GRPO is the first online RL method",
        "BERT x",
        "Attention is all you need",
        "Deep Residual Learning for Image Recognition",
        "Language Models are Few-Shot Learners",
    ],
)
def test_a_write_never_guesses(lib_path, arg):
    before = notes(lib_path)
    result = run(lib_path, "note", arg, "x")
    assert result.exit_code == 2, result.stdout
    assert "nothing was written" in result.stderr
    assert notes(lib_path) == before


def test_a_doi_with_one_digit_changed_is_no_paper(lib_path):
    result = run(lib_path, "note", "10.3115/v1/d14-1163", "x")
    assert result.exit_code == 4 and notes(lib_path) == []


def test_a_write_on_a_clear_winner_names_the_paper(lib_path, lib):
    result = run(lib_path, "note", "GloVe", "vectors")
    assert result.exit_code == 0, result.stderr
    assert "GloVe: Global Vectors for Word Representation" in result.stdout
    pid = resolve_paper(lib, "GloVe", write=True).id
    assert [a["paper_id"] for a in notes(lib_path)] == [pid]
    run(lib_path, "note", "GloVe", "--clear")


def test_hub_lookup_prefers_titles_and_defined_acronyms(lib):
    assert resolve_hub(lib, "BERT").paper.title.startswith("BERT: Pre-training")
    with pytest.raises(NotFound):
        resolve_hub(lib, "Resnet")
    assert resolve_hub(lib, "ppo").paper.title == PPO


def test_label_takes_an_acronym_for_cited_as_show_does(lib_path):
    result = run(lib_path, "label", "Policy gradient methods for robots", "ppo", "--role", "method")
    assert result.exit_code == 0, result.stderr
    assert PPO in result.stdout and "method" in result.stdout


# -- tiers, filters, unknown fields ---------------------------------------------------


def test_tiers_every_word_first_then_the_closest(lib_path, lib):
    result = search(lib, "proximal optimization robots")
    tiers = [result.tier(r.paper_id) for r in result.rows]
    assert tiers == sorted(tiers, key=lambda t: t != "all")  # every "all" before a "close"
    out = json.loads(run(lib_path, "search", "proximal", "policy", "zebra", "--json").stdout)
    assert out[0]["title"] == PPO and {o["match"] for o in out} == {"close"}
    text = run(lib_path, "search", "proximal", "policy", "zebra")
    assert "closest matches" in text.stdout and "closest matches" in text.stderr


def test_exploratory_queries_are_never_empty_while_a_paper_holds_a_rare_word(lib):
    assert first(lib, "biodiversity xylophonic quaggas") in {
        "Biodiversity Finance",
        "Biodiversity of coral reefs",
    }


def test_field_filters(lib_path, lib):
    assert [r.title for r in search(lib, "biodiversity author:rubino").rows] == [
        "Biodiversity Finance"
    ]
    assert first(lib, "workflow venue:tods").startswith("Specification")
    assert {r.title for r in search(lib, "biodiversity year:2000").rows} >= {"Biodiversity Finance"}
    assert run(lib_path, "star", "Biodiversity Finance").exit_code == 0
    assert run(lib_path, "tag", "Biodiversity Finance", "money").exit_code == 0
    assert run(lib_path, "status", "Biodiversity Finance", "read").exit_code == 0
    for q in ("is:starred", "tag:money", "status:read", "biodiversity is:starred", "has:note"):
        titles = [r.title for r in search(lib, q).rows]
        assert titles == ([] if q == "has:note" else ["Biodiversity Finance"]), q


@pytest.mark.parametrize(
    "text", ["titel:ppo", "auther:schulman", "foo in:p", "role:", "pol:", "author:", "is:cool"]
)
def test_unknown_or_empty_fields_are_errors_naming_the_fields(text):
    with pytest.raises(QueryError) as err:
        parse(text)
    assert (
        "author:" in str(err.value) or "needs a value" in str(err.value) or "is:" in str(err.value)
    )


def test_identifier_schemes_quotes_and_capitalised_text_are_never_fields():
    assert parse("PMID:12345 doi:10.1/x https://arxiv.org/abs/1").words
    assert parse("Security Guards:Verification In:Proc").words[-2:] == (
        "Guards:Verification",
        "In:Proc",
    )
    assert parse('"In:P" proceedings').words == ("In:P", "proceedings")


def test_a_pasted_title_s_colons_are_words_not_fields():
    """Titles pasted whole hold colons a field would take: "questionnaire:An" (no space)
    and "roles: An" (a field's name, then a space). In six words or more they are words;
    typed short, the same shapes are still refused."""
    sickness = parse("Simulator sickness questionnaire:An enhanced method for quantifying")
    assert "questionnaire:An" in sickness.words
    roles = parse("Augmenting concept languages by transitive closure of roles: An alternative")
    assert "roles:" in roles.words and roles.filter.empty
    for typed in ("roles:", "questionnaire:An"):
        with pytest.raises(QueryError):
            parse(typed)


def test_a_title_s_colon_that_lost_its_space_is_text_in_three_words_or_more():
    """PDF text loses the space after a title's colon, before a lower-case word too
    ("lungs:a model", "army:some policy"): half of such real titles were refused as
    unknown fields. In three words or more a name that is no field's, mistyped, is the
    text's own; a mistyped field with a value it takes, or one people try (title:), is
    still an error."""
    for text, word in (
        ("Carotid stenosis:factors affecting symptomatology", "stenosis:factors"),
        ("Stress distribution in lungs:a model of pulmonary elasticity", "lungs:a"),
        ("Wong, L. (1994).Downsizing the army:some policy implications", "army:some"),
        # one edit from status:, but no status is "from": a name of the text
        ("a history of the united states:from colony to superpower", "states:from"),
        ("the kinetics of rolls:methods and flows", "rolls:methods"),
    ):
        assert word in parse(text).words
    for typed in (
        "biodiversity autor:rubino finance",
        "deep learning title:attention",
        "a:b",
        "my reading stauts:read first",
        "policy gradient yaer:2020..2024",
        "policy gradient roel:method",
    ):
        with pytest.raises(QueryError):
            parse(typed)


def test_a_pasted_reference_s_single_quotes_are_text_not_exact_words():
    """Real references quote their titles and split possessives: 'Kritische Bemerkungen...',
    "Landauer 'sprinciple", "ICFDA '14". In six words or more a leading ' is the text's
    own; typed short, 'word still asks for an exact word."""
    ref = parse("Bredt, R. (1896), 'Kritische Bemerkungen zur Drehungselastizitat', 785-790.")
    assert not ref.exact and "'Kritische" in ref.words
    possessive = parse("Experimental verification of Landauer 'sprinciple linking information")
    assert not possessive.exact
    assert parse("'policy gradient").exact == ("policy",)


def test_pasted_text_takes_the_words_the_index_holds_as_typed(lib):
    """A pasted reference (13+ words) says most things twice: its known words are not
    expanded to typo neighbours (each costs a lookup, and an FTS5 term); its unknown
    words still are."""
    from citetui.search.engine import engine

    eng = engine(lib)
    ref = (
        "Schulman J, Wolski F, Dhariwal P, Radford A, Klimov O. Proximal polcy optimization "
        "algorithms. 2017"
    )
    words = {w.text: w for w in eng.words(ref.lower().replace(",", "").replace(".", "").split())}
    assert set(words["algorithms"].terms) == {"algorithms"}
    assert "policy" in words["polcy"].terms
    typed = {w.text: w for w in eng.words(["proximal", "algorithms", "polcy"])}
    assert "algorithm" in typed["algorithms"].terms and "policy" in typed["polcy"].terms
    assert first(lib, ref) == PPO


def test_a_long_word_is_exact_and_a_long_query_is_cut(lib):
    assert search(lib, "x" * 200).total == 0
    cut = search(lib, "proximal " * 500)
    assert cut.notice and "cut" in cut.notice


def test_the_resolver_refuses_in_python_too(lib):
    with pytest.raises(Unresolved) as err:
        resolve_paper(lib, "Attention is all you need", write=True)
    assert len(err.value.candidates) <= 10


def test_cli_search_export_and_resolver_share_the_one_entry_point(lib_path, monkeypatch):
    import importlib

    engine = importlib.import_module("citetui.search.engine")

    calls: list[str] = []
    real = engine.engine

    def spy(lib):
        calls.append("engine")
        return real(lib)

    monkeypatch.setattr(engine, "engine", spy)
    assert run(lib_path, "search", "proximal").exit_code == 0
    n = len(calls)
    assert n >= 1
    result = run(lib_path, "export", "ppo", "--format", "csv", "-q", "policy")
    assert result.exit_code == 0, result.stderr
    assert len(calls) > n


def test_the_very_words_are_scored_first_when_more_papers_match_than_are_scored(tmp_path):
    """Query "chang systems" in a library where 150 papers by Zhang (one edit from Chang) hold
    "systems" too, all imported before Chang's: the first tier scores 100 candidates, and
    those holding the words as typed go first, whatever their ids."""
    lib = Library(tmp_path / "many.db", create=True)
    with lib.transaction() as db:
        w = Writer(db, "test")
        for i in range(150):
            w.upsert_paper(
                PaperRecord(title=f"Distributed systems study {i}", year=2000, authors=["Li Zhang"])
            )
        w.upsert_paper(
            PaperRecord(
                title="A graphical query language for mobile information systems",
                year=2003,
                authors=["Ya-Hui Chang"],
            )
        )
        index.refresh_terms(db.conn)
    assert first(lib, "chang systems").startswith("A graphical query language")
    lib.close()
