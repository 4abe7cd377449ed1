"""The barometer feed: count-based cells for the pipeline's finishing stage.

:func:`compute_barometer_cells` reads the case database and returns, per indicator, cohort
year, origin group and sex, the numerator and denominator in persons, **without** disclosure
control: the lead pipeline applies it before anything is stored or published. Nothing here
writes a file or serves a figure. All persons in the module are immigrants (refugees and
reunified family members born abroad), so the origin groups are 'all', 'immigrants', the
western/non-western split of immigrants, its roll-up and MENAPT, from the person's country
through ``barometer.codes``.
"""

from __future__ import annotations

from datetime import date

import pandas as pd

from barometer.casework.feed import CELL_COLUMNS, read_database
from barometer.codes import ORIGIN_GROUPS
from barometer.programme.calendar import add_years
from barometer.programme.kpis import KPI_BY_ID, KpiParams, Unit, cohort, first_start, window_unit
from barometer.programme.records import CaseRecord, load_records

INTO_COMPANY_KINDS = ("internship", "wage_subsidy", "igu", "ordinary_job")
POPULATION = {
    "da": "Flygtninge og familiesammenførte 18-64 år, som kommunen overtog integrationsansvaret "
    "for (T0) i årgangen",
    "en": "Refugees and reunified family members aged 18-64 whose integration the municipality "
    "took over (T0) in the cohort year",
}


def _into_company_1y(records, p):
    for r in cohort(records, p):
        event = first_start(r, INTO_COMPANY_KINDS, since=r.t0)
        u = window_unit(r, p, add_years(r.t0, 1), event, year=r.t0.year)
        if u:
            yield u


def _cohort_count(records, p):
    for r in cohort(records, p):
        if r.t0 <= p.as_of:
            yield Unit(r.t0.year, r, num=1.0)


def _definition(id_, title, description, numerator, unit, polarity, kpi):
    return {
        "id": id_,
        "title": title,
        "description": description,
        "unit": unit,
        "polarity": polarity,
        "population": POPULATION,
        "numerator": numerator,
        "area": "work",
        "source": "programme",
        "year_basis": "Cohort: the calendar year of T0; a cohort's figure appears once its "
        "window has closed on the data date.",
        "kpi": kpi,
    }


INDICATORS = {
    "programme_igu_start_3y": (
        KPI_BY_ID["K15_start"].units,
        _definition(
            "programme_igu_start_3y",
            {"da": "Flygtninge i IGU inden 3 år", "en": "Refugees in IGU within 3 years"},
            {
                "da": "Andel af årgangen, der har påbegyndt en integrationsgrunduddannelse "
                "(IGU) senest 3 år efter T0.",
                "en": "Share of the cohort who started an integration basic education (IGU) "
                "at most 3 years after T0.",
            },
            {
                "da": "Personer med IGU-start ≤ T0 + 3 år",
                "en": "Persons with an IGU start ≤ T0 + 3 years",
            },
            "pct",
            "higher_is_better",
            "K15_start",
        ),
    ),
    "programme_into_company_1y": (
        _into_company_1y,
        _definition(
            "programme_into_company_1y",
            {"da": "Ud i virksomhed inden 1 år", "en": "Out into a company within 1 year"},
            {
                "da": "Andel af årgangen, der senest 1 år efter T0 har været i "
                "virksomhedspraktik, løntilskud, IGU eller ordinært job.",
                "en": "Share of the cohort who within 1 year of T0 were in a company "
                "internship, wage-subsidy job, IGU or ordinary job.",
            },
            {
                "da": "Personer med første praktik, løntilskud, IGU eller job ≤ T0 + 1 år",
                "en": "Persons whose first internship, wage subsidy, IGU or job started "
                "≤ T0 + 1 year",
            },
            "pct",
            "higher_is_better",
            None,
        ),
    ),
    "programme_company_offer_1m": (
        KPI_BY_ID["K4"].units,
        _definition(
            "programme_company_offer_1m",
            {
                "da": "Virksomhedsrettet tilbud inden 1 måned",
                "en": "Company-oriented offer within 1 month",
            },
            {
                "da": "Andel af årgangen med første virksomhedspraktik eller løntilskud senest "
                "1 måned efter ankomsten til kommunen (uden fritagne med begrundelse).",
                "en": "Share of the cohort whose first company internship or wage subsidy "
                "started at most 1 month after arrival in the municipality (waivers with a "
                "reason left out).",
            },
            {
                "da": "Personer med første tilbud ≤ ankomst + 1 måned",
                "en": "Persons with a first offer ≤ arrival + 1 month",
            },
            "pct",
            "higher_is_better",
            "K4",
        ),
    ),
    "programme_employed_3y": (
        KPI_BY_ID["K12_3y"].units,
        _definition(
            "programme_employed_3y",
            {"da": "I beskæftigelse 3 år efter T0", "en": "In employment 3 years after T0"},
            {
                "da": "Andel af årgangen i ordinært job eller IGU på dagen 3 år efter T0.",
                "en": "Share of the cohort in an ordinary job or IGU on the day 3 years after T0.",
            },
            {
                "da": "Personer i job eller IGU på T0 + 3 år",
                "en": "Persons in a job or IGU on T0 + 3 years",
            },
            "pct",
            "higher_is_better",
            "K12_3y",
        ),
    ),
    "programme_qualifying_job_3y": (
        KPI_BY_ID["K11_3y"].units,
        _definition(
            "programme_qualifying_job_3y",
            {
                "da": "Ordinært job inden 3 år (resultattilskud)",
                "en": "Ordinary job within 3 years (result grant)",
            },
            {
                "da": "Andel af årgangen med ordinær beskæftigelse i mindst 6 sammenhængende "
                "måneder med mindst 20 timer om ugen i gennemsnit, påbegyndt senest 3 år efter T0.",
                "en": "Share of the cohort with ordinary employment of at least 6 consecutive "
                "months at an average of at least 20 hours a week, started at most 3 years "
                "after T0.",
            },
            {"da": "Personer med et kvalificerende job", "en": "Persons with a qualifying job"},
            "pct",
            "higher_is_better",
            "K11_3y",
        ),
    ),
    "programme_cohort": (
        _cohort_count,
        _definition(
            "programme_cohort",
            {
                "da": "Nyankomne flygtninge i programmet",
                "en": "Newly arrived refugees in the programme",
            },
            {
                "da": "Antal personer i årgangen (T0 i året).",
                "en": "Number of persons in the cohort (T0 in the year).",
            },
            {"da": "Personer", "en": "Persons"},
            "count",
            "neutral",
            None,
        ),
    ),
}
INDICATOR_DEFINITIONS = {k: v[1] for k, v in INDICATORS.items()}


def origin_groups(rec: CaseRecord) -> list[str]:
    """The barometer's origin groups an immigrant belongs to (DOMAIN.md §4.2)."""
    side = "western" if rec.western else "non_western"
    groups = ["all", "immigrants", f"immigrants_{side}", side]
    if rec.menapt:
        groups.append("menapt")
    assert set(groups) <= set(ORIGIN_GROUPS)
    return groups


def cells_from_records(
    records: list[CaseRecord], area_code: str = "101", as_of: date | None = None
) -> pd.DataFrame:
    params = KpiParams(as_of=as_of or date.today(), municipality=area_code)
    rows = []
    for ind_id, (make_units, definition) in INDICATORS.items():
        groups: dict[tuple[int, str, str], list[Unit]] = {}
        for u in make_units(records, params):
            for og in origin_groups(u.rec):
                for sex in ("all", u.rec.sex):
                    groups.setdefault((u.year, og, sex), []).append(u)
        for (year, og, sex), units in sorted(groups.items()):
            num = sum(u.num for u in units)
            if definition["unit"] == "count":
                rows.append([ind_id, area_code, year, og, sex, num, num, num, "count"])
            else:
                den = sum(u.den for u in units)
                rows.append([ind_id, area_code, year, og, sex, num, den, 100.0 * num / den, "pct"])
    return pd.DataFrame(rows, columns=CELL_COLUMNS)


def compute_barometer_cells(
    db_url: str, area_code: str = "101", *, as_of: date | None = None
) -> tuple[pd.DataFrame, dict[str, dict]]:
    """(cells, indicator definitions) for one municipality, with no disclosure control."""
    records = read_database(db_url, load_records)
    return cells_from_records(records, area_code, as_of), INDICATOR_DEFINITIONS
