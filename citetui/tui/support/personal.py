"""The personal layer in the browser: reading status, star, tags and notes of a paper.

Screens that mix in ``PersonalActions`` name the paper the keys act on
(``personal_target``) and redraw what shows annotations (``personal_changed``).
Writes run in a thread worker; the result comes back as a message.
"""

from __future__ import annotations

import os
import shlex
import subprocess
import tempfile
import threading

from textual import work
from textual.binding import Binding, BindingType

from citetui.core.models import Annotation
from citetui.core.textsafe import clean
from citetui.tui.messages import Annotated
from citetui.tui.modals.personal import NoteModal, TagModal

# Keys pressed in quick succession each start a writer; one at a time, so that two
# presses of u move the status twice.
_WRITE_LOCK = threading.Lock()

PERSONAL_BINDINGS: list[BindingType] = [
    Binding("u", "cycle_status", "Status", id="personal.status"),
    Binding("asterisk", "toggle_star", "Star", id="personal.star"),
    Binding("t", "add_tag", "Tag", show=False, id="personal.tag"),
    Binding("n", "edit_note", "Note", id="personal.note"),
    Binding("e", "editor_note", "Note in $EDITOR", show=False, id="personal.editor"),
]


def describe(ann: Annotation) -> str:
    """One line saying what the user recorded about a paper."""
    parts = [ann.status or "unread"]
    if ann.starred:
        parts.append("starred")
    if ann.tags:
        parts.append("tags: " + ", ".join(ann.tags))
    return " · ".join(parts)


class PersonalActions:
    """Status, star, tag and note keys for a screen (mix into a Screen)."""

    def personal_target(self) -> int | None:
        """The paper the keys act on."""
        raise NotImplementedError

    def personal_changed(self, annotation: Annotation) -> None:
        """Redraw what shows annotations."""

    # -- writes, in a worker ---------------------------------------------

    @work(thread=True, exit_on_error=False, group="personal")
    def _annotate(self, paper_id: int, what: str, value: object = None) -> None:
        try:
            with _WRITE_LOCK:
                ann = self._write(paper_id, what, value)
        except Exception as exc:  # noqa: BLE001 - shown to the user, never a traceback
            self.app.call_from_thread(self._personal_failed, exc)  # type: ignore[attr-defined]
            return
        self.post_message(Annotated(ann, what))  # type: ignore[attr-defined]

    def _write(self, paper_id: int, what: str, value: object) -> Annotation:
        lib = self.app.lib  # type: ignore[attr-defined]
        if what == "status":
            ann = lib.cycle_status(paper_id)
        elif what == "star":
            ann = lib.toggle_star(paper_id)
        elif what == "tag":
            tag = str(value)
            remove = tag.startswith("-")
            ann = lib.add_tag(paper_id, tag.lstrip("-"), remove=remove)
        elif what == "note":
            text = str(value)
            # emptying the note in the dialog or the editor is the user's way to remove it
            ann = lib.set_note(paper_id, text if text.strip() else None)
        else:
            raise ValueError(what)
        return ann

    def on_annotated(self, message: Annotated) -> None:
        ann = message.annotation
        said = {
            "status": f"status: {ann.status}",
            "star": "starred" if ann.starred else "unstarred",
            "tag": "tags: " + (", ".join(ann.tags) or "none"),
            "note": "note saved" if ann.note else "note cleared",
        }[message.what]
        self.notify(clean(said), timeout=2, markup=False)  # type: ignore[attr-defined]
        self.personal_changed(ann)

    def _personal_failed(self, error: BaseException) -> None:
        self.notify(  # type: ignore[attr-defined]
            f"could not save: {clean(str(error))}", severity="error", markup=False
        )

    # -- actions ----------------------------------------------------------

    def action_cycle_status(self) -> None:
        paper_id = self.personal_target()
        if paper_id is not None:
            self._annotate(paper_id, "status")

    def action_toggle_star(self) -> None:
        paper_id = self.personal_target()
        if paper_id is not None:
            self._annotate(paper_id, "star")

    def action_add_tag(self) -> None:
        paper_id = self.personal_target()
        if paper_id is None:
            return
        lib = self.app.lib  # type: ignore[attr-defined]
        current = lib.annotation(paper_id).tags

        def done(tag: str | None) -> None:
            if tag and tag.lstrip("-").strip():
                self._annotate(paper_id, "tag", tag)

        title = lib.paper(paper_id).display_title
        self.app.push_screen(TagModal(current, title), done)  # type: ignore[attr-defined]

    def action_edit_note(self) -> None:
        paper_id = self.personal_target()
        if paper_id is None:
            return
        lib = self.app.lib  # type: ignore[attr-defined]
        note = lib.annotation(paper_id).note

        def done(text: str | None) -> None:
            if text is not None:
                self._annotate(paper_id, "note", text)

        title = lib.paper(paper_id).display_title
        self.app.push_screen(NoteModal(note, title), done)  # type: ignore[attr-defined]

    def action_editor_note(self) -> None:
        """Edit the note in $VISUAL / $EDITOR, with the app suspended."""
        paper_id = self.personal_target()
        if paper_id is None:
            return
        app = self.app  # type: ignore[attr-defined]
        editor = os.environ.get("VISUAL") or os.environ.get("EDITOR") or "vi"
        note = app.lib.annotation(paper_id).note or ""
        with tempfile.NamedTemporaryFile(
            "w", suffix=".md", prefix="citetui-note-", delete=False, encoding="utf-8"
        ) as fh:
            fh.write(note)
            path = fh.name
        try:
            try:
                with app.suspend():
                    code = subprocess.call([*shlex.split(editor), path])
            except Exception as exc:  # noqa: BLE001 - e.g. suspend unsupported, no editor
                self._personal_failed(exc)
                return
            if code != 0:
                self.notify(  # type: ignore[attr-defined]
                    f"{clean(editor)} exited with {code}: note not changed", markup=False
                )
                return
            # an editor may save in another encoding: keep the text, mark what is not UTF-8
            with open(path, encoding="utf-8", errors="replace") as fh:
                text = fh.read()
        finally:
            os.unlink(path)
        if text.strip() != note.strip():
            self._annotate(paper_id, "note", text)
