"""Classify housing areas per list year: udsat, parallelsamfund, omdannelses-, forebyggelsesområde.

Implements the algorithm of DOMAIN.md §3.5 with the rule set in force each list year, including
the consecutive-years rule of DOMAIN.md §3.4: the hardest category needs the area on the
parallelsamfund (ghetto) list in each of the last N list years, where earlier lists count under
the criteria of their own year (the 2016-2017 lists, made under the 2013 rules, count toward the
2020 hard-ghetto list). Earlier list years are therefore evaluated from the same input.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass

import pandas as pd

from barometer.codes import DENMARK, load_municipalities
from barometer.errors import InputError
from barometer.housing.criteria import evaluate_criteria
from barometer.housing.io import validate_area_stats
from barometer.housing.rules import (
    CATEGORIES,
    SLOTS,
    HousingParams,
    RuleSet,
    find_consecutive_years,
    find_rule_set,
    load_rule_sets,
)


@dataclass(frozen=True)
class Classification:
    """The wide per-area result and the long per-criterion explanation of the same run."""

    areas: pd.DataFrame
    criteria: pd.DataFrame


def apply_categories(
    met: pd.DataFrame,
    residents_ok: pd.Series,
    rule_set: RuleSet,
    run_before: pd.Series,
    n_years: int | None,
) -> pd.DataFrame:
    """Category flags per area from criterion flags (index area_id, one column per criterion).

    ``run_before`` is the number of consecutive list years immediately before this one in which
    the area was on the parallelsamfund/ghetto list. Kept free of data access so that the early
    warning can re-run it on shifted criteria.
    """
    out = pd.DataFrame(index=met.index)
    for key, cat in rule_set.categories.items():
        if cat.count is None:
            continue
        rule = cat.count
        n_met = met[rule.criteria].sum(axis=1) if rule.criteria else 0
        flag = residents_ok & (n_met >= rule.min_met)  # § 61 a, stk. 3: at least 1,000 residents
        for gate in rule.all_of:
            flag &= met[gate]
        for required in rule.requires:
            flag &= out[required]
        out[key] = flag.astype(bool)
    for key, cat in rule_set.categories.items():
        if cat.consecutive is not None:
            # DOMAIN.md §3.4: on the list in each of the last N years, this year included.
            prior = run_before.reindex(met.index).fillna(0)
            out[key] = out[cat.consecutive.of] & (prior >= (n_years or 0) - 1)
    return out


def _wide_year(
    crit: pd.DataFrame,
    residents: pd.DataFrame,
    rule_set: RuleSet,
    run_before: pd.Series,
    list_year: int,
    params: HousingParams,
) -> pd.DataFrame:
    """One list year's wide rows: slots, counts, categories and their terms."""
    met = crit.pivot(index="area_id", columns="criterion", values="met").astype(bool)
    value = crit.pivot(index="area_id", columns="criterion", values="value")
    complete = crit.groupby("area_id")["window_complete"].all()
    res = residents.set_index("area_id").reindex(met.index)
    residents_ok = res["residents"] >= rule_set.min_residents
    n_years = find_consecutive_years(rule_set, list_year, params)
    cats = apply_categories(met, residents_ok, rule_set, run_before, n_years)

    n = len(met)
    cols: dict[str, object] = {
        "area_id": met.index.to_numpy(),
        "area_name": res["area_name"].to_numpy(),
        "municipality_code": res["municipality_code"].to_numpy(),
        "list_year": [list_year] * n,
        "rule_set": [rule_set.id] * n,
        "residents": res["residents"].to_numpy(dtype=float),
        "residents_ok": residents_ok.to_numpy(dtype=bool),
    }
    nulls = pd.array([pd.NA] * n, dtype="boolean")
    for slot in SLOTS:
        key = rule_set.slot_criterion(slot)
        crit_def = rule_set.criteria[key] if key else None
        cols[f"{slot}_value"] = value[key].to_numpy(dtype=float) if key else [float("nan")] * n
        cols[f"{slot}_threshold"] = [crit_def.threshold if crit_def else float("nan")] * n
        cols[f"{slot}_met"] = pd.array(met[key].to_numpy(), dtype="boolean") if key else nulls
    cols["criteria_met"] = met[rule_set.main_criteria()].sum(axis=1).to_numpy(dtype=int)
    prevention = rule_set.categories.get("forebyggelsesomraade")
    cols["prevention_criteria_met"] = pd.array(
        met[prevention.count.criteria].sum(axis=1).to_numpy() if prevention else [pd.NA] * n,
        dtype="Int64",
    )
    for cat in CATEGORIES:
        cols[cat] = pd.array(cats[cat].to_numpy(), dtype="boolean") if cat in cats else nulls
    cols["consecutive_required"] = pd.array([n_years] * n, dtype="Int64")
    cols["window_complete"] = complete.reindex(met.index).fillna(False).to_numpy(dtype=bool)
    cols["categories_da"] = _terms(cats, rule_set, "da")
    cols["categories_en"] = _terms(cats, rule_set, "en")
    return pd.DataFrame(cols)


def _terms(cats: pd.DataFrame, rule_set: RuleSet, lang: str) -> list[str]:
    """The met categories in the terms of the year, e.g. 'udsat boligområde; ghettoområde'."""
    keys = [k for k in CATEGORIES if k in cats.columns]
    names = [getattr(rule_set.categories[k], lang) for k in keys]
    flags = cats[keys].to_numpy(dtype=bool)
    return ["; ".join(n for n, on in zip(names, row, strict=True) if on) for row in flags]


def _history_flags(history: pd.DataFrame | None) -> dict[int, dict[str, bool]]:
    """Published parallelsamfund/ghetto flags by list year, to seed or override the run."""
    if history is None:
        return {}
    missing = {"area_id", "list_year", "parallelsamfund"} - set(history.columns)
    if missing:
        raise InputError(f"history lacks column(s) {', '.join(sorted(missing))}")
    flags: dict[int, dict[str, bool]] = {}
    for row in history.itertuples(index=False):
        flags.setdefault(int(row.list_year), {})[str(row.area_id)] = bool(row.parallelsamfund)
    return flags


def classify_detailed(
    area_stats: pd.DataFrame,
    list_year: int,
    *,
    from_year: int | None = None,
    params: HousingParams | None = None,
    history: pd.DataFrame | None = None,
) -> Classification:
    """Classify every area for list years ``from_year``..``list_year`` (default: one year).

    Earlier list years that the input's data years allow are evaluated too, only to build the
    consecutive-years run. ``history`` (columns area_id, list_year, parallelsamfund) may supply
    published earlier lists; where given it replaces the computed flag for that year.
    """
    params = params or HousingParams()
    stats = validate_area_stats(area_stats)
    first = list_year if from_year is None else from_year
    if first > list_year:
        raise ValueError(f"from year {first} is after list year {list_year}")
    for y in range(first, list_year + 1):
        find_rule_set(y)  # raises for years before the first list
        need = params.residents_year(y)
        if not (stats["data_year"] == need).any():
            held = sorted(stats["data_year"].unique())
            span = f"{held[0]}-{held[-1]}" if held else "none"
            raise InputError(
                f"list year {y} needs data year {need} (residents on 1 January {y}); "
                f"the area statistics hold data years {span}"
            )
    hist = _history_flags(history)
    # Start as early as the data or the history allow, so the run is as long as it can be known.
    start = min(int(stats["data_year"].min()) + params.residents_lag, *hist, first)
    start = max(start, load_rule_sets()[0].valid_from)
    run: dict[str, int] = {}
    areas, criteria = [], []
    for y in range(start, list_year + 1):
        rule_set = find_rule_set(y)
        residents = stats.loc[
            stats["data_year"] == params.residents_year(y),
            ["area_id", "area_name", "municipality_code", "residents"],
        ]
        flags: dict[str, bool] = {}
        if not residents.empty:
            crit = evaluate_criteria(stats, y, rule_set, params)
            run_before = pd.Series(run, dtype=float)
            wide = _wide_year(crit, residents, rule_set, run_before, y, params)
            flags = dict(zip(wide["area_id"], wide["parallelsamfund"].astype(bool), strict=True))
            flags.update(hist.get(y, {}))
            wide["previous_run"] = [run.get(a, 0) for a in wide["area_id"]]
            wide["consecutive_run"] = [
                run.get(a, 0) + 1 if flags[a] else 0 for a in wide["area_id"]
            ]
            if y >= first:
                areas.append(wide)
                criteria.append(crit)
        else:
            flags = hist.get(y, {})
        run = {a: run.get(a, 0) + 1 for a, on in flags.items() if on}
    areas_df = pd.concat(areas, ignore_index=True)
    areas_df = areas_df[AREA_COLUMNS].sort_values(["list_year", "area_id"], ignore_index=True)
    return Classification(areas_df, pd.concat(criteria, ignore_index=True))


AREA_COLUMNS = [
    "area_id", "area_name", "municipality_code", "list_year", "rule_set", "residents",
    "residents_ok",
    *[f"{s}_{p}" for s in SLOTS for p in ("value", "threshold", "met")],
    "criteria_met", "prevention_criteria_met", *CATEGORIES, "previous_run", "consecutive_run",
    "consecutive_required", "window_complete", "categories_da", "categories_en",
]  # fmt: skip


def classify(
    area_stats: pd.DataFrame,
    list_year: int,
    *,
    from_year: int | None = None,
    params: HousingParams | None = None,
    history: pd.DataFrame | None = None,
) -> pd.DataFrame:
    """One row per area and list year (see classify_detailed; columns in docs/housing.md).

    For list years before 2021 the columns parallelsamfund and omdannelsesomraade hold
    ghettoområde and hårdt ghettoområde; a category the year's law does not define is null.
    """
    return classify_detailed(
        area_stats, list_year, from_year=from_year, params=params, history=history
    ).areas


def list_counts(classified: pd.DataFrame, lists: Mapping[str, str]) -> pd.DataFrame:
    """Counts of listed areas per municipality, Denmark ('000') and list year, as observations.

    ``lists`` maps a category column (e.g. 'parallelsamfund') to the indicator id that counts
    it (the catalogue's housing_count definitions). Every municipality gets a row (0 where
    none) for each list year and each category the year's law defines, so the dashboard can
    show goal 8 of the national barometer.
    """
    municipalities = sorted(load_municipalities())
    rows = []
    for year, part in classified.groupby("list_year"):
        for col, indicator_id in lists.items():
            flags = part[col]
            if flags.isna().all():
                continue  # the category did not exist in that year's law
            listed = part.loc[flags.fillna(False).astype(bool), "municipality_code"]
            per_kom = listed.value_counts()
            for code in [DENMARK, *municipalities]:
                n = int(len(listed) if code == DENMARK else per_kom.get(code, 0))
                rows.append((indicator_id, code, int(year), n))
    out = pd.DataFrame(rows, columns=["indicator_id", "area_code", "year", "value"])
    out = out.assign(
        origin_group="all",
        sex="all",
        numerator=out["value"].astype(float),
        denominator=float("nan"),
        unit="count",
        status="ok",
    )
    out["value"] = out["value"].astype(float)
    cols = ["indicator_id", "area_code", "year", "origin_group", "sex", "value", "numerator"]
    return out[[*cols, "denominator", "unit", "status"]]
