"""``barometer statbank fetch | tables | info`` as a user runs them (a real process), against
the local replay server: per-table outcomes and the exit code, the real tables listings, and a
table's codes with its mapping resolved against them."""

from __future__ import annotations

import json
import subprocess
import sys
from collections.abc import Iterator

import duckdb
import pytest

from fixtures.statbank_open import serve_tables, table
from fixtures.statbank_server import RECORDED, ReplayServer, Reply, json_reply, serve


@pytest.fixture
def replay() -> Iterator[ReplayServer]:
    yield from serve()


def barometer(*args: str) -> subprocess.CompletedProcess:
    return subprocess.run(
        [sys.executable, "-m", "barometer", *args], capture_output=True, text=True, timeout=300
    )


def test_fetch_stores_what_it_can_reports_each_table_and_exits_1(replay, tmp_path) -> None:
    serve_tables(replay, "FOLK1E")
    replay.add("data", "RAS201", Reply(b"busy", status=503))
    store = tmp_path / "mine.duckdb"
    run = barometer("statbank", "fetch", "--store", str(store), "--base-url", replay.base_url,
                    "--tables", "FOLK1E,NOPE1", "--years", "2023")  # fmt: skip
    assert run.returncode == 1
    assert "Traceback" not in run.stderr
    lines = run.stderr.splitlines()
    assert any(ln.startswith("FOLK1E    stored   population (2023-2023, ") for ln in lines)
    assert any(
        ln.startswith("NOPE1     failed   StatBank: no mapping for table NOPE1") for ln in lines
    )
    assert "failed: NOPE1; the other tables were stored" in run.stderr
    with duckdb.connect(str(store), read_only=True) as con:
        sources = con.execute("SELECT DISTINCT source FROM observations").fetchall()
    assert sources == [("statbank:FOLK1E",)]


def test_fetch_with_nothing_stored_writes_no_store(replay, tmp_path) -> None:
    store = tmp_path / "mine.duckdb"
    run = barometer("statbank", "fetch", "--store", str(store), "--base-url", replay.base_url,
                    "--tables", "RAS201", "--years", "2023")  # fmt: skip
    assert run.returncode == 1 and "Traceback" not in run.stderr
    assert "RAS201    failed   RAS201: StatBank EXTRACT-NOTFOUND" in run.stderr
    assert not store.exists()


def test_tables_lists_the_recorded_listings_and_marks_mapped_ones(replay) -> None:
    crime = (RECORDED / "tables_subject_crime.body.json").read_bytes()
    everything = (RECORDED / "tables_en.body.json").read_bytes()
    replay.add("tables", "", Reply(b"", make=lambda r: crime if r.get("subjects") else everything))
    run = barometer("statbank", "tables", "--subject", "4", "--base-url", replay.base_url)
    assert run.returncode == 0, run.stderr
    listed = json.loads(crime)
    out = run.stdout.splitlines()
    assert len(out) == len(listed)
    auh01 = next(t for t in listed if t["id"] == "AUH01")
    assert f"* AUH01      {auh01['latestPeriod']:<8} {auh01['updated'][:10]} {auh01['text']}" in out
    assert next(ln for ln in out if " AUK01 " in ln).startswith("  ")  # not mapped
    sent = next(b for p, b in replay.log if p.endswith("/tables"))
    assert sent["subjects"] == ["4"]
    run = barometer("statbank", "tables", "--search", "educational attainment",
                    "--base-url", replay.base_url)  # fmt: skip
    found = {ln[2:].split()[0]: ln.startswith("*") for ln in run.stdout.splitlines()}
    expected = {
        t["id"] for t in json.loads(everything) if "educational attainment" in t["text"].lower()
    }
    assert set(found) == expected and found["LIGEUB1"] and not found["HFUDD11"]


def test_info_shows_the_codes_and_how_the_mapping_resolves(replay) -> None:
    serve_tables(replay, "RAS201", "FOLK1E")
    run = barometer("statbank", "info", "RAS201", "--base-url", replay.base_url, "--codes", "0")
    assert run.returncode == 0, run.stderr
    out = run.stdout
    ras201 = table("RAS201")
    socio = next(v for v in ras201.variables if v.id == "SOCIO")
    assert f"  SOCIO (socioeconomic status): {len(socio.codes)} codes" in out
    for code, text in socio.codes:
        assert f"    {code:<12} {text}" in out
    assert "mapping RAS201.yaml resolves against this table" in out
    assert "note: RAS201: SOCIO codes not in the table, matched by label: '00' → '0'" in out


def test_info_says_when_a_mapping_does_not_fit_and_when_a_table_is_not_mapped(replay) -> None:
    info = json.loads(table("RAS201").tableinfo())
    socio = next(v for v in info["variables"] if v["id"] == "SOCIO")
    socio["values"] = [{"id": "X1", "text": "Wage earners"}, {"id": "X2", "text": "Others"}]
    replay.add("tableinfo", "RAS201", Reply(json.dumps(info).encode()))
    run = barometer("statbank", "info", "RAS201", "--base-url", replay.base_url)
    assert run.returncode == 1 and "Traceback" not in run.stderr
    assert (
        "mapping RAS201.yaml does not fit: StatBank: table RAS201, variable SOCIO: code '00' "
        "('Beskæftigede' / 'Employed') named in the mapping RAS201.yaml matches neither a code "
        "nor a label; the table's codes are: X1 (Wage earners), X2 (Others)"
    ) in run.stdout
    replay.add("tableinfo", "STRAF42", json_reply(RECORDED / "table_info_straf42.body.json"))
    run = barometer("statbank", "info", "STRAF42", "--base-url", replay.base_url)
    assert run.returncode == 0
    assert run.stdout.startswith("STRAF42: Decisions, total (Number; updated 2025-03-25")
    assert "    … and 67 more (--codes 0 shows all)" in run.stdout  # OVERTRÆD has 97
    assert run.stdout.rstrip().endswith(
        "not mapped (add a mapping with --mappings-dir to fetch it)"
    )
