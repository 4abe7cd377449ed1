"""The site in Debian's Chromium through Playwright: the journeys people make, and axe-core.

Chromium comes from Debian (`apt-get install chromium`); Playwright's own browser download is
not used. The app is the session's fixture store served by uvicorn in a thread.
"""

from __future__ import annotations

import csv
import io
import json
from collections import Counter
from pathlib import Path

import pytest

from fixtures.browser import ARGS, AXE, CHROMIUM, WCAG_TAGS
from fixtures.session import SESSION_YEARS

pytestmark = pytest.mark.browser


@pytest.fixture(scope="module")
def browser():
    from playwright import sync_api  # a dev dependency (pyproject)

    # Never skipped: `make test` needs Debian's chromium (.ci/run installs it).
    assert Path(CHROMIUM).exists(), "chromium is not installed: apt-get install chromium"
    with sync_api.sync_playwright() as p:
        b = p.chromium.launch(executable_path=CHROMIUM, args=ARGS)
        yield b
        b.close()


@pytest.fixture
def page(browser, live_server):
    context = browser.new_context(base_url=live_server, accept_downloads=True)
    pg = context.new_page()
    errors: list[str] = []
    pg.on("pageerror", lambda e: errors.append(str(e)))
    yield pg
    context.close()
    assert errors == [], errors


def _charts_ready(page) -> None:
    # Charts draw when scrolled into view; draw them all (and open the folded sections).
    page.evaluate("() => window.barometerDrawAll && window.barometerDrawAll()")
    page.wait_for_function(
        "() => [...document.querySelectorAll('[data-chart]')]"
        ".every(el => el.dataset.ready === '1' || el.dataset.error)",
        timeout=30000,
    )
    assert page.locator("[data-chart][data-error]").count() == 0


def test_choose_a_municipality_and_read_a_figure(page, client):
    page.goto("/")
    page.fill("#q", "Aarhus")
    page.press("#q", "Enter")
    page.wait_for_url("**/municipality/751")
    assert page.locator("h1#area-name").inner_text().startswith("Aarhus")
    _charts_ready(page)
    obs = client.get(
        "/api/v1/observations?indicator=employment_rate_25_64&area=751&year=2024"
        "&origin_group=non_western&sex=all"
    ).json()["observations"][0]
    expected = f"{obs['value']:.1f}".replace(".", ",") + "\u00a0%"
    row = page.locator("#chart-employment_rate_25_64-block tbody tr", has_text="2024")
    assert expected in row.locator("td").first.text_content()  # the table may be folded


def test_live_search_suggests_municipalities(page):
    page.goto("/?lang=en")
    page.type("#q", "Hol")
    page.wait_for_selector("#search-results li")
    names = page.locator("#search-results li a").all_inner_texts()
    assert "Holbæk" in names and "Holstebro" in names
    page.click("#search-results a:text('Holbæk')")
    page.wait_for_url("**/municipality/316?lang=en")


def test_switch_language_keeps_the_page(page):
    page.goto("/indicator/population?area=101&year=2020")
    assert page.locator("html").get_attribute("lang") == "da"
    page.click("#lang-switch")
    page.wait_for_url("**/indicator/population?area=101&year=2020&lang=en")
    assert page.locator("html").get_attribute("lang") == "en"
    assert page.locator("h1").inner_text() == "Population"
    assert page.locator("#synthetic-banner").inner_text().startswith("SYNTHETIC DATA")
    page.click("#lang-switch")
    page.wait_for_url("**/indicator/population?area=101&year=2020")


def test_compare_two_municipalities_download_csv_and_follow_the_twin(page, web_store):
    page.goto("/compare")
    page.select_option("#area-1", "101")
    page.select_option("#area-2", "751")
    page.check("#ind-employment_rate_25_64")
    page.click("#compare-submit")
    page.wait_for_url("**/compare?**")
    assert "area=101" in page.url and "area=751" in page.url
    _charts_ready(page)
    headers = page.locator("#chart-compare-block thead th").all_inner_texts()
    assert headers[1:] == ["København", "Aarhus", "Hele landet"]  # Denmark: the reference
    assert page.locator("#chart-compare svg").count() >= 1

    with page.expect_download() as info:
        page.click("#download-csv")
    text = Path(info.value.path()).read_text(encoding="utf-8")
    rows = list(csv.DictReader(io.StringIO(text)))
    assert {r["area_code"] for r in rows} == {"101", "751", "000"}
    assert {r["indicator_id"] for r in rows} == {"employment_rate_25_64"}
    # Three areas (the two and Denmark, the reference) × every year from the registers, one
    # origin group and sex, and the two rows of København in the session's figures file
    # (non-Western, 2023 and 2024) beside them.
    by_source = Counter(r["source"] for r in rows)
    assert by_source == {"registers": 3 * len(SESSION_YEARS), "file:kk_employment": 2}

    with page.expect_download() as info:
        page.click("#chart-compare-block button[data-export='svg']")
    assert Path(info.value.path()).read_text(encoding="utf-8").lstrip().startswith("<svg")

    page.click("#json-twin")
    page.wait_for_url("**/compare.json?**")
    doc = json.loads(page.locator("body").inner_text())
    assert doc["page"] == "compare"
    assert [a["code"] for a in doc["areas"]] == ["101", "751"]


def test_keyboard_reaches_the_skip_link_and_content(page):
    page.goto("/municipality/101")
    page.keyboard.press("Tab")
    assert page.evaluate("document.activeElement.className") == "skip"
    page.keyboard.press("Enter")
    assert page.evaluate("location.hash") == "#content"


AXE_PAGES = [
    "/",
    "/indicators",
    "/municipality/101",
    "/indicator/employment_rate_25_64?area=751",
    "/compare?areas=101,751",
    "/goals",
    "/housing",
    "/about?lang=en",
    "/municipality/999",
]


@pytest.mark.parametrize("url", AXE_PAGES)
def test_axe_finds_no_violations(page, url):
    page.goto(url)
    _charts_ready(page)
    # Evaluated through the DevTools protocol: the page's CSP (no inline script) would refuse
    # a <script> tag with axe's text, and axe is not served by the app (test tooling).
    page.evaluate(AXE.read_text(encoding="utf-8") + "\n;0")
    result = page.evaluate(
        "tags => axe.run(document, {runOnly: {type: 'tag', values: tags}})", WCAG_TAGS
    )
    violations = [
        (v["id"], v["impact"], [n["target"] for n in v["nodes"]][:3]) for v in result["violations"]
    ]
    assert violations == []
    assert len(result["passes"]) > 10  # axe really ran


CSP_WATCH = """
window.__csp = [];
document.addEventListener('securitypolicyviolation',
  e => window.__csp.push(e.violatedDirective + ' ' + e.blockedURI));
"""


@pytest.mark.parametrize("url", ["/municipality/101", "/indicator/population?lang=en"])
def test_charts_draw_under_the_content_security_policy(page, url):
    """The CSP has no 'unsafe-eval' or 'unsafe-inline': Vega must draw with its expression
    interpreter and nothing may be refused (a refusal is reported as a violation event)."""
    page.add_init_script(CSP_WATCH)
    messages: list[str] = []
    page.on("console", lambda m: messages.append(m.text))
    response = page.goto(url)
    assert "script-src 'self'" in response.headers["content-security-policy"]
    _charts_ready(page)
    assert page.locator("[data-chart][data-ready='1']").count() >= 1
    assert page.locator("[data-chart] svg").count() >= 1
    assert page.evaluate("window.__csp") == []
    assert not [m for m in messages if "Content Security Policy" in m]
