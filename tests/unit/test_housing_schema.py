"""The store DDL accepts what classify produces (column names and types)."""

from __future__ import annotations

from pathlib import Path

import duckdb

from barometer.housing import HOUSING_DDL, classify_detailed, read_area_stats

SAMPLE = Path(__file__).parents[1] / "data" / "housing" / "area_stats_sample.csv"


def test_results_insert_into_store_tables() -> None:
    result = classify_detailed(read_area_stats(SAMPLE), 2023)
    areas, criteria = result.areas, result.criteria  # noqa: F841 (read by DuckDB by name)
    con = duckdb.connect()
    for ddl in HOUSING_DDL:
        con.execute(ddl)
    con.execute("INSERT INTO housing_areas BY NAME SELECT * FROM areas")
    con.execute("INSERT INTO housing_criteria BY NAME SELECT * FROM criteria")
    assert con.execute("SELECT count(*) FROM housing_areas").fetchone()[0] == 3
    # 2021 rule set: 5 main + 5 prevention criteria per area
    assert con.execute("SELECT count(*) FROM housing_criteria").fetchone()[0] == 30
    listed = con.execute(
        "SELECT area_id FROM housing_areas WHERE parallelsamfund ORDER BY area_id"
    ).fetchall()
    assert listed == [("T01",)]
    cols = {r[0] for r in con.execute("DESCRIBE housing_areas").fetchall()}
    assert cols - {"run_id"} == set(areas.columns)
