"""Search on variants of the real queries: the shapes a user pastes that the shared sets lack.

The shared query sets (:mod:`bench.realdata`, run by :mod:`bench.real`) hold one style
per class: the GROBID references as their papers printed them, "surname year" as
realdata writes it, identifiers in four spellings. A user pastes many: the same paper
from Google Scholar as BibTeX, from a reference manager as RIS, in APA, IEEE, MLA,
Chicago, Harvard or Vancouver, a title out of a PDF with a hyphen break or words run
together, "Surname et al. 2017", "(Surname et al., 2017)", a citation key
("suzuki2000"), a DOI in ``http://dx.doi.org/...`` or an arXiv id in ``arxiv.org/pdf/...``.
The engine's knobs were tuned on the shared strings; these variants are generated from
the real targets' tagged fields (title, authors, year, venue, identifiers) to check that
the engine generalises beyond the shared strings' own style, not to tune it further.

Run from the repository root (``../shared/data/queries`` must be there)::

    python -m bench.variants --work /tmp/bench/r25 [--per 300] [--brute N] [--json OUT]

It builds the 25k library of :mod:`bench.real` (or reuses ``real-25000.db`` in
``--work``), generates up to ``--per`` queries of each class (deterministic: each class
samples its targets with ``random.Random(f"{seed}-{class}")``), and runs each through the
engine (:func:`citetui.search.search`, limit 10) and the write resolver
(:func:`citetui.search.resolver.resolve` with ``write=True``, what ``citetui note`` and
the other writes use). One table: recall@1 and @10, p50 latency, queries the query syntax
refused, and the resolver's share resolved to the target, wrong papers (a write would
land on them) and refusals. ``--brute N`` adds brute-force rapidfuzz (``WRatio``,
``token_set_ratio``) on the first N queries of each class but the identifier ones.
"""

from __future__ import annotations

import argparse
import contextlib
import hashlib
import json
import random
import re
import sys
import time
from collections.abc import Callable
from pathlib import Path

from bench import realdata
from bench.real import pct, real_library

SEED = 11
# The probe's own stop list, kept: the variants' samples depend on it.
STOP = {
    "a", "an", "the", "of", "and", "in", "on", "for", "to", "with", "by", "at", "from",
    "via", "using", "is", "are", "its", "into", "as", "or", "be", "we", "do",
}  # fmt: skip
INI = re.compile(r"^(?:[A-Z]\.?-?){1,3}$|^(?:[A-Z]\.)+$")


def hh(s: str) -> int:
    return int(hashlib.md5(s.encode()).hexdigest()[:8], 16)


def cap(tok: str) -> str:
    return tok[:1].upper() + tok[1:] if tok.islower() else tok


def split_name(name: str) -> tuple[list[str], str] | None:
    """(given names, surname); None when the surname is initials or no word, so that a
    style needing the surname is not fed "J." or "2nd"."""
    toks = [cap(t) for t in name.replace(",", " ").split()]
    if len(toks) < 2:
        return None
    sur = toks[-1]
    if INI.match(sur) or len(re.sub(r"\W", "", sur)) < 2 or not re.search(r"[^\W\d_]{2}", sur):
        return None
    return toks[:-1], sur


def initials(given: list[str], dots: bool = True, space: bool = True) -> str:
    out = []
    for g in given:
        for part in g.split("-"):
            c = re.sub(r"[^\w]", "", part)[:1]
            if c:
                out.append(c.upper() + ("." if dots else ""))
    return (" " if space else "").join(out)


def venue_of(t: dict, refs: dict[str, dict]) -> str | None:
    """The venue: DBLP's, or for a GROBID target the words its reference prints after the
    title (up to a number, an identifier or seven words), as the shared data tags none."""
    if t.get("venue"):
        return " ".join(cap(w) for w in t["venue"].split())
    r = refs.get(t["key"])
    if not r:
        return None
    ref, printed = r["reference"], r["title"] or ""
    i = ref.find(printed)
    if i < 0:
        return None
    rest = re.sub(r"^[\s\W]+", "", ref[i + len(printed) :])
    words = []
    for w in rest.split():
        if re.search(r"\d", w) or w.lower().startswith(("arxiv", "doi", "http", "[")):
            break
        words.append(w.strip(",;"))
        if len(words) >= 7:
            break
    v = " ".join(w for w in words if w).strip(" ,.;:")
    return v or None


def typo(word: str, rng: random.Random) -> str:
    """One substitution, deletion, transposition or insertion, never at the first letter."""
    i = rng.randrange(1, len(word) - 1)
    op = rng.choice("sdti")
    letters = "abcdefghijklmnopqrstuvwxyz"
    if op == "s":
        return word[:i] + rng.choice([c for c in letters if c != word[i].lower()]) + word[i + 1 :]
    if op == "d":
        return word[:i] + word[i + 1 :]
    if op == "t":
        if word[i] != word[i - 1]:
            return word[: i - 1] + word[i] + word[i - 1] + word[i + 1 :]
        return word[:i] + word[i + 1 :]
    return word[:i] + rng.choice(letters) + word[i:]


PAIRS = {
    "color": "colour", "behavior": "behaviour", "labor": "labour", "neighbor": "neighbour",
    "favor": "favour", "harbor": "harbour", "tumor": "tumour", "modeling": "modelling",
    "modeled": "modelled", "labeling": "labelling", "labeled": "labelled", "center": "centre",
    "centers": "centres", "fiber": "fibre", "analyze": "analyse", "analyzing": "analysing",
    "analyzed": "analysed", "catalog": "catalogue", "program": "programme",
    "traveling": "travelling", "signaling": "signalling", "fueling": "fuelling",
    "hemoglobin": "haemoglobin", "anemia": "anaemia", "estrogen": "oestrogen",
    "pediatric": "paediatric", "esophageal": "oesophageal", "leukemia": "leukaemia",
    "defense": "defence", "license": "licence", "gray": "grey", "aluminum": "aluminium",
    "sulfur": "sulphur", "sulfate": "sulphate", "tumors": "tumours", "behaviors": "behaviours",
    "colors": "colours", "neighbors": "neighbours", "neighborhood": "neighbourhood",
    "optimization": "optimisation", "organization": "organisation",
    "characterization": "characterisation",
}  # fmt: skip
PAIRS.update({v: k for k, v in list(PAIRS.items())})
# "central" (-> "centras", 6 queries of title_uk_us_spelling at the default seed) is the
# probe's slip, kept so that the class samples the same targets as the probe did.
SAFE_IZE = (
    "optimiz", "organiz", "characteriz", "normaliz", "generaliz", "minimiz", "maximiz",
    "realiz", "recogniz", "visualiz", "synchroniz", "parameteriz", "localiz", "stabiliz",
    "regulariz", "utiliz", "specializ", "customiz", "summariz", "categoriz", "polariz",
    "crystalliz", "randomiz", "prioritiz", "personaliz", "tokeniz", "vectoriz", "discretiz",
    "quantiz", "serializ", "initializ", "finaliz", "mineraliz", "hospitaliz", "immobiliz",
    "neutraliz", "ioniz", "hybridiz", "metaboliz", "individualiz", "modulariz", "central",
    "linealiz", "lineariz", "factoriz", "formaliz", "analyz",
)  # fmt: skip


def ukus(title: str) -> str | None:
    """The title in the other spelling (UK <-> US); None when no word of it has one."""
    out = []
    changed = False
    for t in title.split():
        m = re.match(r"^(\W*)([\w-]+)(\W*)$", t)
        if not m:
            out.append(t)
            continue
        a, w, b = m.groups()
        lw = w.lower()
        new = None
        if lw in PAIRS:
            new = PAIRS[lw]
        else:
            for stem in SAFE_IZE:
                s2 = stem[:-1] + "s"
                if lw.startswith(stem):
                    new = s2 + lw[len(stem) :]
                    break
                if lw.startswith(s2) and len(lw) > len(s2):
                    new = stem + lw[len(s2) :]
                    break
        if new and new != lw:
            if w[:1].isupper():
                new = new[:1].upper() + new[1:]
            out.append(a + new + b)
            changed = True
        else:
            out.append(t)
    return " ".join(out) if changed else None


def glue(t: dict) -> str:
    """A citation key's head, "suzuki2000"."""
    return re.sub(r"[^\w]", "", t["_names"][0][1]).lower() + str(t["year"])


def content_words(title: str, n: int = 4) -> list[str]:
    return [w for w in re.findall(r"[^\W\d_]+", title) if len(w) >= n and w.lower() not in STOP]


def colon_nospace(title: str) -> str:
    """PDF text extraction often drops the space after a title's colon."""
    return re.sub(r"(\w): (\w)", r"\1:\2", title)


Make = Callable[[dict, random.Random], "str | None"]


class Variants:
    """The variant classes of a set of targets (records of :func:`bench.realdata.build`).

    Only the tagged fields are used, never the shared query strings themselves, so a style
    the shared sets lack is written as that style writes it. Volume, issue and pages are
    made up from a hash of the key (no target has them) so that a reference carries the
    numbers a real one does."""

    def __init__(self, real: list[dict]):
        refs: dict[str, dict] = {}
        with (realdata.QUERIES / "grobid_references_dev.jsonl").open(encoding="utf-8") as fh:
            for i, line in enumerate(fh):
                refs.setdefault(f"g{i}", json.loads(line))  # realdata's keys: g<row>
        self.real = []
        for rec in real:
            t = dict(rec)  # the caller's records stay as they are
            t["_names"] = [n for n in (split_name(a) for a in t["authors"]) if n]
            t["_ok_names"] = bool(t["authors"]) and len(t["_names"]) == len(t["authors"])
            t["_venue"] = venue_of(t, refs)
            hv = hh(t["key"])
            t["_vol"], t["_iss"], t["_p1"] = hv % 60 + 1, hv % 12 + 1, hv % 900 + 1
            t["_p2"] = t["_p1"] + hv % 30 + 3
            self.real.append(t)

    # ---- reference styles ----
    def apa(self, t: dict, title: str | None = None) -> str:
        title = title or t["title"]
        parts = [f"{s}, {initials(g)}" for g, s in t["_names"][:20]]
        a = parts[0] if len(parts) == 1 else ", ".join(parts[:-1]) + ", & " + parts[-1]
        v = ""
        if t["_venue"]:
            v = f" {t['_venue']}, {t['_vol']}({t['_iss']}), {t['_p1']}-{t['_p2']}."
        return f"{a} ({t['year']}). {title.rstrip('.')}.{v}"

    def ieee(self, t: dict, n: int) -> str:
        parts = [f"{initials(g)} {s}" for g, s in t["_names"]]
        if len(parts) > 6:
            a = parts[0] + " et al."
        elif len(parts) == 1:
            a = parts[0]
        elif len(parts) == 2:
            a = f"{parts[0]} and {parts[1]}"
        else:
            a = ", ".join(parts[:-1]) + ", and " + parts[-1]
        v = t["_venue"]
        pages = f"pp. {t['_p1']}\u2013{t['_p2']}"
        if v and t["src"] == "dblp" and re.search(r"(?i)conference|proc|workshop|symposium", v):
            vs = f" in Proc. {v}, {t['year']}, {pages}."
        elif v:
            vs = f" {v}, vol. {t['_vol']}, no. {t['_iss']}, {pages}, {t['year']}."
        else:
            vs = f" {t['year']}."
        return f"[{n}] {a}, \u201c{t['title'].rstrip('.')},\u201d{vs}"

    def mla(self, t: dict) -> str:
        ns = t["_names"]
        g, s = ns[0]
        first = f"{s}, {' '.join(g)}"
        if len(ns) == 1:
            a = first
        elif len(ns) == 2:
            a = f"{first}, and {' '.join(ns[1][0])} {ns[1][1]}"
        else:
            a = f"{first}, et al"
        v = f" {t['year']}."
        if t["_venue"]:
            v = (
                f" {t['_venue']}, vol. {t['_vol']}, no. {t['_iss']}, {t['year']}, "
                f"pp. {t['_p1']}-{t['_p2']}."
            )
        return f'{a.rstrip(".")}. "{t["title"].rstrip(".")}."{v}'

    def chicago(self, t: dict) -> str:
        ns = t["_names"][:10]
        g, s = ns[0]
        parts = [f"{s}, {' '.join(g)}"] + [f"{' '.join(g2)} {s2}" for g2, s2 in ns[1:]]
        a = parts[0] if len(parts) == 1 else ", ".join(parts[:-1]) + ", and " + parts[-1]
        v = ""
        if t["_venue"]:
            v = f" {t['_venue']} {t['_vol']} ({t['_iss']}): {t['_p1']}\u2013{t['_p2']}."
        return f'{a.rstrip(".")}. {t["year"]}. "{t["title"].rstrip(".")}."{v}'

    def harvard(self, t: dict) -> str:
        parts = [f"{s}, {initials(g, space=False)}" for g, s in t["_names"]]
        if len(parts) > 3:
            a = parts[0] + " et al."
        elif len(parts) == 1:
            a = parts[0]
        else:
            a = ", ".join(parts[:-1]) + " and " + parts[-1]
        v = "."
        if t["_venue"]:
            v = f", {t['_venue']}, {t['_vol']}({t['_iss']}), pp. {t['_p1']}-{t['_p2']}."
        return f"{a} ({t['year']}) '{t['title'].rstrip('.')}'{v}"

    def vancouver(self, t: dict) -> str:
        ns = t["_names"]
        parts = [f"{s} {initials(g, dots=False, space=False)}" for g, s in ns[:6]]
        a = ", ".join(parts) + (", et al" if len(ns) > 6 else "")
        v = f" {t['year']}."
        if t["_venue"]:
            v = f" {t['_venue']}. {t['year']};{t['_vol']}({t['_iss']}):{t['_p1']}-{t['_p2']}."
        return f"{a}. {t['title'].rstrip('.')}.{v}"

    def bibtex(self, t: dict) -> str:
        g, s = t["_names"][0]
        w = (content_words(t["title"]) or ["x"])[0].lower()
        sk = re.sub(r"\W", "", s).lower()
        key = f"{sk}{t['year']}{w}"
        auth = " and ".join(f"{s2}, {' '.join(g2)}" for g2, s2 in t["_names"])
        lines = [f"@article{{{key},", f"  title={{{t['title']}}},", f"  author={{{auth}}},"]
        if t["_venue"]:
            lines += [
                f"  journal={{{t['_venue']}}},",
                f"  volume={{{t['_vol']}}},",
                f"  number={{{t['_iss']}}},",
                f"  pages={{{t['_p1']}--{t['_p2']}}},",
            ]
        lines += [f"  year={{{t['year']}}}", "}"]
        return "\n".join(lines)

    def ris(self, t: dict) -> str:
        lines = ["TY  - JOUR"] + [f"AU  - {s}, {' '.join(g)}" for g, s in t["_names"]]
        lines += [f"TI  - {t['title']}", f"PY  - {t['year']}"]
        if t["_venue"]:
            lines += [
                f"JO  - {t['_venue']}",
                f"VL  - {t['_vol']}",
                f"SP  - {t['_p1']}",
                f"EP  - {t['_p2']}",
            ]
        lines += ["ER  - "]
        return "\n".join(lines)

    def classes(self, per: int, seed: int = SEED) -> list[dict]:
        """Up to ``per`` queries of each class, ``{"class", "q", "target"}``, in class order."""
        real = self.real
        ok = [t for t in real if t["_ok_names"] and t["year"] and len(t["title"].split()) >= 3]
        out: list[dict] = []

        def add(cls: str, pool: list[dict], fn: Make) -> None:
            rng = random.Random(f"{seed}-{cls}")
            pool = list(pool)
            rng.shuffle(pool)
            n = 0
            for t in pool:
                q = fn(t, rng)
                if q is None:
                    continue
                out.append({"class": cls, "q": q, "target": t["key"]})
                n += 1
                if n >= per:
                    break

        # --- controls (the shared sets' own shapes) ---
        add("ctl_title_exact", ok, lambda t, r: t["title"])
        add("ctl_surname_year", ok, lambda t, r: f"{t['_names'][0][1]} {t['year']}")
        # --- reference styles ---
        add("ref_apa", ok, lambda t, r: self.apa(t))
        add("ref_ieee", ok, lambda t, r: self.ieee(t, r.randint(1, 60)))
        add("ref_mla", ok, lambda t, r: self.mla(t))
        add("ref_chicago", ok, lambda t, r: self.chicago(t))
        add("ref_harvard", ok, lambda t, r: self.harvard(t))
        add("ref_vancouver", ok, lambda t, r: self.vancouver(t))
        add("ref_bibtex", ok, lambda t, r: self.bibtex(t))
        add("ref_ris", ok, lambda t, r: self.ris(t))
        add(
            "ref_apa+known_doi",
            [t for t in ok if t["ids"].get("doi")],
            lambda t, r: self.apa(t) + f" https://doi.org/{t['ids']['doi']}",
        )
        add(
            "ref_apa+unknown_doi",
            [t for t in ok if not t["ids"].get("doi")],
            lambda t, r: (
                self.apa(t)
                + f" doi:10.{r.randint(1000, 9999)}/j.x."
                + f"{r.randint(2000, 2020)}.{r.randint(100, 9999)}"
            ),
        )
        urls = [
            "https://www.researchgate.net/publication/{n}_{slug}",
            "Available at: https://citeseerx.ist.psu.edu/viewdoc/summary?doi=10.1.1.{a}.{n}",
            "Retrieved from https://www.jstor.org/stable/{n}",
            "URL: http://www.example.edu/~{sur}/papers/{sur}{y}.pdf",
        ]
        add(
            "ref_apa+url",
            ok,
            lambda t, r: (
                self.apa(t)
                + " "
                + r.choice(urls).format(
                    n=r.randint(10000, 999999),
                    a=r.randint(1, 999),
                    y=t["year"],
                    sur=re.sub(r"\W", "", t["_names"][0][1]).lower(),
                    slug="_".join(t["title"].split()[:6]),
                )
            ),
        )
        add("ref_apa_allcaps_title", ok, lambda t, r: self.apa(t, t["title"].upper()))

        def hyph(title: str, r: random.Random, k: int) -> str | None:
            toks = title.split()
            idx = [i for i, w in enumerate(toks) if re.fullmatch(r"[A-Za-z]{8,}", w)]
            if len(idx) < k:
                return None
            for i in r.sample(idx, k):
                w = toks[i]
                c = r.randint(3, len(w) - 3)
                toks[i] = w[:c] + "- " + w[c:]
            return " ".join(toks)

        def ref_hyph(t: dict, r: random.Random) -> str | None:
            h2 = hyph(t["title"], r, 1)
            return self.apa(t, h2) if h2 else None

        add("ref_apa_hyphen_break", ok, ref_hyph)

        def ref_nospace(t: dict, r: random.Random) -> str | None:
            toks = self.apa(t).split()
            if len(toks) < 8:
                return None
            for _ in range(3):
                i = r.randrange(0, len(toks) - 1)
                toks[i : i + 2] = [toks[i] + toks[i + 1]]
            return " ".join(toks)

        add("ref_apa_3_missing_spaces", ok, ref_nospace)
        # --- titles ---
        add("title_allcaps", ok, lambda t, r: t["title"].upper())

        def sub_cut(t: dict, r: random.Random) -> str | None:
            m = re.match(r"^(.*?\w)\s*(?::| - | — |\? |\. )\s*\S", t["title"])
            if (
                not m
                or len(m.group(1).split()) < 2
                or len(t["title"].split()) - len(m.group(1).split()) < 2
            ):
                return None
            return m.group(1) + ("?" if "? " in t["title"][: len(m.group(1)) + 3] else "")

        add("title_subtitle_cut", ok, sub_cut)
        add("title_hyphen_break", ok, lambda t, r: hyph(t["title"], r, 1))

        def nospace(t: dict, r: random.Random, k: int) -> str | None:
            toks = t["title"].split()
            if len(toks) < 4 + k:
                return None
            for _ in range(k):
                i = r.randrange(0, len(toks) - 1)
                toks[i : i + 2] = [toks[i] + toks[i + 1]]
            return " ".join(toks)

        add("title_1_missing_space", ok, lambda t, r: nospace(t, r, 1))
        add("title_2_missing_spaces", ok, lambda t, r: nospace(t, r, 2))

        def typo_first(t: dict, r: random.Random) -> str | None:
            toks = t["title"].split()
            w = re.sub(r"\W", "", toks[0])
            if len(w) < 5 or not w.isalpha():
                return None
            toks[0] = typo(w, r)
            return " ".join(toks)

        add("title_typo_first_word", ok, typo_first)

        def typo_two(t: dict, r: random.Random) -> str | None:
            toks = t["title"].split()
            idx = [i for i, w in enumerate(toks) if len(w) >= 5 and w.isalpha()]
            if len(idx) < 2:
                return None
            for i in r.sample(idx, 2):
                toks[i] = typo(toks[i], r)
            return " ".join(toks)

        add("title_two_typos", ok, typo_two)

        def drop(t: dict, r: random.Random) -> str | None:
            toks = t["title"].split()
            idx = [i for i, w in enumerate(toks) if w.lower() not in STOP and len(w) >= 3]
            if len(toks) < 5 or not idx:
                return None
            del toks[r.choice(idx)]
            return " ".join(toks)

        add("title_dropped_word", ok, drop)

        def swap(t: dict, r: random.Random) -> str | None:
            toks = t["title"].split()
            if len(toks) < 4:
                return None
            i = r.randrange(0, len(toks) - 1)
            toks[i], toks[i + 1] = toks[i + 1], toks[i]
            return " ".join(toks)

        add("title_swapped_adjacent", ok, swap)

        def reorder(t: dict, r: random.Random) -> str | None:  # "X of Y" -> "Y X"
            m = re.match(r"^(?:The |An? )?(.+?) of (?:the )?(.+)$", t["title"], re.I)
            if not m or len(m.group(1).split()) > 3 or len(m.group(2).split()) > 4:
                return None
            return f"{m.group(2)} {m.group(1)}"

        add("title_reordered_of", ok, reorder)
        add("title_uk_us_spelling", ok, lambda t, r: ukus(t["title"]))

        def prefix(t: dict, r: random.Random) -> str | None:
            toks = t["title"].split()
            if len(toks) < 7:
                return None
            return " ".join(toks[: max(3, int(len(toks) * 0.5))])

        add("title_first_half", ok, prefix)
        add("title+surname+year", ok, lambda t, r: f"{t['title']} {t['_names'][0][1]} {t['year']}")
        # --- author-year ---
        many = [t for t in ok if len(t["_names"]) >= 3]
        two = [t for t in ok if len(t["_names"]) == 2]
        add("ay_etal_year", many, lambda t, r: f"{t['_names'][0][1]} et al. {t['year']}")
        add("ay_paren_etal", many, lambda t, r: f"({t['_names'][0][1]} et al., {t['year']})")
        add(
            "ay_etal_year_word",
            many,
            lambda t, r: (
                f"{t['_names'][0][1]} et al. {t['year']} "
                f"{r.choice(content_words(t['title']) or [''])}"
            ).strip(),
        )
        add(
            "ay_and_other_year",
            two,
            lambda t, r: f"{t['_names'][0][1]} and {t['_names'][1][1]} {t['year']}",
        )
        add(
            "ay_amp_paren",
            two,
            lambda t, r: f"{t['_names'][0][1]} & {t['_names'][1][1]} ({t['year']})",
        )
        add("ay_glued", ok, lambda t, r: glue(t))
        add(
            "ay_glued_word",
            ok,
            lambda t, r: glue(t) + (content_words(t["title"]) or [""])[0].lower(),
        )
        full = [
            t
            for t in ok
            if len(t["_names"][0][0][0]) >= 3
            and not INI.match(t["_names"][0][0][0])
            and content_words(t["title"])
        ]
        add(
            "ay_firstname_first_year_word",
            full,
            lambda t, r: (
                f"{' '.join(t['_names'][0][0])} {t['_names'][0][1]} {t['year']} "
                f"{r.choice(content_words(t['title'])).lower()}"
            ),
        )
        add(
            "ay_possessive",
            ok,
            lambda t, r: (
                f"{t['_names'][0][1]}'s {t['year']} paper on "
                f"{r.choice(content_words(t['title']) or ['x']).lower()}"
            ),
        )
        # --- identifiers ---
        d = [t for t in real if t["ids"].get("doi")]
        a = [t for t in real if t["ids"].get("arxiv")]
        s2 = [t for t in real if t["ids"].get("s2")]
        oa = [t for t in real if t["ids"].get("openalex")]
        add("id_DOI_colon_space", d, lambda t, r: f"DOI: {t['ids']['doi']}")
        add("id_doi_url_upper", d, lambda t, r: f"https://doi.org/{t['ids']['doi'].upper()}")
        add("id_doi_noscheme", d, lambda t, r: f"doi.org/{t['ids']['doi']}")
        add("id_dx_doi_http", d, lambda t, r: f"http://dx.doi.org/{t['ids']['doi']}")
        add("id_doi_trailing_period", d, lambda t, r: f"doi:{t['ids']['doi']}.")
        add(
            "id_doi_urlencoded",
            d,
            lambda t, r: f"https://doi.org/{t['ids']['doi'].replace('/', '%2F', 1)}",
        )
        add("id_doi_angle", d, lambda t, r: f"<https://doi.org/{t['ids']['doi']}>")
        add("id_arxiv_v2", a, lambda t, r: f"arXiv:{t['ids']['arxiv']}v2")
        add("id_arxiv_pdf_noscheme", a, lambda t, r: f"arxiv.org/pdf/{t['ids']['arxiv']}.pdf")
        add(
            "id_arxiv_pdf_https",
            a,
            lambda t, r: f"https://arxiv.org/pdf/{t['ids']['arxiv']}v1.pdf",
        )
        add("id_arxiv_abs_noscheme", a, lambda t, r: f"arxiv.org/abs/{t['ids']['arxiv']}")
        add("id_arxiv_export", a, lambda t, r: f"https://export.arxiv.org/abs/{t['ids']['arxiv']}")
        add(
            "id_arxiv_doi",
            a,
            lambda t, r: f"https://doi.org/10.48550/arXiv.{t['ids']['arxiv']}",
        )
        add("id_arxiv_bracket_cat", a, lambda t, r: f"arXiv:{t['ids']['arxiv']} [cs.LG]")
        add("id_arxiv_space", a, lambda t, r: f"arXiv {t['ids']['arxiv']}")
        add("id_CorpusId", real, lambda t, r: f"CorpusId:{t['ids']['corpus_id']}")
        add("id_corpus_id_spaced", real, lambda t, r: f"Corpus ID: {t['ids']['corpus_id']}")
        add("id_S2CID", real, lambda t, r: f"S2CID {t['ids']['corpus_id']}")
        add("id_s2cid_lower_colon", real, lambda t, r: f"s2cid:{t['ids']['corpus_id']}")
        add(
            "id_s2_api_url",
            real,
            lambda t, r: f"https://api.semanticscholar.org/CorpusID:{t['ids']['corpus_id']}",
        )
        add(
            "id_s2_url_slug",
            s2,
            lambda t, r: (
                "https://www.semanticscholar.org/paper/"
                + "-".join(re.findall(r"\w+", t["title"])[:8])
                + "-"
                + (t["_names"][0][1] if t["_names"] else "X")
                + "/"
                + t["ids"]["s2"]
            ),
        )
        add(
            "id_openalex_works_url",
            oa,
            lambda t, r: f"https://openalex.org/works/{t['ids']['openalex']}",
        )
        add(
            "id_openalex_api_lower",
            oa,
            lambda t, r: f"https://api.openalex.org/works/{t['ids']['openalex'].lower()}",
        )
        add("id_openalex_colon", oa, lambda t, r: f"openalex:{t['ids']['openalex']}")
        # --- a title whose ": " lost its space (PDF extraction), alone and in a reference ---
        # One sample for both classes, as the probe drew it ("colon" at the default seed).
        colon = [
            t for t in real if t["_ok_names"] and t["year"] and re.search(r"\w: \w", t["title"])
        ]
        random.Random("colon" if seed == SEED else f"{seed}-colon").shuffle(colon)
        for t in colon[:per]:
            out.append(
                {"class": "title_colon_nospace", "q": colon_nospace(t["title"]), "target": t["key"]}
            )
        for t in colon[:per]:
            q = self.apa(t, colon_nospace(t["title"]))
            out.append({"class": "ref_apa_colon_nospace", "q": q, "target": t["key"]})
        return out


def run(lib, queries: list[dict], pid: dict[str, int]) -> list[dict]:
    """Each query through the engine and the write resolver, one row each."""
    from citetui.core.query import QueryError
    from citetui.search import search
    from citetui.search.resolver import resolve
    from citetui.store import NotFound

    for q in queries[:20]:  # warm the term list and the page cache
        with contextlib.suppress(QueryError):
            search(lib, q["q"], limit=10)
    rows = []
    t_start = time.perf_counter()
    for k, q in enumerate(queries):
        if k % 1000 == 0:
            print(
                f"{k}/{len(queries)} queries, {time.perf_counter() - t_start:.0f} s",
                file=sys.stderr,
                flush=True,
            )
        tgt = pid[q["target"]]
        err = None
        t0 = time.perf_counter()
        try:
            ids = list(search(lib, q["q"], limit=10).ids[:10])
        except QueryError as exc:
            ids, err = [], str(exc)[:120]
        ms = (time.perf_counter() - t0) * 1000
        got: int | None = None
        try:
            got = resolve(lib, q["q"], write=True).paper.id
            res = "right" if got == tgt else "wrong"
        except (NotFound, QueryError):
            res = "refused"
        except Exception as exc:  # a crash is a finding, not the end of the run
            res = f"crash {type(exc).__name__}: {exc}"[:160]
        rows.append(
            {
                **q,
                "tid": tgt,
                "rank": ids.index(tgt) + 1 if tgt in ids else None,
                "ms": ms,
                "err": err,
                "resolve": res,
                "resolved_to": got,
            }
        )
    return rows


def brute(lib, rows: list[dict], per_class: int) -> None:
    """Rank of the target by brute-force rapidfuzz over "title authors year" of every paper
    (ties by the engine's fixed hash of the id), on the first ``per_class`` rows of each
    class but the identifier ones: a yardstick of what plain fuzzy matching finds."""
    from rapidfuzz import fuzz, process, utils

    from citetui.search.closest import mix

    papers = lib._rows("SELECT id, coalesce(title, summary, ''), authors, year FROM papers")
    keys = [p[0] for p in papers]
    texts = [
        utils.default_process(f"{t} {' '.join(json.loads(au)) if au else ''} {y or ''}")
        for _, t, au, y in papers
    ]
    seen: dict[str, int] = {}
    for r in rows:
        if r["class"].startswith("id_") or seen.get(r["class"], 0) >= per_class:
            continue
        seen[r["class"]] = seen.get(r["class"], 0) + 1
        qp = utils.default_process(r["q"])
        for name, scorer in (("wratio", fuzz.WRatio), ("token_set", fuzz.token_set_ratio)):
            top = process.extract(qp, texts, scorer=scorer, processor=None, limit=10)
            ids: list[int] = []
            if top:
                tied = list(
                    process.extract_iter(
                        qp, texts, scorer=scorer, processor=None, score_cutoff=top[-1][1]
                    )
                )
                tied.sort(key=lambda x: (-x[1], mix(keys[x[2]])))
                ids = [keys[i] for _, _, i in tied[:10]]
            r[name] = ids.index(r["tid"]) + 1 if r["tid"] in ids else None


def figures(rows: list[dict]) -> dict[str, dict]:
    by: dict[str, list[dict]] = {}
    for r in rows:
        by.setdefault(r["class"], []).append(r)
    out = {}
    for cls, rs in by.items():
        n = len(rs)
        f = {
            "n": n,
            "r1": sum(r["rank"] == 1 for r in rs) / n,
            "r10": sum(r["rank"] is not None for r in rs) / n,
            "p50_ms": pct([r["ms"] for r in rs], 50),
            "query_errors": sum(r["err"] is not None for r in rs),
            "resolved_to_target": sum(r["resolve"] == "right" for r in rs),
            "wrong": sum(r["resolve"] == "wrong" for r in rs),
            "refused": sum(r["resolve"] == "refused" for r in rs),
            "crashed": sum(r["resolve"].startswith("crash") for r in rs),
        }
        b = [r for r in rs if "wratio" in r]
        if b:
            f["brute"] = {
                name: {
                    "n": len(b),
                    "r1": sum(r[key] == 1 for r in b) / len(b),
                    "r10": sum(r[key] is not None for r in b) / len(b),
                }
                for name, key in (
                    ("engine", "rank"),
                    ("WRatio", "wratio"),
                    ("token_set_ratio", "token_set"),
                )
            }
        out[cls] = f
    return out


def report(figs: dict[str, dict], papers: int) -> str:
    brute_on = any("brute" in f for f in figs.values())
    head = (
        "| class | n | R@1 | R@10 | p50 ms | query errors | resolver: to target / wrong / refused |"
    )
    rule = "|---|---|---|---|---|---|---|"
    if brute_on:
        head += " brute n | engine R@1/R@10 | WRatio R@1/R@10 | token_set R@1/R@10 |"
        rule += "---|---|---|---|"
    lines = [f"library: {papers:,} papers", "", head, rule]
    tot = {"n": 0, "wrong": 0, "refused": 0, "crashed": 0}
    for cls, f in figs.items():
        res = f"{f['resolved_to_target'] / f['n']:.3f} / {f['wrong']} / {f['refused']}"
        if f["crashed"]:
            res += f" (crashed {f['crashed']})"
        line = (
            f"| {cls} | {f['n']} | {f['r1']:.3f} | {f['r10']:.3f} | {f['p50_ms']:.1f} | "
            f"{f['query_errors']} | {res} |"
        )
        if brute_on:
            b = f.get("brute")
            if b:
                e, w, s = b["engine"], b["WRatio"], b["token_set_ratio"]
                line += (
                    f" {e['n']} | {e['r1']:.2f}/{e['r10']:.2f} | {w['r1']:.2f}/{w['r10']:.2f} | "
                    f"{s['r1']:.2f}/{s['r10']:.2f} |"
                )
            else:
                line += " | | | |"
        lines.append(line)
        for k in tot:
            tot[k] += f[k]
    lines += [
        "",
        f"wrong writes: {tot['wrong']} of {tot['n']:,} queries "
        f"({tot['refused']:,} refused, {tot['crashed']} crashed)",
    ]
    return "\n".join(lines)


def main(argv: list[str] | None = None) -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--work", type=Path, required=True)
    ap.add_argument("--n", type=int, default=25_000, help="papers in the library")
    ap.add_argument("--per", type=int, default=300, help="queries a class (at most)")
    ap.add_argument("--brute", type=int, default=0, help="queries a class for brute force")
    ap.add_argument("--seed", type=int, default=SEED)
    ap.add_argument("--json", type=Path)
    a = ap.parse_args(argv)
    lib, real, _, pid = real_library(a.work, a.n)
    queries = Variants(real).classes(a.per, a.seed)
    rows = run(lib, queries, pid)
    if a.brute:
        brute(lib, rows, a.brute)
    figs = figures(rows)
    papers = lib._rows("SELECT count(*) FROM papers")[0][0]
    print(report(figs, papers))
    if a.json:
        bad = [r for r in rows if r["resolve"] != "right" and r["resolve"] != "refused"]
        titles = {i: lib.paper(i).title for r in bad for i in (r["tid"], r["resolved_to"]) if i}
        wrong = [
            {
                "class": r["class"],
                "query": r["q"],
                "target_id": r["tid"],
                "target_title": titles.get(r["tid"]),
                "written_to_id": r["resolved_to"],
                "written_to_title": titles.get(r["resolved_to"]),
                **({"crash": r["resolve"]} if r["resolve"].startswith("crash") else {}),
            }
            for r in bad
        ]
        out = {
            "library": str(lib.path),
            "papers": papers,
            "per": a.per,
            "seed": a.seed,
            "brute": a.brute,
            "classes": figs,
            "wrong_writes": [w for w in wrong if "crash" not in w],
            "crashes": [w for w in wrong if "crash" in w],
        }
        a.json.write_text(json.dumps(out, indent=1, ensure_ascii=False))


if __name__ == "__main__":
    main()
