"""``import_file``: ready-made figures checked against the catalogue and the code lists."""

from __future__ import annotations

import hashlib
import math
from pathlib import Path

import duckdb
import pandas as pd
import pytest

from barometer.errors import InputError
from barometer.sources.files import import_file

from conftest import write_store_rows


def read(store: Path, sql: str) -> pd.DataFrame:
    with duckdb.connect(str(store), read_only=True) as con:
        return con.execute(sql).df()


def digest(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def register_store(path: Path) -> Path:
    rows = [
        [
            "employment_rate_25_64",
            "101",
            2022,
            "all",
            "all",
            75.0,
            750.0,
            1000.0,
            "pct",
            "ok",
            None,
            "registers",
        ]
    ]
    return write_store_rows(path, rows, synthetic=False, scale=1.0)


def write(path: Path, text: str) -> Path:
    path.write_text(text, encoding="utf-8")
    return path


GOOD = (
    "area,year,group,sex,numerator,denominator,value\n"
    "101,2023,non_western,all,600,1000,60\n"
    "101,2023,danish_origin,all,820,1000,\n"
    "84,2023,all,female,,,71.5\n"
)


def test_rates_with_numerator_denominator_or_value(tmp_path) -> None:
    f = write(tmp_path / "kk_employment.csv", GOOD)
    store = tmp_path / "s.duckdb"
    res = import_file(f, "employment_rate_25_64", store)
    assert res.observations == 3 and res.source == "file:kk_employment"
    df = read(store, "SELECT * FROM observations ORDER BY area_code, origin_group").set_index(
        ["area_code", "origin_group"]
    )
    assert df.loc[("101", "non_western"), "value"] == 60.0
    assert df.loc[("101", "danish_origin"), ["value", "numerator", "denominator"]].tolist() == [
        82.0,
        820.0,
        1000.0,
    ]
    region = df.loc[("084", "all")]  # '84' padded to the region code '084'
    assert region["value"] == 71.5 and math.isnan(region["numerator"]) and region["sex"] == "female"
    assert set(df["unit"]) == {"pct"} and set(df["source"]) == {"file:kk_employment"}
    imp = read(store, "SELECT * FROM imports").iloc[0]
    assert imp["sha256"] == digest(f) and imp["bytes"] == f.stat().st_size and imp["kind"] == "file"


def test_excel_semicolons_and_counts(tmp_path) -> None:
    xlsx = tmp_path / "pop.xlsx"
    pd.DataFrame(
        {"area_code": ["101", "147"], "year": [2024, 2024], "value": [650000, 104000]}
    ).to_excel(xlsx, index=False)
    store = tmp_path / "s.duckdb"
    import_file(xlsx, "population", store)
    df = read(
        store,
        "SELECT area_code, value, numerator, denominator, origin_group, sex FROM observations ORDER BY 1",
    )
    assert df.values.tolist() == [
        ["101", 650000.0, 650000.0, 650000.0, "all", "all"],
        ["147", 104000.0, 104000.0, 104000.0, "all", "all"],
    ]
    semi = write(
        tmp_path / "gap.csv", "\ufeffområde;år;herkomst;værdi\n101;2023;non_western;12,5\n"
    )
    import_file(semi, "employment_gap_25_64", store)
    gap = read(
        store, "SELECT value, unit FROM observations WHERE indicator_id = 'employment_gap_25_64'"
    )
    assert gap.values.tolist() == [[12.5, "pp"]]


@pytest.mark.parametrize(
    ("text", "indicator", "message", "rows"),
    [
        (GOOD, "nonexistent_rate", "unknown indicator 'nonexistent_rate'", []),
        ("year,value\n2023,5\n", "employment_rate_25_64", "missing column 'area_code'", []),
        (
            "area,year,value\n999,2023,5\n",
            "employment_rate_25_64",
            "unknown area codes: '999'",
            [1],
        ),
        (
            "area,year,group,value\n101,2023,asylum,5\n",
            "employment_rate_25_64",
            "unknown origin groups",
            [1],
        ),
        ("area,year,sex,value\n101,2023,M,5\n", "employment_rate_25_64", "unknown sex codes", [1]),
        (
            "area,year,numerator,denominator\n101,2023,12,10\n",
            "employment_rate_25_64",
            "numerator is above the denominator",
            [1],
        ),
        (
            "area,year,numerator,denominator,value\n101,2023,1,4,30\n",
            "employment_rate_25_64",
            "value differs",
            [1],
        ),
        ("area,year,value\n101,2023,130\n", "employment_rate_25_64", "a share must be 0-100", [1]),
        (
            "area,year,value\n101,2023,5\n101,2023,6\n",
            "employment_rate_25_64",
            "occur twice",
            [1, 2],
        ),
        ("area,year,value\n101,20x3,5\n", "employment_rate_25_64", "not a number", [1]),
        ("area,year,numerator\n101,2023,-4\n", "population", "cannot be negative", [1]),
        (
            "area,year\n101,2023\n",
            "employment_rate_25_64",
            "give value or both numerator and denominator",
            [1],
        ),
    ],
)
def test_bad_files_are_reported_and_import_nothing(
    tmp_path, text, indicator, message, rows
) -> None:
    store = register_store(tmp_path / "reg.duckdb")
    before = digest(store)
    f = write(tmp_path / "bad.csv", text)
    with pytest.raises(InputError, match=message) as err:
        import_file(f, indicator, store)
    assert err.value.rows == rows
    assert digest(store) == before


def test_register_cells_are_not_overwritten_without_replace(tmp_path) -> None:
    store = register_store(tmp_path / "reg.duckdb")
    f = write(tmp_path / "kk.csv", "area,year,value\n101,2022,70\n101,2023,71\n")
    before = digest(store)
    with pytest.raises(
        InputError,
        match=r"1 of the cells from file:kk are already in the store \(1 from registers\)",
    ):
        import_file(f, "employment_rate_25_64", store)
    assert digest(store) == before
    import_file(f, "employment_rate_25_64", store, replace=True)
    df = read(store, "SELECT year, value, source FROM observations ORDER BY year")
    assert df.values.tolist() == [[2022, 70.0, "file:kk"], [2023, 71.0, "file:kk"]]
    import_file(f, "employment_rate_25_64", store)  # the same source again: replaced quietly
    assert len(read(store, "SELECT * FROM observations")) == 2
    assert len(read(store, "SELECT * FROM imports")) == 2


def test_unsupported_or_missing_file(tmp_path) -> None:
    with pytest.raises(InputError, match="file not found"):
        import_file(tmp_path / "nope.csv", "population", tmp_path / "s.duckdb")
    odd = write(tmp_path / "figures.json", "{}")
    with pytest.raises(InputError, match="unsupported file type"):
        import_file(odd, "population", tmp_path / "s.duckdb")
