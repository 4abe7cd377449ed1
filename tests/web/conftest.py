"""Fixtures for the web tests: the session store (tests/conftest.py: built by the real
pipeline from a synthetic delivery, with surveys, StatBank tables and imported figures) and
one app for it per session."""

from __future__ import annotations

import socket
import threading
import time
import warnings
from collections.abc import Iterator
from pathlib import Path

import pytest

from barometer.publish.web import create_app

with warnings.catch_warnings():
    # starlette asks for httpx2; plain httpx works and is what the project installs.
    warnings.simplefilter("ignore")
    from fastapi.testclient import TestClient


@pytest.fixture(scope="session")
def web_store(session_store: Path) -> Path:
    return session_store


@pytest.fixture(scope="session")
def web_app(web_store: Path):
    return create_app(web_store)


@pytest.fixture(scope="session")
def client(web_app):
    with TestClient(web_app) as c:
        yield c


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@pytest.fixture(scope="session")
def live_server(web_app) -> Iterator[str]:
    """The session app served by uvicorn in a thread; yields its base URL."""
    import uvicorn

    port = _free_port()
    server = uvicorn.Server(
        uvicorn.Config(web_app, host="127.0.0.1", port=port, log_level="warning", lifespan="off")
    )
    thread = threading.Thread(target=server.run, daemon=True)
    thread.start()
    deadline = time.monotonic() + 20
    while not server.started:
        if time.monotonic() > deadline:
            raise RuntimeError("uvicorn did not start")
        time.sleep(0.05)
    yield f"http://127.0.0.1:{port}"
    server.should_exit = True
    thread.join(timeout=10)
