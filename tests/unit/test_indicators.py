"""Every indicator on a tiny hand-made delivery; expected values are worked out by hand below.

Persons in bef202012 (age at 31 Dec 2020; KOM 101 København and 147 Frederiksberg are in region
084, 751 Aarhus in 082):

  P01 DO m 25 101  employed (131)            P10 imm Iraq f 50 147 (arrived 2014) SOCIO13 210
  P02 DO f 64 101  SOCIO13 210, HFAUDD 0     P11 DO m 15 101
  P03 DO m 65 101  employed                  P12 imm Somalia m 29 101 (arrived aged 20), no akm
  P04 DO f 24 147  no akm row, HFAUDD 215    P13 DO m 16 101                (9th grade)
  P05 imm Syria m 30 101, arrived aged 13 (to the day), employed, HFAUDD 5001 (KVU)
  P06 imm Vietnam f 30 101, arrived aged 12 (a day before 13), SOCIO13 330, HFAUDD 141 (KVU)
  P07 desc Syria m 22 147 employed, HFAUDD 300 (vocational)
  P08 desc Germany f 21 147, HFAUDD 1 (basic school)
  P09 imm Poland m 40 751 employed
  P14 imm Vietnam f 16 101 arrived aged 5    P16 desc Iraq f 16 147
  P15 imm Turkey m 16 147 arrived aged 13    P17 desc Vietnam m 16 147
"""

from __future__ import annotations

import datetime as dt

import pytest

from fixtures.deliveries import tiny_delivery
from fixtures.registers import compute_raw

D = dt.date.fromisoformat


_delivery = tiny_delivery


@pytest.fixture(scope="module")
def obs(tmp_path_factory):
    # The numbers as computed; disclosure control (which hides these tiny cells) is tested in
    # test_disclosure*.py and tests/integration/test_protected_outputs.py.
    tmp = tmp_path_factory.mktemp("ind")
    return compute_raw(_delivery(tmp)).set_index(
        ["indicator_id", "area_code", "year", "origin_group", "sex"]
    )


def cell(obs, ind, area="000", year=2020, origin="all", sex="all"):
    r = obs.loc[(ind, area, year, origin, sex)]
    return r["numerator"], r["denominator"], r["value"]


@pytest.mark.parametrize(
    ("ind", "area", "origin", "sex", "num", "den"),
    [
        # 25-64: P01 P02 P05 P06 P12 (101), P10 (147), P09 (751); employed P01 P05 P09
        ("employment_rate_25_64", "000", "all", "all", 3, 7),
        ("employment_rate_25_64", "101", "all", "all", 2, 5),
        ("employment_rate_25_64", "147", "all", "all", 0, 1),
        ("employment_rate_25_64", "084", "all", "all", 2, 6),
        ("employment_rate_25_64", "082", "all", "all", 1, 1),
        ("employment_rate_25_64", "000", "all", "male", 3, 4),
        ("employment_rate_25_64", "000", "all", "female", 0, 3),
        ("employment_rate_25_64", "000", "non_western", "all", 1, 4),
        ("employment_rate_25_64", "000", "danish_origin", "all", 1, 2),
        ("employment_rate_25_64", "000", "menapt", "all", 1, 3),
        ("employment_rate_25_64", "000", "western", "all", 1, 1),
        ("employment_rate_25_64", "000", "immigrants", "all", 2, 5),
        # 16-64: 15 persons (all but P03 65 and P11 15); employed P01 P05 P07 P09
        ("employment_rate_16_64", "000", "all", "all", 4, 15),
        ("employment_rate_16_64", "000", "descendants", "all", 1, 4),
        # 20-24: P04 (gymnasial) P07 (vocational) P08 (basic only)
        ("youth_education_20_24", "000", "all", "all", 2, 3),
        ("youth_education_20_24", "000", "non_western", "all", 1, 1),
        ("youth_education_20_24", "000", "western", "all", 0, 1),
        # 25-39: P01 (no education row), P06 (arrived 12, KVU); P05 arrived 13, P12 arrived 20
        ("higher_education_25_39", "000", "all", "all", 1, 2),
        ("higher_education_25_39", "000", "immigrants_non_western", "all", 1, 1),
        # men 15-29: P01 P07 P11 P12 P13 P15 P17; convicted P11, P12 (twice, counted once);
        # P01 traffic only, P03 decided in 2019, P05 acquitted (and 30)
        ("convicted_share_men_15_29", "000", "all", "male", 2, 7),
        ("convicted_share_men_15_29", "000", "all", "all", 2, 7),
        # non-western men 15-29: P07 P12 P15 P17
        ("convicted_share_men_15_29", "000", "non_western", "all", 1, 4),
        ("convicted_share_15_79", "000", "all", "all", 2, 17),
        # written Danish & maths: P13 pass, P14 fail (maths 00), P16 pass (best of two marks);
        # P15 arrived aged 13, P17 no maths mark; P13's 10th-grade and 2019 marks ignored
        ("grade9_danish_math_2plus", "000", "all", "all", 2, 3),
        ("grade9_danish_math_2plus", "000", "non_western", "all", 1, 2),
        ("grade9_danish_math_2plus", "101", "all", "all", 1, 2),
        ("grade9_danish_math_2plus", "147", "all", "all", 1, 1),
        # oral Danish & spelling: P13 fail (spelling 00), P14 pass, P17 pass; P16 no marks
        ("grade9_oral_danish_2plus", "000", "all", "all", 2, 3),
        ("grade9_oral_danish_2plus", "000", "immigrants_non_western", "all", 1, 1),
        ("grade9_oral_danish_2plus", "000", "non_western", "all", 2, 2),
    ],
)
def test_rate_by_hand(obs, ind, area, origin, sex, num, den):
    n, d, v = cell(obs, ind, area, 2020, origin, sex)
    assert (n, d) == (num, den)
    assert v == pytest.approx(100 * num / den)


def test_public_support_full_time_shares(obs):
    # 16-64: 15 persons; P02 0.3 + P06 0.25 + P10 min(0.5 + 0.7, 1) = 1.55 (P03 is 65)
    n, d, v = cell(obs, "public_support_share")
    assert (n, d) == (pytest.approx(1.55), 15)
    assert v == pytest.approx(100 * 1.55 / 15)
    # non-western 16-64: P05 P06 P07 P10 P12 P14 P15 P16 P17 → 1.25 / 9; Danish origin 0.3 / 4
    n, d, _ = cell(obs, "public_support_share", origin="non_western")
    assert (n, d) == (pytest.approx(1.25), 9)
    _, _, gap = cell(obs, "public_support_gap", origin="non_western")
    assert gap == pytest.approx(100 * 1.25 / 9 - 100 * 0.3 / 4)  # focus minus reference


def test_employment_gap_is_reference_minus_focus(obs):
    # Danish origin 1/2 = 50 %, non-western 1/4 = 25 % → 25 pp
    _, _, gap = cell(obs, "employment_gap_25_64", origin="non_western")
    assert gap == pytest.approx(25.0)
    n, d, _ = cell(obs, "employment_gap_25_64", origin="non_western")
    assert n != n and d != d  # a gap has no numerator or denominator of its own (NaN)


def test_danish_test_by_start_cohort(obs):
    # cohort 2015, I-kursister: P10 passes on the 5-year day, P06 5 years and a day late,
    # P12 passes within a year; P09 is an S-kursist
    assert cell(obs, "danish_test_within_5y", year=2015)[:2] == (2, 3)
    assert cell(obs, "danish_test_within_5y", year=2015, origin="menapt")[:2] == (2, 2)
    # the 2020 cohort's window has not closed in data that ends in 2020
    assert not any(k[0] == "danish_test_within_5y" and k[2] == 2020 for k in obs.index)


def test_population_counts_and_years(obs):
    assert cell(obs, "population")[0] == 17
    assert cell(obs, "population", year=2015)[0] == 4
    assert cell(obs, "population", area="751")[0] == 1
    # counts are complete: a group with nobody is a real zero, not a missing row
    assert cell(obs, "population", area="751", origin="descendants_western")[0] == 0
    # employment needs akm2015, which this delivery lacks
    assert not any(k[0] == "employment_rate_25_64" and k[2] == 2015 for k in obs.index)
