"""The store records its run, inputs and definitions; exports carry exactly the store's columns.

The store is built by the real pipeline from the hand-made delivery of test_indicators, so its
tiny cells are suppressed: the exports must carry them as suppressed, with empty numbers.
"""

from __future__ import annotations

import csv
import hashlib
import json
import subprocess
import sys

import duckdb
import openpyxl
import pyarrow.parquet as pq
import pytest

from barometer.errors import InputError
from barometer.pipeline import build_store
from barometer.publish.export import export_store as export
from barometer.store.read import read_run

from fixtures.deliveries import tiny_delivery as _delivery
from fixtures.registers import compute_raw

COLUMNS = [
    "indicator_id",
    "area_code",
    "year",
    "origin_group",
    "sex",
    "value",
    "numerator",
    "denominator",
    "unit",
    "status",
    "reason",
    "source",
    "preferred",
    "ci_low",
    "ci_high",
    "rank",
    "n_ranked",
]


@pytest.fixture(scope="module")
def store(tmp_path_factory):
    tmp = tmp_path_factory.mktemp("store")
    reg = _delivery(tmp)
    (reg / "manifest.json").write_text(json.dumps({"synthetic": True, "scale": 0.5, "seed": 3}))
    build_store(reg, tmp / "s.duckdb")
    return tmp / "s.duckdb", reg


def test_run_records_inputs_with_checksums(store):
    path, reg = store
    run = read_run(path)
    assert run.synthetic and run.scale == 0.5 and run.manifest["seed"] == 3
    with duckdb.connect(str(path), read_only=True) as con:
        inputs = dict(con.execute("SELECT path, sha256 FROM input_files").fetchall())
        defs = {r[0] for r in con.execute("SELECT indicator_id FROM definitions").fetchall()}
        stored = {r[0] for r in con.execute("SELECT indicator_id FROM observations").fetchall()}
        named = {  # indicators the stored goal sets name (their definitions are kept too)
            i["indicator_id"]
            for (spec,) in con.execute("SELECT spec FROM goal_sets").fetchall()
            for g in json.loads(spec)["goals"]
            for i in g["indicators"]
        }
        keys = con.execute(
            "SELECT count(*), count(DISTINCT (indicator_id, area_code, year, origin_group, sex)) "
            "FROM observations"
        ).fetchone()
    assert (
        inputs["bef202012.parquet"]
        == hashlib.sha256((reg / "bef202012.parquet").read_bytes()).hexdigest()
    )
    assert len(inputs) == len(list(reg.glob("*.parquet")))
    # One definition per indicator the store holds or a goal names, and the same indicators
    # as computed.
    assert stored == set(compute_raw(reg)["indicator_id"])
    assert defs == stored | named and "national_feels_included" in defs - stored
    assert keys[0] == keys[1]  # one row per key: a single source


def test_csv_export_has_exact_columns_and_the_store_rows(store, tmp_path):
    path, _ = store
    out = tmp_path / "x.csv"
    n = export(path, "csv", out, indicator="employment_rate_25_64", area="101")
    with out.open() as fh:
        rows = list(csv.reader(fh))
    assert rows[0] == COLUMNS
    assert len(rows) - 1 == n
    with duckdb.connect(str(path), read_only=True) as con:
        expected = con.execute(
            "SELECT count(*) FROM observations WHERE indicator_id = 'employment_rate_25_64' "
            "AND area_code = '101'"
        ).fetchone()[0]
    assert n == expected
    # 2 of 5 employed in 2020: too few, so the cell is suppressed and its numbers are empty.
    allrow = next(r for r in rows if r[3] == "all" and r[4] == "all" and r[2] == "2020")
    assert allrow[1] == "101" and allrow[9] == "suppressed_primary"
    assert allrow[5] == allrow[6] == allrow[7] == ""
    assert allrow[11] == "registers" and allrow[12] == "True"
    meta = json.loads((tmp_path / "x.csv.meta.json").read_text())
    assert meta["synthetic"] is True and "SYNTHETIC" in meta["notice"]


def test_parquet_and_excel_exports(store, tmp_path):
    path, _ = store
    export(path, "parquet", tmp_path / "x.parquet", indicator="population")
    t = pq.read_table(tmp_path / "x.parquet")
    assert t.column_names == COLUMNS
    assert json.loads(t.schema.metadata[b"barometer"])["synthetic"] is True
    export(path, "xlsx", tmp_path / "x.xlsx", area="000")
    wb = openpyxl.load_workbook(tmp_path / "x.xlsx")
    assert wb.sheetnames == ["observations", "about"]
    assert [c.value for c in wb["observations"][1]] == COLUMNS
    about = {r[0].value: r[1].value for r in wb["about"].iter_rows(min_row=2)}
    assert about["synthetic"] == "True" and "SYNTHETIC" in about["notice"]


def test_export_of_nothing_is_an_error(store, tmp_path):
    with pytest.raises(InputError, match="no observations for indicator nope"):
        export(store[0], "csv", tmp_path / "x.csv", indicator="nope")
    with pytest.raises(InputError, match="unknown format"):
        export(store[0], "pdf", tmp_path / "x.pdf")


def test_cli_exports_csv_to_stdout(store):
    proc = subprocess.run(
        [
            sys.executable,
            "-m",
            "barometer",
            "export",
            "--store",
            str(store[0]),
            "--indicator",
            "population",
            "--area",
            "751",
        ],
        capture_output=True,
        text=True,
        check=True,
    )
    lines = proc.stdout.splitlines()
    assert lines[0] == ",".join(COLUMNS)
    assert len(lines) == 1 + 2 * 11 * 3  # 2 years × 11 origin groups × 3 sexes
    assert "SYNTHETIC" in proc.stderr
