"""Populations from FOLK1E as denominators and weights for other tables.

Why: several public tables give counts or rates without the population they refer to.
STRAFNA6 counts convicted men aged 15-29 per municipality; AUH01 counts full-time recipients;
RAS200 gives employment rates per five-year band. FOLK1E (population by area, sex, single
year of age and origin on the first day of each quarter) supplies the population of the same
area, origin group and sex over the same ages, at a time code the mapping names (``{next}K1``:
1 January of the next year, i.e. the registers' 31 December).

The FOLK1E mapping says how the table codes its variables (and ``age`` how it codes single
years), so the population request is resolved against FOLK1E's tableinfo like any other.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd

from barometer.sources.statbank.errors import LayoutError
from barometer.sources.statbank.mapping import Mapping
from barometer.sources.statbank.plan import Group, resolve_group, time_code
from barometer.sources.statbank.resolve import Resolver
from barometer.sources.statbank.tableinfo import TableInfo
from barometer.sources.statbank.transform import ROLLUPS

KEYS = ["area_code", "year", "origin_group", "sex"]


@dataclass(frozen=True)
class PopulationPlan:
    table: str
    info: TableInfo
    area: str
    origin: Group
    sex: Group
    age_variable: str
    age_of_code: dict[str, int]
    time_variable: str
    missing_times: list[str]
    variables: dict[str, list[str]]
    notes: list[str]


def resolve_population(
    folk: Mapping,
    info: TableInfo,
    areas: list[str],
    needs: list[tuple[str, tuple[int, int]]],
    years: list[int],
    where: str,
    *,
    origin_groups: set[str] | None = None,
    sexes: set[str] | None = None,
) -> PopulationPlan:
    """The FOLK1E request for ``areas`` and every (time pattern, age range) in ``needs``;
    only the origin groups (and the parts of their roll-ups) and sexes named, when named."""
    r = Resolver(info, where)
    if folk.age is None or folk.area is None:
        raise LayoutError(f"{where} needs 'area' and 'age' to give populations")
    origin, origin_codes = resolve_group(r, folk.origin, additive=True)
    sex, sex_codes = resolve_group(r, folk.sex, additive=True)
    if origin_groups is not None:
        wanted = set(origin_groups)
        wanted |= {p for g in origin_groups for p in ROLLUPS.get(g, ())}
        origin_codes = [c for c in origin_codes if origin.groups[c] in wanted]
    if sexes is not None:
        sex_codes = [c for c in sex_codes if sex.groups[c] in sexes]
    area_var = r.variable(folk.area)
    present = set(area_var.codes())
    area_list = [a for a in areas if a in present]
    age_var = r.variable(folk.age.variable)
    ages = sorted({a for _, (lo, hi) in needs for a in range(lo, hi + 1)})
    age_of_code = {r.code(age_var, folk.age.code(a)): a for a in ages}
    handled = {v.casefold() for v in (area_var.id, origin.variable, sex.variable, age_var.id) if v}
    other = [v for v in info.variables if not v.time and v.id.casefold() not in handled]
    if other:
        listing = ", ".join(f"{v.id} ({v.text})" for v in other)
        raise LayoutError(
            f"table {info.id} has variable(s) {listing} that {where} does not handle; "
            "populations cannot be read from it"
        )
    time_var = info.time_variable()
    available = set(time_var.codes())
    wanted = sorted({time_code(p, y) for p, _ in needs for y in years})
    times = [t for t in wanted if t in available]
    variables = {area_var.id: area_list}
    if origin.variable:
        variables[origin.variable] = origin_codes
    if sex.variable:
        variables[sex.variable] = sex_codes
    variables[age_var.id] = list(age_of_code)
    variables[time_var.id] = times
    return PopulationPlan(
        table=info.id,
        info=info,
        area=area_var.id,
        origin=origin,
        sex=sex,
        age_variable=age_var.id,
        age_of_code=age_of_code,
        time_variable=time_var.id,
        missing_times=[t for t in wanted if t not in available],
        variables=variables,
        notes=r.finish(),
    )


def population_cells(cells: pd.DataFrame, plan: PopulationPlan) -> pd.DataFrame:
    """The answer as area, time code, origin group, sex, age, value, suppressed."""
    return pd.DataFrame(
        {
            "area_code": cells[plan.area].astype(str),
            "time": cells[plan.time_variable].astype(str),
            "origin_group": cells[plan.origin.variable].map(plan.origin.groups)
            if plan.origin.variable
            else "all",
            "sex": cells[plan.sex.variable].map(plan.sex.groups) if plan.sex.variable else "all",
            "age": cells[plan.age_variable].map(plan.age_of_code),
            "value": cells["value"],
            "suppressed": cells["suppressed"],
        }
    ).dropna(subset=["origin_group", "sex", "age"])


def population_for(
    pop: pd.DataFrame, pattern: str, ages: tuple[int, int], years: list[int]
) -> pd.DataFrame:
    """Population per key over ``ages`` at ``pattern``'s time code of each year: value and
    suppressed; a key lacking any of the ages is left out (never filled by assumption)."""
    lo, hi = ages
    year_of = {time_code(pattern, y): y for y in years}
    part = pop[pop["time"].isin(year_of) & pop["age"].between(lo, hi)]
    part = part.assign(year=part["time"].map(year_of))
    g = part.groupby(KEYS, sort=True)
    out = g.agg(
        value=("value", "sum"), suppressed=("suppressed", "any"), n=("age", "nunique")
    ).reset_index()
    out = out[out["n"] == hi - lo + 1].drop(columns="n")
    out.loc[out["suppressed"], "value"] = np.nan
    return out
