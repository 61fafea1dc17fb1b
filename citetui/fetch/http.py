"""A small JSON-over-HTTP client that is patient with rate limits and flaky servers.

- 429 and 5xx answers, dropped connections and timeouts are retried: after the
  server's ``Retry-After`` (seconds or an HTTP date) when it sends one, else
  with exponential backoff and jitter (``backoff * 2**attempt``, capped).
- A ``Retry-After`` longer than ``max_wait`` stops the fetch with a message
  (run the command again later; it resumes) rather than hanging for an hour.
- ``min_interval`` paces requests (the APIs ask for about one a second).
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
        timeout: float = 60.0,
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
        self.timeout, self.retries = timeout, retries
        self.backoff, self.max_backoff, self.max_wait = backoff, max_backoff, max_wait
        self.min_interval = min_interval
        self.on_wait = on_wait
        self.requests = 0  # requests sent, retries included
        self._last: float | None = None
        self._opener = urllib.request.build_opener(_KeepKeyOnHost(api_key_header))

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
        while True:
            self._pace()
            req = urllib.request.Request(url, data=body, headers=headers, method=method)
            self.requests += 1
            try:
                with self._opener.open(req, timeout=self.timeout) as resp:
                    data = resp.read()
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
            except (
                urllib.error.URLError,
                http.client.HTTPException,
                ConnectionError,
                TimeoutError,
            ) as exc:
                reason = _network_reason(exc)
                wait = None
            if attempt >= self.retries:
                raise FetchError(
                    f"{url}: {self.scrub(reason)}, still after {attempt + 1} tries"
                ) from None
            if wait is None:
                wait = min(self.max_backoff, self.backoff * 2**attempt)
                wait += random.uniform(0, self.backoff)
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
    if isinstance(reason, (TimeoutError, socket.timeout)):
        return "timed out"
    text = str(reason) or type(reason).__name__
    return f"network error ({text})"
