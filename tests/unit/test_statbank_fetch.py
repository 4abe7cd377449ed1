"""``barometer statbank fetch`` against the local replay server: tables become inputs of the
store under ``statbank:<TABLE>`` sources, with one outcome per table.

Expected values come from the served bodies read here with the csv module and from sums
done by hand, never from the fetch's own output.
"""

from __future__ import annotations

import csv
import hashlib
import json
import math
from collections.abc import Iterator
from pathlib import Path

import duckdb
import pandas as pd
import pytest

from barometer.catalogue import load_catalogue
from barometer.pipeline import add_inputs
from barometer.sources.statbank import StatbankClient, fetch_tables
from barometer.sources.statbank.mapping import load_mappings
from barometer.sources.statbank.parse import parse_csv
from barometer.sources.statbank.plan import resolve_plan
from barometer.sources.statbank.tableinfo import parse_tableinfo
from barometer.sources.statbank.transform import build_target, keyed_cells
from barometer.store.read import read_inputs
from barometer.store.write import inputs_path

from fixtures.statbank_open import serve_tables, served_rows
from fixtures.statbank_server import (
    CONSTRUCTED,
    ReplayServer,
    Reply,
    error_reply,
    json_reply,
    serve,
)
from fixtures.stores import store_from_cells

CATALOGUE = load_catalogue()


def fetch(server: ReplayServer, tables, years, **kw):
    """A fetch with a client that gives up fast (the retry timing has its own tests)."""
    with StatbankClient(server.base_url, backoff=0.01, retries=1, timeout=5) as client:
        return fetch_tables(CATALOGUE, tables, years, client=client, **kw)


def fetch_into_store(store, server, tables, years, **kw):
    """What ``barometer statbank fetch`` does: fetch the tables as inputs, then the pipeline."""
    got = fetch(server, tables, years, previous=read_inputs(store, kinds=("statbank",)), **kw)
    if got.inputs:
        add_inputs(store, got.inputs)
    return got


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


def cell(store: Path, ind: str, area: str, year: int, origin: str, sex: str, source=None) -> dict:
    where = f" AND source = '{source}'" if source else ""
    df = read(
        store,
        f"SELECT * FROM observations WHERE indicator_id = '{ind}' AND area_code = '{area}' "
        f"AND year = {year} AND origin_group = '{origin}' AND sex = '{sex}'{where}",
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
    res = fetch_into_store(store, server, list(TABLES), [2023])
    assert [(t.table, t.status) for t in res.tables] == [(t, "stored") for t in TABLES]
    sources = read(store, "SELECT DISTINCT indicator_id, source FROM observations ORDER BY 1")
    assert sources.values.tolist() == [
        ["convicted_persons_all_offences", "statbank:STRAFNA9"],
        ["employment_gap_25_64", "statbank:RAS201"],
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
    gap_notes = json.loads(notes.loc["employment_gap_25_64", "notes"])
    assert "RAS201" in gap_notes[0]["en"]
    assert bool(notes.loc["population", "preferred"])  # the only source of it here
    run = read(store, "SELECT source_kind, synthetic FROM runs")
    assert run.values.tolist() == [["statbank", False]]


def test_folk1e_counts_rollups_and_a_suppressed_cell(server, tmp_path) -> None:
    store = tmp_path / "s.duckdb"
    fetch_into_store(store, server, ["FOLK1E"], [2024])
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
    fetch_into_store(store, server, ["FOLK1E", "RAS200"], [2023])
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
    fetch_into_store(store, server, ["RAS200", "RAS201"], [2022, 2023])
    c = cube("RAS200")
    text = c[("101", "25", "16-64", "K", "BFK", "2022")]
    got = cell(store, "employment_rate_16_64", "101", 2022, "immigrants_non_western", "female")
    assert got["value"] == pytest.approx(float(text.replace(",", ".")))
    assert got["unit"] == "pct"
    assert math.isnan(got["numerator"]) and math.isnan(got["denominator"])
    assert math.isnan(got["ci_low"])  # a published rate without counts has no interval
    # No roll-ups for a rate read as is: they would need the counts.
    n = read(
        store,
        "SELECT count(*) AS n FROM observations WHERE origin_group = 'non_western' "
        "AND source = 'statbank:RAS200'",
    )
    assert n["n"].iloc[0] == 0


def test_ras201_ratio_over_the_25_64_bands_and_its_gap(server, tmp_path) -> None:
    store = tmp_path / "s.duckdb"
    res = fetch_into_store(store, server, ["RAS201"], [2023])
    # The constructed table's codes differ from the mapping's; their labels match.
    assert "RAS201: SOCIO codes not in the table, matched by label: '00' → '100'" in res.notes
    c = cube("RAS201")
    bands = [f"{a}-{a + 4}" for a in range(25, 65, 5)]

    def rate(herkomst: list[str]) -> tuple[int, int]:
        num = sum(int(c[("000", "100", h, b, "TOT", "2023")]) for h in herkomst for b in bands)
        den = sum(int(c[("000", "TOT", h, b, "TOT", "2023")]) for h in herkomst for b in bands)
        return num, den

    num, den = rate(["25"])
    got = cell(store, "employment_rate_25_64", "000", 2023, "immigrants_non_western", "all")
    assert (got["numerator"], got["denominator"]) == (num, den)
    assert got["value"] == pytest.approx(100 * num / den)
    assert got["ci_low"] < got["value"] < got["ci_high"]  # counts: a Wilson interval
    # The 16-19 and 20-24 bands are in the cube but not in 25-64.
    assert ("000", "100", "25", "20-24", "TOT", "2023") in c
    # The gap: Danish origin minus the focus group, from the same source's rates.
    dn, dd = rate(["1"])
    nn, nd = rate(["25", "35"])
    gap = cell(store, "employment_gap_25_64", "000", 2023, "non_western", "all")
    assert gap["value"] == pytest.approx(100 * dn / dd - 100 * nn / nd)
    assert gap["unit"] == "pp" and gap["source"] == "statbank:RAS201"
    assert gap["ci_low"] < gap["value"] < gap["ci_high"]  # Newcombe from the rates' counts
    # One '..' band (101, employed, descendants western, 30-34, women) withholds the sum,
    # what sums it, and the gaps of those groups.
    for origin in ("descendants_western", "western", "descendants"):
        sup = cell(store, "employment_rate_25_64", "101", 2023, origin, "female")
        assert sup["status"] == "suppressed_primary" and math.isnan(sup["value"])
        hidden = cell(store, "employment_gap_25_64", "101", 2023, origin, "female")
        assert hidden["status"] != "ok" and hidden["reason"] == "gap_component_suppressed"


def test_ratio_by_hand_on_a_tiny_answer() -> None:
    # employed 30 + 20 over population 100 + 50 in the two bands: 50 / 150 = 33.33 %.
    info = parse_tableinfo((CONSTRUCTED / "tableinfo_RAS201.json").read_text("utf-8"), "RAS201")
    mapping = load_mappings()["RAS201"]
    target = mapping.indicators[0]
    two_bands = target.select[0].model_copy(update={"codes": target.select[0].codes[:2]})
    target = target.model_copy(update={"select": [two_bands]})
    mapping = mapping.model_copy(update={"indicators": [target], "gaps": []})
    plan = resolve_plan(mapping, info, [2023], "test")
    text = "OMRÅDE;SOCIO;HERKOMST;ALDER;KØN;TID;INDHOLD\r\n" + "".join(
        f"101;{s};TOT;{a};TOT;2023;{v}\r\n"
        for s, a, v in [
            ("100", "25-29", 30),
            ("100", "30-34", 20),
            ("TOT", "25-29", 100),
            ("TOT", "30-34", 50),
        ]
    )
    obs = build_target(keyed_cells(parse_csv(text, info), plan), plan.targets[0], plan, None, None)
    assert obs[["numerator", "denominator"]].values.tolist() == [[50.0, 150.0]]
    assert obs["value"].iloc[0] == pytest.approx(100 / 3)
    zero = text.replace(";100\r\n", ";0\r\n").replace(";50\r\n", ";0\r\n")
    zero = zero.replace(";30\r\n", ";0\r\n").replace(";20\r\n", ";0\r\n")
    z = build_target(keyed_cells(parse_csv(zero, info), plan), plan.targets[0], plan, None, None)
    assert z["status"].iloc[0] == "suppressed_primary" and z["reason"].iloc[0] == "zero_denominator"


def test_strafna9_national_with_all_sexes_summed(server, tmp_path) -> None:
    store = tmp_path / "s.duckdb"
    res = fetch_into_store(store, server, ["STRAFNA9"], [2023])
    c = cube("STRAFNA9")
    areas = read(store, "SELECT DISTINCT area_code FROM observations")
    assert areas["area_code"].tolist() == ["000"]
    got = cell(
        store, "convicted_persons_all_offences", "000", 2023, "descendants_non_western", "all"
    )
    assert got["value"] == int(c[("M", "TOT", "35", "2023")]) + int(c[("K", "TOT", "35", "2023")])
    imm = cell(store, "convicted_persons_all_offences", "000", 2023, "immigrants", "male")
    assert imm["value"] == int(c[("M", "TOT", "21", "2023")])  # the table's own total
    # The constructed FOLK1E answer has no single years of age: no denominators, no shares.
    assert "STRAFNA9: no cells for convicted_share_men_15_29 in the answer" in res.notes


def test_register_and_statbank_observations_coexist(server, tmp_path) -> None:
    store = register_store(tmp_path / "reg.duckdb")
    cols = "indicator_id, area_code, year, origin_group, sex, value, numerator, status"
    sql = f"SELECT {cols} FROM observations WHERE source = 'registers' ORDER BY ALL"
    before = read(store, sql)
    fetch_into_store(store, server, ["FOLK1E"], [2023])
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
    fetch_into_store(store, server, ["FOLK1E"], [2023])  # again: same rows
    assert read(store, "SELECT count(*) AS n FROM observations")["n"].iloc[0] == n1
    assert len(read(store, "SELECT * FROM inputs")) == 2
    # A fetch reads back only the StatBank inputs, not the register cells.
    assert [i.source for i in read_inputs(store, kinds=("statbank",))] == ["statbank:FOLK1E"]
    assert sorted(i.source for i in read_inputs(store)) == ["registers", "statbank:FOLK1E"]


def changed_tableinfo(table: str, change) -> Reply:
    info = json.loads((CONSTRUCTED / f"tableinfo_{table}.json").read_text("utf-8"))
    change(info)
    return Reply(json.dumps(info, ensure_ascii=False).encode())


def test_a_changed_layout_fails_that_table_and_the_others_are_stored(replay, tmp_path) -> None:
    def add_variable(info):
        info["variables"].insert(3, {
            "id": "CIVILSTAND", "text": "marital status", "elimination": True, "time": False,
            "values": [{"id": "TOT", "text": "Total"}, {"id": "U", "text": "Never married"}],
        })  # fmt: skip

    replay.add_table("FOLK1E")
    replay.add("tableinfo", "FOLK1E", changed_tableinfo("FOLK1E", add_variable))
    replay.add_table("RAS200")
    store = register_store(tmp_path / "reg.duckdb")
    res = fetch_into_store(store, replay, ["RAS200", "FOLK1E"], [2023])
    assert [(t.table, t.status) for t in res.tables] == [("RAS200", "stored"), ("FOLK1E", "failed")]
    folk = res.tables[1]
    assert "FOLK1E" in folk.message and "CIVILSTAND (marital status)" in folk.message
    assert "the mapping FOLK1E.yaml does not handle for population" in folk.message
    assert not any(p.endswith("/data") and b["table"] == "FOLK1E" for p, b in replay.log)
    sources = read(store, "SELECT DISTINCT source FROM observations ORDER BY 1")
    assert sources["source"].tolist() == ["registers", "statbank:RAS200"]


def test_a_code_matching_neither_code_nor_label_lists_the_real_codes(replay, tmp_path) -> None:
    def drop_35(info):
        her = next(v for v in info["variables"] if v["id"] == "HERKOMST")
        her["values"] = [v for v in her["values"] if v["id"] != "35"]

    replay.add("tableinfo", "FOLK1E", changed_tableinfo("FOLK1E", drop_35))
    res = fetch(replay, ["FOLK1E"], [2023])
    [folk] = res.tables
    assert folk.status == "failed" and res.inputs == []
    assert "table FOLK1E, variable HERKOMST: code '35'" in folk.message
    assert "'Descendants from non-western countries'" in folk.message  # the mapping's label
    assert "the table's codes are: TOT (Total), 1 (Persons of Danish origin)" in folk.message


def test_api_errors_fail_their_table_and_the_others_are_stored(replay, tmp_path) -> None:
    ras200 = (CONSTRUCTED / "data_RAS200.bulk.csv").read_bytes()
    failing = {
        "RAS200": (
            error_reply("EXTRACT-NOTALLOWED", "Der skal vælges værdier for variabel: BEREGNING"),
            "StatBank EXTRACT-NOTALLOWED",
        ),
        "RAS201": (Reply(b"busy", status=503), "gave up after 2 attempts; last: HTTP 503"),
        "STRAFNA9": (Reply(ras200, truncate=True), "last: connection failed"),  # short body
        "LIGEUB1": (Reply(ras200[:-40]), "last: incomplete answer"),  # cut mid-line
    }
    replay.add_table("FOLK1E")
    serve_tables(replay, "LIGEUB1")
    for table, (reply, _) in failing.items():
        if table != "LIGEUB1":
            replay.add("tableinfo", table, json_reply(CONSTRUCTED / f"tableinfo_{table}.json"))
        replay.add("data", table, reply)
    store = register_store(tmp_path / "reg.duckdb")
    res = fetch_into_store(store, replay, ["FOLK1E", *failing], [2023])
    outcome = {t.table: t for t in res.tables}
    assert outcome.pop("FOLK1E").status == "stored"
    for table, (_, expected) in failing.items():
        assert outcome[table].status == "failed"
        assert outcome[table].message.startswith(f"{table}: StatBank")
        assert expected in outcome[table].message, outcome[table].message
    sources = read(store, "SELECT DISTINCT source FROM observations ORDER BY 1")
    assert sources["source"].tolist() == ["registers", "statbank:FOLK1E"]


def test_an_unknown_table_fails_with_the_mapped_ones_listed(server, tmp_path) -> None:
    res = fetch_into_store(tmp_path / "s.duckdb", server, ["NOPE1", "STRAFNA9"], [2023])
    assert [(t.table, t.status) for t in res.tables] == [
        ("NOPE1", "failed"),
        ("STRAFNA9", "stored"),
    ]
    assert res.tables[0].message.startswith("StatBank: no mapping for table NOPE1; mapped")
    assert "RAS201" in res.tables[0].message


def test_years_missing_from_the_table_are_noted_or_skipped(server, tmp_path) -> None:
    res = fetch_into_store(tmp_path / "s.duckdb", server, ["STRAFNA9"], [2023, 2031])
    assert "STRAFNA9: no data for 2031" in res.notes
    res = fetch(server, ["STRAFNA9"], [1990])
    [t] = res.tables
    assert t.status == "skipped" and res.inputs == []
    assert t.message == "none of the years asked for (the table has 2008…2024)"


def test_cache_reuse(server, tmp_path) -> None:
    cache = tmp_path / "cache"
    with StatbankClient(server.base_url, cache_dir=cache) as client:
        first = fetch_tables(CATALOGUE, ["FOLK1E"], [2023], client=client)
        assert client.requests_sent == 2
    with StatbankClient(server.base_url, cache_dir=cache) as client:
        second = fetch_tables(CATALOGUE, ["FOLK1E"], [2023], client=client)
        assert client.requests_sent == 0 and second.tables[0].from_cache
    pd.testing.assert_frame_equal(first.inputs[0].cells, second.inputs[0].cells)


def test_a_missing_total_is_derived_from_the_groups(replay, tmp_path) -> None:
    def no_totals(info):  # the derived catalogue says RAS201 has neither total
        for name in ("HERKOMST", "KØN"):
            var = next(v for v in info["variables"] if v["id"] == name)
            var["values"] = [v for v in var["values"] if v["id"] != "TOT"]

    replay.add_table("RAS201")
    replay.add("tableinfo", "RAS201", changed_tableinfo("RAS201", no_totals))
    res = fetch(replay, ["RAS201"], [2023])
    assert "RAS201: KØN has no total; 'all' is the sum of its groups" in res.notes
    sent = next(b for p, b in replay.log if p.endswith("/data"))
    assert {"code": "KØN", "values": ["1", "2"]} in sent["variables"]
    c = cube("RAS201")
    bands = [f"{a}-{a + 4}" for a in range(25, 65, 5)]
    her = ["1", "24", "25", "34", "35"]
    num = sum(int(c[("000", "100", h, b, s, "2023")]) for h in her for b in bands for s in "12")
    den = sum(int(c[("000", "TOT", h, b, s, "2023")]) for h in her for b in bands for s in "12")
    cells = res.inputs[0].cells.set_index(["indicator_id", "area_code", "origin_group", "sex"])
    got = cells.loc[("employment_rate_25_64", "000", "all", "all")]
    assert (got["numerator"], got["denominator"]) == (num, den)


def test_default_tables_are_the_mapped_ones_marked_default(replay, tmp_path) -> None:
    res = fetch(replay, None, [2023])  # nothing routed: every table fails, each on its own
    default = sorted(t for t, m in load_mappings().items() if m.default)
    assert sorted(t.table for t in res.tables) == default
    assert "RAS201" in default and "AUH04" not in default
    assert {t.status for t in res.tables} == {"failed"}
    assert all("EXTRACT-NOTFOUND" in t.message and t.table in t.message for t in res.tables)


def test_mappings_dir_adds_and_overrides(server, tmp_path) -> None:
    folder = tmp_path / "mine"
    folder.mkdir()
    folk = load_mappings()["FOLK1E"].model_dump(mode="json", by_alias=True, exclude_none=True)
    folk["indicators"][0]["differences"] = [{"da": "min note", "en": "my note"}]
    (folder / "FOLK1E.yaml").write_text(json.dumps(folk), encoding="utf-8")  # JSON is YAML
    res = fetch(server, ["FOLK1E"], [2023], mappings_dir=folder)
    assert res.inputs[0].details["differences"]["population"] == [
        {"da": "min note", "en": "my note"}
    ]


# --- populations from FOLK1E, fallbacks and refreshes (the constructed open-route tables) ----


def folk_persons(server: ReplayServer) -> dict[tuple[str, str, str, str, str], float]:
    """FOLK1E persons by (area, time, sex, origin, age) from the served bodies."""
    return {
        (r["OMRÅDE"], r["TID"], r["KØN"], r["HERKOMST"], r["ALDER"]): float(r["INDHOLD"])
        for r in served_rows(server, "FOLK1E")
    }


def hand_population(persons: dict, area: str, ages: range, time: str, herkomst: list[str],
                    sex: str) -> float:  # fmt: skip
    """Σ FOLK1E persons over the ages and origin codes (every one must have been served)."""
    return sum(persons[(area, time, sex, h, str(a))] for h in herkomst for a in ages)


def test_strafna6_over_folk1e_men_15_29_of_the_next_year(replay, tmp_path) -> None:
    serve_tables(replay, "STRAFNA6", "FOLK1E")
    res = fetch(replay, ["STRAFNA6"], [2023])
    [t] = res.tables
    assert t.status == "stored", t.message
    cells = res.inputs[0].cells.set_index(["area_code", "origin_group", "sex"])
    assert set(cells.index.get_level_values("sex")) == {"male"}  # men only
    assert set(cells.index.get_level_values("origin_group")) == {"all", "danish_origin"}
    rows = served_rows(replay, "STRAFNA6")
    conv = {(r["OMRÅDE"], r["HERKOMST1"]): float(r["INDHOLD"]) for r in rows
            if r["KØN"] == "M" and r["ALDER"] == "15-29" and r["TID"] == "2023"}  # fmt: skip
    persons = folk_persons(replay)
    for area in ("101", "825", "000"):
        pop = hand_population(persons, area, range(15, 30), "2024K1", ["1"], "1")
        got = cells.loc[(area, "danish_origin", "male")]
        assert (got["numerator"], got["denominator"]) == (conv[(area, "1")], pop)
        everyone = hand_population(persons, area, range(15, 30), "2024K1", ["TOT"], "1")
        got = cells.loc[(area, "all", "male")]
        assert got["numerator"] == conv[(area, "1")] + conv[(area, "6")]  # no total: summed
        assert got["value"] == pytest.approx(100 * got["numerator"] / everyone)
    # The FOLK1E request asked only for what the shares need: men of 15-29 of Danish origin
    # and everyone, on 1 January 2024.
    sent = next(b for p, b in replay.log if p.endswith("/data") and b["table"] == "FOLK1E")
    asked = {v["code"]: v["values"] for v in sent["variables"]}
    assert asked["Tid"] == ["2024K1"] and asked["ALDER"] == [str(a) for a in range(15, 30)]
    assert asked["KØN"] == ["1"] and asked["HERKOMST"] == ["TOT", "1"]
    assert json.loads(json.dumps(res.inputs[0].request))["population"]["data"]["body"] == sent


def test_ras200_bands_weighted_with_folk1e_while_ras201_is_missing(replay, tmp_path) -> None:
    serve_tables(replay, "RAS200", "FOLK1E", "RAS201")
    res = fetch(replay, ["RAS200"], [2023])
    [inp] = res.inputs
    assert inp.indicator_ids == [
        "employment_gap_25_64", "employment_rate_16_64", "employment_rate_25_64"
    ]  # fmt: skip
    rates = {
        (r["OMRÅDE"], r["HERKOMST"], r["ALDER"], r["KØN"]): float(r["INDHOLD"].replace(",", "."))
        for r in served_rows(replay, "RAS200")
        if r["BEREGNING"] == "BFK"
    }
    bands = [(a, a + 4) for a in range(25, 65, 5)]
    persons = folk_persons(replay)

    def hand(area: str, ras: list[str], folk: list[str]) -> float:
        emp = pop = 0.0
        for r, f in zip(ras, folk, strict=True):
            for lo, hi in bands:
                p = hand_population(persons, area, range(lo, hi + 1), "2023K4", [f], "TOT")
                emp += rates[(area, r, f"{lo}-{hi}", "TOT")] * p / 100
                pop += p
        return 100 * emp / pop

    cells = inp.cells.set_index(["indicator_id", "area_code", "origin_group", "sex"])
    got = cells.loc[("employment_rate_25_64", "101", "non_western", "all")]
    assert got["value"] == pytest.approx(hand("101", ["25", "35"], ["25", "35"]))
    assert math.isnan(got["numerator"])  # an estimate: no counts, so no interval
    dan = hand("101", ["10"], ["1"])
    gap = cells.loc[("employment_gap_25_64", "101", "non_western", "all")]
    assert gap["value"] == pytest.approx(dan - got["value"])
    # RAS201 arrives later: the weighted figures leave the RAS200 input it had.
    later = fetch(replay, ["RAS201"], [2023], previous=res.inputs)
    assert [t.table for t in later.tables] == ["RAS201"]
    by_source = {i.source: i.indicator_ids for i in later.inputs}
    assert by_source == {
        "statbank:RAS201": ["employment_gap_25_64", "employment_rate_25_64"],
        "statbank:RAS200": ["employment_rate_16_64"],
    }


def test_a_refresh_asks_only_for_newer_periods_and_keeps_the_rest(replay, tmp_path) -> None:
    serve_tables(replay, "STRAFNA9", "FOLK1E")
    store = tmp_path / "s.duckdb"
    fetch_into_store(store, replay, ["STRAFNA9"], [2012])
    before = read(store, "SELECT * FROM observations WHERE year = 2012 ORDER BY ALL")
    replay.log.clear()
    res = fetch_into_store(store, replay, ["STRAFNA9"], None, refresh=True)
    sent = next(b for p, b in replay.log if p.endswith("/data") and b["table"] == "STRAFNA9")
    assert {"code": "Tid", "values": ["2023"]} in sent["variables"]  # 2012 is not asked again
    assert "STRAFNA9: kept the store's 2012-2012, added 2023" in res.notes
    got = read(store, "SELECT DISTINCT indicator_id, year FROM observations ORDER BY 1, 2")
    assert got.values.tolist() == [
        ["convicted_persons_all_offences", 2012], ["convicted_persons_all_offences", 2023],
        ["convicted_share_men_15_29", 2012], ["convicted_share_men_15_29", 2023],
    ]  # fmt: skip
    after = read(store, "SELECT * FROM observations WHERE year = 2012 ORDER BY ALL")
    pd.testing.assert_frame_equal(before, after)
    assert len(read(store, "SELECT * FROM inputs")) == 1  # one input of that source
    previous = read_inputs(store, kinds=("statbank",))
    again = fetch(replay, ["STRAFNA9"], None, refresh=True, previous=previous)
    assert again.tables[0].status == "skipped"
    assert again.tables[0].message == "up to date: the store has STRAFNA9 up to 2023"
