"""Clean language: the visible text of every Danish page holds no id or developer token, and
the English pages hold no Danish word of the interface.

Visible text is every text node outside script, style, template, pre and code (the API page's
code examples are code). Proper names stay Danish in English (København, Udlændinge- og
Integrationsministeriet); the words checked are the interface's own.
"""

from __future__ import annotations

import re
from html.parser import HTMLParser

import duckdb
import pytest

# ids (snake_case), register file patterns, notes to developers, a missing value as text, raw
# unit codes
DEV_TOKENS = re.compile(
    r"\b[a-z]+(?:_[a-z0-9]+)+\b|DOMAIN\.md|PROGRAMME\.md|UNCONFIRMED|\{Y\}|\bbef\{|"
    r"\bNone\b|\bnan\b|\bNaN\b|\bnull\b|\bpct\b(?!\.)|\bpp\b|\bTrue\b|\bFalse\b"
)
DANISH_UI = [
    "Forside", "Indikatorer", "Sammenlign", "Boligområder", "Hele landet", "Herkomstgruppe",
    "Køn", "Begge køn", "Mænd", "Kvinder", "Ændring", "diskretioneret", "Hent", "Tabel",
    "Placering", "Udvikling", "Opdatér", "Sammenfatning", "Nøgletal", "Målstatus", "Trafiklys",
    "Bevægelse", "Grøn", "Gul", "Rød", "Hvid", "Ingen data", "Skjulte tal", "procent",
    "pct.-point", "Kilder", "Enhed", "Retning", "Højere er bedre", "Lavere er bedre", "Tæller",
    "Nævner", "Kørsel", "SYNTETISKE", "Ansvarlig", "Basisår", "Signifikans", "signifikant",
    "Listeår", "Beboere", "Kriterium", "Tærskel", "Tidlig varsling", "Om og metode",
    "Sammenlignelige kommuner", "kommuner", "Sådan læses", "Vis tallene", "Målsæt", "Temaer",
    "Område", "Indhold", "Registre", "Opgørelsestidspunkt", "ikke vurderet", "Positiv",
    "Negativ", "Uændret", "Alle kommuner", "Nr.", "bedst", "Stikprøve",
]  # fmt: skip
DANISH_RE = re.compile(
    r"(?<![\wæøåÆØÅ])(?:" + "|".join(map(re.escape, DANISH_UI)) + r")(?![\wæøå])"
)


class _Visible(HTMLParser):
    SKIP = frozenset({"script", "style", "template", "pre", "code"})

    def __init__(self) -> None:
        super().__init__()
        self.depth = 0
        self.parts: list[str] = []

    def handle_starttag(self, tag, attrs):
        if tag in self.SKIP:
            self.depth += 1
        for name, value in attrs:  # what a screen reader reads out
            if name in ("alt", "aria-label", "title") and value and not self.depth:
                self.parts.append(value)

    def handle_endtag(self, tag):
        if tag in self.SKIP and self.depth:
            self.depth -= 1

    def handle_data(self, data):
        if not self.depth and data.strip():
            self.parts.append(data.strip())


def visible(html: str) -> str:
    p = _Visible()
    p.feed(html)
    return " ".join(p.parts)


@pytest.fixture(scope="module")
def pages(client, web_store) -> list[str]:
    """Every page type, every indicator, and the areas and years that show the most."""
    with duckdb.connect(str(web_store), read_only=True) as con:
        hidden = con.execute(
            "SELECT area_code FROM observations WHERE preferred AND area_code > '100' "
            "GROUP BY area_code ORDER BY avg(CASE WHEN status <> 'ok' THEN 1 ELSE 0 END) DESC "
            "LIMIT 1"
        ).fetchone()[0]
        first_list = con.execute("SELECT min(list_year) FROM housing_areas").fetchone()[0]
    urls = [
        "/",
        "/indicators",
        "/municipality/101",
        f"/municipality/{hidden}",
        "/municipality/000",
        "/municipality/084",
        "/municipality/101?origin_group=descendants&sex=female",
        "/compare?areas=101,751&indicator=employment_rate_25_64&indicator=public_support_gap",
        "/compare",
        "/goals",
        "/goals?area=101",
        "/goals?area=101&goal_set=copenhagen-2019-22",
        "/housing",
        f"/housing?year={first_list}",
        "/about",
        "/docs",
        "/search?q=ho",
        "/municipality/999",
    ]
    for ind in client.get("/api/v1/indicators").json()["indicators"]:
        urls.append(f"/indicator/{ind['id']}")
        urls.append(f"/indicator/{ind['id']}?area=101")
    return urls


def test_danish_pages_show_no_ids_or_developer_tokens(client, pages):
    found = {}
    for url in pages:
        text = visible(client.get(url).text)
        hits = sorted(set(DEV_TOKENS.findall(text)))
        if hits:
            found[url] = hits
    assert found == {}


def test_english_pages_show_no_danish_interface_words(client, pages):
    found = {}
    for url in pages:
        sep = "&" if "?" in url else "?"
        text = visible(client.get(f"{url}{sep}lang=en").text)
        hits = sorted(set(DANISH_RE.findall(text)))
        if hits:
            found[url] = hits
    assert found == {}


def test_the_scan_finds_what_it_looks_for():
    """The two scans are not empty nets."""
    assert DEV_TOKENS.findall(
        visible("<p>Status (bef{Y}12): employment_rate_25_64, see DOMAIN.md</p>")
    )
    assert DANISH_RE.findall(visible("<p>Hele landet, 60,3 %</p>")) == ["Hele landet"]
    assert DANISH_RE.findall(visible("<p>Læsø Municipality, Gentofte</p>")) == []
