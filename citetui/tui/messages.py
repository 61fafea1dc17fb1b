"""Messages that cross screens: asking the app to go somewhere, telling it what changed."""

from __future__ import annotations

from textual.message import Message

from citetui.core.models import Annotation


class OpenHub(Message):
    """Open a hub's page (optionally with a query already in its explorer)."""

    def __init__(self, hub_id: int, query: str = "") -> None:
        super().__init__()
        self.hub_id = hub_id
        self.query = query


class OpenPaper(Message):
    """Open a paper's page; ``hub_id`` is the hub it was reached from, if any."""

    def __init__(self, paper_id: int, hub_id: int | None = None) -> None:
        super().__init__()
        self.paper_id = paper_id
        self.hub_id = hub_id


class Annotated(Message):
    """A paper's annotation was written."""

    def __init__(self, annotation: Annotation, what: str) -> None:
        super().__init__()
        self.annotation = annotation
        self.what = what
