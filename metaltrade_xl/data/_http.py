"""GET a JSON document from a busy public API: bounded retries, an on-disk cache, one-line errors.

The standard library's ``urllib.request`` does the HTTP (certificate checks, proxies from the
environment, gzip handled here); this module adds what a client of a rate-limited API needs:

* 429 and 5xx, a dropped connection, a truncated or malformed body: tried again, waiting what the
  server asks (``Retry-After``, seconds or an HTTP date) or else 1, 2, 4 … seconds, each wait capped
  at ``max_wait`` (the environment variable ``METALTRADE_FETCH_MAX_WAIT`` lowers the cap: the tests
  use it to keep waits tiny), at most ``tries`` attempts;
* 401/403 and other 4xx: not tried again, the server's message in the error;
* a cache folder of complete answers, named by a hash of the URL, parameters and headers (the key
  is never written), each with the date it was fetched; ``refresh=True`` asks the server again.

Every failure is a :class:`FetchError` (a ``ValueError``) in one line: what happened and what to do.
"""

from __future__ import annotations

import gzip
import hashlib
import http.client
import json
import os
import socket
import time
import urllib.error
import urllib.parse
import urllib.request
import zlib
from dataclasses import dataclass
from datetime import date, datetime, timezone
from email.utils import parsedate_to_datetime
from pathlib import Path

from metaltrade_xl._io import atomic_path
from metaltrade_xl.data import DataError

#: Environment variable capping every wait between tries (seconds); for tests.
MAX_WAIT_ENV = "METALTRADE_FETCH_MAX_WAIT"
_RETRY_STATUS = {429, 500, 502, 503, 504}


class FetchError(DataError):
    """A download that failed: one line saying what happened and what to do."""


@dataclass(frozen=True)
class Answer:
    """A JSON answer and the day it was fetched from the server (today unless from the cache)."""

    body: dict
    fetched: str
    from_cache: bool


class JsonClient:
    """GET JSON with retries and a cache.

    Parameters
    ----------
    headers : dict
        Sent with every request (the subscription key goes here, so never into URLs or the cache).
    cache_dir : path, optional
        Folder for cached answers; None for no cache.
    refresh : bool
        Ask the server even when the cache has an answer (the new answer replaces it).
    tries : int
        Attempts per request, the first included.
    max_wait : float, seconds
        Cap of each wait between tries.
    timeout : float, seconds
        Per attempt.
    sleep : callable
        ``time.sleep`` unless a test passes another.
    """

    def __init__(
        self,
        headers: dict,
        *,
        cache_dir: str | Path | None = None,
        refresh: bool = False,
        tries: int = 5,
        max_wait: float = 60.0,
        timeout: float = 120.0,
        sleep=time.sleep,
    ):
        self.headers = dict(headers)
        self.cache_dir = Path(cache_dir) if cache_dir is not None else None
        self.refresh = refresh
        self.tries = max(1, int(tries))
        env = os.environ.get(MAX_WAIT_ENV, "").strip()
        self.max_wait = min(max_wait, float(env)) if env else max_wait
        self.timeout = timeout
        self.sleep = sleep
        self.requests = 0  # sent to the server (answers from the cache not counted)
        self.waited = 0.0

    def get(self, url: str, params: dict, what: str) -> Answer:
        """The JSON object at ``url?params``; ``what`` names the request in errors."""
        query = urllib.parse.urlencode(params, safe=",")
        full = f"{url}?{query}" if query else url
        cached = self._cache_file(full)
        if cached is not None and cached.exists() and not self.refresh:
            try:
                entry = json.loads(cached.read_text(encoding="utf-8"))
                return Answer(entry["body"], entry["fetched"], True)
            except (OSError, ValueError, KeyError, TypeError):
                pass  # a damaged cache entry: ask the server again
        body = self._fetch(full, what)
        fetched = date.today().isoformat()
        if cached is not None:
            cached.parent.mkdir(parents=True, exist_ok=True)
            with atomic_path(cached, force=True) as tmp:
                tmp.write_text(json.dumps({"url": full, "fetched": fetched, "body": body}))
        return Answer(body, fetched, False)

    def _cache_file(self, full: str) -> Path | None:
        if self.cache_dir is None:
            return None
        # the headers (the key) are part of the name, hashed: one key's answers are not another's
        who = "\n".join(f"{k}:{v}" for k, v in sorted(self.headers.items()))
        name = hashlib.sha256(f"{full}\n{who}".encode()).hexdigest()[:32]
        return self.cache_dir / f"{name}.json"

    def _fetch(self, full: str, what: str) -> dict:
        host = urllib.parse.urlsplit(full).netloc or full
        bad_bodies = 0
        for attempt in range(1, self.tries + 1):
            last = attempt == self.tries
            request = urllib.request.Request(
                full, headers={**self.headers, "Accept-Encoding": "gzip", "Accept": "*/*"}
            )
            self.requests += 1
            try:
                with urllib.request.urlopen(request, timeout=self.timeout) as resp:
                    raw = resp.read()
                    encoding = resp.headers.get("Content-Encoding", "")
            except urllib.error.HTTPError as exc:
                status, message = exc.code, _server_message(exc)
                if status in _RETRY_STATUS and not last:
                    self._wait(attempt, exc.headers.get("Retry-After") if exc.headers else None)
                    continue
                raise FetchError(_http_failure(status, message, what, host, attempt)) from None
            except (OSError, http.client.HTTPException) as exc:  # URLError is an OSError
                if isinstance(exc, http.client.IncompleteRead):
                    problem = "the answer was cut off (truncated)"
                else:
                    reason = getattr(exc, "reason", exc)
                    problem = f"could not reach {host} ({_reason_text(reason)})"
                if not last:
                    self._wait(attempt, None)
                    continue
                raise FetchError(
                    f"{what}: {problem}, {attempt} tries; check the network connection and "
                    "--api-url, then run again (answers already received are cached)"
                ) from None
            try:
                body = json.loads(_decode(raw, encoding))
            except (ValueError, EOFError, OSError, zlib.error) as exc:  # truncated or malformed
                bad_bodies += 1
                if bad_bodies < 2 and not last:  # a cut-off answer may come whole the next time
                    self._wait(attempt, None)
                    continue
                raise FetchError(
                    f"{what}: the answer from {host} is not valid JSON (malformed or truncated: "
                    f"{_reason_text(exc)}), {attempt} tries; run again later, and check that "
                    "--api-url is the UN Comtrade API"
                ) from None
            if not isinstance(body, dict):
                raise FetchError(
                    f"{what}: expected a JSON object with 'data' from {host}, got "
                    f"{type(body).__name__}; check that --api-url is the UN Comtrade API"
                )
            return body
        raise AssertionError("unreachable")  # pragma: no cover

    def _wait(self, attempt: int, retry_after: str | None) -> None:
        asked = _retry_after_seconds(retry_after)
        seconds = asked if asked is not None else 2.0 ** (attempt - 1)
        seconds = max(0.0, min(seconds, self.max_wait))
        self.waited += seconds
        self.sleep(seconds)


def _decode(raw: bytes, encoding: str) -> str:
    if encoding.strip().lower() == "gzip" or raw[:2] == b"\x1f\x8b":
        raw = gzip.decompress(raw)
    return raw.decode("utf-8-sig")


def _retry_after_seconds(value: str | None) -> float | None:
    """Seconds from a ``Retry-After`` header: a number, or an HTTP date.

    Examples
    --------
    >>> _retry_after_seconds("3"), _retry_after_seconds(None), _retry_after_seconds("soon")
    (3.0, None, None)
    >>> _retry_after_seconds("Wed, 21 Oct 2015 07:28:00 GMT")  # in the past: no wait
    0.0
    """
    if value is None or not str(value).strip():
        return None
    try:
        return max(0.0, float(value))
    except ValueError:
        pass
    try:
        when = parsedate_to_datetime(str(value))
    except (TypeError, ValueError):
        return None
    if when.tzinfo is None:
        when = when.replace(tzinfo=timezone.utc)
    return max(0.0, (when - datetime.now(timezone.utc)).total_seconds())


def _server_message(exc: urllib.error.HTTPError) -> str:
    try:
        raw = exc.read()
        text = _decode(raw, exc.headers.get("Content-Encoding", "") if exc.headers else "")
    except Exception:  # the body of an error is a courtesy; its absence is not a new error
        return ""
    try:
        body = json.loads(text)
    except ValueError:
        return " ".join(text.split())[:200]
    if isinstance(body, dict):
        for key in ("message", "error", "errorMessage"):
            if body.get(key):
                return " ".join(str(body[key]).split())[:200]
    return ""


def _http_failure(status: int, message: str, what: str, host: str, attempt: int) -> str:
    said = f": {message}" if message else ""
    if status == 401:
        return (
            f"{what}: UN Comtrade refused the request (401, missing or invalid subscription key"
            f"{said}); set COMTRADE_API_KEY or pass --key with a key from comtradedeveloper.un.org"
        )
    if status == 403:
        return (
            f"{what}: UN Comtrade refused the request (403{said}); the key is not subscribed to "
            "this API or its quota is used up: check the key, or run again when the quota renews"
        )
    if status in _RETRY_STATUS:
        busy = "rate limit" if status == 429 else "server error"
        return (
            f"{what}: {host} answered {status} ({busy}{said}) {attempt} times; wait a while and "
            "run again (answers already received are cached)"
        )
    return f"{what}: {host} rejected the request ({status}{said}); check the options given"


def _reason_text(reason) -> str:
    if isinstance(reason, socket.timeout | TimeoutError):
        return "timed out"
    text = str(reason) or type(reason).__name__
    return " ".join(text.split())[:160]
