"""Migrations, the append-only access log and the one-writer rule, on SQLite and PostgreSQL."""

from __future__ import annotations

from datetime import datetime

import pytest
from alembic.autogenerate import compare_metadata
from alembic.runtime.migration import MigrationContext
from sqlalchemy import text
from sqlalchemy.exc import DBAPIError

from barometer.casework import access_log
from barometer.casework.db import (
    Base,
    DatabaseError,
    bulk_writer,
    create_db_engine,
    make_sessionmaker,
)


def test_migrations_match_the_models(db_url):
    engine = create_db_engine(db_url)
    with engine.connect() as conn:
        diff = compare_metadata(MigrationContext.configure(conn), Base.metadata)
    assert diff == []


def test_access_log_is_append_only_at_the_database(db_url):
    engine = create_db_engine(db_url)
    actor = access_log.Actor(None, "tester", "cli")
    with make_sessionmaker(engine)() as s:
        access_log.record(s, actor, "read", subject_id=7, at=datetime(2020, 1, 1))
        access_log.record(s, actor, "read", subject_id=7, at=datetime(2024, 1, 1))
        s.commit()
    for sql in ("UPDATE access_log SET purpose = 'x'", "DELETE FROM access_log"):
        with pytest.raises(DBAPIError, match="append-only"), engine.begin() as c:
            c.execute(text(sql))
    # A registered purge cutoff lets exactly the older rows go.
    with make_sessionmaker(engine)() as s:
        assert access_log.purge_before(s, datetime(2022, 1, 1), "run-1") == 1
        s.commit()
        assert [e["at"][:4] for e in access_log.extract_for_subject(s, 7)] == ["2024"]
    with pytest.raises(DBAPIError, match="append-only"), engine.begin() as c:
        c.execute(text("DELETE FROM access_log_purges"))


def test_a_second_bulk_writer_is_refused(db_url, monkeypatch):
    import barometer.casework.db as dbm

    monkeypatch.setattr(dbm, "SQLITE_BUSY_MS", 200)  # SQLite: wait 0.2 s, then refuse
    engine = create_db_engine(db_url)
    with bulk_writer(engine):
        other = create_db_engine(db_url)
        with pytest.raises(DatabaseError, match="another"), bulk_writer(other):
            pass
