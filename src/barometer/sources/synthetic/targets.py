"""Calibration targets: published national figures (DOMAIN.md §1.4) as yearly paths.

Each path maps a few anchor years to a rate in percent; years in between are interpolated
linearly and years outside are held at the nearest anchor. The generator selects exactly
``round(rate × N)`` persons per group and year (see ``select.top_k_by_cell``), so the national
rates land on these paths up to rounding.
"""

from __future__ import annotations

import numpy as np

# Origin groups used throughout the generator.
DO, NV, W = 0, 1, 2  # Danish origin, non-western immigrants+descendants (IE-NV), western
GROUP_NAMES = ("danish_origin", "ie_non_western", "ie_western")

# 1.1/1.2 employment 25-64 (RAS/AKM employed = SOCIO13 110-139). 2012: 51 vs 77 (gap 26),
# 2014: 52 vs 78 (gap 26, older site), 2020: 60 vs 80 (gap 20); trend continued mildly.
EMPLOYMENT_25_64 = {
    DO: {2012: 77.0, 2014: 78.0, 2017: 79.2, 2019: 80.2, 2020: 80.0, 2022: 81.3, 2024: 81.5},
    NV: {
        2012: 51.0,
        2013: 51.2,
        2014: 52.0,
        2017: 56.5,
        2019: 59.5,
        2020: 60.0,
        2022: 62.3,
        2024: 62.5,
    },
    W: {2012: 69.0, 2020: 72.0, 2024: 73.0},
}
# Employment rates outside 25-64 (not calibrated targets, just realistic profiles), by
# (age band lower bound) for DO; NV and W get a multiplier.
EMPLOYMENT_OTHER_AGES = {15: 18.0, 18: 40.0, 20: 55.0, 65: 22.0, 70: 7.0, 75: 1.5}
EMPLOYMENT_OTHER_FACTOR = {DO: 1.0, NV: 0.7, W: 0.9}

# 2.1 grade >= 2 in written Danish and maths problem solving (9th grade), by school year end.
# Keys: DO, NV_ELIG (non-western immigrants arrived 0-12 + descendants), NV_LATE (arrived 13+),
# W (all western).
EXAM_WRITTEN = {
    "DO": {2012: 93.0, 2021: 97.0, 2024: 97.2},
    "NV_ELIG": {2012: 82.0, 2021: 95.0, 2024: 95.5},
    "NV_LATE": {2012: 55.0, 2021: 66.0, 2024: 67.0},
    "W": {2012: 90.0, 2021: 94.0, 2024: 94.0},
}
# 3.1 grade >= 2 in oral Danish and spelling; the published target group is non-western
# immigrants arrived 0-12 (NV_IMM_ELIG); descendants are given a slightly higher path.
EXAM_ORAL = {
    "DO": {2012: 96.0, 2022: 97.0},
    "NV_IMM_ELIG": {2012: 89.0, 2022: 91.0, 2024: 91.4},
    "NV_DESC": {2012: 91.0, 2022: 94.0},
    "NV_LATE": {2012: 60.0, 2022: 66.0},
    "W": {2012: 93.0, 2022: 95.0},
}
EXAM_EXEMPT_PCT = 4.0  # share of a cohort with no exam rows at all (exempt)

# 2.2 youth education (main groups 20-80) among 20-24, 2.3 higher (40-80) among 25-39; groups
# are persons raised in Denmark: DO, NV_ELIG, W_ELIG (western descendants + arrived 0-12).
YOUTH_20_24 = {
    "DO": {2012: 76.0, 2021: 79.0, 2024: 79.5},
    "NV_ELIG": {2012: 56.0, 2021: 68.0, 2024: 70.0},
    "W_ELIG": {2012: 70.0, 2021: 74.0},
}
HIGHER_25_39 = {
    "DO": {2012: 42.0, 2021: 48.0, 2024: 49.0},
    "NV_ELIG": {2012: 26.0, 2021: 41.0, 2024: 44.0},
    "W_ELIG": {2012: 40.0, 2021: 46.0},
}

# 3.3 Danish test within 5 years for I-kursister, by start year: 67 % (2012) -> 62 % (2017-).
DANISH_TEST_5Y = {2007: 68.0, 2012: 67.0, 2017: 62.0, 2030: 62.0}
DANISH_TEST_LATE_PCT = 4.0  # extra passers in year 6 (so the 5-year window matters)

# 9.x convicted under the criminal code, men 15-29: IE-NV 5 %, DO 2 % in 2014; falling ~2 %/yr
# (relative). Other age bands and women are realistic levels giving ~0.8 % overall 15-79.
CONVICTED_MEN_15_29 = {DO: 2.0, NV: 5.0, W: 2.4}
CONVICTED_MEN_30_49 = {DO: 1.3, NV: 2.6, W: 1.3}
CONVICTED_MEN_50_79 = {DO: 0.45, NV: 0.8, W: 0.45}
CONVICTED_WOMEN_FACTOR = 0.2
CONVICTED_TREND_PER_YEAR = -0.02  # relative change per year from 2014
ACQUITTAL_SHARE = 0.08  # share of criminal-code decisions that are acquittals (type 61)

# 7.x public support, full-time recipients among 16-64 (sum of GRADAAR per person capped at 1).
PUBLIC_SUPPORT_16_64 = {
    DO: {2012: 17.0, 2024: 14.5},
    NV: {2012: 33.0, 2024: 27.0},
    W: {2012: 16.0, 2024: 14.0},
}


def rate(path: dict[int, float], year: int) -> float:
    """Interpolate a yearly path (percent) at ``year``, as a fraction."""
    years = sorted(path)
    return float(np.interp(year, years, [path[y] for y in years])) / 100.0


def convicted_rate(group: int, male: bool, age_band: int, year: int) -> float:
    """Target share convicted for a (group, sex, age band 0/1/2) cell in ``year``."""
    table = (CONVICTED_MEN_15_29, CONVICTED_MEN_30_49, CONVICTED_MEN_50_79)[age_band]
    r = table[group] / 100.0 * (1.0 + CONVICTED_TREND_PER_YEAR) ** (year - 2014)
    return r if male else r * CONVICTED_WOMEN_FACTOR


def all_targets(years: list[int]) -> dict:
    """The calibration figures used, per year, for the manifest and the docs."""
    out: dict[str, dict] = {}
    for y in years:
        out[str(y)] = {
            "employment_25_64_do": rate(EMPLOYMENT_25_64[DO], y),
            "employment_25_64_ienv": rate(EMPLOYMENT_25_64[NV], y),
            "exam_written_ienv_0_12": rate(EXAM_WRITTEN["NV_ELIG"], y),
            "exam_oral_nv_immigrants_0_12": rate(EXAM_ORAL["NV_IMM_ELIG"], y),
            "youth_education_20_24_ienv": rate(YOUTH_20_24["NV_ELIG"], y),
            "higher_education_25_39_ienv": rate(HIGHER_25_39["NV_ELIG"], y),
            "danish_test_5y_start_cohort": rate(DANISH_TEST_5Y, y),
            "convicted_men_15_29_ienv": round(convicted_rate(NV, True, 0, y), 5),
            "convicted_men_15_29_do": round(convicted_rate(DO, True, 0, y), 5),
            "public_support_16_64_do": rate(PUBLIC_SUPPORT_16_64[DO], y),
            "public_support_16_64_ienv": rate(PUBLIC_SUPPORT_16_64[NV], y),
        }
    return out
