"""Issue #19 in Debian's Chromium (Playwright): phones, the committee view, ranks, the map,
accessibility of the new pages and the bytes a first visit transfers.

Expected values come from the store by SQL, never from the page under test.
"""

from __future__ import annotations

from pathlib import Path

import duckdb
import pytest

from fixtures.browser import ARGS, AXE, CHROMIUM, WCAG_TAGS

pytestmark = pytest.mark.browser

PHONE = {"width": 390, "height": 844}
PAGES = [
    "/",
    "/indicators",
    "/municipality/101",
    "/municipality/825",
    "/municipality/000",
    "/indicator/employment_rate_25_64",
    "/indicator/employment_gap_25_64?area=751",
    "/compare?areas=101,751&indicator=employment_rate_25_64&indicator=public_support_share",
    "/goals?area=101",
    "/housing",
    "/about",
    "/docs",
    "/search?q=ho",
    "/municipality/999",
]


@pytest.fixture(scope="module")
def browser():
    from playwright import sync_api

    assert Path(CHROMIUM).exists(), "chromium is not installed: apt-get install chromium"
    with sync_api.sync_playwright() as p:
        b = p.chromium.launch(executable_path=CHROMIUM, args=ARGS)
        yield b
        b.close()


def _page(browser, live_server, viewport=None):
    context = browser.new_context(base_url=live_server, viewport=viewport)
    pg = context.new_page()
    errors: list[str] = []
    pg.on("pageerror", lambda e: errors.append(str(e)))
    return context, pg, errors


def _draw_all(page) -> None:
    """Open every section and draw every chart (they draw lazily when scrolled into view)."""
    page.evaluate("() => window.barometerDrawAll ? window.barometerDrawAll() : null")
    page.wait_for_function(
        "() => [...document.querySelectorAll('[data-chart]')]"
        ".every(el => el.dataset.ready === '1' || el.dataset.error)",
        timeout=30000,
    )
    assert page.locator("[data-chart][data-error]").count() == 0


def _sql(store: Path, query: str, params: list | None = None) -> list[tuple]:
    with duckdb.connect(str(store), read_only=True) as con:
        return con.execute(query, params or []).fetchall()


@pytest.mark.parametrize("lang", ["da", "en"])
def test_no_horizontal_scroll_on_a_phone(browser, live_server, lang):
    context, page, errors = _page(browser, live_server, PHONE)
    try:
        for url in PAGES:
            sep = "&" if "?" in url else "?"
            page.goto(url + (f"{sep}lang=en" if lang == "en" else ""))
            _draw_all(page)
            if url == "/docs":
                page.wait_for_selector("#swagger-ui .opblock", timeout=20000)
            width = page.evaluate("() => [document.documentElement.scrollWidth, window.innerWidth]")
            assert width[0] <= width[1], (url, width)
    finally:
        context.close()
    assert errors == [], errors


def test_goal_summary_counts_equal_the_goal_rows(browser, live_server, web_store):
    context, page, errors = _page(browser, live_server)
    try:
        for url in ("/goals?area=101", "/goals", "/goals?area=101&goal_set=copenhagen-2019-22"):
            page.goto(url)
            counts = {
                light: int(page.locator(f"#goal-summary [data-light={light}] .count").inner_text())
                for light in ("green", "yellow", "red", "white")
            }
            rows = page.locator("tr.goal-row")
            shown = [rows.nth(i).get_attribute("data-light") for i in range(rows.count())]
            assert sum(counts.values()) == len(shown) > 0, url
            for light, n in counts.items():
                assert shown.count(light) == n, (url, light)
            total = page.locator("#goal-summary strong").inner_text()
            assert total.startswith(f"{len(shown)} mål"), total
        # the municipality page's summary agrees with the stored lights of its year
        page.goto("/goals.json?area=101")
        year = int(page.evaluate("() => JSON.parse(document.body.innerText).year"))
        stored = dict(
            _sql(
                web_store,
                "SELECT traffic_light, count(*) FROM goal_status WHERE area_code = '101' "
                "AND year = ? GROUP BY 1",
                [year],
            )
        )
        page.goto("/municipality/101")
        for light in ("green", "yellow", "red", "white"):
            got = int(page.locator(f"#goal-summary [data-light={light}] .count").inner_text())
            assert got == stored.get(light, 0), light
    finally:
        context.close()
    assert errors == [], errors


@pytest.mark.parametrize(
    ("indicator", "best"),
    [("employment_rate_25_64", "max"), ("employment_gap_25_64", "min")],
)
def test_rank_one_is_the_best_municipality(browser, live_server, web_store, indicator, best):
    polarity = _sql(
        web_store,
        "SELECT json_extract_string(spec, '$.polarity') FROM definitions WHERE indicator_id = ?",
        [indicator],
    )[0][0]
    assert polarity == ("higher_is_better" if best == "max" else "lower_is_better")
    year = _sql(
        web_store,
        "SELECT max(year) FROM observations WHERE indicator_id = ? AND preferred",
        [indicator],
    )[0][0]
    rows = _sql(
        web_store,
        "SELECT area_code, value FROM observations WHERE indicator_id = ? AND year = ? AND "
        "origin_group = 'non_western' AND sex = 'all' AND preferred AND status = 'ok' AND "
        "area_code > '100'",
        [indicator, year],
    )
    target = max(v for _, v in rows) if best == "max" else min(v for _, v in rows)
    from barometer.codes import load_municipalities

    names = {load_municipalities()[c].name for c, v in rows if v == target}
    context, page, errors = _page(browser, live_server)
    try:
        page.goto(f"/indicator/{indicator}?year={year}&origin_group=non_western")
        first = page.locator("#chart-map-block tbody tr").first
        assert first.locator("th").inner_text() == "1"
        assert first.locator("td").first.inner_text() in names
        # and on the municipality page of that municipality
        code = next(c for c, v in rows if v == target)
        page.goto(f"/municipality/{code}")
        rank = page.locator(f"#chart-{indicator}-rank").text_content()  # in a folded theme
        assert rank.startswith(f"Nr. 1 af {len(rows)} kommuner"), rank
    finally:
        context.close()
    assert errors == [], errors


def test_the_map_has_98_municipality_shapes(browser, live_server):
    context, page, errors = _page(browser, live_server)
    try:
        page.goto("/indicator/employment_rate_25_64?origin_group=descendants")
        page.locator("#chart-map").scroll_into_view_if_needed()
        page.wait_for_function("() => document.getElementById('chart-map').dataset.ready === '1'")
        main = page.locator("#chart-map svg g.map_marks path").count()
        bornholm = page.locator("#chart-map svg g.bornholm_marks path").count()
        inset = page.locator("#chart-map svg g.inset_marks path").count()
        assert main + bornholm == 98, (main, bornholm)
        assert bornholm == 1 and inset == 23
        # suppressed municipalities are hatched: as many as the table calls suppressed
        hatched = page.evaluate(
            "() => [...document.querySelectorAll('#chart-map svg g.map_marks path, "
            "#chart-map svg g.bornholm_marks path')]"
            ".filter(p => (p.getAttribute('fill') || '').includes('map-hatch')).length"
        )
        suppressed = page.locator("#chart-map-block tbody td", has_text="diskretioneret").count()
        assert hatched == suppressed > 0
        page.goto("/")
        page.locator("#chart-front-map").scroll_into_view_if_needed()
        page.wait_for_function(
            "() => document.getElementById('chart-front-map').dataset.ready === '1'"
        )
        small = page.locator(
            "#chart-front-map svg g.map_marks path, #chart-front-map svg g.bornholm_marks path"
        ).count()
        assert small == 98
    finally:
        context.close()
    assert errors == [], errors


AXE_PAGES = [
    "/municipality/825",
    "/municipality/101?lang=en",
    "/goals?area=101",
    "/indicator/employment_gap_25_64?area=101",
    "/compare?areas=101,751&indicator=employment_rate_25_64&indicator=public_support_share",
    "/docs",
    "/",
]


@pytest.mark.parametrize("url", AXE_PAGES)
def test_axe_finds_no_violations_on_the_new_pages(browser, live_server, url):
    context, page, errors = _page(browser, live_server)
    try:
        page.goto(url)
        _draw_all(page)
        page.evaluate(AXE.read_text(encoding="utf-8") + "\n;0")  # the CSP refuses inline tags
        # Swagger UI (the vendored API reference on /docs) is left out: its markup is theirs.
        result = page.evaluate(
            "tags => axe.run({exclude: [['#swagger-ui']]}, {runOnly: {type: 'tag', values: tags}})",
            WCAG_TAGS,
        )
        violations = [
            (v["id"], v["impact"], [n["target"] for n in v["nodes"]][:3])
            for v in result["violations"]
        ]
        assert violations == []
        assert len(result["passes"]) > 10
    finally:
        context.close()
    assert errors == [], errors


def test_first_load_of_a_municipality_page_transfers_under_300_kb(browser, live_server):
    context, page, errors = _page(browser, live_server, {"width": 1366, "height": 900})
    try:
        cdp = context.new_cdp_session(page)
        cdp.send("Network.enable")
        cdp.send("Network.setCacheDisabled", {"cacheDisabled": True})
        sizes: dict[str, float] = {}
        cdp.on(
            "Network.loadingFinished",
            lambda e: sizes.__setitem__(e["requestId"], e["encodedDataLength"]),
        )
        page.goto("/municipality/101", wait_until="networkidle")
        first = sum(sizes.values())
        assert first < 300_000, first
        _draw_all(page)
        page.wait_for_load_state("networkidle")
        every = sum(sizes.values())
        assert every > first  # the charts' scripts came later, when needed
        print(
            f"municipality page: first load {first / 1000:.0f} kB, all charts {every / 1000:.0f} kB"
        )
    finally:
        context.close()
    assert errors == [], errors
