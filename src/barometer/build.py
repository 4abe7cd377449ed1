"""The build: registers → validated views → indicators → store, in one atomic step."""

from __future__ import annotations

import json
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path

import ibis
import pandas as pd

from barometer import __version__
from barometer.catalogue import load_catalogue
from barometer.catalogue.models import Indicator
from barometer.compute.engine import Progress, compute_observations
from barometer.errors import InputError
from barometer.sources.registers import checksum, load_delivery
from barometer.store import schema
from barometer.store.writer import Run, atomic_store, new_run_id, write_frame, write_run

ENGINES = ("duckdb",)


@dataclass
class BuildResult:
    store: Path
    run: Run
    observations: int
    notes: list[str]


def read_manifest(directory: Path) -> dict | None:
    path = Path(directory) / "manifest.json"
    if not path.is_file():
        return None
    try:
        return json.loads(path.read_text(encoding="utf-8"))
    except json.JSONDecodeError as exc:
        raise InputError(f"not valid JSON: {exc}", path=path) from None


def build_store(
    registers: Path,
    store: Path,
    *,
    catalogue_dir: Path | None = None,
    engine: str = "duckdb",
    years: list[int] | None = None,
    progress: Progress | None = None,
) -> BuildResult:
    """Validate a delivery, compute every indicator and write a new store atomically."""
    if engine not in ENGINES:
        raise InputError(f"unknown engine {engine!r}; choose one of {', '.join(ENGINES)}")
    started = datetime.now()
    catalogue = load_catalogue(catalogue_dir)
    manifest = read_manifest(registers)
    synthetic = bool(manifest and manifest.get("synthetic"))
    scale = float(manifest.get("scale", 1.0)) if manifest else 1.0
    con = ibis.duckdb.connect()
    if progress:
        progress("validate registers", 0, 1)
    delivery = load_delivery(registers, con.con)
    result = compute_observations(con, delivery, catalogue, years=years, progress=progress)
    run = Run(
        run_id=new_run_id(),
        started_at=started,
        finished_at=datetime.now(),
        code_version=__version__,
        engine=engine,
        source_kind="registers",
        synthetic=synthetic,
        scale=scale,
        parameters={"years": years, "catalogue": str(catalogue_dir) if catalogue_dir else None},
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
    if progress:
        progress("write store", 0, 1)
    write_observation_store(store, result.observations, run, catalogue)
    return BuildResult(Path(store), run, len(result.observations), delivery.warnings + result.notes)


def write_observation_store(
    path: Path, observations: pd.DataFrame, run: Run, catalogue: dict[str, Indicator]
) -> None:
    defs = pd.DataFrame(
        [
            (
                i.id,
                json.dumps(i.model_dump(mode="json"), sort_keys=True, ensure_ascii=False),
            )
            for i in catalogue.values()
        ],
        columns=["indicator_id", "spec"],
    )
    import hashlib

    defs["sha256"] = [hashlib.sha256(s.encode()).hexdigest() for s in defs["spec"]]
    observations = observations.assign(
        reason=observations.get("reason"), source=observations.get("source", "registers")
    )
    with atomic_store(path) as con:
        write_frame(con, "observations", schema.OBSERVATIONS_DDL, observations)
        write_frame(con, "definitions", schema.DEFINITIONS_DDL, defs)
        write_run(con, run)
