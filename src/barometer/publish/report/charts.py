"""Charts as SVG, rendered by vl-convert (Vega-Lite in embedded Deno; no browser).

Input rows hold only published values: missing or suppressed cells are absent, never zero.
The SVG goes into the HTML as a data URI in an ``<img>`` with alt text, which keeps the HTML
self-contained and gives the tagged PDF a figure with an alternative description.
"""

from __future__ import annotations

import base64
import html
from concurrent.futures import ThreadPoolExecutor
from functools import cache

import vl_convert as vlc

FONT = "DejaVu Sans"
COLORS = ("#0b4f8a", "#8c8c8c", "#d9822b")  # municipality, Denmark, similar municipalities
DASHES = ([1, 0], [5, 3], [2, 2])
ORIGIN_COLORS = ("#0b4f8a", "#9db8d3")
VL_SCHEMA = "https://vega.github.io/schema/vega-lite/v5.json"
CONFIG = {
    "font": FONT,
    "view": {"stroke": None},
    "axis": {
        "labelFontSize": 10,
        "titleFontSize": 10,
        "titleFontWeight": "normal",
        "gridColor": "#e6e6e6",
        "domainColor": "#888",
        "tickColor": "#888",
    },
    "legend": {"labelFontSize": 10, "titleFontSize": 10, "orient": "bottom", "title": None},
    "background": "white",
}


@cache
def _locale(lang: str) -> dict | str:
    return vlc.get_format_locale("da-DK") if lang == "da" else "en-GB"


def to_svg(spec: dict, lang: str) -> str:
    return vlc.vegalite_to_svg(spec, format_locale=_locale(lang))


class Pending:
    """Charts to render later, all at once in threads (vl-convert releases the GIL)."""

    def __init__(self) -> None:
        self.jobs: list[tuple[dict, str, dict, str]] = []

    def add(self, target: dict, key: str, spec: dict, lang: str) -> None:
        self.jobs.append((target, key, spec, lang))

    def render(self, workers: int = 4) -> None:
        if not self.jobs:
            return
        with ThreadPoolExecutor(max_workers=min(workers, len(self.jobs))) as pool:
            svgs = list(pool.map(lambda job: to_svg(job[2], job[3]), self.jobs))
        for (target, key, _, _), svg in zip(self.jobs, svgs, strict=True):
            target[key] = data_uri(svg)
        self.jobs.clear()


def data_uri(svg: str) -> str:
    return "data:image/svg+xml;base64," + base64.b64encode(svg.encode("utf-8")).decode("ascii")


def _axis_format(unit: str) -> str:
    return ",.0f" if unit in ("pct", "count") else ",.1f"


def time_chart(rows: list[dict], order: list[str], unit_title: str, unit: str) -> dict:
    """Lines over the years: rows of {year, series, value}; ``order`` fixes colour and legend."""
    n = len(order)
    years = sorted({r["year"] for r in rows})
    # every other year on the axis when there are many, always ending on the newest
    ticks = years[::-1][::2][::-1] if len(years) > 8 else years
    spec = {
        "$schema": VL_SCHEMA,
        "width": 440,
        "height": 150,
        "data": {"values": rows},
        "mark": {"type": "line", "point": {"size": 28}, "strokeWidth": 2},
        "encoding": {
            "x": {
                "field": "year",
                "type": "ordinal",
                "title": None,
                "axis": {"labelAngle": 0, "values": ticks},
            },
            "y": {
                "field": "value",
                "type": "quantitative",
                "title": unit_title,
                "scale": {"zero": unit == "count"},
                "axis": {"format": _axis_format(unit), "tickCount": 5},
            },
            "color": {
                "field": "series",
                "type": "nominal",
                "scale": {"domain": order, "range": list(COLORS[:n])},
                "sort": order,
            },
            "strokeDash": {
                "field": "series",
                "type": "nominal",
                "scale": {"domain": order, "range": list(DASHES[:n])},
                "sort": order,
            },
        },
        "config": CONFIG,
    }
    return spec


def origin_chart(rows: list[dict], order: list[str], series: list[str], unit: str) -> dict:
    """Horizontal bars per origin group: rows of {group, series, value}."""
    spec = {
        "$schema": VL_SCHEMA,
        "width": 210,
        "height": {"step": 9},
        "data": {"values": rows},
        "mark": {"type": "bar"},
        "encoding": {
            "y": {
                "field": "group",
                "type": "nominal",
                "sort": order,
                "title": None,
                "axis": {"labelFontSize": 11, "labelLimit": 170},
            },
            "yOffset": {"field": "series", "type": "nominal", "sort": series},
            "x": {
                "field": "value",
                "type": "quantitative",
                "title": None,
                "axis": {"format": _axis_format(unit), "tickCount": 5},
            },
            "color": {
                "field": "series",
                "type": "nominal",
                "scale": {"domain": series, "range": list(ORIGIN_COLORS[: len(series)])},
                "sort": series,
            },
        },
        "config": CONFIG,
    }
    return spec


# --- the barometer needle: a tiny fixed drawing, no chart library needed -----------------

_NEEDLE_ANGLE = {"negative": -60, "unchanged": 0, "positive": 60}
_NEEDLE_COLOR = {"negative": "#b3261e", "unchanged": "#8a6d00", "positive": "#1e7b34"}


def needle_svg(movement: str, title: str) -> str:
    """A semicircular gauge whose needle points left (negative), up or right (positive)."""
    angle = _NEEDLE_ANGLE.get(movement)
    arcs = (
        '<path d="M6,50 A44,44 0 0,1 28,11.9" stroke="#d9a19c" stroke-width="8" fill="none"/>'
        '<path d="M28,11.9 A44,44 0 0,1 72,11.9" stroke="#e8d9a0" stroke-width="8" fill="none"/>'
        '<path d="M72,11.9 A44,44 0 0,1 94,50" stroke="#a9d3b3" stroke-width="8" fill="none"/>'
    )
    if angle is None:
        hand = '<circle cx="50" cy="50" r="5" fill="#bbb"/>'
        arcs = arcs.replace('stroke="#d9a19c"', 'stroke="#e3e3e3"')
        arcs = arcs.replace('stroke="#e8d9a0"', 'stroke="#e3e3e3"')
        arcs = arcs.replace('stroke="#a9d3b3"', 'stroke="#e3e3e3"')
    else:
        color = _NEEDLE_COLOR[movement]
        hand = (
            f'<g transform="rotate({angle} 50 50)">'
            f'<path d="M47,50 L50,12 L53,50 Z" fill="{color}"/></g>'
            f'<circle cx="50" cy="50" r="5" fill="{color}"/>'
        )
    svg = (
        '<svg xmlns="http://www.w3.org/2000/svg" width="100" height="58" viewBox="0 0 100 58">'
        f"<title>{html.escape(title)}</title>{arcs}{hand}</svg>"
    )
    return data_uri(svg)
