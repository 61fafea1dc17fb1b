"""Importing a citetui hub bundle (docs/bundle-format.md, citetui/schemas/bundle.schema.json)."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from citetui.importers.errors import InputError
from citetui.importers.jsonio import load_json
from citetui.models import POLARITIES, ROLES
from citetui.store.writer import PaperIn, Writer

FORMAT = "bundle"
ID_KEYS = {"doi": "doi", "arxiv": "arxiv", "s2": "s2_id", "corpus_id": "corpus_id",
           "openalex": "openalex_id"}
_STR_FIELDS = ("title", "venue", "abstract", "summary", "summary_source", "url")
_INT_FIELDS = ("year", "citation_count")


def detect(head: str) -> bool:
    """Whether the start of a file looks like a bundle."""
    return '"citetui-bundle"' in head


class _Check:
    """Type checks that raise an InputError naming record and field."""

    def __init__(self, path: Path):
        self.path = str(path)

    def fail(self, record: str, field: str | None, message: str) -> InputError:
        return InputError(self.path, message, record=record, field=field)

    def obj(self, value: Any, record: str, field: str | None = None) -> dict:
        if not isinstance(value, dict):
            raise self.fail(record, field, f"expected an object, got {_kind(value)}")
        return value

    def arr(self, value: Any, record: str, field: str) -> list:
        if value is None:
            return []
        if not isinstance(value, list):
            raise self.fail(record, field, f"expected a list, got {_kind(value)}")
        return value

    def opt_str(self, value: Any, record: str, field: str) -> str | None:
        if value is not None and not isinstance(value, str):
            raise self.fail(record, field, f"expected a string, got {_kind(value)}")
        return value

    def opt_int(self, value: Any, record: str, field: str) -> int | None:
        if value is not None and (not isinstance(value, int) or isinstance(value, bool)):
            raise self.fail(record, field, f"expected an integer, got {_kind(value)}")
        return value

    def opt_num(self, value: Any, record: str, field: str) -> float | None:
        if value is not None and (not isinstance(value, (int, float)) or isinstance(value, bool)):
            raise self.fail(record, field, f"expected a number, got {_kind(value)}")
        return value

    def vocab(self, value: Any, vocab: tuple[str, ...], record: str, field: str) -> str:
        if value not in vocab:
            raise self.fail(record, field, f"unknown value {value!r} (expected one of "
                            f"{', '.join(vocab)})")
        return value


def _kind(value: Any) -> str:
    return {dict: "an object", list: "a list", str: "a string", bool: "a boolean",
            int: "an integer", float: "a number", type(None): "null"}.get(type(value), "a value")


def _paper(chk: _Check, raw: Any, record: str) -> PaperIn:
    raw = chk.obj(raw, record)
    vals: dict[str, Any] = {}
    for f in _STR_FIELDS:
        vals[f] = chk.opt_str(raw.get(f), record, f)
    for f in _INT_FIELDS:
        vals[f] = chk.opt_int(raw.get(f), record, f)
    ids = chk.obj(raw.get("ids") or {}, record, "ids")
    for key, col in ID_KEYS.items():
        val = ids.get(key)
        vals[col] = chk.opt_int(val, record, f"ids.{key}") if key == "corpus_id" else \
            chk.opt_str(val, record, f"ids.{key}")
    authors = []
    for i, a in enumerate(chk.arr(raw.get("authors"), record, "authors")):
        name = a.get("name") if isinstance(a, dict) else a
        authors.append(chk.opt_str(name, record, f"authors[{i}]") or "")
    paper = PaperIn(**vals, authors=authors)
    if not (paper.title or paper.summary or paper.normalised().has_ids()):
        raise chk.fail(record, "title", "a paper needs a title, a summary or an identifier")
    return paper


def load(path: Path, writer: Writer, **_: Any) -> None:
    """Validate the whole bundle, then write it through ``writer``."""
    chk = _Check(path)
    doc = chk.obj(load_json(path), "document")
    if doc.get("format") != "citetui-bundle":
        raise chk.fail("document", "format", "not a citetui bundle (expected \"citetui-bundle\")")
    if doc.get("version") != 1:
        raise chk.fail("document", "version", f"unsupported bundle version {doc.get('version')!r}")
    source = chk.obj(doc.get("source"), "document", "source")
    name = chk.opt_str(source.get("name"), "source", "name")
    if not name:
        raise chk.fail("source", "name", "a bundle must name its source")
    writer.source = name

    papers: dict[str, PaperIn] = {}
    for i, raw in enumerate(chk.arr(doc.get("papers"), "document", "papers")):
        rec = f"papers[{i}]"
        key = chk.opt_str(chk.obj(raw, rec).get("key"), rec, "key")
        if not key:
            raise chk.fail(rec, "key", "every paper needs a key")
        if key in papers:
            raise chk.fail(rec, "key", f"duplicate key {key!r}")
        papers[key] = _paper(chk, raw, f"{rec} ({key})")

    def ref(value: Any, record: str, field: str) -> str:
        if not isinstance(value, str) or value not in papers:
            raise chk.fail(record, field, f"refers to unknown paper key {value!r}")
        return value

    hub = doc.get("hub")
    hub = chk.obj(hub, "hub") if hub is not None else None
    citations = []
    for i, raw in enumerate(chk.arr(doc.get("citations"), "document", "citations")):
        rec = f"citations[{i}]"
        raw = chk.obj(raw, rec)
        citing = ref(raw.get("citing"), rec, "citing")
        cited = ref(raw.get("cited"), rec, "cited")
        roles = [chk.vocab(r, ROLES, rec, "roles") for r in chk.arr(raw.get("roles"), rec, "roles")]
        pol = raw.get("polarity")
        if pol is not None:
            chk.vocab(pol, POLARITIES, rec, "polarity")
        infl = raw.get("influential")
        if infl is not None and not isinstance(infl, bool):
            raise chk.fail(rec, "influential", f"expected true, false or null, got {_kind(infl)}")
        contexts = []
        for j, c in enumerate(chk.arr(raw.get("contexts"), rec, "contexts")):
            c = chk.obj(c, rec, f"contexts[{j}]")
            text = chk.opt_str(c.get("text"), rec, f"contexts[{j}].text")
            croles = [chk.vocab(r, ROLES, rec, f"contexts[{j}].roles")
                      for r in chk.arr(c.get("roles"), rec, f"contexts[{j}].roles")]
            if text:
                contexts.append((text, croles))
        csource = chk.opt_str(raw.get("source"), rec, "source")
        citations.append((citing, cited, roles, pol, infl, contexts, csource))

    if hub is not None:
        hub_key = ref(hub.get("paper"), "hub", "paper")
        tier = chk.opt_str(hub.get("tier"), "hub", "tier")
        verdict = chk.opt_str(hub.get("verdict"), "hub", "verdict")
        summaries = chk.obj(hub.get("recorded_summaries") or {}, "hub", "recorded_summaries")
        recorded: dict[str, list[dict]] = {}
        for kind, vocab in (("role", ROLES), ("polarity", POLARITIES)):
            bars = []
            for j, bar in enumerate(chk.arr(summaries.get(kind), "hub", f"recorded_summaries.{kind}")):
                fld = f"recorded_summaries.{kind}[{j}]"
                bar = chk.obj(bar, "hub", fld)
                label = chk.vocab(bar.get("label"), vocab, "hub", f"{fld}.label")
                share = chk.opt_num(bar.get("share"), "hub", f"{fld}.share")
                if share is not None and not 0 <= share <= 1:
                    raise chk.fail("hub", f"{fld}.share", f"share {share} is not between 0 and 1")
                count = chk.opt_int(bar.get("count"), "hub", f"{fld}.count")
                if share is None and count is None:
                    raise chk.fail("hub", fld, "a summary bar needs a share or a count")
                bars.append({"label": label, "share": share, "count": count})
            if bars:
                recorded[kind] = bars
        claims = []
        for j, c in enumerate(chk.arr(hub.get("claims"), "hub", "claims")):
            rec = f"hub.claims[{j}]"
            c = chk.obj(c, rec)
            text = chk.opt_str(c.get("text"), rec, "text")
            if not text:
                raise chk.fail(rec, "text", "a claim needs its text")
            engaged = []
            for k, e in enumerate(chk.arr(c.get("engaged_by"), rec, "engaged_by")):
                e = chk.obj(e, rec, f"engaged_by[{k}]")
                key = ref(e.get("paper"), rec, f"engaged_by[{k}].paper")
                stance = e.get("stance") or "unknown"
                chk.vocab(stance, POLARITIES, rec, f"engaged_by[{k}].stance")
                ctx = chk.opt_str(e.get("context"), rec, f"engaged_by[{k}].context")
                engaged.append((key, stance, ctx))
            claims.append((text, engaged))
        cocited = []
        for j, c in enumerate(chk.arr(hub.get("cocited"), "hub", "cocited")):
            c = chk.obj(c, "hub", f"cocited[{j}]")
            cocited.append((ref(c.get("paper"), "hub", f"cocited[{j}].paper"),
                            chk.opt_int(c.get("count"), "hub", f"cocited[{j}].count")))
        reps = [ref(k, "hub", f"representative[{j}]")
                for j, k in enumerate(chk.arr(hub.get("representative"), "hub", "representative"))]

    # Everything is valid: write it.
    pid = {key: writer.upsert_paper(p) for key, p in papers.items()}
    for citing, cited, roles, pol, infl, contexts, csource in citations:
        writer.upsert_citation(pid[citing], pid[cited], roles=roles, polarity=pol,
                               influential=infl, contexts=contexts, source=csource)
    if hub is not None:
        hid = pid[hub_key]
        writer.mark_hub(hid, tier=tier, verdict=verdict)
        for kind, bars in recorded.items():
            writer.set_recorded_summary(hid, kind, bars)
        for pos, (text, engaged) in enumerate(claims):
            cid = writer.add_claim(hid, pos, text)
            for key, stance, ctx in engaged:
                writer.engage_claim(cid, pid[key], stance, ctx)
        for key, count in cocited:
            writer.add_cocited(hid, pid[key], count)
        if reps:
            writer.set_representatives(hid, [pid[k] for k in reps])
