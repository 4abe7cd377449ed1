"""Read a store. Publishing code reads only through here, never the registers."""

from __future__ import annotations

import json
from dataclasses import dataclass
from pathlib import Path

import duckdb
import pandas as pd

from barometer.errors import InputError
from barometer.store.schema import OBSERVATION_COLUMNS


@dataclass(frozen=True)
class RunInfo:
    run_id: str
    finished_at: str
    code_version: str
    synthetic: bool
    scale: float
    parameters: dict
    manifest: dict | None


def connect(path: Path) -> duckdb.DuckDBPyConnection:
    path = Path(path)
    if not path.is_file():
        raise InputError("no store here (build one with `barometer build`)", path=path)
    try:
        return duckdb.connect(str(path), read_only=True)
    except duckdb.Error as exc:
        raise InputError(f"cannot be opened as a store: {exc}", path=path) from None


def read_run(path: Path) -> RunInfo:
    with connect(path) as con:
        row = con.execute(
            "SELECT run_id, CAST(finished_at AS VARCHAR), code_version, synthetic, scale, "
            "parameters, manifest FROM runs ORDER BY finished_at DESC LIMIT 1"
        ).fetchone()
    if row is None:
        raise InputError("the store has no run recorded", path=path)
    return RunInfo(
        row[0],
        row[1],
        row[2],
        bool(row[3]),
        float(row[4]),
        json.loads(row[5]),
        json.loads(row[6]) if row[6] else None,
    )


def read_observations(
    path: Path, *, indicator: str | None = None, area: str | None = None
) -> pd.DataFrame:
    """Observations in export column order, optionally for one indicator and/or area."""
    where, params = [], []
    if indicator:
        where.append("indicator_id = ?")
        params.append(indicator)
    if area:
        where.append("area_code = ?")
        params.append(area)
    sql = f"SELECT {', '.join(OBSERVATION_COLUMNS)} FROM observations"
    if where:
        sql += " WHERE " + " AND ".join(where)
    sql += " ORDER BY indicator_id, area_code, year, origin_group, sex"
    with connect(path) as con:
        return con.execute(sql, params).df()


def read_definitions(path: Path) -> dict[str, dict]:
    with connect(path) as con:
        return {
            r[0]: json.loads(r[1])
            for r in con.execute(
                "SELECT indicator_id, spec FROM definitions ORDER BY indicator_id"
            ).fetchall()
        }
