"""The variant classes of bench/variants.py, generated from a few hundred real targets: the
full run takes minutes (a 25k library, 17k queries), so what can break quietly is checked
here, in a second: a class that stops yielding queries, a sample that changes between
runs (the figures would stop being comparable), a style that no longer reads back."""

from __future__ import annotations

import hashlib
import re
from collections import Counter

import pytest

from bench import realdata
from bench.variants import Variants
from citetui.core.bibpaste import bibtex_reference

# The class names are what earlier runs' figures are filed under.
CLASSES = [
    "ctl_title_exact", "ctl_surname_year", "ref_apa", "ref_ieee", "ref_mla", "ref_chicago",
    "ref_harvard", "ref_vancouver", "ref_bibtex", "ref_ris", "ref_apa+known_doi",
    "ref_apa+unknown_doi", "ref_apa+url", "ref_apa_allcaps_title", "ref_apa_hyphen_break",
    "ref_apa_3_missing_spaces", "title_allcaps", "title_subtitle_cut", "title_hyphen_break",
    "title_1_missing_space", "title_2_missing_spaces", "title_typo_first_word",
    "title_two_typos", "title_dropped_word", "title_swapped_adjacent", "title_reordered_of",
    "title_uk_us_spelling", "title_first_half", "title+surname+year", "ay_etal_year",
    "ay_paren_etal", "ay_etal_year_word", "ay_and_other_year", "ay_amp_paren", "ay_glued",
    "ay_glued_word", "ay_firstname_first_year_word", "ay_possessive", "id_DOI_colon_space",
    "id_doi_url_upper", "id_doi_noscheme", "id_dx_doi_http", "id_doi_trailing_period",
    "id_doi_urlencoded", "id_doi_angle", "id_arxiv_v2", "id_arxiv_pdf_noscheme",
    "id_arxiv_pdf_https", "id_arxiv_abs_noscheme", "id_arxiv_export", "id_arxiv_doi",
    "id_arxiv_bracket_cat", "id_arxiv_space", "id_CorpusId", "id_corpus_id_spaced",
    "id_S2CID", "id_s2cid_lower_colon", "id_s2_api_url", "id_s2_url_slug",
    "id_openalex_works_url", "id_openalex_api_lower", "id_openalex_colon",
    "title_colon_nospace", "ref_apa_colon_nospace",
]  # fmt: skip


@pytest.fixture(scope="module")
def targets() -> list[dict]:
    """A few hundred real targets with every kind of identifier. realdata.build() takes
    16 s (200k distractors), so the targets are read as it reads them, without those."""
    if not (realdata.QUERIES / "grobid_references_dev.jsonl").is_file():
        pytest.skip(f"the shared query sets are not at {realdata.QUERIES.resolve()}")
    g_lib, _ = realdata.grobid(Counter())
    d_lib, _ = realdata.dblp_acm()
    arxiv = [t for t in g_lib if "arxiv" in t["ids"]][:5]
    picked = {t["key"]: t for t in arxiv + g_lib[:200] + d_lib[:100]}
    out = []
    for i, t in enumerate(picked.values()):
        ids = {
            **t["ids"],
            "corpus_id": realdata.CORPUS_BASE + i,
            "s2": hashlib.sha1(t["key"].encode()).hexdigest(),
            "openalex": f"W{2_000_000_000 + i}",
        }
        out.append({**t, "ids": ids})
    return out


def test_every_class_yields_queries_naming_a_target(targets):
    qs = Variants(targets).classes(3)
    by = Counter(q["class"] for q in qs)
    assert [c for c in CLASSES if not by[c]] == []
    assert set(by) == set(CLASSES)
    assert max(by.values()) <= 3
    keys = {t["key"] for t in targets}
    assert all(q["target"] in keys and q["q"].strip() for q in qs)


def test_generation_is_deterministic_and_leaves_the_targets_alone(targets):
    before = [dict(t) for t in targets]
    a = Variants(targets).classes(5)
    assert a == Variants(targets).classes(5)
    assert targets == before  # the same records build the library
    assert a != Variants(targets).classes(5, seed=12)


def test_styles_carry_their_target(targets):
    qs = Variants(targets).classes(5)
    title = {t["key"]: t["title"] for t in targets}
    bib = [q for q in qs if q["class"] == "ref_bibtex"]
    for q in bib:
        ref = bibtex_reference(q["q"])
        assert ref is not None and title[q["target"]].rstrip(".") in ref
    for q in qs:
        if q["class"] in ("ref_apa", "ref_chicago", "ref_vancouver", "ref_ris"):
            assert title[q["target"]].rstrip(".") in q["q"]
        if q["class"] == "title_colon_nospace":
            assert re.search(r"\w:\w", q["q"]) and ": " not in q["q"]
        if q["class"] == "ay_glued":
            assert re.fullmatch(r"\w+\d{4}", q["q"])
