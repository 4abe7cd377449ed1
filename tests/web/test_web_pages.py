"""Every page type renders in Danish and English, with its JSON twin and downloads."""

from __future__ import annotations

import csv
import io
import json
import warnings

import duckdb
import openpyxl
import pytest

from barometer.codes import load_municipalities
from barometer.publish.web import create_app
from barometer.store.schema import OBSERVATION_COLUMNS

with warnings.catch_warnings():
    warnings.simplefilter("ignore")  # starlette asks for httpx2
    from fastapi.testclient import TestClient

PAGES = [
    "/",
    "/indicators",
    "/municipality/101",
    "/municipality/000",
    "/municipality/084",
    "/indicator/employment_rate_25_64",
    "/indicator/employment_gap_25_64?area=751&year=2020",
    "/compare?areas=101,751",
    "/compare?areas=101&indicator=employment_rate_25_64&indicator=youth_education_20_24",
    "/goals",
    "/goals?area=101&goal_set=copenhagen-2019-22",
    "/housing",
    "/about",
    "/docs",
]


def _twin(url: str) -> str:
    path, _, query = url.partition("?")
    path = "/index" if path == "/" else path
    return f"{path}.json" + (f"?{query}" if query else "")


@pytest.mark.parametrize("url", PAGES)
@pytest.mark.parametrize("lang", ["da", "en"])
def test_page_renders_with_banner_and_twin(client, url, lang):
    sep = "&" if "?" in url else "?"
    r = client.get(url + (f"{sep}lang=en" if lang == "en" else ""))
    assert r.status_code == 200, r.text[:500]
    assert r.headers["content-type"].startswith("text/html")
    html = r.text
    assert f'<html lang="{lang}">' in html
    assert 'id="synthetic-banner"' in html
    assert ("SYNTETISKE DATA" if lang == "da" else "SYNTHETIC DATA") in html
    twin = client.get(
        _twin(url) + (("&" if "?" in _twin(url) else "?") + "lang=en" if lang == "en" else "")
    )
    assert twin.status_code == 200
    doc = twin.json()
    assert doc["run"]["synthetic"] is True
    assert doc["run"]["notice"].startswith("SYNTHETIC DATA")
    assert doc["lang"] == lang


def test_every_municipality_has_a_page(client):
    for code in load_municipalities():
        r = client.get(f"/municipality/{code}.json")
        assert r.status_code == 200, code
        assert r.json()["area"]["code"] == code


def test_every_indicator_has_a_page(client):
    for ind in client.get("/api/v1/indicators").json()["indicators"]:
        r = client.get(f"/indicator/{ind['id']}")
        assert r.status_code == 200, ind["id"]


def test_danish_and_english_number_formats(client):
    doc = client.get("/indicator/employment_rate_25_64.json?area=101&year=2024").json()
    row = next(r for r in doc["series"] if r["series"] == "København" and r["year"] == 2024)
    value = row["value"]
    da = client.get("/indicator/employment_rate_25_64?area=101&year=2024").text
    en = client.get("/indicator/employment_rate_25_64?area=101&year=2024&lang=en").text
    assert f"{value:.1f}".replace(".", ",") + "\u00a0%" in da
    assert f"{value:.1f}%" in en


def test_suppressed_cells_are_words_never_zero(client, web_store):
    # A municipality whose descendants' cell of 2024 the pipeline suppressed (read by SQL).
    with duckdb.connect(str(web_store), read_only=True) as con:
        code = con.execute(
            "SELECT area_code FROM observations WHERE indicator_id = 'employment_rate_25_64' "
            "AND year = 2024 AND origin_group = 'descendants' AND sex = 'all' AND "
            "status = 'suppressed_primary' AND area_code > '100' ORDER BY area_code LIMIT 1"
        ).fetchone()[0]
    name = load_municipalities()[code].name
    url = "/indicator/employment_rate_25_64?origin_group=descendants&year=2024"
    doc = client.get(url.replace("?", ".json?")).json()
    row = next(r for r in doc["ranking"] if r["code"] == code)
    assert row["status"] == "suppressed_primary"
    assert row["value"] is None and row["rank"] is None
    assert row["label"] == "diskretioneret"
    assert f"{name}</td><td>diskretioneret" in client.get(url).text
    assert f"{name}</td><td>suppressed" in client.get(url + "&lang=en").text


def test_municipality_shows_denmark_peers_and_goals(client):
    doc = client.get("/municipality/751.json").json()
    assert doc["area"]["name"] == "Aarhus"
    assert len(doc["peers"]) == 5
    assert doc["goals"]["available"] is True
    assert {g["goal_id"] for g in doc["goals"]["goals"]} >= {"national-1", "national-2"}
    series = {r["series"] for i in doc["indicators"] for r in i["series"]}
    assert {"Aarhus", "Hele landet", "Sammenlignelige kommuner (samlet)"} <= series


def test_front_has_needles_and_key_figures(client):
    doc = client.get("/index.json").json()
    assert doc["goals_available"] is True
    assert {n["movement"] for n in doc["needles"]} <= {
        "positive",
        "negative",
        "unchanged",
        "no_data",
    }
    assert any(f["indicator_id"] == "employment_rate_25_64" for f in doc["key_figures"])
    assert len(doc["areas"]) == 99


def test_indicator_has_definition_ranking_groups_and_intervals(client):
    doc = client.get(
        "/indicator/employment_rate_25_64.json?year=2024&origin_group=non_western"
    ).json()
    assert doc["indicator"]["title"]["en"] == "Employment rate aged 25-64"
    assert len(doc["ranking"]) == 98
    # Higher is better: rank 1 is the highest value, and the ranks follow the values.
    ranked = [r for r in doc["ranking"] if r["rank"] is not None]
    assert [r["value"] for r in ranked] == sorted((r["value"] for r in ranked), reverse=True)
    assert ranked[0]["rank"] == 1 and all(r["n_ranked"] == len(ranked) for r in ranked)
    assert all(r["ci_low"] <= r["value"] <= r["ci_high"] for r in doc["ranking"] if r["value"])
    assert {r["code"] for r in doc["origin_comparison"]} >= {"all", "danish_origin", "non_western"}
    html = client.get("/indicator/employment_rate_25_64").text
    assert "<table" in html and 'data-chart="chart-map"' in html


def test_compare_keeps_selection_in_url(client):
    r = client.get("/compare.json?area=101&area=751&area=461&indicator=public_support_share")
    doc = r.json()
    assert [a["code"] for a in doc["areas"]] == ["101", "751", "461"]
    # Denmark is the reference unless the reader chooses none
    assert {row["series"] for row in doc["series"]} == {
        "København",
        "Aarhus",
        "Odense",
        "Hele landet",
    }
    alone = client.get("/compare.json?areas=101,751&reference=none").json()
    assert {row["series"] for row in alone["series"]} == {"København", "Aarhus"}
    html = client.get("/compare?areas=101,751").text
    assert '<option value="751" selected>' in html


def test_search_redirects_to_a_single_match(client):
    r = client.get("/search?q=Aarhus", follow_redirects=False)
    assert r.status_code == 303 and r.headers["location"] == "/municipality/751"
    r = client.get("/search?q=751&lang=en", follow_redirects=False)
    assert r.headers["location"] == "/municipality/751?lang=en"
    r = client.get("/search?q=ho", headers={"HX-Request": "true"})
    assert "Holbæk" in r.text and "<html" not in r.text
    page = client.get("/search?q=ho")
    assert page.status_code == 200 and 'href="/search.json?q=ho"' in page.text
    twin = client.get("/search.json?q=ho").json()
    assert {"code": "316", "name": "Holbæk"} in twin["results"]


def test_language_switch_keeps_the_page(client):
    html = client.get("/indicator/population?area=101&year=2020").text
    assert 'href="/indicator/population?area=101&amp;year=2020&amp;lang=en"' in html
    en = client.get("/indicator/population?area=101&year=2020&lang=en").text
    assert 'href="/indicator/population?area=101&amp;year=2020"' in en


def test_csv_download_of_a_view(client):
    r = client.get("/compare.csv?areas=101,751&indicator=employment_rate_25_64&origin_group=all")
    assert r.status_code == 200
    assert r.headers["content-type"].startswith("text/csv")
    rows = list(csv.DictReader(io.StringIO(r.text)))
    assert {row["area_code"] for row in rows} == {"101", "751", "000"}  # Denmark: reference
    assert {row["indicator_id"] for row in rows} == {"employment_rate_25_64"}
    assert list(rows[0])[: len(OBSERVATION_COLUMNS)] == list(OBSERVATION_COLUMNS)


def test_excel_download_carries_the_notice(client, tmp_path):
    r = client.get("/municipality/101.xlsx")
    path = tmp_path / "m.xlsx"
    path.write_bytes(r.content)
    wb = openpyxl.load_workbook(path)
    assert wb.sheetnames == ["observations", "about"]
    about = {row[0]: row[1] for row in wb["about"].iter_rows(values_only=True)}
    assert about["synthetic"] == "True"
    assert wb["observations"].max_row > 100


def test_jsonstat_download_is_a_dataset(client, web_store):
    # Two municipalities and a group with suppressed cells (found by SQL in the store).
    with duckdb.connect(str(web_store), read_only=True) as con:
        area = con.execute(
            "SELECT area_code FROM observations WHERE indicator_id = 'employment_rate_25_64' "
            "AND origin_group = 'descendants' AND sex = 'all' AND status <> 'ok' "
            "AND area_code > '101' ORDER BY area_code LIMIT 1"
        ).fetchone()[0]
    url = f"/compare.jsonstat?areas=101,{area}&origin_group=descendants"
    doc = json.loads(client.get(url).content)
    assert doc["version"] == "2.0" and doc["class"] == "dataset"
    assert doc["id"] == ["indicator_id", "area_code", "year", "origin_group", "sex", "source"]
    assert doc["size"] == [len(doc["dimension"][d]["category"]["index"]) for d in doc["id"]]
    total = 1
    for s in doc["size"]:
        total *= s
    assert all(0 <= int(k) < total for k in doc["value"])
    assert doc["status"] and set(doc["status"].values()) == {"suppressed"}
    assert all(doc["value"][k] is None for k in doc["status"])
    assert "SYNTHETIC" in doc["note"][0]


@pytest.mark.parametrize("url", ["/goals.jsonstat", "/housing.csv", "/about.xlsx", "/index.csv"])
def test_every_view_downloads(client, url):
    assert client.get(url).status_code == 200


def test_a_store_of_statbank_figures_alone_says_what_it_lacks(tmp_path):
    # No register input: no goals can move without base-year data, and no housing lists.
    from fixtures.stores import store_from_cells

    rows = [["population", "101", 2023, "all", "all", 650000.0, 650000.0, 650000.0, "count", "ok"]]
    store = store_from_cells(tmp_path / "s.duckdb", rows, kind="statbank", source="statbank:X")
    with TestClient(create_app(store)) as bare:
        for url in ["/", "/goals", "/housing", "/municipality/101"]:
            r = bare.get(url)
            assert r.status_code == 200
            assert 'id="synthetic-banner"' not in r.text
        assert "Ikke tilgængelig i dette datalager endnu." in bare.get("/housing").text
        assert bare.get("/api/v1/housing?year=2020").json()["available"] is False
        goals = bare.get("/api/v1/goals?area=101").json()
        assert {g["movement"] for g in goals["goals"]} == {"no_data"}


def test_housing_lists_by_year(client, web_store):
    with duckdb.connect(str(web_store), read_only=True) as con:
        years = [
            r[0]
            for r in con.execute(
                "SELECT DISTINCT list_year FROM housing_areas ORDER BY 1"
            ).fetchall()
        ]
        names = {
            r[0]
            for r in con.execute(
                "SELECT area_name FROM housing_areas WHERE list_year = 2023"
            ).fetchall()
        }
    doc = client.get("/housing.json?year=2023").json()
    assert doc["year"] == 2023 and doc["years"] == years
    assert {a["area_name"] for a in doc["areas"]} == names


@pytest.mark.parametrize(
    ("url", "status"),
    [
        ("/municipality/999", 404),
        ("/municipality/abc", 404),
        ("/municipality/101.pdf", 404),
        ("/indicator/no_such_indicator", 404),
        ("/indicator/population?year=1850", 404),
        ("/indicator/population?year=20x4", 422),
        ("/indicator/population?origin_group=martians", 422),
        ("/indicator/population?sex=x", 422),
        ("/compare?areas=101,147,151,153,155,157,159", 422),
        ("/compare?areas=101,999", 404),
        ("/housing?year=1990", 404),
        ("/no/such/page", 404),
    ],
)
def test_bad_requests_get_clear_pages(client, url, status):
    r = client.get(url)
    assert r.status_code == status
    assert r.headers["content-type"].startswith("text/html")
    assert 'id="error-message"' in r.text
    twin_path, _, query = url.partition("?")
    if "." not in twin_path.rsplit("/", 1)[-1] and twin_path != "/no/such/page":
        j = client.get(f"{twin_path}.json" + (f"?{query}" if query else ""))
        assert j.status_code == status
        assert j.json()["error"]["status"] == status


def test_response_cache_and_prewarm(web_store):
    from barometer.publish.web.app import _prewarm, warm_urls

    app = create_app(web_store)
    cache = app.state.response_cache
    _prewarm(app, ["/", "/municipality/101?lang=en", "/no/such/page", "/indicator/x"])
    assert len(cache) == 2  # errors are not cached
    assert cache.get("/municipality/101?lang=en") is not None
    with TestClient(app) as c:
        r = c.get("/municipality/101?lang=en")
        assert r.status_code == 200 and '<html lang="en">' in r.text
        assert c.get("/municipality/101").status_code == 200
    assert len(cache) == 3
    urls = warm_urls(app.state.store)
    assert "/municipality/101" in urls and "/indicator/population?lang=en" in urls
