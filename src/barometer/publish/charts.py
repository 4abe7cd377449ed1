"""Every chart of the dashboard and the report: Vega-Lite specifications with their data inline.

One palette and one set of figures for both media, in two themes: ``screen`` (the dashboard:
the width of its container, the page's font, interval bands) and ``print`` (the report: fixed
sizes, the embedded DejaVu font, dashes so that the series read apart in black and white too).
Every chart has a table beside it with the same rows, so a chart is never the only way to read
a figure. Input rows hold only published values: suppressed cells are absent, never zero.
"""

from __future__ import annotations

import html

SCHEMA = "https://vega.github.io/schema/vega-lite/v5.json"
# Colour-blind-safe palette (Okabe-Ito), all with ≥3:1 contrast on white for graphics. The first
# three are the area, Denmark and the similar municipalities in every chart of both media.
PALETTE = ["#0072B2", "#D55E00", "#009E73", "#CC79A7", "#E69F00", "#56B4E9", "#000000"]
DASHES = ([1, 0], [5, 3], [2, 2], [6, 2, 1, 2])
PRINT_FONT = "DejaVu Sans"
THEMES = {
    "screen": {
        "font": "system-ui, sans-serif",
        "axis": {"labelFontSize": 12, "titleFontSize": 12, "labelColor": "#1a1a1a"},
        "legend": {
            "labelFontSize": 12,
            "titleFontSize": 12,
            "orient": "bottom",
            "symbolOpacity": 1,
            "labelLimit": 400,
            "columns": 3,
        },
    },
    "print": {
        "font": PRINT_FONT,
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
    },
}


def _base(description: str, height: int = 260) -> dict:
    return {
        "$schema": SCHEMA,
        "description": description,
        "width": "container",
        "height": height,
        "autosize": {"type": "fit", "contains": "padding"},
        "config": THEMES["screen"],
    }


def line_chart(
    rows: list[dict],
    *,
    y_title: str,
    description: str,
    series_title: str,
    domain: list[str],
    unit: str = "pct",
    height: int = 260,
) -> dict:
    """Lines over years, one per series, with a Wilson band where intervals exist.

    Rows carry a ``segment`` (series and a counter): a suppressed or missing year starts a new
    segment, so a line breaks there instead of joining across the gap.
    """
    spec = _base(description, height)
    color = {
        "field": "series",
        "type": "nominal",
        "title": series_title,
        "scale": {"domain": domain, "range": PALETTE[: len(domain)]},
    }
    x = {"field": "year", "type": "ordinal", "title": None, "axis": {"labelAngle": 0}}
    spec["data"] = {"values": rows}
    band = {
        "mark": {"type": "area", "opacity": 0.2},
        "transform": [{"filter": "isValid(datum.ci_low)"}],
        "encoding": {
            "x": x,
            "y": {"field": "ci_low", "type": "quantitative", "stack": None},
            "y2": {"field": "ci_high"},
            "color": color,
            "detail": {"field": "segment"},
        },
    }
    has_ci = any(r.get("ci_low") is not None for r in rows)
    y_axis = {"tickMinStep": 1} if unit == "count" else {}
    spec["layer"] = [
        *([band] if has_ci else []),
        {
            "mark": {"type": "line", "point": True, "strokeWidth": 2},
            "transform": [{"filter": "isValid(datum.value)"}],
            "encoding": {
                "x": x,
                "y": {
                    "field": "value",
                    "type": "quantitative",
                    "title": y_title,
                    "scale": {"zero": unit == "count"},
                    "axis": y_axis,
                },
                "color": color,
                "detail": {"field": "segment"},
                "tooltip": [
                    {"field": "series", "title": series_title},
                    {"field": "year"},
                    {"field": "label", "title": y_title},
                ],
            },
        },
    ]
    return spec


def bar_chart(
    rows: list[dict], *, x_title: str, description: str, highlight: str | None = None
) -> dict:
    """Horizontal bars sorted by value, with Wilson error bars; one bar may be highlighted."""
    height = max(120, 16 * len(rows))
    spec = _base(description, height)
    y = {
        "field": "name",
        "type": "nominal",
        "sort": {"field": "value", "op": "max", "order": "descending"},
        "title": None,
    }
    spec["data"] = {"values": rows}
    has_ci = any(r.get("ci_low") is not None for r in rows)
    spec["layer"] = [
        {
            "mark": {"type": "bar"},
            "transform": [{"filter": "isValid(datum.value)"}],
            "encoding": {
                "y": y,
                "x": {"field": "value", "type": "quantitative", "title": x_title},
                "color": {
                    "condition": {
                        "test": f"datum.code === {_js(highlight)}",
                        "value": PALETTE[1],
                    },
                    "value": PALETTE[0],
                },
                "tooltip": [{"field": "name"}, {"field": "label", "title": x_title}],
            },
        },
    ]
    if not has_ci:
        return spec
    spec["layer"].append(
        {
            "mark": {"type": "rule", "color": "#1a1a1a"},
            "transform": [{"filter": "isValid(datum.ci_low)"}],
            "encoding": {
                "y": y,
                "x": {"field": "ci_low", "type": "quantitative"},
                "x2": {"field": "ci_high"},
            },
        }
    )
    return spec


BORNHOLM = "400"
HATCH = "url(#map-hatch) #c8c8c8"  # the page defines the pattern (hidden <svg>, base.html)
NO_DATA = "#e9e9e9"


def map_chart(
    rows: list[dict],
    *,
    geo_url: str,
    description: str,
    legend_title: str,
    polarity: str | None,
    inset_codes: tuple[str, ...] = (),
    inset_title: str = "",
    width: int = 440,
    height: int = 460,
    legend: bool = True,
) -> dict:
    """A choropleth of the municipalities: rows of {code, name, value, label, status, rank}
    joined to the boundaries at ``geo_url`` by code.

    The colour scale respects polarity: the darker, the better (reversed when lower is
    better; a neutral indicator is simply darker when higher). Suppressed municipalities are
    hatched, municipalities without a figure light grey. ``inset_codes`` adds a zoomed map of
    those municipalities (the capital area) beside the main one.
    """
    reverse = polarity == "lower_is_better"
    color = {
        "condition": [
            {"test": "indexof(datum.status || '', 'suppressed') === 0", "value": HATCH},
            {"test": "!isValid(datum.value)", "value": NO_DATA},
        ],
        "field": "value",
        "type": "quantitative",
        "title": legend_title,
        "scale": {"scheme": "blues", "reverse": reverse},
        "legend": {
            "orient": "bottom",
            "gradientLength": 180,
            "direction": "horizontal",
            "titleLimit": 400,
        }
        if legend
        else None,
    }
    encoding = {
        "color": color,
        "tooltip": [
            {"field": "name", "title": " "},
            {"field": "label", "title": legend_title},
        ],
    }

    def view(name: str, w: int, h: int, keep: tuple[str, ...] = (), drop: tuple[str, ...] = ()):
        unit = {
            "name": name,
            "width": w,
            "height": h,
            "projection": {"type": "mercator"},
            "mark": {"type": "geoshape", "stroke": "#ffffff", "strokeWidth": 0.6, "invalid": None},
            "encoding": encoding,
        }
        if keep:
            unit["transform"] = [{"filter": {"field": "properties.code", "oneOf": list(keep)}}]
        elif drop:
            unit["transform"] = [
                {"filter": {"not": {"field": "properties.code", "oneOf": list(drop)}}}
            ]
        return unit

    # Bornholm lies far east: drawn in a box of its own, so the rest of Denmark fills the map.
    main = view("map", width, height, drop=(BORNHOLM,))
    bornholm = view("bornholm", max(50, width // 6), max(40, width // 8), keep=(BORNHOLM,))
    bornholm["title"] = {"text": "Bornholm", "fontSize": 11, "fontWeight": "normal"}
    side = [bornholm]
    if inset_codes:
        inset = view("inset", max(140, width // 2), max(140, width // 2), keep=inset_codes)
        inset["title"] = {"text": inset_title, "fontSize": 12, "fontWeight": "normal"}
        side.insert(0, inset)
    spec = {
        "$schema": SCHEMA,
        "description": description,
        "datasets": {"figures": rows},
        "data": {"url": geo_url, "format": {"type": "json", "property": "features"}},
        "transform": [
            {
                "lookup": "properties.code",
                "from": {
                    "data": {"name": "figures"},
                    "key": "code",
                    "fields": ["name", "value", "label", "status", "rank"],
                },
            }
        ],
        "config": {**THEMES["screen"], "view": {"stroke": None}},
    }
    spec["hconcat"] = [main, {"vconcat": side, "spacing": 8}]
    spec["spacing"] = 12
    return spec


def _js(value: str | None) -> str:
    if value is None:
        return "null"
    return "'" + value.replace("\\", "").replace("'", "") + "'"


# --- print: the report's figures ----------------------------------------------------------


def _print_axis(unit: str) -> dict:
    """Few ticks and no fixed number format: Vega writes each label with the precision of the
    tick step (in the report's locale), so two ticks never read the same (91, 91, 90)."""
    axis: dict = {"tickCount": 5}
    if unit == "count":
        axis["tickMinStep"] = 1
    return axis


def time_chart(rows: list[dict], order: list[str], unit_title: str, unit: str) -> dict:
    """Print: lines over the years, rows of {year, series, value}; ``order`` fixes colour,
    dash and legend (the area, Denmark, similar municipalities)."""
    n = len(order)
    years = sorted({r["year"] for r in rows})
    # every other year on the axis when there are many, always ending on the newest
    ticks = years[::-1][::2][::-1] if len(years) > 8 else years
    spec = {
        "$schema": SCHEMA,
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
                "axis": _print_axis(unit),
            },
            "detail": {"field": "segment"},
            "color": {
                "field": "series",
                "type": "nominal",
                "scale": {"domain": order, "range": PALETTE[:n]},
                "sort": order,
            },
            "strokeDash": {
                "field": "series",
                "type": "nominal",
                "scale": {"domain": order, "range": list(DASHES[:n])},
                "sort": order,
            },
        },
        "config": THEMES["print"],
    }
    return spec


def origin_chart(rows: list[dict], order: list[str], series: list[str], unit: str) -> dict:
    """Print: horizontal bars per origin group, rows of {group, series, value}."""
    spec = {
        "$schema": SCHEMA,
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
                "axis": _print_axis(unit),
            },
            "color": {
                "field": "series",
                "type": "nominal",
                "scale": {"domain": series, "range": PALETTE[: len(series)]},
                "sort": series,
            },
        },
        "config": THEMES["print"],
    }
    return spec


# --- the barometer needle: a tiny fixed drawing, no chart library needed -----------------

_NEEDLE_ANGLE = {"negative": -60, "unchanged": 0, "positive": 60}
_NEEDLE_COLOR = {"negative": "#b3261e", "unchanged": "#8a6d00", "positive": "#1e7b34"}


def needle_svg(movement: str, title: str) -> str:
    """A semicircular gauge (SVG text) whose needle points left (negative), up or right
    (positive); grey without data."""
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
    return svg
