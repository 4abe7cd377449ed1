"""One survey indicator from a tiny two-round file, by hand and through the real pipeline: the
weighted share, Kish's effective n, the Wilson interval on it, the change between the rounds
with its z-test (the survey table and the goal's traffic light) and the district cells under
the minimum of answers. The respondents and the hand calculation are in
tests/data/surveys/README.md; the test recomputes them from the file with plain Python."""

from __future__ import annotations

import csv
import math
from pathlib import Path

import duckdb
import pandas as pd
import pytest

from barometer.catalogue import load_catalogue
from barometer.pipeline import add_inputs
from barometer.sources.surveys import survey_input

DATA = Path(__file__).parents[1] / "data" / "surveys"
FILE, SPEC = DATA / "tiny_rounds.csv", DATA / "tiny_rounds.yaml"
Z = 1.959963984540054  # the 97.5 % point of the standard normal
GOALS = """
id: tiny-goals
title: {da: Små mål, en: Tiny goals}
owner: Testudvalget
base_year: 2019
areas: ["101"]
goals:
  - id: tiny-safe
    title: {da: Færre utrygge, en: Fewer feel unsafe}
    owner: Testudvalget
    origin_group: all
    indicators:
      - indicator_id: unsafe_in_neighbourhood
        polarity: lower_is_better
"""


def by_hand(year: int) -> dict:
    """Share, n_eff and Wilson interval of one round, from the rows of the file."""
    w, wy = [], []
    with FILE.open(encoding="utf-8") as fh:
        for r in csv.DictReader(fh):
            if int(r["aar"]) != year or int(r["alder"]) < 18 or r["tryg"] == "8":
                continue
            w.append(float(r["vaegt"]))
            wy.append(float(r["vaegt"]) if r["tryg"] in ("4", "5") else 0.0)
    p = sum(wy) / sum(w)
    n = sum(w) ** 2 / sum(x * x for x in w)
    centre = (p + Z * Z / (2 * n)) / (1 + Z * Z / n)
    half = Z * math.sqrt(p * (1 - p) / n + Z * Z / (4 * n * n)) / (1 + Z * Z / n)
    return {"answers": len(w), "p": p, "n": n, "low": centre - half, "high": centre + half}


@pytest.fixture(scope="module")
def store(tmp_path_factory) -> Path:
    tmp = tmp_path_factory.mktemp("by_hand")
    goals = tmp / "tiny_goals.yaml"
    goals.write_text(GOALS, encoding="utf-8")
    path = tmp / "s.duckdb"
    inp = survey_input(FILE, SPEC, load_catalogue())
    add_inputs(path, [inp], settings={"goal_files": [str(goals)]})
    return path


def rows(store: Path, sql: str) -> list[dict]:
    with duckdb.connect(str(store), read_only=True) as con:
        return con.execute(sql).df().to_dict("records")


def test_the_hand_figures_match_the_readme():
    # The README's numbers, so that the recomputation above is itself checked.
    a, b = by_hand(2019), by_hand(2021)
    assert (a["answers"], a["p"], a["n"]) == (20, pytest.approx(8 / 30), pytest.approx(18))
    assert (b["answers"], b["p"], b["n"]) == (20, pytest.approx(0.65), pytest.approx(16))
    assert (a["low"], a["high"]) == pytest.approx((0.1178, 0.4976), abs=1e-4)
    assert (b["low"], b["high"]) == pytest.approx((0.4091, 0.8328), abs=1e-4)


def test_weighted_share_and_interval(store):
    got = {
        r["year"]: r
        for r in rows(
            store,
            "SELECT o.year, o.value, o.numerator, o.denominator, o.ci_low, o.ci_high, o.status, "
            "c.respondents, c.n_eff, c.share, c.ci_low AS cell_low, c.min_respondents "
            "FROM observations o JOIN survey_cells c "
            "USING (indicator_id, area_code, year, origin_group, sex, source)",
        )
    }
    assert sorted(got) == [2019, 2021]
    for year in (2019, 2021):
        hand, row = by_hand(year), got[year]
        assert row["status"] == "ok" and row["respondents"] == hand["answers"]
        assert row["min_respondents"] == 10  # the spec's minimum (threshold 5 is lower)
        assert row["value"] == pytest.approx(100 * hand["p"])
        assert row["share"] == pytest.approx(hand["p"])
        assert row["n_eff"] == pytest.approx(hand["n"])
        assert (row["numerator"], row["denominator"]) == pytest.approx(
            (hand["p"] * hand["n"], hand["n"])
        )
        assert (row["ci_low"], row["ci_high"]) == pytest.approx(
            (100 * hand["low"], 100 * hand["high"])
        )
        assert row["cell_low"] == pytest.approx(hand["low"])


def hand_test() -> tuple[float, float]:
    """Pooled two-proportion z-test on the effective counts, and its two-sided p-value."""
    a, b = by_hand(2019), by_hand(2021)
    x1, x2 = a["p"] * a["n"], b["p"] * b["n"]
    pooled = (x1 + x2) / (a["n"] + b["n"])
    se = math.sqrt(pooled * (1 - pooled) * (1 / a["n"] + 1 / b["n"]))
    z = (b["p"] - a["p"]) / se
    return z, math.erfc(abs(z) / math.sqrt(2))


def test_change_between_rounds_is_tested_on_the_effective_counts(store):
    z, p = hand_test()
    assert (z, p) == pytest.approx((2.2439, 0.0248), abs=1e-4)  # README
    [row] = rows(
        store,
        "SELECT previous_year, change, z, p_value, significant FROM survey_cells WHERE year = 2021",
    )
    assert row["previous_year"] == 2019
    assert row["change"] == pytest.approx(100 * (by_hand(2021)["p"] - by_hand(2019)["p"]))
    assert (row["z"], row["p_value"]) == pytest.approx((z, p))
    assert row["significant"]  # p < 0.05
    [first] = rows(store, "SELECT previous_year, z FROM survey_cells WHERE year = 2019")
    assert pd.isna(first["previous_year"]) and pd.isna(first["z"])  # no earlier round


def test_the_goal_light_uses_the_same_test(store):
    z, p = hand_test()
    [detail] = rows(
        store,
        "SELECT base_year, latest_year, z, p_value, significant, traffic_light, test_method "
        "FROM goal_indicator_status WHERE goal_id = 'tiny-safe' AND year = 2021",
    )
    assert (detail["base_year"], detail["latest_year"]) == (2019, 2021)
    assert (detail["z"], detail["p_value"]) == pytest.approx((z, p))
    assert detail["test_method"] == "two_proportion_z" and detail["significant"]
    # More feel unsafe (lower is better), significantly: red, the goal's colour too.
    assert detail["traffic_light"] == "red"
    [goal] = rows(
        store,
        "SELECT traffic_light, movement FROM goal_status WHERE goal_id = 'tiny-safe' "
        "AND year = 2021",
    )
    assert (goal["traffic_light"], goal["movement"]) == ("red", "negative")


def test_districts_below_the_minimum_are_withheld(store):
    got = {
        (r["year"], r["district_name"]): r
        for r in rows(
            store,
            "SELECT year, district_name, respondents, value, ci_low, status, reason "
            "FROM survey_districts",
        )
    }
    assert sorted(got) == [(2019, "Nord"), (2019, "Syd"), (2021, "Nord"), (2021, "Syd")]
    # Nord is the first six of each block of ten: 12 answers. In 2021 five of its six
    # weight-1 answers are unsafe (the first five of the block) and all six weight-3 answers
    # (the first seven of the block): (5·1 + 6·3) / (6·1 + 6·3) = 23/24.
    nord = got[(2021, "Nord")]
    assert nord["status"] == "ok" and nord["respondents"] == 12
    assert nord["value"] == pytest.approx(100 * (5 * 1 + 6 * 3) / (6 * 1 + 6 * 3))
    for year in (2019, 2021):
        syd = got[(year, "Syd")]
        assert syd["respondents"] == 8 and syd["status"] == "suppressed_primary"
        assert syd["reason"] == "survey_min_respondents"
        assert math.isnan(syd["value"]) and math.isnan(syd["ci_low"])
