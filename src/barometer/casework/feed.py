"""The shape of a case module's barometer feed, and one read of its database.

Each module's ``aggregates.compute_barometer_cells`` returns cells with these columns and no
disclosure control: the pipeline's finishing stage applies it before anything is stored or
published.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import TypeVar

from sqlalchemy.orm import Session

from barometer.casework.db import create_db_engine, make_sessionmaker

T = TypeVar("T")
CELL_COLUMNS = [
    "indicator_id",
    "area_code",
    "year",
    "origin_group",
    "sex",
    "numerator",
    "denominator",
    "value",
    "unit",
]


def read_database(db_url: str, load: Callable[[Session], T]) -> T:
    """What ``load`` reads from the database at ``db_url``; the engine is closed afterwards."""
    engine = create_db_engine(db_url)
    try:
        with make_sessionmaker(engine)() as session:
            return load(session)
    finally:
        engine.dispose()
