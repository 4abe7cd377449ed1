"""The programme app in Debian's Chromium: log in, work a case, and axe-core (WCAG 2.1 AA)."""

from __future__ import annotations

from datetime import date

import pytest

from barometer.casework.crypto import CprVault
from barometer.casework.db import create_db_engine, upgrade_database
from barometer.programme.synthetic import generate_cohort, write_database
from barometer.programme.web.app import ProgrammeSettings, create_standalone_app

from fixtures.browser import axe, open_page, serving

pytestmark = pytest.mark.browser


@pytest.fixture(scope="module")
def server(tmp_path_factory):
    engine = create_db_engine(f"sqlite:///{tmp_path_factory.mktemp('b') / 'p.db'}")
    upgrade_database(engine)
    write_database(engine, generate_cohort(seed=4, scale=0.05), CprVault(bytes(32)), 4)
    # Plain HTTP on 127.0.0.1 here, so the cookies go without Secure (serve's --insecure-cookies).
    settings = ProgrammeSettings(demo=True, secure_cookies=False, today=lambda: date(2025, 6, 30))
    app = create_standalone_app(engine, settings=settings, vault=CprVault(bytes(32)))
    with serving(app) as url:
        yield url


@pytest.fixture
def page(browser, server):
    context, pg = open_page(browser, server)
    yield pg
    context.close()
    assert pg.errors == []


def demo_login(page, username: str) -> None:
    page.goto("/programme/persons")
    page.wait_for_url("**/programme/login?next=**")
    page.select_option("#demo-user", username)
    page.click("#demo-submit")
    page.wait_for_url("**/programme/")


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
