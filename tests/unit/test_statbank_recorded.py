"""REAL StatBank bodies (tests/data/statbank/recorded/) replayed through the real fetch path.

The recorded STRAF42 tableinfo (English and Danish), its CSV answer (BOM, CRLF, labels, every
variable but two left out) and JSON-stat answers, and the real LIGEUB1 answer (Danish labels,
re-saved with commas by the script that collected it) are served by the local HTTP server and
fetched with ``fetch_tables`` and a mapping given with ``mappings_dir``, as a user adds one.
Expected values are read from the same files with the csv and json modules.
"""

from __future__ import annotations

import csv
import json
from collections.abc import Iterator
from pathlib import Path

import pytest

from barometer.catalogue import load_catalogue
from barometer.catalogue.models import ExternalIndicator
from barometer.codes import load_municipalities, load_regions
from barometer.sources.statbank import LayoutError, StatbankClient, fetch_tables
from barometer.sources.statbank.mapping import CodeRef, VariableRef
from barometer.sources.statbank.resolve import Resolver
from barometer.sources.statbank.tableinfo import parse_tableinfo

from fixtures.statbank_server import (
    CSV_TYPE,
    RECORDED,
    ReplayServer,
    Reply,
    csv_reply,
    json_reply,
    serve,
)

STRAF42_EN = RECORDED / "table_info_straf42.body.json"
STRAF42_DA = RECORDED / "table_info_straf42_da.body.json"
LIGEUB1 = RECORDED / "LIGEUB1_bdp_resaved.csv"


@pytest.fixture
def replay() -> Iterator[ReplayServer]:
    yield from serve()


def catalogue_with(*ids: str) -> dict:
    """The built-in catalogue and a count indicator of kind 'external' per id (test only)."""
    cat = dict(load_catalogue())
    for ind in ids:
        cat[ind] = ExternalIndicator.model_validate(
            {
                "id": ind,
                "kind": "external",
                "title": {"da": ind, "en": ind},
                "description": {"da": "test", "en": "test"},
                "theme": "population",
                "order": 999,
                "unit": "count",
                "polarity": "neutral",
                "sources": ["statbank"],
                "domain_ref": "§6",
            }
        )
    return cat


STRAF42_MAPPING = """
table: STRAF42
time: "{{year}}"
format: {fmt}
area: null
origin: {origin}
select:
{eliminated}
indicators:
  - id: decisions_total
    unit: count
"""
HERKOMST1 = (
    "\n  variable: {id: HERKOMST1, da: national oprindelse, en: national origin}"
    "\n  codes: [{code: '00', da: I alt, en: Total, as: all}]"
)


def straf42_mapping(folder: Path, fmt: str, keep_origin: bool = True) -> Path:
    left_out = ["OVERTRÆD", "AFGØRELSE", "ALDER", "KØN"] + ([] if keep_origin else ["HERKOMST1"])
    text = STRAF42_MAPPING.format(
        fmt=fmt,
        origin=HERKOMST1 if keep_origin else "null",
        eliminated="\n".join(f"  - {{variable: {{id: {v}}}, eliminate: true}}" for v in left_out),
    )
    folder.mkdir(exist_ok=True)
    (folder / "STRAF42.yaml").write_text(text, encoding="utf-8")
    return folder


def recorded_request(name: str) -> dict:
    return json.loads(
        json.loads((RECORDED / "api_requests.json").read_text("utf-8"))[name]["request_body"]
    )


def test_recorded_csv_with_variables_left_out_is_fetched_and_decoded(replay, tmp_path) -> None:
    replay.add("tableinfo", "STRAF42", json_reply(STRAF42_EN))
    replay.add("data", "STRAF42", csv_reply(RECORDED / "data_straf42_csv.body.csv"))
    got = fetch_tables(
        catalogue_with("decisions_total"),
        ["STRAF42"],
        [2023],
        replay.base_url,
        mappings_dir=straf42_mapping(tmp_path / "m", "CSV"),
    )
    assert [t.status for t in got.tables] == ["stored"]
    # The request left out every variable but two, as the recorded request did; such a
    # request cannot be BULK, so it is CSV.
    sent = next(b for p, b in replay.log if p.endswith("/data"))
    recorded = recorded_request("data_straf42_csv.body.csv")

    def selection(body: dict) -> list:  # the recorded request spells the time variable TID
        return [(v["code"].casefold(), v["values"]) for v in body["variables"]]

    assert selection(sent) == selection(recorded)
    assert sent["format"] == "CSV"
    # The recorded body (BOM, CRLF, the label 'Total' where the code is '00'):
    raw = (RECORDED / "data_straf42_csv.body.csv").read_bytes()
    assert raw.startswith(b"\xef\xbb\xbf") and b"\r\n" in raw
    rows = list(csv.reader(raw.decode("utf-8-sig").splitlines(), delimiter=";"))
    assert rows[0] == ["HERKOMST1", "TID", "INDHOLD"] and rows[1][0] == "Total"
    cells = got.inputs[0].cells
    assert cells[["area_code", "year", "origin_group", "sex"]].values.tolist() == [
        ["000", 2023, "all", "all"]
    ]
    assert cells["value"].tolist() == [float(rows[1][2])]
    assert got.inputs[0].details["format"] == "CSV"


@pytest.mark.parametrize(
    ("body", "keep_origin", "year"),
    [("data_straf42_json.body.json", True, 2023), ("data_straf42_all.body.json", False, 2024)],
)
def test_recorded_jsonstat_answers_are_fetched(replay, tmp_path, body, keep_origin, year) -> None:
    replay.add("tableinfo", "STRAF42", json_reply(STRAF42_EN))
    replay.add("data", "STRAF42", json_reply(RECORDED / body))
    got = fetch_tables(
        catalogue_with("decisions_total"),
        ["STRAF42"],
        [year],
        replay.base_url,
        mappings_dir=straf42_mapping(tmp_path / "m", "JSONSTAT", keep_origin),
    )
    assert [t.status for t in got.tables] == ["stored"], got.tables[0].message
    doc = json.loads((RECORDED / body).read_text("utf-8"))["dataset"]
    assert list(doc["dimension"]["Tid"]["category"]["index"]) == [str(year)]
    cells = got.inputs[0].cells
    assert cells["value"].tolist() == [float(doc["value"][0])]
    assert cells["year"].tolist() == [year]
    sent = next(b for p, b in replay.log if p.endswith("/data"))
    assert sent["format"] == "JSONSTAT"
    assert [v["code"] for v in sent["variables"]] == (["HERKOMST1"] if keep_origin else []) + [
        "Tid"
    ]


@pytest.mark.parametrize("path", [STRAF42_EN, STRAF42_DA])
def test_codes_and_variables_resolve_by_label_in_the_real_tableinfo(path) -> None:
    info = parse_tableinfo(path.read_text("utf-8"), "STRAF42")
    r = Resolver(info, "the mapping STRAF42.yaml")
    # The variable's id is wrong; its label (tableinfo 'text') names it.
    var = r.variable(VariableRef(id="HERKOMST", da="national oprindelse", en="national origin"))
    assert var.id == "HERKOMST1"
    sex = r.variable(VariableRef(id="KØN"))
    # Codes written as in the FOLK tables (1/2) resolve by their labels to M/K.
    assert r.code(sex, CodeRef(code="1", da="Mænd", en="Men")) == "M"
    assert r.code(sex, CodeRef(code="2", da="Kvinder", en="Women")) == "K"
    assert r.code(sex, CodeRef(code="TOT", da="I alt", en="Total")) == "TOT"  # by code
    notes = r.finish()
    assert notes[0].startswith("STRAF42: variable HERKOMST is not in the table; matched by")
    assert "KØN codes not in the table, matched by label: '1' → 'M', '2' → 'K'" in notes[1]
    # A code that matches neither lists the table's real codes.
    with pytest.raises(LayoutError) as err:
        r.code(var, CodeRef(code="99", da="Marsboere", en="Martians"))
    text = str(err.value)
    assert "table STRAF42, variable HERKOMST1: code '99'" in text
    assert "matches neither a code nor a label" in text
    first = json.loads(path.read_text("utf-8"))["variables"][0]["values"][0]
    assert f"{first['id']} ({first['text']})" in text
    with pytest.raises(LayoutError, match=r"no variable REGION .*its variables are: HERKOMST1"):
        r.variable(VariableRef(id="REGION", da="region", en="region"))


def ligeub1_tableinfo_da() -> bytes:
    """LIGEUB1's tableinfo in Danish, CONSTRUCTED (no real one was found): the labels are those
    of the real answer (BOPOMR names, 'I alt', 'Alder i alt'), codes from our code lists."""
    areas = [{"id": "000", "text": "Hele landet"}]
    areas += [{"id": c, "text": n} for c, n in sorted(load_regions().items())]
    areas += [{"id": c, "text": m.name} for c, m in sorted(load_municipalities().items())]
    areas.append({"id": "411", "text": "Christiansø"})

    def var(id_, text, values):
        return {"id": id_, "text": text, "elimination": True, "time": False, "values": values}

    doc = {
        "id": "LIGEUB1",
        "text": "Befolkningens højeste fuldførte uddannelse (15-69 år)",
        "unit": "Antal",
        "updated": "2025-05-15T08:00:00",
        "active": True,
        "variables": [
            var("BOPOMR", "bopælsområde", areas),
            var("HERKOMST", "herkomst", [{"id": "00", "text": "I alt"}]),
            var("HFUDD", "højest fuldførte uddannelse", [{"id": "TOT", "text": "I alt"}]),
            var("ALDER", "alder", [{"id": "TOT", "text": "Alder i alt"}]),
            var("KØN", "køn", [{"id": "TOT", "text": "I alt"}]),
            {
                "id": "Tid",
                "text": "tid",
                "elimination": False,
                "time": True,
                "values": [{"id": str(y), "text": str(y)} for y in range(2005, 2025)],
            },
        ],
    }
    return json.dumps(doc, ensure_ascii=False).encode("utf-8")


LIGEUB1_TOTALS = """
table: LIGEUB1
time: "{year}"
area: {id: BOPOMR, da: bopælsområde, en: region}
origin:
  variable: {id: HERKOMST, da: herkomst, en: ancestry}
  codes: [{code: "00", da: I alt, en: Total, as: all}]
sex:
  variable: {id: KØN, da: køn, en: sex}
  codes: [{code: TOT, da: I alt, en: Total, as: all}]
select:
  - variable: {id: HFUDD, da: højest fuldførte uddannelse, en: highest education completed}
    codes: [{code: TOT, da: I alt, en: Total}]
  - variable: {id: ALDER, da: alder, en: age}
    codes: [{code: TOT, da: Alder i alt, en: "Age, total"}]
indicators:
  - id: population_15_69
    unit: count
"""


def test_the_real_ligeub1_answer_overrides_the_builtin_mapping(replay, tmp_path) -> None:
    body = LIGEUB1.read_bytes()
    # The collected file lacks the final line end every API answer has (the recorded STRAF42
    # CSV ends in CRLF). As it is, the client cannot tell it from a body cut mid-line.
    assert not body.endswith(b"\n")
    replay.add("tableinfo", "LIGEUB1", Reply(ligeub1_tableinfo_da()))
    replay.add("data", "LIGEUB1", Reply(body, content_type=CSV_TYPE))
    (tmp_path / "m").mkdir()
    (tmp_path / "m" / "LIGEUB1.yaml").write_text(LIGEUB1_TOTALS, encoding="utf-8")
    years = list(range(2007, 2024))
    catalogue = catalogue_with("population_15_69")

    def fetch():
        with StatbankClient(replay.base_url, backoff=0.01, retries=1) as client:
            return fetch_tables(
                catalogue, ["LIGEUB1"], years, mappings_dir=tmp_path / "m", client=client
            )

    [cut] = fetch().tables
    assert cut.status == "failed"
    assert cut.message.startswith("LIGEUB1: ")
    assert "incomplete answer: the last line is not terminated" in cut.message
    replay.add("data", "LIGEUB1", Reply(body + b"\n", content_type=CSV_TYPE))
    got = fetch()
    [result] = got.tables
    assert result.status == "stored", result.message
    assert result.indicators == ["population_15_69"]  # the override, not the built-in
    # Expected: the file read with the csv module, municipality names → our codes.
    code_of = {m.name: c for c, m in load_municipalities().items()}
    with LIGEUB1.open(encoding="utf-8", newline="") as fh:
        rows = list(csv.DictReader(fh))
    assert rows[0].keys() == {"BOPOMR", "HERKOMST", "HFUDD", "ALDER", "KØN", "TID", "INDHOLD"}
    expected = {
        (code_of[r["BOPOMR"]], int(r["TID"])): float(r["INDHOLD"])
        for r in rows
        if r["BOPOMR"] != "Christiansø"
    }
    cells = got.inputs[0].cells
    got_values = {(a, y): v for a, y, v in cells[["area_code", "year", "value"]].values}
    assert got_values == expected
    assert len(expected) == 98 * 17
    assert "LIGEUB1: areas the barometer does not have left out: 411 (Christiansø)" in (
        result.notes
    )
