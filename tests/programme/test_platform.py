"""Migrations, the append-only access log and the one-writer rule, on SQLite and PostgreSQL."""

from __future__ import annotations

from datetime import datetime

import pytest
from alembic.autogenerate import compare_metadata
from alembic.runtime.migration import MigrationContext
from sqlalchemy import text
from sqlalchemy.exc import DBAPIError

from barometer.casework import access_log
from barometer.casework.csvio import Checker, ImportProblemsError, Problems, read_table
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


def test_import_checks_name_file_column_and_rows(tmp_path):
    path = tmp_path / "episodes.csv"
    path.write_text(
        "person_id;hours;kind\nP1;7,5;a\nP2;0;b\nP3;abc;x\nP4;;a\nP5;24;y\n", encoding="utf-8"
    )
    problems = Problems()
    rows = read_table(path, ("person_id", "hours", "kind", "cvr"), (), problems)
    c = Checker(path, problems)
    hours = [c.hours(r, "hours", i, 8) for i, r in enumerate(rows, start=1)]
    kinds = [c.choice(r, "kind", i, {"a", "b"}, message="no such kind") for i, r in enumerate(rows, start=1)]  # fmt: skip
    assert hours == [7.5, None, None, None, None] and kinds == ["a", "b", None, "a", None]
    with pytest.raises(ImportProblemsError) as exc:
        problems.raise_if_any()
    assert str(exc.value).splitlines()[1:] == [
        f"  {path}: column cvr: required column missing",
        f"  {path}: column hours: rows 2, 3, 5: not a number of hours above 0 and at most 8",
        f"  {path}: column kind: rows 3, 5: no such kind",
    ]
