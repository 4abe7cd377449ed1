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

from conftest import compute_raw, person, write_register

D = dt.date.fromisoformat


def _delivery(tmp_path):
    reg = tmp_path / "registers"
    p = [
        person("P01", "1995-01-01", "m", "101"),
        person("P02", "1956-02-02", "f", "101"),
        person("P03", "1955-05-05", "m", "101"),
        person("P04", "1996-07-07", "f", "147"),
        person("P05", "1990-06-15", "m", "101", 2, "5486", "2003-06-15"),
        person("P06", "1990-06-15", "f", "101", 2, "5488", "2003-06-14"),
        person("P07", "1998-03-03", "m", "147", 3, "5486"),
        person("P08", "1999-04-04", "f", "147", 3, "5180"),
        person("P09", "1980-01-01", "m", "751", 2, "5154", "2010-01-01"),
        person("P10", "1970-01-01", "f", "147", 2, "5436", "2014-05-01"),
        person("P11", "2005-01-01", "m", "101"),
        person("P12", "1991-01-01", "m", "101", 2, "5289", "2011-01-01"),
        person("P13", "2004-05-05", "m", "101"),
        person("P14", "2004-02-02", "f", "101", 2, "5488", "2009-03-03"),
        person("P15", "2004-01-01", "m", "147", 2, "5172", "2017-06-01"),
        person("P16", "2004-08-08", "f", "147", 3, "5436"),
        person("P17", "2004-09-09", "m", "147", 3, "5488"),
    ]
    write_register(reg, "bef202012", p)
    write_register(
        reg,
        "bef201512",
        [
            person("P06", "1990-06-15", "f", "101", 2, "5488", "2003-06-14", year=2015),
            person("P09", "1980-01-01", "m", "751", 2, "5154", "2010-01-01", year=2015),
            person("P10", "1970-01-01", "f", "147", 2, "5436", "2014-05-01", year=2015),
            person("P12", "1991-01-01", "m", "101", 2, "5289", "2011-01-01", year=2015),
        ],
    )
    akm = {
        "P01": 131,
        "P02": 210,
        "P03": 131,
        "P05": 132,
        "P06": 330,
        "P07": 131,
        "P09": 131,
        "P10": 210,
    }
    write_register(reg, "akm2020", [{"PNR": k, "SOCIO13": v} for k, v in akm.items()])
    udda = {"P04": "215", "P07": "300", "P08": "1", "P06": "141", "P05": "5001", "P02": "0"}
    write_register(reg, "udda202009", [{"PNR": k, "HFAUDD": v} for k, v in udda.items()])
    spells = [
        ("P02", "9999", 0.3),
        ("P06", "1111", 0.25),
        ("P10", "1111", 0.5),
        ("P10", "1111", 0.7),
        ("P03", "1111", 0.5),
    ]
    write_register(
        reg,
        "of2020",
        [
            {
                "PNR": k,
                "PTI_TILSTAND_KODE": c,
                "PTI_VFRA": D("2020-01-01"),
                "PTI_VTIL": D("2020-12-31"),
                "GRADAAR": g,
            }
            for k, c, g in spells
        ],
    )
    decisions = [
        ("P11", "2020-03-01", "1234000", 11),
        ("P12", "2020-02-01", "1100000", 21),
        ("P12", "2020-09-01", "1200000", 31),
        ("P01", "2020-05-05", "2100000", 31),
        ("P03", "2019-12-31", "1234000", 11),
        ("P05", "2020-07-07", "1234000", 61),
    ]
    write_register(
        reg,
        "kraf",
        [
            {"PNR": k, "AFG_AFGOEDTO": D(d), "AFG_GER7": g, "AFG_AFGTYP3": t}
            for k, d, g, t in decisions
        ],
    )
    W, M, OR, R = (
        ("Dansk", "Skriftlig fremstilling"),
        ("Matematik", "Matematisk problemløsning"),
        ("Dansk", "Mundtlig"),
        ("Dansk", "Retskrivning"),
    )
    marks = [
        ("P13", W, 4),
        ("P13", M, 2),
        ("P13", OR, 7),
        ("P13", R, 0),
        ("P14", W, 2),
        ("P14", M, 0),
        ("P14", OR, 4),
        ("P14", R, 2),
        ("P15", W, 7),
        ("P15", M, 7),
        ("P15", OR, 7),
        ("P15", R, 7),
        ("P16", W, 10),
        ("P16", W, -3),
        ("P16", M, 12),
        ("P17", W, 7),
        ("P17", M, None),
        ("P17", OR, 12),
        ("P17", R, 10),
    ]
    rows = [
        {
            "PNR": k,
            "SKOLEAAR": "2019/2020",
            "GRUNDSKOLEFAG": s,
            "FAGDISCIPLIN": d,
            "KLTRIN": 9,
            "GRUNDSKOLEKARAKTER": g,
        }
        for k, (s, d), g in marks
    ]
    rows.append(
        {
            "PNR": "P13",
            "SKOLEAAR": "2019/2020",
            "GRUNDSKOLEFAG": M[0],
            "FAGDISCIPLIN": M[1],
            "KLTRIN": 10,
            "GRUNDSKOLEKARAKTER": -3,
        }
    )
    rows.append(
        {
            "PNR": "P13",
            "SKOLEAAR": "2018/2019",
            "GRUNDSKOLEFAG": M[0],
            "FAGDISCIPLIN": M[1],
            "KLTRIN": 9,
            "GRUNDSKOLEKARAKTER": -3,
        }
    )
    write_register(reg, "udfk", rows)
    courses = [
        ("P10", "I", "2015-03-01", "PD2", "2020-03-01", 1),
        ("P06", "I", "2015-06-01", "PD2", "2017-01-01", 0),
        ("P06", "I", "2015-06-01", "PD3", "2020-06-02", 1),
        ("P12", "I", "2015-01-10", "PD1", "2016-01-01", 1),
        ("P09", "S", "2015-02-01", "PD3", "2016-01-01", 1),
    ]
    write_register(
        reg,
        "danskuddannelse",
        [
            {
                "PNR": k,
                "KURSISTTYPE": t,
                "STARTDATO": D(s),
                "PROEVE": p,
                "PROEVEDATO": D(d),
                "BESTAAET": b,
            }
            for k, t, s, p, d, b in courses
        ],
    )
    return reg


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
