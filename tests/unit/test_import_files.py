"""``barometer import``: ready-made figures checked against the catalogue and the code lists,
then protected and kept like every other input of the store."""

from __future__ import annotations

import hashlib
import math
from pathlib import Path

import duckdb
import pandas as pd
import pytest

from barometer.catalogue import load_catalogue
from barometer.errors import InputError
from barometer.pipeline import add_inputs
from barometer.sources.files import figures_input
from barometer.store.write import inputs_path

from fixtures.stores import store_from_cells


def import_file(file: Path, indicator: str, store: Path, *, name: str | None = None):
    """What ``barometer import`` does: the file as an input, then the pipeline."""
    inp = figures_input(file, indicator, load_catalogue(), name=name)
    return add_inputs(store, [inp])


def read(store: Path, sql: str) -> pd.DataFrame:
    with duckdb.connect(str(store), read_only=True) as con:
        return con.execute(sql).df()


def digest(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def register_store(path: Path) -> Path:
    rows = [["employment_rate_25_64", "101", 2022, "all", "all", 75.0, 750.0, 1000.0, "pct", "ok"]]
    return store_from_cells(path, rows)


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
    assert res.observations == 3 and res.added == ["file:kk_employment"]
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
    imp = read(store, "SELECT * FROM inputs").iloc[0]
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
    before = digest(store), digest(inputs_path(store))
    f = write(tmp_path / "bad.csv", text)
    with pytest.raises(InputError, match=message) as err:
        import_file(f, indicator, store)
    assert err.value.rows == rows
    assert (digest(store), digest(inputs_path(store))) == before
    assert sorted(p.name for p in tmp_path.iterdir() if p.name.endswith(".tmp")) == []


def test_figures_sit_beside_register_figures_and_a_new_import_replaces_its_own(tmp_path) -> None:
    store = register_store(tmp_path / "reg.duckdb")
    f = write(tmp_path / "kk.csv", "area,year,value\n101,2022,70\n101,2023,71\n")
    res = import_file(f, "employment_rate_25_64", store)
    assert res.kept == ["registers"] and res.added == ["file:kk"]
    df = read(
        store,
        "SELECT year, value, source, preferred FROM observations ORDER BY year, source",
    )
    # The register cell (2022) and the file's cells side by side; the registers are preferred
    # for the indicator, so every cell of the file is marked as not preferred.
    assert df.values.tolist() == [
        [2022, 70.0, "file:kk", False],
        [2022, 75.0, "registers", True],
        [2023, 71.0, "file:kk", False],
    ]
    write(f, "area,year,value\n101,2023,72\n")
    res = import_file(f, "employment_rate_25_64", store)  # the same source again: replaced
    assert res.replaced == ["file:kk"]
    df = read(store, "SELECT year, value, source FROM observations ORDER BY year, source")
    assert df.values.tolist() == [[2022, 75.0, "registers"], [2023, 72.0, "file:kk"]]
    assert len(read(store, "SELECT * FROM inputs")) == 2


def test_imported_counts_below_the_threshold_are_suppressed_like_register_cells(tmp_path) -> None:
    # 1 of 3 persons employed: every count of the cell (1, 3 and the 2 not employed) is below
    # the threshold of 5, so the cell is published suppressed, with no numbers.
    f = write(
        tmp_path / "small.csv",
        "area,year,numerator,denominator\n101,2023,1,3\n101,2022,600,1000\n",
    )
    store = tmp_path / "s.duckdb"
    import_file(f, "employment_rate_25_64", store)
    df = read(
        store, "SELECT year, value, numerator, denominator, status, reason FROM observations"
    ).set_index("year")
    small = df.loc[2023]
    assert small["status"] == "suppressed_primary"
    assert small["reason"] == "denominator_below_threshold"
    assert small[["value", "numerator", "denominator"]].isna().all()
    assert df.loc[2022, "status"] == "ok" and df.loc[2022, "value"] == 60.0


def test_unsupported_or_missing_file(tmp_path) -> None:
    with pytest.raises(InputError, match="file not found"):
        import_file(tmp_path / "nope.csv", "population", tmp_path / "s.duckdb")
    odd = write(tmp_path / "figures.json", "{}")
    with pytest.raises(InputError, match="unsupported file type"):
        import_file(odd, "population", tmp_path / "s.duckdb")
