"""Everything a report shows, read from the store once and gathered per area.

One choke point protects disclosure: ``_load_observations`` blanks value, numerator,
denominator and interval of every cell whose status is not 'ok', so nothing downstream
(tables, charts, goal evaluation, peer pooling, summary sentences) can ever see a suppressed
number, even in a store that kept the number beside the status.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from pathlib import Path

import duckdb
import pandas as pd

from barometer.codes import DENMARK, load_municipalities
from barometer.errors import InputError
from barometer.goals import GoalParams, evaluate, load_goal_sets, peer_values
from barometer.goals.catalogue import GoalSet
from barometer.store.reader import RunInfo, connect, read_run

FOCUS = "non_western"
SECTION_AREAS = ("work", "education", "danish", "public_support", "crime")
# Origin groups in the origin chart and table: the five that partition the population, the
# focus roll-up and everyone.
ORIGIN_ROWS = (
    "danish_origin",
    "immigrants_western",
    "immigrants_non_western",
    "descendants_western",
    "descendants_non_western",
    "non_western",
    "all",
)
HOUSING_COUNTS = (
    "housing_parallelsamfund",
    "housing_omdannelsesomraader",
    "housing_udsatte_boligomraader",
    "housing_forebyggelsesomraader",
)
BLANKED = ("value", "numerator", "denominator", "ci_low", "ci_high")


@dataclass
class Snapshot:
    """The parts of a store a report reads, for some or all areas."""

    store: Path
    run: RunInfo
    definitions: dict[str, dict]
    obs: pd.DataFrame  # sex 'all'; suppressed cells blanked
    peers: pd.DataFrame
    housing_areas: pd.DataFrame | None
    housing_criteria: pd.DataFrame | None
    goal_sets: list[GoalSet]
    data_years: tuple[int, int] | None
    goal_cache: dict[int, tuple[pd.DataFrame, pd.DataFrame]] = field(default_factory=dict)
    peer_cache: dict[str, pd.DataFrame] = field(default_factory=dict)


def _tables(con: duckdb.DuckDBPyConnection) -> set[str]:
    return {r[0] for r in con.execute("SHOW TABLES").fetchall()}


def _load_observations(con: duckdb.DuckDBPyConnection, areas: list[str] | None) -> pd.DataFrame:
    sql = (
        "SELECT indicator_id, area_code, year, origin_group, sex, value, numerator, denominator,"
        " unit, status, reason, ci_low, ci_high FROM observations WHERE sex = 'all'"
    )
    params: list = []
    if areas is not None:
        sql += f" AND area_code IN ({', '.join('?' for _ in areas)})"
        params += areas
    obs = con.execute(sql, params).df()
    hidden = obs["status"] != "ok"
    for col in BLANKED:
        obs[col] = obs[col].astype("float64")
        obs.loc[hidden, col] = float("nan")
    obs["year"] = obs["year"].astype(int)
    return obs


def load_snapshot(store: Path, area: str | None = None) -> Snapshot:
    """Read the store; with ``area``, only that area, Denmark and the area's peers."""
    store = Path(store)
    run = read_run(store)
    with connect(store) as con:
        tables = _tables(con)
        defs = {
            r[0]: json.loads(r[1])
            for r in con.execute("SELECT indicator_id, spec FROM definitions").fetchall()
        }
        if "peers" in tables:
            peers = con.execute(
                "SELECT area_code, peer_code, rank, distance, year FROM peers ORDER BY area_code,"
                " rank"
            ).df()
        else:
            peers = pd.DataFrame(columns=["area_code", "peer_code", "rank", "distance", "year"])
        areas = None
        if area is not None:
            peers = peers[peers["area_code"] == area].reset_index(drop=True)
            areas = sorted({area, DENMARK, *peers["peer_code"]})
        obs = _load_observations(con, areas)
        h_areas = h_crit = None
        if "housing_areas" in tables:
            where = "" if area in (None, DENMARK) else " WHERE municipality_code = ?"
            par = [] if area in (None, DENMARK) else [area]
            h_areas = con.execute(f"SELECT * FROM housing_areas{where}", par).df()
            if "housing_criteria" in tables:
                crit_where = (
                    ""
                    if not where
                    else " WHERE area_id IN (SELECT area_id FROM housing_areas"
                    " WHERE municipality_code = ?)"
                )
                h_crit = con.execute(f"SELECT * FROM housing_criteria{crit_where}", par).df()
    years = obs.loc[~obs["indicator_id"].str.startswith("housing_"), "year"]
    data_years = (int(years.min()), int(years.max())) if len(years) else None
    return Snapshot(store, run, defs, obs, peers, h_areas, h_crit, load_goal_sets(), data_years)


def area_name(code: str, lang: str) -> str:
    if code == DENMARK:
        return "Hele landet" if lang == "da" else "Denmark"
    m = load_municipalities().get(code)
    if m is None:
        raise InputError(f"unknown area code {code!r}: give a municipality code or 000")
    return f"{m.name} Kommune" if lang == "da" else f"{m.name} Municipality"


def short_name(code: str, lang: str) -> str:
    if code == DENMARK:
        return "Hele landet" if lang == "da" else "Denmark"
    m = load_municipalities().get(code)
    return m.name if m else code


def goals_for(snap: Snapshot, area: str, year: int) -> tuple[pd.DataFrame, pd.DataFrame]:
    """Goal status and per-indicator detail for one area, evaluated at ``year``.

    Evaluated from the (blanked) observations with the build's default parameters, so that
    every part of the report refers to the same year; the store's own goal tables hold only
    the newest year.
    """
    if year not in snap.goal_cache:
        snap.goal_cache[year] = evaluate(snap.obs, snap.goal_sets, year=year, params=GoalParams())
    goals, detail = snap.goal_cache[year]
    return (
        goals[goals["area_code"] == area].reset_index(drop=True),
        detail[detail["area_code"] == area].reset_index(drop=True),
    )


def peer_frame(snap: Snapshot, area: str) -> pd.DataFrame:
    """Pooled peer-group values of ``area`` (every indicator, year, origin group)."""
    if area not in snap.peer_cache:
        links = snap.peers[snap.peers["area_code"] == area]
        if links.empty:
            snap.peer_cache[area] = pd.DataFrame(
                columns=["indicator_id", "year", "origin_group", "peer_value"]
            )
        else:
            codes = {area, *links["peer_code"]}
            part = snap.obs[snap.obs["area_code"].isin(codes)]
            pv = peer_values(part, links)
            snap.peer_cache[area] = pv[pv["area_code"] == area][
                ["indicator_id", "year", "origin_group", "peer_value"]
            ]
    return snap.peer_cache[area]


def peer_codes(snap: Snapshot, area: str) -> list[str]:
    return list(snap.peers.loc[snap.peers["area_code"] == area, "peer_code"])
