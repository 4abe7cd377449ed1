"""Write a store atomically: build into a new file beside the target, then swap it in.

A failed build leaves the previous store untouched and no half-written file behind.
"""

from __future__ import annotations

import contextlib
import json
import shutil
import uuid
from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path

import duckdb
import pandas as pd

from barometer.store import schema


@dataclass
class Run:
    run_id: str
    started_at: datetime
    finished_at: datetime
    code_version: str
    engine: str
    source_kind: str
    synthetic: bool
    scale: float
    parameters: dict
    manifest: dict | None = None
    inputs: list[dict] = field(default_factory=list)  # path, register, bytes, sha256


def new_run_id() -> str:
    return uuid.uuid4().hex[:12]


@contextlib.contextmanager
def _swapped_in(tmp: Path, path: Path) -> Iterator[duckdb.DuckDBPyConnection]:
    """Work on ``tmp``; on success checkpoint it and rename it over ``path`` (atomic on one file
    system), on any failure remove it and its WAL so nothing half-written is left."""
    con = duckdb.connect(str(tmp))
    try:
        yield con
        con.execute("CHECKPOINT")
        con.close()
        tmp.replace(path)
    except BaseException:
        con.close()
        for p in (tmp, tmp.with_name(tmp.name + ".wal")):
            p.unlink(missing_ok=True)
        raise


def _temporary_beside(path: Path) -> Path:
    return path.with_name(f".{path.name}.{uuid.uuid4().hex[:8]}.tmp")


@contextlib.contextmanager
def atomic_store(path: Path) -> Iterator[duckdb.DuckDBPyConnection]:
    """Yield a connection to a fresh temporary database that replaces ``path`` on success."""
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    with _swapped_in(_temporary_beside(path), path) as con:
        yield con


@contextlib.contextmanager
def update_store(path: Path) -> Iterator[duckdb.DuckDBPyConnection]:
    """Change an existing store safely: work on a copy, swap it in only if all went well."""
    path = Path(path)
    if not path.is_file():
        from barometer.errors import InputError

        raise InputError("no store here (build one with `barometer build`)", path=path)
    tmp = _temporary_beside(path)
    shutil.copyfile(path, tmp)
    with _swapped_in(tmp, path) as con:
        yield con


def write_frame(con: duckdb.DuckDBPyConnection, table: str, ddl: str, df: pd.DataFrame) -> None:
    """Create a table from its DDL and insert a frame into it, columns by name."""
    con.execute(ddl)
    cols = [r[0] for r in con.execute(f"DESCRIBE {table}").fetchall()]
    con.register("_frame", df[cols] if len(df) else pd.DataFrame(columns=cols))
    con.execute(f"INSERT INTO {table} SELECT * FROM _frame")
    con.unregister("_frame")


def write_run(con: duckdb.DuckDBPyConnection, run: Run) -> None:
    con.execute(schema.RUNS_DDL)
    con.execute(
        "INSERT INTO runs VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
        [
            run.run_id,
            run.started_at,
            run.finished_at,
            run.code_version,
            run.engine,
            run.source_kind,
            run.synthetic,
            run.scale,
            json.dumps(run.parameters, sort_keys=True),
            json.dumps(run.manifest, sort_keys=True) if run.manifest is not None else None,
        ],
    )
    con.execute(schema.INPUTS_DDL)
    for i in run.inputs:
        con.execute(
            "INSERT INTO run_inputs VALUES (?, ?, ?, ?, ?)",
            [run.run_id, i["path"], i["register"], i["bytes"], i["sha256"]],
        )
