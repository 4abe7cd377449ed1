"""A corpus of bad deliveries: each gives a clear error (file, column, row) and writes no store."""

from __future__ import annotations

import datetime as dt
import subprocess
import sys

import pytest

from fixtures.registers import person, write_register

D = dt.date.fromisoformat


def good_people():
    return [
        person("1", "1980-01-01", "m", "101"),
        person("2", "1990-05-05", "f", "147", 2, "5486", "2000-01-01"),
        person("3", "2000-02-02", "m", "751", 3, "5172"),
    ]


def write_good(reg, people=None, fmt="parquet"):
    write_register(reg, "bef202012", people or good_people(), fmt)
    write_register(reg, "akm2020", [{"PNR": "1", "SOCIO13": 131}, {"PNR": "2", "SOCIO13": 210}])


def mutate_bef(field, value, row=1, fmt="parquet"):
    def apply(reg):
        people = good_people()
        people[row][field] = value
        write_good(reg, people, fmt)

    return apply


def csv_bef_with(field, text):
    """A CSV bef whose second data row has raw text in one column."""

    def apply(reg):
        write_good(reg, fmt="csv")
        path = reg / "bef202012.csv"
        lines = path.read_text().splitlines()
        header = lines[0].split(",")
        cells = lines[2].split(",")
        cells[header.index(field)] = text
        lines[2] = ",".join(cells)
        path.write_text("\n".join(lines) + "\n")

    return apply


def extra(stem, rows):
    def apply(reg):
        write_good(reg)
        write_register(reg, stem, rows)

    return apply


def drop_column(reg):
    people = good_people()
    for p in people:
        del p["KOM"]
    import pyarrow as pa
    import pyarrow.parquet as pq

    reg.mkdir(parents=True, exist_ok=True)
    pq.write_table(pa.Table.from_pylist(people), reg / "bef202012.parquet")


def empty_file(reg):
    write_good(reg)
    (reg / "akm2020.parquet").write_bytes(b"")


def header_only(reg):
    write_good(reg)
    (reg / "akm2020.parquet").unlink()
    (reg / "akm2020.csv").write_text("PNR,SOCIO13\n")


def corrupt_parquet(reg):
    write_good(reg)
    (reg / "akm2020.parquet").write_bytes(b"PAR1 this is not really parquet at all")


def duplicate_files(reg):
    write_good(reg)
    write_register(reg, "akm2020", [{"PNR": "1", "SOCIO13": 131}], fmt="csv")


def no_population(reg):
    write_register(reg, "akm2020", [{"PNR": "1", "SOCIO13": 131}])


def spell(**kw):
    base = {
        "PNR": "1",
        "PTI_TILSTAND_KODE": "1111",
        "PTI_VFRA": D("2020-01-01"),
        "PTI_VTIL": D("2020-06-30"),
        "GRADAAR": 0.5,
    }
    return [base | kw]


CASES = [
    # (id, make the delivery, substrings the error must contain)
    ("missing column", drop_column, ["bef202012.parquet", "missing column(s) KOM"]),
    (
        "unknown municipality",
        mutate_bef("KOM", "999"),
        ["bef202012.parquet", "column KOM", "row 2", "unknown municipality code"],
    ),
    (
        "unknown country",
        mutate_bef("OPR_LAND", "9999"),
        ["column OPR_LAND", "row 2", "unknown country code"],
    ),
    (
        "duplicate PNR",
        mutate_bef("PNR", "1", row=2),
        ["column PNR", "duplicate PNR", "rows sharing a PNR: 1, 3"],
    ),
    ("IE_TYPE out of range", mutate_bef("IE_TYPE", 4, row=0), ["column IE_TYPE", "row 1"]),
    ("KOEN out of range", mutate_bef("KOEN", 3), ["column KOEN", "KOEN must be 1"]),
    (
        "age not a number (CSV)",
        csv_bef_with("ALDER", "abc"),
        ["bef202012.csv", "column ALDER", "row 2", "cannot be read as int"],
    ),
    (
        "date not a date (CSV)",
        csv_bef_with("FOED_DAG", "2020-13-45"),
        ["column FOED_DAG", "row 2", "cannot be read as date"],
    ),
    ("missing PNR (CSV)", csv_bef_with("PNR", ""), ["column PNR", "row 2", "missing value"]),
    ("empty file", empty_file, ["akm2020.parquet", "the file is empty"]),
    ("header only", header_only, ["akm2020.csv", "header but no rows"]),
    ("corrupt parquet", corrupt_parquet, ["akm2020.parquet", "cannot be read as parquet"]),
    ("two files for one register", duplicate_files, ["two files for the same register"]),
    ("no population file", no_population, ["no population files"]),
    (
        "unknown SOCIO13",
        extra("akm2020", [{"PNR": "1", "SOCIO13": 999}]),
        ["akm2020.parquet", "column SOCIO13", "unknown SOCIO13 code"],
    ),
    (
        "unknown HFAUDD",
        extra("udda202009", [{"PNR": "1", "HFAUDD": "ABC"}]),
        ["udda202009.parquet", "column HFAUDD", "unknown HFAUDD code"],
    ),
    ("GRADAAR above 1", extra("of2020", spell(GRADAAR=1.5)), ["column GRADAAR", "0-1"]),
    (
        "spell ends before start",
        extra("of2020", spell(PTI_VTIL=D("2019-01-01"))),
        ["column PTI_VTIL", "ends before it starts"],
    ),
    (
        "mark off the scale",
        extra(
            "udfk",
            [
                {
                    "PNR": "1",
                    "SKOLEAAR": "2019/2020",
                    "GRUNDSKOLEFAG": "Dansk",
                    "FAGDISCIPLIN": "Mundtlig",
                    "KLTRIN": 9,
                    "GRUNDSKOLEKARAKTER": 5.0,
                }
            ],
        ),
        ["udfk.parquet", "column GRUNDSKOLEKARAKTER", "7-point scale"],
    ),
    (
        "short offence code",
        extra(
            "kraf",
            [{"PNR": "1", "AFG_AFGOEDTO": D("2020-01-01"), "AFG_GER7": "12", "AFG_AFGTYP3": 11}],
        ),
        ["kraf.parquet", "column AFG_GER7", "7 digits"],
    ),
    (
        "immigration before birth",
        mutate_bef("FOERSTE_INDVANDRING", D("1980-01-01")),
        ["column FOERSTE_INDVANDRING", "before the date of birth"],
    ),
    (
        "duplicate PNR in akm",
        extra("akm2020", [{"PNR": "1", "SOCIO13": 131}, {"PNR": "1", "SOCIO13": 210}]),
        ["akm2020.parquet", "duplicate PNR"],
    ),
    (
        "duplicate PNR in udda, unsorted",
        extra(
            "udda202009",
            [{"PNR": p, "HFAUDD": "1"} for p in ("2", "1", "2", "3", "1")],
        ),
        ["udda202009.parquet", "column PNR", "2 duplicate PNR", "rows sharing a PNR: 1, 3; 2, 5"],
    ),
]


def run_build(reg, store):
    return subprocess.run(
        [
            sys.executable,
            "-m",
            "barometer",
            "build",
            "--registers",
            str(reg),
            "--store",
            str(store),
        ],
        capture_output=True,
        text=True,
        timeout=120,
    )


@pytest.mark.parametrize(("make", "expected"), [c[1:] for c in CASES], ids=[c[0] for c in CASES])
def test_bad_input_gives_clear_error_and_no_store(tmp_path, make, expected):
    reg = tmp_path / "reg"
    make(reg)
    store = tmp_path / "store.duckdb"
    proc = run_build(reg, store)
    assert proc.returncode == 2, proc.stderr
    message = " ".join(proc.stderr.split())
    for part in expected:
        assert part in message, f"{part!r} not in {message!r}"
    assert "Traceback" not in proc.stderr
    assert not store.exists()
    assert list(tmp_path.glob("*.tmp")) == [] and list(tmp_path.glob(".*.tmp")) == []


def test_failed_build_keeps_the_previous_store(tmp_path):
    reg = tmp_path / "reg"
    write_good(reg)
    store = tmp_path / "store.duckdb"
    assert run_build(reg, store).returncode == 0
    inputs = tmp_path / "store.inputs.duckdb"
    before = store.read_bytes(), inputs.read_bytes()
    corrupt_parquet(reg)
    proc = run_build(reg, store)
    assert proc.returncode == 2
    assert (store.read_bytes(), inputs.read_bytes()) == before
    # No temporary file is left; the hidden writer lock stays (removing it would race).
    names = sorted(p.name for p in tmp_path.iterdir())
    assert names == [".store.duckdb.lock", "reg", "store.duckdb", "store.inputs.duckdb"]


def test_every_problem_is_listed_at_once(tmp_path):
    reg = tmp_path / "reg"
    people = good_people()
    people[0]["KOM"] = "998"
    people[2]["KOEN"] = 7
    write_good(reg, people)
    proc = run_build(reg, tmp_path / "s.duckdb")
    assert "2 problem(s)" in proc.stderr
    assert "column KOM" in proc.stderr and "column KOEN" in proc.stderr
