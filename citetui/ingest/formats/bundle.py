"""Importing a citetui hub bundle (docs/bundle-format.md, citetui/schemas/bundle.schema.json).

The whole bundle is validated before anything is written. A problem with the
document itself (not JSON, not a bundle, no source) always stops the import; a
problem with one record (a paper, a citation, a claim...) is passed to
``writer.bad_record``, which stops the import too unless ``--skip-invalid`` was
given, in which case the record is reported and left out. Records that refer to
a left-out paper are left out with it.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from citetui.core.vocab import POLARITIES, ROLES, STATUSES
from citetui.ingest.errors import InputError
from citetui.ingest.jsonio import load_json
from citetui.store.write import PaperIn, Writer

FORMAT = "bundle"
ID_KEYS = {
    "doi": "doi",
    "arxiv": "arxiv",
    "s2": "s2_id",
    "corpus_id": "corpus_id",
    "openalex": "openalex_id",
}
_STR_FIELDS = ("title", "venue", "abstract", "summary", "summary_source", "url")
# Integer fields and the range each may take (SQLite integers are 64-bit).
INT_MAX = 2**63 - 1
_INT_FIELDS = {"year": (1, 9999), "citation_count": (0, INT_MAX)}
_COUNT = (0, INT_MAX)


def detect(head: str) -> bool:
    """Whether the start of a file looks like a bundle."""
    return '"citetui-bundle"' in head


def _kind(value: Any) -> str:
    return {
        dict: "an object",
        list: "a list",
        str: "a string",
        bool: "a boolean",
        int: "an integer",
        float: "a number",
        type(None): "null",
    }.get(type(value), "a value")


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

    def opt_int(
        self, value: Any, record: str, field: str, bounds: tuple[int, int] = _COUNT
    ) -> int | None:
        if value is None:
            return None
        if not isinstance(value, int) or isinstance(value, bool):
            raise self.fail(record, field, f"expected an integer, got {_kind(value)}")
        lo, hi = bounds
        if not lo <= value <= hi:
            shown = str(value) if len(str(value)) <= 30 else f"a {len(str(value))}-digit number"
            raise self.fail(record, field, f"{shown} is out of range ({lo} to {hi})")
        return value

    def opt_num(self, value: Any, record: str, field: str) -> float | None:
        if value is not None and (not isinstance(value, (int, float)) or isinstance(value, bool)):
            raise self.fail(record, field, f"expected a number, got {_kind(value)}")
        return value

    def vocab(self, value: Any, vocab: tuple[str, ...], record: str, field: str) -> str:
        if value not in vocab:
            shown = repr(value) if len(repr(value)) <= 60 else repr(value)[:57] + "..."
            raise self.fail(
                record, field, f"unknown value {shown} (expected one of {', '.join(vocab)})"
            )
        return value


def _paper(chk: _Check, raw: dict, record: str) -> PaperIn:
    vals: dict[str, Any] = {}
    for f in _STR_FIELDS:
        vals[f] = chk.opt_str(raw.get(f), record, f)
    for f, bounds in _INT_FIELDS.items():
        vals[f] = chk.opt_int(raw.get(f), record, f, bounds)
    ids = chk.obj(raw.get("ids") or {}, record, "ids")
    for key, col in ID_KEYS.items():
        val = ids.get(key)
        vals[col] = (
            chk.opt_int(val, record, f"ids.{key}")
            if key == "corpus_id"
            else chk.opt_str(val, record, f"ids.{key}")
        )
    authors = []
    for i, a in enumerate(chk.arr(raw.get("authors"), record, "authors")):
        name = a.get("name") if isinstance(a, dict) else a
        authors.append(chk.opt_str(name, record, f"authors[{i}]") or "")
    paper = PaperIn(**vals, authors=authors)
    norm = paper.normalised()
    if not (norm.title or norm.summary or norm.has_ids()):
        raise chk.fail(record, "title", "a paper needs a title, a summary or an identifier")
    return paper


class _Bundle:
    """One bundle being validated: the papers by key and what refers to them."""

    def __init__(self, path: Path, writer: Writer):
        self.chk = _Check(path)
        self.writer = writer
        self.papers: dict[str, PaperIn] = {}
        self.left_out: set[str] = set()  # keys of papers left out with --skip-invalid

    def bad(self, err: InputError) -> None:
        self.writer.bad_record(err)

    def ref(self, value: Any, record: str, field: str) -> str:
        if isinstance(value, str) and value in self.papers:
            return value
        if isinstance(value, str) and value in self.left_out:
            raise self.chk.fail(record, field, f"refers to paper {value!r}, which was left out")
        shown = repr(value) if len(repr(value)) <= 60 else repr(value)[:57] + "..."
        raise self.chk.fail(record, field, f"refers to unknown paper key {shown}")

    def read_papers(self, items: list) -> None:
        chk = self.chk
        for i, raw in enumerate(items):
            rec = f"papers[{i}]"
            key = None
            try:
                raw = chk.obj(raw, rec)
                key = chk.opt_str(raw.get("key"), rec, "key")
                if not key:
                    raise chk.fail(rec, "key", "every paper needs a key")
                if key in self.papers or key in self.left_out:
                    dup, key = key, None  # the first record with the key stands
                    raise chk.fail(rec, "key", f"duplicate key {dup!r}")
                self.papers[key] = _paper(chk, raw, f"{rec} ({key})")
            except InputError as err:
                if key:
                    self.left_out.add(key)
                self.bad(err)

    def read_citation(self, raw: Any, rec: str) -> tuple:
        chk = self.chk
        raw = chk.obj(raw, rec)
        citing = self.ref(raw.get("citing"), rec, "citing")
        cited = self.ref(raw.get("cited"), rec, "cited")
        if citing == cited:
            raise chk.fail(rec, "cited", f"paper {citing!r} cannot cite itself")
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
            croles = [
                chk.vocab(r, ROLES, rec, f"contexts[{j}].roles")
                for r in chk.arr(c.get("roles"), rec, f"contexts[{j}].roles")
            ]
            if text:
                contexts.append((text, croles))
        csource = chk.opt_str(raw.get("source"), rec, "source")
        return citing, cited, roles, pol, infl, contexts, csource

    def read_user(self, user: dict) -> tuple[list, list]:
        """The user's layer an export carries: annotations and label overrides (a bad entry
        fails the import, or is reported and left out with --skip-invalid)."""
        chk = self.chk
        notes, labels = [], []
        for j, a in enumerate(chk.arr(user.get("annotations"), "user", "annotations")):
            try:
                notes.append(self._annotation(a, f"user.annotations[{j}]"))
            except InputError as err:
                self.bad(err)
        for j, lab in enumerate(chk.arr(user.get("labels"), "user", "labels")):
            try:
                labels.append(self._override(lab, f"user.labels[{j}]"))
            except InputError as err:
                self.bad(err)
        return notes, labels

    def _annotation(self, a: Any, rec: str) -> tuple:
        chk = self.chk
        a = chk.obj(a, rec)
        key = self.ref(a.get("paper"), rec, "paper")
        starred = a.get("starred")
        if starred is not None and not isinstance(starred, bool):
            raise chk.fail(rec, "starred", f"expected true or false, got {_kind(starred)}")
        status = a.get("status")
        if status is not None:
            chk.vocab(status, STATUSES, rec, "status")
        tags = [chk.opt_str(t, rec, "tags") or "" for t in chk.arr(a.get("tags"), rec, "tags")]
        note = chk.opt_str(a.get("note"), rec, "note")
        updated = chk.opt_str(a.get("updated_at"), rec, "updated_at")
        return key, bool(starred), status, [t for t in tags if t.strip()], note, updated

    def _override(self, lab: Any, rec: str) -> tuple:
        chk = self.chk
        lab = chk.obj(lab, rec)
        citing = self.ref(lab.get("citing"), rec, "citing")
        cited = self.ref(lab.get("cited"), rec, "cited")
        kind = chk.vocab(lab.get("kind"), ("role", "polarity"), rec, "kind")
        vocab = ROLES if kind == "role" else POLARITIES
        values = [
            chk.vocab(v, vocab, rec, "values") for v in chk.arr(lab.get("values"), rec, "values")
        ]
        if not values or (kind == "polarity" and len(values) > 1):
            raise chk.fail(rec, "values", "expected one polarity, or one or more roles")
        return citing, cited, kind, values, chk.opt_str(lab.get("updated_at"), rec, "updated_at")

    def read_hub(self, hub: dict) -> dict:
        chk = self.chk
        out: dict[str, Any] = {
            "key": self.ref(hub.get("paper"), "hub", "paper"),
            "tier": chk.opt_str(hub.get("tier"), "hub", "tier"),
            "verdict": chk.opt_str(hub.get("verdict"), "hub", "verdict"),
            "recorded": {},
            "claims": [],
            "cocited": [],
            "reps": [],
        }
        summaries = chk.obj(hub.get("recorded_summaries") or {}, "hub", "recorded_summaries")
        for kind, vocab in (("role", ROLES), ("polarity", POLARITIES)):
            bars = []
            items = chk.arr(summaries.get(kind), "hub", f"recorded_summaries.{kind}")
            for j, bar in enumerate(items):
                fld = f"recorded_summaries.{kind}[{j}]"
                try:
                    bars.append(self.read_bar(bar, vocab, fld))
                except InputError as err:
                    self.bad(err)
            if bars:
                out["recorded"][kind] = bars
        for j, c in enumerate(chk.arr(hub.get("claims"), "hub", "claims")):
            try:
                out["claims"].append(self.read_claim(c, f"hub.claims[{j}]"))
            except InputError as err:
                self.bad(err)
        for j, c in enumerate(chk.arr(hub.get("cocited"), "hub", "cocited")):
            try:
                c = chk.obj(c, "hub", f"cocited[{j}]")
                out["cocited"].append(
                    (
                        self.ref(c.get("paper"), "hub", f"cocited[{j}].paper"),
                        chk.opt_int(c.get("count"), "hub", f"cocited[{j}].count"),
                    )
                )
            except InputError as err:
                self.bad(err)
        for j, k in enumerate(chk.arr(hub.get("representative"), "hub", "representative")):
            try:
                out["reps"].append(self.ref(k, "hub", f"representative[{j}]"))
            except InputError as err:
                self.bad(err)
        return out

    def read_bar(self, bar: Any, vocab: tuple[str, ...], fld: str) -> dict:
        chk = self.chk
        bar = chk.obj(bar, "hub", fld)
        label = chk.vocab(bar.get("label"), vocab, "hub", f"{fld}.label")
        share = chk.opt_num(bar.get("share"), "hub", f"{fld}.share")
        if share is not None and not 0 <= share <= 1:
            raise chk.fail("hub", f"{fld}.share", f"share {share} is not between 0 and 1")
        count = chk.opt_int(bar.get("count"), "hub", f"{fld}.count")
        if share is None and count is None:
            raise chk.fail("hub", fld, "a summary bar needs a share or a count")
        return {"label": label, "share": share, "count": count}

    def read_claim(self, c: Any, rec: str) -> tuple[str, list]:
        chk = self.chk
        c = chk.obj(c, rec)
        text = chk.opt_str(c.get("text"), rec, "text")
        if not text or not text.strip():
            raise chk.fail(rec, "text", "a claim needs its text")
        engaged = []
        for k, e in enumerate(chk.arr(c.get("engaged_by"), rec, "engaged_by")):
            try:
                e = chk.obj(e, rec, f"engaged_by[{k}]")
                key = self.ref(e.get("paper"), rec, f"engaged_by[{k}].paper")
                stance = e.get("stance") or "unknown"
                chk.vocab(stance, POLARITIES, rec, f"engaged_by[{k}].stance")
                ctx = chk.opt_str(e.get("context"), rec, f"engaged_by[{k}].context")
                engaged.append((key, stance, ctx))
            except InputError as err:
                self.bad(err)
        return text, engaged


def load(path: Path, writer: Writer, **_: Any) -> None:
    """Validate the whole bundle, then write it through ``writer``."""
    b = _Bundle(path, writer)
    chk = b.chk
    doc = chk.obj(load_json(path), "document")
    if doc.get("format") != "citetui-bundle":
        raise chk.fail("document", "format", 'not a citetui bundle (expected "citetui-bundle")')
    version = doc.get("version")
    if type(version) is not int or version != 1:
        shown = repr(version) if len(repr(version)) <= 30 else _kind(version)
        raise chk.fail("document", "version", f"unsupported bundle version {shown}")
    source = chk.obj(doc.get("source"), "document", "source")
    name = chk.opt_str(source.get("name"), "source", "name")
    if not name or not name.strip():
        raise chk.fail("source", "name", "a bundle must name its source")
    if "papers" not in doc:
        raise chk.fail("document", "papers", "a bundle must list its papers")
    writer.source = name

    b.read_papers(chk.arr(doc.get("papers"), "document", "papers"))
    hub = doc.get("hub")
    hub = chk.obj(hub, "hub") if hub is not None else None
    citations = []
    for i, raw in enumerate(chk.arr(doc.get("citations"), "document", "citations")):
        try:
            citations.append((f"citations[{i}]", b.read_citation(raw, f"citations[{i}]")))
        except InputError as err:
            b.bad(err)
    plan = None
    if hub is not None:
        try:
            plan = b.read_hub(hub)
        except InputError as err:
            b.bad(err)
    user = doc.get("user")
    notes, overrides = b.read_user(chk.obj(user, "user")) if user is not None else ([], [])

    # Everything is valid (or left out): write it.
    pid = {key: writer.upsert_paper(p) for key, p in b.papers.items()}
    for rec, (citing, cited, roles, pol, infl, contexts, csource) in citations:
        if pid[citing] == pid[cited]:
            b.bad(
                chk.fail(
                    rec,
                    "cited",
                    f"papers {citing!r} and {cited!r} are the same paper "
                    "(they share an identifier), so this is a self-citation",
                )
            )
            continue
        writer.upsert_citation(
            pid[citing],
            pid[cited],
            roles=roles,
            polarity=pol,
            influential=infl,
            contexts=contexts,
            source=csource,
        )
    if plan is not None:
        hid = pid[plan["key"]]
        writer.mark_hub(hid, tier=plan["tier"], verdict=plan["verdict"])
        for kind, bars in plan["recorded"].items():
            writer.set_recorded_summary(hid, kind, bars)
        for pos, (text, engaged) in enumerate(plan["claims"]):
            cid = writer.add_claim(hid, pos, text)
            for key, stance, ctx in engaged:
                writer.engage_claim(cid, pid[key], stance, ctx)
        for key, count in plan["cocited"]:
            if pid[key] != hid:
                writer.add_cocited(hid, pid[key], count)
        if plan["reps"]:
            writer.set_representatives(hid, [pid[k] for k in plan["reps"] if pid[k] != hid])
    # What the user wrote, exported with the hub: restored where this library has nothing.
    for key, starred, status, tags, note, updated in notes:
        writer.restore_annotation(
            pid[key], starred=starred, status=status, tags=tags, note=note, updated_at=updated
        )
    for citing, cited, kind, values, updated in overrides:
        if not writer.cites(pid[citing], pid[cited]):
            b.bad(
                chk.fail(
                    "user.labels", "citing", f"{citing!r} does not cite {cited!r} in this bundle"
                )
            )
            continue
        writer.restore_user_label(pid[citing], pid[cited], kind, values, updated)
