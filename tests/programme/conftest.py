"""Fixtures of the programme tests: SQLite and a real PostgreSQL (``postgres_server`` from
tests/fixtures/postgres.py, shared with the Welcome House tests), keys, small databases."""

from __future__ import annotations

import base64
from pathlib import Path

import pytest

from barometer.casework import auth
from barometer.casework.crypto import CprVault
from barometer.casework.db import create_db_engine, upgrade_database
from barometer.programme import models, roles  # noqa: F401 (tables, roles)

from fixtures.postgres import pg_database

SECRET = bytes(range(32))

# Real argon2id, cheaper than production so that logins in tests take milliseconds.
auth.configure_password_hashing(time_cost=1, memory_cost=1024)


@pytest.fixture(params=["sqlite", "postgresql"])
def db_url(request, tmp_path):
    """An empty, migrated database on SQLite and on PostgreSQL."""
    if request.param == "sqlite":
        url = f"sqlite:///{tmp_path / 'programme.db'}"
    else:
        url = pg_database(request.getfixturevalue("postgres_server"))
    engine = create_db_engine(url)
    upgrade_database(engine)
    engine.dispose()
    return url


@pytest.fixture
def vault() -> CprVault:
    return CprVault(SECRET)


@pytest.fixture
def key_file(tmp_path) -> Path:
    path = tmp_path / "cpr.key"
    path.write_text(base64.b64encode(SECRET).decode())
    return path
