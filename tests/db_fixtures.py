"""A real PostgreSQL for the database tests of the programme and Welcome House modules.

``$BAROMETER_TEST_POSTGRES_URL`` when set, else a throwaway cluster started once per test
session (initdb + pg_ctl from /usr/lib/postgresql/*/bin, socket in a temp folder, run as the
``postgres`` user when the tests run as root, since initdb refuses root). Without PostgreSQL
the tests fail, they are never skipped (.ci/run installs Debian's postgresql). Both domains'
tables are imported here, so ``Base.metadata`` describes every table the migrations create.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import tempfile
import uuid
from pathlib import Path

import pytest
from sqlalchemy import create_engine, text

from barometer.programme import models as _programme_tables  # noqa: F401
from barometer.welcomehouse import models as _welcomehouse_tables  # noqa: F401

PG_ENV = "BAROMETER_TEST_POSTGRES_URL"


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


def pg_database(server: str) -> str:
    """A new, empty database on the server; its URL."""
    name = f"t_{uuid.uuid4().hex[:12]}"
    admin = create_engine(server.replace("/?", "/postgres?"), isolation_level="AUTOCOMMIT")
    with admin.connect() as c:
        c.execute(text(f"CREATE DATABASE {name}"))
    admin.dispose()
    return server.replace("/?", f"/{name}?") if "/?" in server else f"{server}/{name}"
