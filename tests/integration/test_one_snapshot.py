"""One store, one snapshot: every output shows the same figure and the same goal status.

The session store (tests/conftest.py) holds every kind of input: registers, surveys, StatBank
tables and a file of figures. For a sample of cells of every indicator kind and every source,
the value read from the store by SQL must be what ``barometer export``, the API, the
indicator page's JSON twin and its CSV download give; the goal status must be the same in the
API, the goals page, ``barometer goals status`` and the report.
"""

from __future__ import annotations

import csv
import io
import json
import math
import subprocess
import sys
import warnings

import duckdb
import pytest

from barometer.publish.report.data import goals_for, load_snapshot
from barometer.publish.web import create_app

with warnings.catch_warnings():
    warnings.simplefilter("ignore")  # starlette asks for httpx2; plain httpx works
    from fastapi.testclient import TestClient

KEY = ("indicator_id", "area_code", "year", "origin_group", "sex", "source")


def run_cli(*args: str) -> str:
    proc = subprocess.run(
        [sys.executable, "-m", "barometer", *args], capture_output=True, text=True, timeout=600
    )
    assert proc.returncode == 0, proc.stderr
    return proc.stdout


@pytest.fixture(scope="module")
def client(session_store):
    with TestClient(create_app(session_store)) as c:
        yield c


@pytest.fixture(scope="module")
def sample(session_store) -> list[dict]:
    """Published cells: per indicator kind and source, the first and the last by key."""
    sql = """
        WITH kinds AS (
            SELECT indicator_id, json_extract_string(spec, '$.kind') AS kind FROM definitions
        ), ranked AS (
            SELECT o.*, k.kind,
                row_number() OVER (PARTITION BY k.kind, o.source ORDER BY o.indicator_id,
                    o.area_code, o.year, o.origin_group, o.sex) AS first,
                row_number() OVER (PARTITION BY k.kind, o.source ORDER BY o.indicator_id DESC,
                    o.area_code DESC, o.year DESC, o.origin_group DESC, o.sex DESC) AS last
            FROM observations o JOIN kinds k USING (indicator_id)
            WHERE o.status = 'ok' AND o.area_code IN ('000', '101', '751', '825')
        )
        SELECT * FROM ranked WHERE first = 1 OR last = 1 ORDER BY kind, source
    """
    with duckdb.connect(str(session_store), read_only=True) as con:
        cells = con.execute(sql).df().to_dict("records")
    kinds = {c["kind"] for c in cells}
    # Every kind of indicator and of source is in the sample.
    assert kinds >= {"count", "rate", "gap", "grade9", "danish_test", "housing_count", "survey",
                     "external"}  # fmt: skip
    sources = {c["source"].split(":")[0] for c in cells}
    assert sources == {"registers", "statbank", "survey", "file"}
    return cells


def same(a: float | None, b: str | float | None) -> bool:
    if a is None or (isinstance(a, float) and math.isnan(a)):
        return b in (None, "")
    return b not in (None, "") and float(b) == float(a)


def test_every_output_gives_the_cell_its_store_value(session_store, client, sample):
    export = list(csv.DictReader(io.StringIO(run_cli("export", "--store", str(session_store)))))
    by_key = {tuple(r[k] for k in KEY): r for r in export}
    assert len(by_key) == len(export)  # one row per cell and source
    for cell in sample:
        key = tuple(str(cell[k]) for k in KEY)
        # barometer export
        row = by_key[key]
        assert same(cell["value"], row["value"]) and same(cell["numerator"], row["numerator"])
        # the API, filtered to the one cell
        params = {
            "indicator": cell["indicator_id"],
            "area": cell["area_code"],
            "year": str(cell["year"]),
            "origin_group": cell["origin_group"],
            "sex": cell["sex"],
            "source": cell["source"],
        }
        api = client.get("/api/v1/observations", params=params).json()["observations"]
        assert len(api) == 1 and same(cell["value"], api[0]["value"]), (key, api)
        # the indicator page's CSV download holds every source's cells of the indicator
        page = f"/indicator/{cell['indicator_id']}"
        download = csv.DictReader(io.StringIO(client.get(page + ".csv").text))
        got = [r for r in download if tuple(r[k] for k in KEY) == key]
        assert len(got) == 1 and same(cell["value"], got[0]["value"]), key
        # the JSON twin: the series of the preferred source, the others beside it
        twin = client.get(
            page + ".json",
            params={
                "area": cell["area_code"],
                "origin_group": cell["origin_group"],
                "sex": cell["sex"],
                "year": str(cell["year"]),
            },
        )
        if twin.status_code == 404:  # the year is not among the preferred source's years
            assert not cell["preferred"]
            continue
        doc = twin.json()
        if cell["preferred"]:
            shown = [r for r in doc["series"] if r["year"] == cell["year"]]
            shown = [r for r in shown if r["series"] == shown[0]["series"]]  # the area itself
        else:
            shown = [
                r
                for r in doc["other_sources"]
                if r["year"] == cell["year"] and r["source"] == cell["source"]
            ]
        assert len(shown) == 1 and same(cell["value"], shown[0]["value"]), (key, shown)


def test_goal_status_is_the_same_everywhere(session_store, client):
    area, year = "101", 2024
    with duckdb.connect(str(session_store), read_only=True) as con:
        stored = {
            (r[0], r[1]): (r[2], r[3])
            for r in con.execute(
                "SELECT goal_set, goal_id, movement, traffic_light FROM goal_status "
                "WHERE area_code = ? AND year = ?",
                [area, year],
            ).fetchall()
        }
    assert len(stored) > 9  # the national and Copenhagen sets
    api = client.get("/api/v1/goals", params={"area": area, "year": year}).json()["goals"]
    assert {(g["goal_set"], g["goal_id"]): (g["movement"], g["traffic_light"]) for g in api} == (
        stored
    )
    # The goals page (JSON twin) shows the default year: the newest data year, 2024 here.
    page = client.get("/goals.json", params={"area": area}).json()
    assert page["year"] == year
    shown = {
        (s["id"], g["goal_id"]): (g["movement"], g["traffic_light"])
        for s in page["goal_sets"]
        for g in s["status"]
    }
    assert shown == stored
    args = ["goals", "status", "--store", str(session_store), "--area", area, "--format", "json"]
    cli = json.loads(run_cli(*args))
    assert {(g["goal_set"], g["goal_id"]): (g["movement"], g["traffic_light"]) for g in cli} == (
        stored
    )
    goals, _ = goals_for(load_snapshot(session_store, area), area, year)
    assert {
        (g["goal_set"], g["goal_id"]): (g["movement"], g["traffic_light"])
        for g in goals.to_dict("records")
    } == stored


def test_goals_use_the_preferred_source_and_say_which(session_store):
    # employment_rate_25_64 comes from the registers and from a file of figures; the registers
    # are preferred, so every goal row of it names them.
    with duckdb.connect(str(session_store), read_only=True) as con:
        sources = con.execute(
            "SELECT DISTINCT source FROM goal_indicator_status "
            "WHERE indicator_id = 'employment_rate_25_64'"
        ).fetchall()
        file_preferred = con.execute(
            "SELECT bool_or(preferred) FROM observations WHERE source LIKE 'file:%'"
        ).fetchone()[0]
    assert sources == [("registers",)] and file_preferred is False
