"""Fixtures for the web tests: one synthetic fixture store and app per session.

The store comes from ``barometer.publish.web.fixture`` (all 98 municipalities, every catalogue
indicator, suppressed cells, goal status, housing lists), not from the register pipeline.
"""

from __future__ import annotations

import socket
import threading
import time
import warnings
from collections.abc import Iterator
from pathlib import Path

import pytest

from barometer.publish.web import create_app
from barometer.publish.web.fixture import make_store

with warnings.catch_warnings():
    # starlette asks for httpx2; plain httpx works and is what the project installs.
    warnings.simplefilter("ignore")
    from fastapi.testclient import TestClient


@pytest.fixture(scope="session")
def web_store(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return make_store(tmp_path_factory.mktemp("web") / "web.duckdb")


@pytest.fixture(scope="session")
def bare_store(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A store without goal or housing tables, as before those issues land."""
    return make_store(
        tmp_path_factory.mktemp("bare") / "bare.duckdb", goals=False, housing=False, synthetic=False
    )


@pytest.fixture(scope="session")
def web_app(web_store: Path):
    return create_app(web_store)


@pytest.fixture(scope="session")
def client(web_app):
    with TestClient(web_app) as c:
        yield c


@pytest.fixture(scope="session")
def bare_client(bare_store: Path):
    with TestClient(create_app(bare_store, peers=False)) as c:
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
