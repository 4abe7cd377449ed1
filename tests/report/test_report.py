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

import itertools
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
from barometer.publish.report.render import layout_pdf, pdf_bytes
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
def layouts(stores) -> dict[str, object]:
    """WeasyPrint's layout of three reports (the documents their PDFs are written from), so
    the page checks can hold each PDF word against the table cell it was laid out in."""
    out = {}
    for key, store, area, lang in (
        ("full_da", "full", CPH, "da"),
        ("full_en", "full", CPH, "en"),
        ("laesoe", "suppressed", LAESOE, "da"),
    ):
        html = render_html(load_snapshot(stores[store], area), area, YEAR, lang)
        out[key] = layout_pdf(html, str(stores["tmp"]))
    return out


@pytest.fixture(scope="module")
def pdfs(stores, layouts) -> dict[str, Path]:
    tmp = stores["tmp"]
    paths = {
        # through the public function: the same layout and PDF writer as the three below
        "sup_da": render_report(stores["suppressed"], CPH, YEAR, "da", "pdf", tmp / "sup.pdf"),
    }
    for key, doc in layouts.items():
        paths[key] = tmp / f"{key}.pdf"
        paths[key].write_bytes(pdf_bytes(doc))
    return paths


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
    # No chapter without a published figure: every register indicator of Læsø is suppressed
    # (or missing), so the themes are listed under "Hvad mangler", not given empty chapters.
    start = text.index("Indhold")
    contents = text[start : text.index("Metode", start)]
    for theme in ("Beskæftigelse", "Uddannelse", "Kriminalitet"):
        assert theme not in contents, theme
        assert f"{theme}: " in text  # in the list of what is missing


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


# --- every page checked: text inside its cell, no repeated axis labels, no developer tokens -----

PX = 0.75  # one CSS pixel in PDF points
# Developer tokens that must never reach a reader: raw ids (snake_case), file and register
# patterns, notes to developers, and the marks of a missing value written as text.
DEV_TOKENS = re.compile(
    r"\b[a-z]+(?:_[a-z0-9]+)+\b|DOMAIN\.md|PROGRAMME\.md|UNCONFIRMED|\{Y\}|\bbef\{|"
    r"\bNone\b|\bnan\b|\bNaN\b|reference_minus_focus|focus_minus_reference"
)


def _boxes(box):
    yield box
    for child in getattr(box, "children", None) or []:
        yield from _boxes(child)


def _cells(page) -> list[tuple[float, float, float, float, list]]:
    """Every table cell of a laid-out page: its border box in PDF points and its text lines."""
    out = []
    for box in _boxes(page._page_box):
        if type(box).__name__ != "TableCellBox":
            continue
        x0, y0 = box.border_box_x() * PX, box.border_box_y() * PX
        x1, y1 = x0 + box.border_width() * PX, y0 + box.border_height() * PX
        lines = [b for b in _boxes(box) if type(b).__name__ == "TextBox"]
        out.append((x0, y0, x1, y1, lines))
    return out


@pytest.mark.parametrize("key", ["full_da", "full_en", "laesoe"])
def test_no_text_overflows_its_table_cell_on_any_page(layouts, pdfs, key):
    import pdfplumber

    doc = layouts[key]
    with pdfplumber.open(pdfs[key]) as pdf:
        assert len(pdf.pages) == len(doc.pages)
        checked = 0
        for pno, (laid, page) in enumerate(zip(doc.pages, pdf.pages, strict=True), 1):
            cells = _cells(laid)
            # 1. the layout: every line of a cell ends inside the cell
            for _, _, x1, _, lines in cells:
                for line in lines:
                    right = (line.position_x + line.width) * PX
                    assert right <= x1 + 0.5, (key, pno, line.text, right, x1)
            # 2. the PDF: every word lies inside the cell it starts in (no word runs into the
            #    next column) ...
            words = page.extract_words(keep_blank_chars=False, use_text_flow=True)
            for w in words:
                mid = (w["top"] + w["bottom"]) / 2
                home = [c for c in cells if c[0] - 0.5 <= w["x0"] <= c[2] and c[1] <= mid <= c[3]]
                for _, _, x1, _, _ in home:
                    assert w["x1"] <= x1 + 1.0, (key, pno, w["text"], w["x1"], x1)
                    checked += 1
                assert w["x1"] <= page.width - 25, (key, pno, w["text"])  # inside the margin
            # 3. ... and no two characters of one line print over each other
            rows: list[list[dict]] = []
            for c in sorted(page.chars, key=lambda c: c["top"]):
                if rows and abs(rows[-1][0]["top"] - c["top"]) < 1:
                    rows[-1].append(c)
                else:
                    rows.append([c])
            for row in rows:
                row = [c for c in sorted(row, key=lambda c: c["x0"]) if c["text"].strip()]
                for a, b in itertools.pairwise(row):
                    overlap = a["x1"] - b["x0"]
                    assert overlap < 0.4 * min(a["width"], b["width"]) + 0.3, (
                        key, pno, a["text"], b["text"], a["x0"], b["x0"],
                    )  # fmt: skip
        assert checked > 200  # the tables really were checked


def test_the_overflow_check_catches_an_overprinted_cell():
    """The check above fails on the defect issue #19 found: a light's label that cannot wrap
    ran into the next column."""
    html = (
        "<table style='table-layout:fixed;width:300px'><tr>"
        "<td style='width:60px;white-space:nowrap'>Hvid (ikke vurderet)</td>"
        "<td>Intet talmål</td></tr></table>"
    )
    doc = layout_pdf(html)
    lines = [
        (line.position_x + line.width) * PX > x1 + 0.5
        for x0, _, x1, _, ls in _cells(doc.pages[0])
        for line in ls
    ]
    assert any(lines)


def _axis_labels(svg: str) -> list[list[str]]:
    groups = re.findall(r'<g class="mark-text role-axis-label"[^>]*>(.*?)</g>', svg, flags=re.S)
    return [re.findall(r"<text[^>]*>([^<]*)</text>", g) for g in groups]


@pytest.mark.parametrize("lang", ["da", "en"])
def test_no_chart_repeats_an_axis_label(stores, lang):
    import base64

    html = render_html(load_snapshot(stores["full"], CPH), CPH, YEAR, lang)
    svgs = [
        base64.b64decode(m).decode("utf-8")
        for m in re.findall(r'src="data:image/svg\+xml;base64,([^"]+)"', html)
    ]
    axes = [labels for svg in svgs for labels in _axis_labels(svg)]
    assert len(axes) > 20
    for labels in axes:
        assert len(labels) == len(set(labels)), labels


def test_lines_break_at_a_suppressed_year(stores):
    """A suppressed year (2023 of Copenhagen's employment rate) breaks the line: the chart
    draws the area's series as two paths, never one joining 2022 to 2024."""
    import base64

    snap = load_snapshot(stores["suppressed"], CPH)
    html = render_html(snap, CPH, YEAR, "da")
    block = html[html.index('id="ind-employment_rate_25_64"') :]
    svg = base64.b64decode(
        re.search(r'src="data:image/svg\+xml;base64,([^"]+)"', block).group(1)
    ).decode("utf-8")
    blue = re.findall(r'<path[^>]*stroke="#0072B2"[^>]*d="(M[^"]+)"', svg) or re.findall(
        r'<path[^>]*d="(M[^"]+)"[^>]*stroke="#0072B2"', svg
    )
    assert len(blue) >= 2, svg[:500]


@pytest.mark.parametrize("key", ["full_da", "full_en", "laesoe"])
def test_no_page_shows_ids_or_developer_notes(pdfs, key):
    pages = (
        subprocess.run(
            ["pdftotext", "-enc", "UTF-8", str(pdfs[key]), "-"], capture_output=True, check=True
        )
        .stdout.decode("utf-8")
        .split("\f")
    )
    assert len(pages) > 5
    for pno, page in enumerate(pages, 1):
        found = DEV_TOKENS.findall(page)
        assert not found, (key, pno, found)


def test_method_is_built_from_what_the_area_uses(stores):
    cph = render_html(load_snapshot(stores["full"], CPH), CPH, YEAR, "da")
    laesoe = render_html(load_snapshot(stores["suppressed"], LAESOE), LAESOE, YEAR, "da")
    method = laesoe[laesoe.index('id="method"') :]
    defs = re.search(r'<ul class="defs">(.*?)</ul>', method, re.S).group(1)
    cph_defs = re.search(r'<ul class="defs">(.*?)</ul>', cph[cph.index('id="method"') :], re.S)
    # Læsø's method names only what Læsø's report shows: no Copenhagen rule, no employment
    # definition (every employment figure of Læsø is suppressed; the footnotes still list them)
    assert "Københavns Kommune bruger" not in method
    assert "Beskæftigelsesfrekvens 25-64 år" not in defs
    assert "Beskæftigelsesfrekvens 25-64 år" in cph_defs.group(1)
    assert "Københavns Kommune bruger" in cph[cph.index('id="method"') :]
