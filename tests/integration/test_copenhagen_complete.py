"""Copenhagen's barometer complete (issue #16), on the session store (tests/conftest.py): the
survey goals and the national survey goals 4-6 are measured for København, every policy period
is listed and read on its own period, surveys publish only the areas they cover, and the
leisure-job indicator matches a count made by hand from the synthetic wage records.

Expectations come from the store's own rows read with SQL, or from the delivery's files read
with pandas, never from the code that made them."""

from __future__ import annotations

import json
import warnings
from pathlib import Path

import duckdb
import pandas as pd
import pytest

from barometer.publish.web import create_app

with warnings.catch_warnings():
    warnings.simplefilter("ignore")
    from fastapi.testclient import TestClient

SURVEY_GOALS = ("kk-pejl-3", "kk-pejl-4", "kk-biu-4", "national-4", "national-5", "national-6")
COPENHAGEN_SETS = {
    "copenhagen-2015-18",
    "copenhagen-agreement-2017-18",
    "copenhagen-2019-22",
    "copenhagen-current",
}


def sql(store: Path, query: str, params: list | None = None) -> pd.DataFrame:
    with duckdb.connect(str(store), read_only=True) as con:
        return con.execute(query, params or []).df()


@pytest.fixture(scope="module")
def goals_doc(session_store: Path) -> dict:
    with TestClient(create_app(session_store)) as client:
        response = client.get("/api/v1/goals?area=101")
    assert response.status_code == 200
    return response.json()


def has_data(store: Path, spec: dict, goal: dict, ind: dict, year: int) -> bool:
    """Whether the store has published figures for the indicator in the goal's base year and
    a later year the evaluation may read (at most ``year`` and the end of the set's period)."""
    base = ind.get("base_year") or goal.get("base_year") or spec["base_year"]
    until = min(year, spec["valid_to"]) if spec.get("valid_to") else year
    group = ind.get("origin_group") or goal.get("origin_group") or "non_western"
    years = sql(
        store,
        "SELECT DISTINCT year FROM observations WHERE indicator_id = ? AND area_code = '101' "
        "AND origin_group = ? AND sex = ? AND status = 'ok' AND preferred",
        [ind["indicator_id"], group, ind.get("sex", "all")],
    )["year"].tolist()
    return base in years and any(base < y <= until for y in years)


def test_survey_goals_have_a_status_for_copenhagen(session_store, goals_doc):
    rows = {g["goal_id"]: g for g in goals_doc["goals"]}
    for goal_id in SURVEY_GOALS:
        assert rows[goal_id]["movement"] != "no_data", (goal_id, rows[goal_id]["reasons"])
        assert rows[goal_id]["traffic_light"] in ("green", "yellow", "red")
    # The values behind national goal 5 are the national survey's Copenhagen cells.
    [detail] = [i for i in goals_doc["indicators"] if i["goal_id"] == "national-5"]
    assert detail["source"] == "survey:national_citizenship"
    stored = sql(
        session_store,
        "SELECT year, value FROM observations WHERE indicator_id = "
        "'national_experienced_discrimination' AND area_code = '101' AND origin_group = "
        "'non_western' AND sex = 'all' AND status = 'ok'",
    ).set_index("year")["value"]
    assert detail["base_year"] == 2012 and detail["latest_year"] == stored.index.max()
    assert detail["base_value"] == pytest.approx(stored[2012])
    assert detail["latest_value"] == pytest.approx(stored[stored.index.max()])


def test_every_goal_has_data_or_names_its_source(session_store, goals_doc):
    sets = {s["id"]: s for s in goals_doc["goal_sets"]}
    assert COPENHAGEN_SETS | {"national"} <= set(sets)
    specs = {
        r["goal_set"]: json.loads(r["spec"])
        for r in sql(session_store, "SELECT goal_set, spec FROM goal_sets").to_dict("records")
    }
    listed = {(g["goal_set"], g["goal_id"]) for g in goals_doc["goals"]}
    for set_id in ("copenhagen-2015-18", "copenhagen-agreement-2017-18", "copenhagen-2019-22"):
        assert {(set_id, g["id"]) for g in specs[set_id]["goals"]} <= listed
    assert sets["copenhagen-current"]["goals"] == [] and sets["copenhagen-current"]["pending"]
    year = goals_doc["year"]
    rows = {(g["goal_set"], g["goal_id"]): g for g in goals_doc["goals"]}
    for set_id, spec in specs.items():
        for goal in spec["goals"]:
            row = rows.get((set_id, goal["id"]))
            if row is None:
                continue
            drivers = [i for i in goal["indicators"] if i.get("drives_movement", True)]
            if goal["status"] == "no_data":
                assert row["movement"] == "no_data" and row["reasons"] == goal["status_reason"]
                continue
            if all(has_data(session_store, spec, goal, i, year) for i in drivers):
                assert row["movement"] != "no_data", (goal["id"], row["reasons"])
            elif row["movement"] == "no_data":
                assert "figures come from:" in row["reasons"], (goal["id"], row["reasons"])
    # Without the programme module's figures the agreement's company goal says where they
    # would come from (the session store has no programme input).
    company = rows[("copenhagen-agreement-2017-18", "kk-ia-virksomhed")]
    assert company["movement"] == "no_data"
    assert "figures come from: the refugee programme module" in company["reasons"]


def test_a_closed_policy_is_read_on_its_own_period(session_store):
    detail = sql(
        session_store,
        "SELECT goal_set, year, max(latest_year) latest FROM goal_indicator_status "
        "WHERE area_code = '101' GROUP BY ALL",
    )
    ends = {"copenhagen-2015-18": 2018, "copenhagen-agreement-2017-18": 2018}
    ends["copenhagen-2019-22"] = 2022
    starts = {"copenhagen-2015-18": 2015, "copenhagen-agreement-2017-18": 2017}
    starts["copenhagen-2019-22"] = 2019
    for set_id, end in ends.items():
        part = detail[detail["goal_set"] == set_id]
        assert part["year"].min() == starts[set_id]  # evaluated from the period's first year
        assert part["latest"].max() <= end
        assert part["year"].max() > end  # and still shown after it


def test_surveys_publish_only_the_areas_they_cover(session_store):
    areas = sql(
        session_store,
        "SELECT source, list(DISTINCT area_code ORDER BY area_code) areas FROM observations "
        "WHERE source LIKE 'survey:%' GROUP BY source",
    )
    got = {r["source"]: list(r["areas"]) for r in areas.to_dict("records")}
    assert got == {
        "survey:copenhagen_citizenship": ["101"],
        "survey:copenhagen_health": ["101"],
        "survey:copenhagen_safety": ["101"],
        "survey:national_citizenship": ["000", "101"],
    }
    districts = sql(session_store, "SELECT DISTINCT source, area_code FROM survey_districts")
    assert districts.values.tolist() == [["survey:copenhagen_safety", "101"]]


def test_leisure_jobs_by_hand_from_the_wage_records(session_store):
    reg = session_store.parent / "reg"
    year = 2018
    bef = pd.read_parquet(reg / f"bef{year}12.parquet", columns=["PNR", "ALDER", "KOM"])
    wages = pd.read_parquet(reg / f"eindk{year}.parquet")
    november = wages[wages["MAANED"] == 11].groupby("PNR")["LOENTIMER"].sum()
    working = set(november[november >= 1].index)  # at least one paid hour in November
    young = bef[bef["ALDER"].between(15, 17)]
    for area, people in (("000", young), ("101", young[young["KOM"] == "101"])):
        [row] = sql(
            session_store,
            "SELECT numerator, denominator, value, status FROM observations WHERE indicator_id "
            "= 'leisure_job_15_17' AND area_code = ? AND year = ? AND origin_group = 'all' "
            "AND sex = 'all' AND source = 'registers'",
            [area, year],
        ).to_dict("records")
        assert row["status"] == "ok"
        assert row["denominator"] == len(people)
        assert row["numerator"] == people["PNR"].isin(working).sum()
        assert row["value"] == pytest.approx(100 * row["numerator"] / row["denominator"])
    # A November fee without hours does not count.
    fees = set(wages[(wages["MAANED"] == 11) & (wages["LOENTIMER"] == 0)]["PNR"]) - working
    assert fees and not fees & working
