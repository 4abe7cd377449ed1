"""The synthetic Denmark, computed by the real engine, lands within ±2 pp of the published
national figures (reference/published_values.csv, DOMAIN.md §1.4). The expected values are read
from that file, never from our output."""

from __future__ import annotations

import pytest

from barometer.codes import load_published_values
from barometer.sources.synthetic import generate

from fixtures.registers import compute_raw

TOLERANCE_PP = 2.0

# (published indicator, year, words in its group text) → (our indicator, origin group, year)
CHECKS = [
    (
        "employment_rate_25_64",
        "2020",
        "IE-NV aged 25-64",
        "employment_rate_25_64",
        "non_western",
        2020,
    ),
    (
        "employment_gap_25_64",
        "2020",
        "DO minus IE-NV, aged 25-64",
        "employment_gap_25_64",
        "non_western",
        2020,
    ),
    (
        "employment_rate_25_64",
        "2014",
        "IE-NV aged 25-64 (older",
        "employment_rate_25_64",
        "non_western",
        2014,
    ),
    (
        "employment_rate_25_64",
        "2014",
        "DO aged 25-64 (older",
        "employment_rate_25_64",
        "danish_origin",
        2014,
    ),
    (
        "employment_gap_25_64",
        "2014",
        "DO minus IE-NV, aged 25-64 (older",
        "employment_gap_25_64",
        "non_western",
        2014,
    ),
    (
        "grade2_written_danish_and_math_9th_grade",
        "2021",
        "IE-NV (immigrants",
        "grade9_danish_math_2plus",
        "non_western",
        2021,
    ),
    (
        "completed_youth_education_20_24",
        "2021",
        "IE-NV",
        "youth_education_20_24",
        "non_western",
        2021,
    ),
    (
        "completed_higher_education_25_39",
        "2021",
        "IE-NV",
        "higher_education_25_39",
        "non_western",
        2021,
    ),
    (
        "grade2_oral_danish_and_spelling_9th_grade",
        "2022",
        "non-western immigrants",
        "grade9_oral_danish_2plus",
        "immigrants_non_western",
        2022,
    ),
    # the published 2022 figure is read as the cohort that started in 2017 (catalogue note)
    (
        "passed_danish_test_within_5_years",
        "2022",
        "course participants",
        "danish_test_within_5y",
        "all",
        2017,
    ),
    (
        "convicted_criminal_code_men_15_29",
        "2014",
        "IE-NV men",
        "convicted_share_men_15_29",
        "non_western",
        2014,
    ),
    (
        "convicted_criminal_code_men_15_29",
        "2014",
        "DO men",
        "convicted_share_men_15_29",
        "danish_origin",
        2014,
    ),
]

# Published changes since the base year (pp): (indicator, year, our id, group, base, latest)
CHANGES = [
    ("employment_rate_25_64", "2020", "employment_rate_25_64", "non_western", 2012, 2020),
    ("employment_gap_25_64", "2020", "employment_gap_25_64", "non_western", 2012, 2020),
    (
        "grade2_written_danish_and_math_9th_grade",
        "2021",
        "grade9_danish_math_2plus",
        "non_western",
        2012,
        2021,
    ),
    ("completed_youth_education_20_24", "2021", "youth_education_20_24", "non_western", 2012, 2021),
    (
        "completed_higher_education_25_39",
        "2021",
        "higher_education_25_39",
        "non_western",
        2012,
        2021,
    ),
    (
        "grade2_oral_danish_and_spelling_9th_grade",
        "2022",
        "grade9_oral_danish_2plus",
        "immigrants_non_western",
        2012,
        2022,
    ),
]


def published(indicator, year, words, change=False):
    rows = [
        r
        for r in load_published_values()
        if r["indicator"] == indicator
        and r["year"] == year
        and r["area_code"] == "000"
        and (("change since base" in r["group"]) == change)
        and words in r["group"]
    ]
    assert len(rows) == 1, (indicator, year, words, rows)
    return float(rows[0]["value"])


@pytest.fixture(scope="module")
def national(tmp_path_factory):
    # The engine's figures before disclosure control: this checks the synthetic data and the
    # definitions, not what protection later hides (tests/integration/test_protected_outputs.py).
    tmp = tmp_path_factory.mktemp("calib")
    generate(tmp / "reg", scale=0.1, years=list(range(2012, 2023)), seed=1)
    obs = compute_raw(tmp / "reg")
    obs = obs[(obs["area_code"] == "000") & (obs["sex"] == "all")]
    return obs.set_index(["indicator_id", "origin_group", "year"])["value"]


@pytest.mark.slow
@pytest.mark.parametrize("check", CHECKS, ids=[f"{c[0]}-{c[1]}-{c[2][:12]}" for c in CHECKS])
def test_level_matches_published(national, check):
    pub_ind, pub_year, words, ours, group, year = check
    expected = published(pub_ind, pub_year, words)
    got = national[(ours, group, year)]
    assert abs(got - expected) <= TOLERANCE_PP, f"{ours} {group} {year}: {got:.1f} vs {expected}"


@pytest.mark.slow
@pytest.mark.parametrize("change", CHANGES, ids=[c[2] for c in CHANGES])
def test_change_since_base_matches_published(national, change):
    pub_ind, pub_year, ours, group, base, latest = change
    expected = published(pub_ind, pub_year, "", change=True)
    got = national[(ours, group, latest)] - national[(ours, group, base)]
    assert abs(got - expected) <= TOLERANCE_PP, f"{ours}: {got:+.1f} vs {expected:+}"
