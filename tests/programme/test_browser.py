"""The programme app in Debian's Chromium: log in, work a case, and axe-core (WCAG 2.1 AA)."""

from __future__ import annotations

import shutil
import socket
import threading
import time
from datetime import date
from pathlib import Path

import pytest

from barometer.programme.platform.crypto import CprVault
from barometer.programme.platform.db import create_db_engine, upgrade_database
from barometer.programme.synthetic import generate_cohort, write_database
from barometer.programme.web.app import ProgrammeSettings, create_standalone_app

pytestmark = pytest.mark.browser

CHROMIUM = shutil.which("chromium") or "/usr/bin/chromium"
ARGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
        "--disable-background-networking", "--disable-component-update", "--disable-sync"]  # fmt: skip
AXE = Path(__file__).parents[1] / "fixtures" / "vendor" / "axe.min.js"
WCAG_TAGS = ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa"]


@pytest.fixture(scope="module")
def server(tmp_path_factory):
    import uvicorn

    engine = create_db_engine(f"sqlite:///{tmp_path_factory.mktemp('b') / 'p.db'}")
    upgrade_database(engine)
    write_database(engine, generate_cohort(seed=4, scale=0.05), CprVault(bytes(32)), 4)
    # Plain HTTP on 127.0.0.1 here, so the cookies go without Secure (serve's --insecure-cookies).
    settings = ProgrammeSettings(demo=True, secure_cookies=False, today=lambda: date(2025, 6, 30))
    app = create_standalone_app(engine, settings=settings, vault=CprVault(bytes(32)))
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    srv = uvicorn.Server(uvicorn.Config(app, host="127.0.0.1", port=port, log_level="warning"))
    thread = threading.Thread(target=srv.run, daemon=True)
    thread.start()
    deadline = time.monotonic() + 20
    while not srv.started:
        assert time.monotonic() < deadline, "uvicorn did not start"
        time.sleep(0.05)
    yield f"http://127.0.0.1:{port}"
    srv.should_exit = True
    thread.join(timeout=10)


@pytest.fixture(scope="module")
def browser():
    from playwright import sync_api

    assert Path(CHROMIUM).exists(), "chromium is not installed: apt-get install chromium"
    with sync_api.sync_playwright() as p:
        b = p.chromium.launch(executable_path=CHROMIUM, args=ARGS)
        yield b
        b.close()


@pytest.fixture
def page(browser, server):
    context = browser.new_context(base_url=server, bypass_csp=True)  # to inject axe-core
    pg = context.new_page()
    errors: list[str] = []
    pg.on("pageerror", lambda e: errors.append(str(e)))
    yield pg
    context.close()
    assert errors == []


def demo_login(page, username: str) -> None:
    page.goto("/programme/persons")
    page.wait_for_url("**/programme/login?next=**")
    page.select_option("#demo-user", username)
    page.click("#demo-submit")
    page.wait_for_url("**/programme/")


def axe(page) -> None:
    page.add_script_tag(path=str(AXE))
    result = page.evaluate(
        "tags => axe.run(document, {runOnly: {type: 'tag', values: tags}})", WCAG_TAGS
    )
    violations = [(v["id"], [n["target"] for n in v["nodes"]][:3]) for v in result["violations"]]
    assert violations == []
    assert len(result["passes"]) > 10


def test_caseworker_opens_a_case_adds_an_episode_and_sees_no_cpr(page):
    demo_login(page, "cw.nord")
    assert page.locator("#tasks tbody tr").count() > 0
    axe(page)
    page.click("nav a[href$='/persons']")
    page.click("#persons tbody tr:first-child a")
    assert page.locator("#cpr-masked").inner_text().endswith("-****")
    axe(page)
    page.fill("#ep-start", "2025-06-30")
    page.select_option("#ep-kind", "follow_up")
    page.click("#episode-submit")
    page.wait_for_url("**saved=1")
    assert "follow_up" in page.locator("#episodes").inner_text()
    assert page.locator("#episodes").inner_text().count("2025-06-30") >= 1


def test_english_pages_pass_axe_for_each_role(page):
    demo_login(page, "leader.nord")
    page.goto("/programme/compliance?lang=en")
    assert page.locator("html").get_attribute("lang") == "en"
    assert page.locator("h1").inner_text().startswith("Compliance")
    axe(page)
    page.goto("/programme/kpis")
    axe(page)
    page.click("#logout")
    page.wait_for_url("**/programme/login")
    axe(page)
