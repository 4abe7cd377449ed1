"""``barometer statbank fetch`` end to end against the local replay server: the tables become
inputs of the store, filling catalogue indicators under ``statbank:<TABLE>`` sources.

Expected values come from the fixture files read here with the csv module (independent of
the parser) and from sums done by hand, never from the fetch's own output.
"""

from __future__ import annotations

import csv
import hashlib
import json
import math
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import duckdb
import pandas as pd
import pytest

from barometer.catalogue import load_catalogue
from barometer.pipeline import add_inputs
from barometer.sources.statbank import LayoutError, StatbankError, fetch_tables
from barometer.sources.statbank.mapping import load_mappings
from barometer.sources.statbank.parse import parse_csv
from barometer.sources.statbank.tableinfo import parse_tableinfo
from barometer.sources.statbank.transform import plan_request, to_observations
from barometer.store.write import inputs_path

from fixtures.statbank_server import (
    CONSTRUCTED,
    ReplayServer,
    Reply,
    json_reply,
    serve,
)
from fixtures.stores import store_from_cells


@dataclass
class Fetched:
    tables: list
    notes: list
    requests_sent: int


def fetch_into_store(store, tables, years, base_url, cache_dir=None) -> Fetched:
    """What ``barometer statbank fetch`` does: fetch the tables as inputs, then the pipeline."""
    got = fetch_tables(load_catalogue(), tables, years, base_url, cache_dir)
    add_inputs(store, got.inputs)
    return Fetched(got.tables, got.notes, got.requests_sent)


def digests(store: Path) -> tuple[str, str]:
    return tuple(hashlib.sha256(p.read_bytes()).hexdigest() for p in (store, inputs_path(store)))


@pytest.fixture
def replay() -> Iterator[ReplayServer]:
    yield from serve()


TABLES = ("FOLK1E", "RAS200", "RAS201", "STRAFNA9")


def cube(table: str) -> dict[tuple[str, ...], str]:
    """The constructed BULK file as {codes: cell text}, read with the csv module."""
    with (CONSTRUCTED / f"data_{table}.bulk.csv").open(encoding="utf-8-sig", newline="") as fh:
        rows = list(csv.reader(fh, delimiter=";"))
    return {tuple(r[:-1]): r[-1] for r in rows[1:]}


def read(store: Path, sql: str) -> pd.DataFrame:
    with duckdb.connect(str(store), read_only=True) as con:
        return con.execute(sql).df()


def cell(store: Path, ind: str, area: str, year: int, origin: str, sex: str) -> dict:
    df = read(
        store,
        f"SELECT * FROM observations WHERE indicator_id = '{ind}' AND area_code = '{area}' "
        f"AND year = {year} AND origin_group = '{origin}' AND sex = '{sex}'",
    )
    assert len(df) == 1, (ind, area, year, origin, sex)
    return df.iloc[0].to_dict()


def register_store(path: Path) -> Path:
    """A tiny register store: two population cells of København."""
    rows = [
        ["population", "101", 2023, "all", "all", 650000.0, 650000.0, 650000.0, "count", "ok"],
        ["population", "101", 2023, "non_western", "all", 120000.0, 120000.0, 120000.0,
         "count", "ok"],
    ]  # fmt: skip
    return store_from_cells(path, rows, synthetic=True, scale=0.1)


@pytest.fixture
def server(replay: ReplayServer) -> ReplayServer:
    for t in TABLES:
        replay.add_table(t)
    return replay


def test_fetch_writes_every_mapped_table_with_source_and_provenance(server, tmp_path) -> None:
    store = tmp_path / "new.duckdb"
    res = fetch_into_store(store, list(TABLES), [2023], server.base_url, tmp_path / "cache")
    assert [t.table for t in res.tables] == list(TABLES)
    sources = read(store, "SELECT DISTINCT indicator_id, source FROM observations ORDER BY 1")
    assert sources.values.tolist() == [
        ["convicted_persons_all_offences", "statbank:STRAFNA9"],
        ["employment_rate_16_64", "statbank:RAS200"],
        ["employment_rate_25_64", "statbank:RAS201"],
        ["population", "statbank:FOLK1E"],
    ]
    imports = read(store, "SELECT * FROM inputs ORDER BY source")
    assert imports["source"].tolist() == [f"statbank:{t}" for t in sorted(TABLES)]
    folk = imports[imports["source"] == "statbank:FOLK1E"].iloc[0]
    request = json.loads(folk["request"])
    assert request["data"]["url"] == f"{server.base_url}/data"
    assert request["data"]["body"]["table"] == "FOLK1E"
    assert request["data"]["body"]["format"] == "BULK"
    sent = [b for p, b in server.log if p.endswith("/data") and b["table"] == "FOLK1E"]
    assert request["data"]["body"] == sent[0]  # exactly the request the server got
    assert {"code": "Tid", "values": ["2023K1"]} in sent[0]["variables"]
    assert {"code": "ALDER", "values": ["IALT"]} in sent[0]["variables"]
    assert json.loads(folk["details"])["table_updated"] == "2025-02-11T08:00:00"
    defs = read(store, "SELECT indicator_id, spec FROM definitions ORDER BY 1")
    spec = json.loads(defs.set_index("indicator_id").loc["population", "spec"])
    assert spec["unit"] == "count" and spec["kind"] == "count"  # the catalogue's definition
    notes = read(store, "SELECT * FROM indicator_sources").set_index("indicator_id")
    folk_notes = json.loads(notes.loc["population", "notes"])
    assert "1. januar" in folk_notes[0]["da"] and "1 January" in folk_notes[0]["en"]
    assert bool(notes.loc["population", "preferred"])  # the only source of it here
    run = read(store, "SELECT source_kind, synthetic FROM runs")
    assert run.values.tolist() == [["statbank", False]]


def test_folk1e_counts_rollups_and_a_suppressed_cell(server, tmp_path) -> None:
    store = tmp_path / "s.duckdb"
    fetch_into_store(store, ["FOLK1E"], [2024], server.base_url)
    c = cube("FOLK1E")
    got = cell(store, "population", "101", 2024, "all", "all")
    assert got["value"] == float(c[("101", "TOT", "IALT", "TOT", "2024K1")])
    assert got["numerator"] == got["denominator"] == got["value"]
    assert got["unit"] == "count" and got["status"] == "ok"
    nw = cell(store, "population", "101", 2024, "non_western", "female")
    assert nw["value"] == float(c[("101", "2", "IALT", "25", "2024K1")]) + float(
        c[("101", "2", "IALT", "35", "2024K1")]
    )
    assert cell(store, "population", "101", 2024, "danish_origin", "male")["value"] == float(
        c[("101", "1", "IALT", "1", "2024K1")]
    )


def test_dotdot_becomes_suppressed_with_null_value(server, tmp_path) -> None:
    store = tmp_path / "s.duckdb"
    fetch_into_store(store, ["FOLK1E", "RAS200"], [2023], server.base_url)
    assert cube("FOLK1E")[("147", "2", "IALT", "34", "2023K1")] == ".."
    for origin in ("descendants_western", "descendants", "western"):  # and what sums it
        got = cell(store, "population", "147", 2023, origin, "female")
        assert got["status"] == "suppressed_primary"
        assert got["reason"] == "statbank_suppressed"
        assert math.isnan(got["value"]) and math.isnan(got["numerator"])
    ok = cell(store, "population", "147", 2023, "descendants_western", "male")
    assert ok["status"] == "ok"
    rate = cell(store, "employment_rate_16_64", "147", 2023, "descendants_western", "female")
    assert rate["status"] == "suppressed_primary" and math.isnan(rate["value"])


def test_ras200_rate_is_read_as_is_with_comma_decimals(server, tmp_path) -> None:
    store = tmp_path / "s.duckdb"
    fetch_into_store(store, ["RAS200"], [2022, 2023], server.base_url)
    c = cube("RAS200")
    text = c[("101", "25", "16-64", "K", "BFK", "2022")]
    got = cell(store, "employment_rate_16_64", "101", 2022, "immigrants_non_western", "female")
    assert got["value"] == pytest.approx(float(text.replace(",", ".")))
    assert got["unit"] == "pct"
    assert math.isnan(got["numerator"]) and math.isnan(got["denominator"])
    # No roll-ups for a rate read as is: they would need the counts.
    n = read(store, "SELECT count(*) AS n FROM observations WHERE origin_group = 'non_western'")
    assert n["n"].iloc[0] == 0


def test_ras201_ratio_over_the_25_64_bands(server, tmp_path) -> None:
    store = tmp_path / "s.duckdb"
    fetch_into_store(store, ["RAS201"], [2023], server.base_url)
    c = cube("RAS201")
    bands = [f"{a}-{a + 4}" for a in range(25, 65, 5)]
    num = sum(int(c[("000", "100", "25", b, "TOT", "2023")]) for b in bands)
    den = sum(int(c[("000", "TOT", "25", b, "TOT", "2023")]) for b in bands)
    got = cell(store, "employment_rate_25_64", "000", 2023, "immigrants_non_western", "all")
    assert (got["numerator"], got["denominator"]) == (num, den)
    assert got["value"] == pytest.approx(100 * num / den)
    # The 16-19 and 20-24 bands are in the cube but not in 25-64.
    assert ("000", "100", "25", "20-24", "TOT", "2023") in c
    # One '..' band (101, employed, descendants western, 30-34, women) suppresses the sum.
    sup = cell(store, "employment_rate_25_64", "101", 2023, "descendants_western", "female")
    assert sup["status"] == "suppressed_primary" and math.isnan(sup["value"])


def test_ratio_by_hand_on_a_tiny_answer() -> None:
    # employed 30 + 20 over population 100 + 50 in the two bands: 50 / 150 = 33.33 %.
    info = parse_tableinfo((CONSTRUCTED / "tableinfo_RAS201.json").read_text("utf-8"), "RAS201")
    mapping = load_mappings()["RAS201"].model_copy(update={"select": {"ALDER": ["25-29", "30-34"]}})
    plan = plan_request(mapping, info, [2023])
    text = "OMRÅDE;SOCIO;HERKOMST;ALDER;KØN;TID;INDHOLD\r\n" + "".join(
        f"101;{s};TOT;{a};TOT;2023;{v}\r\n"
        for s, a, v in [
            ("100", "25-29", 30),
            ("100", "30-34", 20),
            ("TOT", "25-29", 100),
            ("TOT", "30-34", 50),
        ]
    )
    obs = to_observations(parse_csv(text, info), mapping, info, plan)
    assert obs[["numerator", "denominator"]].values.tolist() == [[50.0, 150.0]]
    assert obs["value"].iloc[0] == pytest.approx(100 / 3)
    zero = text.replace(";100\r\n", ";0\r\n").replace(";50\r\n", ";0\r\n")
    zero = zero.replace(";30\r\n", ";0\r\n").replace(";20\r\n", ";0\r\n")
    z = to_observations(parse_csv(zero, info), mapping, info, plan)
    assert z["status"].iloc[0] == "suppressed_primary" and z["reason"].iloc[0] == "zero_denominator"


def test_strafna9_national_with_all_sexes_summed(server, tmp_path) -> None:
    store = tmp_path / "s.duckdb"
    fetch_into_store(store, ["STRAFNA9"], [2023], server.base_url)
    c = cube("STRAFNA9")
    areas = read(store, "SELECT DISTINCT area_code FROM observations")
    assert areas["area_code"].tolist() == ["000"]
    got = cell(
        store, "convicted_persons_all_offences", "000", 2023, "descendants_non_western", "all"
    )
    assert got["value"] == int(c[("M", "TOT", "35", "2023")]) + int(c[("K", "TOT", "35", "2023")])
    imm = cell(store, "convicted_persons_all_offences", "000", 2023, "immigrants", "male")
    assert imm["value"] == int(c[("M", "TOT", "21", "2023")])  # the table's own total


def test_register_and_statbank_observations_coexist(server, tmp_path) -> None:
    store = register_store(tmp_path / "reg.duckdb")
    cols = "indicator_id, area_code, year, origin_group, sex, value, numerator, status"
    sql = f"SELECT {cols} FROM observations WHERE source = 'registers' ORDER BY ALL"
    before = read(store, sql)
    fetch_into_store(store, ["FOLK1E"], [2023], server.base_url)
    pd.testing.assert_frame_equal(before, read(store, sql))
    assert read(store, "SELECT source_kind FROM runs")["source_kind"].tolist() == [
        "registers+statbank"
    ]
    # The same cell from both sources; the registers are preferred by default.
    both = read(
        store,
        "SELECT source, preferred FROM observations WHERE area_code = '101' AND year = 2023 "
        "AND origin_group = 'all' AND sex = 'all' ORDER BY source",
    )
    assert both.values.tolist() == [["registers", True], ["statbank:FOLK1E", False]]
    n1 = read(store, "SELECT count(*) AS n FROM observations")["n"].iloc[0]
    fetch_into_store(store, ["FOLK1E"], [2023], server.base_url)  # again: same rows
    assert read(store, "SELECT count(*) AS n FROM observations")["n"].iloc[0] == n1
    assert len(read(store, "SELECT * FROM inputs")) == 2


def test_changed_layout_new_variable_is_reported_and_store_unchanged(replay, tmp_path) -> None:
    info = json.loads((CONSTRUCTED / "tableinfo_FOLK1E.json").read_text("utf-8"))
    info["variables"].insert(
        3,
        {
            "id": "CIVILSTAND",
            "text": "marital status",
            "elimination": True,
            "time": False,
            "values": [{"id": "TOT", "text": "Total"}, {"id": "U", "text": "Never married"}],
        },
    )
    replay.add("tableinfo", "FOLK1E", Reply(json.dumps(info, ensure_ascii=False).encode()))
    replay.add_table("RAS200")
    store = register_store(tmp_path / "reg.duckdb")
    before = digests(store)
    with pytest.raises(LayoutError, match=r"CIVILSTAND \(marital status\).*mapping FOLK1E\.yaml"):
        fetch_into_store(store, ["RAS200", "FOLK1E"], [2023], replay.base_url)
    assert digests(store) == before
    assert not any(p.endswith("/data") and b["table"] == "FOLK1E" for p, b in replay.log)


def test_vanished_code_is_reported(replay, tmp_path) -> None:
    info = json.loads((CONSTRUCTED / "tableinfo_FOLK1E.json").read_text("utf-8"))
    her = next(v for v in info["variables"] if v["id"] == "HERKOMST")
    her["values"] = [v for v in her["values"] if v["id"] != "35"]
    replay.add("tableinfo", "FOLK1E", Reply(json.dumps(info, ensure_ascii=False).encode()))
    with pytest.raises(LayoutError, match=r"HERKOMST: code\(s\) \['35'\]"):
        fetch_into_store(tmp_path / "s.duckdb", ["FOLK1E"], [2023], replay.base_url)
    assert not (tmp_path / "s.duckdb").exists()


def test_api_error_mid_fetch_leaves_store_unchanged(replay, tmp_path) -> None:
    replay.add_table("FOLK1E")
    replay.add("tableinfo", "RAS200", json_reply(CONSTRUCTED / "tableinfo_RAS200.json"))
    msg = {
        "errorTypeCode": "EXTRACT-NOTALLOWED",
        "message": "Der skal vælges værdier for variabel: BEREGNING",
    }
    replay.add("data", "RAS200", Reply(json.dumps(msg).encode(), status=400))
    store = register_store(tmp_path / "reg.duckdb")
    before = digests(store)
    with pytest.raises(StatbankError, match="EXTRACT-NOTALLOWED"):
        fetch_into_store(store, ["FOLK1E", "RAS200"], [2023], replay.base_url)
    assert digests(store) == before


def test_years_missing_from_the_table_are_noted(server, tmp_path) -> None:
    res = fetch_into_store(tmp_path / "s.duckdb", ["STRAFNA9"], [2023, 2031], server.base_url)
    assert res.notes == ["STRAFNA9: no data for 2031"]
    with pytest.raises(StatbankError, match="none of the years"):
        fetch_into_store(tmp_path / "s.duckdb", ["STRAFNA9"], [1990], server.base_url)


def test_unknown_table_and_cache_reuse(server, tmp_path) -> None:
    with pytest.raises(StatbankError, match="no mapping for table"):
        fetch_into_store(tmp_path / "s.duckdb", ["NOPE1"], None, server.base_url)
    cache = tmp_path / "cache"
    first = fetch_into_store(tmp_path / "a.duckdb", ["STRAFNA9"], [2023], server.base_url, cache)
    assert first.requests_sent == 2
    second = fetch_into_store(tmp_path / "b.duckdb", ["STRAFNA9"], [2023], server.base_url, cache)
    assert second.requests_sent == 0 and second.tables[0].from_cache
    a = read(tmp_path / "a.duckdb", "SELECT * FROM observations ORDER BY ALL")
    b = read(tmp_path / "b.duckdb", "SELECT * FROM observations ORDER BY ALL")
    pd.testing.assert_frame_equal(a, b)


def test_unconfirmed_optional_codes_are_skipped_with_a_note(replay, tmp_path) -> None:
    info = json.loads((CONSTRUCTED / "tableinfo_RAS200.json").read_text("utf-8"))
    her = next(v for v in info["variables"] if v["id"] == "HERKOMST")
    her["values"] = [v for v in her["values"] if v["id"] not in ("24", "34")]
    replay.add_table("RAS200")  # the cube, then the changed tableinfo over the constructed one
    replay.add("tableinfo", "RAS200", Reply(json.dumps(info, ensure_ascii=False).encode()))
    store = tmp_path / "s.duckdb"
    res = fetch_into_store(store, ["RAS200"], [2023], replay.base_url)
    assert res.notes == [
        "RAS200: HERKOMST has no code(s) ['24', '34'] (UNCONFIRMED in the mapping "
        "RAS200.yaml); those groups are left out"
    ]
    sent = next(b for p, b in replay.log if p.endswith("/data"))
    assert {"code": "HERKOMST", "values": ["00", "10", "25", "35"]} in sent["variables"]
    groups = read(store, "SELECT DISTINCT origin_group FROM observations ORDER BY 1")
    assert groups["origin_group"].tolist() == [
        "all",
        "danish_origin",
        "descendants_non_western",
        "immigrants_non_western",
    ]


def test_default_tables_leave_out_the_unconfirmed_ras201(server, tmp_path) -> None:
    res = fetch_into_store(tmp_path / "s.duckdb", None, [2023], server.base_url)
    assert [t.table for t in res.tables] == ["FOLK1E", "RAS200", "STRAFNA9"]
