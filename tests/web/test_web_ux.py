"""What issue #19 asks of the pages, checked over HTTP on the session store: ranks, peers,
suppression explained, the committee view of goals, search without Danish letters, downloads
named and labelled, compression and cache lifetimes, the map's boundaries and /docs.

Expected values are read from the store with SQL (or from the reference data), never from the
page under test.
"""

from __future__ import annotations

import csv
import gzip
import io
import json
import re
from html.parser import HTMLParser
from pathlib import Path

import duckdb
import pytest

from barometer.codes import load_municipalities

GEO = Path(__file__).parents[2] / "src/barometer/publish/web/static/geo/municipalities.geojson"


def sql(store: Path, query: str, params: list | None = None) -> list[tuple]:
    with duckdb.connect(str(store), read_only=True) as con:
        return con.execute(query, params or []).fetchall()


class _Text(HTMLParser):
    """Visible text of a page: text nodes outside script, style and template."""

    SKIP = frozenset({"script", "style", "template"})

    def __init__(self) -> None:
        super().__init__()
        self.depth = 0
        self.parts: list[str] = []

    def handle_starttag(self, tag, attrs):
        if tag in self.SKIP:
            self.depth += 1

    def handle_endtag(self, tag):
        if tag in self.SKIP and self.depth:
            self.depth -= 1

    def handle_data(self, data):
        if not self.depth and data.strip():
            self.parts.append(data.strip())


def visible(html: str) -> str:
    p = _Text()
    p.feed(html)
    return " ".join(p.parts)


# --- ranks and peers --------------------------------------------------------------------------


def test_municipality_page_says_rank_k_of_n_from_the_store(client, web_store):
    ind, code = "employment_rate_25_64", "751"
    year, rank, n = sql(
        web_store,
        "SELECT year, rank, n_ranked FROM observations WHERE indicator_id = ? AND area_code = ? "
        "AND origin_group = 'non_western' AND sex = 'all' AND preferred AND status = 'ok' "
        "ORDER BY year DESC LIMIT 1",
        [ind, code],
    )[0]
    html = client.get(f"/municipality/{code}").text
    assert f"Nr. {rank} af {n} kommuner i {year} (1 = bedst)" in html
    en = client.get(f"/municipality/{code}?lang=en").text
    assert f"Rank {rank} of {n} municipalities in {year} (1 = best)" in en
    twin = client.get(f"/municipality/{code}.json").json()
    item = next(i for i in twin["indicators"] if i["indicator_id"] == ind)
    assert (item["rank"], item["n_ranked"], item["rank_year"]) == (rank, n, year)


def test_every_municipal_chart_has_the_peer_line(client, web_store):
    code = "751"
    with_peers = {
        r[0]
        for r in sql(
            web_store,
            "SELECT DISTINCT indicator_id FROM peer_values WHERE area_code = ? AND sex = 'all' "
            "AND peer_value IS NOT NULL",
            [code],
        )
    }
    assert len(with_peers) >= 5
    doc = client.get(f"/municipality/{code}.json").json()
    charted = {i["indicator_id"]: i for i in doc["indicators"]}
    for ind in with_peers & set(charted):
        group = charted[ind]["origin_group"]
        stored = sql(
            web_store,
            "SELECT count(*) FROM peer_values WHERE area_code = ? AND indicator_id = ? AND "
            "origin_group = ? AND sex = 'all'",
            [code, ind, group],
        )[0][0]
        if stored:
            names = {r["series"] for r in charted[ind]["series"]}
            assert "Sammenlignelige kommuner (samlet)" in names, ind


# --- suppression explained ---------------------------------------------------------------------


def test_suppressed_cells_are_explained_where_they_are(client, web_store):
    threshold = json.loads(sql(web_store, "SELECT parameters FROM runs")[0][0])[
        "disclosure_threshold"
    ]
    # A municipality with hidden cells in its employment series (by SQL).
    code, hidden, total = sql(
        web_store,
        "SELECT area_code, count(*) FILTER (WHERE status <> 'ok'), count(*) FROM observations "
        "WHERE indicator_id = 'employment_rate_25_64' AND origin_group = 'non_western' AND "
        "sex = 'all' AND preferred AND area_code > '100' GROUP BY area_code "
        "HAVING count(*) FILTER (WHERE status <> 'ok') > 0 ORDER BY 2 DESC, 1 LIMIT 1",
    )[0]
    html = client.get(f"/municipality/{code}").text
    block = html[html.index('id="chart-employment_rate_25_64-block"') :]
    block = block[: block.index("</figure>")]
    text = visible(block)
    assert f"{hidden} af {total} tal er skjult" in text
    assert f"færre end {threshold} personer" in text
    assert "Tal findes for" in text  # a pointer to the nearest level with figures


def test_a_mostly_suppressed_area_says_so_at_the_top(client, web_store):
    shares = sql(
        web_store,
        "SELECT area_code, avg(CASE WHEN status <> 'ok' THEN 1 ELSE 0 END) AS hidden "
        "FROM observations WHERE preferred AND area_code > '100' GROUP BY area_code "
        "ORDER BY hidden DESC LIMIT 1",
    )
    code, share = shares[0]
    assert share > 0.5  # the 1 % store has such municipalities (Læsø and friends)
    html = client.get(f"/municipality/{code}").text
    top = html[: html.index('id="summary-h"')]
    assert 'id="mostly-hidden"' in top and "De fleste tal for" in visible(top)
    # and a municipality with few hidden cells does not say so
    assert 'id="mostly-hidden"' not in client.get("/municipality/101").text


# --- goals: the committee view ------------------------------------------------------------------


def test_goal_summary_counts_equal_the_stored_lights(client, web_store):
    year = client.get("/goals.json?area=101").json()["year"]
    stored = dict(
        sql(
            web_store,
            "SELECT traffic_light, count(*) FROM goal_status WHERE area_code = '101' AND "
            "year = ? GROUP BY 1",
            [year],
        )
    )
    doc = client.get("/goals.json?area=101").json()
    summary = doc["summary"]
    assert summary["goals"] == sum(stored.values())
    for light in ("green", "yellow", "red", "white"):
        assert summary[light] == stored.get(light, 0), light
    html = client.get("/goals?area=101").text
    rows = re.findall(r'<tr class="goal-row" data-light="(\w+)"', html)
    assert len(rows) == summary["goals"]
    assert 'class="table-wrap"' not in html.split('id="goal-summary"')[1]  # no inner scroll


def test_goals_filter_by_committee_and_goal_set(client, web_store):
    year = client.get("/goals.json?area=101").json()["year"]
    owners = sql(
        web_store,
        "SELECT owner, count(*) FROM goal_status WHERE area_code = '101' AND year = ? AND "
        "goal_set = 'copenhagen-2019-22' GROUP BY 1 ORDER BY 2 DESC, 1",
        [year],
    )
    owner, count = owners[0]
    doc = client.get("/goals.json", params={"area": "101", "committee": owner}).json()
    shown = [g for s in doc["goal_sets"] for g in s["status"]]
    stored_all = sql(
        web_store,
        "SELECT count(*) FROM goal_status WHERE area_code = '101' AND year = ? AND owner = ?",
        [year, owner],
    )[0][0]
    assert len(shown) == stored_all >= count and {g["owner"] for g in shown} == {owner}
    nat = client.get("/goals.json?area=101&goal_set=national").json()
    assert {s["id"] for s in nat["goal_sets"]} == {"national"}
    assert client.get("/goals?area=101&committee=Nobody").status_code == 404
    assert client.get("/goals?goal_set=nosuch").status_code == 404
    html = client.get("/goals?area=101").text
    assert "print-goals.css" in html  # the A4 landscape print stylesheet
    css = client.get(re.search(r'href="(/static/print-goals\.css\?v=\w+)"', html).group(1)).text
    assert "size: A4 landscape" in css


# --- search -------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("query", "code"),
    [("Kobenhavn", "101"), ("koebenhavn", "101"), ("laesoe", "825"), ("Laso", "825"),
     ("Arhus", "751"), ("aabenraa", "580"), ("Hoje-Taastrup", "169")],
)  # fmt: skip
def test_search_finds_names_typed_without_danish_letters(client, query, code):
    r = client.get("/search", params={"q": query}, follow_redirects=False)
    assert r.status_code == 303 and r.headers["location"] == f"/municipality/{code}"


# --- downloads -----------------------------------------------------------------------------------


def test_downloads_are_named_after_the_area_and_labelled_in_the_language(client, web_store):
    r = client.get("/municipality/825.csv")
    assert 'filename="integrationsbarometer_laesoe_825.csv"' in r.headers["content-disposition"]
    rows = list(csv.DictReader(io.StringIO(r.text)))
    for col in ("source", "ci_low", "ci_high", "indicator_name", "area_name", "origin_group_name"):
        assert col in rows[0], col
    row = next(
        x for x in rows if x["indicator_id"] == "employment_rate_25_64" and x["area_code"] == "825"
    )
    assert row["area_name"] == "Læsø" and row["indicator_name"] == "Beskæftigelsesfrekvens 25-64 år"
    en = list(csv.DictReader(io.StringIO(client.get("/municipality/825.csv?lang=en").text)))
    row = next(x for x in en if x["indicator_id"] == "employment_rate_25_64")
    assert row["indicator_name"] == "Employment rate aged 25-64"
    assert row["sex_name"] in {"Both sexes", "Men", "Women"}
    doc = json.loads(client.get("/indicator/employment_rate_25_64.jsonstat?lang=en").content)
    assert doc["dimension"]["area_code"]["category"]["label"]["000"] == "Denmark"


# --- fast and light -------------------------------------------------------------------------------


def test_pages_are_compressed_and_static_files_cached_for_long(client):
    r = client.get("/municipality/101", headers={"Accept-Encoding": "gzip"})
    assert (
        r.headers["content-encoding"] == "gzip" and "accept-encoding" in r.headers["vary"].lower()
    )
    assert "<html" in r.text  # httpx decompressed it
    html = r.text
    urls = re.findall(r'(?:src|href|data-vega(?:-lite|-interpreter)?)="(/static/[^"]+)"', html)
    assert any(u.startswith("/static/app.js?v=") for u in urls)
    for url in urls:
        s = client.get(url, headers={"Accept-Encoding": "br"})
        assert s.status_code == 200, url
        assert s.headers["cache-control"] == "public, max-age=31536000, immutable", url
        again = client.get(url, headers={"If-None-Match": s.headers["etag"]})
        assert again.status_code == 304
    plain = client.get("/static/app.js")
    assert plain.headers["cache-control"] == "no-cache"
    raw = client.get("/static/app.css", headers={"Accept-Encoding": "gzip"})
    assert raw.headers["content-encoding"] == "gzip"


def test_the_municipality_page_is_light(client):
    """Under 300 KB on first load: the page (gzip) and the files it loads at once. Vega and
    Vega-Lite are not among them: they load when the first chart scrolls into view (the browser
    test measures the real transfer)."""
    html = client.get("/municipality/101").text
    page = len(gzip.compress(html.encode("utf-8"), 6))
    eager = re.findall(r'(?:<script src|<link rel="stylesheet" href)="(/static/[^"]+)"', html)
    assert eager and not any("vega" in u for u in eager)
    files = sum(
        len(gzip.compress(client.get(u, headers={"Accept-Encoding": "identity"}).content, 9))
        for u in set(eager)
    )
    assert page + files < 300_000, (page, files)
    lazy = re.findall(r'data-vega(?:-lite|-interpreter)?="(/static/[^"]+)"', html)
    assert len(lazy) == 3


# --- the map -----------------------------------------------------------------------------------


def test_the_boundaries_cover_the_98_municipalities():
    geo = json.loads(GEO.read_text(encoding="utf-8"))
    codes = [f["properties"]["code"] for f in geo["features"]]
    assert sorted(codes) == sorted(load_municipalities())
    assert GEO.stat().st_size < 200_000


def test_indicator_page_has_a_map_with_its_table(client):
    html = client.get("/indicator/employment_gap_25_64?year=2024").text
    assert 'data-chart="chart-map"' in html and "/static/geo/municipalities.geojson?v=" in html
    block = html[html.index('id="chart-map-block"') :]
    block = block[: block.index("</figure>")]
    assert block.count("<tr>") == 98 + 1  # the ranking table is the map's accessible twin
    assert "Kommunegrænser" in block


# --- /docs ---------------------------------------------------------------------------------------


def test_docs_page_serves_swagger_ui_from_the_site_itself(client):
    html = client.get("/docs").text
    assert 'id="swagger-ui"' in html
    assert 'src="http' not in html and not re.search(r'<link[^>]+href="https?:', html)
    scripts = re.findall(r'<script src="([^"]+)"', html)
    assert all(s.startswith("/static/") for s in scripts)
    assert any("swagger-ui-bundle.js" in s for s in scripts)
    for s in scripts:
        assert client.get(s).status_code == 200
    text = visible(html)
    for example in ("curl", "import pandas as pd", "library(jsonlite)", "fromJSON"):
        assert example in html, example
    assert "/api/v1/observations" in text
    assert client.get("/openapi.json").json()["info"]["title"] == "Integrationsbarometer API"
