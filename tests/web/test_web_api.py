"""The open API under /api/v1 and its OpenAPI document."""

from __future__ import annotations

import duckdb
import pytest

from barometer.store.schema import OBSERVATION_COLUMNS


def test_indicators_with_metadata(client):
    doc = client.get("/api/v1/indicators").json()
    ids = {i["id"] for i in doc["indicators"]}
    assert {"population", "employment_rate_25_64", "employment_gap_25_64"} <= ids
    emp = next(i for i in doc["indicators"] if i["id"] == "employment_rate_25_64")
    assert emp["title"]["da"] and emp["unit"] == "pct" and emp["sources"] == ["BEF", "AKM"]
    assert emp["years"][0] == 2012 and emp["links"]["html"] == "/indicator/employment_rate_25_64"
    assert doc["run"]["synthetic"] is True


def test_observations_filters(client):
    doc = client.get(
        "/api/v1/observations",
        params={
            "indicator": "employment_rate_25_64",
            "area": "101",
            "year": "2019-2021",
            "origin_group": "non_western",
            "sex": "female",
        },
    ).json()
    assert doc["fields"] == list(OBSERVATION_COLUMNS)
    assert doc["total"] == 3
    assert [o["year"] for o in doc["observations"]] == [2019, 2020, 2021]
    for o in doc["observations"]:
        assert list(o) == list(OBSERVATION_COLUMNS)
        assert abs(o["value"] - 100 * o["numerator"] / o["denominator"]) < 1e-9


def test_observations_lists_and_paging(client):
    doc = client.get(
        "/api/v1/observations?indicator=population,public_support_share&area=101,751&year=2024&sex=all&origin_group=all"
    ).json()
    assert doc["total"] == 4
    page = client.get("/api/v1/observations?indicator=population&limit=10&offset=5").json()
    assert page["limit"] == 10 and page["offset"] == 5 and len(page["observations"]) == 10
    assert page["total"] > 1000


def test_suppressed_observations_are_null(client):
    doc = client.get(
        "/api/v1/observations?area=825&origin_group=descendants&indicator=population"
    ).json()
    assert doc["total"] > 0
    assert all(
        o["value"] is None and o["status"] == "suppressed_primary" for o in doc["observations"]
    )


@pytest.mark.parametrize(
    ("query", "status"),
    [
        ("indicator=nope", 404),
        ("area=999", 404),
        ("year=1800", 404),
        ("year=1800-1801", 404),
        ("year=2024-2015", 422),
        ("year=abcd", 422),
        ("year=2015-2016-2017", 422),
        ("origin_group=x", 422),
        ("sex=both", 422),
        ("limit=0", 422),
        ("limit=abc", 422),
        ("offset=-1", 422),
    ],
)
def test_observation_errors_are_clear(client, query, status):
    r = client.get(f"/api/v1/observations?{query}")
    assert r.status_code == status
    err = r.json()["error"]
    assert err["status"] == status and err["message"]


def test_goals_api(client, web_store):
    with duckdb.connect(str(web_store), read_only=True) as con:
        stored = {
            r[0]
            for r in con.execute(
                "SELECT goal_id FROM goal_status WHERE area_code = '101' AND year = 2024"
            ).fetchall()
        }
    doc = client.get("/api/v1/goals?area=101&year=2024").json()
    assert doc["available"] is True and doc["year"] == 2024
    assert {g["goal_id"] for g in doc["goals"]} == stored
    assert {"national-1", "kk-pejl-1"} <= stored  # the national and Copenhagen sets
    assert all(i["area_code"] == "101" for i in doc["indicators"])
    assert client.get("/api/v1/goals?area=999").status_code == 404
    assert client.get("/api/v1/goals?year=1999").status_code == 404
    assert client.get("/api/v1/goals?year=x").status_code == 422
    assert client.get("/api/v1/goals?goal_set=nope").status_code == 404


def test_housing_api(client):
    doc = client.get("/api/v1/housing?year=2024").json()
    assert doc["available"] and {a["list_year"] for a in doc["areas"]} == {2024}
    doc = client.get("/api/v1/housing?municipality=751").json()
    assert {a["municipality_code"] for a in doc["areas"]} == {"751"}
    assert client.get("/api/v1/housing?year=1990").status_code == 404


def test_openapi_documents_the_api(client):
    doc = client.get("/openapi.json").json()
    paths = doc["paths"]
    assert {
        "/api/v1/indicators",
        "/api/v1/observations",
        "/api/v1/goals",
        "/api/v1/housing",
    } <= set(paths)
    params = {p["name"] for p in paths["/api/v1/observations"]["get"]["parameters"]}
    assert params >= {"indicator", "area", "year", "origin_group", "sex"}
    assert not any(p.startswith("/municipality") for p in paths)
