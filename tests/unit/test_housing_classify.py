"""Hand-made cases for the housing-law criteria (DOMAIN.md §3.1-3.6).

Defaults describe an area that meets nothing; each test overrides only what it is about. With
the default parameters list year Y reads residents and the non-Western share from data year Y-1
and averages K1/K2 over data years Y-2 and Y-1.
"""

from __future__ import annotations

import itertools
from pathlib import Path

import pandas as pd
import pytest

from barometer.catalogue import load_catalogue
from barometer.codes import load_municipalities
from barometer.errors import InputError
from barometer.housing import (
    HousingParams,
    classify,
    classify_detailed,
    find_rule_set,
    list_counts,
    load_rule_sets,
    write_table,
)

CLEAN = {
    "residents": 2000.0,
    "non_western_share": 0.10,
    "outside_labour_share_18_64": 0.10,
    "convicted_share_18plus": 0.001,
    "national_convicted_share_18plus": 0.01,
    "basic_education_only_share_30_59": 0.20,
    "income_ratio_to_region": 0.90,
}
# Meets every criterion of every rule set (2013: > 2.7 % convicted; 2018-: 3.5 x national).
LISTED = {
    "non_western_share": 0.60,
    "outside_labour_share_18_64": 0.45,
    "convicted_share_18plus": 0.035,
    "basic_education_only_share_30_59": 0.65,
    "income_ratio_to_region": 0.50,
}


def stats(areas: dict[str, dict[int, dict[str, float]]], municipality: str = "101") -> pd.DataFrame:
    """Area statistics from {area_id: {data_year: overrides of CLEAN}}."""
    rows = [
        {
            "area_id": area_id,
            "area_name": f"Area {area_id}",
            "municipality_code": municipality,
            "data_year": year,
            **CLEAN,
            **values,
        }
        for area_id, years in areas.items()
        for year, values in years.items()
    ]
    return pd.DataFrame(rows)


def one(values: dict[str, float], years: tuple[int, ...] = (2019, 2020)) -> pd.DataFrame:
    """One area 'A' with the same values in every data year (list year 2021 by default)."""
    return stats({"A": dict.fromkeys(years, values)})


def row(df: pd.DataFrame, area: str = "A", year: int | None = None) -> pd.Series:
    sel = df[df["area_id"] == area]
    if year is not None:
        sel = sel[sel["list_year"] == year]
    assert len(sel) == 1
    return sel.iloc[0]


# --- every threshold at, just below and just above its value (list year 2021) -------------


@pytest.mark.parametrize(
    ("slot", "column", "at", "below", "above", "met_at", "met_below", "met_above"),
    [
        # K1 > 40 %
        ("employment", "outside_labour_share_18_64", 0.40, 0.399, 0.401, False, False, True),
        # K3 > 60 %
        ("education", "basic_education_only_share_30_59", 0.60, 0.599, 0.601, False, False, True),
        # K4 < 55 %
        ("income", "income_ratio_to_region", 0.55, 0.549, 0.551, False, True, False),
        # parallelsamfund gate > 50 %
        ("non_western", "non_western_share", 0.50, 0.499, 0.501, False, False, True),
    ],
)
def test_share_thresholds(
    slot: str,
    column: str,
    at: float,
    below: float,
    above: float,
    met_at: bool,
    met_below: bool,
    met_above: bool,
) -> None:
    for value, expected in ((at, met_at), (below, met_below), (above, met_above)):
        r = row(classify(one({column: value}), 2021))
        assert r[f"{slot}_met"] == expected, (slot, value)
        assert r[f"{slot}_value"] == pytest.approx(value)


@pytest.mark.parametrize(
    ("share", "expected"),
    [(0.03, True), (0.0299, False), (0.0301, True)],  # K2 >= 3 x national average (0.01)
)
def test_crime_threshold_is_inclusive(share: float, expected: bool) -> None:
    r = row(classify(one({"convicted_share_18plus": share}), 2021))
    assert r["crime_met"] == expected
    assert r["crime_threshold"] == 3.0
    assert r["crime_value"] == pytest.approx(share / 0.01)


def test_two_year_average_exactly_at_threshold_is_not_met() -> None:
    # (0.41 + 0.39) / 2 = 0.40 in decimal, 0.39999999999999997 in binary: K1 needs > 40 %.
    df = stats({"A": {2019: {"outside_labour_share_18_64": 0.41},
                      2020: {"outside_labour_share_18_64": 0.39}}})  # fmt: skip
    r = row(classify(df, 2021))
    assert r["employment_value"] == pytest.approx(0.40)
    assert not r["employment_met"]
    crit = classify_detailed(df, 2021).criteria
    k1 = crit[crit["criterion"] == "employment"].iloc[0]
    assert k1["data_years"] == "2019,2020"


def test_crime_average_is_ratio_of_two_year_means() -> None:
    # Area (0.02 + 0.04) / 2 = 0.03; national (0.005 + 0.015) / 2 = 0.01: exactly 3 x, met.
    df = stats({"A": {2019: {"convicted_share_18plus": 0.02,
                             "national_convicted_share_18plus": 0.005},
                      2020: {"convicted_share_18plus": 0.04,
                             "national_convicted_share_18plus": 0.015}}})  # fmt: skip
    r = row(classify(df, 2021))
    assert r["crime_value"] == pytest.approx(3.0)
    assert r["crime_met"]


@pytest.mark.parametrize(
    ("criterion", "column", "at", "below", "above", "met"),
    [
        ("employment_prevention", "outside_labour_share_18_64", 0.30, 0.299, 0.301, (0, 0, 1)),
        ("crime_prevention", "convicted_share_18plus", 0.02, 0.0199, 0.0201, (1, 0, 1)),
        ("education_prevention", "basic_education_only_share_30_59", 0.60, 0.599, 0.601,
         (0, 0, 1)),
        ("income_prevention", "income_ratio_to_region", 0.65, 0.649, 0.651, (0, 1, 0)),
        ("non_western_prevention", "non_western_share", 0.30, 0.299, 0.301, (0, 0, 1)),
    ],
)  # fmt: skip
def test_prevention_thresholds(
    criterion: str, column: str, at: float, below: float, above: float, met: tuple[int, ...]
) -> None:
    for value, expected in zip((at, below, above), met, strict=True):
        crit = classify_detailed(one({column: value}), 2021).criteria
        c = crit[crit["criterion"] == criterion].iloc[0]
        assert bool(c["met"]) == bool(expected), (criterion, value)


# --- residents minimum, 2 of 4, non-Western shares ---------------------------------------


@pytest.mark.parametrize(("residents", "ok"), [(1000, True), (999, False), (1001, True)])
def test_residents_minimum(residents: float, ok: bool) -> None:
    r = row(classify(one({**LISTED, "residents": residents}), 2021))
    assert r["residents_ok"] == ok
    assert r["criteria_met"] == 4  # the criteria are reported even when residents are too few
    assert r["udsat"] == ok
    assert r["parallelsamfund"] == ok
    assert r["forebyggelsesomraade"] == ok


def test_two_of_four_criteria() -> None:
    one_met = {"outside_labour_share_18_64": 0.45, "non_western_share": 0.60}
    r = row(classify(one(one_met), 2021))
    assert (r["criteria_met"], r["udsat"], r["parallelsamfund"]) == (1, False, False)
    two_met = {**one_met, "income_ratio_to_region": 0.50}
    r = row(classify(one(two_met), 2021))
    assert (r["criteria_met"], r["udsat"], r["parallelsamfund"]) == (2, True, True)
    assert r["categories_da"] == "udsat boligområde; parallelsamfund; forebyggelsesområde"


@pytest.mark.parametrize(("share", "parallel"), [(0.50, False), (0.51, True)])
def test_non_western_50_for_parallelsamfund(share: float, parallel: bool) -> None:
    values = {"outside_labour_share_18_64": 0.45, "income_ratio_to_region": 0.50}
    r = row(classify(one({**values, "non_western_share": share}), 2021))
    assert r["udsat"]
    assert r["parallelsamfund"] == parallel


@pytest.mark.parametrize(("share", "prevention"), [(0.30, False), (0.31, True)])
def test_non_western_30_for_forebyggelsesomraade(share: float, prevention: bool) -> None:
    # K1 35 % (> 30 %, not > 40 %) and income 60 % (< 65 %, not < 55 %): prevention only.
    values = {"outside_labour_share_18_64": 0.35, "income_ratio_to_region": 0.60}
    r = row(classify(one({**values, "non_western_share": share}), 2021))
    assert r["criteria_met"] == 0
    assert r["prevention_criteria_met"] == 2
    assert not r["udsat"]
    assert r["forebyggelsesomraade"] == prevention


# --- earlier rule sets ---------------------------------------------------------------------


def test_2013_needs_three_of_five_including_non_western() -> None:
    # 2013: > 50 % basic schooling (not 60 %), > 2.7 % convicted as a share.
    two = {"non_western_share": 0.60, "basic_education_only_share_30_59": 0.55}
    r = row(classify(one(two, (2014, 2015)), 2016))
    assert r["rule_set"] == "2013"
    assert (r["criteria_met"], r["parallelsamfund"]) == (2, False)
    assert pd.isna(r["udsat"]) and pd.isna(r["forebyggelsesomraade"])
    three = {**two, "convicted_share_18plus": 0.028}
    r = row(classify(one(three, (2014, 2015)), 2016))
    assert (r["criteria_met"], r["parallelsamfund"]) == (3, True)
    assert r["categories_da"] == "ghettoområde"
    at = {**two, "convicted_share_18plus": 0.027}  # exactly 2.7 %: "overstiger" is strict
    assert not row(classify(one(at, (2014, 2015)), 2016))["crime_met"]


def test_2010_averages_four_years_two_of_three() -> None:
    years = {2008: 0.50, 2009: 0.50, 2010: 0.50, 2011: 0.30}  # mean 0.45
    df = stats({"A": {y: {"outside_labour_share_18_64": v, "non_western_share": 0.6}
                      for y, v in years.items()}})  # fmt: skip
    result = classify_detailed(df, 2012)
    r = row(result.areas)
    assert r["rule_set"] == "2010"
    assert r["employment_value"] == pytest.approx(0.45)
    assert (r["criteria_met"], r["parallelsamfund"]) == (2, True)
    assert pd.isna(r["education_met"])  # 2010 had no education criterion
    k1 = result.criteria.query("criterion == 'employment'").iloc[0]
    assert k1["data_years"] == "2008,2009,2010,2011"


# --- consecutive years across the 2018 rule change (DOMAIN.md §3.4) ------------------------


def run_areas() -> pd.DataFrame:
    """X on the list 2016-2020, Y on the list 2017-2020 (data years 2013-2019)."""
    x = {y: (LISTED if y >= 2015 else {}) for y in range(2013, 2020)}
    y_ = {y: (LISTED if y >= 2016 else {}) for y in range(2013, 2020)}
    return stats({"X": x, "Y": y_})


def test_list_2016_to_2020_makes_hard_ghetto_in_2020() -> None:
    out = classify(run_areas(), 2020, from_year=2015)
    on_list = out[out["parallelsamfund"]].groupby("area_id")["list_year"].apply(list)
    assert on_list["X"] == [2016, 2017, 2018, 2019, 2020]
    assert on_list["Y"] == [2017, 2018, 2019, 2020]
    assert row(out, "X", 2016)["rule_set"] == "2013"  # old criteria count toward the run
    x20, y20 = row(out, "X", 2020), row(out, "Y", 2020)
    assert x20["omdannelsesomraade"] and x20["consecutive_run"] == 5
    assert not y20["omdannelsesomraade"] and y20["consecutive_run"] == 4
    assert not row(out, "X", 2019)["omdannelsesomraade"]
    assert x20["categories_da"] == "udsat boligområde; ghettoområde; hårdt ghettoområde"
    assert x20["categories_en"] == "vulnerable housing area; ghetto area; hard ghetto area"


def test_consecutive_years_is_a_parameter() -> None:
    params = HousingParams(consecutive_years={2020: 4})
    assert row(classify(run_areas(), 2020, params=params), "Y")["omdannelsesomraade"]


def test_history_supplies_published_earlier_lists() -> None:
    history = pd.DataFrame({"area_id": ["Y"], "list_year": [2016], "parallelsamfund": [True]})
    assert row(classify(run_areas(), 2020, history=history), "Y")["omdannelsesomraade"]


def test_n_per_list_year_from_rules() -> None:
    cat = find_rule_set(2019).categories["omdannelsesomraade"].consecutive
    assert (cat.years, cat.confirmed) == (5, True)
    assert find_rule_set(2024).categories["omdannelsesomraade"].consecutive.confirmed is False


def test_dropping_below_1000_residents_leaves_the_lists() -> None:
    # DOMAIN.md §3.6: Mjølnerparken left in 2023 with 966 residents (re-housing).
    years = {y: dict(LISTED) for y in range(2015, 2024)}
    years[2022] = {**LISTED, "residents": 966}
    out = classify(stats({"M": years}), 2024, from_year=2022)
    r22, r23, r24 = (row(out, "M", y) for y in (2022, 2023, 2024))
    assert r22["omdannelsesomraade"]
    assert r23["residents"] == 966 and not r23["residents_ok"]
    assert r23["criteria_met"] == 4
    assert not (r23["udsat"] or r23["parallelsamfund"] or r23["omdannelsesomraade"])
    assert r24["parallelsamfund"] and not r24["omdannelsesomraade"]  # the run starts again
    assert r24["consecutive_run"] == 1


# --- interface ---------------------------------------------------------------------------


def test_from_year_gives_every_list_year() -> None:
    out = classify(run_areas(), 2020, from_year=2018)
    assert sorted(out["list_year"].unique()) == [2018, 2019, 2020]
    assert set(out["rule_set"]) == {"2018"}


def test_missing_data_year_and_year_before_lists() -> None:
    with pytest.raises(InputError, match="list year 2023 needs data year 2022"):
        classify(one({}), 2023)
    with pytest.raises(ValueError, match="no housing-law rule set"):
        classify(one({}, (2007, 2008)), 2009)


# The catalogue's housing-count definitions: list column → indicator id.
LISTS = {i.list: i.id for i in load_catalogue().values() if i.kind == "housing_count"}


def test_list_counts_has_every_municipality() -> None:
    df = pd.concat(
        [
            stats({"A": {2019: LISTED, 2020: LISTED}}, "101"),
            stats({"B": {2019: LISTED, 2020: LISTED}}, "101"),
            stats({"C": {2019: {}, 2020: {}}}, "751"),
        ]
    )
    counts = list_counts(classify(df, 2021), LISTS)
    n_kom = len(load_municipalities())
    assert len(counts) == 4 * (n_kom + 1)
    get = counts.set_index(["indicator_id", "area_code"])["value"]
    assert get["housing_parallelsamfund", "101"] == 2
    assert get["housing_parallelsamfund", "000"] == 2
    assert get["housing_parallelsamfund", "751"] == 0
    assert get["housing_omdannelsesomraader", "101"] == 0  # 2 years of data: no run
    assert set(counts["unit"]) == {"count"} and set(counts["status"]) == {"ok"}
    assert counts["denominator"].isna().all()
    assert (counts["numerator"] == counts["value"]).all()


def test_list_counts_skip_categories_a_year_did_not_have() -> None:
    counts = list_counts(classify(run_areas(), 2017), LISTS)
    assert set(counts["indicator_id"]) == {"housing_parallelsamfund"}
    assert counts.set_index("area_code").loc["000", "value"] == 2


def test_csv_booleans_are_true_false(tmp_path: Path) -> None:
    path = write_table(classify(one(LISTED), 2021), tmp_path / "out.csv")
    text = path.read_text(encoding="utf-8")
    header, first = text.splitlines()[:2]
    cols = dict(zip(header.split(","), first.split(","), strict=True))
    assert cols["udsat"] == "true" and cols["omdannelsesomraade"] == "false"
    for col in ("area_id", "list_year", "residents", "criteria_met", "rule_set"):
        assert col in cols


def test_rule_sets_cover_every_year_from_2010_and_cite_sources() -> None:
    sets = load_rule_sets()
    assert [s.id for s in sets] == ["2010", "2013", "2018", "2021"]
    for earlier, later in itertools.pairwise(sets):
        assert earlier.valid_to + 1 == later.valid_from
    assert sets[-1].valid_to is None
    assert all(s.sources and s.min_residents == 1000 for s in sets)
