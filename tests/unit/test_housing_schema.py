"""The store's housing tables (store/schema.py) accept what classify produces, column for column
and type for type, and the warning table what early_warning produces."""

from __future__ import annotations

from pathlib import Path

import duckdb

from barometer.housing import classify_detailed, early_warning, read_area_stats
from barometer.store.schema import HOUSING_AREAS_DDL, HOUSING_CRITERIA_DDL, HOUSING_WARNING_DDL

SAMPLE = Path(__file__).parents[1] / "data" / "housing" / "area_stats_sample.csv"


def test_results_insert_into_store_tables() -> None:
    result = classify_detailed(read_area_stats(SAMPLE), 2023)
    areas, criteria = result.areas, result.criteria  # noqa: F841 (read by DuckDB by name)
    con = duckdb.connect()
    for ddl in (HOUSING_AREAS_DDL, HOUSING_CRITERIA_DDL):
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
    assert cols == set(areas.columns)


def test_the_warning_inserts_into_its_store_table() -> None:
    warning = early_warning(read_area_stats(SAMPLE), 2023, 0.10)
    warning = warning.assign(within_margin=warning["distance"].abs() <= 0.1 * warning["threshold"])
    con = duckdb.connect()
    con.execute(HOUSING_WARNING_DDL)
    con.execute("INSERT INTO housing_warning BY NAME SELECT * FROM warning")
    cols = {r[0] for r in con.execute("DESCRIBE housing_warning").fetchall()}
    assert cols == set(warning.columns)
    assert con.execute("SELECT count(*) FROM housing_warning").fetchone()[0] == len(warning)
