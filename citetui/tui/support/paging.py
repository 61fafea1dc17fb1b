"""Rows of a long list held a page at a time: what is in memory, what still has to be read."""

from __future__ import annotations

from collections import OrderedDict
from collections.abc import Callable, Sequence
from typing import Generic, TypeVar

T = TypeVar("T")

PAGE_SIZE = 100
MAX_PAGES = 64

Fetch = Callable[[int, int], Sequence[T]]


class Pager(Generic[T]):
    """``total`` rows, of which recently used pages are kept; ``fetch(offset, limit)`` reads more.

    ``fetch`` runs in a worker thread; every other method runs on the UI thread.
    """

    def __init__(
        self,
        total: int,
        fetch: Fetch | None = None,
        first: Sequence[T] = (),
        *,
        page_size: int = PAGE_SIZE,
        max_pages: int = MAX_PAGES,
    ):
        self.total = total
        self.page_size = page_size
        self.max_pages = max_pages
        self._fetch = fetch
        self._pages: OrderedDict[int, list[T]] = OrderedDict()
        self.pending: set[int] = set()
        rows = list(first)
        for start in range(0, len(rows), page_size):
            self._pages[start // page_size] = rows[start : start + page_size]

    @classmethod
    def of(cls, rows: Sequence[T]) -> Pager[T]:
        """A pager over rows already in memory (never evicted)."""
        return cls(len(rows), None, rows, max_pages=len(rows) // PAGE_SIZE + 2)

    def get(self, index: int) -> T | None:
        """The row at ``index`` if its page is in memory."""
        if not 0 <= index < self.total:
            return None
        page_no, offset = divmod(index, self.page_size)
        page = self._pages.get(page_no)
        if page is None:
            return None
        self._pages.move_to_end(page_no)
        return page[offset] if offset < len(page) else None

    def page_of(self, index: int) -> int:
        """The page number holding ``index``."""
        return index // self.page_size

    def missing(self, start: int, stop: int) -> list[int]:
        """Pages covering rows ``start..stop`` that are neither in memory nor being read."""
        if self._fetch is None or self.total == 0:
            return []
        first = max(0, start) // self.page_size
        last = (min(stop, self.total) - 1) // self.page_size
        return [p for p in range(first, last + 1) if p not in self._pages and p not in self.pending]

    def fetch(self, page_no: int) -> list[T]:
        """Read one page (call from a worker thread)."""
        if self._fetch is None:
            return []
        return list(self._fetch(page_no * self.page_size, self.page_size))

    def store(self, page_no: int, rows: Sequence[T]) -> None:
        """Keep a page that was read, dropping the least recently used beyond ``max_pages``."""
        self.pending.discard(page_no)
        self._pages[page_no] = list(rows)
        self._pages.move_to_end(page_no)
        while len(self._pages) > self.max_pages:
            self._pages.popitem(last=False)

    def __len__(self) -> int:
        return self.total
