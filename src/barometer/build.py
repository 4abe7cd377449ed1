"""The build: registers → validated views → indicators → store, in one atomic step."""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path

import ibis
import pandas as pd

from barometer import __version__
from barometer.catalogue import load_catalogue
from barometer.catalogue.models import GapIndicator, Indicator, RateIndicator
from barometer.compute.engine import Progress, compute_observations
from barometer.disclosure import protect as protect_cells
from barometer.errors import InputError
from barometer.goals import add_intervals, compute_peers, evaluate, load_goal_sets
from barometer.goals.schema import GOAL_INDICATOR_STATUS_DDL, GOAL_STATUS_DDL
from barometer.housing import (
    HOUSING_AREAS_DDL,
    HOUSING_CRITERIA_DDL,
    classify_detailed,
    compute_area_stats,
    list_counts,
)
from barometer.sources.registers import (
    Delivery,
    checksum,
    find_missing_years,
    load_delivery,
    split_at_gaps,
)
from barometer.store import schema
from barometer.store.writer import Run, atomic_store, new_run_id, write_frame, write_run

ENGINES = ("duckdb", "spark")


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
    spark_master: str | None = None,
    years: list[int] | None = None,
    progress: Progress | None = None,
    disclosure_threshold: int = 5,
    show_values: bool = False,
) -> BuildResult:
    """Validate a delivery, compute every indicator and write a new store atomically.

    ``show_values``: validation messages also give the offending values (the data owner's)."""
    if engine not in ENGINES:
        raise InputError(f"unknown engine {engine!r}; choose one of {', '.join(ENGINES)}")
    started = datetime.now()
    catalogue = load_catalogue(catalogue_dir)
    manifest = read_manifest(registers)
    synthetic = bool(manifest and manifest.get("synthetic"))
    scale = float(manifest.get("scale", 1.0)) if manifest else 1.0
    raw = derive_observations(
        registers,
        catalogue,
        engine=engine,
        spark_master=spark_master,
        years=years,
        progress=progress,
        scale=scale,
        show_values=show_values,
    )
    delivery, housing, notes = raw.delivery, raw.housing, raw.notes
    run = Run(
        run_id=new_run_id(),
        started_at=started,
        finished_at=datetime.now(),
        code_version=__version__,
        engine=engine,
        source_kind="registers",
        synthetic=synthetic,
        scale=scale,
        parameters={
            "years": years,
            "catalogue": str(catalogue_dir) if catalogue_dir else None,
            "disclosure_threshold": disclosure_threshold,
            **({"spark_master": spark_master} if engine == "spark" else {}),
        },
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
    obs = raw.observations
    if progress:
        progress("disclosure control", 0, 1)
    obs = protect(obs, catalogue, threshold=disclosure_threshold)
    if progress:
        progress("goals and peers", 0, 1)
    obs = add_intervals(obs).drop(columns=["ci_method"])
    goal_status, goal_detail = evaluate(obs, load_goal_sets())
    peers = derive_peers(obs)
    if progress:
        progress("write store", 0, 1)
    tables = {
        "goal_status": (GOAL_STATUS_DDL, goal_status),
        "goal_indicator_status": (GOAL_INDICATOR_STATUS_DDL, goal_detail),
        "peers": (schema.PEERS_DDL, peers),
    }
    if housing is not None:
        tables["housing_areas"] = (HOUSING_AREAS_DDL, housing.areas.assign(run_id=run.run_id))
        tables["housing_criteria"] = (
            HOUSING_CRITERIA_DDL,
            housing.criteria.assign(run_id=run.run_id),
        )
    write_observation_store(store, obs, run, catalogue, tables)
    return BuildResult(Path(store), run, len(obs), notes)


@dataclass
class HousingResult:
    areas: pd.DataFrame
    criteria: pd.DataFrame
    counts: pd.DataFrame
    notes: list[str] = field(default_factory=list)


@dataclass
class Unprotected:
    """What the registers give before disclosure control: person-level data stay behind."""

    delivery: Delivery
    observations: pd.DataFrame  # indicators and housing-list counts, nothing suppressed yet
    housing: HousingResult | None
    notes: list[str]


def derive_observations(
    registers: Path,
    catalogue: dict[str, Indicator],
    *,
    engine: str = "duckdb",
    spark_master: str | None = None,
    years: list[int] | None = None,
    progress: Progress | None = None,
    scale: float = 1.0,
    show_values: bool = False,
) -> Unprotected:
    """Validate the delivery, compute every indicator and the housing lists (not yet protected)."""
    con = ibis.duckdb.connect()
    if progress:
        progress("validate registers", 0, 1)
    delivery = load_delivery(registers, con.con, show_values=show_values)
    if engine == "spark":  # validated in DuckDB above; computed on Spark from Parquet
        from barometer.compute.spark import compute_with_spark

        result = compute_with_spark(
            delivery,
            catalogue,
            duckdb_con=con.con,
            master=spark_master,
            years=years,
            progress=progress,
        )
    else:
        result = compute_observations(con, delivery, catalogue, years=years, progress=progress)
    notes = delivery.warnings + result.notes
    obs = result.observations
    housing = None
    if delivery.has("boligomraader"):
        if progress:
            progress("housing areas", 0, 1)
        housing = derive_housing(registers, scale)
        notes += housing.notes
        obs = pd.concat([obs, housing.counts], ignore_index=True)
    else:
        notes.append("no boligomraader file: housing lists not computed")
    return Unprotected(delivery, obs, housing, notes)


def derive_housing(registers: Path, scale: float) -> HousingResult:
    """Area statistics → the lists for every list year the data allow (DOMAIN.md §3).

    List year Y uses data years up to Y-1 (housing/rules.py HousingParams), so data for
    2012-2024 give the lists of 2014-2025 (2-year averages need two data years). A missing
    data year splits the years into runs, each classified on its own (the consecutive-years
    count cannot run across a year nobody knows); the list years lost are noted.
    """
    stats = compute_area_stats(registers, scale=scale)
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
    areas_df = pd.concat(areas, ignore_index=True)
    counts = list_counts(areas_df).assign(source="registers")
    return HousingResult(areas_df, pd.concat(criteria, ignore_index=True), counts, notes)


def denominator_keys(catalogue: dict[str, Indicator]) -> dict[str, str]:
    """Rate indicators with the same population share their denominator cells (e.g. the
    employment rate and the public-support share of the 16-64-year-olds); suppression must treat
    them as one, or one would reveal what the other hides."""
    keys = {}
    for ind in catalogue.values():
        if isinstance(ind, RateIndicator):
            keys[ind.id] = "pop:" + ind.filters.model_dump_json(exclude_none=True)
    return keys


def protect(
    obs: pd.DataFrame, catalogue: dict[str, Indicator], *, threshold: int = 5
) -> pd.DataFrame:
    """Disclosure control before anything is stored (DOMAIN.md §4.4): primary and secondary
    suppression of every person-based cell. The housing lists count areas on public lists, not
    persons, and are published as they are."""
    persons = ~obs["indicator_id"].str.startswith("housing_")
    gaps = {i.id: (i.of, i.reference) for i in catalogue.values() if isinstance(i, GapIndicator)}
    protected = protect_cells(
        obs[persons].reset_index(drop=True),
        threshold=threshold,
        gaps=gaps,
        shared_denominators=denominator_keys(catalogue),
    )
    return pd.concat([protected, obs[~persons]], ignore_index=True)


def derive_peers(obs: pd.DataFrame, k: int = 5) -> pd.DataFrame:
    """Each municipality's k most similar municipalities in the latest year."""
    years = obs.loc[obs["indicator_id"] == "population", "year"]
    if years.empty:
        return pd.DataFrame(columns=["area_code", "peer_code", "rank", "distance", "year"])
    year = int(years.max())
    return compute_peers(obs, year, k=k).assign(year=year)


def write_observation_store(
    path: Path,
    observations: pd.DataFrame,
    run: Run,
    catalogue: dict[str, Indicator],
    tables: dict[str, tuple[str, pd.DataFrame]] | None = None,
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
        reason=observations.get("reason"),
        source=(
            observations["source"].fillna("registers") if "source" in observations else "registers"
        ),
        ci_low=observations.get("ci_low"),
        ci_high=observations.get("ci_high"),
    )
    with atomic_store(path) as con:
        write_frame(con, "observations", schema.OBSERVATIONS_DDL, observations)
        write_frame(con, "definitions", schema.DEFINITIONS_DDL, defs)
        write_run(con, run)
        for name, (ddl, df) in (tables or {}).items():
            write_frame(con, name, ddl, df)
