"""Parsing every StatBank format we hold: recorded bodies (real) and constructed ones.

Expected values are read by eye from the fixture files (tests/data/statbank/README.md), not
from parser output.
"""

from __future__ import annotations

import json
import math

import pytest

from barometer.sources.statbank.errors import LayoutError
from barometer.sources.statbank.parse import (
    parse_csv,
    parse_csv_labels,
    parse_jsonstat,
    parse_number,
)
from barometer.sources.statbank.tableinfo import parse_tableinfo

from fixtures.statbank_server import CONSTRUCTED, RECORDED


def straf42(lang: str = "en"):
    name = "table_info_straf42.body.json" if lang == "en" else "table_info_straf42_da.body.json"
    return parse_tableinfo((RECORDED / name).read_bytes().decode("utf-8"), "STRAF42")


def test_recorded_tableinfo_in_both_languages_has_the_same_codes() -> None:
    en, da = straf42("en"), straf42("da")
    assert [v.id for v in en.variables] == [
        "HERKOMST1",
        "OVERTRÆD",
        "AFGØRELSE",
        "ALDER",
        "KØN",
        "Tid",
    ]
    assert [v.id for v in da.variables] == [v.id for v in en.variables]
    assert en.variable("herkomst1").codes() == da.variable("HERKOMST1").codes()
    assert en.variable("HERKOMST1").values[0] == ("00", "Total")
    assert da.variable("HERKOMST1").values[0] == ("00", "I alt")
    assert en.time_variable().id == "Tid"
    assert en.time_variable().codes()[0] == "1995" and en.time_variable().codes()[-1] == "2024"
    assert en.updated == "2025-03-25T08:00:00"
    assert en.variable("KØN").codes() == ["TOT", "M", "K", "VIRKSOMHEDER"]


def test_recorded_csv_with_bom_crlf_and_labels_decodes_to_codes() -> None:
    # Recorded with valuePresentation=Default: the cell says "Total", tableinfo says code 00,
    # and the header says TID where tableinfo says Tid.
    raw = (RECORDED / "data_straf42_csv.body.csv").read_bytes()
    assert raw.startswith(b"\xef\xbb\xbf") and raw.endswith(b"\r\n")
    df = parse_csv(raw.decode("utf-8"), straf42())
    assert list(df.columns) == ["HERKOMST1", "Tid", "value", "suppressed"]
    assert df.to_dict("records") == [
        {"HERKOMST1": "00", "Tid": "2023", "value": 233454.0, "suppressed": False}
    ]


def test_recorded_jsonstat_bodies() -> None:
    one = parse_jsonstat((RECORDED / "data_straf42_json.body.json").read_text("utf-8"), straf42())
    assert one.to_dict("records") == [
        {"HERKOMST1": "00", "Tid": "2023", "value": 233454.0, "suppressed": False}
    ]
    everything = parse_jsonstat(
        (RECORDED / "data_straf42_all.body.json").read_text("utf-8"), straf42()
    )
    assert everything.to_dict("records") == [
        {"Tid": "2024", "value": 227774.0, "suppressed": False}
    ]


def test_recorded_csv_exports_of_folk1am_and_folk1a() -> None:
    da = parse_csv_labels(
        (RECORDED / "FOLK1AM_omraade_2021M10-2024M04_Mujemula.csv").read_text("utf-8")
    )
    assert list(da.columns) == ["OMRÅDE", "TID", "value", "suppressed"]
    assert len(da) == 105 * 31  # 105 areas, 2021M10-2024M04
    assert da.iloc[0].tolist()[:3] == ["Hele landet", "2021M10", 5867412.0]
    cph = da[(da["OMRÅDE"] == "København") & (da["TID"] == "2021M10")]
    assert cph["value"].tolist() == [643613.0]
    en = parse_csv_labels(
        (RECORDED / "FOLK1AM_omraade_2021M10-2026M02_Hedegreen_en.csv").read_text("utf-8")
    )
    assert len(en) == 105 * 53
    assert en.iloc[-1].tolist()[:5] == ["Aalborg", "Total", "Age, total", "2026M02", 226113.0]
    q = parse_csv_labels(
        (RECORDED / "FOLK1A_omraade_Q1_2008-2022_Hedegreen_en.csv").read_text("utf-8")
    )
    assert len(q) == 105 * 5
    assert q[(q["OMRÅDE"] == "Copenhagen") & (q["TID"] == "2022Q1")]["value"].tolist() == [644431.0]


def test_english_time_labels_map_back_to_codes_through_tableinfo() -> None:
    # FOLK1A's English CSV writes 2022Q1 for the code 2022K1; the constructed FOLK1E
    # tableinfo has the same label convention, so decoding goes label → code.
    info = parse_tableinfo((CONSTRUCTED / "tableinfo_FOLK1E.json").read_text("utf-8"), "FOLK1E")
    text = "\ufeffOMRÅDE;KØN;ALDER;HERKOMST;TID;INDHOLD\r\nCopenhagen;Total;Age, total;Total;2022Q1;644431\r\n"
    text = text.replace("Copenhagen", "København")  # DST's own name in our code list
    df = parse_csv(text, info)
    assert df.iloc[0].tolist()[:5] == ["101", "TOT", "IALT", "TOT", "2022K1"]


def test_numbers_comma_decimals_and_suppressed_cells() -> None:
    assert parse_number("76,5") == 76.5
    assert parse_number("1234") == 1234.0
    assert parse_number("..") is None
    with pytest.raises(LayoutError, match="not a number"):
        parse_number("12a")
    info = parse_tableinfo((CONSTRUCTED / "tableinfo_RAS200.json").read_text("utf-8"), "RAS200")
    text = (
        "\ufeffOMRÅDE;HERKOMST;ALDER;KØN;BEREGNING;TID;INDHOLD\r\n"
        "101;25;16-64;TOT;BFK;2023;58,4\r\n"
        "101;35;16-64;TOT;BFK;2023;..\r\n"
    )
    df = parse_csv(text, info)
    assert df["value"].iloc[0] == 58.4 and not df["suppressed"].iloc[0]
    assert math.isnan(df["value"].iloc[1]) and df["suppressed"].iloc[1]


def test_every_constructed_fixture_parses_with_its_tableinfo() -> None:
    expected_rows = {"FOLK1E": 144, "RAS200": 576, "RAS201": 2880, "STRAFNA9": 128}
    for table, n in expected_rows.items():
        info = parse_tableinfo((CONSTRUCTED / f"tableinfo_{table}.json").read_text("utf-8"), table)
        df = parse_csv((CONSTRUCTED / f"data_{table}.bulk.csv").read_bytes().decode("utf-8"), info)
        assert len(df) == n, table
    raw = json.loads((CONSTRUCTED / "tableinfo_FOLK1E.json").read_text("utf-8"))
    ref = json.loads((RECORDED / "table_info_straf42.body.json").read_text("utf-8"))
    assert set(raw) == set(ref)  # the same top-level structure as the real recording


def test_unknown_column_or_code_is_a_layout_error() -> None:
    info = straf42()
    with pytest.raises(LayoutError, match="no variable 'REGION'"):
        parse_csv("REGION;TID;INDHOLD\r\n101;2023;5\r\n", info)
    with pytest.raises(LayoutError, match="'Martians' is not a code or label of HERKOMST1"):
        parse_csv("HERKOMST1;TID;INDHOLD\r\nMartians;2023;5\r\n", info)
    with pytest.raises(LayoutError, match="line 2 has 2 fields"):
        parse_csv("HERKOMST1;TID;INDHOLD\r\n00;2023\r\n", info)
    with pytest.raises(LayoutError, match="expected INDHOLD"):
        parse_csv("HERKOMST1;TID\r\n00;2023\r\n", info)
