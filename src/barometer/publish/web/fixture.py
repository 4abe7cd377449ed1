"""A small, deterministic, synthetic store for the web tests and benchmark.

Why not the synthetic generator: the web tests must not depend on the register pipeline, and
this store has exactly what the pages need — all 98 municipalities, every catalogue indicator,
suppressed cells, goal status and housing lists — built in about a second. Numerators and
denominators agree with the values; the run is flagged synthetic.

    python -m barometer.publish.web.fixture /tmp/web.duckdb
"""

from __future__ import annotations

import json
import sys
import zlib
from datetime import datetime
from pathlib import Path

import numpy as np
import pandas as pd

from barometer.catalogue import load_catalogue
from barometer.codes import DENMARK, area_codes, load_municipalities
from barometer.publish.web.intervals import wilson_interval
from barometer.store import schema
from barometer.store.writer import Run, atomic_store, write_frame, write_run

YEARS = tuple(range(2018, 2025))
GROUPS = ("all", "danish_origin", "non_western", "western", "immigrants", "descendants", "menapt")
SEXES = ("all", "male", "female")
SUPPRESSED_AREA = "825"  # Læsø: its descendants' cells are suppressed
BASE_RATES = {
    "employment_rate_16_64": 70.0,
    "employment_rate_25_64": 75.0,
    "grade9_danish_math_2plus": 85.0,
    "grade9_oral_danish_2plus": 90.0,
    "youth_education_20_24": 70.0,
    "higher_education_25_39": 40.0,
    "danish_test_within_5y": 55.0,
    "public_support_share": 18.0,
    "convicted_share_men_15_29": 4.0,
    "convicted_share_15_79": 1.2,
}
GROUP_SHIFT = {
    "all": 0.0,
    "danish_origin": 2.0,
    "non_western": -14.0,
    "western": -5.0,
    "immigrants": -12.0,
    "descendants": -6.0,
    "menapt": -17.0,
}
GROUP_SHARE = {
    "all": 1.0,
    "danish_origin": 0.85,
    "non_western": 0.09,
    "western": 0.05,
    "immigrants": 0.11,
    "descendants": 0.03,
    "menapt": 0.06,
}


def _noise(*parts: object) -> float:
    """A deterministic number in [-1, 1] from the parts."""
    return (zlib.crc32("|".join(map(str, parts)).encode()) % 20001) / 10000.0 - 1.0


def _grid() -> pd.DataFrame:
    areas = area_codes()
    idx = pd.MultiIndex.from_product(
        [areas, YEARS, GROUPS, SEXES], names=["area_code", "year", "origin_group", "sex"]
    )
    return idx.to_frame(index=False)


def _population(grid: pd.DataFrame) -> np.ndarray:
    munis = load_municipalities()
    size = {c: 5000 + (zlib.crc32(c.encode()) % 60000) for c in munis}
    region_size: dict[str, int] = {}
    for m in munis.values():
        region_size[m.region_code] = region_size.get(m.region_code, 0) + size[m.code]
    size.update(region_size)
    size[DENMARK] = sum(v for k, v in size.items() if k in munis)
    base = grid["area_code"].map(size).to_numpy(float)
    share = grid["origin_group"].map(GROUP_SHARE).to_numpy(float)
    sex = np.where(grid["sex"].to_numpy() == "all", 1.0, 0.5)
    growth = 1 + 0.01 * (grid["year"].to_numpy() - YEARS[0])
    return np.round(base * share * sex * growth)


def observations() -> pd.DataFrame:
    catalogue = load_catalogue()
    grid = _grid()
    pop = _population(grid)
    area_noise = grid["area_code"].map(lambda c: _noise("area", c)).to_numpy()
    frames = []
    rates: dict[str, pd.DataFrame] = {}
    for ind_id, ind in catalogue.items():
        if ind.unit == "count":
            f = grid.copy()
            f["indicator_id"] = ind_id
            f["value"] = pop
            f["numerator"] = pop
            f["denominator"] = np.nan
            f["unit"] = "count"
            frames.append(f)
            continue
        if ind.unit != "pct":
            continue
        base = BASE_RATES.get(ind_id, 50.0)
        scale = base / 70.0
        f = grid.copy()
        f["indicator_id"] = ind_id
        shift = f["origin_group"].map(GROUP_SHIFT).to_numpy() * scale
        trend = 0.4 * scale * (f["year"].to_numpy() - YEARS[0])
        p = base + shift + trend + 4 * scale * area_noise
        p = np.clip(p, 0.5, 99.5)
        den = np.maximum(np.round(pop * 0.6), 1)
        num = np.round(den * p / 100)
        f["numerator"] = num
        f["denominator"] = den
        f["value"] = 100 * num / den
        f["unit"] = "pct"
        frames.append(f)
        rates[ind_id] = f
    for ind_id, ind in catalogue.items():
        if ind.unit != "pp" or getattr(ind, "of", None) not in rates:
            continue
        r = rates[ind.of].set_index(["area_code", "year", "origin_group", "sex"])["value"]
        ref = r.xs(ind.reference, level="origin_group")
        parts = []
        for g in ind.focus_groups:
            if g not in GROUPS:
                continue
            focus = r.xs(g, level="origin_group")
            gap = ref - focus if ind.direction == "reference_minus_focus" else focus - ref
            part = gap.rename("value").reset_index()
            part["origin_group"] = g
            parts.append(part)
        f = pd.concat(parts, ignore_index=True)
        f["indicator_id"] = ind_id
        f["numerator"] = np.nan
        f["denominator"] = np.nan
        f["unit"] = "pp"
        frames.append(f)
    obs = pd.concat(frames, ignore_index=True)
    obs["status"] = "ok"
    obs["reason"] = None
    obs["source"] = "registers"
    small = (obs["area_code"] == SUPPRESSED_AREA) & (obs["origin_group"] == "descendants")
    obs.loc[small, "status"] = "suppressed_primary"
    obs.loc[small, "reason"] = "numerator_below_threshold"
    secondary = (obs["area_code"] == SUPPRESSED_AREA) & (obs["origin_group"] == "immigrants")
    secondary &= obs["sex"] == "female"
    obs.loc[secondary, "status"] = "suppressed_secondary"
    obs.loc[secondary, "reason"] = "complement_of_suppressed"
    hidden = obs["status"] != "ok"
    obs.loc[hidden, ["value", "numerator", "denominator"]] = np.nan
    obs["ci_low"] = np.nan
    obs["ci_high"] = np.nan
    rate = (obs["unit"] == "pct") & ~hidden
    lo, hi = wilson_interval(obs.loc[rate, "numerator"], obs.loc[rate, "denominator"])
    obs.loc[rate, "ci_low"] = 100 * lo
    obs.loc[rate, "ci_high"] = 100 * hi
    obs["year"] = obs["year"].astype("int32")
    return obs.sort_values(["indicator_id", "area_code", "year", "origin_group", "sex"])


def definitions() -> pd.DataFrame:
    rows = []
    for ind_id, ind in load_catalogue().items():
        spec = json.dumps(ind.model_dump(mode="json"), sort_keys=True)
        rows.append(
            {"indicator_id": ind_id, "spec": spec, "sha256": f"{zlib.crc32(spec.encode()):x}"}
        )
    return pd.DataFrame(rows)


GOALS = (
    (
        "national-1",
        "Flere i arbejde",
        "More in employment",
        "employment_gap_25_64",
        "lower_is_better",
    ),
    (
        "national-2",
        "Flere i uddannelse",
        "More in education",
        "youth_education_20_24",
        "higher_is_better",
    ),
    (
        "national-7",
        "Færre på offentlig forsørgelse",
        "Fewer on public support",
        "public_support_share",
        "lower_is_better",
    ),
)


def goal_tables(obs: pd.DataFrame) -> tuple[pd.DataFrame, pd.DataFrame]:
    from barometer.goals.schema import GOAL_INDICATOR_STATUS_COLUMNS, GOAL_STATUS_COLUMNS

    areas = [DENMARK, "101", "751", "147", SUPPRESSED_AREA]
    status, detail = [], []
    index = obs.set_index(["indicator_id", "area_code", "year", "origin_group", "sex"])["value"]
    for area in areas:
        for goal_id, title_da, title_en, ind, polarity in GOALS:
            base = index.get((ind, area, YEARS[0], "non_western", "all"))
            latest = index.get((ind, area, YEARS[-1], "non_western", "all"))
            if base is None or latest is None or np.isnan(base) or np.isnan(latest):
                movement, light = "no_data", "white"
            else:
                diff = round(latest) - round(base)
                better = diff < 0 if polarity == "lower_is_better" else diff > 0
                movement = "unchanged" if diff == 0 else ("positive" if better else "negative")
                light = {"positive": "green", "negative": "red", "unchanged": "yellow"}[movement]
            status.append(
                {
                    "goal_set": "national",
                    "goal_id": goal_id,
                    "area_code": area,
                    "origin_group": "non_western",
                    "year": YEARS[-1],
                    "base_year": YEARS[0],
                    "movement": movement,
                    "traffic_light": light,
                    "target_status": "no_target",
                    "owner": "Udlændinge- og Integrationsministeriet",
                    "title_da": title_da,
                    "title_en": title_en,
                    "n_indicators": 1,
                    "n_driving": 1,
                    "n_with_data": 0 if movement == "no_data" else 1,
                    "reasons": None,
                }
            )
            row = dict.fromkeys(GOAL_INDICATOR_STATUS_COLUMNS)
            row.update(
                goal_set="national",
                goal_id=goal_id,
                indicator_id=ind,
                label=goal_id[-1] + ".1",
                area_code=area,
                origin_group="non_western",
                indicator_origin_group="non_western",
                sex="all",
                unit="pp" if ind.endswith("gap_25_64") else "pct",
                polarity=polarity,
                drives_movement=True,
                base_year=YEARS[0],
                latest_year=YEARS[-1],
                base_value=base,
                latest_value=latest,
                direction=movement,
                traffic_light=light,
                target_status="no_target",
                change=None if movement == "no_data" else float(latest - base),
            )
            detail.append(row)
    return (
        pd.DataFrame(status, columns=list(GOAL_STATUS_COLUMNS)),
        pd.DataFrame(detail, columns=list(GOAL_INDICATOR_STATUS_COLUMNS)),
    )


def housing_tables() -> pd.DataFrame:
    rows = []
    for list_year in (2022, 2023, 2024):
        for i, (code, name) in enumerate(
            [
                ("101", "Mjølnerparken"),
                ("751", "Gellerupparken"),
                ("461", "Vollsmose"),
                ("147", "Stjerneparken"),
            ]
        ):
            met = (i + list_year) % 5
            rows.append(
                {
                    "run_id": "fixture",
                    "area_id": f"{code}-{i}",
                    "area_name": name,
                    "municipality_code": code,
                    "list_year": list_year,
                    "rule_set": "2021",
                    "residents": 1500.0 + 250 * i,
                    "residents_ok": True,
                    "employment_value": 0.38 + 0.02 * i,
                    "employment_threshold": 0.40,
                    "employment_met": 0.38 + 0.02 * i > 0.40,
                    "crime_value": 2.5 + 0.3 * i,
                    "crime_threshold": 3.0,
                    "crime_met": 2.5 + 0.3 * i > 3.0,
                    "education_value": 0.55,
                    "education_threshold": 0.60,
                    "education_met": False,
                    "income_value": 0.52,
                    "income_threshold": 0.55,
                    "income_met": True,
                    "non_western_value": 0.55,
                    "non_western_threshold": 0.50,
                    "non_western_met": True,
                    "criteria_met": min(met, 4),
                    "prevention_criteria_met": None,
                    "udsat": met >= 2,
                    "parallelsamfund": met >= 2,
                    "omdannelsesomraade": met >= 3,
                    "forebyggelsesomraade": False,
                    "previous_run": 0,
                    "consecutive_run": 1,
                    "consecutive_required": 4,
                    "window_complete": True,
                    "categories_da": "udsat boligområde; parallelsamfund" if met >= 2 else "",
                    "categories_en": "vulnerable area; parallel society" if met >= 2 else "",
                }
            )
    return pd.DataFrame(rows)


def make_store(
    path: Path, *, goals: bool = True, housing: bool = True, synthetic: bool = True
) -> Path:
    """Write the fixture store to ``path`` (replacing it) and return the path."""
    obs = observations()
    now = datetime(2026, 1, 1, 12, 0, 0)
    run = Run(
        run_id="webfixture01",
        started_at=now,
        finished_at=now,
        code_version="test",
        engine="duckdb",
        source_kind="registers",
        synthetic=synthetic,
        scale=1.0,
        parameters={"fixture": "barometer.publish.web.fixture"},
    )
    with atomic_store(Path(path)) as con:
        write_run(con, run)
        write_frame(con, "observations", schema.OBSERVATIONS_DDL, obs)
        write_frame(con, "definitions", schema.DEFINITIONS_DDL, definitions())
        if goals:
            from barometer.goals.schema import GOAL_INDICATOR_STATUS_DDL, GOAL_STATUS_DDL

            gs, gi = goal_tables(obs)
            write_frame(con, "goal_status", GOAL_STATUS_DDL, gs)
            write_frame(con, "goal_indicator_status", GOAL_INDICATOR_STATUS_DDL, gi)
        if housing:
            from barometer.housing.schema import HOUSING_AREAS_DDL

            write_frame(con, "housing_areas", HOUSING_AREAS_DDL, housing_tables())
    return Path(path)


if __name__ == "__main__":
    out = make_store(Path(sys.argv[1] if len(sys.argv) > 1 else "web-fixture.duckdb"))
    print(out)
