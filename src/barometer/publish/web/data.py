"""Everything the web app shows, loaded from the store once at startup.

Why in memory: the store is read-only and small (a few hundred thousand observations), so
requests answer from dictionaries of frames and never touch DuckDB. Tables that later issues
add (goal status, housing lists, peers) are optional: a missing table is ``None`` and the page
says so instead of failing.
"""

from __future__ import annotations

import json
import logging
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np
import pandas as pd

from barometer.codes import DENMARK, ORIGIN_GROUPS, load_municipalities, load_regions
from barometer.publish.export import describe_run
from barometer.publish.web.intervals import wilson_interval
from barometer.store.reader import RunInfo, connect, read_run
from barometer.store.schema import OBSERVATION_COLUMNS

log = logging.getLogger(__name__)

KEYS = ["indicator_id", "area_code", "year", "origin_group", "sex"]
OPTIONAL_TABLES = (
    "goal_status",
    "goal_indicator_status",
    "housing_areas",
    "housing_criteria",
    "housing_warning",
    "peers",
)
AREA_ORDER = ("population", "work", "education", "danish", "public_support", "housing", "crime")


@dataclass
class StoreData:
    path: Path
    run: RunInfo
    meta: dict
    definitions: dict[str, dict]
    obs: pd.DataFrame
    by_indicator: dict[str, pd.DataFrame]
    by_area: dict[str, pd.DataFrame]
    years: list[int]
    indicator_years: dict[str, list[int]]
    indicator_groups: dict[str, list[str]]
    areas: dict[str, dict]
    tables: set[str]
    goal_status: pd.DataFrame | None = None
    goal_indicator_status: pd.DataFrame | None = None
    housing_areas: pd.DataFrame | None = None
    housing_criteria: pd.DataFrame | None = None
    housing_warning: pd.DataFrame | None = None
    peers: dict[str, list[str]] = field(default_factory=dict)
    peer_values: pd.DataFrame | None = None
    # (indicator, area) → (origin group, sex) → rows by year, as plain dicts (fast to render).
    cells: dict[tuple[str, str], dict[tuple[str, str], list[dict]]] = field(default_factory=dict)
    peer_cells: dict[tuple[str, str], dict[tuple[str, str], list[dict]]] = field(
        default_factory=dict
    )
    # Goal rows by area, and goal-indicator rows by (goal_set, goal_id, area, origin group).
    goal_status_by_area: dict[str, list[dict]] = field(default_factory=dict)
    goal_detail_by_key: dict[tuple, list[dict]] = field(default_factory=dict)

    @property
    def synthetic(self) -> bool:
        return self.run.synthetic

    def indicator_ids(self) -> list[str]:
        order = {a: i for i, a in enumerate(AREA_ORDER)}
        return sorted(
            self.definitions,
            key=lambda i: (order.get(self.definitions[i].get("area", "other"), 99), i),
        )

    def headline_group(self, indicator_id: str, preferred: str = "non_western") -> str:
        groups = self.indicator_groups.get(indicator_id, [])
        if preferred in groups:
            return preferred
        for g in ("non_western", "all"):
            if g in groups:
                return g
        return groups[0] if groups else preferred


def _fallback_spec(indicator_id: str, unit: str) -> dict:
    """A definition for observations whose indicator has none in the store (e.g. housing)."""
    words = indicator_id.replace("_", " ")
    area = "housing" if indicator_id.startswith("housing_") else "other"
    return {
        "id": indicator_id,
        "title": {"da": words, "en": words},
        "description": {"da": "", "en": ""},
        "area": area,
        "unit": unit,
        "polarity": "neutral",
        "sources": [],
        "notes": [],
        "kind": "count" if unit == "count" else "other",
    }


def _read_table(con, name: str) -> pd.DataFrame:
    return con.execute(f'SELECT * FROM "{name}"').df()


def _add_intervals(obs: pd.DataFrame) -> pd.DataFrame:
    """95 % intervals in the value's unit: the store's own where it has them, else Wilson.

    Stores built after the disclosure issue carry ``ci_low``/``ci_high`` (Wilson for rates,
    Newcombe for gaps); older stores have none, and rates then get Wilson from the counts here,
    once, at load.
    """
    for c in ("ci_low", "ci_high"):
        obs[c] = obs[c].astype(float) if c in obs else np.nan
    pct = (obs["unit"] == "pct").to_numpy()
    stored = obs["ci_high"].to_numpy()
    values = obs["value"].to_numpy()
    with np.errstate(invalid="ignore"):
        if pct.any() and np.nanmax(np.where(pct, stored, np.nan), initial=-1) <= 1.0 < np.nanmax(
            np.where(pct, values, np.nan), initial=-1
        ):  # a store that keeps rate intervals as fractions
            obs.loc[pct, ["ci_low", "ci_high"]] *= 100
    usable = (
        (obs["unit"] == "pct")
        & (obs["status"] == "ok")
        & obs["numerator"].notna()
        & obs["denominator"].notna()
        & (obs["denominator"] > 0)
        & obs["ci_low"].isna()
    )
    if usable.any():
        lo, hi = wilson_interval(
            obs.loc[usable, "numerator"].to_numpy(float),
            obs.loc[usable, "denominator"].to_numpy(float),
        )
        obs.loc[usable, "ci_low"] = 100 * lo
        obs.loc[usable, "ci_high"] = 100 * hi
    obs.loc[obs["status"] != "ok", ["ci_low", "ci_high"]] = np.nan
    return obs


def _areas() -> dict[str, dict]:
    out = {DENMARK: {"code": DENMARK, "name": "Danmark", "level": "country", "region": None}}
    for code, name in load_regions().items():
        out[code] = {"code": code, "name": name, "level": "region", "region": None}
    for m in load_municipalities().values():
        out[m.code] = {
            "code": m.code,
            "name": m.name,
            "level": "municipality",
            "region": m.region_code,
            "region_name": m.region_name,
        }
    return out


def _peers_from_store(frame: pd.DataFrame) -> dict[str, list[str]]:
    cols = set(frame.columns)
    if not {"area_code", "peer_code"} <= cols:
        return {}
    if "rank" in cols:
        frame = frame.sort_values(["area_code", "rank"])
    return {a: list(g["peer_code"].astype(str)) for a, g in frame.groupby("area_code")}


def _compute_peers(obs: pd.DataFrame, year: int) -> tuple[dict, dict]:
    """Peer groups and their values, once at startup, through the goals package."""
    try:
        from barometer.goals.peers import compute_peers, peer_values
    except ImportError:  # the goals package is optional for the web app
        return {}, {}
    base = obs[[*OBSERVATION_COLUMNS]]
    base = base.astype(
        {c: str for c in base.columns if isinstance(base[c].dtype, pd.CategoricalDtype)}
    )
    peers = compute_peers(base, year)
    values = peer_values(base, peers)
    groups = {a: list(g.sort_values("rank")["peer_code"]) for a, g in peers.groupby("area_code")}
    return groups, values


def load(path: Path, *, with_peers: bool = True) -> StoreData:
    path = Path(path)
    run = read_run(path)
    with connect(path) as con:
        con.execute("SET enable_progress_bar = false")
        tables = {
            r[0] for r in con.execute("SELECT table_name FROM information_schema.tables").fetchall()
        }
        obs_cols = {r[0] for r in con.execute("DESCRIBE observations").fetchall()}
        extra = [c for c in ("reason", "source", "ci_low", "ci_high") if c in obs_cols]
        obs = con.execute(
            f"SELECT {', '.join([*OBSERVATION_COLUMNS, *extra])} FROM observations "
            "ORDER BY indicator_id, area_code, year, origin_group, sex"
        ).df()
        definitions = {}
        if "definitions" in tables:
            for ind, spec in con.execute("SELECT indicator_id, spec FROM definitions").fetchall():
                definitions[ind] = json.loads(spec)
        optional = {name: _read_table(con, name) for name in OPTIONAL_TABLES if name in tables}
    for c in ("reason", "source"):
        if c not in obs:
            obs[c] = None
    obs["year"] = obs["year"].astype(int)
    # Categories: the frames are sliced and compared per request, and arrow-backed or object
    # strings make every slice and comparison slow.
    for c in (
        "indicator_id",
        "area_code",
        "origin_group",
        "sex",
        "unit",
        "status",
        "reason",
        "source",
    ):
        obs[c] = obs[c].astype("category")
    for c in ("value", "numerator", "denominator"):
        obs[c] = obs[c].astype(float)
    # A suppressed cell has no value, whatever the store holds (never shown as zero).
    obs.loc[obs["status"] != "ok", "value"] = np.nan
    # A sample (synthetic scale S < 1) counts S of the people: a population figure shown on a
    # page is the count ÷ S (foundation issue); the numerator keeps the count as counted.
    # Housing-list counts are areas on a list, not sampled people.
    if run.scale and run.scale != 1.0:
        people = (obs["unit"] == "count") & ~obs["indicator_id"].astype(str).str.startswith(
            "housing_"
        )
        obs.loc[people, "value"] = (obs.loc[people, "value"] / run.scale).round()
    obs = _add_intervals(obs)
    for ind, unit in obs.groupby("indicator_id", observed=True)["unit"].first().items():
        definitions.setdefault(ind, _fallback_spec(ind, unit))
    by_indicator = {
        k: g.reset_index(drop=True) for k, g in obs.groupby("indicator_id", observed=True)
    }
    by_area = {k: g.reset_index(drop=True) for k, g in obs.groupby("area_code", observed=True)}
    years = sorted(int(y) for y in obs["year"].unique())
    indicator_years = {
        k: sorted(int(y) for y in g["year"].unique()) for k, g in by_indicator.items()
    }
    indicator_groups = {
        k: sorted(g["origin_group"].unique(), key=_group_order) for k, g in by_indicator.items()
    }
    data = StoreData(
        path=path,
        run=run,
        meta=describe_run(run),
        definitions=definitions,
        obs=obs,
        by_indicator=by_indicator,
        by_area=by_area,
        years=years,
        indicator_years=indicator_years,
        indicator_groups=indicator_groups,
        areas=_areas(),
        tables=tables,
    )
    for name, frame in optional.items():
        if name == "peers":
            data.peers = _peers_from_store(frame)
        else:
            setattr(data, name, frame)
    if with_peers and not data.peers and years and "population" in by_indicator:
        try:
            data.peers, data.peer_values = _compute_peers(obs, years[-1])
        except Exception as exc:  # peers are an extra; the pages work without them
            log.warning("peer municipalities not available: %s", exc)
    data.cells = _index_cells(obs)
    _index_goals(data)
    data.peer_cells = _index_peer_cells(data.peer_values)
    return data


CELL_FIELDS = ("year", "value", "numerator", "denominator", "unit", "status", "ci_low", "ci_high")


def _index_cells(obs: pd.DataFrame) -> dict:
    """Observations as nested dicts of plain rows, built once (rendering avoids pandas)."""
    cols = ["indicator_id", "area_code", "origin_group", "sex", *CELL_FIELDS]
    arrays = [
        obs[c].astype(object).to_numpy() if c not in ("year",) else obs[c].to_numpy() for c in cols
    ]
    cells: dict = {}
    for row in zip(*arrays, strict=True):
        ind, area, group, sex = row[:4]
        rec = dict(zip(CELL_FIELDS, row[4:], strict=True))
        rec["year"] = int(rec["year"])
        for k in ("value", "numerator", "denominator", "ci_low", "ci_high"):
            v = rec[k]
            rec[k] = None if v is None or v != v else float(v)
        cells.setdefault((ind, area), {}).setdefault((group, sex), []).append(rec)
    return cells


def _index_peer_cells(values: pd.DataFrame | None) -> dict:
    """Pooled peer-group values by (indicator, area) → (origin group, sex) → rows by year."""
    out: dict = {}
    if values is None or values.empty:
        return out
    values = values.sort_values(["indicator_id", "area_code", "origin_group", "sex", "year"])
    cols = ["indicator_id", "area_code", "origin_group", "sex", "year", "peer_value"]
    arrays = [values[c].astype(object).to_numpy() for c in cols]
    for ind, area, group, sex, year, value in zip(*arrays, strict=True):
        out.setdefault((ind, area), {}).setdefault((group, sex), []).append(
            {
                "year": int(year),
                "value": None if value is None or value != value else float(value),
                "status": "ok",
                "ci_low": None,
                "ci_high": None,
            }
        )
    return out


def _group_order(group: str) -> int:
    order = ("all", "danish_origin", "non_western", "western", "menapt", "immigrants")
    if group in order:
        return order.index(group)
    return 10 + (ORIGIN_GROUPS.index(group) if group in ORIGIN_GROUPS else 50)


def _index_goals(data: StoreData) -> None:
    gs = data.goal_status
    if gs is None:
        return
    keys = [c for c in ("goal_set", "goal_id") if c in gs]
    for rec in gs.sort_values(keys).to_dict("records"):
        data.goal_status_by_area.setdefault(rec["area_code"], []).append(rec)
    detail = data.goal_indicator_status
    if detail is None:
        return
    sort = [c for c in ("label", "indicator_id") if c in detail]
    for rec in detail.sort_values(sort).to_dict("records"):
        key = (rec["goal_set"], rec["goal_id"], rec["area_code"], rec["origin_group"])
        data.goal_detail_by_key.setdefault(key, []).append(rec)
