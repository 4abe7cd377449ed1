"""Issue #20 item 6: implausible values are warnings up to a limit and problems past it.

Each delivery has 1,000 rows in the file under test; the limit is 0.1 % of a file's rows
(docs/registers.md), so one implausible row is a warning and two stop the build.
"""

from __future__ import annotations

import datetime as dt

import duckdb
import pytest

from barometer.errors import InputError
from barometer.sources.registers import PLAUSIBLE_SHARE, load_delivery

from fixtures.registers import person, write_register

D = dt.date.fromisoformat
N = 1000


def spell(pnr, start="2020-02-01", end="2020-05-31"):
    return {
        "PNR": pnr,
        "PTI_TILSTAND_KODE": "1111",
        "PTI_VFRA": D(start),
        "PTI_VTIL": D(end),
        "GRADAAR": 0.33,
    }


def decision(pnr, day="2020-03-01"):
    return {"PNR": pnr, "AFG_AFGOEDTO": D(day), "AFG_GER7": "1234000", "AFG_AFGTYP3": 11}


def course(pnr, start="2016-01-04", test="2019-06-01"):
    return {
        "PNR": pnr,
        "KURSISTTYPE": "I",
        "STARTDATO": D(start),
        "PROEVE": "PD2",
        "PROEVEDATO": D(test),
        "BESTAAET": 1,
    }


def clean_rows() -> dict[str, list[dict]]:
    pnrs = [f"{i:010d}" for i in range(N)]
    people = [
        person(p, "1985-03-03", "mf"[i % 2], "101", 2, "5486", "2010-06-01")
        for i, p in enumerate(pnrs)
    ]
    return {
        "bef202012": people,
        "of2020": [spell(p) for p in pnrs],
        "kraf": [decision(p) for p in pnrs],
        "danskuddannelse": [course(p) for p in pnrs],
    }


def write(tmp_path, rows):
    registers = tmp_path / "registers"
    for stem, table in rows.items():
        write_register(registers, stem, table)
    return registers


# (case id, file stem, column, change to a row, words the message must contain)
CASES = [
    ("age does not fit the birth date", "bef202012", "ALDER", {"ALDER": 38}, "ALDER is not 2020"),
    (
        "born in 1700",
        "bef202012",
        "FOED_DAG",
        {"FOED_DAG": D("1700-01-01"), "FOERSTE_INDVANDRING": D("1720-01-01")},
        "date of birth: outside 1895-01-01 to 2020-12-31",
    ),
    (
        "born in 2099",
        "bef202012",
        "FOED_DAG",
        {"FOED_DAG": D("2099-01-01"), "FOERSTE_INDVANDRING": None},
        "date of birth: outside 1895-01-01 to 2020-12-31",
    ),
    (
        "immigrated after the snapshot",
        "bef202012",
        "FOERSTE_INDVANDRING",
        {"FOERSTE_INDVANDRING": D("2030-01-01")},
        "first immigration date: outside",
    ),
    (
        "spell from 1900",
        "of2020",
        "PTI_VFRA",
        {"PTI_VFRA": D("1900-01-01")},
        "spell start: outside 1980-01-01 to 2020-12-31",
    ),
    (
        "spell to 9999",
        "of2020",
        "PTI_VTIL",
        {"PTI_VTIL": D("9999-12-31")},
        "spell end: outside 2020-01-01 to 2021-12-31",
    ),
    (
        "decision in 2150",
        "kraf",
        "AFG_AFGOEDTO",
        {"AFG_AFGOEDTO": D("2150-01-01")},
        "decision date: outside 1980-01-01 to 2021-12-31",
    ),
    (
        "test in 2150",
        "danskuddannelse",
        "PROEVEDATO",
        {"PROEVEDATO": D("2150-01-01")},
        "test date: outside 1980-01-01 to 2021-12-31",
    ),
]


def test_a_clean_delivery_has_no_plausibility_warning(tmp_path) -> None:
    delivery = load_delivery(write(tmp_path, clean_rows()), duckdb.connect())
    assert delivery.warnings == []


@pytest.mark.parametrize(
    ("stem", "column", "change", "words"), [c[1:] for c in CASES], ids=[c[0] for c in CASES]
)
def test_one_implausible_row_is_a_warning_naming_file_column_and_row(
    tmp_path, stem, column, change, words
) -> None:
    rows = clean_rows()
    rows[stem][6] |= change  # data row 7
    delivery = load_delivery(write(tmp_path, rows), duckdb.connect())
    ours = [w for w in delivery.warnings if f"column {column}:" in w]
    assert len(ours) == 1, delivery.warnings
    assert f"{stem}.parquet: column {column}: row 7: " in ours[0]
    assert words in ours[0] and "1 of 1,000 rows" in ours[0] and "kept" in ours[0]
    assert rows[stem][6]["PNR"] not in ours[0]


@pytest.mark.parametrize(
    ("stem", "column", "change", "words"), [c[1:] for c in CASES], ids=[c[0] for c in CASES]
)
def test_implausible_rows_past_the_limit_stop_the_build(
    tmp_path, stem, column, change, words
) -> None:
    rows = clean_rows()
    bad = int(PLAUSIBLE_SHARE * N) + 1  # one more than the limit allows
    for i in range(bad):
        rows[stem][10 + i] |= change
    with pytest.raises(InputError) as caught:
        load_delivery(write(tmp_path, rows), duckdb.connect())
    message = str(caught.value)
    assert f"{stem}.parquet: column {column}: rows 11, 12: " in message and words in message
    assert f"{bad} of 1,000 rows" in message and "more than 0.1 %" in message
