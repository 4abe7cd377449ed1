"""Compile indicator definitions to Ibis expressions over the person-year table.

Each indicator becomes two sums over one grouped scan: the denominator (persons in the
population) and the numerator (persons meeting the condition, or a summed share). All indicators
of a year are computed in the same aggregation, so a year of registers is read once.
"""

from __future__ import annotations

import hashlib
import json

import ibis
import ibis.expr.types as ir

from barometer.catalogue.models import (
    DanishTestIndicator,
    Filters,
    Grade9Indicator,
    Indicator,
    Numerator,
    Range,
    RateIndicator,
)
from barometer.compute.person_year import SEX_CODES, ConvictionSpec, PaidWorkSpec, SupportSpec

GROUP_KEYS = ("municipality_code", "origin_code", "menapt", "sex_code")


def compile_range(col: ir.NumericValue, r: Range) -> ir.BooleanValue:
    cond = ibis.literal(True)
    if r.min is not None:
        cond &= col >= _literal(r.min)
    if r.max is not None:
        cond &= col <= _literal(r.max)
    return cond


def _literal(x: float) -> int | float:
    """Whole bounds as integers: a float literal makes DuckDB compare ages as DECIMAL, which
    cost about a second per year of the 100 % population."""
    return int(x) if float(x).is_integer() else x


def compile_filters(f: Filters, t: ir.Table) -> ir.BooleanValue:
    """The population condition. NULLs never qualify (an unknown age is not 25-64)."""
    cond = t.municipality_code.notnull()  # a column, so that an empty filter still aggregates
    if f.age is not None:
        cond &= compile_range(t.age, f.age)
    if f.sex is not None:
        cond &= t.sex_code == SEX_CODES[f.sex]
    if f.immigrant_arrival_age is not None:
        # DOMAIN.md §1.5: immigrants count only if they arrived within the range; an immigrant
        # with no arrival date cannot be placed and is left out.
        arrived = compile_range(t.immigrant_arrival_age, f.immigrant_arrival_age)
        cond &= (t.ie_type != 2) | arrived
    return cond.fill_null(False)


def support_spec(ind: RateIndicator) -> SupportSpec:
    return SupportSpec(tuple(ind.support_codes) if ind.support_codes is not None else None)


def conviction_spec(ind: RateIndicator) -> ConvictionSpec:
    return ConvictionSpec(tuple(ind.criminal_code_prefixes), tuple(ind.non_guilty_decision_types))


def paid_work_spec(ind: RateIndicator) -> PaidWorkSpec:
    pw = ind.numerator.paid_work
    return PaidWorkSpec(pw.month, float(pw.min_hours))


def spec_column(prefix: str, spec: object) -> str:
    """A stable column name for a derived field computed with given parameters."""
    digest = hashlib.sha1(json.dumps(spec.__dict__, sort_keys=True).encode()).hexdigest()[:8]
    return f"{prefix}__{digest}"


def fact_column(ind: Indicator) -> str | None:
    """The person-year column an indicator's numerator (or event) reads."""
    if isinstance(ind, RateIndicator):
        n = ind.numerator
        if n.employed is not None:
            return "employed"
        if n.edu_main_group is not None:
            return "edu_main_group"
        if n.sum == "support_fte":
            return spec_column("support_fte", support_spec(ind))
        if n.convicted is not None:
            return spec_column("convicted", conviction_spec(ind))
        if n.paid_work is not None:
            return spec_column("paid_work", paid_work_spec(ind))
    if isinstance(ind, Grade9Indicator | DanishTestIndicator):
        return f"passed__{ind.id}"
    return None


def compile_numerator(ind: RateIndicator, t: ir.Table) -> ir.NumericValue:
    """The numerator contribution of one person: 0/1 for a condition, a share for a sum."""
    n: Numerator = ind.numerator
    col = t[fact_column(ind)]
    if n.employed is not None:
        return ibis.ifelse(col.fill_null(False) == n.employed, 1, 0)
    if n.convicted is not None:
        return ibis.ifelse(col.fill_null(False) == n.convicted, 1, 0)
    if n.paid_work is not None:
        return ibis.ifelse(col.fill_null(False), 1, 0)
    if n.edu_main_group is not None:
        return ibis.ifelse(col.isin(n.edu_main_group).fill_null(False), 1, 0)
    if n.sum == "support_fte":
        # DOMAIN.md §1.5: full-time recipients; a person counts at most once.
        return ibis.least(col.fill_null(0.0), 1.0)
    raise AssertionError(f"{ind.id}: numerator not compiled")  # the model forbids this


def aggregate_cells(t: ir.Table, indicators: list[Indicator]) -> ir.Table:
    """One grouped aggregation with a numerator and denominator column per indicator, plus the
    number of person rows per cell (``__rows``, checked against the population file)."""
    aggs: dict[str, ir.Scalar] = {"__rows": t.count()}
    for ind in indicators:
        pop = compile_filters(ind.filters, t)
        if isinstance(ind, RateIndicator):
            num = compile_numerator(ind, t)
        elif isinstance(ind, Grade9Indicator | DanishTestIndicator):
            col = t[fact_column(ind)]
            pop &= col.notnull()
            num = ibis.ifelse(col.fill_null(False), 1, 0)
        else:
            num = None
        aggs[f"{ind.id}__den"] = ibis.ifelse(pop, 1, 0).sum()
        if num is not None:
            aggs[f"{ind.id}__num"] = ibis.ifelse(pop, num, 0).sum()
    return t.group_by(list(GROUP_KEYS)).aggregate(**aggs)


def grade9_fact(udfk: ir.Table, ind: Grade9Indicator) -> ir.Table:
    """PNR, year and passed for pupils with a mark in every discipline; the year is the one the
    school year ends in (SKOLEAAR 2019/2020 → 2020)."""
    u = udfk.filter(udfk.KLTRIN == ind.grade_level)
    u = u.mutate(year=u.SKOLEAAR.right(4).cast("int32"))
    marks = {}
    for i, (subject, discipline) in enumerate(ind.disciplines):
        hit = (u.GRUNDSKOLEFAG == subject) & (u.FAGDISCIPLIN == discipline)
        # Several marks in one discipline and year: keep the highest (catalogue note).
        marks[f"g{i}"] = ibis.ifelse(hit, u.GRUNDSKOLEKARAKTER, ibis.null("float64")).max()
    per = u.group_by(["PNR", "year"]).aggregate(**marks)
    cols = [per[k] for k in marks]
    has_all = ibis.and_(*[c.notnull() for c in cols])
    if ind.rule == "each":
        passed = ibis.and_(*[c >= ind.min_grade for c in cols])
    else:
        passed = (sum(cols[1:], cols[0]) / len(cols)) >= ind.min_grade
    return per.filter(has_all).select("PNR", "year", **{f"passed__{ind.id}": passed})


def danish_test_fact(du: ir.Table, ind: DanishTestIndicator) -> ir.Table:
    """PNR, start year (as ``year``) and passed-within-window, one row per participant.

    The start is the participant's first STARTDATO as a participant of the counted types; a pass
    counts if its PROEVEDATO is on or after the start and no later than start + N years.
    """
    starts = du.filter(du.KURSISTTYPE.isin(ind.participant_types))
    starts = starts.group_by("PNR").aggregate(start=starts.STARTDATO.min())
    passes = du.filter((du.BESTAAET == 1) & du.PROEVE.isin(ind.tests)).select(
        P_PNR=du.PNR, test_date=du.PROEVEDATO
    )
    j = starts.left_join(
        passes,
        [
            starts.PNR == passes.P_PNR,
            passes.test_date >= starts.start,
            passes.test_date <= starts.start + ibis.interval(years=ind.within_years),
        ],
    )
    per = j.group_by(["PNR", "start"]).aggregate(n_pass=j.P_PNR.count())
    return per.select(
        "PNR", year=per.start.year().cast("int32"), **{f"passed__{ind.id}": per.n_pass > 0}
    )
