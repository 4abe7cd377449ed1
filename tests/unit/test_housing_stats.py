"""Area statistics from a tiny hand-made register delivery (DOMAIN.md §3.2).

Six persons live in area A (Copenhagen, region 084); three live elsewhere. Every expected value
below is worked out by hand in the comments, not copied from the output.
"""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import pandas as pd
import pytest

from barometer.errors import InputError
from barometer.housing.stats import StatsParams, compute_area_stats

TURKEY, GERMANY, DENMARK = "5172", "5180", "5100"

# PNR, age, KOM, IE_TYPE, OPR_LAND, ADRESSE_ID
BEF = [
    ("P1", 25, "101", 2, TURKEY, "ad1"),  # non-western immigrant, student
    ("P2", 40, "101", 2, TURKEY, "ad1"),  # non-western immigrant, no education row
    ("P3", 50, "101", 1, DENMARK, "ad2"),  # Danish origin, education unknown (group 90)
    ("P4", 35, "101", 3, GERMANY, "ad2"),  # western descendant, higher education
    ("P5", 70, "101", 1, DENMARK, "ad2"),  # pensioner, convicted
    ("P6", 10, "101", 3, TURKEY, "ad1"),  # non-western descendant, child
    ("Q1", 45, "101", 1, DENMARK, "ad9"),  # outside the area, same region
    ("Q2", 30, "751", 1, DENMARK, "ad8"),  # other region (Aarhus, 082)
    ("Q3", 20, "101", 1, DENMARK, "ad9"),  # student, same region
]
AKM = [("P1", 310), ("P2", 330), ("P3", 120), ("P4", 120), ("P5", 322), ("Q1", 120),
       ("Q2", 120), ("Q3", 310)]  # fmt: skip
OF = [  # PNR, code, GRADAAR; 1211 kontanthjælp, 1111 dagpenge, 2111 sygedagpenge
    ("P1", "1211", 0.5),  # student: not counted as outside
    ("P2", "1111", 0.25),
    ("P2", "1211", 0.5),
    ("P3", "2111", 0.3),  # sygedagpenge: not counted by default (DOMAIN.md §3.2)
    ("P4", "1211", 0.8),
    ("P4", "1211", 0.6),  # 1.4 in all, capped at 1
]
UDDA = [("P1", "10"), ("P3", "0"), ("P4", "141"), ("Q1", "141")]  # P2: no row
IND = [("P1", 100_000.0), ("P2", 150_000.0), ("P3", 300_000.0), ("P4", 400_000.0),
       ("P5", 200_000.0), ("Q1", 500_000.0), ("Q2", 1_000_000.0), ("Q3", 50_000.0)]  # fmt: skip
KRAF = [  # PNR, date, offence code, decision type
    ("P3", dt.date(2020, 5, 1), "1234567", 1),
    ("P5", dt.date(2020, 11, 30), "1111111", 1),
    ("Q1", dt.date(2019, 6, 1), "1234567", 1),  # another year
    ("Q2", dt.date(2020, 6, 1), "2000000", 1),  # traffic act: not counted
    ("P2", dt.date(2020, 3, 1), "1234567", 61),  # acquittal: not counted
]
AREAS = [("ad1", "A", "Testparken", "101"), ("ad2", "A", "Testparken", "101"),
         ("ad7", "B", "Tomgården", "751")]  # fmt: skip


def write_registers(root: Path, fmt: str = "parquet", *, with_udda: bool = True) -> Path:
    def save(name: str, rows: list[tuple], cols: list[str]) -> None:
        df = pd.DataFrame(rows, columns=cols)
        if fmt == "parquet":
            df.to_parquet(root / f"{name}.parquet", index=False)
        else:
            df.to_csv(root / f"{name}.csv", index=False)

    save("bef202012", BEF, ["PNR", "ALDER", "KOM", "IE_TYPE", "OPR_LAND", "ADRESSE_ID"])
    save("akm2020", AKM, ["PNR", "SOCIO13"])
    save("of2020", OF, ["PNR", "PTI_TILSTAND_KODE", "GRADAAR"])
    if with_udda:
        save("udda202009", UDDA, ["PNR", "HFAUDD"])
    save("ind2020", IND, ["PNR", "PERINDKIALT_13"])
    save("kraf", KRAF, ["PNR", "AFG_AFGOEDTO", "AFG_GER7", "AFG_AFGTYP3"])
    save("boligomraader", AREAS, ["ADRESSE_ID", "area_id", "area_name", "KOM"])
    return root


@pytest.fixture(params=["parquet", "csv"])
def registers(tmp_path: Path, request: pytest.FixtureRequest) -> Path:
    return write_registers(tmp_path, request.param)


def area_a(stats: pd.DataFrame) -> pd.Series:
    return stats.set_index("area_id").loc["A"]


def test_statistics_match_hand_computation(registers: Path) -> None:
    stats = compute_area_stats(registers)
    a = area_a(stats)
    assert a["data_year"] == 2020
    assert a["municipality_code"] == "101"
    assert a["residents"] == 6  # P1-P6
    assert a["non_western_share"] == pytest.approx(3 / 6)  # P1, P2, P6 (P4 is western)
    # 18-64: P1, P2, P3, P4. FTE outside: P1 student 0, P2 0.25+0.5, P3 sygedagpenge 0,
    # P4 min(1.4, 1) = 1
    assert a["outside_labour_share_18_64"] == pytest.approx(1.75 / 4)
    # 18+: P1-P5; convicted in 2020 under the criminal code: P3, P5 (P2 was acquitted)
    assert a["convicted_share_18plus"] == pytest.approx(2 / 5)
    # Denmark 18+: P1-P5, Q1-Q3 = 8; convicted 2020 (code 1...): P3, P5 (Q1 2019, Q2 traffic)
    assert a["national_convicted_share_18plus"] == pytest.approx(2 / 8)
    # 30-59: P2 (no education row -> basic), P3 (group 90 unknown -> basic), P4 (KVU)
    assert a["basic_education_only_share_30_59"] == pytest.approx(2 / 3)
    # Income 15-64 excl. students: area P2, P3, P4 = 850,000 / 3; region 084 adds Q1 (P1, Q3
    # students, P5 and P6 out of age, Q2 lives in region 082): 1,350,000 / 4
    assert a["income_ratio_to_region"] == pytest.approx((850_000 / 3) / (1_350_000 / 4))


def test_empty_area_has_zero_residents_and_no_shares(registers: Path) -> None:
    b = compute_area_stats(registers).set_index("area_id").loc["B"]
    assert b["residents"] == 0
    assert pd.isna(b["non_western_share"])


def test_scale_divides_residents_only(tmp_path: Path) -> None:
    stats = compute_area_stats(write_registers(tmp_path), scale=0.1)
    a = area_a(stats)
    assert a["residents"] == pytest.approx(60)  # 6 persons in a 10 % sample
    assert a["non_western_share"] == pytest.approx(0.5)


def test_benefit_codes_parameter(tmp_path: Path) -> None:
    root = write_registers(tmp_path)
    only_dagpenge = StatsParams(outside_benefit_codes=("1111",))
    a = area_a(compute_area_stats(root, params=only_dagpenge))
    assert a["outside_labour_share_18_64"] == pytest.approx(0.25 / 4)  # P2's dagpenge only
    every_spell = StatsParams(outside_benefit_codes=None)
    a = area_a(compute_area_stats(root, params=every_spell))
    # P2 0.75, P3 0.3 (sygedagpenge now counted), P4 1: 2.05 / 4
    assert a["outside_labour_share_18_64"] == pytest.approx(2.05 / 4)


def test_acquittals_count_when_not_excluded(tmp_path: Path) -> None:
    params = StatsParams(non_guilty_decision_types=())
    a = area_a(compute_area_stats(write_registers(tmp_path), params=params))
    assert a["convicted_share_18plus"] == pytest.approx(3 / 5)  # P2, P3, P5
    assert a["national_convicted_share_18plus"] == pytest.approx(3 / 8)


def test_unknown_education_as_basic_can_be_switched_off(tmp_path: Path) -> None:
    params = StatsParams(unknown_education_as_basic=False)
    a = area_a(compute_area_stats(write_registers(tmp_path), params=params))
    assert a["basic_education_only_share_30_59"] == pytest.approx(0 / 3)


def test_missing_register_leaves_statistic_empty(tmp_path: Path) -> None:
    a = area_a(compute_area_stats(write_registers(tmp_path, with_udda=False)))
    assert pd.isna(a["basic_education_only_share_30_59"])
    assert a["outside_labour_share_18_64"] == pytest.approx(1.75 / 4)


def test_only_area_level_rows_come_out(registers: Path) -> None:
    stats = compute_area_stats(registers)
    assert "PNR" not in stats.columns
    assert sorted(stats["area_id"]) == ["A", "B"]


def test_missing_year_and_missing_area_file(tmp_path: Path) -> None:
    root = write_registers(tmp_path)
    with pytest.raises(InputError, match="bef201912"):
        compute_area_stats(root, years=[2019])
    (root / "boligomraader.parquet").unlink()
    with pytest.raises(InputError, match="boligomraader"):
        compute_area_stats(root)


@pytest.mark.parametrize(("scale", "listed"), [(0.006, True), (0.007, False)])
def test_registers_to_classification_uses_scaled_residents(
    tmp_path: Path, scale: float, listed: bool
) -> None:
    from barometer.housing import classify

    stats = compute_area_stats(write_registers(tmp_path), scale=scale)
    r = classify(stats, 2021).set_index("area_id").loc["A"]
    # 6 persons ÷ 0.006 = 1,000 residents (÷ 0.007 = 857). From the hand values above: K1
    # 0.4375 > 0.40 and K3 2/3 > 0.60 are met; K2 0.4 / 0.25 = 1.6 < 3 and K4 0.84 > 0.55 not;
    # the non-Western share 0.5 is not above 50 %. Prevention: K1 > 0.30 and K3 > 0.60 met,
    # non-Western 0.5 > 0.30.
    assert r["residents"] == pytest.approx(6 / scale)
    assert r["criteria_met"] == 2 and r["prevention_criteria_met"] == 2
    assert r["crime_value"] == pytest.approx(1.6)
    assert not r["window_complete"]  # one data year where two are averaged
    assert (r["udsat"], r["parallelsamfund"], r["forebyggelsesomraade"]) == (
        listed,
        False,
        listed,
    )
