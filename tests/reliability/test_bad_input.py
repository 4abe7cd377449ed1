"""Issue #20 item 4: bad input gets a clear message, exit code 2 and no traceback, and
nothing is lost.

Each bad input goes through the real command line (a subprocess) beside a store that an
earlier command made. The test asserts the exit code, that the message names the file (and
the column where there is one), that no traceback is printed, that the store and its inputs
file are byte for byte what they were, and that the folder holds no new file (no temporary
copy, no half-written store). Upper-case file names and a delivery of SAS files alone are
valid: both build, end to end, to the same figures.
"""

from __future__ import annotations

import hashlib
import json
import os
import shutil
import subprocess
import sys
from pathlib import Path

import pandas as pd
import pyarrow as pa
import pyarrow.parquet as pq
import pytest

from fixtures.deliveries import tiny_delivery
from fixtures.stores import store_from_cells

FIGURES = "area,year,numerator,denominator\n101,2023,600,1000\n"


def barometer(*args: object, env: dict | None = None, timeout: int = 300):
    return subprocess.run(
        [sys.executable, "-m", "barometer", *map(str, args)],
        capture_output=True,
        text=True,
        timeout=timeout,
        env={**os.environ, **(env or {})},
    )


def snapshot(folder: Path) -> dict[str, str]:
    """Every file below ``folder`` (hidden ones too) with its SHA-256."""
    return {
        str(p.relative_to(folder)): hashlib.sha256(p.read_bytes()).hexdigest()
        for p in sorted(folder.rglob("*"))
        if p.is_file()
    }


@pytest.fixture(scope="module")
def made_store(tmp_path_factory) -> Path:
    """A store (and its inputs file) made by the pipeline: hand-made register cells."""
    folder = tmp_path_factory.mktemp("made")
    rows = [
        ["population", area, 2020, "all", "all", 1000.0, 1000.0, None, "count", "ok"]
        for area in ("101", "147")
    ]
    return store_from_cells(folder / "s.duckdb", rows)


@pytest.fixture
def work(tmp_path, made_store) -> Path:
    """A folder holding a copy of the made store, its inputs file and its lock file."""
    for p in made_store.parent.iterdir():
        shutil.copy2(p, tmp_path / p.name)
    return tmp_path


def refused(work: Path, proc, *needles: str) -> str:
    """The common checks of a refused command; returns its message on one line."""
    message = " ".join(proc.stderr.split())
    assert proc.returncode == 2, (proc.returncode, proc.stderr[-2000:])
    assert "Traceback" not in proc.stderr and "Traceback" not in proc.stdout
    assert message.count("error:") == 1, message
    for needle in needles:
        assert needle in message, (needle, message)
    return message


def assert_unchanged(work: Path, before: dict[str, str]) -> None:
    after = snapshot(work)
    made = {k for k in after if k not in before}
    assert not made, f"new files left behind: {sorted(made)}"
    for name, digest in before.items():
        assert after.get(name) == digest, f"{name} changed"


def test_manifest_scale_as_text_or_zero(work) -> None:
    reg = tiny_delivery(work)
    manifest = reg / "manifest.json"
    manifest.write_text("{}")
    before = snapshot(work)
    for scale in ("ten", 0, 2):
        manifest.write_text(json.dumps({"synthetic": True, "scale": scale}))
        proc = barometer("build", "--registers", reg, "--store", work / "s.duckdb")
        message = refused(work, proc, "manifest.json", "'scale' must be a number above 0")
        assert f"got {scale!r}" in message
    manifest.write_text("{not json")
    refused(work, barometer("build", "--registers", reg, "--store", work / "s.duckdb"),
            "manifest.json: not valid JSON")  # fmt: skip
    manifest.write_text("{}")
    assert_unchanged(work, before)


def nest(reg: Path, column: str) -> None:
    """Turn one column of bef202012.parquet into a nested one (a struct or a list)."""
    path = reg / "bef202012.parquet"
    table = pq.read_table(path)
    values = table.column(column).combine_chunks()
    if column == "FOED_DAG":
        nested = pa.array([[v] for v in values.to_pylist()])
    else:
        nested = pa.StructArray.from_arrays([values], names=["code"])
    i = table.schema.get_field_index(column)
    pq.write_table(table.set_column(i, column, nested), path)


def test_a_nested_parquet_column(work) -> None:
    reg = tiny_delivery(work)
    nest(reg, "PNR")  # used to pass validation as text such as "{'code': 'P01'}"
    before = snapshot(work)
    proc = barometer("build", "--registers", reg, "--store", work / "s.duckdb")
    message = refused(work, proc, "bef202012.parquet: column(s) PNR (STRUCT(", "nested type")
    assert "P01" not in message  # names the column, not a person
    assert_unchanged(work, before)
    for column in ("KOM", "FOED_DAG"):  # used to be "unknown code" or "not a date" per row
        fresh = tiny_delivery(work / column)
        nest(fresh, column)
        proc = barometer("validate", "--registers", fresh)
        message = refused(work, proc, f"bef202012.parquet: column(s) {column} (", "nested type")
        assert "rows" not in message


def test_years_without_data(work) -> None:
    reg = tiny_delivery(work)  # population files of 2015 and 2020
    before = snapshot(work)
    proc = barometer("build", "--registers", reg, "--store", work / "s.duckdb", "--years",
                     "1990-1992")  # fmt: skip
    refused(work, proc, "registers: --years 1990-1992: no population file",
            "data years 2015, 2020")  # fmt: skip
    assert "validate registers" not in proc.stderr  # stopped before any work
    proc = barometer("build", "--registers", reg, "--store", work / "s.duckdb", "--years", "20x")
    assert proc.returncode == 2 and "Traceback" not in proc.stderr  # typer's usage error
    assert "'20x': give years as 2012-2024" in " ".join(proc.stderr.split())
    assert_unchanged(work, before)


def test_a_disclosure_threshold_below_three(work) -> None:
    reg = tiny_delivery(work)
    before = snapshot(work)
    proc = barometer("build", "--registers", reg, "--store", work / "s.duckdb",
                     "--disclosure-threshold", "1")  # fmt: skip
    refused(work, proc, "disclosure_threshold", "greater than or equal to 3", "got 1")
    assert "validate registers" not in proc.stderr  # checked before the compute
    proc = barometer("refinish", "--store", work / "s.duckdb", "--disclosure-threshold", "2")
    refused(work, proc, "disclosure_threshold", "greater than or equal to 3", "got 2")
    proc = barometer("refinish", "--store", work / "s.duckdb",
                     env={"BAROMETER_DISCLOSURE_THRESHOLD": "0"})  # fmt: skip
    refused(work, proc, "disclosure_threshold", "greater than or equal to 3", "got '0'")
    assert_unchanged(work, before)


def test_a_store_that_is_a_folder_or_below_a_file(work) -> None:
    reg = tiny_delivery(work)
    (work / "folder.duckdb").mkdir()
    (work / "afile").write_text("x")
    figures = work / "kk.csv"
    figures.write_text(FIGURES)
    before = snapshot(work)
    folder, below, deeper = (work / "folder.duckdb", work / "afile" / "s.duckdb",
                             work / "afile" / "deeper" / "s.duckdb")  # fmt: skip
    for store, needle in [(folder, "folder.duckdb: is a folder"),
                          (below, "afile is a file, not a folder")]:  # fmt: skip
        proc = barometer("build", "--registers", reg, "--store", store)
        refused(work, proc, needle)
        assert "validate registers" not in proc.stderr  # checked before the compute
    for store, needle in [(folder, "folder.duckdb: is a folder"),
                          (deeper, "afile is a file, not a folder")]:  # fmt: skip
        proc = barometer("import", figures, "--indicator", "employment_rate_25_64", "--store",
                         store)  # fmt: skip
        refused(work, proc, needle)
    assert_unchanged(work, before)
    assert list(folder.iterdir()) == []


def test_an_empty_figures_file(work) -> None:
    before = snapshot(work)
    for text, needle in [
        ("", "the file is empty"),
        ("\ufeff\n \n", "the file is empty"),
        ("area,year,value\n", "the file has no data rows"),
    ]:
        figures = work / "input-empty.csv"
        figures.write_text(text, encoding="utf-8")
        proc = barometer("import", figures, "--indicator", "employment_rate_25_64", "--store",
                         work / "s.duckdb")  # fmt: skip
        refused(work, proc, "input-empty.csv", needle)
        figures.unlink()
    assert_unchanged(work, before)


def test_a_store_that_is_not_duckdb(work) -> None:
    figures = work / "kk.csv"
    figures.write_text(FIGURES)
    reg = tiny_delivery(work)
    garbage, empty = work / "other.duckdb", work / "empty.duckdb"
    garbage.write_bytes(b"not a database\n" * 300)
    empty.write_bytes(b"")
    before = snapshot(work)
    for target in (garbage, empty):
        proc = barometer("import", figures, "--indicator", "employment_rate_25_64", "--store",
                         target)  # fmt: skip
        refused(work, proc, target.name, "cannot be opened as a store")
    proc = barometer("build", "--registers", reg, "--store", garbage)
    refused(work, proc, "other.duckdb", "cannot be opened as a store")
    assert "validate registers" not in proc.stderr
    assert_unchanged(work, before)  # no temporary copy, no lock file, nothing written


def test_an_inputs_file_that_is_not_duckdb(work) -> None:
    figures = work / "kk.csv"
    figures.write_text(FIGURES)
    (work / "s.inputs.duckdb").write_bytes(b"not a database\n")
    before = snapshot(work)
    proc = barometer("import", figures, "--indicator", "employment_rate_25_64", "--store",
                     work / "s.duckdb")  # fmt: skip
    refused(work, proc, "s.inputs.duckdb")
    assert_unchanged(work, before)


# --- valid deliveries that used to fail: upper-case names and SAS files alone ---------------

SAS_RUNNER = """
import sys
from pathlib import Path

import pandas as pd
import pyreadstat


def read_sas7bdat(path, **_kw):
    # What pyreadstat returns for a SAS file: every number a float64 (SAS has one numeric
    # type), dates (DATE9.) as datetime.date, text as str. The bytes are the data as Parquet.
    frame = pd.read_parquet(path)
    for column in frame.columns:
        if pd.api.types.is_numeric_dtype(frame[column]):
            frame[column] = frame[column].astype("float64")
    return frame, None


pyreadstat.read_sas7bdat = read_sas7bdat
from barometer.cli import main

sys.argv = ["barometer", *sys.argv[1:]]
main()
"""


@pytest.fixture(scope="module")
def mini_delivery(tmp_path_factory) -> Path:
    """A synthetic Denmark at 0.2 % for 2021-2022, with housing areas (a second to write)."""
    from barometer.sources.synthetic import generate

    folder = tmp_path_factory.mktemp("mini") / "registers"
    generate(folder, scale=0.002, years=[2021, 2022], seed=3)
    return folder


def read_store(store: Path, sql: str) -> pd.DataFrame:
    import duckdb

    with duckdb.connect(str(store), read_only=True) as con:
        return con.execute(sql).df()


OBSERVATIONS = (
    "SELECT indicator_id, area_code, year, origin_group, sex, value, numerator, denominator, "
    "status FROM observations ORDER BY ALL"
)


def test_upper_case_names_and_a_sas_only_delivery_build_to_the_same_figures(
    mini_delivery, tmp_path
) -> None:
    upper, sas = tmp_path / "upper", tmp_path / "sas"
    upper.mkdir()
    sas.mkdir()
    for path in mini_delivery.iterdir():
        if path.suffix != ".parquet":
            shutil.copy(path, upper / path.name)
            shutil.copy(path, sas / path.name)
            continue
        shutil.copy(path, upper / (path.stem.upper() + ".parquet"))
        shutil.copy(path, sas / (path.stem.upper() + ".sas7bdat"))
    assert (upper / "BEF202212.parquet").is_file() and (sas / "BOLIGOMRAADER.sas7bdat").is_file()

    proc = barometer("build", "--registers", upper, "--store", tmp_path / "upper.duckdb")
    assert proc.returncode == 0, proc.stderr[-3000:]
    runner = tmp_path / "run_with_sas.py"
    runner.write_text(SAS_RUNNER)
    proc = subprocess.run(
        [sys.executable, runner, "build", "--registers", sas, "--store", tmp_path / "sas.duckdb"],
        capture_output=True, text=True, timeout=300,
    )  # fmt: skip
    assert proc.returncode == 0, proc.stderr[-3000:]

    by_upper = read_store(tmp_path / "upper.duckdb", OBSERVATIONS)
    by_sas = read_store(tmp_path / "sas.duckdb", OBSERVATIONS)
    housing = by_upper[by_upper["indicator_id"].str.startswith("housing_")]
    assert len(housing) and by_upper["indicator_id"].nunique() >= 15
    pd.testing.assert_frame_equal(by_upper, by_sas)
    lists = read_store(tmp_path / "upper.duckdb", "SELECT DISTINCT list_year FROM housing_areas")
    assert sorted(lists["list_year"]) == [2023]  # data 2021-2022 → the list of 2023
    files = read_store(tmp_path / "sas.inputs.duckdb", "SELECT path FROM input_files")
    delivered = {p.stem.upper() + ".sas7bdat" for p in mini_delivery.glob("*.parquet")}
    assert "BEF202112.sas7bdat" in delivered and set(files["path"]) == delivered
    assert files["path"].str.endswith(".sas7bdat").all()
