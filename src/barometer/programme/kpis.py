"""KPIs K1-K16 (PROGRAMME.md §5) with their numerators and denominators.

Each KPI yields one :class:`Unit` per person (per internship for K10, per activation spell for
K13) with its year, numerator and denominator; :func:`summarise` turns a group of units into
(numerator, denominator, value). The internal figures group by cohort year and sex; the
barometer feed (aggregates.py) groups the same units by origin group as well.

Shared conventions (docs/programme.md, "KPI conventions"):
- Cohort(Y): persons aged 18-64 at T0, T0 in year Y, the municipality responsible at T0.
  Everyone in the database is taken to be in the programme and on benefit at T0 (the
  exchange format has no benefit at T0).
- A window KPI counts a person only once the window has closed on the data date (``as_of``).
- A person whose municipality's responsibility ends (transfer), or who dies or leaves
  Denmark, before the window closes and before the event, is censored: out of the
  denominator. An event before that still counts.
"""

from __future__ import annotations

import math
import statistics
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, field
from datetime import date, timedelta

import pandas as pd

from barometer.casework.calendar import add_months
from barometer.programme.calendar import add_years
from barometer.programme.models import COMPANY_KINDS, COMPANY_OFFER_KINDS
from barometer.programme.pathway import DANISH_TESTS, in_company_offer, self_supporting
from barometer.programme.records import ADULT_BANDS, CaseRecord

DAYS_PER_MONTH = 365.25 / 12
KPI_COLUMNS = ["kpi_id", "cohort_year", "sex", "numerator", "denominator", "value"]


@dataclass(frozen=True)
class KpiParams:
    """Every choice PROGRAMME.md leaves open, with its default (docs/programme.md)."""

    as_of: date
    municipality: str = "101"
    k9_share: float = 0.5  # K9: share of programme weeks with a company-oriented episode
    k9_min_weeks: int = 26
    job_gap_days: int = 1  # K11: two jobs with ≤ 1 day between them are one spell
    job_months: int = 6
    job_hours: float = 20.0
    k12_attribution: str = "t_plus_n"  # or "t0": which municipality a K12 outcome belongs to
    k12_kinds: tuple[str, ...] = ("ordinary_job", "igu")  # what counts as employment
    conversion_months: int = 3  # K10
    activation_kinds: tuple[str, ...] = ("upskilling", "internship", "wage_subsidy")  # K13
    igu_window_years: int = 3  # K15: IGU started within this many years of T0

    def __post_init__(self) -> None:
        if self.k12_attribution not in ("t0", "t_plus_n"):
            raise ValueError("k12_attribution is 't0' or 't_plus_n'")


@dataclass(frozen=True)
class Unit:
    year: int
    rec: CaseRecord
    num: float = 0.0
    den: float = 1.0
    value: float | None = None  # a measurement (median KPIs) or a time (Kaplan-Meier)
    event: bool = True


@dataclass(frozen=True)
class Kpi:
    id: str
    title_en: str
    title_da: str
    kind: str  # share | median | km_median | km_p90
    unit: str  # pct | days | months | ...
    year_basis: str
    units: Callable[[list[CaseRecord], KpiParams], Iterator[Unit]] = field(repr=False)


# --- helpers ---------------------------------------------------------------------------------


def in_cohort(rec: CaseRecord, p: KpiParams) -> bool:
    return rec.age_band in ADULT_BANDS and rec.municipality_at_t0 == p.municipality


def cohort(records: Iterable[CaseRecord], p: KpiParams) -> Iterator[CaseRecord]:
    return (r for r in records if in_cohort(r, p))


def censor_date(rec: CaseRecord, municipality: str) -> date | None:
    """The last day the person is observable for the municipality: a transfer, or leaving
    Denmark or dying; None while neither has happened."""
    ends = [d for d in (rec.left_municipality(municipality, rec.t0),) if d is not None]
    if rec.gone_on(date.max) and rec.exit_date is not None:
        ends.append(rec.exit_date)
    return min(ends) if ends else None


def window_unit(
    rec: CaseRecord, p: KpiParams, window_end: date, event_on: date | None, *, year: int
) -> Unit | None:
    """A binary unit for a window ending ``window_end``, or None when not (yet) countable."""
    if window_end > p.as_of:
        return None
    hit = event_on is not None and event_on <= window_end
    censor = censor_date(rec, p.municipality)
    if censor is not None and censor < window_end and not (hit and event_on <= censor):
        return None
    return Unit(year, rec, num=1.0 if hit else 0.0)


def first_start(rec: CaseRecord, kinds: tuple[str, ...], since: date | None = None) -> date | None:
    starts = [e.start for e in rec.kinds(*kinds) if since is None or e.start >= since]
    return min(starts) if starts else None


# --- K1-K16 ------------------------------------------------------------------------------------


def k1(records, p):
    for r in cohort(records, p):
        u = window_unit(r, p, add_months(r.t0, 1), first_start(r, ("contract",)), year=r.t0.year)
        if u:
            yield u


def k2(records, p):
    for r in cohort(records, p):
        contracts = [e for e in r.kinds("contract") if e.start <= p.as_of]
        if not contracts:
            continue
        latest = max(contracts, key=lambda e: e.start)
        goal = latest.goal == "education" or (latest.goal == "employment" and bool(latest.disco))
        yield Unit(r.t0.year, r, num=1.0 if goal else 0.0)


def _company_offer(days: int | None, months: int | None, waived: tuple[str, ...]):
    def units(records, p):
        for r in cohort(records, p):
            if waived and set(waived) & r.waived:
                continue
            start = r.arrival_or_t0
            end = start + timedelta(days=days) if days else add_months(start, months)
            u = window_unit(r, p, end, first_start(r, COMPANY_OFFER_KINDS), year=r.t0.year)
            if u:
                yield u

    return units


def _days_to_company_offer(records, p):
    for r in cohort(records, p):
        start = r.arrival_or_t0
        if start > p.as_of:
            continue
        ends = [p.as_of]
        if r.exit_date is not None:
            ends.append(r.exit_date)
        censor = censor_date(r, p.municipality)
        if censor is not None:
            ends.append(censor)
        stop = min(ends)
        first = first_start(r, COMPANY_OFFER_KINDS)
        if first is not None and first <= stop:
            yield Unit(r.t0.year, r, value=max(0, (first - start).days), event=True)
        else:
            yield Unit(r.t0.year, r, value=max(0, (stop - start).days), event=False)


def k6(records, p):
    for r in cohort(records, p):
        end = add_months(r.t0, 6)
        if end > p.as_of:
            continue
        if r.exit_date is not None and r.exit_date <= end:
            continue  # not in the programme at +6 months
        if r.municipality_on(end) != p.municipality or r.gone_on(end):
            continue
        talks = [e for e in r.kinds("follow_up") if r.t0 <= e.start <= end]
        yield Unit(r.t0.year, r, num=1.0 if len(talks) >= 4 else 0.0)


def k7(records, p):
    for r in cohort(records, p):
        first = first_start(r, ("danish_education",))
        u = window_unit(r, p, add_months(r.t0, 1), first, year=r.t0.year)
        if u:
            yield u


def in_programme_on(r: CaseRecord, day: date) -> bool:
    return (
        r.t0 <= day < add_years(r.t0, 5)
        and (r.exit_date is None or r.exit_date > day)
        and not r.gone_on(day)
    )


def k8(records, p):
    first_year = min((r.t0.year for r in records), default=p.as_of.year)
    for year in range(first_year, p.as_of.year + 1):
        day = min(date(year, 12, 31), p.as_of)
        for r in records:
            if r.age_band not in ADULT_BANDS or r.municipality_on(day) != p.municipality:
                continue
            if not in_programme_on(r, day) or self_supporting(r, day):
                continue
            yield Unit(year, r, num=1.0 if in_company_offer(r, day) else 0.0)


def k9(records, p):
    for r in cohort(records, p):
        ends = [p.as_of, add_years(r.t0, 5) - timedelta(days=1)]
        if r.exit_date is not None:
            ends.append(r.exit_date)
        censor = censor_date(r, p.municipality)
        if censor is not None:
            ends.append(censor)
        weeks = ((min(ends) - r.t0).days + 1) // 7
        if weeks < p.k9_min_weeks:
            continue
        eps = r.kinds(*COMPANY_KINDS)
        covered = 0
        for k in range(weeks):
            lo, hi = r.t0 + timedelta(days=7 * k), r.t0 + timedelta(days=7 * k + 6)
            if any(e.start <= hi and e.end_or(date.max) >= lo for e in eps):
                covered += 1
        yield Unit(r.t0.year, r, num=1.0 if covered / weeks >= p.k9_share else 0.0)


def k10(records, p):
    for r in records:
        for e in r.kinds("internship"):
            if e.end is None:
                continue
            limit = add_months(e.end, p.conversion_months)
            if limit > p.as_of or r.municipality_on(e.end) != p.municipality:
                continue
            hired = e.company is not None and any(
                x.company == e.company and e.start <= x.start <= limit
                for x in r.kinds("wage_subsidy", "igu", "ordinary_job")
            )
            yield Unit(e.end.year, r, num=1.0 if hired else 0.0)


def job_spells(r: CaseRecord, gap_days: int) -> list[tuple[date, date | None]]:
    """Ordinary jobs chained into spells: overlapping, adjacent or ≤ gap_days apart."""
    spells: list[list] = []
    for e in sorted(r.kinds("ordinary_job"), key=lambda e: e.start):
        if spells:
            last_end = spells[-1][1]
            if last_end is None or (e.start - last_end).days - 1 <= gap_days:
                if last_end is not None:
                    spells[-1][1] = None if e.end is None else max(last_end, e.end)
                continue
        spells.append([e.start, e.end])
    return [(s, t) for s, t in spells]


def qualifying_job_start(r: CaseRecord, p: KpiParams, lo: date, hi: date) -> date | None:
    """The day a spell started in [lo, hi] qualified: it lasted ``job_months`` and its first
    ``job_months`` averaged ≥ ``job_hours`` a week (hours of concurrent jobs add up)."""
    jobs = r.kinds("ordinary_job")
    for start, end in job_spells(r, p.job_gap_days):
        if not lo <= start <= hi:
            continue
        qualified_on = add_months(start, p.job_months) - timedelta(days=1)
        if qualified_on > p.as_of or (end is not None and end < qualified_on):
            continue
        days = (qualified_on - start).days + 1
        total = 0.0
        for e in jobs:
            a, b = max(e.start, start), min(e.end_or(qualified_on), qualified_on)
            if a <= b:
                total += (e.hours or 0.0) * ((b - a).days + 1)
        if total / days >= p.job_hours:
            return qualified_on
    return None


def _k11(from_year: int, to_year: int):
    def units(records, p):
        for r in cohort(records, p):
            lo = r.t0 if from_year == 0 else add_years(r.t0, from_year) + timedelta(days=1)
            hi = add_years(r.t0, to_year)
            window_end = add_months(hi, p.job_months) - timedelta(days=1)
            event = qualifying_job_start(r, p, lo, hi)
            u = window_unit(r, p, window_end, event, year=r.t0.year)
            if u:
                yield u

    return units


def _k12(years: int):
    def units(records, p):
        for r in records:
            if r.age_band not in ADULT_BANDS:
                continue
            day = add_years(r.t0, years)
            if day > p.as_of or r.gone_on(day):
                continue
            where = r.municipality_at_t0 if p.k12_attribution == "t0" else r.municipality_on(day)
            if where != p.municipality:
                continue
            employed = any(e.covers(day) for e in r.kinds(*p.k12_kinds))
            yield Unit(r.t0.year, r, num=1.0 if employed else 0.0)

    return units


def activation_spells(r: CaseRecord, kinds: tuple[str, ...]) -> list[tuple[date, date]]:
    """Ended activation episodes, overlapping or adjacent ones merged."""
    spells: list[list[date]] = []
    for e in sorted((e for e in r.kinds(*kinds) if e.end), key=lambda e: e.start):
        if spells and e.start <= spells[-1][1] + timedelta(days=1):
            spells[-1][1] = max(spells[-1][1], e.end)
        else:
            spells.append([e.start, e.end])
    return [(a, b) for a, b in spells]


def k13(records, p):
    for r in records:
        for _start, end in activation_spells(r, p.activation_kinds):
            if end + timedelta(weeks=26) > p.as_of or r.municipality_on(end) != p.municipality:
                continue
            weeks = 0
            for k in range(26):
                lo = end + timedelta(days=1 + 7 * k)
                if all(self_supporting(r, lo + timedelta(days=d)) for d in range(7)):
                    weeks += 1
            yield Unit(end.year, r, num=float(weeks), den=26.0)


def _k14_test(years: int):
    def units(records, p):
        for r in cohort(records, p):
            if not r.kinds("danish_education"):
                continue
            passed = [
                e.start for e in r.kinds("danish_test") if e.passed and e.level in DANISH_TESTS
            ]
            u = window_unit(r, p, add_years(r.t0, years), min(passed, default=None), year=r.t0.year)
            if u:
                yield u

    return units


def k14_module_months(records, p):
    for r in cohort(records, p):
        for e in r.kinds("danish_education"):
            if e.module and e.passed and e.end is not None and e.end <= p.as_of:
                yield Unit(r.t0.year, r, value=((e.end - e.start).days + 1) / DAYS_PER_MONTH)


def _k15(months: int | None):
    def units(records, p):
        for r in cohort(records, p):
            lo, hi = r.t0, add_years(r.t0, p.igu_window_years)
            window_end = hi if months is None else add_months(hi, months) - timedelta(days=1)
            event = None
            for e in r.kinds("igu"):
                if not lo <= e.start <= hi:
                    continue
                reached = (
                    e.start if months is None else add_months(e.start, months) - timedelta(days=1)
                )
                if months is None or e.end is None or e.end >= reached:
                    event = reached if event is None else min(event, reached)
            u = window_unit(r, p, window_end, event, year=r.t0.year)
            if u:
                yield u

    return units


def _placed_here(r: CaseRecord, p: KpiParams) -> bool:
    return bool(r.stays) and r.stays[0].municipality == p.municipality


def k16(records, p):
    for r in records:
        if not _placed_here(r, p) or r.arrival_or_t0 > p.as_of:
            continue
        met = any(e.start < r.arrival_or_t0 for e in r.kinds("asylum_contact"))
        yield Unit(r.placement.year, r, num=1.0 if met else 0.0)


def k16_days(records, p):
    for r in records:
        if not _placed_here(r, p) or r.arrival_or_t0 > p.as_of:
            continue
        contacts = [e.start for e in r.kinds("asylum_contact") if e.start < r.arrival_or_t0]
        if contacts:
            yield Unit(r.placement.year, r, value=float((min(contacts) - r.placement).days))


T0 = "cohort: calendar year of T0"
KPIS: tuple[Kpi, ...] = (
    Kpi("K1", "Contract on time", "Kontrakt til tiden", "share", "pct", T0, k1),
    Kpi("K2", "Contract has a goal", "Kontrakten har et mål", "share", "pct", T0, k2),
    Kpi(
        "K3",
        "First company offer ≤ 14 days",
        "Første virksomhedstilbud ≤ 14 dage",
        "share",
        "pct",
        T0,
        _company_offer(14, None, ("D4", "D4a")),
    ),
    Kpi(
        "K4",
        "First company offer ≤ 1 month",
        "Første virksomhedstilbud ≤ 1 måned",
        "share",
        "pct",
        T0,
        _company_offer(None, 1, ("D4",)),
    ),
    Kpi(
        "K5_median",
        "Days to first company offer (median)",
        "Dage til første virksomhedstilbud (median)",
        "km_median",
        "days",
        T0,
        _days_to_company_offer,
    ),
    Kpi(
        "K5_p90",
        "Days to first company offer (P90)",
        "Dage til første virksomhedstilbud (P90)",
        "km_p90",
        "days",
        T0,
        _days_to_company_offer,
    ),
    Kpi("K6", "Follow-up compliance", "Opfølgning overholdt", "share", "pct", T0, k6),
    Kpi("K7", "Danish referral on time", "Henvist til dansk til tiden", "share", "pct", T0, k7),
    Kpi(
        "K8",
        "In a company-oriented offer (31 December)",
        "I virksomhedsrettet tilbud (31/12)",
        "share",
        "pct",
        "year of the day measured (31 December, or the data date)",
        k8,
    ),
    Kpi(
        "K9",
        "Continuous company effort",
        "Kontinuerlig virksomhedsrettet indsats",
        "share",
        "pct",
        T0,
        k9,
    ),
    Kpi(
        "K10",
        "Internship → hire at the same company",
        "Praktik → ansættelse i samme virksomhed",
        "share",
        "pct",
        "year the internship ended",
        k10,
    ),
    Kpi(
        "K11_3y",
        "Qualifying ordinary job ≤ 3 years",
        "Ordinært job (resultattilskud) ≤ 3 år",
        "share",
        "pct",
        T0,
        _k11(0, 3),
    ),
    Kpi(
        "K11_4_5y",
        "Qualifying ordinary job in years 4-5",
        "Ordinært job (resultattilskud) år 4-5",
        "share",
        "pct",
        T0,
        _k11(3, 5),
    ),
    *(
        Kpi(
            f"K12_{n}y",
            f"In employment {n} year{'s' if n > 1 else ''} after T0",
            f"I beskæftigelse {n} år efter T0",
            "share",
            "pct",
            T0,
            _k12(n),
        )
        for n in (1, 2, 3)
    ),
    Kpi(
        "K13",
        "Self-support rate after activation",
        "Selvforsørgelsesgrad efter aktivering",
        "share",
        "pct",
        "year the activation spell ended",
        k13,
    ),
    Kpi(
        "K14_pd_3y",
        "Danish test passed ≤ 3 years",
        "Prøve i dansk bestået ≤ 3 år",
        "share",
        "pct",
        T0,
        _k14_test(3),
    ),
    Kpi(
        "K14_pd_5y",
        "Danish test passed ≤ 5 years",
        "Prøve i dansk bestået ≤ 5 år",
        "share",
        "pct",
        T0,
        _k14_test(5),
    ),
    Kpi(
        "K14_module_months",
        "Months per Danish module (median)",
        "Måneder pr. danskmodul (median)",
        "median",
        "months",
        T0,
        k14_module_months,
    ),
    Kpi("K15_start", "IGU started", "IGU påbegyndt", "share", "pct", T0, _k15(None)),
    Kpi("K15_6m", "IGU reached 6 months", "IGU nået 6 måneder", "share", "pct", T0, _k15(6)),
    Kpi(
        "K15_24m",
        "IGU completed (24 months)",
        "IGU gennemført (24 måneder)",
        "share",
        "pct",
        T0,
        _k15(24),
    ),
    Kpi(
        "K16",
        "Met at the asylum centre before arrival",
        "Mødt på asylcenter før ankomst",
        "share",
        "pct",
        "year of the placement decision",
        k16,
    ),
    Kpi(
        "K16_days",
        "Days from placement to asylum-centre meeting (median)",
        "Dage fra visitering til møde på asylcenter (median)",
        "median",
        "days",
        "year of the placement decision",
        k16_days,
    ),
)
KPI_BY_ID = {k.id: k for k in KPIS}


# --- summaries -----------------------------------------------------------------------------------


def km_quantile(units: list[Unit], q: float) -> float:
    """Kaplan-Meier: the smallest time at which the share still without the event is ≤ 1 - q
    (censored at a time stay at risk at that time); NaN when the curve never gets there."""
    at_risk = len(units)
    surv = 1.0
    by_time: dict[float, tuple[int, int]] = {}
    for u in units:
        d, c = by_time.get(u.value, (0, 0))
        by_time[u.value] = (d + u.event, c + (not u.event))
    for t in sorted(by_time):
        d, c = by_time[t]
        if d and at_risk:
            surv *= 1 - d / at_risk
            if surv <= 1 - q + 1e-12:
                return float(t)
        at_risk -= d + c
    return math.nan


def summarise(kind: str, units: list[Unit]) -> tuple[float, float, float]:
    """(numerator, denominator, value) of a group of units."""
    if kind == "share":
        num = sum(u.num for u in units)
        den = sum(u.den for u in units)
        return num, den, (100.0 * num / den if den else math.nan)
    if kind == "median":
        values = [u.value for u in units if u.value is not None]
        return (
            float(len(values)),
            float(len(units)),
            (statistics.median(values) if values else math.nan),
        )
    if kind in ("km_median", "km_p90"):
        events = float(sum(u.event for u in units))
        q = 0.5 if kind == "km_median" else 0.9
        return events, float(len(units)), km_quantile(units, q)
    raise ValueError(kind)


def compute_kpi_units(records: list[CaseRecord], params: KpiParams) -> dict[str, list[Unit]]:
    return {k.id: list(k.units(records, params)) for k in KPIS}


def compute_kpis(records: list[CaseRecord], params: KpiParams) -> pd.DataFrame:
    """The internal figures: kpi_id, cohort_year, sex ('all', 'male', 'female'), numerator,
    denominator, value; a group without units has no row."""
    rows = []
    for kpi in KPIS:
        units = list(kpi.units(records, params))
        years = sorted({u.year for u in units})
        for year in years:
            in_year = [u for u in units if u.year == year]
            for sex in ("all", "male", "female"):
                group = in_year if sex == "all" else [u for u in in_year if u.rec.sex == sex]
                if not group:
                    continue
                num, den, value = summarise(kpi.kind, group)
                rows.append([kpi.id, year, sex, num, den, value])
    return pd.DataFrame(rows, columns=KPI_COLUMNS)
