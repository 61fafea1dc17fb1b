"""Fetching hubs online (Semantic Scholar, OpenAlex) into the library, for offline browsing.

``citetui fetch s2 ID`` and ``citetui fetch openalex W...`` (see
docs/exports-and-fetch.md). Pages are written by the importers' own code and
committed one at a time with a bookmark, so a fetch can be interrupted and
resumed, and what it has fetched is usable at once. :mod:`citetui.fetch.http`
handles rate limits (429, 5xx, ``Retry-After``) and the optional API key.
"""

from __future__ import annotations

from citetui.fetch.http import Client, FetchError, HttpError
from citetui.fetch.job import FetchReport, Progress

__all__ = ["Client", "FetchError", "FetchReport", "HttpError", "Progress"]
