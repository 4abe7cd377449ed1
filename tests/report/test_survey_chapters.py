"""The report's survey areas on the session store (tests/conftest.py, with the demo surveys):
København's PDF has a chapter for safety, discrimination, health and citizenship with each
survey's rounds, answers and tested changes; Læsø's PDF names none of Copenhagen's surveys.
PDF text comes from pdftotext (Debian's poppler-utils)."""

from __future__ import annotations

import re
import subprocess
from pathlib import Path

import duckdb
import pytest

from barometer.publish.labels import number
from barometer.publish.report import render_report

COPENHAGEN_SURVEYS = (
    "Tryghedsundersøgelse",
    "Medborgerskabsundersøgelsen blandt unge",
    "Sundhedsprofilen",
)


def pdftotext(path: Path) -> str:
    out = subprocess.run(
        ["pdftotext", "-enc", "UTF-8", str(path), "-"], capture_output=True, check=True
    )
    return re.sub(r"\s+", " ", out.stdout.decode("utf-8").replace("\u00a0", " "))


@pytest.fixture(scope="module")
def texts(session_store: Path, tmp_path_factory) -> dict[str, str]:
    out = tmp_path_factory.mktemp("survey_reports")
    return {
        area: pdftotext(render_report(session_store, area, None, "da", "pdf", out / f"{area}.pdf"))
        for area in ("101", "825")
    }


def test_copenhagen_has_a_chapter_per_survey_area(texts, session_store):
    text = texts["101"]
    contents = text[text.index("Indhold") : text.index("Hovedpunkter")]  # the contents list
    for chapter in ("Tryghed", "Diskrimination", "Sundhed", "Medborgerskab"):
        assert chapter in contents, chapter
    assert "Tallene i dette kapitel kommer fra spørgeskemaundersøgelser:" in text
    for name in COPENHAGEN_SURVEYS:
        assert name in text
    # A round's answers and its tested change, as stored (self-rated health, non-Western).
    with duckdb.connect(str(session_store), read_only=True) as con:
        year, answers, p = con.execute(
            "SELECT year, respondents, p_value FROM survey_cells WHERE indicator_id = "
            "'good_self_rated_health' AND area_code = '101' AND origin_group = 'non_western' "
            "AND sex = 'all' ORDER BY year DESC LIMIT 1"
        ).fetchone()
    assert re.search(rf"{year} [\d,]+ % [\d,]+ % – [\d,]+ % {number(answers, 'da', 0)} ", text)
    assert f"(p = {number(p, 'da', 3)})" in text
    # Shares by district of the safety survey.
    assert "Efter bydel" in text and "Bispebjerg" in text
    # The local goal sets with their periods.
    for title in ("Integrationspolitik 2015-18", "Integrationsaftale 2017-2018", "2019-22"):
        assert title in text
    assert "2015-2018; status med tal til og med 2018" in text


def test_laesoe_names_none_of_copenhagens_surveys(texts):
    text = texts["825"]
    for name in COPENHAGEN_SURVEYS:
        assert name not in text
    assert "Bispebjerg" not in text and "Københavns Kommunes integrationsmål" not in text
