"""The register input: validate a delivery, compute every register indicator and the housing lists.

Person-level rows stay inside the engine; what leaves is one aggregate cell per indicator ×
area × year × origin group × sex (unprotected: the finishing stage protects it), and one row per
housing area and year.
"""

from __future__ import annotations

import json
import math
from collections.abc import Callable
from pathlib import Path

import ibis
import pandas as pd

from barometer.catalogue.models import HousingCountIndicator, Indicator, register_indicators
from barometer.compute.engine import compute_observations
from barometer.errors import InputError
from barometer.housing import classify_detailed, compute_area_stats, list_counts
from barometer.inputs import Input, checksum_json
from barometer.sources.registers import (
    checksum,
    discover,
    find_missing_years,
    load_delivery,
    split_at_gaps,
)

Progress = Callable[[str, int, int], None]
ENGINES = ("duckdb", "spark")


def read_manifest(directory: Path) -> dict | None:
    """The delivery's manifest.json (synthetic deliveries have one), checked; None if absent."""
    path = Path(directory) / "manifest.json"
    if not path.is_file():
        return None
    try:
        manifest = json.loads(path.read_text(encoding="utf-8"))
    except (json.JSONDecodeError, UnicodeDecodeError) as exc:
        raise InputError(f"not valid JSON: {exc}", path=path) from None
    if not isinstance(manifest, dict):
        raise InputError("must hold a JSON object", path=path)
    if "scale" in manifest:
        scale = manifest["scale"]
        if (
            isinstance(scale, bool)
            or not isinstance(scale, int | float)
            or not (math.isfinite(scale) and 0 < scale <= 1)
        ):
            raise InputError(
                f"'scale' must be a number above 0 and at most 1, got {scale!r}", path=path
            )
    return manifest


def check_years(registers: Path, years: list[int] | None) -> list[str]:
    """Stop before any work if none of the asked years has a population file; a note for
    the asked years that have none (they are skipped)."""
    if years is None:
        return []
    found = discover(registers).years("bef")
    missing = [y for y in years if y not in found]
    if len(missing) == len(years):
        raise InputError(
            f"--years {_span(years)}: no population file (bef{{YYYY}}12) for any of these "
            f"years; the delivery has data years {_span(found)}",
            path=registers,
        )
    return [f"--years: no population file for {_span(missing)}; skipped"] if missing else []


def _span(years: list[int]) -> str:
    """2019, 2020, 2021 → '2019-2021'; gaps as a list: '2015, 2019-2020'."""
    runs = split_at_gaps(sorted(set(years)))
    return ", ".join(str(r[0]) if len(r) == 1 else f"{r[0]}-{r[-1]}" for r in runs)


def derive_register_input(
    registers: Path,
    catalogue: dict[str, Indicator],
    *,
    engine: str = "duckdb",
    spark_master: str | None = None,
    years: list[int] | None = None,
    progress: Progress | None = None,
    show_values: bool = False,
) -> Input:
    """Validate the delivery, compute every register indicator and the housing lists.

    ``show_values``: validation messages also give the offending values (for the data owner,
    inside the research environment only)."""
    if engine not in ENGINES:
        raise InputError(f"unknown engine {engine!r}; choose one of {', '.join(ENGINES)}")
    registers = Path(registers)
    manifest = read_manifest(registers)
    synthetic = bool(manifest and manifest.get("synthetic"))
    scale = float(manifest.get("scale", 1.0)) if manifest else 1.0
    unknown_years = check_years(registers, years)
    con = ibis.duckdb.connect()
    if progress:
        progress("validate registers", 0, 1)
    delivery = load_delivery(registers, con.con, show_values=show_values)
    delivery.warnings += unknown_years
    computed = register_indicators(catalogue)
    if engine == "spark":  # validated in DuckDB above; computed on Spark from Parquet
        from barometer.compute.spark import compute_with_spark

        result = compute_with_spark(
            delivery,
            computed,
            duckdb_con=con.con,
            master=spark_master,
            years=years,
            progress=progress,
        )
    else:
        result = compute_observations(con, delivery, computed, years=years, progress=progress)
    notes = delivery.warnings + result.notes
    cells = result.observations
    tables: dict[str, pd.DataFrame] = {}
    lists = {i.list: i.id for i in catalogue.values() if isinstance(i, HousingCountIndicator)}
    if delivery.has("boligomraader") and lists:
        if progress:
            progress("housing areas", 0, 1)
        stats = compute_area_stats(delivery, con.con, scale=scale)
        areas, criteria, housing_notes = classify_lists(stats)
        notes += housing_notes
        cells = pd.concat([cells, list_counts(areas, lists)], ignore_index=True)
        tables = {"housing_stats": stats, "housing_areas": areas, "housing_criteria": criteria}
    elif lists:
        notes.append("no boligomraader file: housing lists not computed")
    files = [
        {
            "path": rf.path.name,
            "register": rf.register.key,
            "bytes": rf.path.stat().st_size,
            "sha256": checksum(rf.path),
        }
        for rf in delivery.files.values()
    ]
    return Input(
        source="registers",
        kind="registers",
        location=str(registers.resolve()),
        sha256=checksum_json(sorted(files, key=lambda f: f["path"])),
        bytes=sum(f["bytes"] for f in files),
        cells=cells,
        synthetic=synthetic,
        scale=scale,
        details={
            "manifest": manifest,
            "engine": engine,
            **({"spark_master": spark_master} if engine == "spark" else {}),
            "years": years,
            "data_years": delivery.years(),
        },
        files=files,
        tables=tables,
        notes=notes,
    )


def classify_lists(stats: pd.DataFrame) -> tuple[pd.DataFrame, pd.DataFrame, list[str]]:
    """The lists of every list year the data allow (DOMAIN.md §3): (areas, criteria, notes).

    List year Y uses data years up to Y-1 (housing/rules.py HousingParams), so data for
    2012-2024 give the lists of 2014-2025 (2-year averages need two data years). A missing
    data year splits the years into runs, each classified on its own (the consecutive-years
    count cannot run across a year nobody knows); the list years lost are noted.
    """
    years = sorted(int(y) for y in stats["data_year"].unique())
    areas, criteria, listed, notes = [], [], set(), []
    for run in split_at_gaps(years):
        first, last = run[0] + 2, run[-1] + 1
        result = classify_detailed(
            stats[stats["data_year"].isin(run)], last, from_year=min(first, last)
        )
        areas.append(result.areas)
        criteria.append(result.criteria)
        listed |= set(range(min(first, last), last + 1))
    if skipped := sorted(set(range(years[0] + 2, years[-1] + 2)) - listed):
        notes.append(
            f"housing lists {', '.join(map(str, skipped))}: not computed, data year(s) "
            f"{', '.join(map(str, find_missing_years(years)))} missing"
        )
    return pd.concat(areas, ignore_index=True), pd.concat(criteria, ignore_index=True), notes
