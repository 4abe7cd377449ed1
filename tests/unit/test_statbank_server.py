"""The local StatBank stand-in (tests/fixtures/statbank_server.py) answers like the API."""

from __future__ import annotations

from collections.abc import Iterator

import httpx
import pytest

from fixtures.statbank_server import (
    RECORDED,
    ReplayServer,
    Reply,
    serve,
)


@pytest.fixture
def replay() -> Iterator[ReplayServer]:
    yield from serve()


# -- the stand-in itself ----------------------------------------------------------------


def test_server_answers_a_recorded_body_byte_for_byte(replay: ReplayServer) -> None:
    body = (RECORDED / "table_info_straf42.body.json").read_bytes()
    replay.add("tableinfo", "STRAF42", Reply(body))
    r = httpx.post(f"{replay.base_url}/tableinfo", json={"table": "STRAF42"})
    assert r.status_code == 200
    assert r.content == body
    assert replay.log == [("/v1/tableinfo", {"table": "STRAF42"})]


def test_server_cuts_a_cube_to_the_requested_codes(replay: ReplayServer) -> None:
    replay.add_table("STRAFNA9")
    req = {
        "table": "STRAFNA9",
        "variables": [
            {"code": "KOEN", "values": ["M"]},
            {"code": "ALDER", "values": ["TOT"]},
            {"code": "HERKOMST", "values": ["1", "25"]},
            {"code": "Tid", "values": ["2023"]},
        ],
    }
    r = httpx.post(f"{replay.base_url}/data", json=req)
    lines = r.content.decode("utf-8-sig").split("\r\n")
    assert lines[0] == "KOEN;ALDER;HERKOMST;TID;INDHOLD"
    assert [ln.split(";")[:4] for ln in lines[1:] if ln] == [
        ["M", "TOT", "1", "2023"],
        ["M", "TOT", "25", "2023"],
    ]
