"""A small JSON-over-HTTP client that is patient with rate limits and flaky servers.

- 429 and 5xx answers, dropped connections and timeouts are retried: after the
  server's ``Retry-After`` (seconds or an HTTP date) when it sends one, else
  with exponential backoff and jitter (``backoff * 2**attempt``, capped).
- A ``Retry-After`` longer than ``max_wait`` stops the fetch with a message
  (run the command again later; it resumes) rather than hanging for an hour.
- ``min_interval`` paces requests (the APIs ask for about one a second).
- Time is bounded: connecting may take ``connect_timeout`` (10 s), each read of
  the answer ``read_timeout`` (30 s), and one page, retries included,
  ``page_deadline`` (120 s; waits the server asked for with Retry-After are added
  to it). A host name that does not resolve is final at once: retrying cannot
  bring a network back (the fetch resumes where it stopped when run again).
- An API key goes in a header only. It never appears in a URL, an error
  message or the library (messages are also scrubbed of it, should a server
  echo it back).
"""

from __future__ import annotations

import email.utils
import gzip
import http.client
import json
import random
import socket
import time
import urllib.error
import urllib.parse
import urllib.request
from collections.abc import Callable
from datetime import UTC, datetime
from typing import Any

from citetui import __version__

USER_AGENT = f"citetui/{__version__}"
CONNECT_TIMEOUT = 10.0  # seconds to connect (and shake hands, for https)
READ_TIMEOUT = 30.0  # seconds any one read of an answer may wait
PAGE_DEADLINE = 120.0  # seconds one page may take, its retries included
CHUNK = 1 << 16


class _Timed(http.client.HTTPConnection):
    """An HTTP connection that connects within the connect timeout (urllib's ``timeout``)
    and then reads within ``read_limit[0]`` seconds (set by the client per attempt)."""

    read_limit = [READ_TIMEOUT]

    def connect(self) -> None:
        super().connect()
        self.sock.settimeout(self.read_limit[0])


class _TimedTLS(http.client.HTTPSConnection):
    """:class:`_Timed` for https: the handshake counts as connecting."""

    read_limit = [READ_TIMEOUT]

    def connect(self) -> None:
        super().connect()
        self.sock.settimeout(self.read_limit[0])


def _timed_handlers(read_limit: list[float]) -> list[urllib.request.BaseHandler]:
    class Plain(_Timed):
        pass

    class TLS(_TimedTLS):
        pass

    Plain.read_limit = TLS.read_limit = read_limit

    class HTTP(urllib.request.HTTPHandler):
        def http_open(self, req: urllib.request.Request) -> http.client.HTTPResponse:
            return self.do_open(Plain, req)

    class HTTPS(urllib.request.HTTPSHandler):
        def https_open(self, req: urllib.request.Request) -> http.client.HTTPResponse:
            return self.do_open(TLS, req)

    return [HTTP(), HTTPS()]


class _Deadline(TimeoutError):
    """The page took longer than its deadline."""


class FetchError(Exception):
    """A fetch that cannot go on; ``str()`` is the one line shown to the user."""

    exit_code = 5


class FetchUsageError(FetchError):
    """A fetch asked for with a bad id or base URL: bad input, like any other."""

    exit_code = 2


class HttpError(FetchError):
    """The server answered with an error status that retrying will not fix."""

    def __init__(self, status: int, url: str, message: str):
        self.status, self.url, self.message = status, url, message
        super().__init__(
            f"HTTP {status} from {url}: {message}" if message else f"HTTP {status} from {url}"
        )


def sleep(seconds: float) -> None:
    """Wait (a module function so tests can record waits instead of waiting)."""
    time.sleep(seconds)


class _KeepKeyOnHost(urllib.request.HTTPRedirectHandler):
    """Follow redirects, but never carry the API key header to another host."""

    def __init__(self, key_header: str):
        self.key_header = key_header.capitalize()  # how urllib.request.Request stores names

    def redirect_request(self, req, fp, code, msg, headers, newurl):
        new = super().redirect_request(req, fp, code, msg, headers, newurl)
        if (
            new is not None
            and urllib.parse.urlsplit(newurl).netloc != urllib.parse.urlsplit(req.full_url).netloc
        ):
            new.remove_header(self.key_header)
        return new


def retry_after(value: str | None, now: datetime | None = None) -> float | None:
    """Seconds to wait from a Retry-After header: delta-seconds or an HTTP date."""
    if not value:
        return None
    value = value.strip()
    try:
        return max(0.0, float(value))
    except ValueError:
        pass
    try:
        when = email.utils.parsedate_to_datetime(value)
    except (TypeError, ValueError, IndexError):
        return None
    if when.tzinfo is None:
        when = when.replace(tzinfo=UTC)
    return max(0.0, (when - (now or datetime.now(UTC))).total_seconds())


class Client:
    """GET and POST JSON against one base URL, with retries, pacing and an optional key."""

    def __init__(
        self,
        base_url: str,
        *,
        api_key: str | None = None,
        api_key_header: str = "x-api-key",
        connect_timeout: float = CONNECT_TIMEOUT,
        read_timeout: float = READ_TIMEOUT,
        page_deadline: float = PAGE_DEADLINE,
        retries: int = 6,
        backoff: float = 1.0,
        max_backoff: float = 60.0,
        max_wait: float = 300.0,
        min_interval: float = 0.0,
        on_wait: Callable[[str, float], None] | None = None,
    ):
        parsed = urllib.parse.urlsplit(base_url)
        if parsed.scheme not in ("http", "https") or not parsed.netloc:
            raise FetchUsageError(f"not an http(s) base URL: {base_url!r}")
        self.base_url = base_url.rstrip("/")
        self.host = parsed.netloc
        self._key = api_key or None
        self._key_header = api_key_header
        self.connect_timeout, self.read_timeout = connect_timeout, read_timeout
        self.page_deadline, self.retries = page_deadline, retries
        self.backoff, self.max_backoff, self.max_wait = backoff, max_backoff, max_wait
        self.min_interval = min_interval
        self.on_wait = on_wait
        self.requests = 0  # requests sent, retries included
        self._last: float | None = None
        self._read_limit = [read_timeout]  # this attempt's read timeout (shared with the handlers)
        self._opener = urllib.request.build_opener(
            _KeepKeyOnHost(api_key_header), *_timed_handlers(self._read_limit)
        )

    # -- public ---------------------------------------------------------------

    def url(self, path: str, params: dict[str, Any] | None = None) -> str:
        """The full URL of ``path`` with query ``params`` (never holds the key)."""
        query = urllib.parse.urlencode({k: v for k, v in (params or {}).items() if v is not None})
        return f"{self.base_url}/{path.lstrip('/')}" + (f"?{query}" if query else "")

    def get(self, path: str, params: dict[str, Any] | None = None) -> Any:
        """GET ``path`` and return the decoded JSON."""
        return self._json("GET", self.url(path, params), None)

    def post(self, path: str, params: dict[str, Any] | None, body: Any) -> Any:
        """POST a JSON body to ``path`` and return the decoded JSON."""
        return self._json("POST", self.url(path, params), json.dumps(body).encode())

    def scrub(self, text: str) -> str:
        """``text`` with the API key, if any, blotted out."""
        return text.replace(self._key, "***") if self._key else text

    # -- the loop -------------------------------------------------------------

    def _json(self, method: str, url: str, body: bytes | None) -> Any:
        raw = self._request(method, url, body)
        try:
            return json.loads(raw.decode("utf-8"))
        except (UnicodeDecodeError, ValueError) as exc:
            raise FetchError(
                f"{url}: the server sent something other than JSON ({exc})"[:300]
            ) from None

    def _request(self, method: str, url: str, body: bytes | None) -> bytes:
        headers = {
            "User-Agent": USER_AGENT,
            "Accept": "application/json",
            "Accept-Encoding": "gzip",
        }
        if body is not None:
            headers["Content-Type"] = "application/json"
        if self._key:
            headers[self._key_header] = self._key
        attempt = 0
        deadline = time.monotonic() + self.page_deadline
        while True:
            self._pace()
            req = urllib.request.Request(url, data=body, headers=headers, method=method)
            self.requests += 1
            left = max(0.1, deadline - time.monotonic())  # no attempt outlives the deadline
            self._read_limit[0] = min(self.read_timeout, left)
            try:
                with self._opener.open(req, timeout=min(self.connect_timeout, left)) as resp:
                    data = _read_by(resp, deadline)
                    if resp.headers.get("Content-Encoding", "").lower() == "gzip":
                        data = gzip.decompress(data)
                    return data
            except urllib.error.HTTPError as exc:
                status = exc.code
                detail = _api_message(_read(exc))
                if status != 429 and not 500 <= status < 600:
                    raise HttpError(status, url, self.scrub(detail)) from None
                wait = retry_after(exc.headers.get("Retry-After")) if exc.headers else None
                reason = f"HTTP {status}" + (" (rate limited)" if status == 429 else "")
                if wait is not None and wait > self.max_wait:
                    raise FetchError(
                        f"{self.host} asks to wait {wait:.0f} s ({reason}); run the same command "
                        "later to resume"
                    ) from None
                if wait is not None:
                    deadline += wait  # a wait the server asked for is not the server failing
            except (
                urllib.error.URLError,
                http.client.HTTPException,
                ConnectionError,
                TimeoutError,
            ) as exc:
                if _unresolved(exc):
                    raise FetchError(
                        f"cannot find the host {self.host}: no network? (its name does not "
                        "resolve); run the same command again to resume"
                    ) from None
                reason = _network_reason(exc)
                wait = None
            if attempt >= self.retries:
                raise FetchError(
                    f"{url}: {self.scrub(reason)}, still after {attempt + 1} tries"
                ) from None
            if wait is None:
                wait = min(self.max_backoff, self.backoff * 2**attempt)
                wait += random.uniform(0, self.backoff)
            if time.monotonic() + wait >= deadline - 1.0:  # no time left for another try
                raise FetchError(
                    f"{self.scrub(url)}: {self.scrub(reason)}; gave up after "
                    f"{self.page_deadline:.0f} s on this page ({attempt + 1} tries); run the "
                    "same command again to resume"
                ) from None
            if self.on_wait:
                self.on_wait(self.scrub(reason), wait)
            sleep(wait)
            attempt += 1

    def _pace(self) -> None:
        if self.min_interval > 0 and self._last is not None:
            gap = self.min_interval - (time.monotonic() - self._last)
            if gap > 0:
                sleep(gap)
        self._last = time.monotonic()


def _read_by(resp: http.client.HTTPResponse, deadline: float) -> bytes:
    """The whole answer, read a chunk at a time until ``deadline`` (a server that sends a
    byte every 29 s keeps each read within its timeout but never finishes)."""
    chunks: list[bytes] = []
    while True:
        chunk = resp.read1(CHUNK)  # what has come: read(n) waits for all n
        if not chunk:
            return b"".join(chunks)
        chunks.append(chunk)
        if time.monotonic() > deadline:
            raise _Deadline("the answer came too slowly")


def _unresolved(exc: BaseException) -> bool:
    """Whether the host name did not resolve (no network, no DNS, or a wrong host)."""
    reason = getattr(exc, "reason", None)
    return isinstance(reason, socket.gaierror) or isinstance(exc, socket.gaierror)


def _read(exc: urllib.error.HTTPError) -> bytes:
    try:
        data = exc.read()
        if exc.headers and exc.headers.get("Content-Encoding", "").lower() == "gzip":
            data = gzip.decompress(data)
        return data
    except (OSError, EOFError, http.client.HTTPException):
        return b""


def _api_message(body: bytes) -> str:
    """The error message an API put in its answer, shortened to one line."""
    text = body.decode("utf-8", "replace").strip()
    try:
        doc = json.loads(text)
    except ValueError:
        doc = None
    if isinstance(doc, dict):
        for key in ("error", "message", "detail"):
            if isinstance(doc.get(key), str):
                text = doc[key]
                break
    text = " ".join(text.split())
    return text[:200] + ("…" if len(text) > 200 else "")


def _network_reason(exc: BaseException) -> str:
    reason = getattr(exc, "reason", None) or exc
    if isinstance(reason, _Deadline) or isinstance(exc, _Deadline):
        return "the answer came too slowly"
    if isinstance(reason, (TimeoutError, socket.timeout)):
        return "no answer in time (timed out)"
    text = str(reason) or type(reason).__name__
    return f"network error ({text})"
