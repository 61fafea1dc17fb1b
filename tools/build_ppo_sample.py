#!/usr/bin/env python3
"""Build the bundled sample hub bundle ``data/ppo-hub.json`` from the PPO hub page.

One-off script.  Usage::

    python tools/build_ppo_sample.py PATH/TO/ppo-hub-page.txt > data/ppo-hub.json

The input is the text of one hub page of a citation-analysis site for
"Proximal Policy Optimization Algorithms" (``ppo-hub-page.txt`` in the
project's shared data; its README describes it).  The output is a citetui hub
bundle (docs/bundle-format.md, version 1) written to stdout as UTF-8 JSON
(indent=1, ensure_ascii=False).  Counts and notes go to stderr.

Only facts from the page (and its data README) are recorded; where the page
gives no value, the bundle records none rather than inventing one.  The
output is deterministic: it depends only on the input text.
"""

from __future__ import annotations

import json
import re
import sys

# --- Facts about the hub paper that the page itself does not spell out. ----
# The page's "authors" heading has no body (it was a widget), so the authors,
# year and arXiv id come from the data README that describes the page
# ("Schulman, Wolski, Dhariwal, Radford, Klimov; 2017; arXiv 1707.06347").
HUB_KEY = "hub"
HUB_YEAR = 2017
HUB_ARXIV = "1707.06347"
HUB_AUTHORS = [
    "John Schulman",
    "Filip Wolski",
    "Prafulla Dhariwal",
    "Alec Radford",
    "Oleg Klimov",
]
HUB_VENUE = "arXiv"  # an arXiv preprint
HUB_URL = "https://arxiv.org/abs/" + HUB_ARXIV

SOURCE = {
    "name": "hub-page",
    "description": "PPO hub page of a citation-analysis site, transcribed in ppo-hub-page.txt",
    "url": None,
    "retrieved": None,
}
SUMMARY_SOURCE = "hub-page"

# Section headings, exactly as they appear on the page, in page order.
H_ABSTRACT = "abstract"
H_TOOLS = "hub tools"
H_CLAIMS = "claims ledger"
H_AUTHORS = "authors"
H_COCITED = "co-cited works"
H_REPRESENTATIVE = "representative citing papers"
H_EXPLORER = "citing papers explorer"
EXPLORER_SEPARATOR = "-"
CLAIM_PREFIX = "- abstract "


def fail(msg: str) -> None:
    raise SystemExit(f"build_ppo_sample: {msg}")


def note(msg: str) -> None:
    print(msg, file=sys.stderr)


def norm_title(title: str) -> str:
    """Casefold and collapse every run of non-alphanumerics to one space."""
    return re.sub(r"[\W_]+", " ", title.casefold()).strip()


def heading_index(lines: list[str], heading: str) -> int:
    hits = [i for i, line in enumerate(lines) if line == heading]
    if len(hits) != 1:
        fail(f"expected exactly one {heading!r} heading line, found {len(hits)}")
    return hits[0]


def body(lines: list[str], start_heading: str, end_heading: str) -> list[str]:
    start = heading_index(lines, start_heading)
    end = heading_index(lines, end_heading)
    if end <= start:
        fail(f"{end_heading!r} comes before {start_heading!r}")
    return lines[start + 1 : end]


def parse(text: str) -> dict:
    # Split on "\n" only (str.splitlines would also split on unicode line
    # separators); keep every line exactly as it is apart from a CR.
    lines = [line.removesuffix("\r") for line in text.split("\n")]
    while lines and lines[-1] == "":
        lines.pop()

    # Line 1 is the one-sentence summary of an unrelated paper shown on the
    # same page (see the data README): it is not part of the hub.
    unrelated = lines[0]
    lines = lines[1:]

    # Header: "mega hub Mixed citations", the title, the verdict sentence.
    header = lines[0]
    m = re.fullmatch(r"(mega hub|hub)\s+(.+)", header)
    if not m:
        fail(f"unexpected header line {header!r}")
    tier, verdict = m.group(1), m.group(2)
    title = lines[1]
    m = re.search(r"Most common role is (\w+) \((\d+)%\)", lines[2])
    if not m:
        fail(f"no 'most common role' in {lines[2]!r}")
    role_label, role_pct = m.group(1), int(m.group(2))

    abstract_body = body(lines, H_ABSTRACT, H_TOOLS)
    if len(abstract_body) != 1:
        fail(f"expected a one-line abstract, got {len(abstract_body)} lines")
    abstract = abstract_body[0]

    claim_lines = body(lines, H_CLAIMS, H_AUTHORS)
    claims = []
    for line in claim_lines:
        if not line.startswith(CLAIM_PREFIX):
            fail(f"unexpected claims-ledger line {line[:60]!r}")
        claims.append(line[len(CLAIM_PREFIX) :])

    if body(lines, H_AUTHORS, "mega hub controls"):
        fail("the authors section has a body; this script expects none")
    if body(lines, H_COCITED, H_REPRESENTATIVE):
        fail("the co-cited section has a body; this script expects none")

    representative = body(lines, H_REPRESENTATIVE, H_EXPLORER)

    explorer_lines = lines[heading_index(lines, H_EXPLORER) + 1 :]
    if len(explorer_lines) % 3:
        fail(f"explorer has {len(explorer_lines)} lines, not a multiple of 3")
    explorer = []
    for i in range(0, len(explorer_lines), 3):
        sep, etitle, esummary = explorer_lines[i : i + 3]
        if sep != EXPLORER_SEPARATOR:
            fail(f"explorer line {i}: expected separator {EXPLORER_SEPARATOR!r}, got {sep!r}")
        if not etitle or not esummary or EXPLORER_SEPARATOR in (etitle, esummary):
            fail(f"explorer entry {i // 3 + 1}: empty title or summary")
        explorer.append((etitle, esummary))

    return {
        "unrelated": unrelated,
        "tier": tier,
        "verdict": verdict,
        "title": title,
        "role_label": role_label,
        "role_share": role_pct / 100,
        "abstract": abstract,
        "claims": claims,
        "representative": representative,
        "explorer": explorer,
    }


def build(page: dict) -> dict:
    hub_paper = {
        "key": HUB_KEY,
        "title": page["title"],
        "year": HUB_YEAR,
        "venue": HUB_VENUE,
        "abstract": page["abstract"],
        "summary": None,
        "summary_source": None,
        "url": HUB_URL,
        "citation_count": None,  # the page gives none
        "ids": {"arxiv": HUB_ARXIV},
        "authors": list(HUB_AUTHORS),
    }

    # Citing papers explorer, deduplicated by normalised title (first wins).
    citing: list[dict] = []
    by_norm: dict[str, dict] = {}
    duplicates = []
    for etitle, esummary in page["explorer"]:
        n = norm_title(etitle)
        if n in by_norm:
            kept = by_norm[n]
            duplicates.append((etitle, kept["key"], esummary == kept["summary"]))
            continue
        paper = {
            "key": f"p{len(citing) + 1}",
            "title": etitle,
            "summary": esummary,
            "summary_source": SUMMARY_SOURCE,
        }
        by_norm[n] = paper
        citing.append(paper)

    # Summary text -> explorer paper key (all entries, duplicates included).
    by_summary: dict[str, str] = {}
    for etitle, esummary in page["explorer"]:
        by_summary.setdefault(esummary, by_norm[norm_title(etitle)]["key"])

    # Representative citing papers: link to an explorer paper when the same
    # summary text is there, otherwise create a summary-only paper.
    representative: list[str] = []
    summary_only: list[dict] = []
    linked = 0
    for summary in page["representative"]:
        if summary in by_summary:
            key = by_summary[summary]
            linked += 1
        else:
            key = f"p{len(citing) + len(summary_only) + 1}"
            summary_only.append(
                {
                    "key": key,
                    "title": None,
                    "summary": summary,
                    "summary_source": SUMMARY_SOURCE,
                }
            )
            by_summary[summary] = key  # a repeated summary reuses the key
        representative.append(key)

    papers = [hub_paper] + citing + summary_only
    citations = [
        {"citing": p["key"], "cited": HUB_KEY, "contexts": []} for p in citing + summary_only
    ]

    bundle = {
        "format": "citetui-bundle",
        "version": 1,
        "source": dict(SOURCE),
        "hub": {
            "paper": HUB_KEY,
            "tier": page["tier"],
            "verdict": page["verdict"],
            "recorded_summaries": {
                "role": [{"label": page["role_label"], "share": page["role_share"], "count": None}],
                "polarity": [],  # the page gives no polarity summary
            },
            "claims": [{"text": t, "engaged_by": []} for t in page["claims"]],
            "cocited": [],  # heading with no body on the page
            "representative": representative,
        },
        "papers": papers,
        "citations": citations,
    }

    validate(bundle)

    note(f"explorer entries:              {len(page['explorer'])}")
    note(f"duplicates removed (by title): {len(duplicates)}")
    for dtitle, kept_key, same_summary in duplicates:
        note(
            f"  duplicate of {kept_key} ({'same' if same_summary else 'DIFFERENT'} summary): "
            f"{dtitle}"
        )
    note(f"citing papers from explorer:   {len(citing)}")
    note(
        f"representative papers:         {len(representative)}"
        f" ({linked} linked to explorer, {len(summary_only)} summary-only)"
    )
    note(f"summary-only papers:           {len(summary_only)}")
    note(f"papers (incl. hub):            {len(papers)}")
    note(f"citations:                     {len(citations)}")
    note(f"claims:                        {len(page['claims'])}")
    return bundle


def validate(bundle: dict) -> None:
    keys = [p["key"] for p in bundle["papers"]]
    if len(set(keys)) != len(keys):
        fail("duplicate paper keys")
    known = set(keys)
    for p in bundle["papers"]:
        if not p.get("title") and not p.get("summary"):
            fail(f"paper {p['key']} has neither title nor summary")
    hub = bundle["hub"]
    refs = [hub["paper"], *hub["representative"]]
    refs += [e["paper"] for c in hub["claims"] for e in c["engaged_by"]]
    refs += [c["paper"] for c in hub["cocited"]]
    for c in bundle["citations"]:
        refs += [c["citing"], c["cited"]]
    missing = sorted(set(refs) - known)
    if missing:
        fail(f"unknown keys referenced: {missing}")
    edges = [(c["citing"], c["cited"]) for c in bundle["citations"]]
    if len(set(edges)) != len(edges):
        fail("duplicate citation edges")
    uncited = known - {HUB_KEY} - {c for c, _ in edges}
    if uncited:
        fail(f"papers without a citation edge: {sorted(uncited)}")
    for entry in hub["recorded_summaries"]["role"]:
        if not 0 <= entry["share"] <= 1:
            fail("role share out of range")


def main(argv: list[str]) -> int:
    if len(argv) != 2:
        print(__doc__.strip().splitlines()[0], file=sys.stderr)
        print(
            "usage: build_ppo_sample.py PATH/TO/ppo-hub-page.txt > data/ppo-hub.json",
            file=sys.stderr,
        )
        return 2
    with open(argv[1], encoding="utf-8", newline="") as f:
        text = f.read()
    bundle = build(parse(text))
    sys.stdout.reconfigure(encoding="utf-8")
    json.dump(bundle, sys.stdout, indent=1, ensure_ascii=False)
    sys.stdout.write("\n")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
