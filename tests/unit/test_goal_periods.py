"""Goal sets for every policy period: a set is evaluated from the first year of its period and,
once the period has ended, judged on its own figures; a place for a policy whose goals are not
yet known; unconfirmed parts; a goal without data names where its figures come from."""

from __future__ import annotations

import pandas as pd
import pytest

from barometer.catalogue import load_catalogue, load_goal_sets
from barometer.catalogue.goals import GoalCatalogueError
from barometer.goals import Definitions, evaluate_years

PERIOD = """
id: period
title: {da: Politik 2015-18, en: Policy 2015-18}
owner: Testkommune
base_year: 2014
valid_from: 2015
valid_to: 2018
goals:
  - id: p-job
    title: {da: Flere i job, en: More in work}
    owner: Testudvalget
    unconfirmed: [title, target]
    indicators:
      - indicator_id: employment_rate_16_64
        polarity: higher_is_better
"""


def write(tmp_path, text: str, name: str = "g.yaml"):
    path = tmp_path / name
    path.write_text(text, encoding="utf-8")
    return path


def obs(values: dict[int, tuple[int, int]], indicator: str = "employment_rate_16_64"):
    rows = [
        {
            "indicator_id": indicator,
            "area_code": "101",
            "year": y,
            "origin_group": "non_western",
            "sex": "all",
            "value": 100 * x / n,
            "numerator": float(x),
            "denominator": float(n),
            "unit": "pct",
            "status": "ok",
        }
        for y, (x, n) in values.items()
    ]
    return pd.DataFrame(rows)


def test_a_set_is_judged_on_its_own_period(tmp_path):
    sets = load_goal_sets([write(tmp_path, PERIOD)])
    # 2014 base 50 %, 2018 55 %, 2022 40 %: the policy ended in 2018.
    data = obs({2014: (500, 1000), 2018: (550, 1000), 2022: (400, 1000)})
    goals, detail = evaluate_years(
        data,
        sets,
        [2013, 2014, 2016, 2018, 2022],
        definitions=Definitions.from_catalogue(load_catalogue()),
    )
    # Not evaluated before the period begins (2013, 2014); 2016 has no figure after the base.
    assert sorted(goals["year"].astype(int)) == [2016, 2018, 2022]
    by_year = detail.set_index(detail["year"].astype(int))
    assert pd.isna(by_year.loc[2016, "latest_year"])
    assert "up to 2016" not in by_year.loc[2016, "reasons"]
    # 2022 reads the figures up to the end of the period: 50 % → 55 %, not 50 % → 40 %.
    assert int(by_year.loc[2022, "latest_year"]) == 2018
    assert by_year.loc[2022, "latest_value"] == pytest.approx(55.0)
    assert by_year.loc[2022, "direction"] == by_year.loc[2018, "direction"] == "positive"
    assert "policy period 2015-2018: figures up to 2018" in by_year.loc[2022, "reasons"]
    assert "policy period" not in by_year.loc[2018, "reasons"]


def test_a_goal_without_data_names_where_its_figures_come_from(tmp_path):
    sets = load_goal_sets([write(tmp_path, PERIOD)])
    data = obs({2014: (30, 60)}, "employment_rate_25_64")  # another indicator only
    goals, _ = evaluate_years(
        data, sets, [2018], definitions=Definitions.from_catalogue(load_catalogue())
    )
    [row] = goals.to_dict("records")
    assert row["movement"] == "no_data"
    # The catalogue's sources of employment_rate_16_64 (BEF, AKM), in the goal's reasons.
    sources = ", ".join(load_catalogue()["employment_rate_16_64"].sources)
    assert f"figures come from: {sources}" in row["reasons"]


def test_a_withheld_figure_is_told_apart_from_a_missing_one(tmp_path):
    sets = load_goal_sets([write(tmp_path, PERIOD)])
    data = obs({2014: (3, 40), 2017: (30, 60)})
    data.loc[data["year"] == 2014, ["status", "value", "numerator", "denominator"]] = (
        "suppressed_primary",
        None,
        None,
        None,
    )
    _, detail = evaluate_years(data, sets, [2018])
    [row] = detail.to_dict("records")
    assert row["direction"] == "no_data"
    assert "base year 2014 withheld by disclosure control" in row["reasons"]
    _, detail = evaluate_years(obs({2017: (30, 60)}), sets, [2018])
    assert "no value for base year 2014" in detail.iloc[0]["reasons"]


@pytest.mark.parametrize(
    ("change", "message"),
    [
        (("valid_to: 2018", "valid_to: 2014"), "valid_from 2015 is after valid_to 2014"),
        (("unconfirmed: [title, target]", "unconfirmed: [wording]"), "unconfirmed"),
        (("base_year: 2014\n", ""), "base_year is required"),
    ],
)
def test_invalid_periods_and_marks_are_rejected(tmp_path, change, message):
    with pytest.raises(GoalCatalogueError, match=message):
        load_goal_sets([write(tmp_path, PERIOD.replace(*change))])


def test_a_pending_set_has_no_goals_and_says_why(tmp_path):
    pending = (
        "id: new\ntitle: {da: Ny politik, en: New policy}\nowner: Byrådet\nvalid_from: 2024\n"
        "pending: The goals are not yet adopted.\n"
    )
    [goal_set] = load_goal_sets([write(tmp_path, pending)])
    assert goal_set.goals == [] and goal_set.base_year is None
    goals, detail = evaluate_years(obs({2024: (1, 2)}), [goal_set], [2024])
    assert goals.empty and detail.empty
    with pytest.raises(GoalCatalogueError, match="needs goals"):
        no_reason = pending.replace("pending: The goals are not yet adopted.\n", "")
        load_goal_sets([write(tmp_path, no_reason, "b.yaml")])


def test_copenhagens_policy_periods_are_shipped():
    sets = {s.id: s for s in load_goal_sets()}
    periods = {k: (s.valid_from, s.valid_to) for k, s in sets.items() if k != "national"}
    assert periods == {
        "copenhagen-2015-18": (2015, 2018),
        "copenhagen-agreement-2017-18": (2017, 2018),
        "copenhagen-2019-22": (2019, 2022),
        "copenhagen-current": (2024, None),
    }
    old = sets["copenhagen-2015-18"]
    assert old.base_year == 2014 and {g.area for g in old.goals} == {
        "Flere i uddannelse og job",
        "Åben og tryg by",
    }
    agreement = {
        i.indicator_id for g in sets["copenhagen-agreement-2017-18"].goals for i in g.indicators
    }
    assert agreement == {"leisure_job_15_17", "programme_into_company_1y"}
    assert sets["copenhagen-current"].goals == [] and sets["copenhagen-current"].pending
    # What the documents do not give stays marked: every Copenhagen goal without a documented
    # target says so, and the 2015-18 goals' wording is ours.
    for key in ("copenhagen-2015-18", "copenhagen-agreement-2017-18"):
        for goal in sets[key].goals:
            assert "target" in goal.unconfirmed and "title" in goal.unconfirmed
