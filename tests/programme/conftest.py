"""Fixtures of the programme tests: a real PostgreSQL beside SQLite, keys, small databases.

PostgreSQL: ``$BAROMETER_TEST_POSTGRES_URL`` when set, else a throwaway cluster started here
(initdb + pg_ctl from /usr/lib/postgresql/*/bin, socket in a temp folder, run as the
``postgres`` user when the tests run as root, since initdb refuses root). Without PostgreSQL
the tests fail, they are never skipped (.ci/run installs Debian's postgresql).
"""

from __future__ import annotations

import base64
import os
import shutil
import subprocess
import tempfile
import uuid
from pathlib import Path

import pytest
from sqlalchemy import create_engine, text

from barometer.programme import models, roles  # noqa: F401 (tables, roles)
from barometer.programme.platform import auth
from barometer.programme.platform.crypto import CprVault
from barometer.programme.platform.db import create_db_engine, upgrade_database

PG_ENV = "BAROMETER_TEST_POSTGRES_URL"
SECRET = bytes(range(32))

# Real argon2id, cheaper than production so that logins in tests take milliseconds.
auth.configure_password_hashing(time_cost=1, memory_cost=1024)


def _as_postgres(cmd: list[str]) -> list[str]:
    if os.geteuid() != 0:
        return cmd
    assert shutil.which("runuser"), "runuser is needed to run initdb as the postgres user"
    return ["runuser", "-u", "postgres", "--", *cmd]


@pytest.fixture(scope="session")
def postgres_server():
    """A PostgreSQL server URL (without database) for the session."""
    if os.environ.get(PG_ENV):
        yield os.environ[PG_ENV].rstrip("/")
        return
    bins = sorted(Path("/usr/lib/postgresql").glob("*/bin/initdb"))
    assert bins, "PostgreSQL is not installed: apt-get install postgresql (or set " + PG_ENV + ")"
    bindir = Path(bins[-1]).parent
    tmp = Path(tempfile.mkdtemp(prefix="pgtest-"))
    if os.geteuid() == 0:
        shutil.chown(tmp, "postgres", "postgres")
    data = tmp / "data"
    subprocess.run(
        _as_postgres([str(bindir / "initdb"), "-D", str(data), "-U", "postgres", "-A", "trust",
                      "--no-sync", "-E", "UTF8"]),
        check=True, capture_output=True,
    )  # fmt: skip
    opts = f"-k {tmp} -c listen_addresses='' -c fsync=off -c full_page_writes=off"
    subprocess.run(
        _as_postgres([str(bindir / "pg_ctl"), "-D", str(data), "-o", opts, "-w", "-l",
                      str(tmp / "log"), "start"]),
        check=True, capture_output=True,
    )  # fmt: skip
    try:
        yield f"postgresql+psycopg://postgres@/?host={tmp}"
    finally:
        subprocess.run(
            _as_postgres([str(bindir / "pg_ctl"), "-D", str(data), "-m", "immediate", "stop"]),
            capture_output=True,
        )
        shutil.rmtree(tmp, ignore_errors=True)


def _pg_database(server: str) -> str:
    name = f"t_{uuid.uuid4().hex[:12]}"
    admin = create_engine(server.replace("/?", "/postgres?"), isolation_level="AUTOCOMMIT")
    with admin.connect() as c:
        c.execute(text(f"CREATE DATABASE {name}"))
    admin.dispose()
    return server.replace("/?", f"/{name}?") if "/?" in server else f"{server}/{name}"


@pytest.fixture(params=["sqlite", "postgresql"])
def db_url(request, tmp_path):
    """An empty, migrated database on SQLite and on PostgreSQL."""
    if request.param == "sqlite":
        url = f"sqlite:///{tmp_path / 'programme.db'}"
    else:
        url = _pg_database(request.getfixturevalue("postgres_server"))
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
