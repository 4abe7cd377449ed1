"""The site's static files: versioned addresses, long cache lifetimes, brotli and gzip.

Pages name a file by ``static_url('app.js')`` → ``/static/app.js?v=<hash>``: the address
changes whenever the file does, so a browser may keep it for a year (``immutable``). A request
without the current hash gets ``no-cache`` and an ETag instead, so a stale address never pins
an old file. Each file is read once; its compressed forms are made on first request and kept.
"""

from __future__ import annotations

import gzip
import hashlib
import mimetypes
import threading
from dataclasses import dataclass, field
from pathlib import Path
from urllib.parse import parse_qs

LONG = "public, max-age=31536000, immutable"
SHORT = "no-cache"
TYPES = {".js": "text/javascript; charset=utf-8", ".geojson": "application/geo+json"}


def _brotli():
    try:
        import brotli
    except ImportError:  # brotli comes with WeasyPrint's fonttools; gzip alone also works
        return None
    return brotli


def pick_encoding(accept: str, brotli_ok: bool) -> str | None:
    """'br' or 'gzip' when the client accepts it (q=0 refuses), else None."""
    offered: dict[str, float] = {}
    for part in accept.split(","):
        name, _, params = part.strip().partition(";")
        q = 1.0
        if params.strip().startswith("q="):
            try:
                q = float(params.strip()[2:])
            except ValueError:
                q = 0.0
        offered[name.strip().lower()] = q
    if brotli_ok and offered.get("br", 0) > 0:
        return "br"
    if offered.get("gzip", 0) > 0:
        return "gzip"
    return None


@dataclass
class Asset:
    body: bytes
    digest: str
    media_type: str
    encoded: dict[str, bytes] = field(default_factory=dict)

    @property
    def compressible(self) -> bool:
        return len(self.body) > 512 and (
            self.media_type.startswith(("text/", "application/json", "application/geo+json"))
            or self.media_type.startswith("image/svg")
        )


class Assets:
    """Every file under one folder, served as an ASGI app (mount it at /static)."""

    def __init__(self, root: Path, prefix: str = "/static"):
        self.root = Path(root)
        self.prefix = prefix.rstrip("/")
        self.files: dict[str, Asset] = {}
        self.lock = threading.Lock()
        self.brotli = _brotli()
        for path in sorted(self.root.rglob("*")):
            if path.is_file() and not path.name.startswith("."):
                rel = path.relative_to(self.root).as_posix()
                body = path.read_bytes()
                media = TYPES.get(path.suffix) or (
                    mimetypes.guess_type(path.name)[0] or "application/octet-stream"
                )
                if media.startswith("text/") and "charset" not in media:
                    media += "; charset=utf-8"
                self.files[rel] = Asset(body, hashlib.sha256(body).hexdigest()[:12], media)

    def url(self, name: str) -> str:
        """The versioned address of a file (an unknown name is an error at render time)."""
        return f"{self.prefix}/{name}?v={self.files[name].digest}"

    def encoded(self, asset: Asset, encoding: str) -> bytes:
        with self.lock:
            hit = asset.encoded.get(encoding)
        if hit is not None:
            return hit
        if encoding == "br":
            body = self.brotli.compress(asset.body, quality=11)
        else:
            body = gzip.compress(asset.body, compresslevel=9, mtime=0)
        with self.lock:
            asset.encoded[encoding] = body
        return body

    async def __call__(self, scope, receive, send) -> None:
        if scope["type"] != "http":
            return
        path = scope["path"]
        rel = path[len(self.prefix) :] if path.startswith(self.prefix + "/") else path
        asset = self.files.get(rel.lstrip("/"))
        if asset is None or scope["method"] not in ("GET", "HEAD"):
            status = 404 if asset is None else 405
            await send(
                {
                    "type": "http.response.start",
                    "status": status,
                    "headers": [(b"content-type", b"text/plain; charset=utf-8")],
                }
            )
            await send({"type": "http.response.body", "body": b"not found"})
            return
        headers = {k.decode("latin-1").lower(): v.decode("latin-1") for k, v in scope["headers"]}
        query = parse_qs(scope.get("query_string", b"").decode("latin-1"))
        versioned = query.get("v", [""])[0] == asset.digest
        etag = f'"{asset.digest}"'
        out = [
            (b"cache-control", (LONG if versioned else SHORT).encode()),
            (b"etag", etag.encode()),
            (b"vary", b"Accept-Encoding"),
            (b"content-type", asset.media_type.encode()),
        ]
        if headers.get("if-none-match") == etag:
            await send({"type": "http.response.start", "status": 304, "headers": out})
            await send({"type": "http.response.body", "body": b""})
            return
        body = asset.body
        encoding = (
            pick_encoding(headers.get("accept-encoding", ""), self.brotli is not None)
            if asset.compressible
            else None
        )
        if encoding:
            body = self.encoded(asset, encoding)
            out.append((b"content-encoding", encoding.encode()))
        out.append((b"content-length", str(len(body)).encode()))
        await send({"type": "http.response.start", "status": 200, "headers": out})
        await send(
            {"type": "http.response.body", "body": b"" if scope["method"] == "HEAD" else body}
        )
