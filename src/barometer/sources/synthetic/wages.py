"""Monthly wage records (eIndkomst style) of young people: the leisure jobs of 13-17-year-olds.

Only persons aged 13-17 get wage records here: adults' employment is in AKM (SOCIO13), and the
records serve the leisure-job indicator (``leisure_job_15_17``). A real eIndkomst/BFL extract
covers everyone; the column names are provisional (sources/layout.py ``eindk``).

Calibration (Statistics Denmark, special runs on the register-based labour force statistics,
employment at the end of November, at least one paid hour in the reference week; press
releases 2019-2024): 38.2 % of 13-17-year-olds worked in 2008, ≈31 % in 2014, 32.8 % in 2018,
32.1 % in 2020, 34.9 % in 2021 and 35.6 % in 2023; in 2023 15-year-olds 37 %, 16-year-olds
42 %, 17-year-olds ≈61 %. Girls work more often than boys, and young people in and around
Copenhagen less often than elsewhere. Young people of non-Western origin work less often
(DEA 2023: the typical young worker is of Danish origin); the factor below is this demo's
assumption.

Per person and year: a November job with probability p(age, year, origin, sex, municipality);
a November job holder is paid in a random number of other months too, sometimes by two
employers; some who do not work in November have summer jobs only; and a few November rows
are fees without hours (LOENTIMER 0), which the indicator's minimum of paid hours leaves out.
"""

from __future__ import annotations

import numpy as np

from .origins import municipality_table
from .panel import Panel
from .targets import DO, NV, W

# November job share by age at 31 December (national, 2018 level).
BY_AGE = {13: 0.12, 14: 0.22, 15: 0.33, 16: 0.42, 17: 0.58}
# Relative level by year (1.0 = 2018), interpolated and held flat outside the anchors.
YEAR_LEVEL = {2008: 1.16, 2014: 0.95, 2018: 1.0, 2019: 1.02, 2020: 0.98, 2021: 1.06, 2023: 1.09}
BY_GROUP = {DO: 1.0, NV: 0.55, W: 0.8}
BY_SEX = {1: 0.94, 2: 1.06}
# In and around Copenhagen young people work less often (DST 2019: lowest there).
MUNICIPALITY_LEVEL = {"101": 0.72, "147": 0.8, "151": 0.85, "153": 0.85, "157": 0.9}
SUMMER_ONLY = 0.25  # of the November rate: paid in other months only
TWO_EMPLOYERS = 0.1
FEE_ONLY = 0.02  # of those without a November job: a November fee without hours


def year_level(year: int) -> float:
    years = sorted(YEAR_LEVEL)
    return float(np.interp(year, years, [YEAR_LEVEL[y] for y in years]))


def november_probability(panel: Panel, year: int, rows: np.ndarray) -> np.ndarray:
    """Probability of paid work in November for the persons ``rows`` (all aged 13-17)."""
    age = panel.age(year)[rows]
    p = np.array([BY_AGE[int(a)] for a in range(13, 18)])[age - 13]
    group = np.array([BY_GROUP[DO], BY_GROUP[NV], BY_GROUP[W]])
    p = p * group[panel["grp"][rows]] * np.where(panel["sex"][rows] == 2, BY_SEX[2], BY_SEX[1])
    codes = list(municipality_table().codes)
    kom = np.ones(len(codes))
    for code, level in MUNICIPALITY_LEVEL.items():
        kom[codes.index(code)] = level
    return np.clip(p * kom[panel["kom"][rows]] * year_level(year), 0.0, 0.95)


def wage_records(rng: np.random.Generator, panel: Panel, year: int) -> dict[str, np.ndarray]:
    """Rows (pid, employer, month, hours, wage) sorted by person, month and employer."""
    age = panel.age(year)
    young = np.flatnonzero((age >= 13) & (age <= 17))
    p = november_probability(panel, year, young)
    draw = rng.random(len(young))
    november = draw < p
    summer = ~november & (draw < p * (1 + SUMMER_ONLY))
    fee = ~november & ~summer & (rng.random(len(young)) < FEE_ONLY)
    pids, months, hours, employers = [], [], [], []
    base_employer = rng.integers(10_000_000, 99_999_999, len(young))

    def add(who: np.ndarray, month: np.ndarray, hrs: np.ndarray, employer: np.ndarray) -> None:
        pids.append(panel["pid"][young[who]])
        months.append(month)
        hours.append(hrs)
        employers.append(employer)

    # November job holders: November plus 0-11 other months, hours about 10-60 a month.
    nov = np.flatnonzero(november)
    add(nov, np.full(len(nov), 11), _hours(rng, len(nov)), base_employer[nov])
    other = rng.random((len(nov), 12)) < rng.uniform(0.2, 0.9, (len(nov), 1))
    other[:, 10] = False
    who, month0 = np.nonzero(other)
    add(nov[who], month0 + 1, _hours(rng, len(who)), base_employer[nov[who]])
    second = nov[rng.random(len(nov)) < TWO_EMPLOYERS]
    add(second, np.full(len(second), 11), _hours(rng, len(second)) / 3, base_employer[second] + 1)
    # Summer jobs only (June-August), and November fees without hours.
    sm = np.flatnonzero(summer)
    k = rng.integers(1, 4, len(sm))
    who = np.repeat(sm, k)
    month = 6 + np.concatenate([np.arange(n) for n in k]) if len(k) else np.zeros(0, int)
    add(who, month, _hours(rng, len(who)), base_employer[who])
    fe = np.flatnonzero(fee)
    add(fe, np.full(len(fe), 11), np.zeros(len(fe)), base_employer[fe])
    out = {
        "pid": np.concatenate(pids).astype(np.int64),
        "month": np.concatenate(months).astype(np.int64),
        "hours": np.round(np.concatenate(hours), 1),
        "employer": np.concatenate(employers).astype(np.int64),
    }
    out["wage"] = np.round(out["hours"] * rng.uniform(90, 140, len(out["pid"])), 2)
    out["wage"] = np.where(out["hours"] == 0, rng.uniform(200, 1500, len(out["pid"])), out["wage"])
    order = np.lexsort((out["employer"], out["month"], out["pid"]))
    return {k: v[order] for k, v in out.items()}


def _hours(rng: np.random.Generator, n: int) -> np.ndarray:
    return np.clip(rng.lognormal(np.log(28), 0.5, n), 2, 120)
