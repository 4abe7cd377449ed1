"""The barometer feed: yearly Welcome House counts for the pipeline's finishing stage.

:func:`compute_barometer_cells` returns, like ``barometer.programme.aggregates``, cells with
``indicator_id, area_code, year, origin_group, sex, numerator, denominator, value, unit`` and
their definitions, **without** disclosure control (the pipeline applies it before anything is
stored or published). Only figures that make sense in public go here: active volunteers and
organisations, attendance headcounts and volunteer hours per calendar year. Certificate
coverage (W1, W2) is internal quality control and stays with staff. Welcome House keeps no
origin of anyone, so ``origin_group`` is always ``all``; attendance comes by sex from the
headcounts, the other figures only for ``all``. Counts follow the programme feed's convention
(numerator = denominator = value). A year appears once it is complete on ``as_of``.
"""

from __future__ import annotations

from collections import defaultdict
from datetime import date

import pandas as pd

from barometer.casework.feed import CELL_COLUMNS, read_database
from barometer.welcomehouse.kpis import WelcomeData, load_data


def _definition(id_, title, description, numerator, population, kpi):
    return {
        "id": id_,
        "title": title,
        "description": description,
        "unit": "count",
        "polarity": "neutral",
        "population": population,
        "numerator": numerator,
        "area": "population",  # the catalogue has no civil-society area yet
        "source": "welcomehouse",
        "year_basis": "Calendar year of the sessions; a year appears once it is complete.",
        "kpi": kpi,
    }


VOLUNTEERS = {"da": "Frivillige i Welcome House", "en": "Volunteers at Welcome House"}
PARTICIPANTS = {"da": "Deltagere i Welcome Houses aktiviteter",
                "en": "Participants in Welcome House activities"}  # fmt: skip
INDICATOR_DEFINITIONS = {
    "welcomehouse_active_volunteers": _definition(
        "welcomehouse_active_volunteers",
        {"da": "Aktive frivillige i Welcome House", "en": "Active Welcome House volunteers"},
        {
            "da": "Antal frivillige med mindst én vagt i årets aktiviteter.",
            "en": "Number of volunteers with at least one shift in the year's activities.",
        },
        {"da": "Frivillige med mindst én vagt", "en": "Volunteers with at least one shift"},
        VOLUNTEERS,
        "W3_volunteers",
    ),
    "welcomehouse_active_organisations": _definition(
        "welcomehouse_active_organisations",
        {"da": "Aktive frivilligorganisationer", "en": "Active volunteer organisations"},
        {
            "da": "Antal organisationer, der har haft mindst én aktivitet i Welcome House i året.",
            "en": "Number of organisations that ran at least one Welcome House activity in "
            "the year.",
        },
        {"da": "Organisationer med en aktivitet", "en": "Organisations with an activity"},
        {"da": "Samarbejdsorganisationer", "en": "Partner organisations"},
        "W3_organisations",
    ),
    "welcomehouse_attendance": _definition(
        "welcomehouse_attendance",
        {"da": "Fremmøder i Welcome House", "en": "Attendances at Welcome House"},
        {
            "da": "Summen af deltagere talt ved årets aktiviteter (anonyme optællinger; én "
            "person, der kommer flere gange, tælles hver gang).",
            "en": "The sum of participants counted at the year's activities (anonymous "
            "headcounts; a person who comes several times counts each time).",
        },
        {"da": "Fremmøder", "en": "Attendances"},
        PARTICIPANTS,
        "W4_headcount",
    ),
    "welcomehouse_volunteer_hours": _definition(
        "welcomehouse_volunteer_hours",
        {"da": "Frivillige timer i Welcome House", "en": "Volunteer hours at Welcome House"},
        {
            "da": "Summen af registrerede faktiske timer på årets vagter.",
            "en": "The sum of logged actual hours on the year's shifts.",
        },
        {"da": "Timer", "en": "Hours"},
        VOLUNTEERS,
        "W5_hours",
    ),
}


def cells_from_data(data: WelcomeData, area_code: str, as_of: date) -> pd.DataFrame:
    last_year = as_of.year if as_of >= date(as_of.year, 12, 31) else as_of.year - 1
    volunteers, orgs = defaultdict(set), defaultdict(set)
    attendance: dict[tuple[int, str], int] = defaultdict(int)
    hours: dict[int, float] = defaultdict(float)
    for s in data.sessions.values():
        if s.date.year <= last_year and s.organisation:
            orgs[s.date.year].add(s.organisation)
    for vid, sid, h in data.assignments:
        y = data.sessions[sid].date.year
        if y <= last_year:
            volunteers[y].add(vid)
            if h is not None:
                hours[y] += h
    for sid, _band, sex, n in data.attendance:
        y = data.sessions[sid].date.year
        if y <= last_year:
            attendance[(y, "all")] += n
            attendance[(y, sex)] += n
    rows = []

    def add(ind: str, year: int, sex: str, n: float) -> None:
        rows.append([ind, area_code, year, "all", sex, n, n, n, "count"])

    for y in sorted(volunteers):
        add("welcomehouse_active_volunteers", y, "all", len(volunteers[y]))
        add("welcomehouse_volunteer_hours", y, "all", hours[y])
    for y in sorted(orgs):
        add("welcomehouse_active_organisations", y, "all", len(orgs[y]))
    for (y, sex), n in sorted(attendance.items()):
        add("welcomehouse_attendance", y, sex, n)
    return pd.DataFrame(rows, columns=CELL_COLUMNS)


def compute_barometer_cells(
    db_url: str, area_code: str = "101", *, as_of: date | None = None
) -> tuple[pd.DataFrame, dict[str, dict]]:
    """(cells, indicator definitions) for the municipality, with no disclosure control."""
    data = read_database(db_url, load_data)
    return cells_from_data(data, area_code, as_of or date.today()), INDICATOR_DEFINITIONS
