"""Run the catalogue on a register delivery, one year at a time, then roll up.

Per year, one query: the person-year table (compute/person_year.py) aggregated into cells of
municipality × origin cell × sex with a numerator and denominator per indicator. Only those cells
leave the engine; person rows stay inside the database. Years stream one after another, so memory
stays bounded by one year of registers.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field

import ibis
import pandas as pd

from barometer.catalogue.models import (
    DanishTestIndicator,
    GapIndicator,
    Grade9Indicator,
    Indicator,
    RateIndicator,
)
from barometer.compute import compiler, engines, person_year
from barometer.compute.rollup import compute_gaps, roll_up
from barometer.errors import InputError
from barometer.sources.registers import Delivery

Progress = Callable[[str, int, int], None]


@dataclass
class ComputeResult:
    observations: pd.DataFrame
    notes: list[str] = field(default_factory=list)


def needs(ind: Indicator) -> set[str]:
    """Registers (besides bef) an indicator reads."""
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
        if n.paid_work is not None:
            return {"eindk"}
    if isinstance(ind, Grade9Indicator):
        return {"udfk"}
    if isinstance(ind, DanishTestIndicator):
        return {"danskuddannelse"}
    return set()


def _has(delivery: Delivery, reg: str, year: int) -> bool:
    return delivery.has(reg, year) or delivery.has(reg, None)


def year_facts(
    con: ibis.BaseBackend, delivery: Delivery, year: int, indicators: list[Indicator]
) -> list[person_year.Fact]:
    """The facts the year's indicators need, each from its register."""
    facts = [person_year.population_fact(con, delivery, year)]
    added: set[str] = set()
    for ind in indicators:
        col = compiler.fact_column(ind)
        if col is None or col in added:
            continue
        added.add(col)
        if col == "employed":
            facts.append(person_year.employment_fact(con, delivery, year))
        elif col == "edu_main_group":
            groups = {
                g
                for i in indicators
                if isinstance(i, RateIndicator) and i.numerator.edu_main_group is not None
                for g in i.numerator.edu_main_group
            }
            facts.append(person_year.education_fact(con, delivery, year, groups))
        elif col.startswith("support_fte"):
            spec = compiler.support_spec(ind)
            facts.append(person_year.support_fact(con, delivery, year, spec, col))
        elif col.startswith("convicted"):
            spec = compiler.conviction_spec(ind)
            facts.append(person_year.conviction_fact(con, delivery, year, spec, col))
        elif col.startswith("paid_work"):
            spec = compiler.paid_work_spec(ind)
            facts.append(person_year.paid_work_fact(con, delivery, year, spec, col))
        elif isinstance(ind, Grade9Indicator | DanishTestIndicator):
            events = events_table(con, delivery, ind)
            t = events.filter(events.year == year).select("PNR", col)
            facts.append(person_year.Fact(ind.kind, t, {}))
    return facts


def events_table(con: ibis.BaseBackend, delivery: Delivery, ind: Indicator) -> ibis.Table:
    """Per-person results of a cumulative register for all years, computed once into a temporary
    table (a scan of the whole register per year would repeat the same work)."""
    name = f"events__{ind.id}"
    if name not in con.list_tables():
        if isinstance(ind, Grade9Indicator):
            expr = compiler.grade9_fact(con.table(delivery.view("udfk")), ind)
        else:
            expr = compiler.danish_test_fact(con.table(delivery.view("danskuddannelse")), ind)
        return engines.materialize(con, name, expr)
    return con.table(name)


def _to_long(wide: pd.DataFrame, year: int) -> pd.DataFrame:
    """Wide ``<id>__num``/``<id>__den`` columns → one row per indicator and labelled cell."""
    wide = person_year.label_cells(wide)
    keys = ["municipality_code", "origin_cell", "menapt", "sex"]
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


def _check_snapshots(
    con: ibis.BaseBackend,
    wide: pd.DataFrame,
    facts: list[person_year.Fact],
    delivery: Delivery,
    year: int,
) -> None:
    """A person twice in a joined snapshot would be counted twice. Validation rejects such
    files (registers.count_duplicate_pnrs); this is the cheap second line: the person rows of
    the joined table must equal the rows of bef, and only if they do not are the snapshots
    searched for the duplicate, to name the file."""
    n_bef = engines.count_rows(con, delivery.view("bef", year))
    if wide["__rows"].sum() == n_bef:
        return
    for f in facts:
        if not f.snapshot or f.source == "bef":
            continue
        rf = delivery.files[(f.source, year)]
        n, distinct = engines.count_rows_and_pnrs(con, rf.view)
        if n != distinct:
            raise InputError(
                f"{n - distinct} duplicate PNR in a snapshot", path=rf.path, column="PNR"
            )
    raise AssertionError(f"{year}: joined rows differ from the population for no known reason")


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
    bef_years = delivery.years("bef")
    wanted_years = [y for y in bef_years if years is None or y in years]
    if not wanted_years:
        raise InputError(
            f"no population file for the years asked ({years}); data years {bef_years}"
        )
    last_year = max(bef_years)
    direct = [i for i in catalogue.values() if not isinstance(i, GapIndicator)]
    cells = []
    for step, year in enumerate(wanted_years):
        if progress:
            progress(f"compute {year}", step, len(wanted_years))
        ready = []
        for ind in direct:
            missing = [r for r in needs(ind) if not _has(delivery, r, year)]
            if missing:
                notes.append(f"{ind.id} {year}: not computed, no {', '.join(missing)} file")
            elif isinstance(ind, DanishTestIndicator) and year + ind.within_years > last_year:
                continue  # the cohort's window has not closed (catalogue year_basis)
            else:
                ready.append(ind)
        facts = year_facts(con, delivery, year, ready)
        person = person_year.with_demographics(con, person_year.join_facts(facts[0], facts[1:]))
        wide = compiler.aggregate_cells(person, ready).to_pandas()
        _check_snapshots(con, wide, facts, delivery, year)
        cells.append(_to_long(wide, year))
    if progress:
        progress(f"compute {wanted_years[-1]}", len(wanted_years), len(wanted_years))
    finest = pd.concat([c for c in cells if len(c)], ignore_index=True)
    obs = roll_up(finest, catalogue, con=engines.rollup_connection(con))
    gaps = [i for i in catalogue.values() if isinstance(i, GapIndicator)]
    obs = pd.concat([obs, compute_gaps(obs, gaps)], ignore_index=True)
    obs = obs.sort_values(["indicator_id", "area_code", "year", "origin_group", "sex"])
    return ComputeResult(obs.reset_index(drop=True), notes)
