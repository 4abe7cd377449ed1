"""A local StatBank stand-in: replays recorded and constructed answers over real HTTP.

Why not a mocking library: the client must be tested through httpx's real transport, with
real sockets, timeouts, closed connections and retries. The server listens on 127.0.0.1 on a
random port and answers POST /v1/tableinfo and /v1/data by the JSON body's ``table``, in the
API's formats (ANCHORS.md §5; fixtures in tests/data/statbank/). A data cube answer is cut to
the requested codes, as the API does. Other test modules import ``ReplayServer`` from here.
"""

from __future__ import annotations

import json
import threading
import time
from collections.abc import Iterator
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

import httpx
import pytest

DATA = Path(__file__).parents[1] / "data" / "statbank"
RECORDED = DATA / "recorded"
CONSTRUCTED = DATA / "constructed"
CSV_TYPE = "text/csv; charset=utf-8"
JSON_TYPE = "text/json; charset=utf-8"  # as recorded (api_requests.json)


@dataclass
class Reply:
    body: bytes
    status: int = 200
    content_type: str = JSON_TYPE
    delay: float = 0.0  # seconds before answering (to provoke client timeouts)
    truncate: bool = False  # announce the full length, send half, close
    cut_lines: bool = False  # no Content-Length, close after half the body
    cube: bool = False  # a BULK cube: keep only rows with the requested codes


@dataclass
class ReplayServer:
    """Routes (endpoint, table) → replies; the last reply repeats once the others are used."""

    routes: dict[tuple[str, str], list[Reply]] = field(default_factory=dict)
    log: list[tuple[str, dict]] = field(default_factory=list)

    def add(self, endpoint: str, table: str, *replies: Reply) -> None:
        self.routes[(endpoint, table.upper())] = list(replies)

    def add_table(self, table: str) -> None:
        """The constructed tableinfo and BULK cube of one table."""
        self.add("tableinfo", table, json_reply(CONSTRUCTED / f"tableinfo_{table}.json"))
        self.add("data", table, csv_reply(CONSTRUCTED / f"data_{table}.bulk.csv", cube=True))

    def count(self, endpoint: str | None = None) -> int:
        return sum(1 for path, _ in self.log if endpoint is None or path.endswith(endpoint))

    def next_reply(self, endpoint: str, table: str) -> Reply | None:
        queue = self.routes.get((endpoint, table.upper()))
        if not queue:
            return None
        return queue.pop(0) if len(queue) > 1 else queue[0]

    @property
    def base_url(self) -> str:
        return f"http://127.0.0.1:{self._httpd.server_address[1]}/v1"

    def start(self) -> ReplayServer:
        server = self

        class Handler(BaseHTTPRequestHandler):
            protocol_version = "HTTP/1.1"

            def log_message(self, *args: object) -> None:  # keep test output clean
                pass

            def do_POST(self) -> None:
                length = int(self.headers.get("Content-Length") or 0)
                body = json.loads(self.rfile.read(length) or b"{}")
                endpoint = self.path.rstrip("/").rsplit("/", 1)[-1]
                server.log.append((self.path, body))
                reply = server.next_reply(endpoint, str(body.get("table", "")))
                if reply is None:
                    msg = {"errorTypeCode": "EXTRACT-NOTFOUND", "message": "Tabel ikke fundet"}
                    reply = Reply(json.dumps(msg).encode(), status=400)
                self.answer(reply, body)

            def answer(self, reply: Reply, request: dict) -> None:
                payload = select_rows(reply.body, request) if reply.cube else reply.body
                try:
                    if reply.delay:
                        time.sleep(reply.delay)
                    self.send_response(reply.status)
                    self.send_header("Content-Type", reply.content_type)
                    if reply.cut_lines:
                        self.send_header("Connection", "close")
                        self.end_headers()
                        self.wfile.write(payload[: len(payload) // 2])
                        self.close_connection = True
                        return
                    self.send_header("Content-Length", str(len(payload)))
                    self.end_headers()
                    if reply.truncate:
                        self.wfile.write(payload[: len(payload) // 2])
                        self.wfile.flush()
                        self.close_connection = True
                        return
                    self.wfile.write(payload)
                except (BrokenPipeError, ConnectionResetError):
                    self.close_connection = True

        self._httpd = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self._httpd.daemon_threads = True
        self._thread = threading.Thread(
            target=self._httpd.serve_forever, kwargs={"poll_interval": 0.02}, daemon=True
        )
        self._thread.start()
        return self

    def stop(self) -> None:
        self._httpd.shutdown()
        self._httpd.server_close()
        self._thread.join(timeout=5)


def json_reply(path: Path, **kw: object) -> Reply:
    return Reply(path.read_bytes(), content_type=JSON_TYPE, **kw)


def csv_reply(path: Path, **kw: object) -> Reply:
    return Reply(path.read_bytes(), content_type=CSV_TYPE, **kw)


def error_reply(code: str, message: str, status: int = 400) -> Reply:
    body = json.dumps({"errorTypeCode": code, "message": message}, ensure_ascii=False)
    return Reply(body.encode("utf-8"), status=status)


def select_rows(body: bytes, request: dict) -> bytes:
    """Keep the BULK rows whose codes were requested ('*' keeps all), as the API would."""
    text = body.decode("utf-8-sig")
    lines = text.split("\r\n")
    header = lines[0].split(";")
    wanted = {v["code"].casefold(): set(v["values"]) for v in request.get("variables", [])}
    keep = [lines[0]]
    for line in lines[1:]:
        if not line:
            continue
        cells = line.split(";")
        ok = all(
            "*" in wanted.get(h.casefold(), {"*"}) or c in wanted[h.casefold()]
            for h, c in zip(header[:-1], cells[:-1], strict=True)
        )
        if ok:
            keep.append(line)
    return ("\ufeff" + "\r\n".join(keep) + "\r\n").encode("utf-8")


def serve() -> Iterator[ReplayServer]:
    """Body of a ``replay`` fixture: each test module declares its own, so none is imported."""
    server = ReplayServer().start()
    try:
        yield server
    finally:
        server.stop()


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
