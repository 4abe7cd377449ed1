"""The case database: engine, sessions, Alembic migrations, the synthetic flag, one bulk writer.

SQLite is the embedded default (a path or ``sqlite:///file``); PostgreSQL is the deployment
(``postgresql://…``, driven by psycopg 3). Every domain declares its tables on :class:`Base`
and keeps its migrations in ``<package>/migrations/versions``; :func:`upgrade_database` runs
the platform's and every installed domain's migrations to their heads.
"""

from __future__ import annotations

import contextlib
import importlib.util
from collections.abc import Iterator
from datetime import UTC, datetime
from pathlib import Path

from sqlalchemy import Engine, MetaData, create_engine, event, inspect, select, text
from sqlalchemy.exc import OperationalError
from sqlalchemy.orm import DeclarativeBase, Mapped, Session, mapped_column, sessionmaker

from barometer.errors import BarometerError

HERE = Path(__file__).parent
# Domains whose migrations share this database; a missing package is skipped.
DOMAIN_PACKAGES = ("barometer.programme", "barometer.welcomehouse")
SQLITE_BUSY_MS = 5000
WRITER_LOCK_KEY = 731_2017  # PostgreSQL advisory lock id of the bulk writer

NAMING = {
    "ix": "ix_%(table_name)s_%(column_0_name)s",
    "uq": "uq_%(table_name)s_%(column_0_name)s",
    "ck": "ck_%(table_name)s_%(constraint_name)s",
    "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
    "pk": "pk_%(table_name)s",
}


class Base(DeclarativeBase):
    metadata = MetaData(naming_convention=NAMING)


class DatabaseError(BarometerError):
    """The database is missing, out of date, or held by another writer."""


class Meta(Base):
    """Key-value facts about the database itself (``synthetic``, ``created_at``)."""

    __tablename__ = "db_meta"
    key: Mapped[str] = mapped_column(primary_key=True)
    value: Mapped[str]


def utcnow() -> datetime:
    """Now in UTC, naive: SQLite and PostgreSQL store and compare it the same way."""
    return datetime.now(UTC).replace(tzinfo=None)


def normalise_url(url: str) -> str:
    """A path becomes a SQLite URL; ``postgresql://`` gets the psycopg 3 driver."""
    if "://" not in url:
        return f"sqlite:///{Path(url)}"
    for prefix in ("postgresql://", "postgres://"):
        if url.startswith(prefix):
            return "postgresql+psycopg://" + url[len(prefix) :]
    return url


def is_sqlite(engine: Engine) -> bool:
    return engine.dialect.name == "sqlite"


def create_db_engine(url: str) -> Engine:
    """An engine with SQLite's foreign keys on, WAL for readers beside a writer, a busy timeout."""
    url = normalise_url(url)
    if url.startswith("sqlite"):
        engine = create_engine(url, connect_args={"timeout": SQLITE_BUSY_MS / 1000})

        @event.listens_for(engine, "connect")
        def _pragmas(dbapi_conn, _record) -> None:
            cur = dbapi_conn.cursor()
            cur.execute("PRAGMA foreign_keys = ON")
            cur.execute(f"PRAGMA busy_timeout = {SQLITE_BUSY_MS}")
            if ":memory:" not in url and url != "sqlite://":
                cur.execute("PRAGMA journal_mode = WAL")
            cur.close()

        return engine
    if url.startswith("postgresql"):
        return create_engine(url, pool_pre_ping=True)
    raise DatabaseError(f"unsupported database URL scheme: {url.split('://')[0]}")


def make_sessionmaker(engine: Engine) -> sessionmaker[Session]:
    return sessionmaker(engine, expire_on_commit=False)


def version_locations() -> list[str]:
    """The platform's migrations and those of every installed domain package."""
    locations = [str(HERE / "migrations" / "versions")]
    for package in DOMAIN_PACKAGES:
        spec = importlib.util.find_spec(package)
        if spec is None or not spec.submodule_search_locations:
            continue
        versions = Path(next(iter(spec.submodule_search_locations))) / "migrations" / "versions"
        if versions.is_dir():
            locations.append(str(versions))
    return locations


def _alembic_config(engine: Engine):
    from alembic.config import Config

    cfg = Config()
    cfg.set_main_option("script_location", str(HERE / "migrations"))
    cfg.set_main_option("version_locations", " ".join(version_locations()))
    cfg.set_main_option("path_separator", "space")
    cfg.attributes["engine"] = engine
    return cfg


def upgrade_database(engine: Engine) -> None:
    """Create or upgrade every table to the newest migration (idempotent)."""
    from alembic import command

    command.upgrade(_alembic_config(engine), "heads")


def check_current(engine: Engine, module: str = "programme") -> None:
    """Refuse a database that is missing or behind the code's migrations; the message names
    ``module``'s migrate command (any module's migrates every module's tables)."""
    from alembic.runtime.migration import MigrationContext
    from alembic.script import ScriptDirectory

    heads = set(ScriptDirectory.from_config(_alembic_config(engine)).get_heads())
    with engine.connect() as conn:
        current = set(MigrationContext.configure(conn).get_current_heads())
    if current != heads:
        state = "has no tables" if not current else "is behind this version"
        command = f"barometer {module} migrate --db URL"
        raise DatabaseError(f"the database {state}: run `{command}` first")


def has_tables(engine: Engine) -> bool:
    return inspect(engine).has_table("alembic_version")


def read_meta(session: Session, key: str) -> str | None:
    return session.scalar(select(Meta.value).where(Meta.key == key))


def write_meta(session: Session, key: str, value: str) -> None:
    row = session.get(Meta, key)
    if row is None:
        session.add(Meta(key=key, value=value))
    else:
        row.value = value


def is_synthetic(session: Session) -> bool:
    return read_meta(session, "synthetic") == "true"


def check_synthetic_flag(session: Session, synthetic: bool, *, empty: bool) -> None:
    """Synthetic and real data never share a database: a database flagged synthetic takes only
    synthetic writes, and the flag is set only on an empty database."""
    flagged = is_synthetic(session)
    if flagged and not synthetic:
        raise DatabaseError("the database holds synthetic data; import real data into a new one")
    if synthetic and not flagged:
        if not empty:
            raise DatabaseError("synthetic data go into a new database, not one with real cases")
        write_meta(session, "synthetic", "true")


@contextlib.contextmanager
def bulk_writer(engine: Engine) -> Iterator[Session]:
    """One transaction for a bulk write (import, synthesis, retention); a second is refused.

    The whole write commits or nothing does. On SQLite the write lock is taken at the start
    (a second writer waits the busy timeout, then is refused); on PostgreSQL an advisory
    transaction lock marks the one bulk writer, while the web app's small writes go on.
    """
    session = make_sessionmaker(engine)()
    try:
        try:
            if is_sqlite(engine):
                session.execute(text("UPDATE db_meta SET value = value WHERE key = 'writer'"))
            elif not session.scalar(text(f"SELECT pg_try_advisory_xact_lock({WRITER_LOCK_KEY})")):
                raise DatabaseError("another import, synthesis or retention run is writing")
        except OperationalError as exc:
            if "locked" in str(exc).lower():
                raise DatabaseError(
                    "another import, synthesis or retention run is writing"
                ) from None
            raise
        yield session
        session.commit()
    except BaseException:
        session.rollback()
        raise
    finally:
        session.close()
