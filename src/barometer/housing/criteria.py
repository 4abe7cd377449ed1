"""Criterion values per area and list year: the averaging windows and threshold comparisons.

The law averages some criteria over "the last 2 years" (4 in 2010) and takes the rest from one
year (DOMAIN.md §3.1, §3.3); which data years those are is a parameter (HousingParams.window).
This module turns area statistics (one row per area and data year, see io.py) into one value per
area and criterion, and reports every comparison so each listing can be explained.
"""

from __future__ import annotations

import pandas as pd

from barometer.housing.rules import Criterion, HousingParams, RuleSet

# Area-statistics columns behind each metric: (numerator column, denominator column or None).
# A ratio metric averages numerator and denominator separately over the window, because the
# national average is itself a 2-year average (DOMAIN.md §3.2, K2).
METRICS: dict[str, tuple[str, str | None]] = {
    "non_western_share": ("non_western_share", None),
    "outside_labour_share_18_64": ("outside_labour_share_18_64", None),
    "convicted_share_18plus": ("convicted_share_18plus", None),
    "convicted_ratio_to_national": ("convicted_share_18plus", "national_convicted_share_18plus"),
    "basic_education_only_share_30_59": ("basic_education_only_share_30_59", None),
    "income_ratio_to_region": ("income_ratio_to_region", None),
}
# Stocks measured at the reference date (1 January) rather than over a year (DOMAIN.md §3.2).
SNAPSHOT_METRICS = {"non_western_share"}


def find_window(criterion: Criterion, list_year: int, params: HousingParams) -> list[int]:
    """The data years a criterion averages for a list year.

    Snapshot metrics (the non-Western share) end at the residents' reference year, yearly
    flows (employment, convictions, education, income) at the latest data year.
    """
    if criterion.metric in SNAPSHOT_METRICS:
        last = params.residents_year(list_year)
        return list(range(last - criterion.average_years + 1, last + 1))
    return params.window(list_year, criterion.average_years)


def average_criterion(
    stats: pd.DataFrame, criterion: Criterion, list_year: int, params: HousingParams
) -> pd.DataFrame:
    """Per area: the criterion's value and the data years it used (index area_id).

    Averages are plain means of the yearly figures over the years present (UNCONFIRMED whether
    the ministry pools persons over the two years instead; DOMAIN.md §3.2).
    """
    window = find_window(criterion, list_year, params)
    ids = pd.Index(sorted(stats["area_id"].unique()), name="area_id")
    return _average(_by_year(stats, ids, window), criterion, window, params)


def _by_year(stats: pd.DataFrame, ids: pd.Index, years: list[int]) -> dict[str, pd.DataFrame]:
    """Each metric column as an area × data-year table over ``years`` (missing = NaN)."""
    sub = stats[stats["data_year"].isin(years)].set_index(["area_id", "data_year"])
    cols = {c for pair in METRICS.values() for c in pair if c is not None}
    return {
        c: sub[c].unstack("data_year").reindex(index=ids, columns=years).astype(float) for c in cols
    }


def _average(
    tables: dict[str, pd.DataFrame], criterion: Criterion, window: list[int], params: HousingParams
) -> pd.DataFrame:
    num_col, den_col = METRICS[criterion.metric]
    num = tables[num_col][window]
    present = num.notna()
    if den_col is not None:
        den = tables[den_col][window]
        present &= den.notna()
        ratio_den = den.where(present).mean(axis=1)
        value = num.where(present).mean(axis=1) / ratio_den.where(ratio_den > 0)
    else:
        value = num.mean(axis=1)
    mask = present.to_numpy()
    years = [",".join(str(y) for y, ok in zip(window, row, strict=True) if ok) for row in mask]
    n_years = mask.sum(axis=1)
    if params.require_full_window:
        value = value.where(n_years == len(window))
    return pd.DataFrame({"value": value, "data_years": years, "n_years": n_years}, index=num.index)


def evaluate_criteria(
    stats: pd.DataFrame, list_year: int, rule_set: RuleSet, params: HousingParams
) -> pd.DataFrame:
    """Long table: one row per area and criterion of the rule set, with value, threshold and met.

    Only areas with a row for the residents' reference year are evaluated; an area without one
    was not a housing area with known residents on 1 January of the list year.
    """
    ids = stats.loc[stats["data_year"] == params.residents_year(list_year), "area_id"]
    ids = pd.Index(sorted(ids.unique()), name="area_id")
    windows = {k: find_window(c, list_year, params) for k, c in rule_set.criteria.items()}
    all_years = sorted({y for w in windows.values() for y in w})
    tables = _by_year(stats, ids, all_years)
    parts: dict[str, list] = {c: [] for c in CRITERIA_COLUMNS}
    for key, crit in rule_set.criteria.items():
        avg = _average(tables, crit, windows[key], params)
        n = len(avg)
        values = avg["value"].to_numpy(dtype=float)
        fixed = {
            "list_year": list_year, "rule_set": rule_set.id, "criterion": key,
            "slot": crit.slot, "metric": crit.metric, "op": crit.op,
            "threshold": crit.threshold, "average_years": crit.average_years,
            "name_da": crit.da, "name_en": crit.en,
        }  # fmt: skip
        for col, v in fixed.items():
            parts[col].extend([v] * n)
        parts["area_id"].extend(ids)
        parts["value"].extend(values)
        parts["met"].extend(crit.is_met(float(v), params.digits) for v in values)
        parts["data_years"].extend(avg["data_years"])
        parts["window_complete"].extend(avg["n_years"].to_numpy() == crit.average_years)
    out = pd.DataFrame(parts)
    out["value"] = out["value"].astype(float)
    out["met"] = out["met"].astype(bool)
    out["window_complete"] = out["window_complete"].astype(bool)
    return out.sort_values(["area_id", "criterion"], ignore_index=True)


CRITERIA_COLUMNS = [
    "area_id", "list_year", "rule_set", "criterion", "slot", "metric", "value", "op",
    "threshold", "met", "average_years", "data_years", "window_complete", "name_da",
    "name_en",
]  # fmt: skip
