"""Alembic environment: runs on the engine handed in by ``db.upgrade_database``."""

from __future__ import annotations

from alembic import context

from barometer.casework.db import Base, create_db_engine

config = context.config
engine = config.attributes.get("engine") or create_db_engine(
    config.get_main_option("sqlalchemy.url")
)
target_metadata = config.attributes.get("metadata", Base.metadata)

with engine.connect() as connection:
    context.configure(
        connection=connection,
        target_metadata=target_metadata,
        render_as_batch=connection.dialect.name == "sqlite",
    )
    with context.begin_transaction():
        context.run_migrations()
