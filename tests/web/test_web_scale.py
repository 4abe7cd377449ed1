"""A sampled (synthetic scale < 1) store shows population figures as count ÷ scale."""

from __future__ import annotations

import warnings

import duckdb

from barometer.publish.web import create_app
from barometer.publish.web.fixture import make_store

with warnings.catch_warnings():
    warnings.simplefilter("ignore")  # starlette asks for httpx2; plain httpx works
    from fastapi.testclient import TestClient


def test_population_is_scaled_and_the_sample_is_explained(tmp_path):
    store = make_store(tmp_path / "s.duckdb")
    with duckdb.connect(str(store)) as con:
        con.execute("UPDATE runs SET scale = 0.1, synthetic = true")
        counted = con.execute(
            "SELECT value FROM observations WHERE indicator_id = 'population' AND "
            "area_code = '000' AND origin_group = 'all' AND sex = 'all' AND status = 'ok' "
            "ORDER BY year DESC LIMIT 1"
        ).fetchone()[0]
    with TestClient(create_app(store)) as client:
        data = client.get(
            "/api/v1/observations",
            params={
                "indicator": "population",
                "area": "000",
                "origin_group": "all",
                "sex": "all",
            },
        ).json()
        rows = data["observations"]
        latest = max(rows, key=lambda r: r["year"])
        assert latest["value"] == round(counted / 0.1)
        assert latest["numerator"] == counted  # the count itself is kept as counted
        page = client.get("/?lang=en").text
        assert "counted ÷ 0.1" in page and "10 % of the population" in page
