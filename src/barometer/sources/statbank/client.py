"""A small client for Statistics Denmark's StatBank API (ANCHORS.md §5, DOMAIN.md §6).

Why our own and not dstapi/denstatbank (ANCHORS.md §5.4): we need retries with backoff on
5xx and timeouts, a per-second rate limit, an on-disk cache keyed by request, the request
itself for provenance, and errors that keep the API's error codes. All of that is small.

Requests are POSTs with a JSON body (the recommended form, ANCHORS.md §5.1) to
``{base}/tableinfo`` and ``{base}/data``. The base URL comes from the argument, else the
environment variable ``BAROMETER_STATBANK_URL``, else ``https://api.statbank.dk/v1``.
"""

from __future__ import annotations

import csv
import hashlib
import io
import json
import os
import time
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

import httpx

from barometer.sources.statbank.cache import ResponseCache, request_key
from barometer.sources.statbank.errors import StatbankError
from barometer.sources.statbank.parse import sniff_delimiter

DEFAULT_BASE_URL = "https://api.statbank.dk/v1"
BASE_URL_ENV = "BAROMETER_STATBANK_URL"
RETRY_STATUS = {429, 500, 502, 503, 504}


def resolve_base_url(base_url: str | None = None) -> str:
    """The argument, else $BAROMETER_STATBANK_URL, else the real API; no trailing slash."""
    url = (base_url or os.environ.get(BASE_URL_ENV) or DEFAULT_BASE_URL).rstrip("/")
    if not url.startswith(("http://", "https://")):
        raise StatbankError(f"base URL {url!r} must start with http:// or https://")
    return url


@dataclass(frozen=True)
class Answer:
    """One answer with the request that produced it (kept as provenance in the store)."""

    method: str
    url: str
    body: dict | None
    content: bytes
    content_type: str
    from_cache: bool
    key: str

    @property
    def text(self) -> str:
        return self.content.decode("utf-8-sig")

    @property
    def sha256(self) -> str:
        return hashlib.sha256(self.content).hexdigest()

    def request(self) -> dict:
        return {"method": self.method, "url": self.url, "body": self.body}


class TruncatedAnswerError(Exception):
    """Raised by a validator when a 200 body is incomplete; the request is retried."""


class StatbankClient:
    """POST JSON to the StatBank with retries, backoff, a rate limit and an on-disk cache.

    ``rate`` is the most requests per second (third parties suggest at most 4-5, ANCHORS.md
    §5.3, UNCONFIRMED). ``retries`` counts extra attempts after the first; the wait before
    attempt k (k ≥ 1) is ``backoff · 2^(k-1)`` seconds.
    """

    def __init__(
        self,
        base_url: str | None = None,
        *,
        cache_dir: Path | None = None,
        cache_max_age: float | None = None,
        timeout: float = 60.0,
        retries: int = 3,
        backoff: float = 1.0,
        rate: float = 4.0,
        lang: str = "en",
        sleep: Callable[[float], None] = time.sleep,
    ) -> None:
        self.base_url = resolve_base_url(base_url)
        self.cache = ResponseCache(cache_dir, cache_max_age) if cache_dir else None
        self.retries = retries
        self.backoff = backoff
        self.min_interval = 1.0 / rate if rate > 0 else 0.0
        self.lang = lang
        self._sleep = sleep
        self._last_start: float | None = None
        self.requests_sent = 0  # HTTP requests actually made (cache hits not counted)
        self._http = httpx.Client(timeout=timeout, headers={"Accept": "*/*"})

    def close(self) -> None:
        self._http.close()

    def __enter__(self) -> StatbankClient:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    # -- endpoints ----------------------------------------------------------------------

    def tableinfo(self, table: str) -> Answer:
        """The table's metadata as JSON: variables with their codes and labels (§5.2)."""
        body = {"table": table, "format": "JSON", "lang": self.lang}
        return self.post("tableinfo", body, validate=_validate_json)

    def subjects(self) -> Answer:
        """The subject tree's top level as JSON (id, description, hasSubjects …)."""
        return self.post("subjects", {"format": "JSON", "lang": self.lang}, validate=_validate_json)

    def tables(self, subjects: list[str] | None = None) -> Answer:
        """Tables (id, text, updated, firstPeriod, latestPeriod, variables) as JSON."""
        body: dict = {"format": "JSON", "lang": self.lang}
        if subjects:
            body["subjects"] = list(subjects)
        return self.post("tables", body, validate=_validate_json)

    def data(self, table: str, variables: dict[str, list[str]], fmt: str = "BULK") -> Answer:
        """Cells for a selection. BULK streams without the 1,000,000-cell cap (§5.3)."""
        body = {
            "table": table,
            "format": fmt,
            "lang": self.lang,
            "valuePresentation": "Code",
            "variables": [{"code": code, "values": list(v)} for code, v in variables.items()],
        }
        validate = _validate_json if fmt.upper() in ("JSONSTAT", "JSON") else _validate_csv
        return self.post("data", body, validate=validate)

    # -- transport ----------------------------------------------------------------------

    def post(
        self, endpoint: str, body: dict, validate: Callable[[bytes], None] | None = None
    ) -> Answer:
        """POST ``body`` to ``{base}/{endpoint}``, from the cache when we have the answer."""
        url = f"{self.base_url}/{endpoint}"
        key = request_key("POST", url, body)
        if self.cache is not None and (hit := self.cache.get(key)) is not None:
            return Answer("POST", url, body, hit.body, hit.content_type, True, key)
        content, content_type = self._send(url, body, validate)
        if self.cache is not None:
            self.cache.put(key, content, content_type, {"method": "POST", "url": url, "body": body})
        return Answer("POST", url, body, content, content_type, False, key)

    def _send(
        self, url: str, body: dict, validate: Callable[[bytes], None] | None
    ) -> tuple[bytes, str]:
        last: str = ""
        for attempt in range(self.retries + 1):
            if attempt:
                self._sleep(self.backoff * 2 ** (attempt - 1))
            self._throttle()
            self.requests_sent += 1
            try:
                resp = self._http.post(url, json=body)
                content = resp.content  # reads the whole body; a short body raises here
            except httpx.TimeoutException as exc:
                last = f"timed out ({type(exc).__name__})"
                continue
            except httpx.TransportError as exc:  # refused, reset, body shorter than announced
                last = f"connection failed: {exc}"
                continue
            if resp.status_code in RETRY_STATUS:
                last = f"HTTP {resp.status_code}"
                continue
            if resp.status_code >= 400:
                raise _api_error(resp, url)
            if validate is not None:
                try:
                    validate(content)
                except TruncatedAnswerError as exc:
                    last = f"incomplete answer: {exc}"
                    continue
            return content, resp.headers.get("content-type", "")
        raise StatbankError(f"gave up after {self.retries + 1} attempts; last: {last}", url=url)

    def _throttle(self) -> None:
        now = time.monotonic()
        if self._last_start is not None:
            wait = self.min_interval - (now - self._last_start)
            if wait > 0:
                time.sleep(wait)
        self._last_start = time.monotonic()


def _api_error(resp: httpx.Response, url: str) -> StatbankError:
    """Turn a 4xx answer into an error carrying the API's errorTypeCode (ANCHORS.md §5.3)."""
    try:
        payload = json.loads(resp.content.decode("utf-8-sig"))
    except (UnicodeDecodeError, json.JSONDecodeError):
        payload = None
    if isinstance(payload, dict) and ("errorTypeCode" in payload or "message" in payload):
        return StatbankError(
            str(payload.get("message", "")), code=payload.get("errorTypeCode"), url=url
        )
    snippet = resp.content[:200].decode("utf-8", "replace")
    return StatbankError(f"HTTP {resp.status_code}: {snippet}", url=url)


def _validate_json(content: bytes) -> None:
    try:
        json.loads(content.decode("utf-8-sig"))
    except (UnicodeDecodeError, json.JSONDecodeError) as exc:
        raise TruncatedAnswerError(f"not complete JSON ({exc})") from None


def _validate_csv(content: bytes) -> None:
    """Every line of a CSV/BULK answer has the header's number of fields (a cut body fails)."""
    try:
        text = content.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        raise TruncatedAnswerError(f"not UTF-8 ({exc})") from None
    first = text.split("\n", 1)[0]
    if not first.strip():
        raise TruncatedAnswerError("empty body")
    delimiter = sniff_delimiter(first)
    if '"' in text:  # quoted fields: the csv module counts them right
        rows = [r for r in csv.reader(io.StringIO(text, newline=""), delimiter=delimiter) if r]
        widths = [len(r) for r in rows]
    else:
        widths = [ln.count(delimiter) + 1 for ln in text.replace("\r\n", "\n").split("\n") if ln]
    width = widths[0]
    if width < 2:
        raise TruncatedAnswerError("no header of separated fields")
    bad = [i for i, w in enumerate(widths[1:], 2) if w != width]
    if bad:
        raise TruncatedAnswerError(f"line {bad[0]} has the wrong number of fields")
    if not text.endswith("\n") and len(widths) > 1:
        # The API ends every line with CRLF; a body cut mid-line keeps the field count only
        # by chance, so a missing final newline counts as truncated.
        raise TruncatedAnswerError("the last line is not terminated")
