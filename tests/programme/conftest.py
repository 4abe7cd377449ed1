"""Fixtures of the programme tests: SQLite and a real PostgreSQL (``postgres_server`` from
tests/fixtures/postgres.py, shared with the Welcome House tests), keys, small databases."""

from __future__ import annotations

import base64
from pathlib import Path

import pytest

from barometer.casework import auth
from barometer.casework.crypto import CprVault
from barometer.programme import models, roles  # noqa: F401 (tables, roles)

from fixtures.browser import browser  # noqa: F401 (one Chromium a test module)
from fixtures.casework import migrated_database

SECRET = bytes(range(32))

# Real argon2id, cheaper than production so that logins in tests take milliseconds.
auth.configure_password_hashing(time_cost=1, memory_cost=1024)


@pytest.fixture(params=["sqlite", "postgresql"])
def db_url(request, tmp_path):
    """An empty, migrated database on SQLite and on PostgreSQL."""
    return migrated_database(request, tmp_path, "programme.db")


@pytest.fixture
def vault() -> CprVault:
    return CprVault(SECRET)


@pytest.fixture
def key_file(tmp_path) -> Path:
    path = tmp_path / "cpr.key"
    path.write_text(base64.b64encode(SECRET).decode())
    return path
