"""An on-disk cache of StatBank answers, keyed by the request that produced them.

Why: a fetch of several tables over many years repeats identical requests (tableinfo for
each table, the same data selection on a re-run); the StatBank asks clients to be gentle
(ANCHORS.md §5.3, no documented rate limit). Only complete, validated 200 answers are stored,
so a truncated body is never replayed. The StatBank holds only the latest figures (§5.3), so
a cached answer can go stale: ``max_age`` bounds how old an entry may be.
"""

from __future__ import annotations

import hashlib
import json
import os
import time
from dataclasses import dataclass
from pathlib import Path


def request_key(method: str, url: str, body: dict | None) -> str:
    """A stable id for a request: sha256 of method, URL and the JSON body with sorted keys."""
    text = json.dumps(
        {"method": method.upper(), "url": url, "body": body}, sort_keys=True, ensure_ascii=False
    )
    return hashlib.sha256(text.encode("utf-8")).hexdigest()


@dataclass(frozen=True)
class CacheEntry:
    body: bytes
    content_type: str
    stored_at: float


class ResponseCache:
    """Files ``<dir>/<key[:2]>/<key>.body`` and ``.meta.json``; written atomically."""

    def __init__(self, directory: Path, max_age: float | None = None) -> None:
        self.directory = Path(directory)
        self.max_age = max_age

    def _paths(self, key: str) -> tuple[Path, Path]:
        folder = self.directory / key[:2]
        return folder / f"{key}.body", folder / f"{key}.meta.json"

    def get(self, key: str) -> CacheEntry | None:
        body_path, meta_path = self._paths(key)
        if not (body_path.is_file() and meta_path.is_file()):
            return None
        try:
            meta = json.loads(meta_path.read_text(encoding="utf-8"))
        except (OSError, json.JSONDecodeError):
            return None
        if self.max_age is not None and time.time() - meta["stored_at"] > self.max_age:
            return None
        return CacheEntry(body_path.read_bytes(), meta.get("content_type", ""), meta["stored_at"])

    def put(self, key: str, body: bytes, content_type: str, request: dict) -> None:
        body_path, meta_path = self._paths(key)
        body_path.parent.mkdir(parents=True, exist_ok=True)
        meta = {"stored_at": time.time(), "content_type": content_type, "request": request}
        for path, data in (
            (body_path, body),
            (meta_path, json.dumps(meta, ensure_ascii=False).encode("utf-8")),
        ):
            tmp = path.with_name(f".{path.name}.{os.getpid()}.tmp")
            tmp.write_bytes(data)
            tmp.replace(path)
