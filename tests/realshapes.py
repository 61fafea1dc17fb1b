"""Real-shaped 1,000-paper hubs built from the real records in ../shared only.

No shared file holds a 1,000-paper hub with abstracts: the recorded walk of
CorpusID:14514057's citations has 1,881 real citing papers but titles only; the two
/references walks hold 214 full paper objects (207 with an abstract) and 229 real
edges with contexts, intents and the influential flag; the bulk sample holds real
abstracts. These builders recombine them, and nothing else, into the shapes a user
meets: a ``/paper/{id}`` record embedding 1,000 citing papers (774 with an abstract,
as the reported Turing hub), and a ``/citations`` page of 1,000 edges whose contexts
and intents are the real edges', cycled. The hub's title is null, as the cassette
gives none (``titled`` gives it one, for the screens that want one).
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

HUB_CORPUS_ID = 14514057
ABSTRACTS = 774  # of the 1,000 citing papers, as in the reported hub
REFERENCE_PAGES = (
    "references_CorpusID49313245_page0.json",
    "references_CorpusID1033682_page0.json",
    "references_CorpusID1033682_page100.json",
)
EDGE_FIELDS = ("contexts", "intents", "contextsWithIntent", "isInfluential")


def _references(shared: Path) -> tuple[list[dict[str, Any]], list[dict[str, Any]]]:
    """The distinct full paper objects of the /references pages, and their edges' payloads."""
    full: dict[str, dict[str, Any]] = {}
    payloads = []
    for name in REFERENCE_PAGES:
        for e in json.loads((shared / "s2" / name).read_text())["data"]:
            p = e["citedPaper"]
            if p.get("paperId"):
                full.setdefault(p["paperId"], p)
            payloads.append({k: e[k] for k in EDGE_FIELDS})
    return list(full.values()), payloads


def _thin_citers(shared: Path) -> list[dict[str, Any]]:
    """The real citing papers of the recorded walk ({paperId, title})."""
    from tests.test_import_s2 import cassette_pages

    return [e["citingPaper"] for body in cassette_pages(shared) for e in json.loads(body)["data"]]


def citing_papers(shared: Path, n: int = 1000) -> list[dict[str, Any]]:
    """``n`` citing papers: the full objects first, then the walk's; ABSTRACTS of them with
    an abstract (their own, else a real one from the bulk sample, cycled)."""
    full, _ = _references(shared)
    papers = list(full)
    seen = {p["paperId"] for p in papers}
    for p in _thin_citers(shared):
        if len(papers) >= n:
            break
        if p["paperId"] not in seen:
            seen.add(p["paperId"])
            papers.append(dict(p, abstract=None))
    lines = (shared / "s2" / "bulk" / "abstracts.jsonl").read_text().splitlines()
    texts = [a for a in (json.loads(x).get("abstract") for x in lines if x.strip()) if a]
    have = sum(1 for p in papers if p.get("abstract"))
    i = 0
    for p in papers:
        if have >= ABSTRACTS:
            break
        if not p.get("abstract"):
            p["abstract"] = texts[i % len(texts)]
            i += 1
            have += 1
    return papers[:n]


def paper_record(shared: Path, out: Path, *, titled: bool = False) -> Path:
    """A /paper/{id} record of the hub embedding 1,000 citing papers (no contexts)."""
    record = {
        "corpusId": HUB_CORPUS_ID,
        "title": "Computing Machinery and Intelligence" if titled else None,
        "year": 1950 if titled else None,
        "citationCount": None,
        "citations": citing_papers(shared),
    }
    path = out / f"paper_CorpusID{HUB_CORPUS_ID}.json"
    path.write_text(json.dumps(record))
    return path


def citations_page(shared: Path, out: Path) -> Path:
    """A /citations page of 1,000 edges to the hub: real citing papers, and the real edges'
    contexts, intents and influential flags, cycled."""
    _, payloads = _references(shared)
    data = [
        dict(payloads[i % len(payloads)], citingPaper=p)
        for i, p in enumerate(citing_papers(shared))
    ]
    path = out / f"citations_CorpusID{HUB_CORPUS_ID}_page0.json"
    path.write_text(json.dumps({"offset": 0, "data": data}))
    return path
