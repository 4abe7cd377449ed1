"""The annual report on a small synthetic Denmark: content, figures, disclosure, pages, languages.

One store is built per module (scale 0.01, 2012-2024). A second copy has suppressed cells:

* Copenhagen (101): a few cells are marked suppressed but keep *sentinel* numbers (987.65 and
  friends), so any code path that shows a number without looking at the status would leak a
  sentinel into the text;
* Læsø (825): every indicator cell is suppressed with value, numerator and denominator null,
  and its crime indicators are missing altogether.

PDF text comes from pdftotext and page images from pdftoppm (Debian's poppler-utils).
"""

from __future__ import annotations

import re
import shutil
import subprocess
import zlib
from pathlib import Path

import duckdb
import pytest

import barometer.pipeline.finishing
from barometer.errors import InputError
from barometer.inputs import KEY
from barometer.pipeline import build_store
from barometer.publish.report import render_all, render_html, render_report
from barometer.publish.report.data import load_snapshot
from barometer.publish.report.i18n import number
from barometer.sources.synthetic import generate

YEAR = 2024
CPH, LAESOE = "101", "825"
SENTINELS = ("987,7", "987.7", "987,65", "987.65", "987654", "987.654", "987,654", "876,5", "876.5")
SUPPRESSED_CELLS = [  # (indicator, year) for Copenhagen, origin group non_western, sex all
    ("employment_rate_25_64", 2024),
    ("employment_rate_25_64", 2023),
    ("youth_education_20_24", 2024),
    ("public_support_share", 2020),
]
SECTIONS = {
    "da": [
        "Indhold",
        "Sammenfatning",
        "Hovedpunkter",
        "Barometernåle",
        "Beskæftigelse",
        "Uddannelse",
        "Danskkundskaber",
        "Offentlig forsørgelse",
        "Udsatte boligområder",
        "Kriminalitet",
        "Boligområder i kommunen",
        "Metode",
        "Diskretionering",
    ],
    "en": [
        "Contents",
        "Summary",
        "Key points",
        "Barometer needles",
        "Employment",
        "Education",
        "Danish language",
        "Public income support",
        "Vulnerable housing areas",
        "Crime",
        "Housing areas in the municipality",
        "Method",
        "Disclosure control",
    ],
}


def pdftotext(path: Path) -> str:
    out = subprocess.run(
        ["pdftotext", "-enc", "UTF-8", str(path), "-"], capture_output=True, check=True
    )
    # one space for every run of white space: table cells and sentences wrap across lines
    return re.sub(r"\s+", " ", out.stdout.decode("utf-8").replace("\u00a0", " "))


@pytest.fixture(scope="module")
def stores(tmp_path_factory) -> dict[str, Path]:
    tmp = tmp_path_factory.mktemp("report")
    generate(tmp / "reg", scale=0.01, years=list(range(2012, 2025)), seed=7)
    full = tmp / "full.duckdb"
    # The build's own disclosure control is tested in its own tests and is slow at this tiny
    # scale; here the suppressed cells are placed by hand (below), so every assertion knows
    # exactly which cells are hidden. "full" therefore has every cell published.
    with pytest.MonkeyPatch.context() as mp:
        mp.setattr(
            barometer.pipeline.finishing,
            "protect_input",
            lambda inp, *a, **k: inp.cells[KEY].assign(status="ok", reason=None),
        )
        build_store(tmp / "reg", full)
    sup = tmp / "suppressed.duckdb"
    shutil.copyfile(full, sup)
    with duckdb.connect(str(sup)) as con:
        for ind, year in SUPPRESSED_CELLS:
            con.execute(
                "UPDATE observations SET status = 'suppressed_primary', reason = 'n_lt_5', "
                "value = 987.65, numerator = 987654, denominator = 987654, ci_low = 876.5, "
                "ci_high = 987.65 WHERE indicator_id = ? AND area_code = ? AND year = ? AND "
                "origin_group = 'non_western'",
                [ind, CPH, year],
            )
        con.execute(
            "UPDATE observations SET status = 'suppressed_primary', reason = 'n_lt_5', "
            "value = NULL, numerator = NULL, denominator = NULL, ci_low = NULL, ci_high = NULL "
            "WHERE area_code = ? AND indicator_id NOT LIKE 'housing_%'",
            [LAESOE],
        )
        con.execute(
            "DELETE FROM observations WHERE area_code = ? AND indicator_id LIKE 'convicted_%'",
            [LAESOE],
        )
    return {"full": full, "suppressed": sup, "tmp": tmp}


@pytest.fixture(scope="module")
def pdfs(stores) -> dict[str, Path]:
    tmp = stores["tmp"]
    return {
        "full_da": render_report(stores["full"], CPH, YEAR, "da", "pdf", tmp / "cph_da.pdf"),
        "full_en": render_report(stores["full"], CPH, YEAR, "en", "pdf", tmp / "cph_en.pdf"),
        "sup_da": render_report(stores["suppressed"], CPH, YEAR, "da", "pdf", tmp / "sup.pdf"),
        "laesoe": render_report(
            stores["suppressed"], LAESOE, YEAR, "da", "pdf", tmp / "laesoe.pdf"
        ),
    }


def store_value(store: Path, ind: str, area: str, group: str = "non_western") -> float:
    with duckdb.connect(str(store), read_only=True) as con:
        row = con.execute(
            "SELECT value FROM observations WHERE indicator_id = ? AND area_code = ? AND "
            "year = ? AND origin_group = ? AND sex = 'all' AND status = 'ok'",
            [ind, area, YEAR, group],
        ).fetchone()
    assert row is not None and row[0] is not None, (ind, area)
    return float(row[0])


def test_pdf_names_municipality_year_notice_and_store_figures(stores, pdfs):
    text = pdftotext(pdfs["full_da"])
    assert "Integrationsbarometer 2024 — København Kommune" in text
    assert "SYNTETISKE DATA" in text
    for ind in ("employment_gap_25_64", "employment_rate_25_64", "youth_education_20_24"):
        for area in (CPH, "000"):
            v = store_value(stores["full"], ind, area)
            assert number(v, "da", 1) in text, (ind, area, v)
    # English: English number format and notice
    text_en = pdftotext(pdfs["full_en"])
    assert "Integrationsbarometer 2024 — København Municipality" in text_en
    assert "SYNTHETIC DATA" in text_en
    v = store_value(stores["full"], "employment_rate_25_64", CPH)
    assert number(v, "en", 1) in text_en and "." in number(v, "en", 1)


def test_summary_sentences_take_their_numbers_from_the_goal_detail(stores):
    snap = load_snapshot(stores["full"], CPH)
    html = render_html(snap, CPH, YEAR, "da")
    points = re.search(r"Hovedpunkter</h2>\s*<ul class=\"sentences\">(.*?)</ul>", html, re.S)
    assert points is not None
    items = re.findall(r"<li>(.*?)</li>", points.group(1), re.S)
    assert 3 <= len(items) <= 5
    from barometer.publish.report.data import goals_for

    _, detail = goals_for(snap, CPH, YEAR)
    shown = {
        number(v, "da", 1)
        for v in detail[["base_value", "latest_value"]].to_numpy().ravel()
        if v == v and v is not None
    }
    body = " ".join(items)
    numbers = re.findall(r"\d+,\d", body)
    assert numbers, body
    v = store_value(stores["full"], "employment_rate_25_64", CPH)
    dk = store_value(stores["full"], "employment_rate_25_64", "000")
    allowed = shown | {number(v, "da", 1), number(dk, "da", 1)}
    assert set(numbers) <= allowed, set(numbers) - allowed


def test_no_suppressed_value_appears_anywhere(stores, pdfs):
    text = pdftotext(pdfs["sup_da"])
    html = render_html(load_snapshot(stores["suppressed"], CPH), CPH, YEAR, "da")
    html_en = render_html(load_snapshot(stores["suppressed"], CPH), CPH, YEAR, "en")
    for s in SENTINELS:
        assert s not in text, s
        assert s not in html, s
        assert s not in html_en, s
    # the suppressed cells are marked and explained in the footnotes
    assert ".." in text
    assert "Fodnoter: diskretionerede celler" in text
    assert "diskretioneret: for få personer i cellen" in text
    foot = text[text.index("Fodnoter: diskretionerede celler") :]
    assert "Beskæftigelsesfrekvens 25-64 år" in foot and re.search(r"2023– ?2024", foot)


def test_charts_leave_suppressed_cells_out(stores):
    snap = load_snapshot(stores["suppressed"], CPH)
    html = render_html(snap, CPH, YEAR, "da")
    import base64

    svgs = [
        base64.b64decode(m).decode("utf-8")
        for m in re.findall(r'src="data:image/svg\+xml;base64,([^"]+)"', html)
    ]
    assert len(svgs) > 10
    # a sentinel (987.65) in a chart would stretch its value axis far beyond 100
    labels = [x for svg in svgs for x in re.findall(r"<text[^>]*>([^<]*)</text>", svg)]
    values = [
        float(x.replace(".", "").replace(",", ".").replace("−", "-"))
        for x in labels
        if re.fullmatch(r"−?-?[\d.]+(,\d+)?", x) and not re.fullmatch(r"20\d\d", x)
    ]
    assert values and max(values) <= 100, max(values)
    assert not any("987" in x or "876" in x for x in labels)


def test_every_page_renders(pdfs, tmp_path):
    pdf = pdfs["full_da"]
    info = subprocess.run(["pdfinfo", str(pdf)], capture_output=True, text=True, check=True)
    pages = int(re.search(r"Pages:\s+(\d+)", info.stdout).group(1))
    assert pages >= 8
    assert re.search(r"Tagged:\s+yes", info.stdout)
    subprocess.run(["pdftoppm", "-png", "-r", "30", str(pdf), str(tmp_path / "p")], check=True)
    images = sorted(tmp_path.glob("p-*.png"))
    assert len(images) == pages
    from PIL import Image

    for img in images:
        with Image.open(img) as im:
            lo, hi = im.convert("L").getextrema()
            assert lo < 128 < hi, img  # not blank


def test_pdf_is_accessible_with_language_and_embedded_fonts(pdfs):
    data = pdfs["full_da"].read_bytes()
    streams = []
    for m in re.finditer(rb"stream\r?\n(.*?)\r?\nendstream", data, re.S):
        try:
            streams.append(zlib.decompress(m.group(1)))
        except zlib.error:
            continue
    blob = data + b"".join(streams)
    assert b"/StructTreeRoot" in blob and b"/MarkInfo" in blob
    assert b"/Lang (da)" in blob
    fonts = subprocess.run(["pdffonts", str(pdfs["full_da"])], capture_output=True, text=True)
    rows = [line.split() for line in fonts.stdout.splitlines()[2:] if line.strip()]
    assert rows and all(r[-5] == "yes" for r in rows), fonts.stdout  # the "emb" column


@pytest.mark.parametrize("lang", ["da", "en"])
def test_sections_in_both_languages(pdfs, lang):
    text = pdftotext(pdfs["full_da" if lang == "da" else "full_en"])
    pos = -1
    for heading in SECTIONS[lang]:
        assert heading in text, heading
    # chapters come in order after the table of contents and the summary
    body = text[text.index(SECTIONS[lang][2]) :]
    for heading in SECTIONS[lang][4:12]:
        i = body.find(heading, pos + 1)
        assert i > pos, heading
        pos = i
    # Copenhagen gets its own goals chapter
    assert ("Københavns egne mål" if lang == "da" else "Copenhagen's own goals") in text


def test_missing_and_all_suppressed_municipality_reads_soundly(pdfs):
    text = pdftotext(pdfs["laesoe"])
    assert "Integrationsbarometer 2024 — Læsø Kommune" in text
    assert "SYNTETISKE DATA" in text
    assert "Alle tal for Læsø er diskretioneret" in text
    assert "Ingen tal for Læsø i datagrundlaget" in text  # crime rows removed
    assert re.search(r"Ingen af målene kan måles for Læsø|mål kan ikke måles", text)
    assert "Hvad mangler" in text
    assert "Fodnoter: diskretionerede celler" in text
    for s in SENTINELS:
        assert s not in text


def test_html_report_is_self_contained(stores, tmp_path):
    out = render_report(stores["full"], "000", YEAR, "en", "html", tmp_path / "dk.html")
    html = out.read_text(encoding="utf-8")
    assert html.startswith("<!DOCTYPE html>") and '<html lang="en">' in html
    assert "Integrationsbarometer 2024 — Denmark" in html
    assert 'src="http' not in html and "<link" not in html
    assert "Housing areas on the lists" in html
    assert 'alt="' in html


def test_render_all_writes_one_file_per_area_with_progress(stores, tmp_path):
    calls = []
    paths = render_all(
        stores["full"],
        YEAR,
        "da",
        "html",
        tmp_path / "all",
        lambda label, done, total: calls.append((label, done, total)),
        areas=["000", "101", "825"],
    )
    assert [p.name for p in paths] == [
        "integrationsbarometer_2024_000_da.html",
        "integrationsbarometer_2024_101_da.html",
        "integrationsbarometer_2024_825_da.html",
    ]
    assert all(p.stat().st_size > 10_000 for p in paths)
    assert calls[0] == ("report 000", 0, 3) and calls[-1] == ("report done", 3, 3)


def test_bad_inputs_are_input_errors(stores, tmp_path):
    with pytest.raises(InputError, match="unknown area"):
        render_report(stores["full"], "999", YEAR, "da", "html", tmp_path / "x.html")
    with pytest.raises(InputError, match="no data for year"):
        render_report(stores["full"], CPH, 1990, "da", "html", tmp_path / "x.html")
    with pytest.raises(InputError, match="language"):
        render_report(stores["full"], CPH, YEAR, "fr", "html", tmp_path / "x.html")
    with pytest.raises(InputError, match="format"):
        render_report(stores["full"], CPH, YEAR, "da", "docx", tmp_path / "x.docx")
    with pytest.raises(InputError, match="no store"):
        render_report(tmp_path / "none.duckdb", CPH, YEAR, "da", "html", tmp_path / "x.html")
    assert not (tmp_path / "x.html").exists()
