"""Run the catalogue on a register delivery: one aggregation per base and year, then roll up.

Only aggregates (municipality × origin cell × sex) leave the engine; person rows stay inside.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field

import ibis
import ibis.expr.types as ir
import pandas as pd

from barometer.catalogue.models import (
    CountIndicator,
    DanishTestIndicator,
    GapIndicator,
    Grade9Indicator,
    Indicator,
    RateIndicator,
)
from barometer.compute import compiler, person_year
from barometer.compute.rollup import compute_gaps, roll_up
from barometer.sources.registers import Delivery

Progress = Callable[[str, int, int], None]


@dataclass
class ComputeResult:
    observations: pd.DataFrame
    notes: list[str] = field(default_factory=list)


def _needs(ind: Indicator) -> set[str]:
    """Registers (besides bef) an indicator reads for a year."""
    if isinstance(ind, RateIndicator):
        n = ind.numerator
        if n.employed is not None:
            return {"akm"}
        if n.edu_main_group is not None:
            return {"udda"}
        if n.sum == "support_fte":
            return {"of"}
        if n.convicted is not None:
            return {"kraf"}
    if isinstance(ind, Grade9Indicator):
        return {"udfk"}
    if isinstance(ind, DanishTestIndicator):
        return {"danskuddannelse"}
    return set()


def _available(delivery: Delivery, reg: str, year: int) -> bool:
    return delivery.has(reg, year) or delivery.has(reg, None)


def _attach(t: ir.Table, right: ir.Table, cols: dict[str, ir.Value]) -> ir.Table:
    """Left-join person-level facts on PNR, keeping the base's columns and the named new ones."""
    r = right.select(_key=right.PNR, **cols)
    j = t.left_join(r, r._key == t.PNR)
    return j.select(*t.columns, *cols.keys())


def build_person_year(
    con: ibis.BaseBackend, delivery: Delivery, year: int, rates: list[RateIndicator]
) -> ir.Table:
    """The person-year table for the rate indicators of one year."""
    t = person_year.demographics(con, delivery, year)
    needs = set().union(*(_needs(i) for i in rates)) if rates else set()
    if "akm" in needs:
        emp = person_year.employed_pnrs(con, delivery, year)
        t = _attach(t, emp, {"employed": ibis.literal(True)})
        t = t.mutate(employed=t.employed.fill_null(False))
    if "udda" in needs:
        edu = person_year.education_groups(con, delivery, year)
        t = _attach(t, edu, {"edu_main_group": edu.edu_main_group})
    done: set[str] = set()
    for ind in rates:
        n = ind.numerator
        if n.sum == "support_fte":
            spec = compiler.support_spec(ind)
            col = compiler.spec_column("support_fte", spec)
            if col not in done:
                fte = person_year.support_fte(con, delivery, year, spec)
                t = _attach(t, fte, {col: fte.fte})
                done.add(col)
        if n.convicted is not None:
            spec = compiler.conviction_spec(ind)
            col = compiler.spec_column("convicted", spec)
            if col not in done:
                conv = person_year.convicted_pnrs(con, delivery, year, spec)
                t = _attach(t, conv, {col: ibis.literal(True)})
                t = t.mutate(**{col: t[col].fill_null(False)})
                done.add(col)
    return t


def _to_long(wide: pd.DataFrame, year: int) -> pd.DataFrame:
    """Wide ``<id>__num``/``<id>__den`` columns → one row per indicator and cell."""
    keys = list(compiler.GROUP_KEYS)
    parts = []
    ids = sorted({c.rsplit("__", 1)[0] for c in wide.columns if c.endswith("__den")})
    for ind_id in ids:
        part = wide[keys].copy()
        part["indicator_id"] = ind_id
        part["year"] = year
        part["denominator"] = wide[f"{ind_id}__den"].astype("float64")
        num = f"{ind_id}__num"
        part["numerator"] = wide[num].astype("float64") if num in wide else part["denominator"]
        parts.append(part)
    return pd.concat(parts, ignore_index=True) if parts else pd.DataFrame()


def compute_observations(
    con: ibis.BaseBackend,
    delivery: Delivery,
    catalogue: dict[str, Indicator],
    *,
    years: list[int] | None = None,
    progress: Progress | None = None,
) -> ComputeResult:
    """Compute every indicator for every year the delivery allows."""
    notes: list[str] = []
    all_years = delivery.years("bef")
    years = [y for y in all_years if years is None or y in years]
    last_year = max(all_years)
    cells: list[pd.DataFrame] = []
    grade9 = [i for i in catalogue.values() if isinstance(i, Grade9Indicator)]
    dtests = [i for i in catalogue.values() if isinstance(i, DanishTestIndicator)]
    base = [i for i in catalogue.values() if isinstance(i, RateIndicator | CountIndicator)]
    pupils = (
        {i.id: compiler.grade9_pupils(con.table(delivery.view("udfk")), i) for i in grade9}
        if delivery.has("udfk")
        else {}
    )
    cohorts = (
        {
            i.id: compiler.danish_test_cohorts(con.table(delivery.view("danskuddannelse")), i)
            for i in dtests
        }
        if delivery.has("danskuddannelse")
        else {}
    )
    for step, year in enumerate(years):
        if progress:
            progress(f"indicators {year}", step, len(years))
        ready = []
        for ind in base:
            missing = [r for r in _needs(ind) if not _available(delivery, r, year)]
            if missing:
                notes.append(f"{ind.id} {year}: not computed, no {', '.join(missing)} file")
            else:
                ready.append(ind)
        demo = None
        if ready:
            rates = [i for i in ready if isinstance(i, RateIndicator)]
            t = build_person_year(con, delivery, year, rates)
            cells.append(_to_long(compiler.aggregate_rates(t, ready).to_pandas(), year))
        for ind in grade9:
            if ind.id not in pupils:
                notes.append(f"{ind.id} {year}: not computed, no udfk file")
                continue
            if demo is None:
                demo = person_year.demographics(con, delivery, year)
            agg = compiler.aggregate_grade9(pupils[ind.id], demo, year, ind)
            cells.append(_to_long(agg.to_pandas(), year))
        for ind in dtests:
            if ind.id not in cohorts:
                notes.append(f"{ind.id} {year}: not computed, no danskuddannelse file")
                continue
            if year + ind.within_years > last_year:
                continue  # the cohort's window has not closed yet (catalogue year_basis)
            if demo is None:
                demo = person_year.demographics(con, delivery, year)
            agg = compiler.aggregate_danish_test(cohorts[ind.id], demo, year, ind)
            cells.append(_to_long(agg.to_pandas(), year))
    if progress:
        progress("roll-up", len(years), len(years))
    finest = pd.concat([c for c in cells if len(c)], ignore_index=True)
    obs = roll_up(finest, catalogue)
    gaps = [i for i in catalogue.values() if isinstance(i, GapIndicator)]
    obs = pd.concat([obs, compute_gaps(obs, gaps)], ignore_index=True)
    obs = obs.sort_values(["indicator_id", "area_code", "year", "origin_group", "sex"])
    return ComputeResult(obs.reset_index(drop=True), notes)
