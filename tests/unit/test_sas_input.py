"""SAS deliveries: read through pyreadstat, then typed and validated like any other file.

pyreadstat can read .sas7bdat but cannot write it, so no real SAS file can be made here; the test
replaces pyreadstat's reader with one that returns what it returns for a SAS file (numerics as
float64, as REGISTERS.md §2 notes for real deliveries) and checks our typing and validation."""

from __future__ import annotations

import datetime as dt

import duckdb
import pandas as pd
import pyreadstat
import pytest

from barometer.errors import InputError
from barometer.sources.registers import load_delivery


def sas_frames(kom_second="147"):
    bef = pd.DataFrame(
        {
            "PNR": ["0001", "0002"],
            "FOED_DAG": [dt.date(1980, 1, 1), dt.date(1990, 2, 2)],
            "ALDER": [40.0, 30.0],
            "KOEN": [1.0, 2.0],
            "KOM": [101.0, float(kom_second)],
            "IE_TYPE": [1.0, 2.0],
            "OPR_LAND": [5100.0, 5486.0],
            "FOERSTE_INDVANDRING": [None, dt.date(2000, 1, 1)],
            "ADRESSE_ID": ["a", "b"],
        }
    )
    akm = pd.DataFrame({"PNR": ["0001"], "SOCIO13": [131.0]})
    return {"bef202012.sas7bdat": bef, "akm2020.sas7bdat": akm}


def fake_reader(frames):
    def read(path, **_kw):
        from pathlib import Path

        return frames[Path(path).name].copy(), None

    return read


def test_sas_numerics_become_codes(tmp_path, monkeypatch):
    frames = sas_frames()
    for name in frames:
        (tmp_path / name).write_bytes(b"sas")  # content is read by the replaced reader
    monkeypatch.setattr(pyreadstat, "read_sas7bdat", fake_reader(frames))
    con = duckdb.connect()
    load_delivery(tmp_path, con)
    rows = con.execute(
        "SELECT PNR, KOM, OPR_LAND, KOEN, ALDER FROM bef_2020 ORDER BY PNR"
    ).fetchall()
    assert rows == [("0001", "101", "5100", 1, 40), ("0002", "147", "5486", 2, 30)]
    assert con.execute("SELECT SOCIO13 FROM akm_2020").fetchone() == (131,)


def test_sas_bad_code_is_reported_with_row(tmp_path, monkeypatch):
    frames = sas_frames(kom_second="999")
    for name in frames:
        (tmp_path / name).write_bytes(b"sas")
    monkeypatch.setattr(pyreadstat, "read_sas7bdat", fake_reader(frames))
    with pytest.raises(InputError, match=r"bef202012.sas7bdat: column KOM: row 2: unknown"):
        load_delivery(tmp_path, duckdb.connect())
