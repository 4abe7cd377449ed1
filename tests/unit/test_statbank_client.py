"""The StatBank client against a real local HTTP server: errors, retries, cache, rate limit."""

from __future__ import annotations

import json
import time
from collections.abc import Iterator

import pytest

from barometer.sources.statbank.client import BASE_URL_ENV, StatbankClient, resolve_base_url
from barometer.sources.statbank.errors import StatbankError

from fixtures.statbank_server import (
    CONSTRUCTED,
    RECORDED,
    ReplayServer,
    Reply,
    csv_reply,
    error_reply,
    json_reply,
    serve,
)


@pytest.fixture
def replay() -> Iterator[ReplayServer]:
    yield from serve()


STRAF42_INFO = RECORDED / "table_info_straf42.body.json"
STRAF42_CSV = RECORDED / "data_straf42_csv.body.csv"
# The real error text quoted in ANCHORS.md §5.3 (rOpenGov/dkstat#39).
LIMIT_MESSAGE = (
    "Forespørgslen på op mod 6.224.652 celler er over begrænsningen på 1.000.000 celler for "
    "denne filtype. Anvend BULK eller andet streaming format i stedet."
)


def client_for(server: ReplayServer, **kw) -> StatbankClient:
    kw.setdefault("retries", 2)
    kw.setdefault("backoff", 0.01)
    kw.setdefault("rate", 0)
    kw.setdefault("timeout", 2.0)
    return StatbankClient(server.base_url, **kw)


def test_tableinfo_posts_json_and_returns_the_body(replay: ReplayServer) -> None:
    replay.add("tableinfo", "STRAF42", json_reply(STRAF42_INFO))
    with client_for(replay) as c:
        answer = c.tableinfo("STRAF42")
    assert answer.content == STRAF42_INFO.read_bytes()
    assert replay.log == [("/v1/tableinfo", {"table": "STRAF42", "format": "JSON", "lang": "en"})]
    assert answer.request() == {
        "method": "POST",
        "url": f"{replay.base_url}/tableinfo",
        "body": {"table": "STRAF42", "format": "JSON", "lang": "en"},
    }
    assert not answer.from_cache


def test_data_request_body_names_every_variable(replay: ReplayServer) -> None:
    replay.add("data", "STRAF42", csv_reply(STRAF42_CSV))
    with client_for(replay) as c:
        answer = c.data("STRAF42", {"HERKOMST1": ["00"], "Tid": ["2023"]})
    assert answer.text.startswith("HERKOMST1;TID;INDHOLD")  # BOM removed
    assert replay.log[0][1] == {
        "table": "STRAF42",
        "format": "BULK",
        "lang": "en",
        "valuePresentation": "Code",
        "variables": [
            {"code": "HERKOMST1", "values": ["00"]},
            {"code": "Tid", "values": ["2023"]},
        ],
    }


@pytest.mark.parametrize(
    ("code", "message"),
    [
        ("REQUEST-LIMIT", LIMIT_MESSAGE),
        ("EXTRACT-NOTFOUND", "Tabellen blev ikke fundet"),
        ("EXTRACT-NOTALLOWED", "Der skal vælges værdier for variabel: OMRÅDE"),
        ("REQUEST-MISSING", "Der mangler en parameter"),
    ],
)
def test_api_error_codes_are_reported_and_not_retried(
    replay: ReplayServer, code: str, message: str
) -> None:
    replay.add("data", "FOLK1E", error_reply(code, message))
    with client_for(replay) as c, pytest.raises(StatbankError) as err:
        c.data("FOLK1E", {"OMRÅDE": ["101"]})
    assert err.value.code == code
    assert message in str(err.value)
    assert code in str(err.value)
    assert replay.count() == 1  # a 4xx is final


def test_5xx_then_success_is_retried(replay: ReplayServer) -> None:
    good = json_reply(STRAF42_INFO)
    replay.add("tableinfo", "STRAF42", Reply(b"oops", status=503), Reply(b"", status=500), good)
    waits: list[float] = []
    with client_for(replay, backoff=0.05, sleep=waits.append) as c:
        answer = c.tableinfo("STRAF42")
    assert answer.content == good.body
    assert replay.count() == 3
    assert waits == [0.05, 0.1]  # backoff · 2^(k-1)


def test_slow_answer_times_out_and_is_retried(replay: ReplayServer) -> None:
    good = json_reply(STRAF42_INFO)
    replay.add("tableinfo", "STRAF42", json_reply(STRAF42_INFO, delay=1.5), good)
    t0 = time.perf_counter()
    with client_for(replay, timeout=0.3) as c:
        answer = c.tableinfo("STRAF42")
    assert answer.content == good.body
    assert replay.count() == 2
    assert time.perf_counter() - t0 < 1.5


def test_truncated_bodies_are_retried(replay: ReplayServer) -> None:
    # First a body shorter than its Content-Length, then a CSV cut mid-line with no length.
    cube = CONSTRUCTED / "data_STRAFNA9.bulk.csv"
    replay.add(
        "data",
        "STRAFNA9",
        csv_reply(cube, truncate=True),
        csv_reply(cube, cut_lines=True),
        csv_reply(cube),
    )
    with client_for(replay) as c:
        answer = c.data("STRAFNA9", {"KOEN": ["M"]})
    assert answer.content == cube.read_bytes()
    assert replay.count() == 3


def test_truncated_json_is_retried(replay: ReplayServer) -> None:
    body = STRAF42_INFO.read_bytes()
    replay.add("tableinfo", "STRAF42", Reply(body, cut_lines=True), Reply(body))
    with client_for(replay) as c:
        assert json.loads(c.tableinfo("STRAF42").text)["id"] == "STRAF42"
    assert replay.count() == 2


def test_gives_up_after_the_retries_with_a_clear_error(replay: ReplayServer) -> None:
    replay.add("tableinfo", "STRAF42", Reply(b"down", status=502))
    with (
        client_for(replay, retries=2) as c,
        pytest.raises(StatbankError, match="gave up after 3 attempts; last: HTTP 502"),
    ):
        c.tableinfo("STRAF42")
    assert replay.count() == 3


def test_cache_hit_makes_no_request_and_failures_are_not_cached(
    replay: ReplayServer, tmp_path
) -> None:
    replay.add("tableinfo", "STRAF42", Reply(b"{", cut_lines=False), json_reply(STRAF42_INFO))
    cache = tmp_path / "cache"
    with client_for(replay, cache_dir=cache) as c:
        first = c.tableinfo("STRAF42")  # '{' is incomplete JSON → retried, not cached
    assert replay.count() == 2 and not first.from_cache
    with client_for(replay, cache_dir=cache) as c:
        second = c.tableinfo("STRAF42")
        assert c.requests_sent == 0
    assert second.from_cache and second.content == first.content
    assert second.key == first.key
    assert replay.count() == 2
    with client_for(replay, cache_dir=cache, lang="da") as c:  # another request, another key
        c.tableinfo("STRAF42")
    assert replay.count() == 3


def test_rate_limit_spaces_requests(replay: ReplayServer) -> None:
    replay.add("tableinfo", "STRAF42", json_reply(STRAF42_INFO))
    with client_for(replay, rate=10) as c:
        t0 = time.perf_counter()
        for _ in range(4):
            c.tableinfo("STRAF42")
        elapsed = time.perf_counter() - t0
    assert elapsed >= 0.3  # 4 requests at most 10 per second: 3 gaps of 0.1 s


def test_base_url_from_argument_environment_or_default(monkeypatch) -> None:
    monkeypatch.delenv(BASE_URL_ENV, raising=False)
    assert resolve_base_url() == "https://api.statbank.dk/v1"
    monkeypatch.setenv(BASE_URL_ENV, "http://127.0.0.1:9/v1/")
    assert resolve_base_url() == "http://127.0.0.1:9/v1"
    assert resolve_base_url("http://example.invalid/v1") == "http://example.invalid/v1"
    with pytest.raises(StatbankError, match="must start with http"):
        resolve_base_url("api.statbank.dk/v1")


def test_unreachable_server_is_a_clear_error() -> None:
    client = StatbankClient("http://127.0.0.1:9/v1", retries=1, backoff=0.01, rate=0, timeout=1)
    with client as c, pytest.raises(StatbankError, match="connection failed"):
        c.tableinfo("FOLK1E")


def test_subjects_and_tables_listings(replay: ReplayServer) -> None:
    from barometer.sources.statbank.tableinfo import parse_tables

    replay.add("subjects", "", json_reply(RECORDED / "subjects_en.body.json"))
    replay.add("tables", "", json_reply(RECORDED / "tables_subject_crime.body.json"))
    with client_for(replay) as c:
        subjects = json.loads(c.subjects().text)
        tables = parse_tables(c.tables(["4"]).text)
    assert [s["id"] for s in subjects][:2] == ["1", "2"]
    assert subjects[3]["description"] == "Social conditions"
    assert replay.log[1] == ("/v1/tables", {"format": "JSON", "lang": "en", "subjects": ["4"]})
    first = tables[0]
    assert (first.id, first.first_period, first.latest_period) == ("AUKS02", "2007Q1", "2025Q1")
    assert first.variables == ("type of benefits", "sex", "age", "time")
    assert all(t.id for t in tables)
