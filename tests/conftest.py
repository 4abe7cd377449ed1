"""Shared test helpers: write tiny register deliveries with the layout's real types."""

from __future__ import annotations

import datetime as dt
import sys
from pathlib import Path

import pyarrow as pa
import pyarrow.parquet as pq
import pytest

from barometer.sources.layout import REGISTERS
from db_fixtures import postgres_server  # noqa: F401 (the session's PostgreSQL)

# Integration tests reuse the hand-made delivery of tests/unit/test_indicators.py.
sys.path.insert(0, str(Path(__file__).parent / "unit"))

ARROW = {"str": pa.string(), "int": pa.int32(), "float": pa.float64(), "date": pa.date32()}


def write_register(directory: Path, stem: str, rows: list[dict], fmt: str = "parquet") -> Path:
    """Write rows (dicts keyed by layout column names) as one register file."""
    key = next(k for k, r in REGISTERS.items() if stem.startswith(k) and _matches(r, stem))
    reg = REGISTERS[key]
    names = [c.name for c in reg.columns]
    directory.mkdir(parents=True, exist_ok=True)
    path = directory / f"{stem}.{fmt}"
    if fmt == "parquet":
        schema = pa.schema([(c.name, ARROW[c.kind]) for c in reg.columns])
        cols = {n: [r.get(n) for r in rows] for n in names}
        pq.write_table(pa.table(cols, schema=schema), path)
    else:
        lines = [",".join(names)]
        for r in rows:
            lines.append(",".join("" if r.get(n) is None else str(r.get(n)) for n in names))
        path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return path


def _matches(reg, stem: str) -> bool:
    import re

    rx = re.escape(reg.pattern).replace(r"\{year\}", r"\d{4}")
    return re.fullmatch(rx, stem) is not None


def person(pnr, born, sex, kom, ie_type=1, land="5100", arrived=None, year=2020, adr=None):
    """A bef row; ALDER is the age at 31 December of ``year``."""
    b = dt.date.fromisoformat(born)
    return {
        "PNR": pnr,
        "FOED_DAG": b,
        "ALDER": year - b.year,
        "KOEN": 1 if sex == "m" else 2,
        "KOM": kom,
        "IE_TYPE": ie_type,
        "OPR_LAND": land,
        "FOERSTE_INDVANDRING": dt.date.fromisoformat(arrived) if arrived else None,
        "ADRESSE_ID": adr or f"A{pnr}",
    }


@pytest.fixture
def write():
    return write_register


def compute_raw(registers: Path):
    """Observations exactly as computed, before disclosure control (for checking the numbers)."""
    import ibis

    from barometer.catalogue import load_catalogue
    from barometer.compute.engine import compute_observations
    from barometer.sources.registers import load_delivery

    con = ibis.duckdb.connect()
    delivery = load_delivery(registers, con.con)
    return compute_observations(con, delivery, load_catalogue()).observations


def write_raw_store(registers: Path, store: Path) -> None:
    """A store of unprotected observations, to test store and export mechanics by hand."""
    from datetime import datetime

    from barometer.build import read_manifest, write_observation_store
    from barometer.catalogue import load_catalogue
    from barometer.sources.registers import checksum, discover
    from barometer.store.writer import Run

    manifest = read_manifest(registers)
    delivery = discover(registers)
    run = Run(
        run_id="test",
        started_at=datetime.now(),
        finished_at=datetime.now(),
        code_version="test",
        engine="duckdb",
        source_kind="registers",
        synthetic=bool(manifest and manifest.get("synthetic")),
        scale=float((manifest or {}).get("scale", 1.0)),
        parameters={},
        manifest=manifest,
        inputs=[
            {
                "path": rf.path.name,
                "register": rf.register.key,
                "bytes": rf.path.stat().st_size,
                "sha256": checksum(rf.path),
            }
            for rf in delivery.files.values()
        ],
    )
    write_observation_store(store, compute_raw(registers), run, load_catalogue())


def write_store_rows(path: Path, rows: list[list], *, synthetic: bool, scale: float) -> Path:
    """A store holding just these observations: each row gives the columns of
    schema.OBSERVATION_COLUMNS, then reason and source; every later column of the current
    observations DDL (intervals …) is null, so the tests follow schema changes."""
    from datetime import datetime

    import duckdb
    import pandas as pd

    from barometer.store import schema
    from barometer.store.writer import Run, atomic_store, write_frame, write_run

    frame = pd.DataFrame(rows, columns=[*schema.OBSERVATION_COLUMNS, "reason", "source"])
    with duckdb.connect() as con:
        con.execute(schema.OBSERVATIONS_DDL)
        columns = [r[0] for r in con.execute("DESCRIBE observations").fetchall()]
    now = datetime(2025, 1, 1)
    with atomic_store(path) as con:
        write_frame(con, "observations", schema.OBSERVATIONS_DDL, frame.reindex(columns=columns))
        write_frame(
            con,
            "definitions",
            schema.DEFINITIONS_DDL,
            pd.DataFrame(columns=["indicator_id", "spec", "sha256"]),
        )
        write_run(con, Run("r1", now, now, "0", "duckdb", "registers", synthetic, scale, {}))
    return path
