"""The one reader of stores: every publisher (web, API, report, exports, CLI) reads through here.

One choke point protects disclosure: ``read_snapshot`` and ``read_observations`` blank value,
numerator, denominator and interval of every cell whose status is not 'ok', so no publisher can
see a suppressed number even if a store kept one beside its status.

``read_inputs`` reads a store's inputs file; only the pipeline calls it.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from pathlib import Path

import duckdb
import numpy as np
import pandas as pd

from barometer.errors import InputError
from barometer.inputs import KEY, Input
from barometer.settings import BuildSettings, read_recorded
from barometer.store import schema
from barometer.store.write import inputs_path

BLANKED = ("value", "numerator", "denominator", "ci_low", "ci_high")
GOAL_INTEGER_COLUMNS = (
    "year",
    "base_year",
    "latest_year",
    "base_rounded",
    "latest_rounded",
    "target_year",
    "n_indicators",
    "n_driving",
    "n_with_data",
)


@dataclass(frozen=True)
class RunInfo:
    run_id: str
    finished_at: str
    code_version: str
    engine: str
    source_kind: str
    synthetic: bool
    scale: float
    parameters: dict
    manifest: dict | None
    notes: list[str]

    @property
    def settings(self) -> BuildSettings:
        return read_recorded(self.parameters)


@dataclass
class Snapshot:
    """Everything a publisher may show, as read from one store."""

    path: Path
    run: RunInfo
    definitions: dict[str, dict]
    goal_sets: dict[str, dict]
    observations: pd.DataFrame  # every source; suppressed cells blanked
    indicator_sources: pd.DataFrame
    inputs: pd.DataFrame
    goal_status: pd.DataFrame
    goal_indicator_status: pd.DataFrame
    peers: pd.DataFrame
    peer_values: pd.DataFrame
    housing_areas: pd.DataFrame
    housing_criteria: pd.DataFrame
    housing_warning: pd.DataFrame
    survey_cells: pd.DataFrame
    survey_districts: pd.DataFrame
    tables: list[str] = field(default_factory=list)

    @property
    def settings(self) -> BuildSettings:
        return self.run.settings

    @property
    def synthetic(self) -> bool:
        return self.run.synthetic


def connect(path: Path) -> duckdb.DuckDBPyConnection:
    """A read-only connection to a store of this schema version, or a clear error."""
    path = Path(path)
    if path.is_dir():
        raise InputError("is a folder, not a store file", path=path)
    if not path.is_file():
        raise InputError("no store here (build one with `barometer build`)", path=path)
    try:
        con = duckdb.connect(str(path), read_only=True)
    except duckdb.Error:
        raise InputError(
            "cannot be opened as a store (not a DuckDB file written by `barometer build`)",
            path=path,
        ) from None
    try:
        version = con.execute("SELECT max(schema_version) FROM runs").fetchone()[0]
    except duckdb.Error:
        version = None
    if version != schema.SCHEMA_VERSION:
        con.close()
        raise InputError(
            f"was written by another version of the barometer (store schema {version or 1}, "
            f"this version reads {schema.SCHEMA_VERSION}); rebuild it with `barometer build`",
            path=path,
        )
    return con


def _run_from(con: duckdb.DuckDBPyConnection, path: Path) -> RunInfo:
    row = con.execute(
        "SELECT run_id, CAST(finished_at AS VARCHAR), code_version, engine, source_kind, "
        "synthetic, scale, parameters, manifest, notes FROM runs "
        "ORDER BY finished_at DESC LIMIT 1"
    ).fetchone()
    if row is None:
        raise InputError("the store has no run recorded", path=path)
    return RunInfo(
        run_id=row[0],
        finished_at=row[1],
        code_version=row[2],
        engine=row[3],
        source_kind=row[4],
        synthetic=bool(row[5]),
        scale=float(row[6]),
        parameters=json.loads(row[7]),
        manifest=json.loads(row[8]) if row[8] else None,
        notes=json.loads(row[9]) if row[9] else [],
    )


def read_run(path: Path) -> RunInfo:
    with connect(path) as con:
        return _run_from(con, Path(path))


def blank_suppressed(obs: pd.DataFrame) -> pd.DataFrame:
    """Value, counts and interval of every cell not 'ok' become null (the choke point)."""
    hidden = (obs["status"] != "ok").to_numpy()
    for col in BLANKED:
        if col in obs:
            values = obs[col].astype("float64").to_numpy(copy=True)
            values[hidden] = np.nan
            obs[col] = values
    return obs


def _where(filters: dict[str, list | None]) -> tuple[str, list]:
    clauses, params = [], []
    for col, values in filters.items():
        if values is None:
            continue
        values = list(values)
        if not values:
            clauses.append("false")
            continue
        clauses.append(f"{col} IN ({', '.join('?' for _ in values)})")
        params += values
    return (" WHERE " + " AND ".join(clauses) if clauses else ""), params


def _observations(con, filters: dict[str, list | None]) -> pd.DataFrame:
    where, params = _where(filters)
    sql = (
        f"SELECT {', '.join(schema.OBSERVATION_COLUMNS)} FROM observations{where} "
        "ORDER BY indicator_id, area_code, year, origin_group, sex, preferred DESC, source"
    )
    obs = con.execute(sql, params).df()
    obs["year"] = obs["year"].astype(int)
    return blank_suppressed(obs)


def read_observations(
    path: Path,
    *,
    indicator: str | list[str] | None = None,
    area: str | list[str] | None = None,
    source: str | list[str] | None = None,
    preferred_only: bool = False,
) -> pd.DataFrame:
    """Observations in export column order, optionally filtered."""

    def listed(v):
        return None if v is None else ([v] if isinstance(v, str) else list(v))

    filters = {
        "indicator_id": listed(indicator),
        "area_code": listed(area),
        "source": listed(source),
    }
    if preferred_only:
        filters["preferred"] = [True]
    with connect(path) as con:
        return _observations(con, filters)


def _table(con, name: str, where: str = "", params: list | None = None) -> pd.DataFrame:
    return con.execute(f"SELECT * FROM {name}{where}", params or []).df()


def read_snapshot(
    path: Path, *, areas: list[str] | None = None, sexes: list[str] | None = None
) -> Snapshot:
    """The whole store, or the rows of some areas (and sexes) only (e.g. one report)."""
    path = Path(path)
    with connect(path) as con:
        con.execute("SET enable_progress_bar = false")
        run = _run_from(con, path)
        definitions = {
            r[0]: json.loads(r[1])
            for r in con.execute(
                "SELECT indicator_id, spec FROM definitions ORDER BY indicator_id"
            ).fetchall()
        }
        goal_sets = {
            r[0]: json.loads(r[1])
            for r in con.execute(
                "SELECT goal_set, spec FROM goal_sets ORDER BY position"
            ).fetchall()
        }
        obs = _observations(con, {"area_code": areas, "sex": sexes})
        area_where, area_params = _where({"area_code": areas})
        muni_where, muni_params = _where({"municipality_code": areas})
        goal_status = _table(con, "goal_status", area_where, area_params)
        goal_detail = _table(con, "goal_indicator_status", area_where, area_params)
        peers = _table(con, "peers", area_where, area_params).sort_values(["area_code", "rank"])
        peer_values = _table(con, "peer_values", area_where, area_params)
        housing_areas = _table(con, "housing_areas", muni_where, muni_params)
        criteria_where = (
            ""
            if areas is None
            else " WHERE area_id IN (SELECT area_id FROM housing_areas"
            + muni_where.replace("municipality_code", "housing_areas.municipality_code")
            + ")"
        )
        housing_criteria = _table(con, "housing_criteria", criteria_where, muni_params)
        housing_warning = _table(con, "housing_warning", muni_where, muni_params)
        survey_cells = _table(con, "survey_cells", area_where, area_params)
        survey_districts = _table(con, "survey_districts", area_where, area_params)
        indicator_sources = _table(con, "indicator_sources")
        inputs = _table(con, "inputs")
        tables = sorted(r[0] for r in con.execute("SHOW TABLES").fetchall())
    for frame in (goal_status, goal_detail):
        # Nullable integers, as the evaluation makes them: a join must not turn them to floats.
        for col in GOAL_INTEGER_COLUMNS:
            if col in frame:
                frame[col] = frame[col].astype("Int64")
    if "year" in peer_values:
        peer_values["year"] = peer_values["year"].astype(int)
    return Snapshot(
        path=path,
        run=run,
        definitions=definitions,
        goal_sets=goal_sets,
        observations=obs,
        indicator_sources=indicator_sources,
        inputs=inputs,
        goal_status=goal_status,
        goal_indicator_status=goal_detail,
        peers=peers.reset_index(drop=True),
        peer_values=peer_values,
        housing_areas=housing_areas,
        housing_criteria=housing_criteria,
        housing_warning=housing_warning,
        survey_cells=survey_cells,
        survey_districts=blank_suppressed(survey_districts),
        tables=tables,
    )


# --- the inputs file (pipeline only) --------------------------------------------------------


def read_inputs(store: Path, kinds: tuple[str, ...] | None = None) -> list[Input] | None:
    """The inputs a store was finished from; None when the store does not exist yet.

    A store without its inputs file cannot be finished again without losing what it holds,
    so that is an error naming both files rather than a fresh start. ``kinds`` reads only the
    inputs of those kinds (a StatBank refresh needs its own, not the register cells).
    """
    store = Path(store)
    path = inputs_path(store)
    if not path.is_file():
        if store.exists():
            raise InputError(
                f"the store has no inputs file beside it ({path.name}), so adding to it would "
                "lose what it holds; rebuild it with `barometer build` (and re-run its imports), "
                "or write to a new store",
                path=store,
            )
        return None
    try:
        con = duckdb.connect(str(path), read_only=True)
    except duckdb.Error:
        raise InputError("cannot be opened as a store's inputs file", path=path) from None
    try:
        kind_in = f"kind IN ({', '.join('?' for _ in kinds)})" if kinds else "true"
        args = list(kinds or [])
        of_kinds = f" WHERE source IN (SELECT source FROM inputs WHERE {kind_in})"
        meta = con.execute(
            f"SELECT * FROM inputs WHERE {kind_in} ORDER BY added_at, source", args
        ).df()
        files = con.execute(f"SELECT * FROM input_files{of_kinds}", args).df()
        cells = con.execute(f"SELECT * FROM input_cells{of_kinds}", args).df()
        side = {
            name: con.execute(f"SELECT * FROM side_{name}{of_kinds}", args).df()
            for name in schema.INPUT_SIDE_TABLES
            if con.execute(
                "SELECT count(*) FROM duckdb_tables() WHERE table_name = ?", [f"side_{name}"]
            ).fetchone()[0]
        }
    except duckdb.Error as exc:
        raise InputError(
            f"the inputs file cannot be read ({exc}); rebuild the store", path=path
        ) from None
    finally:
        con.close()
    out = []
    for rec in meta.to_dict("records"):
        source = rec["source"]
        details = json.loads(rec["details"]) if isinstance(rec["details"], str) else {}
        notes = details.pop("notes", [])
        mine = cells[cells["source"] == source].reset_index(drop=True)
        cached = isinstance(rec.get("protection"), str) and mine["verdict_status"].notna().all()
        out.append(
            Input(
                source=source,
                kind=rec["kind"],
                location=rec["location"],
                sha256=rec["sha256"],
                bytes=int(rec["bytes"]),
                cells=mine.drop(columns=["source", "verdict_status", "verdict_reason"]),
                synthetic=bool(rec["synthetic"]),
                scale=float(rec["scale"]),
                request=json.loads(rec["request"]) if isinstance(rec["request"], str) else None,
                details=details,
                files=files[files["source"] == source].drop(columns="source").to_dict("records"),
                tables={
                    name: frame[frame["source"] == source]
                    .drop(columns="source")
                    .reset_index(drop=True)
                    for name, frame in side.items()
                    if (frame["source"] == source).any()
                },
                notes=notes,
                added_at=pd.Timestamp(rec["added_at"]).to_pydatetime(),
                code_version=rec["code_version"],
                protected=mine[[*KEY]].assign(
                    status=mine["verdict_status"],
                    reason=mine["verdict_reason"]
                    .astype(object)
                    .where(mine["verdict_reason"].notna(), None),
                )
                if cached
                else None,
                protection=rec["protection"] if cached else None,
            )
        )
    return out
