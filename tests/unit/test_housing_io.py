"""Reading area statistics: the sample file, and bad input giving a clear error."""

from __future__ import annotations

from pathlib import Path

import pandas as pd
import pytest

from barometer.errors import InputError
from barometer.housing import classify, read_area_stats

SAMPLE = Path(__file__).parents[1] / "data" / "housing" / "area_stats_sample.csv"


@pytest.fixture
def sample() -> pd.DataFrame:
    return pd.read_csv(SAMPLE, dtype={"area_id": str, "municipality_code": str})


def write(df: pd.DataFrame, tmp_path: Path, name: str = "areas.csv") -> Path:
    path = tmp_path / name
    if name.endswith(".parquet"):
        df.to_parquet(path, index=False)
    else:
        df.to_csv(path, index=False)
    return path


def test_sample_classifies_as_worked_out_by_hand() -> None:
    # tests/data/housing/README.md gives the hand computation.
    out = classify(read_area_stats(SAMPLE), 2023).set_index("area_id")
    t1, t2, t3 = out.loc["T01"], out.loc["T02"], out.loc["T03"]
    assert t1["employment_value"] == pytest.approx(0.43)
    assert t1["crime_value"] == pytest.approx(0.0235 / 0.00735)
    assert (t1["criteria_met"], t1["udsat"], t1["parallelsamfund"]) == (3, True, True)
    assert t1["forebyggelsesomraade"]
    assert (t2["criteria_met"], t2["prevention_criteria_met"]) == (0, 2)
    assert not t2["udsat"] and t2["forebyggelsesomraade"]
    assert t3["residents"] == 980 and not t3["residents_ok"]
    assert not (t3["udsat"] or t3["forebyggelsesomraade"])


def test_parquet_reads_the_same(sample: pd.DataFrame, tmp_path: Path) -> None:
    pd.testing.assert_frame_equal(
        read_area_stats(write(sample, tmp_path, "a.parquet")), read_area_stats(SAMPLE)
    )


def test_numeric_municipality_code_becomes_text(sample: pd.DataFrame, tmp_path: Path) -> None:
    sample["municipality_code"] = sample["municipality_code"].astype(float)  # 101.0 in Parquet
    df = read_area_stats(write(sample, tmp_path, "a.parquet"))
    assert list(df["municipality_code"].unique()) == ["101", "751", "461"]


def test_missing_column(sample: pd.DataFrame, tmp_path: Path) -> None:
    path = write(sample.drop(columns="income_ratio_to_region"), tmp_path)
    with pytest.raises(InputError) as err:
        read_area_stats(path)
    msg = str(err.value)
    assert str(path) in msg and "income_ratio_to_region" in msg and "missing column" in msg


def test_share_above_one(sample: pd.DataFrame, tmp_path: Path) -> None:
    sample.loc[3, "non_western_share"] = 39.0  # percent instead of a fraction
    path = write(sample, tmp_path)
    with pytest.raises(InputError) as err:
        read_area_stats(path)
    msg = str(err.value)
    assert str(path) in msg
    assert "column non_western_share" in msg and "row 4" in msg and "share above 1" in msg


def test_share_below_zero(sample: pd.DataFrame, tmp_path: Path) -> None:
    sample.loc[0, "basic_education_only_share_30_59"] = -0.1
    with pytest.raises(InputError, match=r"basic_education_only_share_30_59: row 1: negative"):
        read_area_stats(write(sample, tmp_path))


def test_negative_residents(sample: pd.DataFrame, tmp_path: Path) -> None:
    sample.loc[5, "residents"] = -980
    with pytest.raises(InputError, match=r"column residents: row 6: negative value"):
        read_area_stats(write(sample, tmp_path))


def test_duplicate_area_year(sample: pd.DataFrame, tmp_path: Path) -> None:
    dup = pd.concat([sample, sample.iloc[[2]]], ignore_index=True)
    with pytest.raises(InputError) as err:
        read_area_stats(write(dup, tmp_path))
    msg = str(err.value)
    assert "duplicate area-year (area T02, data year 2021)" in msg and "rows 3, 7" in msg


def test_unknown_municipality(sample: pd.DataFrame, tmp_path: Path) -> None:
    sample.loc[1, "municipality_code"] = "999"
    with pytest.raises(InputError, match=r"municipality_code: row 2: unknown municipality"):
        read_area_stats(write(sample, tmp_path))


def test_not_a_number(sample: pd.DataFrame, tmp_path: Path) -> None:
    sample["residents"] = sample["residents"].astype(object)
    sample.loc[0, "residents"] = "mange"
    with pytest.raises(InputError, match=r"column residents: row 1: not a number"):
        read_area_stats(write(sample, tmp_path))


def test_empty_criterion_value_is_allowed_and_not_met(sample: pd.DataFrame, tmp_path: Path) -> None:
    sample.loc[sample["area_id"] == "T01", "income_ratio_to_region"] = None
    out = classify(read_area_stats(write(sample, tmp_path)), 2023).set_index("area_id")
    assert pd.isna(out.loc["T01", "income_value"]) and not out.loc["T01", "income_met"]
    assert out.loc["T01", "criteria_met"] == 2


def test_missing_file_and_wrong_suffix(tmp_path: Path) -> None:
    with pytest.raises(InputError, match="file not found"):
        read_area_stats(tmp_path / "none.csv")
    (tmp_path / "a.xlsx").write_text("x", encoding="utf-8")
    with pytest.raises(InputError, match=r"\.csv or \.parquet"):
        read_area_stats(tmp_path / "a.xlsx")
