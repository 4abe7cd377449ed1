"""The same client, parser and fetch against the real StatBank — only when asked.

Run: ``pytest tests_live`` (optionally with
``BAROMETER_STATBANK_URL`` pointing at another base URL). Skipped otherwise, because the test
machines cannot reach api.statbank.dk. A failing mapping check here is the signal that a
table's layout changed or that an UNCONFIRMED code in mappings/*.yaml matches neither a code
nor a label (the message lists the table's real codes).
"""

from __future__ import annotations

import json

import duckdb
import pytest
from test_statbank_server import RECORDED

from barometer.catalogue import load_catalogue
from barometer.pipeline import add_inputs
from barometer.sources.statbank import StatbankClient, fetch_tables
from barometer.sources.statbank.explore import describe_table
from barometer.sources.statbank.mapping import load_mappings
from barometer.sources.statbank.parse import parse_csv
from barometer.sources.statbank.tableinfo import parse_tableinfo


@pytest.fixture(scope="module")
def client():
    with StatbankClient(rate=2) as c:  # base URL: $BAROMETER_STATBANK_URL or the real API
        yield c


def test_recorded_csv_request_still_gives_the_recorded_format(client) -> None:
    recorded = json.loads((RECORDED / "api_requests.json").read_text("utf-8"))
    body = json.loads(recorded["data_straf42_csv.body.csv"]["request_body"])
    answer = client.post("data", body)
    assert answer.content.startswith(b"\xef\xbb\xbf")
    assert answer.text.splitlines()[0] == "HERKOMST1;TID;INDHOLD"
    info = parse_tableinfo(client.tableinfo("STRAF42").text, "STRAF42")
    assert len(parse_csv(answer.text, info)) == 1


@pytest.mark.parametrize("table", sorted(load_mappings()))
def test_mapping_matches_the_live_tableinfo(client, table) -> None:
    # What `barometer statbank info TABLE` checks: every variable and code resolves (by
    # code or by label) against the live tableinfo, FOLK1E's populations included.
    described = describe_table(client, table, load_mappings())
    assert described.problem is None, described.problem
    print("\n".join(described.check))  # what resolved by label, shown with pytest -s


def test_fetch_one_year_of_folk1e(tmp_path) -> None:
    store = tmp_path / "live.duckdb"
    res = fetch_tables(load_catalogue(), ["FOLK1E"], [2024], None, tmp_path / "cache")
    assert res.tables[0].observations > 1000
    add_inputs(store, res.inputs)
    with duckdb.connect(str(store), read_only=True) as con:
        n = con.execute(
            "SELECT value FROM observations WHERE area_code = '000' AND origin_group = 'all' "
            "AND sex = 'all' AND source = 'statbank:FOLK1E'"
        ).fetchone()[0]
    assert 5_800_000 < n < 6_100_000  # Denmark on 1 January 2024 (FOLK1AM: 5,961,249)
