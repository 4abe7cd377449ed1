"""Early warning: distance to each threshold and the effect of moving one criterion."""

from __future__ import annotations

import pandas as pd
import pytest

from barometer.housing.warning import early_warning, shift_value

CLEAN = {
    "residents": 2000.0,
    "non_western_share": 0.10,
    "outside_labour_share_18_64": 0.10,
    "convicted_share_18plus": 0.001,
    "national_convicted_share_18plus": 0.01,
    "basic_education_only_share_30_59": 0.20,
    "income_ratio_to_region": 0.90,
}
LISTED = {
    "non_western_share": 0.60,
    "outside_labour_share_18_64": 0.45,
    "convicted_share_18plus": 0.035,
    "basic_education_only_share_30_59": 0.65,
    "income_ratio_to_region": 0.50,
}


def stats(areas: dict[str, dict[int, dict[str, float]]]) -> pd.DataFrame:
    """Area statistics from {area_id: {data_year: overrides of CLEAN}} (municipality 101)."""
    return pd.DataFrame([
        {"area_id": a, "area_name": a, "municipality_code": "101", "data_year": y, **CLEAN, **v}
        for a, years in areas.items()
        for y, v in years.items()
    ])  # fmt: skip


def areas() -> pd.DataFrame:
    near = {"non_western_share": 0.60, "outside_labour_share_18_64": 0.39,
            "income_ratio_to_region": 0.50}  # fmt: skip
    income_edge = {"non_western_share": 0.60, "outside_labour_share_18_64": 0.45,
                   "income_ratio_to_region": 0.54}  # fmt: skip
    small = {**LISTED, "residents": 1020.0}
    return stats({
        "W": {2019: near, 2020: near},
        "V": {2019: income_edge, 2020: income_edge},
        "L": {2019: small, 2020: small},
    })  # fmt: skip


def get(df: pd.DataFrame, area: str, criterion: str) -> pd.Series:
    return df[(df["area_id"] == area) & (df["criterion"] == criterion)].iloc[0]


def test_unmet_criterion_near_threshold_would_enter() -> None:
    out = early_warning(areas(), 2021, 0.05)
    w = get(out, "W", "employment")
    assert w["distance"] == pytest.approx(-0.01)  # 0.39 - 0.40
    assert w["moved_value"] == pytest.approx(0.41)  # + 5 % of 0.40
    assert not w["met"] and w["met_if_moved"]
    assert w["would_enter"] == "udsat; parallelsamfund"
    assert w["would_leave"] == ""
    # Income 0.50 moves away from meeting by 0.0275 to 0.5275: still < 0.55, nothing changes.
    inc = get(out, "W", "income")
    assert inc["met_if_moved"] and inc["would_leave"] == ""


def test_met_criterion_near_threshold_would_leave() -> None:
    v = get(early_warning(areas(), 2021, 0.05), "V", "income")
    assert v["distance"] == pytest.approx(-0.01)  # 0.54 - 0.55: met, since "<"
    assert v["moved_value"] == pytest.approx(0.5675)
    assert v["would_leave"] == "udsat; parallelsamfund"


def test_residents_near_minimum_would_leave_every_list() -> None:
    r = get(early_warning(areas(), 2021, 0.05), "L", "residents")
    assert r["distance"] == 20  # 1,020 residents against the 1,000 minimum
    assert r["moved_value"] == 970
    assert r["would_leave"] == "udsat; parallelsamfund; forebyggelsesomraade"


def test_zero_margin_changes_nothing() -> None:
    out = early_warning(areas(), 2021, 0.0)
    assert (out["would_enter"] == "").all() and (out["would_leave"] == "").all()
    with pytest.raises(ValueError, match="non-negative"):
        early_warning(areas(), 2021, -0.1)


def test_shift_direction() -> None:
    assert shift_value(0.39, ">", 0.40, False, 0.05) == pytest.approx(0.41)
    assert shift_value(0.45, ">", 0.40, True, 0.05) == pytest.approx(0.43)
    assert shift_value(0.60, "<", 0.55, False, 0.1) == pytest.approx(0.545)
    assert shift_value(3.2, ">=", 3.0, True, 0.1) == pytest.approx(2.9)
