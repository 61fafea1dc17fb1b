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

from citetui.core import ids as idn
from citetui.core.models import CiteRecord, PaperRecord
from citetui.core.vocab import POLARITIES, ROLES, STATUSES
from citetui.ingest.errors import InputError
from citetui.ingest.fields import Fields, kind_of
from citetui.ingest.jsonio import load_json
from citetui.store.write import Writer

FORMAT = "bundle"
ID_KEYS = {
    "doi": "doi",
    "arxiv": "arxiv",
    "s2": "s2_id",
    "corpus_id": "corpus_id",
    "openalex": "openalex_id",
}
STR_FIELDS = ("title", "venue", "abstract", "summary", "summary_source", "url")
# Integer fields and the range each may take (SQLite integers are 64-bit).
INT_FIELDS = {"year": (1, 9999), "citation_count": (0, idn.MAX_ID)}
COUNT = (0, idn.MAX_ID)


def detect(head: str) -> bool:
    """Whether the start of a file looks like a bundle."""
    return '"citetui-bundle"' in head


def paper_from_citetui(f: Fields, raw: dict[str, Any]) -> PaperRecord:
    """A paper of a bundle or records file (checked: an InputError names the bad field)."""
    vals: dict[str, Any] = {}
    for name in STR_FIELDS:
        vals[name] = f.str(raw.get(name), name)
    for name, bounds in INT_FIELDS.items():
        vals[name] = f.int(raw.get(name), name, bounds, text=False)
    ids = f.record_obj(raw.get("ids") or {}, "ids")
    for key, col in ID_KEYS.items():
        val = ids.get(key)
        vals[col] = (
            f.int(val, f"ids.{key}", COUNT, text=False)
            if key == "corpus_id"
            else f.str(val, f"ids.{key}")
        )
    authors = []
    for i, a in enumerate(f.list(raw.get("authors"), "authors")):
        author = a.get("name") if isinstance(a, dict) else a
        authors.append(f.str(author, f"authors[{i}]") or "")
    paper = PaperRecord(**vals, authors=authors)
    norm = paper.normalised()
    if not (norm.title or norm.summary or norm.has_ids()):
        raise f.fail("title", "a paper needs a title, a summary or an identifier")
    return paper


Labels = tuple[list[str], Any, Any, list[tuple[str, list[str]]], str | None]


def labels_from_citetui(f: Fields, raw: dict[str, Any], prefix: str = "") -> Labels:
    """(roles, polarity, influential, contexts, source) of a citation of a bundle (fields
    ``roles``...) or records file (``cites.roles``...)."""
    roles = [
        f.vocab(r, ROLES, f"{prefix}roles") for r in f.list(raw.get("roles"), f"{prefix}roles")
    ]
    pol = raw.get("polarity")
    if pol is not None:
        f.vocab(pol, POLARITIES, f"{prefix}polarity")
    infl = f.bool(raw.get("influential"), f"{prefix}influential")
    contexts = []
    for j, c in enumerate(f.list(raw.get("contexts"), f"{prefix}contexts")):
        c = f.record_obj(c, f"{prefix}contexts[{j}]")
        text = f.str(c.get("text"), f"{prefix}contexts[{j}].text")
        croles = [
            f.vocab(r, ROLES, f"{prefix}contexts[{j}].roles")
            for r in f.list(c.get("roles"), f"{prefix}contexts[{j}].roles")
        ]
        if text:
            contexts.append((text, croles))
    return roles, pol, infl, contexts, f.str(raw.get("source"), f"{prefix}source")


class _Bundle:
    """One bundle being validated: the papers by key and what refers to them."""

    def __init__(self, path: Path, writer: Writer):
        self.path = path
        self.writer = writer
        self.papers: dict[str, PaperRecord] = {}
        self.left_out: set[str] = set()  # keys of papers left out with --skip-invalid

    def at(self, record: str) -> Fields:
        return Fields(self.path, record)

    def bad(self, err: InputError) -> None:
        self.writer.bad_record(err)

    def ref(self, value: Any, f: Fields, field: str) -> str:
        if isinstance(value, str) and value in self.papers:
            return value
        if isinstance(value, str) and value in self.left_out:
            raise f.fail(field, f"refers to paper {value!r}, which was left out")
        shown = repr(value) if len(repr(value)) <= 60 else repr(value)[:57] + "..."
        raise f.fail(field, f"refers to unknown paper key {shown}")

    def read_papers(self, items: list[Any]) -> None:
        for i, raw in enumerate(items):
            rec = f"papers[{i}]"
            f = self.at(rec)
            key = None
            try:
                raw = f.record_obj(raw)
                key = f.str(raw.get("key"), "key")
                if not key:
                    raise f.fail("key", "every paper needs a key")
                if key in self.papers or key in self.left_out:
                    dup, key = key, None  # the first record with the key stands
                    raise f.fail("key", f"duplicate key {dup!r}")
                self.papers[key] = paper_from_citetui(self.at(f"{rec} ({key})"), raw)
            except InputError as err:
                if key:
                    self.left_out.add(key)
                self.bad(err)

    def read_citation(self, raw: Any, f: Fields) -> tuple[Any, ...]:
        raw = f.record_obj(raw)
        citing = self.ref(raw.get("citing"), f, "citing")
        cited = self.ref(raw.get("cited"), f, "cited")
        if citing == cited:
            raise f.fail("cited", f"paper {citing!r} cannot cite itself")
        return (citing, cited, *labels_from_citetui(f, raw))

    def read_user(self, user: dict[str, Any]) -> tuple[list[Any], list[Any]]:
        """The user's layer an export carries: annotations and label overrides (a bad entry
        fails the import, or is reported and left out with --skip-invalid)."""
        f = self.at("user")
        notes, labels = [], []
        for j, a in enumerate(f.list(user.get("annotations"), "annotations")):
            try:
                notes.append(self._annotation(a, self.at(f"user.annotations[{j}]")))
            except InputError as err:
                self.bad(err)
        for j, lab in enumerate(f.list(user.get("labels"), "labels")):
            try:
                labels.append(self._override(lab, self.at(f"user.labels[{j}]")))
            except InputError as err:
                self.bad(err)
        return notes, labels

    def _annotation(self, a: Any, f: Fields) -> tuple[Any, ...]:
        a = f.record_obj(a)
        key = self.ref(a.get("paper"), f, "paper")
        starred = a.get("starred")
        if starred is not None and not isinstance(starred, bool):
            raise f.fail("starred", f"expected true or false, got {kind_of(starred)}")
        status = a.get("status")
        if status is not None:
            f.vocab(status, STATUSES, "status")
        tags = [f.str(t, "tags") or "" for t in f.list(a.get("tags"), "tags")]
        note = f.str(a.get("note"), "note")
        updated = f.str(a.get("updated_at"), "updated_at")
        return key, bool(starred), status, [t for t in tags if t.strip()], note, updated

    def _override(self, lab: Any, f: Fields) -> tuple[Any, ...]:
        lab = f.record_obj(lab)
        citing = self.ref(lab.get("citing"), f, "citing")
        cited = self.ref(lab.get("cited"), f, "cited")
        kind = f.vocab(lab.get("kind"), ("role", "polarity"), "kind")
        vocab = ROLES if kind == "role" else POLARITIES
        values = [f.vocab(v, vocab, "values") for v in f.list(lab.get("values"), "values")]
        if not values or (kind == "polarity" and len(values) > 1):
            raise f.fail("values", "expected one polarity, or one or more roles")
        return citing, cited, kind, values, f.str(lab.get("updated_at"), "updated_at")

    def read_hub(self, hub: dict[str, Any]) -> dict[str, Any]:
        f = self.at("hub")
        out: dict[str, Any] = {
            "key": self.ref(hub.get("paper"), f, "paper"),
            "tier": f.str(hub.get("tier"), "tier"),
            "verdict": f.str(hub.get("verdict"), "verdict"),
            "recorded": {},
            "claims": [],
            "cocited": [],
            "reps": [],
        }
        summaries = f.record_obj(hub.get("recorded_summaries") or {}, "recorded_summaries")
        for kind, vocab in (("role", ROLES), ("polarity", POLARITIES)):
            bars = []
            for j, bar in enumerate(f.list(summaries.get(kind), f"recorded_summaries.{kind}")):
                try:
                    bars.append(self.read_bar(bar, vocab, f, f"recorded_summaries.{kind}[{j}]"))
                except InputError as err:
                    self.bad(err)
            if bars:
                out["recorded"][kind] = bars
        for j, c in enumerate(f.list(hub.get("claims"), "claims")):
            try:
                out["claims"].append(self.read_claim(c, self.at(f"hub.claims[{j}]")))
            except InputError as err:
                self.bad(err)
        for j, c in enumerate(f.list(hub.get("cocited"), "cocited")):
            try:
                c = f.record_obj(c, f"cocited[{j}]")
                out["cocited"].append(
                    (
                        self.ref(c.get("paper"), f, f"cocited[{j}].paper"),
                        f.int(c.get("count"), f"cocited[{j}].count", COUNT, text=False),
                    )
                )
            except InputError as err:
                self.bad(err)
        for j, k in enumerate(f.list(hub.get("representative"), "representative")):
            try:
                out["reps"].append(self.ref(k, f, f"representative[{j}]"))
            except InputError as err:
                self.bad(err)
        return out

    def read_bar(self, bar: Any, vocab: tuple[str, ...], f: Fields, fld: str) -> dict[str, Any]:
        bar = f.record_obj(bar, fld)
        label = f.vocab(bar.get("label"), vocab, f"{fld}.label")
        share = f.num(bar.get("share"), f"{fld}.share")
        if share is not None and not 0 <= share <= 1:
            raise f.fail(f"{fld}.share", f"share {share} is not between 0 and 1")
        count = f.int(bar.get("count"), f"{fld}.count", COUNT, text=False)
        if share is None and count is None:
            raise f.fail(fld, "a summary bar needs a share or a count")
        return {"label": label, "share": share, "count": count}

    def read_claim(self, c: Any, f: Fields) -> tuple[str, list[Any]]:
        c = f.record_obj(c)
        text = f.str(c.get("text"), "text")
        if not text:
            raise f.fail("text", "a claim needs its text")
        engaged = []
        for k, e in enumerate(f.list(c.get("engaged_by"), "engaged_by")):
            try:
                e = f.record_obj(e, f"engaged_by[{k}]")
                key = self.ref(e.get("paper"), f, f"engaged_by[{k}].paper")
                stance = e.get("stance") or "unknown"
                f.vocab(stance, POLARITIES, f"engaged_by[{k}].stance")
                ctx = f.str(e.get("context"), f"engaged_by[{k}].context")
                engaged.append((key, stance, ctx))
            except InputError as err:
                self.bad(err)
        return text, engaged


def load(path: Path, writer: Writer, **_: Any) -> None:
    """Validate the whole bundle, then write it through ``writer``."""
    b = _Bundle(path, writer)
    doc = Fields(path, "document").record_obj(load_json(path))
    f = Fields(path, "document")
    if doc.get("format") != "citetui-bundle":
        raise f.fail("format", 'not a citetui bundle (expected "citetui-bundle")')
    version = doc.get("version")
    if type(version) is not int or version != 1:
        shown = repr(version) if len(repr(version)) <= 30 else kind_of(version)
        raise f.fail("version", f"unsupported bundle version {shown}")
    source = f.record_obj(doc.get("source"), "source")
    name = Fields(path, "source").str(source.get("name"), "name")
    if not name:
        raise Fields(path, "source").fail("name", "a bundle must name its source")
    if "papers" not in doc:
        raise f.fail("papers", "a bundle must list its papers")
    writer.source = name

    b.read_papers(f.list(doc.get("papers"), "papers"))
    hub = doc.get("hub")
    hub = Fields(path, "hub").record_obj(hub) if hub is not None else None
    citations = []
    for i, raw in enumerate(f.list(doc.get("citations"), "citations")):
        try:
            citations.append((f"citations[{i}]", b.read_citation(raw, b.at(f"citations[{i}]"))))
        except InputError as err:
            b.bad(err)
    plan = None
    if hub is not None:
        try:
            plan = b.read_hub(hub)
        except InputError as err:
            b.bad(err)
    user = doc.get("user")
    notes, overrides = (
        b.read_user(Fields(path, "user").record_obj(user)) if user is not None else ([], [])
    )

    # Everything is valid (or left out): write it, the papers in one batch.
    bulk = writer.bulk
    items = {key: bulk.add(p) for key, p in b.papers.items()}
    bulk.flush()
    pid = {key: item.pid for key, item in items.items()}
    for rec, (citing, cited, roles, pol, infl, contexts, csource) in citations:
        if pid[citing] == pid[cited]:
            b.bad(
                b.at(rec).fail(
                    "cited",
                    f"papers {citing!r} and {cited!r} are the same paper "
                    "(they share an identifier), so this is a self-citation",
                )
            )
            continue
        bulk.edge(pid[citing], CiteRecord(pid[cited], roles, pol, infl, contexts, csource))
    bulk.flush()
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
                Fields(path, "user.labels").fail(
                    "citing", f"{citing!r} does not cite {cited!r} in this bundle"
                )
            )
            continue
        writer.restore_user_label(pid[citing], pid[cited], kind, values, updated)
