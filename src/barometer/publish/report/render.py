"""Render the annual report to HTML, and to PDF through WeasyPrint from the same HTML."""

from __future__ import annotations

import contextlib
import logging
from collections.abc import Callable
from functools import cache
from importlib import resources
from pathlib import Path

import jinja2

from barometer.codes import DENMARK, load_municipalities
from barometer.errors import InputError
from barometer.publish.report.context import build_context
from barometer.publish.report.data import Snapshot, load_snapshot
from barometer.publish.report.i18n import LANGS, t

FORMATS = ("pdf", "html")
Progress = Callable[[str, int, int], None]  # (label, done, total), like compute.engine


@cache
def _environment() -> jinja2.Environment:
    env = jinja2.Environment(
        loader=jinja2.PackageLoader("barometer.publish.report", "templates"),
        autoescape=jinja2.select_autoescape(["html", "j2"]),
        trim_blocks=True,
        lstrip_blocks=True,
    )
    return env


@cache
def _css() -> str:
    return (
        resources.files("barometer.publish.report")
        .joinpath("templates", "report.css")
        .read_text(encoding="utf-8")
    )


def report_filename(area: str, year: int, lang: str, fmt: str) -> str:
    return f"integrationsbarometer_{year}_{area}_{lang}.{fmt}"


def _check(area: str, year: int | None, lang: str, fmt: str) -> None:
    if lang not in LANGS:
        raise InputError(f"unknown language {lang!r}; choose one of {', '.join(LANGS)}")
    if fmt not in FORMATS:
        raise InputError(f"unknown format {fmt!r}; choose one of {', '.join(FORMATS)}")
    if area != DENMARK and area not in load_municipalities():
        raise InputError(f"unknown area code {area!r}: give a 3-digit municipality code or 000")
    if year is not None and not isinstance(year, int):
        raise InputError(f"year must be a whole number, not {year!r}")


def _year(snap: Snapshot, year: int | None) -> int:
    if snap.data_years is None:
        raise InputError("the store has no observations", path=snap.store)
    return snap.data_years[1] if year is None else year


def render_html(snap: Snapshot, area: str, year: int | None, lang: str) -> str:
    """The report as one self-contained HTML string (charts inline as SVG data URIs)."""
    year = _year(snap, year)
    first, last = snap.data_years
    if not first <= year <= last:
        raise InputError(
            f"no data for year {year}: the store holds {first}-{last}", path=snap.store
        )
    ctx = build_context(snap, area, year, lang)
    template = _environment().get_template("report.html.j2")
    return template.render(**ctx, css=_css(), t=lambda key, **kw: t(key, lang, **kw))


def layout_pdf(html: str, base_url: str | None = None):
    """WeasyPrint's layout of the report's HTML: the document the PDF is written from (the
    tests read its table cells to check that no text runs out of its cell)."""
    import weasyprint

    # WeasyPrint logs every unsupported CSS property it skips; the report has none worth a
    # warning at run time, so keep the console quiet.
    logger = logging.getLogger("weasyprint")
    level = logger.level
    logger.setLevel(logging.ERROR)
    try:
        return weasyprint.HTML(string=html, base_url=base_url).render()
    finally:
        logger.setLevel(level)


def pdf_bytes(document) -> bytes:
    """The tagged PDF (PDF/UA-1 variant) of a laid-out report."""
    options = {"pdf_variant": "pdf/ua-1", "pdf_tags": True}
    try:
        return document.write_pdf(**options)
    except TypeError:  # older WeasyPrint without pdf_tags
        options.pop("pdf_tags")
        return document.write_pdf(**options)


def _write_pdf(html: str, out: Path, lang: str) -> None:
    Path(out).write_bytes(pdf_bytes(layout_pdf(html, str(Path(out).parent))))


def _render_to(snap: Snapshot, area: str, year: int, lang: str, fmt: str, out: Path) -> Path:
    html = render_html(snap, area, year, lang)
    out = Path(out)
    out.parent.mkdir(parents=True, exist_ok=True)
    tmp = out.with_name(f".{out.name}.tmp")
    try:
        if fmt == "html":
            tmp.write_text(html, encoding="utf-8")
        else:
            _write_pdf(html, tmp, lang)
        tmp.replace(out)
    finally:
        with contextlib.suppress(FileNotFoundError):
            tmp.unlink()
    return out


def render_report(
    store: Path,
    area: str,
    year: int | None,
    lang: str = "da",
    fmt: str = "pdf",
    out: Path | None = None,
) -> Path:
    """Write one report ('Integrationsbarometer <year> — <municipality>'); returns its path.

    ``area`` is a 3-digit municipality code or '000' for Denmark; ``year`` None means the
    newest data year in the store. Without ``out`` the file goes to the working directory
    under ``report_filename``.
    """
    area = str(area).zfill(3)
    _check(area, year, lang, fmt)
    snap = load_snapshot(Path(store), area)
    year = _year(snap, year)
    out = Path(out) if out is not None else Path(report_filename(area, year, lang, fmt))
    return _render_to(snap, area, year, lang, fmt, out)


def render_all(
    store: Path,
    year: int | None,
    lang: str = "da",
    fmt: str = "pdf",
    out_dir: Path = Path("reports"),
    progress: Progress | None = None,
    *,
    areas: list[str] | None = None,
) -> list[Path]:
    """One report per municipality and one for Denmark into ``out_dir``; returns the paths.

    The store is read once. ``progress(step, done, total)`` is called with step "report <area>"
    before each report and "report done" at the end (the CLI's ``progress_bar`` keys its bar on
    the first word). ``areas`` restricts the run (default: Denmark and all 98
    municipalities).
    """
    areas = [DENMARK, *sorted(load_municipalities())] if areas is None else list(areas)
    areas = [str(a).zfill(3) for a in areas]
    for a in areas:
        _check(a, year, lang, fmt)
    snap = load_snapshot(Path(store))
    year = _year(snap, year)
    out_dir = Path(out_dir)
    out_dir.mkdir(parents=True, exist_ok=True)
    paths = []
    for i, area in enumerate(areas):
        if progress:
            progress(f"report {area}", i, len(areas))
        paths.append(
            _render_to(
                snap, area, year, lang, fmt, out_dir / report_filename(area, year, lang, fmt)
            )
        )
    if progress:
        progress("report done", len(areas), len(areas))
    return paths
