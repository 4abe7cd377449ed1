"""From a mapping and a table's tableinfo to a request, and from answer cells to observations.

Why checks here: a StatBank table can gain a variable or lose a code between releases; a
request that silently eliminates a new variable, or a code that no longer exists, would give
wrong figures. Every variable of the table must be accounted for by the mapping and every
mapped code must exist, else a ``LayoutError`` names the table, the variable and the file.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd

from barometer.codes import DENMARK, area_codes
from barometer.sources.statbank.errors import LayoutError, StatbankError
from barometer.sources.statbank.mapping import Mapping
from barometer.sources.statbank.tableinfo import TableInfo

KEYS = ["area_code", "year", "origin_group", "sex"]
STATUS_SUPPRESSED = "suppressed_primary"
REASON_SUPPRESSED = "statbank_suppressed"  # the StatBank published '..' (ANCHORS.md §5.3)
REASON_ZERO = "zero_denominator"

# Origin roll-ups as sums of detailed groups (DOMAIN.md §4.1-4.2; codes/__init__.py).
ROLLUPS = {
    "immigrants": ("immigrants_western", "immigrants_non_western"),
    "descendants": ("descendants_western", "descendants_non_western"),
    "western": ("immigrants_western", "descendants_western"),
    "non_western": ("immigrants_non_western", "descendants_non_western"),
}


@dataclass(frozen=True)
class Plan:
    """The data request for one mapping, and how its time codes map back to years."""

    variables: dict[str, list[str]]
    year_of_time: dict[str, int]
    missing_years: list[int]
    notes: list[str]


def plan_request(mapping: Mapping, info: TableInfo, years: list[int] | None) -> Plan:
    """Check the mapping against tableinfo and build the ``variables`` of the data call."""
    where = f"mapping {mapping.table}.yaml"
    time_var = info.time_variable()
    mapped = {v.casefold() for v in mapping.variables()}
    new = [v for v in info.variables if not v.time and v.id.casefold() not in mapped]
    if new:
        listing = ", ".join(f"{v.id} ({v.text})" for v in new)
        raise LayoutError(
            f"table {info.id} has variable(s) {listing} that the {where} does not handle; the "
            "table's layout has changed, so add them to the mapping (select a code) before "
            "fetching"
        )
    variables: dict[str, list[str]] = {}
    notes: list[str] = []

    def codes_of(name: str, wanted: list[str], optional: list[str] = ()) -> list[str]:
        try:
            var = info.variable(name)
        except LayoutError as exc:
            raise LayoutError(f"{exc} (named in the {where})") from None
        known = set(var.codes())
        skipped = [c for c in wanted if c in optional and c not in known]
        if skipped:
            notes.append(
                f"{info.id}: {var.id} has no code(s) {skipped} (UNCONFIRMED in the {where}); "
                "those groups are left out"
            )
            wanted = [c for c in wanted if c not in skipped]
        lost = [c for c in wanted if c not in known]
        if lost:
            raise LayoutError(
                f"table {info.id}, variable {var.id}: code(s) {lost} of the {where} are not "
                "in tableinfo (has the table changed?)"
            )
        variables[var.id] = list(dict.fromkeys(wanted))
        return wanted

    codes_of(mapping.origin.variable, list(mapping.origin.codes), mapping.origin.optional)
    codes_of(mapping.sex.variable, list(mapping.sex.codes), mapping.sex.optional)
    for name, wanted in mapping.select.items():
        codes_of(name, wanted)
    if mapping.ratio:
        codes_of(mapping.ratio.variable, mapping.ratio.numerator + mapping.ratio.denominator)
    if mapping.area:
        ours = set(area_codes())
        var = info.variable(mapping.area)
        areas = [c for c in var.codes() if c in ours]
        if not areas:
            raise LayoutError(f"table {info.id}, variable {var.id}: no known area codes")
        variables[var.id] = areas
    available = set(time_var.codes())
    wanted_years = years if years is not None else _years_in(mapping, time_var.codes())
    year_of_time = {}
    missing = []
    for y in wanted_years:
        code = mapping.time.format(year=y)
        if code in available:
            year_of_time[code] = y
        else:
            missing.append(y)
    if not year_of_time:
        codes = time_var.codes()
        raise StatbankError(
            f"table {info.id} has none of the years asked for (it has {codes[0]}…{codes[-1]})"
            if codes
            else f"table {info.id} has no periods"
        )
    variables[time_var.id] = list(year_of_time)
    return Plan(variables, year_of_time, missing, notes)


def _years_in(mapping: Mapping, codes: list[str]) -> list[int]:
    """Every year whose time code (per the mapping's pattern) the table has."""
    out = []
    for code in codes:
        head = code[:4]
        if head.isdigit() and mapping.time.format(year=int(head)) == code:
            out.append(int(head))
    return out


def _sum_cells(df: pd.DataFrame, keys: list[str]) -> pd.DataFrame:
    """Sum values over the rows of each key; a suppressed part makes the sum suppressed."""
    g = df.groupby(keys, dropna=False, sort=True)
    out = g.agg(value=("value", "sum"), suppressed=("suppressed", "any")).reset_index()
    out.loc[out["suppressed"], "value"] = np.nan
    return out


def _derive(df: pd.DataFrame, column: str, target: str, parts: tuple[str, ...]) -> pd.DataFrame:
    """Add rows ``column = target`` summing ``parts`` where all parts exist and none has it."""
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


def to_observations(
    cells: pd.DataFrame, mapping: Mapping, info: TableInfo, plan: Plan
) -> pd.DataFrame:
    """Cells of a data answer (codes per variable, value, suppressed) → observation rows."""
    names = {v.id.casefold(): v.id for v in info.variables}

    def col(name: str) -> str:
        return names[name.casefold()]

    missing = [v for v in plan.variables if v not in cells.columns]
    if missing:
        raise LayoutError(f"table {info.id}: the data answer lacks column(s) {missing}")
    df = pd.DataFrame(
        {
            "area_code": cells[col(mapping.area)] if mapping.area else DENMARK,
            "year": cells[info.time_variable().id].map(plan.year_of_time),
            "origin_group": cells[col(mapping.origin.variable)].map(mapping.origin.codes),
            "sex": cells[col(mapping.sex.variable)].map(mapping.sex.codes),
            "value": cells["value"],
            "suppressed": cells["suppressed"],
        }
    )
    if mapping.ratio:
        code = cells[col(mapping.ratio.variable)]
        parts = [
            df[code.isin(mapping.ratio.numerator)].assign(part="num"),
            df[code.isin(mapping.ratio.denominator)].assign(part="den"),
        ]
        df = pd.concat(parts, ignore_index=True)
    else:
        df["part"] = "value"
    unexpected = df[KEYS].isna().any(axis=1)
    if unexpected.any():
        raise LayoutError(f"table {info.id}: the answer has cells outside the request")
    additive = mapping.kind == "ratio" or mapping.indicator.unit == "count"
    keys = [*KEYS, "part"]
    summed = _sum_cells(df, keys)
    if not additive and len(summed) != len(df):
        raise LayoutError(f"table {info.id}: several cells per key for a rate read as is")
    if additive:
        if mapping.sex.derive_all:
            summed = _derive(summed, "sex", "all", tuple(mapping.sex.codes.values()))
        for target, parts in ROLLUPS.items():
            summed = _derive(summed, "origin_group", target, parts)
    return _finish(summed, mapping)


def _finish(summed: pd.DataFrame, mapping: Mapping) -> pd.DataFrame:
    ind = mapping.indicator
    if mapping.kind == "ratio":
        num_part = summed[summed["part"] == "num"].drop(columns="part")
        den_part = summed[summed["part"] == "den"].drop(columns="part")
        out = num_part.merge(den_part, on=KEYS, how="outer", suffixes=("_num", "_den"))
        num = out.pop("value_num").to_numpy(dtype=float)
        den = out.pop("value_den").to_numpy(dtype=float)
        sup = out.pop("suppressed_num").fillna(True).to_numpy(dtype=bool) | out.pop(
            "suppressed_den"
        ).fillna(True).to_numpy(dtype=bool)
        zero = ~sup & (den <= 0)
        with np.errstate(divide="ignore", invalid="ignore"):
            value = np.where(sup | zero, np.nan, 100 * num / den)
        out["value"] = value
        out["numerator"] = np.where(sup, np.nan, num)
        out["denominator"] = np.where(sup, np.nan, den)
        out["status"] = np.where(sup | zero, STATUS_SUPPRESSED, "ok")
        out["reason"] = np.where(sup, REASON_SUPPRESSED, np.where(zero, REASON_ZERO, None))
    else:
        out = summed[KEYS].copy()
        sup = summed["suppressed"].to_numpy(dtype=bool)
        out["value"] = summed["value"].to_numpy(dtype=float)
        count = out["value"] if ind.unit == "count" else np.nan
        out["numerator"] = count
        out["denominator"] = count
        out["status"] = np.where(sup, STATUS_SUPPRESSED, "ok")
        out["reason"] = np.where(sup, REASON_SUPPRESSED, None)
    out.insert(0, "indicator_id", ind.id)
    out["unit"] = ind.unit
    out["year"] = out["year"].astype(int)
    out["reason"] = out["reason"].astype(object).where(out["reason"].notna(), None)
    return out.sort_values(KEYS).reset_index(drop=True)
