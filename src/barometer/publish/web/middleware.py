"""The dashboard's ASGI layers around its routes: security headers, HEAD, trailing slashes and
the response cache with its normalised keys.

Why here and not in the routes: a cache hit must skip routing and rendering, and every
response (cached, static, an error) must carry the same headers. The layers see only the
dashboard's requests: `barometer serve` routes the programme and Welcome House apps by a
Starlette ``Mount`` before the dashboard (app.py ``compose``), so their responses never pass
through here.
"""

from __future__ import annotations

import re
import threading
from collections import OrderedDict
from collections.abc import Callable
from urllib.parse import parse_qsl, quote, urlencode

# script-src 'self': no inline script and no eval (the charts use Vega's expression
# interpreter, static/app.js). JSON data blocks (<script type="application/json">) are not
# scripts and need no permission. img-src data:/blob: for the favicon and chart images.
CONTENT_SECURITY_POLICY = (
    "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data: blob:; "
    "font-src 'self'; connect-src 'self'; object-src 'none'; base-uri 'none'; "
    "form-action 'self'; frame-ancestors 'none'"
)
SECURITY_HEADERS = (
    (b"content-security-policy", CONTENT_SECURITY_POLICY.encode()),
    (b"x-content-type-options", b"nosniff"),
    (b"referrer-policy", b"same-origin"),
    (b"x-frame-options", b"DENY"),
    (b"cross-origin-opener-policy", b"same-origin"),
)
ENTRY_OVERHEAD = 400  # bytes a cached entry costs besides its key, headers and body


class SecurityHeaders:
    """Add the security headers to every response that does not set its own."""

    def __init__(self, app):
        self.app = app

    async def __call__(self, scope, receive, send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return

        async def send_with_headers(message) -> None:
            if message["type"] == "http.response.start":
                headers = list(message.get("headers", []))
                present = {k.lower() for k, _ in headers}
                headers += [(k, v) for k, v in SECURITY_HEADERS if k not in present]
                message = {**message, "headers": headers}
            await send(message)

        await self.app(scope, receive, send_with_headers)


class CacheEntries:
    """A bounded LRU of responses, safe across threads (the pre-warming thread).

    Bounded by entries and by bytes, where an entry's bytes are its body, its key, its
    headers and a fixed overhead (so a flood of tiny responses is bounded too). One entry may
    take at most 1/64 of the bytes; larger responses are served, never kept.
    """

    def __init__(self, size: int, max_bytes: int):
        self.size = size
        self.max_bytes = max_bytes
        self.max_entry_bytes = max_bytes // 64
        self.bytes = 0
        self.entries: OrderedDict[str, tuple[int, list, bytes, int]] = OrderedDict()
        self.lock = threading.Lock()

    def __len__(self) -> int:
        return len(self.entries)

    @staticmethod
    def cost(key: str, headers: list, body: bytes) -> int:
        return len(body) + len(key) + sum(len(k) + len(v) for k, v in headers) + ENTRY_OVERHEAD

    def put(self, key: str, headers: list, body: bytes) -> None:
        cost = self.cost(key, headers, body)
        with self.lock:
            if cost > self.max_entry_bytes or key in self.entries or not self.size:
                return
            self.entries[key] = (200, headers, body, cost)
            self.bytes += cost
            while len(self.entries) > self.size or self.bytes > self.max_bytes:
                _, (_, _, _, old) = self.entries.popitem(last=False)
                self.bytes -= old

    def get(self, key: str) -> tuple[int, list, bytes] | None:
        with self.lock:
            hit = self.entries.get(key)
            if hit is None:
                return None
            self.entries.move_to_end(key)
            return hit[:3]


# (names kept, names that may repeat) for a path; None: the path has no route.
ParamsFor = Callable[[str], tuple[frozenset[str], frozenset[str]] | None]


def normalise_query(query: str, known: frozenset[str], multi: frozenset[str]) -> str:
    """Only the parameters the route reads, in a fixed order; the last value of a parameter
    read once (the one the route uses); ``lang`` only when it is not the default."""
    kept: dict[str, list[str]] = {}
    for name, value in parse_qsl(query, keep_blank_values=True):
        if name not in known:
            continue
        if name == "lang" and value != "en":
            continue
        if name in multi:
            kept.setdefault(name, []).append(value)
        else:
            kept[name] = [value]
    return urlencode([(k, v) for k in sorted(kept) for v in kept[k]])


class ResponseCache:
    """Pure ASGI middleware: normalise the query, answer HEAD, redirect a trailing slash, and
    replay successful GET responses by path and normalised query.

    The store never changes while the app runs, so a rendered page or API answer stays right;
    a hit skips routing, validation and rendering. Parameters a route does not read are
    dropped before the route sees them, so a junk parameter neither makes a new cache entry
    nor reaches a page's links. Static files are left to StaticFiles (which answers HEAD).
    """

    def __init__(self, app, entries: CacheEntries | None, params_for: ParamsFor):
        self.app = app
        self.cache = entries
        self.params_for = params_for

    async def __call__(self, scope, receive, send) -> None:
        if scope["type"] != "http" or scope["path"].startswith("/static/"):
            await self.app(scope, receive, send)
            return
        method = scope["method"]
        if method not in ("GET", "HEAD"):
            await self.app(scope, receive, send)
            return
        path = scope["path"]
        if path != "/" and path.endswith("/"):
            await _redirect(path, scope, send)
            return
        found = self.params_for(path)
        known, multi = found if found is not None else (frozenset(), frozenset())
        query = normalise_query(scope["query_string"].decode("latin-1"), known, multi)
        scope = {**scope, "method": "GET", "query_string": query.encode("latin-1")}
        hx = any(k == b"hx-request" for k, _ in scope["headers"])
        key = path + "?" + query + ("#hx" if hx else "")
        head = method == "HEAD"
        hit = self.cache.get(key) if self.cache is not None else None
        if hit is not None:
            status, headers, body = hit
            await send({"type": "http.response.start", "status": status, "headers": headers})
            await send({"type": "http.response.body", "body": b"" if head else body})
            return
        start: dict = {}
        chunks: list[bytes] = []
        state = {"size": 0, "keep": self.cache is not None}

        async def capture(message) -> None:
            if message["type"] == "http.response.start":
                headers = list(message.get("headers", []))
                if _is_html(headers) and not any(k == b"vary" for k, _ in headers):
                    headers.append((b"vary", b"HX-Request"))
                message = {**message, "headers": headers}
                start.update(message)
                state["keep"] = state["keep"] and message["status"] == 200
            elif message["type"] == "http.response.body":
                body = message.get("body", b"")
                if state["keep"]:
                    state["size"] += len(body)
                    if state["size"] > self.cache.max_entry_bytes:
                        state["keep"] = False  # too big to keep: stop holding its chunks
                        chunks.clear()
                    else:
                        chunks.append(body)
                if not message.get("more_body") and state["keep"]:
                    self.cache.put(key, list(start.get("headers", [])), b"".join(chunks))
                if head:
                    if message.get("more_body"):
                        return
                    message = {"type": "http.response.body", "body": b""}
            await send(message)

        await self.app(scope, receive, capture)


def _is_html(headers: list) -> bool:
    return any(k == b"content-type" and v.startswith(b"text/html") for k, v in headers)


async def _redirect(path: str, scope, send) -> None:
    """A permanent redirect from ``/x/`` to ``/x`` on this site: a relative location, never
    built from the Host header, and never to another site (slashes at either end are
    collapsed and the rest is percent-encoded, so neither //host nor /\\host can come out)."""
    location = "/" + quote(path.strip("/"), safe="/:@!$&'()*+,;=-._~")
    location = re.sub(r"^/+", "/", location)
    query = scope["query_string"].decode("latin-1")
    target = location + ("?" + query if query else "")
    await send(
        {
            "type": "http.response.start",
            "status": 308,
            "headers": [
                (b"location", target.encode("latin-1")),
                (b"content-length", b"0"),
            ],
        }
    )
    await send({"type": "http.response.body", "body": b""})


__all__ = [
    "CONTENT_SECURITY_POLICY",
    "CacheEntries",
    "ResponseCache",
    "SecurityHeaders",
    "normalise_query",
]
