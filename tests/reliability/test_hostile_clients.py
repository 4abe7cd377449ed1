"""Issue #20 item 9: the web server under hostile clients.

The dashboard of the session store (tests/conftest.py) is asked what an attacker or a careless
client would ask: junk parameters, huge pages, HEAD and POST, a trailing slash with a forged
Host header, formulas in a download, test tooling under /static. Load and latency are
measured by benchmarks/load.py (docs/performance.md), never timed here.
"""

from __future__ import annotations

import csv
import inspect
import io
import re
import socket
import threading
import time
import warnings
from pathlib import Path

import duckdb
import pytest

from barometer.publish.web import app as web_app
from barometer.publish.web import create_app, views
from barometer.publish.web.middleware import CacheEntries, normalise_query

from fixtures.stores import store_from_cells

with warnings.catch_warnings():
    warnings.simplefilter("ignore")
    from fastapi.testclient import TestClient

STATIC = Path(web_app.__file__).parent / "static"


@pytest.fixture(scope="module")
def app(session_store):
    return create_app(session_store)


@pytest.fixture(scope="module")
def client(app):
    with TestClient(app) as c:
        yield c


# --- blocking work never runs on the event loop --------------------------------------------


def test_no_route_or_error_handler_is_a_coroutine(app) -> None:
    routes = [r for r in app.routes if hasattr(r, "endpoint")]
    ours = [r for r in routes if r.endpoint.__module__ == web_app.__name__]
    assert len(ours) >= 15
    assert [r.path for r in ours if inspect.iscoroutinefunction(r.endpoint)] == []
    handlers = [h for h in app.exception_handlers.values() if h.__module__ == web_app.__name__]
    assert len(handlers) == 3 and not any(inspect.iscoroutinefunction(h) for h in handlers)


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def test_a_slow_page_does_not_stall_other_clients(session_store, monkeypatch) -> None:
    """A page that blocks until another client has been answered: with the work on the event
    loop the other client could never be answered, and the blocked page would time out."""
    import httpx
    import uvicorn

    release = threading.Event()
    original = views.about

    def blocking_about(*args, **kwargs):
        assert release.wait(20), "the other client was not answered while this page worked"
        return original(*args, **kwargs)

    monkeypatch.setattr(views, "about", blocking_about)
    port = _free_port()
    server = uvicorn.Server(
        uvicorn.Config(create_app(session_store, cache_size=0), host="127.0.0.1", port=port,
                       log_level="warning", lifespan="off")
    )  # fmt: skip
    thread = threading.Thread(target=server.run, daemon=True)
    thread.start()
    deadline = time.monotonic() + 20
    while not server.started:
        assert time.monotonic() < deadline, "uvicorn did not start"
        time.sleep(0.05)
    base = f"http://127.0.0.1:{port}"
    try:
        slow: dict = {}
        worker = threading.Thread(
            target=lambda: slow.update(r=httpx.get(f"{base}/about", timeout=30)), daemon=True
        )
        worker.start()
        time.sleep(0.3)  # the slow page is now blocked in its handler
        other = httpx.get(f"{base}/api/v1/areas", timeout=15)
        assert other.status_code == 200 and not slow  # answered while /about still works
        release.set()
        worker.join(30)
        assert slow["r"].status_code == 200
    finally:
        release.set()
        server.should_exit = True
        thread.join(10)


# --- cache keys: junk parameters --------------------------------------------------------------


def test_normalised_queries_keep_only_what_the_route_reads() -> None:
    known, multi = frozenset({"lang", "area", "areas"}), frozenset({"areas"})
    assert normalise_query("junk=1&area=101&utm=x", known, multi) == "area=101"
    assert normalise_query("area=101&area=147", known, multi) == "area=147"  # the one read
    assert normalise_query("areas=101&areas=147", known, multi) == "areas=101&areas=147"
    assert normalise_query("lang=en&area=1", known, multi) == "area=1&lang=en"
    assert normalise_query("lang=da", known, multi) == normalise_query("lang=xx", known, multi)
    assert normalise_query("lang=da", known, multi) == ""


def test_a_junk_parameter_makes_no_new_cache_entry_and_breaks_no_page(session_store) -> None:
    app = create_app(session_store)
    cache = app.state.response_cache
    with TestClient(app) as c:
        for path in ("/municipality/101", "/indicator/population", "/api/v1/areas"):
            base = c.get(path)
            assert base.status_code == 200
            n = len(cache)
            for junk in ("junk=1", "junk=2&utm_source=x", "lang=da", "lang=xx&x=%3Cscript%3E"):
                r = c.get(f"{path}?{junk}")
                assert r.status_code == 200 and r.content == base.content, (path, junk)
            assert len(cache) == n, path
        page = c.get("/municipality/101?lang=en&junk=%22evil%22")
        assert page.status_code == 200 and '<html lang="en">' in page.text
        assert "junk" not in page.text and "evil" not in page.text  # not even in its links
        grouped = c.get("/indicator/population?origin_group=non_western&junk=1")
        assert grouped.content == c.get("/indicator/population?origin_group=non_western").content


# --- the cache is bounded by entries and by bytes that count --------------------------------


def test_cache_entries_count_headers_and_keys_not_only_bodies() -> None:
    cache = CacheEntries(size=10_000, max_bytes=64_000)
    for i in range(1000):  # empty bodies: only the key, the headers and the overhead count
        cache.put(f"/api/v1/areas?x={i}", [(b"content-type", b"application/json")], b"")
    assert cache.bytes <= 64_000 and len(cache) < 200
    assert cache.bytes == sum(entry[3] for entry in cache.entries.values())
    cache.put("/big", [], b"x" * 1001)  # more than 1/64 of the bytes: served, never kept
    assert cache.get("/big") is None
    small = CacheEntries(size=3, max_bytes=10**6)
    for i in range(10):
        small.put(f"/p{i}", [], b"body")
    assert list(small.entries) == ["/p7", "/p8", "/p9"]


def test_the_apps_cache_stays_within_its_bounds(session_store) -> None:
    app = create_app(session_store, cache_size=8, cache_bytes=640_000)
    cache = app.state.response_cache
    with TestClient(app) as c:
        for offset in range(30):
            assert c.get(f"/api/v1/observations?limit=20&offset={offset}").status_code == 200
        assert len(cache) == 8 and cache.bytes <= 640_000
        big = c.get("/indicator/population.csv")  # larger than 10 kB: served, not kept
        assert big.status_code == 200 and len(big.content) > 10_000
        assert all(not k.startswith("/indicator/population.csv") for k in cache.entries)


# --- response sizes: a paged API and streamed downloads -------------------------------------


def test_observations_are_paged_with_a_documented_maximum(client, session_store) -> None:
    limit = web_app.API_MAX_LIMIT
    r = client.get(f"/api/v1/observations?limit={limit + 1}")
    assert r.status_code == 422 and "limit" in r.json()["error"]["message"]
    first = client.get("/api/v1/observations?indicator=population").json()
    assert first["limit"] == web_app.API_DEFAULT_LIMIT == len(first["observations"])
    with duckdb.connect(str(session_store), read_only=True) as con:
        expected = con.execute(
            "SELECT count(*) FROM observations WHERE indicator_id = 'population'"
        ).fetchone()[0]
    assert first["total"] == expected > 3 * 2_000
    rows, url, pages = [], "/api/v1/observations?indicator=population&limit=2000", 0
    while url:
        page = client.get(url).json()
        rows += page["observations"]
        url, pages = page["next"], pages + 1
    assert pages == -(-expected // 2000) and len(rows) == expected
    keys = {(r["area_code"], r["year"], r["origin_group"], r["sex"], r["source"]) for r in rows}
    assert len(keys) == expected  # every observation once
    spec = client.get("/openapi.json").json()
    text = spec["paths"]["/api/v1/observations"]["get"]["description"]
    assert f"{limit:,}" in text


def test_a_big_csv_download_is_streamed_with_the_same_bytes(session_store, monkeypatch) -> None:
    app = create_app(session_store, cache_size=0)
    with TestClient(app) as c:
        monkeypatch.setattr(web_app, "STREAM_ROWS", 10**9)
        whole = c.get("/indicator/population.csv")
        assert "content-length" in whole.headers
        monkeypatch.setattr(web_app, "STREAM_ROWS", 500)
        streamed = c.get("/indicator/population.csv")
    assert streamed.status_code == 200 and "content-length" not in streamed.headers
    assert streamed.content == whole.content and whole.content.count(b"\n") > 2_000
    assert streamed.headers["content-disposition"] == whole.headers["content-disposition"]


# --- headers, methods, redirects -------------------------------------------------------------


def test_security_headers_on_every_response(client) -> None:
    for url in ("/", "/about", "/about", "/api/v1/areas", "/static/app.css", "/no/such/page",
                "/indicator/nope.json"):  # fmt: skip
        r = client.get(url)
        csp = r.headers["content-security-policy"]
        assert "frame-ancestors 'none'" in csp and "script-src 'self';" in csp, url
        assert "unsafe-inline" not in csp and "unsafe-eval" not in csp
        assert r.headers["x-content-type-options"] == "nosniff"
        assert r.headers["referrer-policy"] == "same-origin"


def test_no_page_has_inline_script(client) -> None:
    for url in ("/", "/municipality/101", "/indicator/population", "/compare?areas=101,147",
                "/goals", "/housing", "/about", "/search?q=k", "/municipality/999"):  # fmt: skip
        html = client.get(url).text
        for tag in re.findall(r"<script\b[^>]*>", html):
            assert "src=" in tag or 'type="application/json"' in tag, (url, tag)
        assert not re.search(r"\son[a-z]+\s*=", html), url  # no onclick= and the like
        assert "javascript:" not in html


def test_methods_head_and_allow(client) -> None:
    for url in ("/about", "/api/v1/areas", "/municipality/101.json"):
        get = client.get(url)
        head = client.head(url)
        assert head.status_code == 200 and head.content == b"", url
        assert head.headers["content-length"] == str(len(get.content))
        assert head.headers["content-type"] == get.headers["content-type"]
        post = client.post(url)
        assert post.status_code == 405, url
        assert post.headers["allow"] == "GET, HEAD"
    assert client.head("/static/app.js").status_code == 200


def test_vary_where_content_varies(client) -> None:
    def vary(r) -> set[str]:
        return {v.strip().lower() for v in r.headers.get("vary", "").split(",") if v.strip()}

    plain = client.get("/search?q=Kø")
    fragment = client.get("/search?q=Kø", headers={"HX-Request": "true"})
    # (a page big enough to be compressed varies by the encoding too)
    assert vary(plain) - {"accept-encoding"} == vary(fragment) - {"accept-encoding"}
    assert "hx-request" in vary(plain)
    assert "<html" in plain.text and "<html" not in fragment.text
    again = client.get("/search?q=Kø", headers={"HX-Request": "true"})
    assert again.content == fragment.content  # two cache entries, never mixed
    # The API's answers do not depend on HX-Request (only on the encoding when compressed).
    assert vary(client.get("/api/v1/areas")) <= {"accept-encoding"}


def test_redirects_never_follow_the_host_header(client) -> None:
    forged = {"host": "evil.example"}
    cases = {
        "/about/": "/about",
        "/about/?lang=en": "/about?lang=en",
        "//evil.example/": "/evil.example",
        "/%5Cevil.example/": "/%5Cevil.example",
    }
    for url, location in cases.items():
        r = client.get("http://testserver" + url, headers=forged, follow_redirects=False)
        assert r.status_code == 308 and r.headers["location"] == location, (url, r.headers)
    r = client.get("/search?q=København", headers=forged, follow_redirects=False)
    assert r.status_code == 303 and r.headers["location"] == "/municipality/101"


# --- formulas in downloads ---------------------------------------------------------------------


def test_spreadsheet_formulas_are_neutralised_in_downloads(tmp_path) -> None:
    import openpyxl

    formula = '=HYPERLINK("http://evil.example","x")'
    rows = [
        ["population", area, 2020, "all", "all", 10.0, 10.0, None, formula, "ok"]
        for area in ("101", "147")
    ]
    store = store_from_cells(tmp_path / "s.duckdb", rows, kind="file", source="file:kk")
    with TestClient(create_app(store)) as c:
        text = c.get("/indicator/population.csv").text
        book = openpyxl.load_workbook(io.BytesIO(c.get("/indicator/population.xlsx").content))
    units = {r["unit"] for r in csv.DictReader(io.StringIO(text))}
    assert units == {"'" + formula}
    sheet = book["observations"]
    header = [cell.value for cell in sheet[1]]
    cells = [row[header.index("unit")] for row in sheet.iter_rows(min_row=2)]
    assert cells and all(c.value == "'" + formula and c.data_type == "s" for c in cells)


# --- no test tooling served; mounted apps bypass the dashboard ------------------------------


def test_test_tooling_is_not_served(client) -> None:
    assert client.get("/static/vendor/axe.min.js").status_code == 404
    assert not [p for p in STATIC.rglob("*") if "axe" in p.name.lower()]
    assert client.get("/static/vendor/htmx.min.js").status_code == 200


def test_a_mounted_programme_response_is_never_cached(session_store, tmp_path) -> None:
    from barometer.casework.db import create_db_engine, upgrade_database
    from barometer.programme.web.app import create_programme_app

    url = f"sqlite:///{tmp_path / 'programme.db'}"
    engine = create_db_engine(url)
    upgrade_database(engine)
    engine.dispose()
    dashboard = create_app(session_store)
    cache = dashboard.state.response_cache
    site = web_app.compose(dashboard, {"/programme": create_programme_app(url)})
    with TestClient(site) as c:
        assert c.get("/about").status_code == 200
        n = len(cache)
        for _ in range(2):
            r = c.get("/programme/login")
            assert r.status_code == 200 and "<form" in r.text
        assert len(cache) == n and not any(k.startswith("/programme") for k in cache.entries)
        assert (
            r.headers.get("content-security-policy")
            != c.get("/about").headers["content-security-policy"]
        )  # the dashboard's layers never saw it


def test_prewarm_still_fills_the_cache(session_store) -> None:
    app = create_app(session_store)
    web_app._prewarm(app, ["/", "/about?junk=1", "/about"])
    assert sorted(app.state.response_cache.entries) == ["/?", "/about?"]
