"""Brotli or gzip for pages, JSON and downloads (pure ASGI middleware).

A municipality page is about 200 KB of HTML and compresses to a tenth of that. The response
cache keeps the plain body (so its keys need no Accept-Encoding); the compressed forms are
kept here by a digest of the body, so a repeated page is compressed once, not per request.
Static files are compressed by ``assets`` and pass through untouched.
"""

from __future__ import annotations

import gzip
import hashlib
import threading
from collections import OrderedDict

from barometer.publish.web.assets import _brotli, pick_encoding

MIN_BYTES = 1024
TYPES = (b"text/html", b"application/json", b"text/csv", b"application/geo+json")


class CompressedBodies:
    """A bounded LRU of compressed bodies by (encoding, digest of the plain body)."""

    def __init__(self, max_bytes: int = 64 * 1024 * 1024):
        self.max_bytes = max_bytes
        self.bytes = 0
        self.entries: OrderedDict[tuple[str, bytes], bytes] = OrderedDict()
        self.lock = threading.Lock()
        self.brotli = _brotli()

    def get(self, encoding: str, body: bytes) -> bytes:
        key = (encoding, hashlib.blake2b(body, digest_size=16).digest())
        with self.lock:
            hit = self.entries.get(key)
            if hit is not None:
                self.entries.move_to_end(key)
                return hit
        if encoding == "br":
            out = self.brotli.compress(body, quality=5)
        else:
            out = gzip.compress(body, compresslevel=6, mtime=0)
        with self.lock:
            if key not in self.entries and len(out) < self.max_bytes // 16:
                self.entries[key] = out
                self.bytes += len(out)
                while self.bytes > self.max_bytes:
                    _, old = self.entries.popitem(last=False)
                    self.bytes -= len(old)
        return out


class Compress:
    def __init__(self, app, bodies: CompressedBodies | None = None, skip: str = "/static/"):
        self.app = app
        self.bodies = bodies or CompressedBodies()
        self.skip = skip

    async def __call__(self, scope, receive, send) -> None:
        if scope["type"] != "http" or scope["path"].startswith(self.skip):
            await self.app(scope, receive, send)
            return
        accept = ""
        for k, v in scope["headers"]:
            if k == b"accept-encoding":
                accept = v.decode("latin-1")
        encoding = pick_encoding(accept, self.bodies.brotli is not None)
        if encoding is None or scope["method"] != "GET":
            await self.app(scope, receive, send)
            return
        start: dict = {}
        chunks: list[bytes] = []
        streaming = False

        async def capture(message) -> None:
            nonlocal streaming
            if message["type"] == "http.response.start":
                start.update(message)
                return
            if message["type"] != "http.response.body" or streaming:
                await send(message)
                return
            if message.get("more_body") and not chunks:
                # A streamed response (a big CSV) passes through as it comes: compressing it
                # would mean holding the whole body in memory.
                streaming = True
                await send(start)
                await send(message)
                return
            chunks.append(message.get("body", b""))
            if message.get("more_body"):
                return
            body = b"".join(chunks)
            headers = list(start.get("headers", []))
            names = {k.lower(): v for k, v in headers}
            media = names.get(b"content-type", b"")
            if (
                len(body) >= MIN_BYTES
                and b"content-encoding" not in names
                and media.startswith(TYPES)
            ):
                body = self.bodies.get(encoding, body)
                headers = [(k, v) for k, v in headers if k.lower() != b"content-length"]
                headers += [
                    (b"content-encoding", encoding.encode()),
                    (b"content-length", str(len(body)).encode()),
                ]
                vary = names.get(b"vary")
                if vary is None:
                    headers.append((b"vary", b"Accept-Encoding"))
                elif b"accept-encoding" not in vary.lower():
                    headers = [(k, v) for k, v in headers if k.lower() != b"vary"]
                    headers.append((b"vary", vary + b", Accept-Encoding"))
            await send({**start, "headers": headers})
            await send({"type": "http.response.body", "body": body})

        await self.app(scope, receive, capture)
