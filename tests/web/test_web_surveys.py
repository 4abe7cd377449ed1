"""Survey areas on the municipality page: each round's share with its interval, answers and
the tested change, shares by district, and only on the pages of the areas a survey covers.
Expected rows are read from the session store with SQL."""

from __future__ import annotations

import re

import duckdb
import pytest

from barometer.publish.labels import fmt_value, number

COPENHAGEN_SURVEYS = (
    "Tryghedsundersøgelse",
    "Medborgerskabsundersøgelsen blandt unge",
    "Sundhedsprofilen",
)


def stored(store, query: str) -> list[dict]:
    with duckdb.connect(str(store), read_only=True) as con:
        return con.execute(query).df().to_dict("records")


def test_copenhagen_page_shows_rounds_intervals_answers_and_significance(client, web_store):
    html = client.get("/municipality/101").text
    for key in ("safety", "health", "citizenship", "discrimination"):
        assert f'id="area-{key}"' in html
    for name in COPENHAGEN_SURVEYS:
        assert name in html
    # The newest round of feeling unsafe, non-Western (the page's default group).
    [row] = stored(
        web_store,
        "SELECT year, share, ci_low, ci_high, respondents, p_value, significant, previous_year "
        "FROM survey_cells WHERE indicator_id = 'unsafe_in_neighbourhood' AND area_code = '101' "
        "AND origin_group = 'non_western' AND sex = 'all' ORDER BY year DESC LIMIT 1",
    )
    article = html[html.index('id="ind-unsafe_in_neighbourhood"') :]
    article = article[: article.index("</article>")]
    cells = [
        str(row["year"]),
        fmt_value(100 * row["share"], "pct", "da"),
        f"{fmt_value(100 * row['ci_low'], 'pct', 'da')} – {fmt_value(100 * row['ci_high'], 'pct', 'da')}",
        number(row["respondents"], "da", 0),
        f"({int(row['previous_year'])})",
        f"{'ja' if row['significant'] else 'nej'} (p = {number(row['p_value'], 'da', 3)})",
    ]
    for cell in cells:
        assert cell in article, cell
    # Shares by district of the newest safety round, one row per district.
    districts = stored(
        web_store,
        "SELECT district_name FROM survey_districts WHERE indicator_id = "
        "'unsafe_in_neighbourhood' AND year = (SELECT max(year) FROM survey_districts)",
    )
    assert len(districts) == 10
    for d in districts:
        assert re.search(rf"<th scope=\"row\">{re.escape(d['district_name'])}</th>", article)


@pytest.mark.parametrize("area", ["825", "751"])
def test_other_pages_speak_of_no_copenhagen_survey(client, area):
    html = client.get(f"/municipality/{area}").text
    for name in COPENHAGEN_SURVEYS:
        assert name not in html
    for key in ("safety", "health"):
        assert f'id="area-{key}"' not in html


def test_goal_without_data_says_where_its_figures_come_from(client):
    html = client.get("/municipality/101").text
    # kk-biu-2 (IGU) reads the programme module's figures, which the session store lacks.
    row = html[html.index('data-goal="kk-biu-2"') :]
    row = row[: row.index("</li>")]
    assert "Tallene kommer fra: flygtningeprogrammets sagsdata" in row


def test_goals_api_lists_the_policy_periods(client):
    doc = client.get("/api/v1/goals?area=101").json()
    sets = {s["id"]: s for s in doc["goal_sets"]}
    assert (sets["copenhagen-2015-18"]["valid_from"], sets["copenhagen-2015-18"]["valid_to"]) == (
        2015,
        2018,
    )
    assert sets["copenhagen-current"]["valid_to"] is None and sets["copenhagen-current"]["pending"]
    kk15 = {g["id"]: g for g in sets["copenhagen-2015-18"]["goals"]}
    assert "title" in kk15["kk15-job"]["unconfirmed"]
