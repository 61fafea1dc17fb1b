"""A tiny HTTP server on 127.0.0.1 that replays recorded Semantic Scholar responses.

It serves the ``/citations`` pages of a VCR cassette (YAML: ``interactions[]``
with ``request.uri`` and ``response.content`` or ``response.body.string``),
matched on the path and the ``offset`` parameter only: the cassette asked for
``fields=title&limit=100``, a fetch asks for more fields and another page
size, and gets what was recorded (each page's ``next`` leads the walk).
Anything else comes from ``routes`` (set by the test), else 404.

Faults are injected by the test: ``faults[offset]`` is a list of answers
(status, headers) given, one per request, before the recorded page is served
(e.g. a 429 with Retry-After, a 504); ``down_from`` makes every ``/citations``
request from that offset on drop the connection without an answer, like a
server going away. Every request is logged for the test to inspect.
"""

from __future__ import annotations

import json
import threading
from collections.abc import Callable
from dataclasses import dataclass
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any, Self
from urllib.parse import parse_qs, urlsplit

import yaml


@dataclass
class Logged:
    """One request the server saw."""

    method: str
    path: str
    query: dict[str, str]
    headers: dict[str, str]
    body: bytes
    status: int


def cassette_pages(path: Path) -> dict[tuple[str, int], bytes]:
    """(path, offset) -> recorded body, for every interaction of a VCR cassette."""
    loader = getattr(yaml, "CSafeLoader", yaml.SafeLoader)  # libyaml when there is one
    doc = yaml.load(path.read_text(encoding="utf-8"), Loader=loader)
    pages: dict[tuple[str, int], bytes] = {}
    for it in doc["interactions"]:
        uri = urlsplit(it["request"]["uri"])
        resp = it["response"]
        status = resp.get("status_code") or resp.get("status", {}).get("code")
        assert status == 200, f"unexpected recorded status {status}"
        body = resp.get("content")
        if body is None:
            body = resp["body"]["string"]
        offset = int(parse_qs(uri.query).get("offset", ["0"])[0])
        pages[(uri.path, offset)] = body.encode("utf-8") if isinstance(body, str) else body
    return pages


class ReplayServer:
    """The server; use as a context manager (it runs in a thread)."""

    def __init__(self, pages: dict[tuple[str, int], bytes], prefix: str = ""):
        self.pages = pages
        self.prefix = prefix  # recorded paths start with it (e.g. /graph/v1)
        self.routes: dict[tuple[str, str], Callable[[Logged], tuple[int, dict, Any]]] = {}
        self.faults: dict[int, list[tuple[int, dict[str, str]]]] = {}
        self.down_from: int | None = None
        self.log: list[Logged] = []
        self._lock = threading.Lock()
        server = self

        class Handler(BaseHTTPRequestHandler):
            protocol_version = "HTTP/1.1"

            def log_message(self, *args: Any) -> None:  # keep test output quiet
                pass

            def do_GET(self) -> None:
                server._handle(self, b"")

            def do_POST(self) -> None:
                n = int(self.headers.get("Content-Length") or 0)
                server._handle(self, self.rfile.read(n))

        self.httpd = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.httpd.daemon_threads = True
        self.thread = threading.Thread(target=self.httpd.serve_forever, daemon=True)

    @property
    def base_url(self) -> str:
        """The URL the fetcher should use as its base."""
        host, port = self.httpd.server_address[:2]
        return f"http://{host}:{port}{self.prefix}"

    def __enter__(self) -> Self:
        self.thread.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self.httpd.shutdown()
        self.httpd.server_close()

    def requests(self, path_part: str = "") -> list[Logged]:
        """The logged requests whose path contains ``path_part``."""
        with self._lock:
            return [r for r in self.log if path_part in r.path]

    # -- answering ----------------------------------------------------------------

    def _handle(self, h: BaseHTTPRequestHandler, body: bytes) -> None:
        url = urlsplit(h.path)
        query = {k: v[-1] for k, v in parse_qs(url.query).items()}
        entry = Logged(
            h.command, url.path, query, {k.lower(): v for k, v in h.headers.items()}, body, 0
        )
        status, headers, payload = self._answer(entry, url.path, query)
        entry.status = status
        with self._lock:
            self.log.append(entry)
        if status == 0:  # drop the connection without an answer
            h.close_connection = True
            h.connection.shutdown(2)
            return
        data = payload if isinstance(payload, bytes) else json.dumps(payload).encode()
        h.send_response(status)
        h.send_header("Content-Type", "application/json")
        h.send_header("Content-Length", str(len(data)))
        for k, v in headers.items():
            h.send_header(k, v)
        h.end_headers()
        h.wfile.write(data)

    def _answer(self, entry: Logged, path: str, query: dict[str, str]) -> tuple[int, dict, Any]:
        route = self.routes.get((entry.method, path))
        if route is not None:
            return route(entry)
        if entry.method == "GET" and path.endswith("/citations"):
            offset = int(query.get("offset", "0"))
            if self.down_from is not None and offset >= self.down_from:
                return 0, {}, b""
            with self._lock:
                pending = self.faults.get(offset)
                fault = pending.pop(0) if pending else None
            if fault is not None:
                status, headers = fault
                return status, headers, {"message": f"injected HTTP {status}"}
            page = self.pages.get((path, offset))
            if page is not None:
                return 200, {}, page
        return 404, {}, {"error": f"nothing recorded for {entry.method} {path}"}
