"""The whole path on a small synthetic Denmark: synth → build → store tables → CLI."""

from __future__ import annotations

import json
import subprocess
import sys

import duckdb
import pytest

from barometer.pipeline import build_store
from barometer.sources.synthetic import generate
from barometer.store.read import read_run


@pytest.fixture(scope="module")
def built(tmp_path_factory):
    tmp = tmp_path_factory.mktemp("synbuild")
    generate(tmp / "reg", scale=0.01, years=list(range(2012, 2025)), seed=7)
    res = build_store(tmp / "reg", tmp / "store.duckdb")
    return tmp, res


def run_cli(*args):
    return subprocess.run(
        [sys.executable, "-m", "barometer", *args], capture_output=True, text=True, timeout=300
    )


def test_store_has_every_table_and_is_labelled_synthetic(built):
    tmp, res = built
    run = read_run(tmp / "store.duckdb")
    assert res.synthetic and run.synthetic and run.scale == 0.01
    with duckdb.connect(str(tmp / "store.duckdb"), read_only=True) as con:
        tables = {r[0] for r in con.execute("SHOW TABLES").fetchall()}
        assert {
            "observations",
            "runs",
            "inputs",
            "input_files",
            "definitions",
            "goal_status",
            "goal_indicator_status",
            "peers",
            "housing_areas",
            "housing_criteria",
        } <= tables
        years = [
            r[0]
            for r in con.execute(
                "SELECT DISTINCT year FROM observations WHERE indicator_id = 'population' ORDER BY 1"
            ).fetchall()
        ]
        assert years == list(range(2012, 2025))
        # every national goal is evaluated for Denmark and every municipality
        n = con.execute(
            "SELECT count(DISTINCT area_code) FROM goal_status WHERE goal_id = 'national-1'"
        ).fetchone()[0]
        assert n >= 99
        # the housing lists exist for list years 2018+ under their legal names
        listed = con.execute(
            "SELECT count(*) FROM observations WHERE indicator_id = "
            "'housing_parallelsamfund' AND area_code = '000'"
        ).fetchone()[0]
        assert listed >= 8
        # peers never include the municipality itself
        assert (
            con.execute("SELECT count(*) FROM peers WHERE area_code = peer_code").fetchone()[0] == 0
        )
        # intervals enclose the rates
        bad = con.execute(
            "SELECT count(*) FROM observations WHERE unit = 'pct' AND "
            "NOT (ci_low <= value AND value <= ci_high)"
        ).fetchone()[0]
        assert bad == 0


def test_goals_status_cli(built):
    tmp, _ = built
    proc = run_cli(
        "goals", "status", "--store", str(tmp / "store.duckdb"), "--area", "000", "--format", "json"
    )
    assert proc.returncode == 0, proc.stderr
    data = json.loads(proc.stdout)
    text = json.dumps(data)
    for i in range(1, 10):
        assert f"national-{i}" in text
    bad = run_cli("goals", "status", "--store", str(tmp / "store.duckdb"), "--area", "999")
    assert bad.returncode == 2 and "no figures for area '999'" in bad.stderr


def test_housing_cli_from_registers(built):
    tmp, _ = built
    stats = tmp / "areas.csv"
    assert (
        run_cli("housing", "stats", "--registers", str(tmp / "reg"), "--out", str(stats)).returncode
        == 0
    )
    out = tmp / "list.csv"
    proc = run_cli(
        "housing", "classify", "--areas", str(stats), "--list-year", "2022", "--out", str(out)
    )
    assert proc.returncode == 0, proc.stderr
    header = out.read_text().splitlines()[0].split(",")
    for col in (
        "area_id",
        "list_year",
        "residents",
        "criteria_met",
        "udsat",
        "parallelsamfund",
        "omdannelsesomraade",
        "forebyggelsesomraade",
        "rule_set",
    ):
        assert col in header


def test_goals_status_from_exported_values_matches_the_store(built):
    tmp, _ = built
    csv_path = tmp / "all.csv"
    assert (
        run_cli("export", "--store", str(tmp / "store.duckdb"), "--out", str(csv_path)).returncode
        == 0
    )
    args = ["goals", "status", "--area", "101", "--format", "csv", "--year", "2024"]
    from_store = run_cli(*args, "--store", str(tmp / "store.duckdb"))
    from_values = run_cli(*args, "--values", str(csv_path))
    assert from_store.returncode == 0 and from_values.returncode == 0, from_values.stderr
    assert from_store.stdout == from_values.stdout
    header = from_store.stdout.splitlines()[0].split(",")
    for col in (
        "goal_id",
        "area_code",
        "year",
        "base_year",
        "movement",
        "traffic_light",
        "target_status",
    ):
        assert col in header
