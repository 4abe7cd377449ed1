"""Welcome House in Debian's Chromium: a volunteer signs up on a 390 px phone screen with no
horizontal scroll; staff, coordinator and analyst pages in Danish and English; axe-core finds
no WCAG 2.1 A/AA violation."""

from __future__ import annotations

import shutil
import socket
import threading
import time
from datetime import date
from pathlib import Path

import pytest

from barometer.programme.platform.db import create_db_engine, upgrade_database
from barometer.welcomehouse.synthetic import generate_welcomehouse, write_database
from barometer.welcomehouse.web.app import WelcomeSettings, create_standalone_app

pytestmark = pytest.mark.browser

CHROMIUM = shutil.which("chromium") or "/usr/bin/chromium"
ARGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
        "--disable-background-networking", "--disable-component-update", "--disable-sync"]  # fmt: skip
AXE = Path(__file__).parents[1] / "fixtures" / "vendor" / "axe.min.js"
WCAG_TAGS = ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa"]
PHONE = {"width": 390, "height": 844}


@pytest.fixture(scope="module")
def server(tmp_path_factory):
    import uvicorn

    engine = create_db_engine(f"sqlite:///{tmp_path_factory.mktemp('wb') / 'w.db'}")
    upgrade_database(engine)
    write_database(engine, generate_welcomehouse(seed=4, scale=0.05), 4)
    settings = WelcomeSettings(demo=True, secure_cookies=False, today=lambda: date(2025, 6, 30))
    app = create_standalone_app(engine, settings=settings)
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


def open_page(browser, server, viewport=None):
    context = browser.new_context(base_url=server, bypass_csp=True, viewport=viewport)
    pg = context.new_page()
    pg.errors = []
    pg.on("pageerror", lambda e: pg.errors.append(str(e)))
    return context, pg


def demo_login(page, username: str, start: str) -> None:
    page.goto(f"/welcomehouse/{start}")
    page.wait_for_url("**/welcomehouse/login?next=**")
    page.select_option("#demo-user", username)
    page.click("#demo-submit")
    page.wait_for_url("**/welcomehouse/*")


def axe(page) -> None:
    page.add_script_tag(path=str(AXE))
    result = page.evaluate(
        "tags => axe.run(document, {runOnly: {type: 'tag', values: tags}})", WCAG_TAGS
    )
    violations = [(v["id"], [n["target"] for n in v["nodes"]][:3]) for v in result["violations"]]
    assert violations == []
    assert len(result["passes"]) > 10


def no_horizontal_scroll(page) -> None:
    width = page.evaluate("document.documentElement.scrollWidth")
    assert width <= PHONE["width"], width


def test_volunteer_signs_up_on_a_phone(browser, server):
    context, page = open_page(browser, server, PHONE)
    try:
        demo_login(page, "vol.demo", "me")
        page.goto("/welcomehouse/me")
        no_horizontal_scroll(page)
        axe(page)
        page.click("nav a[href$='/sessions']")
        no_horizontal_scroll(page)
        axe(page)
        buttons = page.locator("button.signup")
        before = buttons.count()
        assert before > 0
        buttons.first.click()
        page.wait_for_url("**/welcomehouse/sessions?saved=1")
        assert page.locator("#signed-up").is_visible()
        assert page.locator("button.signup").count() == before - 1
        no_horizontal_scroll(page)
        page.goto("/welcomehouse/me?lang=en")
        assert page.locator("html").get_attribute("lang") == "en"
        assert page.locator("#upcoming-shifts li").count() >= 1
        no_horizontal_scroll(page)
        axe(page)
        assert page.errors == []
    finally:
        context.close()


def test_staff_coordinator_and_analyst_pages_pass_axe(browser, server):
    context, page = open_page(browser, server)
    try:
        demo_login(page, "staff.norrebro", "volunteers")
        assert page.locator("#volunteers tbody tr").count() > 0
        axe(page)
        page.click("#volunteers tbody tr:first-child a")
        assert page.locator("#certificate-form").is_visible()
        axe(page)
        page.goto("/welcomehouse/activities?lang=en")
        assert page.locator("h1").inner_text() == "Activities"
        axe(page)
        page.click("#activities tbody tr:first-child td:last-child a")
        assert page.locator("#attendance-form").is_visible()
        axe(page)
        page.goto("/welcomehouse/figures?date=2025-06-30")
        assert page.locator("#kpis tbody tr").count() > 0
        axe(page)
        page.click("#logout")
        page.wait_for_url("**/welcomehouse/login")
        axe(page)
        demo_login(page, "coord.org01", "volunteers")
        assert page.locator("#volunteers tbody tr").count() > 0
        axe(page)
        page.click("#logout")
        demo_login(page, "wh.analyst", "figures")
        assert page.locator("#aggregates tbody tr").count() > 0
        axe(page)
        assert page.errors == []
    finally:
        context.close()
