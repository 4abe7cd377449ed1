"""A sampled synthetic store shows one population figure everywhere: the pipeline's count ÷ the
sample fraction, with the persons counted kept as the numerator."""

from __future__ import annotations

import csv
import io
import subprocess
import sys

import duckdb

from barometer.store.read import read_run


def test_population_is_the_count_over_the_sample_fraction_everywhere(client, web_store):
    run = read_run(web_store)
    assert run.synthetic and run.scale == 0.01
    with duckdb.connect(str(web_store), read_only=True) as con:
        counted, year = con.execute(
            "SELECT numerator, year FROM observations WHERE indicator_id = 'population' AND "
            "area_code = '101' AND origin_group = 'all' AND sex = 'all' AND "
            "source = 'registers' ORDER BY year DESC LIMIT 1"
        ).fetchone()
    shown = round(counted / 0.01)
    api = client.get(
        "/api/v1/observations",
        params={"indicator": "population", "area": "101", "year": str(year),
                "origin_group": "all", "sex": "all", "source": "registers"},
    ).json()["observations"]  # fmt: skip
    assert [(r["value"], r["numerator"]) for r in api] == [(shown, counted)]
    exported = subprocess.run(
        [sys.executable, "-m", "barometer", "export", "--store", str(web_store),
         "--indicator", "population", "--area", "101"],
        capture_output=True, text=True, check=True,
    ).stdout  # fmt: skip
    row = next(
        r
        for r in csv.DictReader(io.StringIO(exported))
        if r["year"] == str(year)
        and r["origin_group"] == "all"
        and r["sex"] == "all"
        and r["source"] == "registers"
    )
    assert float(row["value"]) == shown and float(row["numerator"]) == counted
    page = client.get("/?lang=en").text
    assert "1% of the population" in page and "stands for 100 persons" in page
    assert "hver optalt person tæller som 100 personer" in client.get("/").text
