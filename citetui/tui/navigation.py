"""Browser-style history of the hubs and papers a user has visited."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any, Literal


@dataclass
class Location:
    """A place in the browser: a hub page or a paper page, and what the user left it like."""

    kind: Literal["hub", "paper"]
    id: int
    hub_id: int | None = None  # for a paper: the hub it was opened from
    state: dict[str, Any] = field(default_factory=dict)


class History:
    """Visited locations with a current position; the library screen is before the first."""

    def __init__(self) -> None:
        self.entries: list[Location] = []
        self.index = -1  # -1: the library screen

    @property
    def current(self) -> Location | None:
        """Where the user is, or None on the library screen."""
        return self.entries[self.index] if self.index >= 0 else None

    @property
    def can_back(self) -> bool:
        """Whether there is somewhere to go back to."""
        return self.index >= 0

    @property
    def can_forward(self) -> bool:
        """Whether there is somewhere to go forward to."""
        return self.index + 1 < len(self.entries)

    def visit(self, location: Location) -> None:
        """Go somewhere new: it becomes current and the forward entries are dropped."""
        del self.entries[self.index + 1 :]
        self.entries.append(location)
        self.index += 1

    def back(self) -> Location | None:
        """Step back; return the location left (None if already at the library)."""
        if not self.can_back:
            return None
        left = self.entries[self.index]
        self.index -= 1
        return left

    def forward(self) -> Location | None:
        """Step forward; return the location arrived at (None if there is none)."""
        if not self.can_forward:
            return None
        self.index += 1
        return self.entries[self.index]

    def home(self) -> int:
        """Go back to the library screen; return how many steps that was."""
        steps = self.index + 1
        self.index = -1
        return steps
