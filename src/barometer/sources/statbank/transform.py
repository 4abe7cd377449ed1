"""From the cells of a data answer to observations of the mapping's indicators.

Each indicator takes the rows of its codes, maps the area, time, origin and sex codes to ours,
sums what the mapping sums (age bands, several codes), derives 'all' and the origin roll-ups
from the detailed groups where the table has counts, and makes its value: the cell itself, a
ratio of two sums, a count over a FOLK1E population, or band rates weighted by FOLK1E
populations. Cells the table lacks stay absent; a '..' anywhere in a sum makes the result
withheld (``statbank_suppressed``). Gaps are computed last from this table's own rates.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from barometer.catalogue.models import GapIndicator
from barometer.codes import DENMARK
from barometer.sources.statbank.errors import LayoutError
from barometer.sources.statbank.plan import ALL_ONLY, Group, Plan, ResolvedTarget

KEYS = ["area_code", "year", "origin_group", "sex"]
STATUS_SUPPRESSED = "suppressed_primary"
STATUS_GAP_HIDDEN = "suppressed_secondary"
REASON_SUPPRESSED = "statbank_suppressed"  # the StatBank published '..' (ANCHORS.md §5.3)
REASON_ZERO = "zero_denominator"
REASON_GAP = "gap_component_suppressed"  # as the disclosure module says of register gaps

# Origin roll-ups as sums of detailed groups (DOMAIN.md §4.1-4.2; codes/__init__.py).
ROLLUPS = {
    "immigrants": ("immigrants_western", "immigrants_non_western"),
    "descendants": ("descendants_western", "descendants_non_western"),
    "western": ("immigrants_western", "descendants_western"),
    "non_western": ("immigrants_non_western", "descendants_non_western"),
}


def keyed_cells(cells: pd.DataFrame, plan: Plan) -> pd.DataFrame:
    """The answer's cells with our keys beside the table's own code columns."""
    missing = [v for v in plan.variables if v not in cells.columns]
    if missing:
        raise LayoutError(f"table {plan.table}: the data answer lacks column(s) {missing}")
    df = cells.copy()
    df["area_code"] = cells[plan.area].astype(str) if plan.area else DENMARK
    df["year"] = cells[plan.time_variable].map(plan.year_of_time)
    df["origin_group"] = _group(cells, plan.origin)
    df["sex"] = _group(cells, plan.sex)
    outside = df["year"].isna() | df["origin_group"].isna() | df["sex"].isna()
    if plan.area:
        outside |= ~df["area_code"].isin(plan.areas)
    if outside.any():
        first = df.loc[outside].iloc[0]
        codes = ", ".join(f"{c}={first[c]}" for c in plan.variables if c in df)
        raise LayoutError(
            f"table {plan.table}: the answer has {int(outside.sum())} cell(s) outside the "
            f"request (the first: {codes})"
        )
    return df


def drop_foreign_areas(cells: pd.DataFrame, plan: Plan) -> tuple[pd.DataFrame, list[str]]:
    """Rows of areas the barometer does not have (Christiansø, landsdele, abroad) are left
    out with a note; a saved export may hold them although the request did not ask."""
    if not plan.area or plan.area not in cells:
        return cells, []
    info = plan.info.variable(plan.area)
    labels = dict(info.values)
    foreign = ~cells[plan.area].astype(str).isin(plan.areas)
    if not foreign.any():
        return cells, []
    codes = sorted(set(cells.loc[foreign, plan.area].astype(str)))
    shown = ", ".join(f"{c} ({labels.get(c, '?')})" for c in codes)
    return cells[~foreign], [f"{plan.table}: areas the barometer does not have left out: {shown}"]


def _group(cells: pd.DataFrame, group: Group) -> pd.Series:
    if group.variable is None:
        return pd.Series("all", index=cells.index, dtype=object)
    return cells[group.variable].map(group.groups)


def target_cells(df: pd.DataFrame, rt: ResolvedTarget) -> pd.DataFrame:
    """The rows of one indicator with a ``part`` column: 'value', 'num'/'den' or a band."""
    keep = pd.Series(True, index=df.index)
    for var, codes in rt.selects.items():
        if codes is not None:
            keep &= df[var].isin(codes)
    rows = df[keep]
    if rt.ratio is not None:
        var, num, den = rt.ratio
        return pd.concat(
            [
                rows[rows[var].isin(num)].assign(part="num"),
                rows[rows[var].isin(den)].assign(part="den"),
            ],
            ignore_index=True,
        )
    if rt.bands is not None:
        var, bands = rt.bands
        rows = rows[rows[var].isin(bands)]
        return rows.assign(part=rows[var].astype(str))
    return rows.assign(part="num" if rt.target.kind == "per_population" else "value")


def sum_cells(df: pd.DataFrame, keys: list[str]) -> pd.DataFrame:
    """Sum values over the rows of each key; a suppressed part makes the sum suppressed."""
    g = df.groupby(keys, dropna=False, sort=True)
    out = g.agg(value=("value", "sum"), suppressed=("suppressed", "any")).reset_index()
    out.loc[out["suppressed"], "value"] = np.nan
    return out


def derive(df: pd.DataFrame, column: str, target: str, parts: tuple[str, ...]) -> pd.DataFrame:
    """Add rows ``column = target`` summing ``parts`` where all parts exist and the table
    does not give the target itself."""
    sub = df[df[column].isin(parts)]
    others = [k for k in df.columns if k not in (column, "value", "suppressed")]
    if sub.empty:
        return df
    g = sub.groupby(others, dropna=False)
    agg = g.agg(
        value=("value", "sum"), suppressed=("suppressed", "any"), n=(column, "nunique")
    ).reset_index()
    agg = agg[agg["n"] == len(parts)].drop(columns="n")
    agg[column] = target
    agg.loc[agg["suppressed"], "value"] = np.nan
    have = df[df[column] == target][others].drop_duplicates()
    if len(have):
        agg = agg.merge(have, on=others, how="left", indicator=True)
        agg = agg[agg["_merge"] == "left_only"].drop(columns="_merge")
    return pd.concat([df, agg[df.columns]], ignore_index=True)


def add_groups(df: pd.DataFrame, origin: Group, sex: Group) -> pd.DataFrame:
    """'all' from the groups where the table has no total, then the origin roll-ups."""
    if sex.derive_all:
        df = derive(df, "sex", "all", tuple(dict.fromkeys(sex.groups.values())))
    if origin.derive_all:
        df = derive(df, "origin_group", "all", tuple(dict.fromkeys(origin.groups.values())))
    df = df[(df["origin_group"] != ALL_ONLY) & (df["sex"] != ALL_ONLY)]
    for target, parts in ROLLUPS.items():
        df = derive(df, "origin_group", target, parts)
    return df.reset_index(drop=True)


def build_target(
    df: pd.DataFrame,
    rt: ResolvedTarget,
    plan: Plan,
    population: pd.DataFrame | None,
    pop_groups: tuple[Group, Group] | None,
) -> pd.DataFrame:
    """Observations of one indicator from the keyed cells (and FOLK1E populations)."""
    t = rt.target
    rows = target_cells(df, rt)
    summed = sum_cells(rows, [*KEYS, "part"])
    if not t.additive:
        if len(summed) != len(rows):
            raise LayoutError(f"table {plan.table}: several cells per key for a rate read as is")
        return finish(summed.drop(columns="part"), t, ratio=False)
    if t.kind == "weighted":
        summed = _weighted_parts(summed, rt, population)
    summed = add_groups(summed, plan.origin, plan.sex)
    if t.kind == "per_population":
        num = summed.drop(columns="part")
        den = add_groups(population.assign(part="den"), *pop_groups).drop(columns="part")
        merged = num.merge(den, on=KEYS, suffixes=("_num", "_den"))
        return finish(merged, t, ratio=True)
    if t.kind == "value":
        return finish(summed.drop(columns="part"), t, ratio=False)
    num = summed[summed["part"] == "num"].drop(columns="part")
    den = summed[summed["part"] == "den"].drop(columns="part")
    merged = num.merge(den, on=KEYS, suffixes=("_num", "_den"))
    return finish(merged, t, ratio=True, estimated=t.kind == "weighted")


def _weighted_parts(
    summed: pd.DataFrame, rt: ResolvedTarget, weights: pd.DataFrame
) -> pd.DataFrame:
    """Band rates × band populations → estimated employed ('num') and population ('den').

    A key needs every band's rate and population; a withheld rate or population withholds
    the result."""
    _, bands = rt.bands
    rates = summed.rename(columns={"part": "band"})
    merged = rates.merge(weights, on=[*KEYS, "band"], suffixes=("", "_pop"))
    merged["num"] = merged["value"] * merged["value_pop"] / 100
    merged["bad"] = merged["suppressed"] | merged["suppressed_pop"]
    g = merged.groupby(KEYS, sort=True)
    out = g.agg(
        num=("num", "sum"), den=("value_pop", "sum"), bad=("bad", "any"), n=("band", "nunique")
    ).reset_index()
    out = out[out["n"] == len(bands)]
    parts = []
    for part in ("num", "den"):
        p = out[KEYS].assign(part=part, value=out[part].where(~out["bad"]), suppressed=out["bad"])
        parts.append(p)
    return pd.concat(parts, ignore_index=True)


def finish(frame: pd.DataFrame, target, *, ratio: bool, estimated: bool = False) -> pd.DataFrame:
    """Value, numerator, denominator, status and reason of each cell."""
    out = frame[KEYS].copy()
    if ratio:
        num = frame["value_num"].to_numpy(dtype=float)
        den = frame["value_den"].to_numpy(dtype=float)
        sup = frame["suppressed_num"].to_numpy(dtype=bool) | frame["suppressed_den"].to_numpy(
            dtype=bool
        )
        zero = ~sup & (den <= 0)
        with np.errstate(divide="ignore", invalid="ignore"):
            out["value"] = np.where(sup | zero, np.nan, 100 * num / den)
        keep = ~sup & ~estimated
        out["numerator"] = np.where(keep, num, np.nan)
        out["denominator"] = np.where(keep, den, np.nan)
        out["status"] = np.where(sup | zero, STATUS_SUPPRESSED, "ok")
        out["reason"] = np.where(sup, REASON_SUPPRESSED, np.where(zero, REASON_ZERO, None))
    else:
        sup = frame["suppressed"].to_numpy(dtype=bool)
        out["value"] = frame["value"].to_numpy(dtype=float)
        count = out["value"] if target.unit == "count" else np.nan
        out["numerator"] = count
        out["denominator"] = count
        out["status"] = np.where(sup, STATUS_SUPPRESSED, "ok")
        out["reason"] = np.where(sup, REASON_SUPPRESSED, None)
    if target.sexes is not None:
        out = out[out["sex"].isin(target.sexes)]
    out.insert(0, "indicator_id", target.id)
    out["unit"] = target.unit
    out["year"] = out["year"].astype(int)
    out["reason"] = out["reason"].astype(object).where(out["reason"].notna(), None)
    return out.sort_values(KEYS).reset_index(drop=True)


def compute_gap(rates: pd.DataFrame, gap: GapIndicator) -> pd.DataFrame:
    """Gap rows from one source's rates: reference minus focus group (or the reverse) in
    percentage points, for each focus group the rates carry; withheld where a rate is."""
    base = rates[rates["indicator_id"] == gap.of]
    keys = ["area_code", "year", "sex"]
    ref = base[base["origin_group"] == gap.reference][[*keys, "value", "status"]]
    foc = base[base["origin_group"].isin(gap.focus_groups)]
    j = foc[[*keys, "origin_group", "value", "status"]].merge(
        ref, on=keys, suffixes=("_focus", "_ref")
    )
    sign = 1.0 if gap.direction == "reference_minus_focus" else -1.0
    hidden = j["status_focus"].ne("ok") | j["status_ref"].ne("ok")
    out = j[[*keys, "origin_group"]].copy()
    out["value"] = np.where(hidden, np.nan, sign * (j["value_ref"] - j["value_focus"]))
    out["numerator"] = np.nan
    out["denominator"] = np.nan
    out["status"] = np.where(hidden, STATUS_GAP_HIDDEN, "ok")
    out["reason"] = np.where(hidden, REASON_GAP, None)
    out.insert(0, "indicator_id", gap.id)
    out["unit"] = "pp"
    out["reason"] = out["reason"].astype(object).where(out["reason"].notna(), None)
    return out[[*rates.columns]].sort_values(KEYS).reset_index(drop=True)
